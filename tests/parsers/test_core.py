"""The compiled core (parsers.accel) against the pure-Python reference: byte-identical results.

Whole corpus and hypothesis-generated inputs (valid and mutated), parsed in one
go and streamed in small chunks (so blocks are cut everywhere): the same
structure, segment texts, offsets and errors, and the same document bytes.
Skipped only on a machine without cargo; where cargo is, a missing core fails.
"""

from __future__ import annotations

import importlib.util
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import parsers
from parsers import accel
from parsers.documents import render_documents, split_segments
from parsers.model import Delimiters, ParseResult, Standard
from parsers.tokenizer import scan, syntax_for
from tests.parsers.conftest import CorpusFile, manifest, snapshot, stream_parse
from tests.parsers.test_properties import delimiters, edifact_documents, mutated, x12_documents

if shutil.which("cargo") is None:  # a machine that cannot build the core runs pure Python only
    pytest.skip("no cargo: the compiled core cannot be built here", allow_module_level=True)
# Where cargo is, the install builds the core: a missing core is a broken build, not a skip.
assert importlib.util.find_spec("edi_mesh_core") is not None, "edi_mesh_core is not installed"

T = TypeVar("T")
SOURCE = {"channel": "test", "filename": "f.edi", "sha256": "0" * 64, "ingest_id": "i"}


@contextmanager
def _core(enabled: bool) -> Iterator[None]:
    """Run the block with the core on or off (then restore)."""
    was = accel.set_core(enabled)
    try:
        yield
    finally:
        accel.set_core(was)


def both(fn: Callable[[], T]) -> tuple[T, T]:
    """``fn()`` with the core, then in pure Python."""
    with _core(True):
        assert accel.implementation() == "rust"
        fast = fn()
    with _core(False):
        ref = fn()
    return fast, ref


def _documents(res: ParseResult) -> list[bytes]:
    """Every document of a parse, with ``data``, as the worker renders them."""
    out: list[bytes] = []
    for ic in res.interchanges:
        out += render_documents(
            ic, partner=None, source=SOURCE, only_accepted=False, with_data=True, max_segments=50
        )
    return out


def _facts(data: bytes, chunk: int) -> tuple[Any, ...]:
    """What both implementations must agree on for one input."""
    res = parsers.parse(data)
    return snapshot(res), snapshot(stream_parse(data, chunk)), _documents(res)


@pytest.mark.parametrize("f", manifest(), ids=lambda f: f.path.split("/", 1)[1])
def test_corpus_identical(f: CorpusFile) -> None:
    data = f.read()
    fast, ref = both(lambda: _facts(data, 4096))
    assert fast == ref


@settings(deadline=None, max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(), st.integers(1, 600))
def test_mutated_inputs_identical(data: bytes, chunk: int) -> None:
    fast, ref = both(lambda: _facts(data, chunk))
    assert fast == ref


@settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(x12_documents(), edifact_documents()), st.integers(50, 2000))
def test_generated_interchanges_identical(doc: tuple[bytes, Any, Any], chunk: int) -> None:
    fast, ref = both(lambda: _facts(doc[0], chunk))
    assert fast == ref


_BYTES = st.binary(max_size=120) | st.lists(
    st.sampled_from([b"~", b"*", b":", b"^", b"?", b"'", b"+", b"\n", b"\r", b" ", b"\t", b"\x07",
                     b"\xc3\xa9", b"\xff", b"ST", b"BIN*", b"BDS*", b"3*", b"1", b"IEA", b"UNH", b"a"]),
    max_size=40,
).map(b"".join)  # fmt: skip


@settings(deadline=None, max_examples=600)
@given(_BYTES, st.booleans(), st.booleans(), st.sampled_from(["utf-8", "latin-1"]), st.data())
def test_scan_identical_on_any_bytes(
    buf: bytes, edifact: bool, eof: bool, codec: str, data: st.DataObject
) -> None:
    d = data.draw(delimiters(edifact=edifact))
    syn = syntax_for(Standard.EDIFACT if edifact else Standard.X12, d, codec)
    a = data.draw(st.integers(0, len(buf)))
    b = data.draw(st.integers(a, len(buf)))

    def run() -> tuple[Any, ...]:
        blk = scan(syn, buf, a, b, eof)
        texts = list(blk.segments(0, blk.first, blk.nseg - 1, blk.last)) if blk.nseg else []
        ends = [(blk.start_after(k, 0), blk.tpos_before(k + 1, 0)) for k in range(blk.nseg - 1)]
        fast_only = blk.fast and blk.masked is not None  # fast-path bookkeeping differs: skip
        return (blk.nseg, blk.end, blk.first, blk.last, blk.env, blk.probs, texts,
                None if blk.fast else ends, fast_only or blk.ascii)  # fmt: skip

    fast, ref = both(run)
    if fast[7] is None or ref[7] is None:  # one side took Python's fast path: no ends kept there
        fast, ref = fast[:7] + fast[8:], ref[:7] + ref[8:]
    assert fast == ref


def test_scan_one_regular_unfinished_segment() -> None:
    """Hypothesis found it: one regular segment, more input to come (Python: its fast path)."""
    syn = syntax_for(Standard.EDIFACT, Delimiters("!", "(", "'", '"', "#", "."), "utf-8")

    def run() -> tuple[Any, ...]:
        blk = scan(syn, b"AAA'", 0, 4, False)
        return blk.nseg, blk.end, blk.env, blk.probs, list(blk.segments(0, blk.first, 0, blk.last))

    fast, ref = both(run)
    assert fast == ref == (1, 4, [], [], ["AAA"])


@given(st.lists(st.text(max_size=30), max_size=8), delimiters(edifact=True))
def test_split_segments_identical(texts: list[str], d: Delimiters) -> None:
    fast, ref = both(lambda: split_segments(texts, d))
    assert fast == ref


def test_implementation_is_reported() -> None:
    with _core(False):
        assert accel.implementation() == "python" and "pure Python" in accel.describe()
    with _core(True):
        assert accel.implementation() == "rust" and "rust" in accel.describe()
