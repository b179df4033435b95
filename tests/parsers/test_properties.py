"""Hypothesis properties: writer -> parser round trips with random delimiters, and robustness.

* Random documents written with random legal delimiters parse back, valid, to
  the same segments (X12 and EDIFACT, release escaping included).
* Random byte mutations, truncations and insertions of corpus files never
  raise: the parser only reports coded errors, located inside the input, and
  streaming with a random chunk size finds exactly what ``parse`` finds.
"""

from __future__ import annotations

import string
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import parsers
from parsers.errors import CATALOGUE
from parsers.model import Delimiters, Element, Party, Segment
from parsers.writer import GroupOut, TransactionOut, edifact_interchange, x12_interchange
from tests.parsers.conftest import manifest, snapshot, stream_parse

SETTINGS = settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])

PUNCT = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
CONTROL_DELIMS = "\x1c\x1d\x1e\x1f"
TEXT = string.ascii_letters + string.digits + " " + PUNCT + "\u00e9\u00df\u00c5\u4e2d\u20ac"


@st.composite
def delimiters(draw: Any, edifact: bool) -> Delimiters:
    """Distinct legal delimiters (printable punctuation or IS1-IS4; newline may terminate)."""
    pool = list(PUNCT + CONTROL_DELIMS)
    n = 5 if edifact else 4
    chars = draw(st.lists(st.sampled_from(pool), min_size=n, max_size=n, unique=True))
    if draw(st.booleans()) and not edifact:
        chars[2] = "\n"
    if edifact:
        elem, comp, term, rel, rep = chars
        if draw(st.booleans()):
            rep = None  # type: ignore[assignment]
        return Delimiters(elem, comp, term, rep, rel, draw(st.sampled_from(".,")))
    elem, comp, term, rep = chars
    return Delimiters(elem, comp, term, rep)


def _value(draw: Any, d: Delimiters, nonempty: bool) -> str:
    """A data value (any text for EDIFACT, no delimiters for X12)."""
    banned = set() if d.release else {d.element, d.component, d.segment, d.repetition}
    alphabet = "".join(c for c in TEXT if c not in banned)
    return str(draw(st.text(alphabet, min_size=1 if nonempty else 0, max_size=8)))


def _composite(draw: Any, d: Delimiters) -> list[str]:
    """A composite of 2-4 components, the last non-empty."""
    n = draw(st.integers(2, 4))
    return [_value(draw, d, i == n - 1) for i in range(n)]


@st.composite
def segments(draw: Any, d: Delimiters, edifact: bool) -> Segment:
    """A data segment in the canonical split shape (no trailing empties)."""
    if edifact:
        tag = draw(st.from_regex(r"\A[A-T][A-Z0-9]{2}\Z").filter(lambda t: not t.startswith("UN")))
    else:
        tag = draw(
            st.from_regex(r"\A[A-Z][A-Z0-9]{1,2}\Z").filter(
                lambda t: (
                    t
                    not in {"ISA", "IEA", "GS", "GE", "ST", "SE", "TA1", "ISB", "ISE", "BIN", "BDS"}
                )
            )
        )
    n = draw(st.integers(0, 6))
    seg: Segment = [tag]
    for i in range(n):
        last = i == n - 1
        kind = draw(st.sampled_from(["s", "s", "c", "r"] if d.repetition else ["s", "s", "c"]))
        el: Element
        if kind == "s":
            el = _value(draw, d, last)
        elif kind == "c":
            el = _composite(draw, d)
        else:
            el = [
                _composite(draw, d) if draw(st.booleans()) else [_value(draw, d, True)]
                for _ in range(draw(st.integers(2, 3)))
            ]
        seg.append(el)
    return seg


@st.composite
def x12_documents(draw: Any) -> tuple[bytes, Delimiters, list[list[Segment]]]:
    """A whole X12 interchange written with random delimiters, and the bodies it holds."""
    d = draw(delimiters(edifact=False))
    bodies: list[list[Segment]] = []
    groups = []
    for g in range(draw(st.integers(1, 2))):
        txns = []
        for t in range(draw(st.integers(1, 3))):
            body = draw(st.lists(segments(d, edifact=False), max_size=5))
            bodies.append(body)
            txns.append(TransactionOut("850", f"{t + 1:04d}", body))
        groups.append(
            GroupOut("PO", "S", "R", str(g + 1), ("005010",), txns, date="20240101", time="1200")
        )
    line_break = "" if d.segment == "\n" else draw(st.sampled_from(["", "\n", "\r\n"]))
    data = x12_interchange(
        sender=Party("ZZ", "SENDER"), receiver=Party("ZZ", "RECEIVER"), control=7, groups=groups,
        delimiters=d, date="240101", time="1200", line_break=line_break,
    )  # fmt: skip
    return data, d, bodies


@st.composite
def edifact_documents(draw: Any) -> tuple[bytes, Delimiters, list[list[Segment]]]:
    """A whole EDIFACT interchange (UNOY) written with random UNA delimiters."""
    d = draw(delimiters(edifact=True))
    bodies = [
        draw(st.lists(segments(d, edifact=True), max_size=5))
        for _ in range(draw(st.integers(1, 3)))
    ]
    msgs = [TransactionOut("ORDERS", f"M{i}", b, ("D", "96A", "UN")) for i, b in enumerate(bodies)]
    grouped = draw(st.booleans())
    data = edifact_interchange(
        sender=Party("14", "SENDER"), receiver=Party("14", "RECEIVER"), control="REF1",
        messages=[] if grouped else msgs,
        groups=[GroupOut("ORDERS", "S", "R", "G1", ("D", "96A"), msgs, agency="UN")] if grouped else [],
        delimiters=d, syntax="UNOY", syntax_version="4", date="20240101", time="1200",
        line_break=draw(st.sampled_from(["", "\n", "\r\n"])),
    )  # fmt: skip
    return data, d, bodies


def _round_trip(data: bytes, d: Delimiters, bodies: list[list[Segment]]) -> None:
    """Parse what the writer wrote: valid, same segments, same through streaming."""
    res = parsers.parse(data)
    assert res.valid, [e.line("doc") for e in res.all_errors()]
    assert res.interchanges[0].delimiters.segment == d.segment
    got = [
        [parsers.split_segment(s, res.interchanges[0].delimiters) for s in t.segments[1:-1]]
        for t in res.transactions
    ]
    assert got == bodies
    assert snapshot(stream_parse(data, 37)) == snapshot(res)


@SETTINGS
@given(x12_documents())
def test_x12_round_trip(doc: tuple[bytes, Delimiters, list[list[Segment]]]) -> None:
    _round_trip(*doc)


@SETTINGS
@given(edifact_documents())
def test_edifact_round_trip(doc: tuple[bytes, Delimiters, list[list[Segment]]]) -> None:
    _round_trip(*doc)


SAMPLES = [f.read() for f in manifest() if len(f.read()) < 4000][::3]


@st.composite
def mutated(draw: Any) -> bytes:
    """A corpus file with random byte replacements, deletions, insertions and truncation."""
    data = bytearray(draw(st.sampled_from(SAMPLES)))
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["replace", "delete", "insert", "truncate", "delimiter"]))
        pos = draw(st.integers(0, max(0, len(data) - 1)))
        if op == "replace" and data:
            data[pos] = draw(st.integers(0, 255))
        elif op == "delete":
            del data[pos : pos + draw(st.integers(1, 40))]
        elif op == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=20))
        elif op == "truncate":
            del data[pos:]
        elif op == "delimiter" and data:
            data[pos:pos] = draw(
                st.sampled_from(
                    [b"~", b"*", b"'", b"+", b"?", b"\n", b"ISA*", b"UNB+", b"SE*", b"GE*", b"UNT+"]
                )
            )
    return bytes(data)


@settings(deadline=None, max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(), st.integers(1, 600))
def test_mutations_only_produce_coded_errors(data: bytes, chunk: int) -> None:
    res = parsers.parse(data)
    for e in res.all_errors():
        assert e.code in CATALOGUE
        off = e.location.offset
        assert off is None or 0 <= off <= len(data)
    for t in res.transactions:
        assert 0 <= t.offset < t.end <= len(data) or t.end == -1
    assert snapshot(stream_parse(data, chunk)) == snapshot(res)


@SETTINGS
@given(x12_documents(), st.integers(200, 3000))
def test_chunks_of_random_interchanges_are_valid_and_complete(
    doc: tuple[bytes, Delimiters, list[list[Segment]]], limit: int
) -> None:
    data, _d, _bodies = doc
    whole = [t.segments for t in parsers.parse(data).transactions]
    chunks = parsers.split_interchange(data, limit)
    parts = [parsers.parse(c) for c in chunks]
    assert all(p.valid for p in parts)
    assert [t.segments for p in parts for t in p.transactions] == whole
    assert (
        all(len(c) <= limit or len(p.transactions) == 1 for c, p in zip(chunks, parts, strict=True))
        or len(chunks) == 1
    )


@settings(deadline=None, max_examples=300)
@given(st.text(max_size=60), delimiters(edifact=True))
def test_split_segment_never_raises(text: str, d: Delimiters) -> None:
    seg = parsers.split_segment(text, d)
    assert isinstance(seg[0], str)
    assert all(isinstance(el, (str, list)) for el in seg)
