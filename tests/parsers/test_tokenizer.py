"""The tokenizer: segment-aligned cuts, fast/tolerant/slow scans that agree, problem location."""

from __future__ import annotations

import pytest

import parsers
from parsers import accel, tokenizer
from parsers.delimiters import EDIFACT_LEVEL_A
from parsers.model import Delimiters, Standard
from parsers.tokenizer import cut, escaped, find_boundary, scan, syntax_for
from tests.parsers.conftest import CorpusFile, manifest, snapshot


@pytest.fixture(autouse=True)
def _pure_python(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests pin the Python paths (fast, tolerant, slow); test_core.py checks the core."""
    monkeypatch.setattr(accel, "CORE", None)


X12 = syntax_for(Standard.X12, Delimiters("*", ":", "~", "^"), "utf-8")
EDI = syntax_for(Standard.EDIFACT, EDIFACT_LEVEL_A, "latin-1")


def texts(blk: tokenizer.Block) -> list[str]:
    """All segment texts of a block, through the same API the envelope stage uses."""
    return blk.segments(0, blk.first, blk.nseg - 1, blk.last)


def test_fast_path_for_regular_input() -> None:
    buf = b"ST*850*1~\nBEG*00~\nSE*3*1~\n"
    blk = scan(X12, buf, 0, len(buf) - 1, eof=False)
    assert blk.fast and blk.nseg == 3 and blk.probs == []
    assert [(t, k) for t, k, _s, _tp in blk.env] == [("ST", 0), ("SE", 2)]
    assert texts(blk) == ["ST*850*1", "BEG*00", "SE*3*1"]
    _tag, k, s, tp = blk.env[1]
    assert buf[s:tp] == b"SE*3*1" and blk.text(k, s, tp) == "SE*3*1"


@pytest.mark.parametrize(
    ("raw", "path"),
    [
        (b"ST*1~BEG*2~SE*3~", "fast"),
        (b"ST*1~\r\nBEG*2~\r\nSE*3~", "fast"),
        (b"ST*1~\n  BEG*2~\n\tSE*3~", "tolerant"),
        (b"ST*1~\nBEG*2~SE*3~", "tolerant"),
        (b"ST*1~\nBE\nG*2~\nSE*3~", "slow"),  # line break inside a segment (80-column wrap)
        (b"ST*1~\nBEG*2\x07~\nSE*3~", "slow"),  # control character
        (b"ST*1~\nbeg*2~\nSE*3~", "slow"),  # invalid tag
        (b"ST*1~\n~\nBEG*2~\nSE*3~", "slow"),  # empty segment
        (b"ST*1~\nBIN*3*A~B~\nSE*3~", "slow"),  # binary payload with a terminator
    ],
)
def test_every_path_gives_the_same_segments(
    raw: str, path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    blk = scan(X12, raw, 0, len(raw), eof=True)
    got = "slow" if not blk.fast else "tolerant" if blk._split is not None else "fast"
    assert got == path
    fast = (texts(blk), [(t, k) for t, k, _s, _tp in blk.env], [p[:3] for p in blk.probs])
    monkeypatch.setattr(tokenizer, "_regular", lambda *a: False)
    slow_blk = scan(X12, raw, 0, len(raw), eof=True)
    assert not slow_blk.fast
    assert (
        texts(slow_blk),
        [(t, k) for t, k, _s, _tp in slow_blk.env],
        [p[:3] for p in slow_blk.probs],
    ) == fast
    assert "ST*1" in fast[0] and "SE*3" in fast[0]


def test_release_masking_keeps_the_fast_path() -> None:
    raw = b"UNH+1+ORDERS:D:96A:UN'\nNAD+BY+O?'NEIL?+SONS??'\nUNT+3+1'"
    blk = scan(EDI, raw, 0, len(raw), eof=True)
    assert blk.fast and blk.masked is not None and blk.nseg == 3
    assert texts(blk) == ["UNH+1+ORDERS:D:96A:UN", "NAD+BY+O?'NEIL?+SONS??", "UNT+3+1"]


def test_escaped_release_before_terminator() -> None:
    raw = b"UNH+1+X:1:2:UN'\nFTX+A??'\nFTX+B?'C'\nUNT+4+1'"
    blk = scan(EDI, raw, 0, len(raw), eof=True)
    assert texts(blk) == ["UNH+1+X:1:2:UN", "FTX+A??", "FTX+B?'C", "UNT+4+1"]


def test_escaped_helper() -> None:
    assert (
        escaped(b"A?'", 0, 2, b"?")
        and not escaped(b"A??'", 0, 3, b"?")
        and escaped(b"???'", 0, 3, b"?")
    )


def test_cut_is_after_the_last_unescaped_terminator() -> None:
    assert cut(X12, b"A*1~B*2~C*", 0, 10) == 8
    assert cut(X12, b"A*1", 0, 3) == -1
    assert cut(EDI, b"A+1'B+2?'C", 0, 10) == 4
    assert cut(EDI, b"A+1'B+2??'C", 0, 11) == 10


def test_find_boundary() -> None:
    buf = b"SE*2*1~\nGE*1*1~\nIEA*1*000000001~\nISA*00"
    assert find_boundary(X12, buf, 0, len(buf)) == (buf.index(b"\nISA"), True)
    assert find_boundary(X12, buf, 0, buf.index(b"IEA")) is None
    rest = buf.index(b"ISA")
    assert find_boundary(X12, buf, rest, len(buf)) == (rest, False)
    # a tag inside data is not a boundary
    assert find_boundary(X12, b"N1*IEA*1~\nREF*X~", 0, 16) is None
    assert find_boundary(EDI, b"FTX+A?'UNZ+1'", 0, 13) is None


def test_problems_are_located() -> None:
    raw = b"ST*1~\nbeg*2~\nN1*A\x01B:C~\n~\nSE*3~"
    blk = scan(X12, raw, 0, len(raw), eof=True)
    probs = {p[2]: p for p in blk.probs}
    assert probs["EDI060"][0] == 1 and probs["EDI060"][1] == raw.index(b"beg")
    k, pos, _c, _m, tag, el, comp = probs["EDI062"]
    assert (k, tag, el, comp) == (2, "N1", 1, 1) and raw[pos : pos + 1] == b"\x01"
    assert probs["EDI061"][0] == 2  # located after the segment it follows


def test_unterminated_last_segment_at_end_of_input() -> None:
    raw = b"ST*1~\nSE*2*1"
    blk = scan(X12, raw, 0, len(raw), eof=True)
    assert texts(blk) == ["ST*1", "SE*2*1"] and [p[2] for p in blk.probs] == ["EDI009"]


def test_binary_payload_waits_for_more_input() -> None:
    raw = b"ST*1~\nBIN*10*AB~"
    blk = scan(X12, raw, 0, len(raw), eof=False)
    assert blk.nseg == 1 and raw[blk.end :].lstrip() == b"BIN*10*AB~"


@pytest.mark.parametrize("f", manifest(), ids=lambda f: f.path.split("/", 1)[1])
def test_corpus_fast_and_slow_paths_agree(f: CorpusFile, monkeypatch: pytest.MonkeyPatch) -> None:
    data = f.read()
    fast = snapshot(parsers.parse(data))
    monkeypatch.setattr(tokenizer, "_regular", lambda *a: False)
    assert snapshot(parsers.parse(data)) == fast
