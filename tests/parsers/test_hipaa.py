"""HIPAA implementation-guide validation with pyx12, against pyx12's own test corpus.

The bad/pyx12 files are rejected and the good ones accepted; with the findings
attached, our 997 matches the 997 pyx12's tests expect (``*.997.base``) except where
the differences below are explained.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

import pytest

import parsers
from parsers import writer
from parsers.acks import ControlNumbers, acknowledge, build_997
from parsers.errors import CATALOGUE, Level
from parsers.hipaa import IG_CODES, PYX12_CODES, attach_hipaa_errors, validate_hipaa
from parsers.model import Interchange

CORPUS = Path("/work/shared/corpus")
PYX12 = CORPUS / "x12/pyx12/test/files"
PYX12_BAD = CORPUS / "bad/pyx12/test/files"

# What validate_hipaa finds in each bad/pyx12 file (codes, and how many findings).
BAD = {
    "bad_2010AA_bug": ({"EDI083"}, 1),  # loop 2010AA (billing provider) missing
    "bad_elements": ({"EDI052", "EDI086", "EDI088", "EDI089"}, 9),  # codes, lengths, a date
    "bad_header_looping": ({"EDI052", "EDI081", "EDI089"}, 6),  # N1/N3/N4 out of their loop
    "blank1": ({"EDI083", "EDI088"}, 4),  # blank SV202/SVD03 composites
    "ele": ({"EDI051"}, 1),  # envelope only: ST02 with a trailing space
    "explicit_missing": ({"EDI083"}, 3),  # ST with nothing after it
    "fail_no_IEA": ({"EDI052", "EDI083"}, 3),
    "loop_counting": ({"EDI084"}, 4),  # 2400 LX loop over 50 repeats
    "mult_isa": ({"EDI083"}, 18),  # stub transactions
    "mult_trn": ({"EDI083"}, 8),
    "per_repeat": ({"EDI085"}, 1),  # PER over its maximum use
    "simple1": ({"EDI083"}, 2),
    "trailer_errors": ({"EDI040", "EDI052"}, 2),  # envelope only
    "trailing_terms": ({"EDI083", "EDI087"}, 2),  # CLM with trailing separators
}

GOOD = [
    PYX12 / "834_lui_id.txt",
    PYX12 / "835_simple.txt",
    PYX12 / "ordinal.txt",
    PYX12 / "repeat_init_seg.txt",
    PYX12 / "simple_837p.txt",
    PYX12 / "820.loops.txt",
    CORPUS / "x12/pyx12/pyx12/tests/834_ls_le_ls.txt",
    CORPUS / "x12/pyx12/pyx12/tests/834_deident_family.txt",
    CORPUS / "x12/linuxforhealth-x12/demo-file/demo.834",
    CORPUS / "x12/linuxforhealth-x12/src/tests/resources/834_005010X220A1/add-dependent.834",
]


def test_codes_are_registered_with_ack_codes() -> None:
    assert {c for c in CATALOGUE if c.startswith("EDI08")} == set(IG_CODES)
    assert not CATALOGUE["EDI080"].rejects
    for code in sorted(IG_CODES - {"EDI080"}):
        spec = CATALOGUE[code]
        assert spec.rejects and spec.ak5 == "5" and spec.ak3, code
        if spec.level is Level.ELEMENT:
            assert spec.ak3 == "8" and spec.ak4, code
    for (level, pyx12_code), ours in PYX12_CODES.items():
        spec = CATALOGUE[ours]
        if level == "seg" and pyx12_code.isdigit() and pyx12_code != "8":
            assert spec.ak3 == pyx12_code or (pyx12_code, ours) == ("5", "EDI085"), (
                level,
                pyx12_code,
            )
        if level == "ele" and pyx12_code in ("1", "3", "5", "6", "7", "8", "10"):
            assert spec.ak4 == pyx12_code, (level, pyx12_code)


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_pyx12_files_are_rejected(name: str) -> None:
    codes, count = BAD[name]
    result = validate_hipaa((PYX12_BAD / f"{name}.txt").read_bytes())
    assert result.validated and not result.ok
    assert {e.code for e in result.errors} == codes
    assert len(result.errors) == count == len(result.issues)
    assert all("[pyx12 " in e.message for e in result.errors)


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.name)
def test_good_files_are_accepted(path: Path) -> None:
    result = validate_hipaa(path.read_bytes())
    assert result.ok and result.validated and result.errors == ()
    assert result.guides


def test_locations_point_at_the_segment_and_element() -> None:
    data = (PYX12_BAD / "bad_elements.txt").read_bytes()
    result = validate_hipaa(data)
    (date,) = [i for i in result.issues if i.error.code == "EDI089"]
    loc = date.error.location
    assert (loc.tag, loc.element, loc.ts_segment, loc.segment) == ("DMG", 2, 18, 20)
    assert (date.source, date.pyx12_code, date.value) == ("ele", "8", "19461301")
    assert (date.interchange, date.group, date.transaction) == ("000000288", "56", "000000001")
    tx = parsers.parse(data).transactions[0]
    assert tx.segments[18 - 1].startswith("DMG*D8*19461301")
    clm = next(i for i in result.issues if i.error.location.tag == "CLM")
    assert (clm.error.location.element, clm.error.location.component) == (5, 1)


def _attached(path: Path) -> list[Interchange]:
    data = path.read_bytes()
    result = validate_hipaa(data)
    ics = parsers.parse(data).interchanges
    for ic in ics:
        attach_hipaa_errors(ic, result)
    return ics


def _ours(ics: list[Interchange], *, drop_ak402: bool = False) -> list[list[str]]:
    out = []
    for ic in ics:
        for g in ic.groups:
            s = build_997(ic, g)[1:-1]
            if drop_ak402:
                s = [[*x[:2], "", *x[3:]] if x[0] == "AK4" else x for x in s]
            out.append([writer.write_segment(x, ic.delimiters) for x in s])
    return out


def _theirs(name: str, *, drop_ak402: bool = False) -> list[list[str]]:
    out = []
    for ic in parsers.parse((PYX12 / f"{name}.997.base").read_bytes()).interchanges:
        for t in ic.transactions:
            s = [x for x in t.segments if x[:3] in ("AK1", "AK2", "AK3", "AK4", "AK5", "AK9")]
            if drop_ak402:
                split = [x.split("*") for x in s]
                s = ["*".join([*x[:2], "", *x[3:]] if x[0] == "AK4" else x) for x in split]
            out.append(s)
    return out


@pytest.mark.parametrize(
    "name", ["bad_2010AA_bug", "fail_no_IEA", "loop_counting", "per_repeat", "simple1"]
)
def test_envelope_plus_hipaa_997_equals_pyx12(name: str) -> None:
    assert _ours(_attached(PYX12_BAD / f"{name}.txt")) == _theirs(name)


@pytest.mark.parametrize("name", ["bad_elements", "bad_header_looping", "blank1", "trailing_terms"])
def test_element_errors_equal_pyx12_but_for_ak402(name: str) -> None:
    """AK402 (data element reference number) needs a data dictionary; we leave it empty."""
    ics = _attached(PYX12_BAD / f"{name}.txt")
    assert _ours(ics, drop_ak402=True) == _theirs(name, drop_ak402=True)
    assert _ours(ics) != _theirs(name)


@pytest.mark.parametrize("name", ["mult_isa", "mult_trn"])
def test_repeated_ak3_collapsed(name: str) -> None:
    """pyx12 writes AK3*NM1*2**3 twice (loops 1000A and 1000B both missing at one position)."""
    ours = _ours(_attached(PYX12_BAD / f"{name}.txt"))
    theirs = [
        [x for k, x in enumerate(t) if not (x.startswith("AK3") and k and t[k - 1] == x)]
        for t in _theirs(name)
    ]
    assert ours == theirs


def test_explicit_missing_differences() -> None:
    """pyx12 writes no AK3 for a set it never closed, and counts 0 sets received."""
    ours = _ours(_attached(PYX12_BAD / "explicit_missing.txt"))
    assert _theirs("explicit_missing") == [
        ["AK1*HC*17", "AK2*837*11280001", "AK5*R*2", "AK9*R*0*0*0*3"]
    ]
    # the SE it reports missing is left to the parser's EDI050 (AK5 2), not repeated as AK3
    assert ours == [
        [
            "AK1*HC*17",
            "AK2*837*11280001",
            "AK3*BHT*1**3",
            "AK3*HL*1**3",
            "AK5*R*2*5",
            "AK9*R*1*1*0*3",
        ]
    ]


def test_attach_sends_ig_errors_to_their_transactions() -> None:
    data = (PYX12_BAD / "blank1.txt").read_bytes()
    result = validate_hipaa(data)
    ic = parsers.parse(data).interchanges[0]
    assert attach_hipaa_errors(ic, result) == 4
    assert [e.code for e in ic.transactions[0].errors] == ["EDI088", "EDI083", "EDI088", "EDI083"]
    assert ic.errors == [] and ic.groups[0].errors == []
    (ack,) = acknowledge(ic, ["999"], controls=ControlNumbers(1), now=datetime(2025, 1, 1))
    text = ack.data.decode()
    assert "IK3*SV2*57**8~CTX*CLM01:12522228~IK4*2:1**7*  ~IK4*2:2**1~" in text
    assert parsers.parse(ack.data).valid
    # envelope findings are not attached twice
    ic = parsers.parse((PYX12_BAD / "trailer_errors.txt").read_bytes()).interchanges[0]
    assert (
        attach_hipaa_errors(ic, validate_hipaa((PYX12_BAD / "trailer_errors.txt").read_bytes()))
        == 0
    )


def test_pyx12_own_acknowledgement_is_kept() -> None:
    r = validate_hipaa((CORPUS / "x12/pyx12/pyx12/tests/834_ls_le_ls.txt").read_bytes())
    ack = parsers.parse(r.ack)
    assert ack.valid
    (t,) = ack.transactions
    expected = parsers.parse(
        (CORPUS / "x12/pyx12/pyx12/tests/834_ls_le_ls_5010.999.txt").read_bytes()
    ).transactions[0]
    assert t.type == "999" and t.segments[1:-1] == expected.segments[1:-1]  # AK1, AK2, IK5, AK9
    r = validate_hipaa((PYX12_BAD / "per_repeat.txt").read_bytes())
    (t,) = parsers.parse(r.ack).transactions
    assert t.type == "997" and "AK3*PER*7**5" in t.segments


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"", "empty"),
        (b"hello world", "not EDI"),
        (b"ISA*00*short~", "truncated ISA"),
        ((CORPUS / "edifact/pydifact/tests/data/order.edi").read_bytes(), "EDIFACT"),
        (
            (CORPUS / "x12/linuxforhealth-x12/demo-file/demo.837").read_bytes(),
            "no map for 005010X222A2",
        ),
        (
            (
                CORPUS
                / "bad/imsweb-x12-parser/src/test/resources/837_5010/x12_missing_first_gs.txt"
            ).read_bytes(),
            "ST without GS",
        ),
        (
            (CORPUS / "x12/staedi/src/test/resources/x12/simple810.edi").read_bytes(),
            "not a HIPAA guide",
        ),
    ],
)
def test_what_cannot_be_validated_is_a_warning_never_an_exception(data: bytes, why: str) -> None:
    result = validate_hipaa(data)
    assert not result.ok and not result.validated, why
    assert result.errors and {e.code for e in result.errors} <= {
        "EDI080",
        *IG_CODES,
        "EDI052",
        "EDI039",
    }
    assert any(e.code == "EDI080" and not e.rejects for e in result.errors)


def test_pyx12_is_quiet(
    caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    validate_hipaa((PYX12_BAD / "bad_elements.txt").read_bytes())
    validate_hipaa(
        (CORPUS / "x12/linuxforhealth-x12/demo-file/demo.835").read_bytes()
    )  # pyx12's 999 writer fails
    assert not [r for r in caplog.records if r.name.startswith("pyx12")]
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""


def test_cached_maps_give_the_same_answers() -> None:
    a = validate_hipaa((PYX12_BAD / "bad_elements.txt").read_bytes())
    validate_hipaa((PYX12_BAD / "blank1.txt").read_bytes())
    validate_hipaa(GOOD[0].read_bytes())
    b = validate_hipaa((PYX12_BAD / "bad_elements.txt").read_bytes())
    assert a.errors == b.errors
