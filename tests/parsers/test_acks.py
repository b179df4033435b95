"""Acknowledgements: TA1, 997, 999 and CONTRL built from parse results, and read back.

Every acknowledgement built here is parsed again with :func:`parsers.parse` and read
with our own key extractors (through :func:`parsers.acks.read_ack`), and the pyx12
test corpus's expected 997s are the reference for envelope-level errors.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

import parsers
from parsers import writer
from parsers.acks import (
    X231,
    Ack,
    ControlNumbers,
    acknowledge,
    applicable_acks,
    build_997,
    build_999,
    build_contrl,
    build_ta1,
    read_ack,
    read_ack_documents,
    wrap_x12,
)
from parsers.documents import build_documents
from parsers.errors import EdiError, Location
from parsers.keys import extract_keys
from parsers.model import Delimiters, Interchange, Party, Segment
from parsers.segments import split_segment
from parsers.writer import GroupOut, TransactionOut

CORPUS = Path("/work/shared/corpus")
PYX12 = CORPUS / "x12/pyx12/test/files"
PYX12_BAD = CORPUS / "bad/pyx12/test/files"
NOW = datetime(2025, 3, 4, 5, 6, 7)
X12 = Delimiters("*", ":", "~", "^")
PARTNER = Party("ZZ", "PARTNER")
US = Party("ZZ", "EDIMESH")


# ---------------------------------------------------------------------------
# helpers


def _850(n: int) -> TransactionOut:
    body: list[Segment] = [
        ["BEG", "00", "SA", f"PO-{n}", "", "20250101"],
        ["PO1", "1", "10", "EA", "9.99", "", "VP", f"SKU{n}"],
        ["CTT", "1"],
    ]
    return TransactionOut("850", f"{n:04d}", body)


def x12_inbound(
    count: int = 3,
    *,
    control: int = 123,
    ack_requested: bool = False,
    test: bool = True,
    mutate: Callable[[str], str] | None = None,
) -> bytes:
    """A partner interchange: one PO group of ``count`` 850s, optionally corrupted by ``mutate``."""
    data = writer.x12_interchange(
        sender=PARTNER,
        receiver=US,
        control=control,
        groups=[
            GroupOut(
                "PO",
                "PARTNERAPP",
                "USAPP",
                "77",
                ("004010",),
                [_850(i) for i in range(1, count + 1)],
                date="20250101",
                time="1200",
            )
        ],
        delimiters=Delimiters("*", ":", "~"),
        version="00401",
        date="250101",
        time="1200",
        test=test,
        ack_requested=ack_requested,
        line_break="\n",
    )
    text = data.decode()
    return (mutate(text) if mutate else text).encode()


def one(data: bytes) -> Interchange:
    result = parsers.parse(data)
    assert len(result.interchanges) == 1, [e.code for e in result.all_errors()]
    return result.interchanges[0]


def segs(ic: Interchange, type_: str) -> list[Segment]:
    """The split segments of the only ``type_`` transaction of ``ic``."""
    txs = [t for t in ic.transactions if t.type == type_]
    assert len(txs) == 1
    return [split_segment(s, ic.delimiters) for s in txs[0].segments]


def tagged(segments: list[Segment], tag: str) -> list[Segment]:
    return [s for s in segments if s[0] == tag]


def reparse(ack: Ack) -> Interchange:
    """The acknowledgement as a partner would read it: one valid interchange."""
    result = parsers.parse(ack.data)
    assert result.valid, [e.line("ack") for e in result.all_errors()]
    assert len(result.interchanges) == 1
    ic = result.interchanges[0]
    assert int(ic.control) == ack.interchange_control
    return ic


def bad_se01(text: str) -> str:
    return text.replace("SE*5*0002~", "SE*9*0002~")


# ---------------------------------------------------------------------------
# 997 / 999


def test_bad_se01_among_good_sets_is_partially_accepted() -> None:
    ic = one(x12_inbound(mutate=bad_se01))
    assert [e.code for t in ic.transactions for e in t.errors] == ["EDI052"]
    (ack,) = acknowledge(ic, ["997"], controls=ControlNumbers(41, 7), now=NOW)
    assert (ack.type, ack.status, ack.received, ack.accepted, ack.rejected) == ("997", "P", 3, 2, 1)
    assert (ack.interchange_control, ack.group_controls, ack.acknowledges) == (
        41,
        (7,),
        "000000123",
    )

    out = reparse(ack)
    assert (out.sender, out.receiver, out.test) == (
        US,
        PARTNER,
        True,
    )  # addressed back, test copied
    assert out.delimiters.element == "*" and out.delimiters.segment == "~"
    (g,) = out.groups
    assert (g.functional_id, g.control, g.sender, g.receiver, g.version) == (
        "FA",
        "7",
        "USAPP",
        "PARTNERAPP",
        "004010",
    )
    s = segs(out, "997")
    assert tagged(s, "AK1") == [["AK1", "PO", "77"]]
    assert [x[2] for x in tagged(s, "AK2")] == ["0001", "0002", "0003"]
    assert tagged(s, "AK5") == [["AK5", "A"], ["AK5", "R", "4"], ["AK5", "A"]]
    assert tagged(s, "AK9") == [["AK9", "P", "3", "3", "2"]]

    keys = extract_keys("x12", "997", s)
    assert (keys["ack_code"], keys["group_control"], keys["sets_accepted"]) == ("P", "77", "2")
    assert [a["code"] for a in keys["set_acks"]] == ["A", "R", "A"]

    statuses = read_ack(out)
    assert [(x.level, x.status, x.group, x.transaction, x.errors) for x in statuses] == [
        ("group", "partially_accepted", "77", None, ()),
        ("transaction", "accepted", "77", "0001", ()),
        ("transaction", "rejected", "77", "0002", ("4",)),
        ("transaction", "accepted", "77", "0003", ()),
    ]
    assert all(x.sender == US for x in statuses)


def test_999_uses_ik_segments_and_x231() -> None:
    ic = one(x12_inbound(mutate=bad_se01))
    (ack,) = acknowledge(ic, ["999"], controls=ControlNumbers(5, 6), now=NOW)
    out = reparse(ack)
    assert out.groups[0].version == X231
    s = segs(out, "999")
    assert s[0] == ["ST", "999", "0001", X231]
    assert tagged(s, "AK1") == [["AK1", "PO", "77", "004010"]]
    assert tagged(s, "IK5") == [["IK5", "A"], ["IK5", "R", "4"], ["IK5", "A"]]
    assert not tagged(s, "AK5")
    assert tagged(s, "AK9") == [["AK9", "P", "3", "3", "2"]]
    keys = extract_keys("x12", "999", s)
    assert [a["code"] for a in keys["set_acks"]] == ["A", "R", "A"]
    assert [x.status for x in read_ack(out) if x.level == "transaction"] == [
        "accepted",
        "rejected",
        "accepted",
    ]


def test_999_reports_segment_and_element_errors_with_claim_context() -> None:
    """IK3 (segment), CTX (the claim, X231 business unit), IK4 (element, copy of bad data)."""
    body: list[Segment] = [
        ["BHT", "0019", "00", "1", "20250101", "1200", "CH"],
        ["HL", "1", "", "20", "1"],
        ["CLM", "CLAIM-9", "100", "", "", ["11", "B", "1"]],
        ["SV1", ["HC", "99213"], "100", "UN", "1"],
    ]
    data = writer.x12_interchange(
        sender=PARTNER,
        receiver=US,
        control=9,
        groups=[
            GroupOut(
                "HC",
                "P",
                "U",
                "3",
                ("005010X222A1",),
                [TransactionOut("837", "0001", body, ("005010X222A1",))],
            )
        ],
        delimiters=X12,
    )
    ic = one(data)
    tx = ic.transactions[0]
    tx.errors.append(
        EdiError("EDI088", "bad code", Location(tag="SV1", ts_segment=5, element=1, component=2))
    )
    tx.errors.append(EdiError("EDI083", "missing", Location(tag="HL", ts_segment=3)))
    s = build_999(ic, ic.groups[0])
    assert s[2:-3] == [
        ["AK2", "837", "0001", "005010X222A1"],
        ["IK3", "HL", "3", "", "3"],  # before the claim: no CTX
        ["IK3", "SV1", "5", "", "8"],
        ["CTX", ["CLM01", "CLAIM-9"]],
        ["IK4", ["1", "2"], "", "7", "99213"],
    ]
    assert s[-3] == ["IK5", "R", "5"]
    s997 = build_997(ic, ic.groups[0])
    assert ["AK4", ["1", "2"], "", "7", "99213"] in s997
    assert not any(x[0] == "CTX" for x in s997)


def test_element_error_with_control_character_omits_the_bad_data_copy() -> None:
    data = x12_inbound(1, mutate=lambda t: t.replace("BEG*00*SA*PO-1", "BEG*00*SA*PO\x01-1"))
    ic = one(data)
    assert [e.code for e in ic.transactions[0].errors] == ["EDI062"]
    (ack,) = acknowledge(ic, ["997"], controls=ControlNumbers(1), now=NOW)
    s = segs(reparse(ack), "997")
    assert tagged(s, "AK3") == [["AK3", "BEG", "2", "", "8"]]
    assert tagged(s, "AK4") == [["AK4", "3", "", "6"]]  # AK404 left out: the data is not writable
    assert tagged(s, "AK5") == [["AK5", "R", "5"]]


def test_rejected_interchange_without_ta1_rejects_every_set() -> None:
    """What is acknowledged accepted is what gets routed: nothing in a rejected interchange."""
    ic = one(x12_inbound(mutate=lambda t: t.replace("IEA*1*000000123", "IEA*1*000000999")))
    assert [e.code for e in ic.errors] == ["EDI032"]
    assert applicable_acks(ic, ["997"]) == ["997"]
    (ack,) = acknowledge(ic, ["997"], controls=ControlNumbers(1), now=NOW)
    s = segs(reparse(ack), "997")
    assert tagged(s, "AK5") == [["AK5", "R"]] * 3
    assert tagged(s, "AK9") == [["AK9", "R", "3", "3", "0"]]
    assert (ack.accepted, ack.rejected) == (0, 3)


def test_warnings_are_accepted_with_errors() -> None:
    ic = one(x12_inbound(2))
    ic.transactions[0].errors.append(
        EdiError("EDI061", "empty segment ignored", Location(ts_segment=2))
    )
    s = build_997(ic, ic.groups[0])
    assert [x for x in s if x[0] in ("AK5", "AK9")] == [
        ["AK5", "E"],
        ["AK5", "A"],
        ["AK9", "E", "2", "2", "2"],
    ]


def test_group_error_rejects_the_group_with_its_ak9_code() -> None:
    ic = one(x12_inbound(2, mutate=lambda t: t.replace("GE*2*77~", "GE*2*78~")))
    assert [e.code for e in ic.groups[0].errors] == ["EDI040"]
    s = build_997(ic, ic.groups[0])
    assert [x for x in s if x[0] in ("AK5", "AK9")] == [
        ["AK5", "R"],
        ["AK5", "R"],
        ["AK9", "R", "2", "2", "0", "4"],
    ]


# ---------------------------------------------------------------------------
# TA1


def test_iea02_mismatch_gets_ta1_reject_001() -> None:
    data = x12_inbound(
        ack_requested=True, mutate=lambda t: t.replace("IEA*1*000000123", "IEA*1*000000124")
    )
    ic = one(data)
    assert build_ta1(ic) == [["TA1", "000000123", "250101", "1200", "R", "001"]]
    assert applicable_acks(ic, ["TA1", "997", "999"]) == ["TA1"]  # no 997 for what a TA1 rejects
    (ack,) = acknowledge(ic, ["TA1", "997"], controls=ControlNumbers(300), now=NOW)
    assert (ack.type, ack.status, ack.accepted, ack.rejected, ack.group_controls) == (
        "TA1",
        "R",
        0,
        1,
        (),
    )
    assert ack.data.decode().endswith("TA1*000000123*250101*1200*R*001~IEA*0*000000300~")
    out = reparse(ack)
    assert out.groups == []
    (status,) = read_ack(out, ack.data)
    assert (status.ack, status.level, status.status, status.interchange, status.errors) == (
        "TA1",
        "interchange",
        "rejected",
        "000000123",
        ("001",),
    )
    ta1 = [
        split_segment(x, out.delimiters)
        for x in ack.data.decode().split("~")
        if x.startswith("TA1")
    ]
    assert extract_keys("x12", "TA1", ta1)["note_code"] == "001"


def test_ta1_only_when_requested_or_on_errors() -> None:
    assert applicable_acks(one(x12_inbound(ack_requested=False)), ["TA1", "997"]) == ["997"]
    ic = one(x12_inbound(ack_requested=True))
    assert applicable_acks(ic, ["TA1", "997"]) == ["TA1", "997"]
    assert applicable_acks(ic, ["997"]) == ["997"]  # the partner profile opts in to TA1
    ta1, fa = acknowledge(ic, ["TA1", "997"], controls=ControlNumbers(10, 20), now=NOW)
    assert (ta1.type, ta1.status, ta1.interchange_control) == ("TA1", "A", 10)
    assert (fa.type, fa.status, fa.interchange_control, fa.group_controls) == (
        "997",
        "A",
        11,
        (20,),
    )
    assert read_ack(reparse(ta1), ta1.data)[0].errors == ()  # TA105 000 is no error


def test_allocator_is_called_per_number() -> None:
    calls: list[str] = []
    counters = {"interchange": 900, "group": 50}

    def alloc(kind: str) -> int:
        calls.append(kind)
        counters[kind] += 1
        return counters[kind]

    ic = one(x12_inbound(ack_requested=True))
    acks = acknowledge(ic, ["TA1", "997", "999"], controls=alloc, now=NOW)
    assert calls == ["interchange", "interchange", "group", "interchange", "group"]
    assert [(a.type, a.interchange_control, a.group_controls) for a in acks] == [
        ("TA1", 901, ()),
        ("997", 902, (51,)),
        ("999", 903, (52,)),
    ]
    with pytest.raises(ValueError):
        acknowledge(ic, ["997"], controls=ControlNumbers(1_000_000_000), now=NOW)


def test_never_acknowledge_an_acknowledgement() -> None:
    fa = one((PYX12 / "835_simple.997.base").read_bytes())  # a 997 (and a TA1) with ISA14 = 1
    assert applicable_acks(fa, ["TA1", "997", "999"]) == ["TA1"]
    contrl = writer.edifact_interchange(
        sender=PARTNER,
        receiver=US,
        control="5",
        messages=[TransactionOut("CONTRL", "1", [["UCI", "7", "A", "B", "7"]], ("D", "3", "UN"))],
    )
    assert applicable_acks(one(contrl), ["CONTRL"]) == []
    assert applicable_acks(one(x12_inbound()), ["CONTRL"]) == []  # CONTRL is EDIFACT only
    assert applicable_acks(one(contrl), ["997", "TA1"]) == []


def test_delimiters_are_copied_and_changed_only_when_data_collides() -> None:
    path = (
        CORPUS
        / "x12/imsweb-x12-parser/src/test/resources/837_5010/x12_valid_different_separators.txt"
    )
    ic = one(path.read_bytes())
    (ack,) = acknowledge(ic, ["999"], controls=ControlNumbers(1), now=NOW)
    d = reparse(ack).delimiters
    assert (
        (d.element, d.component, d.segment)
        == ("~", "^", "_")
        == (
            ic.delimiters.element,
            ic.delimiters.component,
            ic.delimiters.segment,
        )
    )
    # ISA11 is 'U' in this 00501 interchange; writing 00501 needs a repetition separator
    assert ic.delimiters.repetition is None and d.repetition == "{"
    # an ST02 containing the component separator cannot be written with the inbound delimiters
    ic = one(x12_inbound(1, mutate=lambda t: t.replace("0001", "00:1")))
    (ack,) = acknowledge(ic, ["997"], controls=ControlNumbers(1), now=NOW)
    out = reparse(ack)
    assert out.delimiters.component != ":"
    assert tagged(segs(out, "997"), "AK2") == [["AK2", "850", "00:1"]]


def test_one_ack_interchange_per_application_pair() -> None:
    data = writer.x12_interchange(
        sender=PARTNER,
        receiver=US,
        control=8,
        groups=[
            GroupOut("PO", "APP1", "US1", "1", ("004010",), [_850(1)]),
            GroupOut("PO", "APP2", "US1", "2", ("004010",), [_850(2)]),
            GroupOut("PO", "APP1", "US1", "3", ("004010",), [_850(3)]),
        ],
        delimiters=X12,
        version="00501",
    )
    acks = acknowledge(one(data), ["997"], controls=ControlNumbers(1, 1), now=NOW)
    assert [(a.interchange_control, a.group_controls, a.received) for a in acks] == [
        (1, (1,), 2),
        (2, (2,), 1),
    ]
    first = reparse(acks[0])
    assert (first.groups[0].sender, first.groups[0].receiver) == ("US1", "APP1")
    assert [t.control for t in first.transactions] == ["0001", "0002"]
    assert first.version == "00501" and first.delimiters.repetition == "^"


def test_read_ack_documents_agrees_with_read_ack() -> None:
    ic = one(x12_inbound(mutate=bad_se01))
    (ack,) = acknowledge(ic, ["997"], controls=ControlNumbers(3), now=NOW)
    out = reparse(ack)
    docs = build_documents(out, partner=None, source={"channel": "file"})
    from_docs = read_ack_documents(docs)
    from_ic = read_ack(out)
    assert [(x.level, x.status, x.group, x.transaction) for x in from_docs] == [
        (x.level, x.status, x.group, x.transaction) for x in from_ic
    ]


# ---------------------------------------------------------------------------
# CONTRL


def _edifact(
    messages: int = 2, *, mutate: Callable[[str], str] | None = None, version: str = "3"
) -> bytes:
    msgs = [
        TransactionOut(
            "ORDERS",
            str(n),
            [["BGM", "220", f"PO{n}", "9"], ["DTM", ["137", "20250101", "102"]]],
            ("D", "96A", "UN"),
        )
        for n in range(1, messages + 1)
    ]
    data = writer.edifact_interchange(
        sender=Party("14", "5400110000009"),
        receiver=Party("14", "5013546107732"),
        control="REF42",
        messages=msgs,
        syntax="UNOC",
        syntax_version=version,
        date="250101" if version != "4" else "20250101",
        time="1200",
        test=True,
        write_una=False,
    )
    text = data.decode("latin-1")
    return (mutate(text) if mutate else text).encode("latin-1")


def test_edifact_bad_unt_count_gets_ucm_action_4_error_29() -> None:
    ic = one(_edifact(mutate=lambda t: t.replace("UNT+4+2'", "UNT+7+2'")))
    assert [(t.control, [e.code for e in t.errors]) for t in ic.transactions] == [
        ("1", []),
        ("2", ["EDI052"]),
    ]
    assert applicable_acks(ic, ["CONTRL", "997", "TA1"]) == ["CONTRL"]
    (ack,) = acknowledge(ic, ["CONTRL"], controls=ControlNumbers(77), now=NOW)
    assert (ack.type, ack.status, ack.received, ack.accepted, ack.rejected) == (
        "CONTRL",
        "7",
        2,
        1,
        1,
    )
    out = reparse(ack)
    assert (out.sender, out.receiver, out.test, out.syntax, out.version) == (
        Party("14", "5013546107732"),
        Party("14", "5400110000009"),
        True,
        "UNOC",
        "3",
    )
    assert out.date == "250304" and out.control == "77"
    s = segs(out, "CONTRL")
    assert s[0] == ["UNH", "77", ["CONTRL", "D", "3", "UN"]]
    assert tagged(s, "UCI") == [
        ["UCI", "REF42", ["5400110000009", "14"], ["5013546107732", "14"], "7"]
    ]
    assert tagged(s, "UCM") == [
        ["UCM", "1", ["ORDERS", "D", "96A", "UN"], "7"],
        ["UCM", "2", ["ORDERS", "D", "96A", "UN"], "4", "29", "UNT", "1"],
    ]
    keys = extract_keys("edifact", "CONTRL", s)
    assert (keys["interchange_ref"], keys["action_code"]) == ("REF42", "7")
    assert [(m["reference"], m["action_code"], m["error_code"]) for m in keys["message_acks"]] == [
        ("1", "7", None),
        ("2", "4", "29"),
    ]
    statuses = read_ack(out)
    assert [(x.level, x.status, x.transaction, x.errors) for x in statuses] == [
        ("interchange", "accepted", None, ()),
        ("transaction", "accepted", "1", ()),
        ("transaction", "rejected", "2", ("29",)),
    ]
    assert statuses[0].interchange == "REF42"


def test_edifact_interchange_error_rejects_at_uci() -> None:
    ic = one(_edifact(mutate=lambda t: t.replace("UNZ+2+REF42'", "UNZ+2+REF43'"), version="4"))
    assert [e.code for e in ic.errors] == ["EDI032"]
    msg = build_contrl(ic, reference="9")
    assert msg[0] == ["UNH", "9", ["CONTRL", "4", "1", "UN"]]
    assert msg[1] == [
        "UCI",
        "REF42",
        ["5400110000009", "14"],
        ["5013546107732", "14"],
        "4",
        "28",
        "UNZ",
        "2",
    ]
    assert [x[0] for x in msg] == ["UNH", "UCI", "UNT"]  # nothing below a rejected interchange
    (ack,) = acknowledge(ic, ["CONTRL"], controls=ControlNumbers(2), now=NOW)
    out = reparse(ack)
    assert out.version == "4" and out.date == "20250304"
    assert [x.status for x in read_ack(out)] == ["rejected"]
    assert build_contrl(ic, receipt_only=True)[1][4] == "8"


def test_contrl_with_groups_has_ucf_and_una_when_delimiters_are_not_default() -> None:
    ic = one(
        (CORPUS / "edifact/staedi/src/test/resources/EDIFACT/orders-with-group.edi").read_bytes()
    )
    msg = build_contrl(ic)
    assert [x[0] for x in msg] == ["UNH", "UCI", "UCF", "UCM", "UNT"]
    assert msg[2] == ["UCF", "1", "5400110000009", "5013546107732", "7"]
    (ack,) = acknowledge(ic, ["CONTRL"], controls=ControlNumbers(1), now=NOW)
    out = reparse(ack)
    assert not ack.data.startswith(b"UNA")
    assert [(x.level, x.group) for x in read_ack(out)] == [
        ("interchange", None),
        ("group", "1"),
        ("transaction", "1"),
    ]
    order = one(
        (CORPUS / "edifact/pydifact/tests/data/order.edi").read_bytes()
    )  # UNA with ',' decimal
    (ack,) = acknowledge(order, ["CONTRL"], controls=ControlNumbers(1), now=NOW)
    assert ack.data.startswith(b"UNA:+,? '")


# ---------------------------------------------------------------------------
# pyx12's expected 997s (envelope-level errors; implementation-guide ones are in test_hipaa)


def _ak(data: bytes) -> list[list[str]]:
    """AK1-AK9 of each 997 in ``data`` as text, per transaction set."""
    out = []
    for ic in parsers.parse(data).interchanges:
        for t in ic.transactions:
            if t.type == "997":
                out.append(
                    [s for s in t.segments if s[:3] in ("AK1", "AK2", "AK3", "AK4", "AK5", "AK9")]
                )
    return out


def _ours(ic: Interchange) -> list[list[str]]:
    d = ic.delimiters
    return [[writer.write_segment(s, d) for s in build_997(ic, g)[1:-1]] for g in ic.groups]


@pytest.mark.parametrize(
    "name", ["834_lui_id", "835_simple", "ordinal", "repeat_init_seg", "simple_837p"]
)
def test_accepted_files_match_pyx12_997(name: str) -> None:
    ic = one((PYX12 / f"{name}.txt").read_bytes())
    assert _ours(ic) == _ak((PYX12 / f"{name}.997.base").read_bytes())


def _ta1(path: Path) -> list[str] | None:
    text = path.read_text()
    return next(
        (s.strip().split("*") for s in text.split("~") if s.strip().startswith("TA1")), None
    )


def test_trailer_errors_against_pyx12() -> None:
    """GE02, IEA01 and IEA02 wrong, and one SE01: pyx12 still calls the other set accepted."""
    ic = one((PYX12_BAD / "trailer_errors.txt").read_bytes())
    (ours,) = _ours(ic)
    (theirs,) = _ak((PYX12 / "trailer_errors.997.base").read_bytes())
    assert theirs == [
        "AK1*HC*1",
        "AK2*837*300207436",
        "AK5*R*4",
        "AK2*837*300207437",
        "AK5*A",
        "AK9*R*2*2*1*4",
    ]
    # same AK1, AK2s, first AK5 and AK9 code; the second set is rejected because its
    # group (GE02) and interchange (IEA02) are, and nothing of it is routed
    assert ours == [
        "AK1*HC*1",
        "AK2*837*300207436",
        "AK5*R*4",
        "AK2*837*300207437",
        "AK5*R",
        "AK9*R*2*2*0*4",
    ]
    # pyx12's TA1 says 018 (invalid ISA13) for what is an IEA01 count and IEA02 mismatch
    assert _ta1(PYX12 / "trailer_errors.997.base") == [
        "TA1",
        "000484950",
        "040820",
        "1133",
        "R",
        "018",
    ]
    assert build_ta1(ic) == [["TA1", "000484950", "040820", "1133", "R", "021"]]
    assert {e.spec.ta1 for e in ic.errors} == {"021", "001"}


@pytest.mark.parametrize(
    ("name", "ours", "note"),
    [
        # SE01 = 0: same AK5 code 4; pyx12's extra 5 comes from its implementation-guide AK3s
        ("fail_no_IEA", ["AK1*HC*17", "AK2*837*11280001", "AK5*R*4", "AK9*R*1*1*0"], "023"),
        # no SE, GE, IEA: same AK5 2 and AK9 3; pyx12 counts 0 sets received, we count 1
        ("explicit_missing", ["AK1*HC*17", "AK2*837*11280001", "AK5*R*2", "AK9*R*1*1*0*3"], "023"),
        # ST02 with a trailing space (AK5 7) not matching SE02 (AK5 3): identical codes;
        # pyx12 adds AK905 = 1 for GS02/GS03 padded with a space, which we accept
        ("ele", ["AK1*HC*1", "AK2*837*300145997", "AK5*R*3*7", "AK9*R*1*1*0"], "015"),
    ],
)
def test_envelope_errors_against_pyx12(name: str, ours: list[str], note: str) -> None:
    ic = one((PYX12_BAD / f"{name}.txt").read_bytes())
    assert _ours(ic) == [ours]
    theirs = _ak((PYX12 / f"{name}.997.base").read_bytes())[0]
    assert [s for s in theirs if s.startswith(("AK1", "AK2"))] == [
        s for s in ours if s.startswith(("AK1", "AK2"))
    ]
    expected_ta1 = _ta1(PYX12 / f"{name}.997.base")
    assert expected_ta1 is not None and expected_ta1[4:] == ["R", note]
    assert build_ta1(ic)[0][4:] == ["R", note]  # the same TA104 / TA105 as pyx12


def test_mult_isa_is_envelope_clean() -> None:
    """pyx12 rejects every set of mult_isa for implementation-guide reasons (see test_hipaa)."""
    result = parsers.parse((PYX12_BAD / "mult_isa.txt").read_bytes())
    assert [len(ic.groups) for ic in result.interchanges] == [5, 3]
    ak9 = [g[-1] for ic in result.interchanges for g in _ours(ic)]
    assert ak9 == [
        "AK9*A*3*3*3",
        "AK9*A*1*1*1",
        "AK9*A*1*1*1",
        "AK9*A*1*1*1",
        "AK9*A*1*1*1",
        "AK9*A*3*3*3",
        "AK9*A*1*1*1",
        "AK9*A*1*1*1",
    ]
    theirs = _ak((PYX12 / "mult_isa.997.base").read_bytes())
    assert [t[0] for t in theirs] == [
        t[0] for ic in result.interchanges for t in _ours(ic)
    ]  # same AK1s


# ---------------------------------------------------------------------------
# inbound acknowledgements from the corpus


def test_read_corpus_acknowledgements() -> None:
    data = (CORPUS / "x12/staedi/src/test/resources/x12/simple999.edi").read_bytes()
    st = read_ack(one(data), data)
    assert [(x.level, x.status, x.transaction, x.errors) for x in st] == [
        ("group", "partially_accepted", None, ()),
        ("transaction", "accepted", "0001", ()),
        ("transaction", "rejected", "0002", ("5",)),
        ("transaction", "rejected", "0003", ("5",)),
    ]
    data = (
        CORPUS / "x12/imsweb-x12-parser/src/test/resources/837_5010/x12_999_accepted_ta1.txt"
    ).read_bytes()
    st = read_ack(one(data), data)
    assert [(x.ack, x.status, x.interchange, x.group, x.transaction) for x in st] == [
        ("TA1", "accepted", "101", None, None),
        ("999", "rejected", None, "101", None),
        ("999", "rejected", None, "101", "101"),
    ]
    data = (PYX12 / "ele.997.base").read_bytes()  # pyx12 writes its TA1 after the group
    st = read_ack(one(data), data)
    assert [(x.ack, x.level, x.code, x.errors) for x in st] == [
        ("TA1", "interchange", "R", ("015",)),
        ("997", "group", "R", ("1",)),
        ("997", "transaction", "R", ("3", "7")),
    ]
    assert read_ack(one(data)) == st[1:]  # without the raw bytes, no TA1


# ---------------------------------------------------------------------------
# every acknowledgement of every corpus interchange parses and reads back


def _corpus_files() -> list[Path]:
    with (CORPUS / "MANIFEST.tsv").open(newline="") as f:
        return [CORPUS / r["local_path"] for r in csv.DictReader(f, delimiter="\t")]


def test_every_corpus_interchange_round_trips() -> None:
    built = 0
    for path in _corpus_files():
        data = path.read_bytes()
        for ic in parsers.parse(data).interchanges:
            for ack in acknowledge(
                ic, ["TA1", "997", "999", "CONTRL"], controls=ControlNumbers(1, 1), now=NOW
            ):
                built += 1
                out = reparse(ack)
                statuses = read_ack(out, ack.data)
                if ack.type == "TA1":
                    assert [(s.ack, s.code) for s in statuses] == [("TA1", ack.status)], path
                    continue
                top = [s for s in statuses if s.level in ("group", "interchange")]
                txs = [s for s in statuses if s.level == "transaction"]
                if ack.type == "CONTRL" and ack.status == "4":
                    assert txs == [] and ack.accepted == 0, path  # nothing below a rejected UCI
                    continue
                assert len(txs) == ack.received, path
                assert sum(s.accepted for s in txs) == ack.accepted, path
                if ack.type == "CONTRL":
                    assert top[0].code == ack.status and top[0].interchange == ic.control, path
                else:
                    assert len(out.groups) == 1 and out.groups[0].functional_id == "FA", path
                    assert {s.group for s in top} <= {g.control.strip() for g in ic.groups}, path
    assert built > 300


def test_wrap_x12_defaults() -> None:
    ic = one(x12_inbound())
    data = wrap_x12(ic, [], interchange_control=12, group_control=0, now=NOW, ta1=build_ta1(ic))
    out = parsers.parse(data)
    assert out.valid and out.interchanges[0].groups == []
    assert data.startswith(
        b"ISA*00*          *00*          *ZZ*EDIMESH        *ZZ*PARTNER        *250304*0506*U*00401*000000012*0*T*:~"
    )
