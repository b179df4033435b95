"""The envelope state machine: every control check, recovery, locations, events and streaming."""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import parsers
from parsers.envelopes import (
    GroupEnd,
    GroupStart,
    InputError,
    InterchangeEnd,
    InterchangeStart,
    TransactionComplete,
)
from parsers.errors import CATALOGUE
from tests.parsers.conftest import (
    X12_HEAD,
    codes,
    edifact_doc,
    snapshot,
    stream_parse,
    x12,
    x12_doc,
    x12_txn,
)


def by_code(res: parsers.ParseResult, code: str) -> parsers.EdiError:
    """The one error with ``code``."""
    found = [e for e in res.all_errors() if e.code == code]
    assert len(found) == 1, codes(res)
    return found[0]


# -- a valid interchange --------------------------------------------------------------------


def test_valid_x12_interchange_fields() -> None:
    data = x12_doc([x12_txn("0001"), x12_txn("0002")])
    res = parsers.parse(data)
    assert res.valid and res.errors == [] and codes(res) == []
    ic = res.interchanges[0]
    assert (ic.sender.key(), ic.receiver.key(), ic.control, ic.version) == (
        "ZZ:SENDER",
        "ZZ:RECEIVER",
        "000000001",
        "00501",
    )
    assert (ic.date, ic.time, ic.test, ic.ack_requested, ic.offset, ic.index) == (
        "240101",
        "1200",
        False,
        False,
        0,
        1,
    )
    assert ic.end == len(data) - 1  # the final newline is not part of the interchange
    assert ic.header_end == 106 and ic.header[0] == "ISA" and len(ic.header) == 17
    g = ic.groups[0]
    assert (g.functional_id, g.control, g.version, g.sender, g.date, g.time, g.agency) == (
        "PO", "1", "005010", "SENDER", "20240101", "1200", "X",
    )  # fmt: skip
    t1, t2 = ic.transactions
    assert (t1.type, t1.control, t1.version, t1.index) == ("850", "0001", "005010", 3)
    assert t1.segments == ["ST*850*0001", "BEG*00*SA*PO1**20240101", "SE*3*0001"]
    assert data[t1.offset : t1.offset + 3] == b"ST*" and data[t1.end - 1 : t1.end] == b"~"
    assert t2.index == 6 and t2.offset == t1.end + 1


def test_st03_is_the_version_when_present() -> None:
    res = parsers.parse(x12_doc([x12_txn().replace("ST*850*0001", "ST*850*0001*005010X222A1")]))
    t = res.transactions[0]
    assert (t.version, t.implementation) == ("005010X222A1", "005010X222A1")


def test_valid_edifact_interchange_fields() -> None:
    res = parsers.parse(edifact_doc(messages=2))
    assert res.valid and codes(res) == []
    ic = res.interchanges[0]
    assert (ic.standard, ic.syntax, ic.version, ic.control, ic.sender.key(), ic.index) == (
        parsers.Standard.EDIFACT, "UNOC", "3", "REF1", "14:SENDER", 1,
    )  # fmt: skip
    assert ic.groups[0].implicit and len(ic.transactions) == 2
    t = ic.transactions[0]
    assert (t.type, t.control, t.version, t.index) == ("ORDERS", "M1", "D96A", 3)
    assert t.segments[0] == "UNH+M1+ORDERS:D:96A:UN" and t.segments[-1] == "UNT+4+M1"


def test_edifact_with_groups() -> None:
    res = parsers.parse(edifact_doc(messages=3, groups=True))
    assert res.valid
    g = res.interchanges[0].groups[0]
    assert (g.implicit, g.functional_id, g.control, g.version, g.date, g.time) == (
        False,
        "ORDERS",
        "G1",
        "D96A",
        "240101",
        "1200",
    )


def test_association_code_goes_to_implementation() -> None:
    res = parsers.parse(edifact_doc().replace(b"ORDERS:D:96A:UN'", b"ORDERS:D:96A:UN:EAN008'"))
    t = res.transactions[0]
    assert (t.version, t.implementation) == ("D96A", "EAN008")


# -- X12 envelope checks -----------------------------------------------------------------------


def test_iea02_mismatch() -> None:
    res = parsers.parse(x12_doc().replace(b"IEA*1*000000001", b"IEA*1*000000002"))
    e = by_code(res, "EDI032")
    assert e.spec.ta1 == "001" and e.location.tag == "IEA" and e.location.element == 2
    assert e in res.interchanges[0].errors and not res.interchanges[0].accepted


def test_iea01_group_count() -> None:
    res = parsers.parse(x12_doc().replace(b"IEA*1*", b"IEA*2*"))
    e = by_code(res, "EDI033")
    assert e.spec.ta1 == "021" and e.location.element == 1 and e.location.segment == 7


def test_ge02_mismatch_and_ge01_count() -> None:
    res = parsers.parse(x12_doc().replace(b"GE*1*1~", b"GE*2*7~"))
    g = res.interchanges[0].groups[0]
    assert {e.code for e in g.errors} == {"EDI040", "EDI041"}
    assert by_code(res, "EDI040").spec.ak9 == "4" and by_code(res, "EDI041").spec.ak9 == "5"
    assert res.transactions[0].accepted  # group errors do not reject the transaction itself


def test_gs06_compares_as_a_number() -> None:
    res = parsers.parse(x12_doc().replace(b"GE*1*1~", b"GE*1*0001~"))
    assert res.valid


def test_se02_mismatch_and_se01_count_reject_only_that_transaction() -> None:
    bad = x12_txn("0002").replace("SE*3*0002", "SE*7*0009")
    res = parsers.parse(x12_doc([x12_txn("0001"), bad, x12_txn("0003")]))
    t1, t2, t3 = res.transactions
    assert t1.accepted and t3.accepted and not t2.accepted
    count = by_code(res, "EDI052")
    assert (
        count.location.ts_segment == 3
        and count.location.tag == "SE"
        and count.location.element == 1
    )
    assert count.location.segment == 8 and count.spec.ak5 == "4"
    assert by_code(res, "EDI051").spec.ak5 == "3"
    assert "EDI052" in {e.code for e in t2.errors} and res.interchanges[0].accepted


def test_se01_not_numeric() -> None:
    res = parsers.parse(x12_doc([x12_txn().replace("SE*3*", "SE*x3*")]))
    assert by_code(res, "EDI056").spec.ak5 == "4"


def test_missing_se_is_recovered_at_the_next_st() -> None:
    cut = x12_txn("0001").replace("SE*3*0001~\n", "")
    res = parsers.parse(x12_doc([cut, x12_txn("0002")]).replace(b"GE*2*", b"GE*2*"))
    t1, t2 = res.transactions
    assert (
        [e.code for e in t1.errors] == ["EDI050"]
        and t2.accepted
        and t2.segments[0] == "ST*850*0002"
    )
    assert t1.segments == ["ST*850*0001", "BEG*00*SA*PO1**20240101"]
    assert t1.errors[0].spec.ak5 == "2" and t1.errors[0].location.tag == "ST"


def test_missing_se_is_recovered_at_ge() -> None:
    res = parsers.parse(x12_doc([x12_txn().replace("SE*3*0001~\n", "")]))
    assert [e.code for e in res.transactions[0].errors] == ["EDI050"]
    assert res.interchanges[0].groups[0].errors == [] and res.interchanges[0].accepted


def test_missing_ge_and_iea() -> None:
    data = x12_doc().replace(b"GE*1*1~\n", b"")
    res = parsers.parse(data)
    assert by_code(res, "EDI039").spec.ak9 == "3" and res.transactions[0].accepted
    data = x12_doc().replace(b"IEA*1*000000001~\n", b"")
    res = parsers.parse(data)
    e = by_code(res, "EDI031")
    assert e.spec.ta1 == "023" and res.interchanges[0].end == len(data)


def test_truncated_input_closes_everything() -> None:
    data = x12_doc()
    res = parsers.parse(data[: data.index(b"SE*")])
    assert set(codes(res)) == {"EDI031", "EDI039", "EDI050", "EDI009"} or set(codes(res)) == {
        "EDI031",
        "EDI039",
        "EDI050",
    }
    assert len(res.transactions) == 1


def test_unterminated_last_segment_is_a_warning() -> None:
    res = parsers.parse(x12_doc().rstrip(b"~\n"))
    assert codes(res) == ["EDI009"] and res.valid


def test_duplicate_control_numbers_in_interchange() -> None:
    two = X12_HEAD + (
        "GS*PO*S*R*20240101*1200*5*X*005010~\n" + x12_txn("0001") + x12_txn("0001") + "GE*2*5~\n"
        "GS*PO*S*R*20240101*1200*5*X*005010~\n" + x12_txn("0001") + "GE*1*5~\nIEA*2*000000001~\n"
    )
    res = parsers.parse(two.encode())
    dup_t = by_code(res, "EDI055")
    assert dup_t.spec.ak5 == "23" and dup_t in res.transactions[1].errors
    dup_g = by_code(res, "EDI035")
    assert dup_g in res.interchanges[0].groups[1].errors and dup_g.location.element == 6
    assert res.transactions[2].accepted  # a new group restarts transaction numbering


def test_st_outside_gs() -> None:
    res = parsers.parse(x12(x12_txn() + "IEA*0*000000001~\n"))
    t = res.transactions[0]
    assert [e.code for e in t.errors] == ["EDI048"] and res.interchanges[0].groups[0].implicit
    assert t.errors[0].spec.ak5 == "18"


def test_data_segment_outside_transaction() -> None:
    body = (
        "GS*PO*S*R*20240101*1200*1*X*005010~\nREF*ZZ*1~\nN1*ST*X~\n"
        + x12_txn()
        + "GE*1*1~\nIEA*1*000000001~\n"
    )
    res = parsers.parse(x12(body))
    e = by_code(res, "EDI037")  # one error for the whole run
    assert e.location.tag == "REF" and e.location.segment == 3 and "2 segment" in e.message
    assert e in res.interchanges[0].groups[0].errors and res.transactions[0].accepted


def test_segment_between_isa_and_gs() -> None:
    res = parsers.parse(x12("REF*ZZ*1~\n" + x12_doc().decode().split("~\n", 1)[1]))
    assert by_code(res, "EDI036").location.tag == "REF"


def test_ta1_at_interchange_level_is_fine() -> None:
    res = parsers.parse(x12("TA1*000000050*200229*1200*A*000~\nIEA*0*000000001~\n"))
    assert res.valid and len(res.interchanges) == 1


def test_stray_trailers() -> None:
    res = parsers.parse(x12("GE*1*1~\nIEA*0*000000001~\n"))
    assert codes(res) == ["EDI036"]


def test_segment_after_iea() -> None:
    res = parsers.parse(x12_doc() + b"GE*1*1~\n")
    e = by_code(res, "EDI007")
    assert e in res.errors and e.rejects and not res.valid


@pytest.mark.parametrize(
    ("old", "new", "code", "element"),
    [
        (b"*240101*1200*", b"*241301*1200*", "EDI020", 9),
        (b"*240101*1200*", b"*240101*2460*", "EDI021", 10),
        (b"*0*P*:", b"*0*X*:", "EDI026", 15),
        (b"*0*P*:", b"*2*P*:", "EDI025", 14),
        (b"*00501*", b"*0050A*", "EDI023", 12),
        (b"*000000001*0*P", b"*00000000A*0*P", "EDI024", 13),
    ],
)
def test_isa_field_values(old: bytes, new: bytes, code: str, element: int) -> None:
    res = parsers.parse(x12_doc().replace(old, new, 1))
    e = by_code(res, code)
    assert e.location.tag == "ISA" and e.location.element == element and e.spec.ta1 is not None
    assert not res.valid and len(res.transactions) == 1  # the content is still read


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [
        (b"*20240101*1200*1*", b"*20241301*1200*1*", "EDI044"),
        (b"*20240101*1200*1*", b"*20240101*1299*1*", "EDI045"),
        (b"*20240101*1200*1*", b"*20240101*1200*A1*", "EDI043"),
        (b"*1*X*005010~", b"*1*X~", "EDI042"),
    ],
)
def test_gs_field_values(old: bytes, new: bytes, code: str) -> None:
    res = parsers.parse(x12_doc().replace(old, new))
    assert by_code(res, code) in res.interchanges[0].groups[0].errors


def test_st_identifier_and_control_number() -> None:
    res = parsers.parse(x12_doc([x12_txn("12")]).replace(b"ST*850*", b"ST*85*"))
    assert {"EDI053", "EDI054"} <= set(codes(res))


# -- EDIFACT envelope checks --------------------------------------------------------------------


def test_unz_count_and_reference() -> None:
    res = parsers.parse(edifact_doc(2).replace(b"UNZ+2+REF1", b"UNZ+3+REF2"))
    assert {e.code for e in res.interchanges[0].errors} == {"EDI032", "EDI033"}
    assert by_code(res, "EDI033").spec.contrl == "29" and by_code(res, "EDI032").spec.contrl == "28"


def test_unt_count_and_reference() -> None:
    res = parsers.parse(edifact_doc(2).replace(b"UNT+4+M2", b"UNT+5+M9"))
    t1, t2 = res.transactions
    assert t1.accepted and {e.code for e in t2.errors} == {"EDI051", "EDI052"}


def test_une_count_and_reference() -> None:
    res = parsers.parse(edifact_doc(2, groups=True).replace(b"UNE+2+G1", b"UNE+1+G2"))
    assert {e.code for e in res.interchanges[0].groups[0].errors} == {"EDI040", "EDI041"}


def test_missing_unt_and_unz() -> None:
    data = edifact_doc(2).replace(b"UNT+4+M1'\n", b"").replace(b"UNZ+2+REF1'\n", b"")
    res = parsers.parse(data)
    assert [e.code for e in res.transactions[0].errors] == ["EDI050"]
    assert "EDI031" in {e.code for e in res.interchanges[0].errors}


def test_mixed_groups_and_messages() -> None:
    data = edifact_doc(1, groups=True).replace(
        b"UNZ+1+REF1", b"UNH+X1+ORDERS:D:96A:UN'BGM+1'UNT+3+X1'UNZ+2+REF1"
    )
    res = parsers.parse(data)
    assert by_code(res, "EDI047").spec.contrl == "30"


def test_invalid_unb_date_and_unknown_syntax() -> None:
    res = parsers.parse(edifact_doc().replace(b"240101:1200", b"241301:2500"))
    assert [e.code for e in res.interchanges[0].errors] == ["EDI074", "EDI074"]
    res = parsers.parse(edifact_doc().replace(b"UNOC:3", b"ABCD:3"))
    assert by_code(res, "EDI072").spec.contrl == "2"
    res = parsers.parse(edifact_doc().replace(b"UNOC:3", b"UNOC:7"))
    assert by_code(res, "EDI073").location.component == 2


def test_unb_missing_elements() -> None:
    res = parsers.parse(b"UNB+UNOC:3+S'UNZ+0+'")
    assert "EDI071" in codes(res)


def test_release_characters_protect_delimiters() -> None:
    data = edifact_doc().replace(b"BGM+220+PO1+9", b"BGM+220+O?'NEIL?+SON??+9")
    res = parsers.parse(data)
    assert res.valid and res.transactions[0].segments[1] == "BGM+220+O?'NEIL?+SON??+9"
    assert parsers.split_segment(res.transactions[0].segments[1], res.interchanges[0].delimiters) == [
        "BGM", "220", "O'NEIL+SON?", "9",
    ]  # fmt: skip


def test_empty_edifact_interchange_warns() -> None:
    res = parsers.parse(b"UNB+UNOC:3+S+R+240101:1200+1'UNZ+0+1'")
    assert codes(res) == ["EDI075"] and res.valid


def test_unoa_with_non_ascii_warns_once() -> None:
    data = edifact_doc().replace(b"UNOC", b"UNOA").replace(b"PO1", "P\u00d6".encode())
    res = parsers.parse(data)
    assert codes(res) == ["EDI063"] and res.valid and "P\u00d6" in res.transactions[0].segments[1]


def test_latin1_text_in_unoc() -> None:
    res = parsers.parse(edifact_doc().replace(b"PO1", "M\u00fcller".encode("latin-1")))
    assert res.valid and "M\u00fcller" in res.transactions[0].segments[1]


def test_invalid_utf8_falls_back_to_latin1_with_warning() -> None:
    res = parsers.parse(x12_doc().replace(b"PO1", b"P\xd6"))
    assert codes(res) == ["EDI064"] and res.valid and "P\u00d6" in res.transactions[0].segments[1]


# -- segment syntax ------------------------------------------------------------------------------


def test_segment_syntax_errors_are_located_in_the_transaction() -> None:
    body = ("BEG*00*SA*PO1", "nm1*X", "N1*ST*A\x01B", "TOOLONG*1")
    res = parsers.parse(x12_doc([x12_txn(body=body)]))
    t = res.transactions[0]
    errs = {(e.code, e.location.ts_segment, e.location.segment) for e in t.errors}
    assert errs == {("EDI060", 3, 5), ("EDI062", 4, 6), ("EDI060", 5, 7)}
    ctrl = by_code(res, "EDI062")
    assert ctrl.location.element == 2 and ctrl.location.component == 1 and ctrl.spec.ak4 == "6"
    assert not t.accepted and by_code(res, "EDI062").spec.ak5 == "5"


def test_empty_segment_is_ignored_with_a_warning() -> None:
    res = parsers.parse(x12_doc([x12_txn().replace("BEG", "~\nBEG")]))
    assert codes(res) == ["EDI061"] and res.valid
    assert res.transactions[0].segments == ["ST*850*0001", "BEG*00*SA*PO1**20240101", "SE*3*0001"]


def test_binary_segment_payload_may_contain_terminators() -> None:
    payload = b"AB~CD\n*EF"
    txn = b"ST*275*0001~\nBIN*" + str(len(payload)).encode() + b"*" + payload + b"~\nSE*3*0001~\n"
    data = x12_doc([]).replace(b"GE*0*", b"GE*1*").replace(b"GE*", txn + b"GE*", 1)
    res = parsers.parse(data)
    assert res.valid, codes(res)
    assert res.transactions[0].segments[1] == "BIN*9*AB~CD\n*EF"


def test_binary_segment_with_bad_length() -> None:
    txn = b"ST*275*0001~\nBIN*5x*AB~\nSE*3*0001~\n"
    data = x12_doc([]).replace(b"GE*0*", b"GE*1*").replace(b"GE*", txn + b"GE*", 1)
    res = parsers.parse(data)
    assert by_code(res, "EDI065").location.element == 1


# -- input-level problems ------------------------------------------------------------------


def test_not_edi_and_empty() -> None:
    assert codes(parsers.parse(b"hello world, this is not EDI")) == ["EDI001"]
    assert codes(parsers.parse(b"")) == ["EDI002"]
    assert codes(parsers.parse(b" \r\n ")) == ["EDI002"]
    assert not parsers.parse(b"").valid


def test_several_interchanges_and_garbage_between() -> None:
    one, two = x12_doc(), x12_doc(isa_control="000000002")
    res = parsers.parse(one + two)
    assert res.valid and len(res.interchanges) == 2 and res.interchanges[1].index == 8
    res = parsers.parse(one + b"garbage here\n" + two)
    e = by_code(res, "EDI003")
    assert e.location.offset == len(one) and e in res.errors and len(res.interchanges) == 2


def test_concatenated_files_with_boms() -> None:
    bom = b"\xef\xbb\xbf"
    res = parsers.parse(bom + x12_doc() + bom + x12_doc(isa_control="000000002"))
    assert res.valid and len(res.interchanges) == 2 and codes(res) == []


def test_trailing_garbage_is_only_a_warning() -> None:
    res = parsers.parse(x12_doc() + b"\x1a\x00\n   ")
    assert codes(res) == [] and res.valid
    res = parsers.parse(x12_doc() + b"-- end of file --")
    assert codes(res) == ["EDI004"] and res.valid


def test_mixed_dialects_in_one_file() -> None:
    res = parsers.parse(x12_doc() + edifact_doc())
    assert [ic.standard for ic in res.interchanges] == [
        parsers.Standard.X12,
        parsers.Standard.EDIFACT,
    ]
    assert res.valid


def test_interchange_header_inside_interchange_ends_it() -> None:
    first = x12_doc().replace(b"IEA*1*000000001~\n", b"")
    res = parsers.parse(first + x12_doc(isa_control="000000002"))
    assert len(res.interchanges) == 2
    assert [e.code for e in res.interchanges[0].errors] == ["EDI031"] and res.interchanges[
        1
    ].accepted


def test_every_code_is_registered_with_a_level_and_acknowledgement() -> None:
    parser_codes = [c for c in CATALOGUE if c.startswith("EDI0")]
    assert len(parser_codes) >= 60
    for c in parser_codes:
        spec = CATALOGUE[c]
        if spec.rejects:
            assert spec.ta1 or spec.ak9 or spec.ak5 or spec.ak3 or spec.ak4 or spec.contrl or c in (
                "EDI001", "EDI002", "EDI003",
            ), c  # fmt: skip


# -- events and streaming ------------------------------------------------------------------


def test_event_order() -> None:
    data = x12_doc([x12_txn("0001"), x12_txn("0002")]) + b"junk"
    kinds = [type(e).__name__ for e in parsers.stream(io.BytesIO(data))]
    assert kinds == [
        "InterchangeStart", "GroupStart", "TransactionComplete", "TransactionComplete",
        "GroupEnd", "InterchangeEnd", "InputError",
    ]  # fmt: skip


def test_trailer_errors_arrive_with_the_end_events() -> None:
    data = x12_doc().replace(b"GE*1*1~", b"GE*3*1~").replace(b"IEA*1*000000001", b"IEA*1*000000009")
    evs = list(parsers.stream(io.BytesIO(data)))
    ge = next(e for e in evs if isinstance(e, GroupEnd))
    iea = next(e for e in evs if isinstance(e, InterchangeEnd))
    assert [e.code for e in ge.errors] == ["EDI041"] and [e.code for e in iea.errors] == ["EDI032"]
    start = next(e for e in evs if isinstance(e, InterchangeStart))
    assert (
        start.interchange is iea.interchange and start.interchange.groups == []
    )  # not accumulated
    assert all(
        isinstance(e, (InterchangeStart, GroupStart, TransactionComplete, GroupEnd, InterchangeEnd))
        for e in evs
    )
    assert not any(isinstance(e, InputError) for e in evs)


CASES = {
    "x12": x12_doc([x12_txn(f"{i:04d}") for i in range(1, 40)]),
    "x12-errors": x12_doc([x12_txn("0001"), x12_txn("0002").replace("SE*3*", "SE*4*")]).replace(
        b"GE*2*", b"GE*3*"
    )
    + b"junk\n"
    + x12_doc(isa_control="000000002"),
    "edifact": edifact_doc(30) + edifact_doc(2, groups=True),
    "edifact-release": edifact_doc(5).replace(b"PO1", b"A?'B?+C??"),
    "indented": x12_doc([x12_txn(f"{i:04d}") for i in range(1, 20)]).replace(
        b"~\nBEG", b"~\n    BEG"
    ),
    "binary": x12_doc([])
    .replace(b"GE*0*", b"GE*1*")
    .replace(b"GE*", b"ST*275*0001~\nBIN*20*12345678~\n90123456789~\nSE*3*0001~\nGE*", 1),
}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("chunk", [1, 7, 64, 333, 4096])
def test_stream_equals_parse_for_any_chunk_size(name: str, chunk: int) -> None:
    data = CASES[name]
    assert snapshot(stream_parse(data, chunk)) == snapshot(parsers.parse(data))


@pytest.mark.parametrize("name", sorted(CASES))
def test_slow_path_equals_fast_path(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from parsers import accel, tokenizer

    monkeypatch.setattr(accel, "CORE", None)  # the Python paths (test_core.py checks the core)
    fast = snapshot(parsers.parse(CASES[name]))
    monkeypatch.setattr(tokenizer, "_regular", lambda *a: False)
    assert snapshot(parsers.parse(CASES[name])) == fast


_RSS_SCRIPT = textwrap.dedent(
    """
    import sys, time
    import parsers
    from parsers.envelopes import TransactionComplete, InterchangeEnd
    t0 = time.perf_counter()
    n = ics = bad = 0
    with open(sys.argv[1], "rb") as fp:
        for ev in parsers.stream(fp):
            if isinstance(ev, TransactionComplete):
                n += 1
                bad += not ev.transaction.accepted
            elif isinstance(ev, InterchangeEnd):
                ics += 1
                bad += not ev.interchange.accepted
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over fork + exec, so a child of a
    # big pytest process would report the parent's size
    rss = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:")) // 1024
    print(n, ics, bad, rss, round(time.perf_counter() - t0, 2))
    """
)


def _write_big(path: Path, target: int, many: bool) -> tuple[int, int]:
    """Write a ~``target``-byte X12 file: one interchange of many sets, or many of 50 sets each."""
    body = (
        "".join(
            f"{s}~\n" for s in ("BEG*00*SA*PO1**20240101", "REF*DP*038", "N1*ST*ACME FOODS*92*0001")
        )
        * 4
    )
    txn_len = len(f"ST*850*000000001~\n{body}SE*14*000000001~\n")
    per_ic = 50 if many else -(-target // txn_len)
    n = ics = written = 0
    with path.open("wb") as f:
        while written < target:
            ics += 1
            ctl = f"{ics:09d}"
            head = X12_HEAD.replace("000000001", ctl) + "GS*PO*S*R*20240101*1200*1*X*005010~\n"
            f.write(head.encode())
            written += len(head)
            for lo in range(0, per_ic, 5000):
                chunk = "".join(
                    f"ST*850*{i:09d}~\n{body}SE*14*{i:09d}~\n"
                    for i in range(lo + 1, min(per_ic, lo + 5000) + 1)
                ).encode()
                f.write(chunk)
                written += len(chunk)
            tail = f"GE*{per_ic}*1~\nIEA*1*{ctl}~\n"
            f.write(tail.encode())
            written += len(tail)
            n += per_ic
    return n, ics


@pytest.mark.parametrize("many", [False, True], ids=["one-interchange", "many-interchanges"])
def test_stream_memory_is_bounded(tmp_path: Path, many: bool) -> None:
    path = tmp_path / "big.x12"
    n, ics = _write_big(path, 200 * 1024 * 1024, many)
    assert 200 * 1024 * 1024 <= path.stat().st_size < 201 * 1024 * 1024
    out = subprocess.run(
        [sys.executable, "-c", _RSS_SCRIPT, str(path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout.split()
    got_n, got_ics, bad, rss = int(out[0]), int(out[1]), int(out[2]), int(out[3])
    assert (got_n, got_ics, bad) == (n, ics, 0)
    assert rss < 256, f"peak RSS {rss} MB"
