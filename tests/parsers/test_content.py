"""Content validation from the dictionary (parsers.content) on the real corpus and on mutations.

The bad files whose faults lie below the envelope (``BELOW_ENVELOPE`` in
test_corpus.py) must be found with the codes pyx12's expected 997s (or the
StAEDI tests) name; every good file must give no finding, except those in
``GOOD_EXCEPTIONS``: sample files that really break their implementation guide
(the pyx12 map is the contract for HIPAA types) or that a neighbouring
version's dictionary reads; each exception states why, and asserts the codes.
"""

from __future__ import annotations

import pytest

import parsers
from parsers.content import NEAREST_CODES, check_segment, validate_transaction
from parsers.data import data_for_transaction
from parsers.dictionary import lookup
from parsers.documents import build_documents
from parsers.errors import CATALOGUE
from tests.parsers.conftest import CorpusFile, manifest
from tests.parsers.test_corpus import BELOW_ENVELOPE

FILES = manifest()
GOOD = [f for f in FILES if not f.path.startswith("bad/")]
BY_PATH = {f.path: f for f in FILES}

_IMS_HI = "imsweb 837 template: HI written with element separators (HI*BK*8901*BF*87200), envelope already TRULY_INVALID"
_GT = "composites written with '>' while ISA16 declares ':' (CLM05 22>B>1, HI01 BK>36616), so their components are not split"

GOOD_EXCEPTIONS: dict[str, tuple[set[str], str]] = {
    "x12/pyx12/pyx12/examples/example834_5010.txt": (
        {"EDI098", "EDI099"},
        "INS06-01 is 'C   ' (blank padded) where the X220A1 map allows one character",
    ),
    "edifact/staedi/src/test/resources/EDIFACT/orders-with-group.edi": (
        {"EDI098"},
        "UNH02-05 association code 'EAN008B' is longer than an..6 (envelope already TRULY_INVALID)",
    ),
    "x12/staedi/src/test/resources/x12/invoice810_po850_dual.edi": (
        {"EDI098"},
        "the 003010 850 has a 6-digit BEG05 date; read with 004010, which has CCYYMMDD",
    ),
    "x12/staedi/src/test/resources/x12/issue229/837-header-ref-only.edi": (
        {"EDI090", "EDI091", "EDI099"},
        "StAEDI issue-229 fixture: an 837 header only (no 2000A loop), BHT01 'DATA'",
    ),
    "x12/imsweb-x12-parser/src/test/resources/277_5010/x12_277CA_accepted.txt": (
        {"EDI091"},
        "the X214 map requires STC in loop 2200C; the samples leave it out",
    ),
    "x12/imsweb-x12-parser/src/test/resources/277_5010/x12_277CA_rejected.txt": (
        {"EDI091"},
        "the X214 map requires STC in loop 2200C; the samples leave it out",
    ),
    "x12/imsweb-x12-parser/src/test/resources/837_5010/x12_complex.txt": (
        {"EDI091", "EDI094", "EDI095", "EDI098", "EDI099"},
        _IMS_HI + "; also FRM answers and a 2330C REF the X222A1 map requires are missing",
    ),
    "x12/imsweb-x12-parser/src/test/resources/837_5010/x12_many_claims.txt": (
        {"EDI094", "EDI098", "EDI099"},
        _IMS_HI,
    ),
    "x12/imsweb-x12-parser/src/test/resources/837_5010/x12_multiple_gs.txt": (
        {"EDI094", "EDI098", "EDI099"},
        _IMS_HI,
    ),
    "x12/imsweb-x12-parser/src/test/resources/837_5010/x12_multiple_isa.txt": (
        {"EDI094", "EDI098", "EDI099"},
        _IMS_HI,
    ),
    "x12/imsweb-x12-parser/src/test/resources/837_5010/x12_multiple_st.txt": (
        {"EDI094", "EDI098", "EDI099"},
        _IMS_HI,
    ),
    "x12/imsweb-x12-parser/src/test/resources/837_5010/x12_multiple_transactions.txt": (
        {"EDI094", "EDI098", "EDI099"},
        _IMS_HI,
    ),
    "x12/imsweb-x12-parser/src/test/resources/837_5010/x12_no_errors.txt": (
        {"EDI094", "EDI098", "EDI099"},
        _IMS_HI,
    ),
    "x12/imsweb-x12-parser/src/test/resources/837_5010/x12_valid.txt": (
        {"EDI094", "EDI098", "EDI099"},
        _IMS_HI,
    ),
    "x12/imsweb-x12-parser/src/test/resources/837_5010/x12_valid_different_separators.txt": (
        {"EDI094", "EDI098", "EDI099"},
        _IMS_HI,
    ),
    "x12/imsweb-x12-parser/src/test/resources/837_5010/x223-test.txt": (
        {"EDI091", "EDI093", "EDI099"},
        "837I test data: CLM05-02 'B' and DTP02 'D8' where the X223A2 map lists other codes; two HI where one is allowed",
    ),
    "x12/imsweb-x12-parser/src/test/resources/813_4010/x12_813.txt": (
        {"EDI087", "EDI094", "EDI095", "EDI098", "EDI099"},
        "template data: TIA syntax note R0304052122 and BTI02 not met (envelope already TRULY_INVALID)",
    ),
    "x12/imsweb-x12-parser/src/test/resources/837_5010/x12_999_accepted_ta1.txt": (
        {"EDI098"},
        "AK202 '286' is shorter than ST02's minimum length 4",
    ),
    "x12/linuxforhealth-x12/demo-file/demo.835": (
        {"EDI091"},
        "payer PER missing in loop 1000A (required by the X221A1 map)",
    ),
    "x12/linuxforhealth-x12/src/tests/resources/277_005010X212/provider-level-status.277": (
        {"EDI099"},
        "STC01-03 '85' is not in the X212 map's list",
    ),
    "x12/linuxforhealth-x12/src/tests/resources/834_005010X220A1/enroll-employee-managed-care.834": (
        {"EDI099"},
        "DTP01 '358' is not in the X220A1 map's list for that DTP",
    ),
    "x12/linuxforhealth-x12/src/tests/resources/835_005010X221A1/cob-contractural-adjustment.835": (
        {"EDI091", "EDI094", "EDI098", "EDI099"},
        "payer PER missing in loop 1000A, BPR16 missing or not a date, SVC01 written with '>' composites (ISA16 is ':')",
    ),
    "x12/linuxforhealth-x12/src/tests/resources/835_005010X221A1/managed-care.835": (
        {"EDI089", "EDI091"},
        "payer PER missing in loop 1000A, BPR16 missing or not a date, SVC01 written with '>' composites (ISA16 is ':')",
    ),
    "x12/linuxforhealth-x12/src/tests/resources/835_005010X221A1/secondary-payment.835": (
        {"EDI091", "EDI094", "EDI098", "EDI099"},
        "payer PER missing in loop 1000A, BPR16 missing or not a date, SVC01 written with '>' composites (ISA16 is ':')",
    ),
    "x12/linuxforhealth-x12/src/tests/resources/835_005010X221A1/tertiary-payment.835": (
        {"EDI091", "EDI094", "EDI098", "EDI099"},
        "payer PER missing in loop 1000A, BPR16 missing or not a date, SVC01 written with '>' composites (ISA16 is ':')",
    ),
    "x12/linuxforhealth-x12/src/tests/resources/837_004010X096A1/automobile-accident.837": (
        {"EDI093", "EDI094", "EDI099"},
        "REF*87 says 004010X096 where the X096A1 map expects 004010X096A1; CLM06 and CLM18 left empty",
    ),
    "x12/linuxforhealth-x12/src/tests/resources/837_004010X096A1/homeowners.837": (
        {"EDI094", "EDI099"},
        "REF*87 says 004010X096 where the X096A1 map expects 004010X096A1; CLM06 and CLM18 left empty",
    ),
    "x12/linuxforhealth-x12/src/tests/resources/837_004010X096A1/institutional-ppo-repriced.837": (
        {"EDI094", "EDI099"},
        "REF*87 says 004010X096 where the X096A1 map expects 004010X096A1; CLM06 and CLM18 left empty",
    ),
    "x12/linuxforhealth-x12/src/tests/resources/837_004010X096A1/institutional.837": (
        {"EDI094", "EDI099"},
        "REF*87 says 004010X096 where the X096A1 map expects 004010X096A1; CLM06 and CLM18 left empty",
    ),
    "x12/linuxforhealth-x12/src/tests/resources/837_004010X096A1/workers-compensation.837": (
        {"EDI094", "EDI099"},
        "REF*87 says 004010X096 where the X096A1 map expects 004010X096A1; CLM06 and CLM18 left empty",
    ),
    "x12/linuxforhealth-x12/src/tests/resources/837_004010X098A1/coordination-of-benefits.837": (
        {"EDI099"},
        "REF*87 says 004010X098 where the X098A1 map expects 004010X098A1",
    ),
    "x12/linuxforhealth-x12/src/tests/resources/837_004010X098A1/dependent-commercial-insurance-01.837": (
        {"EDI098", "EDI099"},
        "REF*87 says 004010X098 where the X098A1 map expects 004010X098A1",
    ),
    "x12/linuxforhealth-x12/src/tests/resources/837_004010X098A1/dependent-commercial-insurance-02.837": (
        {"EDI099"},
        "REF*87 says 004010X098 where the X098A1 map expects 004010X098A1",
    ),
    "x12/linuxforhealth-x12/src/tests/resources/837_004010X098A1/dependent-commercial-insurance-03.837": (
        {"EDI099"},
        "REF*87 says 004010X098 where the X098A1 map expects 004010X098A1",
    ),
    "x12/linuxforhealth-x12/src/tests/resources/837_004010X098A1/patient-is-dependent.837": (
        {"EDI099"},
        "REF*87 says 004010X098 where the X098A1 map expects 004010X098A1",
    ),
    "x12/linuxforhealth-x12/src/tests/resources/837_004010X098A1/patient-is-subscriber.837": (
        {"EDI099"},
        "REF*87 says 004010X098 where the X098A1 map expects 004010X098A1",
    ),
    "x12/linuxforhealth-x12/src/tests/resources/837_005010X222A2/demo.cob.2ndary.example4.837": (
        {"EDI098"},
        _GT,
    ),
    "x12/linuxforhealth-x12/src/tests/resources/837_005010X222A2/demo.example11.837": (
        {"EDI087", "EDI098"},
        _GT,
    ),
    "x12/linuxforhealth-x12/src/tests/resources/837_005010X222A2/demo.example12.837": (
        {"EDI098"},
        _GT,
    ),
    "x12/linuxforhealth-x12/src/tests/resources/837_005010X222A2/demo.example9.837": (
        {"EDI087", "EDI098"},
        _GT,
    ),
    "x12/linuxforhealth-x12/src/tests/resources/837_005010X223A3/out-of-network-repriced-claim.837i": (
        {"EDI098"},
        _GT,
    ),
    "x12/linuxforhealth-x12/src/tests/resources/837_005010X223A3/ppo-repriced-claim.837i": (
        {"EDI098"},
        _GT,
    ),
    "x12/linuxforhealth-x12/src/tests/resources/834_005010X220A1/X307-enroll-individuals-in-qualified-health-plan-through-health-insurance-exchange.edi": (
        {"EDI091"},
        "the exchange sample has no 1000A/1000B (sponsor, payer) loops, which X220A1 requires",
    ),
    "x12/linuxforhealth-x12/src/tests/resources/837_004010X096A1/two-claims-same-provider.837": (
        {"EDI089", "EDI091", "EDI094", "EDI099"},
        "REF*87 says 004010X096 (map: 004010X096A1), CLM06/CLM18 empty, CLM07 'Y'; envelope already TRULY_INVALID",
    ),
    "edifact/pydifact/tests/data/patient1.edi": (
        {"EDI098"},
        "FTX/BGM values longer than D21A allows (envelope already TRULY_INVALID)",
    ),
    "edifact/pydifact/tests/data/patient2.edi": (
        {"EDI098"},
        "FTX/BGM values longer than D21A allows (envelope already TRULY_INVALID)",
    ),
    "edifact/pydifact/tests/data/patient3.edi": (
        {"EDI098"},
        "FTX/BGM values longer than D21A allows (envelope already TRULY_INVALID)",
    ),
}

# Bad file -> codes that must be among its findings (what the source's expected ack says).
_PYX = "bad/pyx12/test/files/"
BAD_EXPECT: dict[str, set[str]] = {
    _PYX + "bad_2010AA_bug.txt": {"EDI091"},  # 997 AK3*NM1*8**3: mandatory segment missing
    _PYX + "blank1.txt": {"EDI099", "EDI094"},  # AK4 235 code 7, AK4 234 code 1
    _PYX + "loop_counting.txt": {"EDI092"},  # AK3*LX*385**4: loop over maximum
    _PYX + "mult_isa.txt": {"EDI091"},  # AK3 HL/REF/NM1/BPR code 3
    _PYX + "mult_trn.txt": {"EDI091"},  # AK3 HL/REF/NM1/BPR code 3
    _PYX + "per_repeat.txt": {"EDI093"},  # AK3*PER*7**5: segment over maximum use
    _PYX + "simple1.txt": {"EDI091"},  # AK3*BHT*1**3, AK3*HL*1**3
    _PYX + "trailing_terms.txt": {"EDI094"},  # AK4*18*1073*1: CLM18 missing
    # StAEDI: NAD+BYZZ (too long), PRI $1.179 (not numeric); QTY 1020A passes because
    # D21A made 6060 an..35 (it is n..15 in D97B), a difference of the older directory.
    "bad/staedi/src/test/resources/EDIFACT/invoic_d97b_bad.edi": {"EDI098", "EDI087"},
    "bad/staedi/src/test/resources/x12/extraDelimiter997.edi": {"EDI087", "EDI098"},
    "bad/staedi/src/test/resources/x12/invalid997.edi": {"EDI087", "EDI098"},
}


def _findings(f: CorpusFile) -> set[str]:
    """The content finding codes of every transaction of a corpus file.

    Also checks that the document builder's entry point reports the same findings.
    """
    codes: set[str] = set()
    for ic in parsers.parse(f.read()).interchanges:
        for d in build_documents(ic, partner=None, source={}, only_accepted=False):
            errs = validate_transaction(d["standard"], d["version"], d["type"], d["segments"])
            _, _, same = data_for_transaction(d["standard"], d["version"], d["type"], d["segments"])
            assert same == errs
            codes |= {e.code for e in errs}
    return codes


def _id(f: CorpusFile) -> str:
    """A short test id."""
    return f.path.split("/", 1)[1]


def test_every_below_envelope_file_is_now_checked() -> None:
    assert set(BAD_EXPECT) == set(BELOW_ENVELOPE)
    assert set(GOOD_EXCEPTIONS) <= {f.path for f in GOOD}


@pytest.mark.parametrize("path", sorted(BAD_EXPECT))
def test_below_envelope_bad_files_are_caught(path: str) -> None:
    got = _findings(BY_PATH[path])
    assert BAD_EXPECT[path] <= got, got


@pytest.mark.parametrize("f", GOOD, ids=_id)
def test_good_files_pass_or_are_documented(f: CorpusFile) -> None:
    expected, reason = GOOD_EXCEPTIONS.get(f.path, (set(), ""))
    assert _findings(f) == expected, reason


def test_new_codes_map_to_every_acknowledgement() -> None:
    for n in range(90, 100):
        spec = CATALOGUE[f"EDI0{n}"]
        assert spec.rejects and spec.ak5 == "5" and spec.contrl, spec.code
        assert spec.ak3 is not None, spec.code
    assert {
        CATALOGUE[c].ak4 for c in ("EDI094", "EDI095", "EDI096", "EDI097", "EDI098", "EDI099")
    } == {
        "1",
        "2",
        "10",
        "3",
        "5",
        "7",
    }


def _po_segments() -> list[list[object]]:
    """The 850 of a real corpus file, in the documents' segments form."""
    f = BY_PATH["x12/staedi/src/test/resources/x12/invoice810_po850_dual.edi"]
    for ic in parsers.parse(f.read()).interchanges:
        for d in build_documents(ic, partner=None, source={}, only_accepted=False):
            if d["type"] == "850":
                return list(d["segments"])
    raise AssertionError("no 850")


def _codes(segments: list[list[object]]) -> set[str]:
    """Findings with the exact 004010 dictionary."""
    return {e.code for e in validate_transaction("x12", "004010", "850", segments)}  # type: ignore[arg-type]


def _fixed(segments: list[list[object]]) -> list[list[object]]:
    """The real 850 with its two 003010-isms fixed, so that 004010 accepts it."""
    out = [list(s) for s in segments]
    for s in out:
        if s[0] == "BEG":
            s[5] = "20" + str(s[5])
        if s[0] == "N1" and len(s) == 4:
            s.append("112")  # P0304: N103 given, N104 was missing
    return out


def test_mutations_of_a_real_850_give_the_expected_codes() -> None:
    base = _fixed(_po_segments())
    assert _codes(base) == set()
    beg = next(i for i, s in enumerate(base) if s[0] == "BEG")

    def mutate(fn: object) -> set[str]:
        segs = [list(s) for s in base]
        fn(segs)  # type: ignore[operator]
        return _codes(segs)

    assert mutate(lambda s: s[beg].__setitem__(3, "")) == {"EDI094"}  # PO number missing
    assert mutate(lambda s: s[beg].__setitem__(1, "99")) == {"EDI099"}  # purpose code
    assert mutate(lambda s: s[beg].__setitem__(5, "20041399")) == {"EDI089"}  # no 13th month
    assert mutate(lambda s: s[beg].__setitem__(3, "X" * 23)) == {"EDI098"}  # max 22
    assert mutate(lambda s: s.pop(beg)) == {"EDI091"}  # mandatory BEG
    assert mutate(lambda s: s.insert(beg, ["ZZZ", "1"])) == {"EDI090"}
    assert mutate(lambda s: s[beg].extend([""] * 7 + ["X"])) == {"EDI097"}  # BEG has 12 elements
    assert mutate(lambda s: s.insert(beg + 1, list(s[beg]))) == {"EDI093"}  # BEG max use 1


def test_syntax_notes_on_a_real_segment() -> None:
    d = lookup("x12", "004010", "850")
    assert d is not None
    n1 = next(c for c in d.root.children if getattr(c, "id", "") == "N1")
    spec = n1.children[0]  # type: ignore[union-attr]
    assert [c.code for c in check_segment(spec, ["N1", "ST", "ACME"], 5)] == []  # type: ignore[arg-type]
    assert [c.code for c in check_segment(spec, ["N1", "ST"], 5)] == ["EDI095"]  # type: ignore[arg-type]  # R0203
    assert [c.code for c in check_segment(spec, ["N1", "ST", "A", "92"], 5)] == ["EDI095"]  # type: ignore[arg-type]  # P0304
    err = check_segment(spec, ["N1", "ST", "A", "92"], 5)[0]  # type: ignore[arg-type]
    assert (err.location.ts_segment, err.location.tag, err.location.element) == (6, "N1", 4)


def test_a_nearest_dictionary_checks_only_version_stable_values() -> None:
    segs = _fixed(_po_segments())
    beg = next(i for i, s in enumerate(segs) if s[0] == "BEG")
    segs[beg][1] = "99"  # a code value: not checked with another version's code list
    segs[beg][3] = "X" * 23  # a length: checked
    errs = validate_transaction("x12", "005010", "850", segs)  # type: ignore[arg-type]
    assert {e.code for e in errs} == {"EDI098"} <= NEAREST_CODES
