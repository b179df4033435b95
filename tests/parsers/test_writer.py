"""The writer: element shapes, escaping, X12 collisions, fixed-width ISA, counted envelopes."""

from __future__ import annotations

import pytest

import parsers
from parsers.delimiters import ISA_SEPARATORS
from parsers.model import Delimiters, Party
from parsers.writer import (
    EDIFACT_DEFAULT,
    X12_DEFAULT,
    DelimiterInData,
    GroupOut,
    TransactionOut,
    edifact_interchange,
    escape,
    una,
    write_element,
    write_segment,
    write_segments,
    x12_interchange,
)

PO = TransactionOut(
    "850", "0001", [["BEG", "00", "SA", "PO1", "", "20240101"], ["PO1", "1", "5", ["EA", "X"]]]
)


def test_element_shapes() -> None:
    d = X12_DEFAULT
    assert write_element("A", d) == "A"
    assert write_element(["A", "", "C"], d) == "A::C"
    assert write_element([["A", "B"], ["C"]], d) == "A:B^C"
    with pytest.raises(ValueError):
        write_element([["A"], ["B"]], Delimiters("*", ":", "~"))


def test_trailing_empties_are_suppressed() -> None:
    assert write_segment(["NM1", "A", "", ["B", "", ""], "", ""], X12_DEFAULT) == "NM1*A**B"
    assert write_segment(["HL"], X12_DEFAULT) == "HL"
    with pytest.raises(ValueError):
        write_segment(["", "A"], X12_DEFAULT)


def test_edifact_release_escaping() -> None:
    d = EDIFACT_DEFAULT
    assert escape("O'NEIL+SON: 50% ?", d) == "O?'NEIL?+SON?: 50% ??"
    seg = ["FTX", "AAI", "", "", ["It's", "a+b"]]
    text = write_segment(seg, d)
    assert text == "FTX+AAI+++It?'s:a?+b"
    assert parsers.split_segment(text, d) == seg


def test_x12_data_with_a_delimiter_is_refused_with_a_code() -> None:
    with pytest.raises(DelimiterInData) as exc:
        write_segment(["N1", "ST", "A*B"], X12_DEFAULT)
    assert exc.value.error.code == "EDI062"
    with pytest.raises(DelimiterInData):
        escape("x~y", X12_DEFAULT)
    assert escape("x-y", X12_DEFAULT) == "x-y"


def test_write_segments_with_line_breaks() -> None:
    out = write_segments([["ST", "850", "1"], ["SE", "2", "1"]], X12_DEFAULT, line_break="\r\n")
    assert out == b"ST*850*1~\r\nSE*2*1~\r\n"


def _x12(**kw: object) -> bytes:
    """An X12 interchange from the writer with test defaults overridden by ``kw``."""
    args: dict[str, object] = {
        "sender": Party("ZZ", "ACME"),
        "receiver": Party("01", "123456789"),
        "control": 905,
        "groups": [
            GroupOut(
                "PO", "ACME", "PARTNER", "17", ("005010",), [PO, TransactionOut("850", "0002", [])]
            )
        ],
        "date": "240101",
        "time": "1200",
        "line_break": "\n",
    }
    args.update(kw)
    return x12_interchange(**args)  # type: ignore[arg-type]


def test_x12_envelope_is_counted_and_fixed_width() -> None:
    data = _x12()
    isa = data[: data.index(b"~") + 1]
    assert len(isa) == 106 and all(isa[i : i + 1] == b"*" for i in ISA_SEPARATORS)
    assert isa.startswith(
        b"ISA*00*          *00*          *ZZ*ACME           *01*123456789      *240101*1200*^*00501*000000905*0*P*:~"
    )
    res = parsers.parse(data)
    assert res.valid, [e.line("x") for e in res.all_errors()]
    t1, t2 = res.transactions
    assert t1.segments == ["ST*850*0001", "BEG*00*SA*PO1**20240101", "PO1*1*5*EA:X", "SE*4*0001"]
    assert t2.segments == ["ST*850*0002", "SE*2*0002"]
    assert data.rstrip().endswith(b"GE*2*17~\nIEA*1*000000905~")


def test_x12_options() -> None:
    data = _x12(
        test=True,
        ack_requested=True,
        version="00401",
        delimiters=Delimiters("|", ">", "\n"),
        line_break="",
    )
    res = parsers.parse(data)
    ic = res.interchanges[0]
    assert (
        res.valid
        and ic.test
        and ic.ack_requested
        and ic.version == "00401"
        and ic.delimiters.segment == "\n"
    )
    assert ic.header[11] == "U"


def test_x12_refuses_impossible_envelopes() -> None:
    with pytest.raises(ValueError):
        _x12(control="1234567890")
    with pytest.raises(ValueError):
        _x12(sender=Party("ZZ", "A" * 16))
    with pytest.raises(ValueError):
        _x12(delimiters=Delimiters("*", "*", "~", "^"))
    with pytest.raises(ValueError):
        _x12(delimiters=Delimiters("*", ":", "~"))  # 00501 needs a repetition separator
    with pytest.raises(DelimiterInData):
        _x12(sender=Party("ZZ", "A*B"))


def test_x12_interchange_level_segments() -> None:
    data = _x12(
        groups=[], interchange_segments=[["TA1", "000000050", "240101", "1200", "A", "000"]]
    )
    res = parsers.parse(data)
    assert res.valid and data.count(b"\n") == 3 and b"IEA*0*" in data


def test_edifact_envelope_with_messages() -> None:
    msg = TransactionOut(
        "ORDERS", "1", [["BGM", "220", "PO?1"], ["NAD", "BY", ["123", "", "9"]]], ("D", "96A", "UN")
    )
    data = edifact_interchange(
        sender=Party("14", "SENDER"), receiver=Party("", "RCV"), control="REF1", messages=[msg, msg],
        date="240101", time="1200", test=True, ack_requested=True,
    )  # fmt: skip
    assert data.startswith(b"UNA:+.? 'UNB+UNOC:3+SENDER:14+RCV+240101:1200+REF1++++1++1'")
    res = parsers.parse(data)
    assert not res.valid and {e.code for e in res.all_errors()} == {"EDI055"}  # same UNH01 twice
    t = res.transactions[0]
    assert t.segments[1] == "BGM+220+PO??1" and t.version == "D96A"
    ic = res.interchanges[0]
    assert (
        ic.test
        and ic.ack_requested
        and ic.sender.key() == "14:SENDER"
        and ic.receiver.key() == ":RCV"
    )


def test_edifact_envelope_with_groups_and_custom_delimiters() -> None:
    d = Delimiters(
        element="*", component="=", segment="~", repetition="!", release="\\", decimal=","
    )
    g = GroupOut(
        "ORDERS",
        "S",
        "R",
        "G7",
        ("D", "96A"),
        [TransactionOut("ORDERS", "M1", [["BGM", "A*B~C"]], ("D", "96A", "UN"))],
    )
    data = edifact_interchange(
        sender=Party("", "S"), receiver=Party("", "R"), control="9", groups=[g], delimiters=d, syntax="UNOY",
        syntax_version="4", line_break="\n",
    )  # fmt: skip
    assert data.startswith(b"UNA=*,\\!~\n")
    res = parsers.parse(data)
    assert res.valid, [e.line("x") for e in res.all_errors()]
    assert res.interchanges[0].groups[0].control == "G7" and res.interchanges[0].delimiters == d
    assert parsers.split_segment(res.transactions[0].segments[1], d) == ["BGM", "A*B~C"]


def test_edifact_refuses_mixing_and_unknown_syntax() -> None:
    with pytest.raises(ValueError):
        edifact_interchange(
            sender=Party("", "S"),
            receiver=Party("", "R"),
            control="1",
            messages=[PO],
            groups=[GroupOut("A", "S", "R", "1", ())],
        )
    with pytest.raises(ValueError):
        edifact_interchange(
            sender=Party("", "S"), receiver=Party("", "R"), control="1", syntax="ABCD"
        )


def test_una_string() -> None:
    assert una(EDIFACT_DEFAULT) == "UNA:+.? '"
    assert una(Delimiters("+", ":", "'", "*", None)) == "UNA:+. *'"
