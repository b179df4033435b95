"""Ingest chunking: one bytes per interchange, big interchanges split into valid chunks."""

from __future__ import annotations

import pytest

import parsers
from parsers.chunking import split_file, split_interchange
from parsers.errors import EdiError
from tests.parsers.conftest import X12_HEAD, CorpusFile, edifact_doc, manifest, x12_doc, x12_txn


def _all_segments(chunks: list[bytes]) -> list[list[str]]:
    """The transactions of all chunks (each must parse alone, validly)."""
    out = []
    for c in chunks:
        res = parsers.parse(c)
        assert res.valid, [e.line("chunk") for e in res.all_errors()]
        assert len(res.interchanges) == 1
        out += [t.segments for t in res.transactions]
    return out


def test_split_file_cuts_interchanges_and_reports_garbage() -> None:
    a, b, c = x12_doc(), edifact_doc(2), x12_doc(isa_control="000000002")
    errors: list[EdiError] = []
    parts = split_file(b"\xef\xbb\xbf" + a + b"junk\n" + b + c + b"  trailing", errors)
    assert parts == [a.rstrip(b"\n"), b.rstrip(b"\n"), c.rstrip(b"\n")]
    assert [e.code for e in errors] == ["EDI003", "EDI004"]
    assert split_file(b"not EDI", errors) == [] and errors[-1].code == "EDI001"


def test_split_file_without_trailer_runs_to_the_next_header() -> None:
    a = x12_doc().replace(b"IEA*1*000000001~\n", b"")
    b = x12_doc(isa_control="000000002")
    parts = split_file(a + b)
    assert parts == [a, b.rstrip(b"\n")]


def test_small_input_is_returned_as_is() -> None:
    data = x12_doc()
    assert split_interchange(data, 10_000) == [data]
    with pytest.raises(ValueError):
        split_interchange(data, 0)


def _big_x12() -> bytes:
    """An interchange with a TA1 and 4 groups of 10 transaction sets."""
    txns = [
        x12_txn(f"{i:04d}", body=("BEG*00*SA*PO1**20240101", f"REF*DP*{i}", "N1*ST*ACME"))
        for i in range(1, 41)
    ]
    groups = [
        f"GS*PO*S*R*20240101*1200*{g}*X*005010~\n"
        + "".join(txns[g * 10 - 10 : g * 10])
        + f"GE*10*{g}~\n"
        for g in (1, 2, 3, 4)
    ]
    return (
        X12_HEAD + "TA1*000000050*200229*1200*A*000~\n" + "".join(groups) + "IEA*4*000000001~\n"
    ).encode()


@pytest.mark.parametrize("limit", [600, 1000, 2500])
def test_x12_split_on_transaction_boundaries(limit: int) -> None:
    data = _big_x12()
    assert parsers.parse(data).valid
    chunks = split_interchange(data, limit)
    assert len(chunks) > 1 and all(len(c) <= limit for c in chunks)
    assert _all_segments(chunks) == [t.segments for t in parsers.parse(data).transactions]
    first = parsers.parse(chunks[0])
    assert first.interchanges[0].control == "000000001"
    assert b"TA1*" in chunks[0] and not any(b"TA1*" in c for c in chunks[1:])
    for c in chunks:  # every chunk keeps the original header bytes and group control numbers
        assert c.startswith(data[:106])
        ic = parsers.parse(c).interchanges[0]
        assert {g.control for g in ic.groups} <= {"1", "2", "3", "4"}


def test_oversize_transaction_gets_a_chunk_of_its_own() -> None:
    big = x12_txn("0002", body=tuple(f"REF*DP*{i}" for i in range(200)))
    data = x12_doc([x12_txn("0001"), big, x12_txn("0003")])
    chunks = split_interchange(data, 800)
    assert len(chunks) == 3 and len(chunks[1]) > 800
    assert [len(parsers.parse(c).transactions) for c in chunks] == [1, 1, 1]
    assert _all_segments(chunks)[1][1] == "REF*DP*0"


def test_edifact_split_without_and_with_groups() -> None:
    for data in (edifact_doc(40), edifact_doc(40, groups=True)):
        chunks = split_interchange(data, 900)
        assert len(chunks) > 2 and all(len(c) <= 900 for c in chunks)
        assert _all_segments(chunks) == [t.segments for t in parsers.parse(data).transactions]
        assert all(c.startswith(b"UNA:+.? '\nUNB+UNOC:3+SENDER:14") for c in chunks)


def test_interchange_with_envelope_errors_is_not_split() -> None:
    data = _big_x12().replace(b"GE*10*2~", b"GE*9*2~")
    assert split_interchange(data, 1000) == [data[: data.rindex(b"~") + 1]]
    dup = _big_x12().replace(b"ST*850*0012~", b"ST*850*0011~").replace(b"SE*5*0012", b"SE*5*0011")
    assert "EDI055" in {e.code for e in parsers.parse(dup).all_errors()}
    assert len(split_interchange(dup, 1000)) == 1


def test_garbage_keeps_the_input_whole() -> None:
    data = _big_x12() + b"junk\n" + x12_doc(isa_control="000000002")
    assert split_interchange(data, 1000) == [data]
    assert split_interchange(b"x" * 5000, 1000) == [b"x" * 5000]


def test_several_interchanges_each_split_or_kept() -> None:
    small = x12_doc(isa_control="000000009")
    data = _big_x12() + small
    chunks = split_interchange(data, 1500)
    assert chunks[-1] == small.rstrip(b"\n")
    assert len(_all_segments(chunks)) == 41


@pytest.mark.parametrize(
    "f",
    [f for f in manifest() if f.path.startswith("x12/") or f.path.startswith("edifact/")],
    ids=lambda f: f.path.split("/", 1)[1],
)
def test_corpus_chunks_keep_every_transaction(f: CorpusFile) -> None:
    data = f.read()
    res = parsers.parse(data)
    chunks = split_interchange(data, 700)
    got = [t.segments for c in chunks for t in parsers.parse(c).transactions]
    assert got == [t.segments for t in res.transactions]
    if res.valid and len(chunks) > 1:
        assert all(parsers.parse(c).valid for c in chunks)
