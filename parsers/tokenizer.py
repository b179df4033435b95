"""Stage 2: cut segment-aligned blocks of bytes and find their segments, envelopes and problems.

The tokenizer works on *bytes* so that every position is a byte offset, and it
never splits a segment into elements. A block (about 1 MiB of one interchange,
cut after a segment terminator) is scanned one of two ways:

* the fast path, for the regular case (every terminator followed by the same
  whitespace and a valid tag, no release character, binary segment, control
  character or undecodable byte): a handful of C-level passes (``bytes.count``,
  ``translate``, two compiled regular expressions) find the envelope segments
  and prove the rest well-formed, and a transaction's text is decoded and
  ``str.split`` only when the envelope machine asks for it;
* the slow path, for anything else (indentation, 80-column wrapping, release
  characters, BIN/BDS binary segments, bad tags, empty segments, control
  characters): a per-segment loop that produces the same result and locates
  every problem.

Both give the envelope stage the same :class:`Block` interface, and a test
checks they agree on regular input. With the compiled core (:mod:`parsers.accel`)
:func:`scan` runs the slow path's rules in Rust instead, texts made on demand.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from parsers import accel
from parsers.errors import FINAL_TERMINATOR_MISSING, SEGMENT_EMPTY, SEGMENT_TAG_INVALID
from parsers.model import Delimiters, Standard
from parsers.segment_checks import Problem, binary_at, segment_text

X12_ENVELOPE = frozenset({"ISA", "IEA", "GS", "GE", "ST", "SE", "TA1", "ISB", "ISE"})
EDIFACT_ENVELOPE = frozenset({"UNA", "UNB", "UNZ", "UNG", "UNE", "UNH", "UNT"})
_X12_TAG = rb"[A-Z][A-Z0-9]{1,2}+"
_EDIFACT_TAG = rb"[A-Z][A-Z0-9]{2}"
_X12_TAG_RE = re.compile(r"[A-Z][A-Z0-9]{1,2}")
_EDIFACT_TAG_RE = re.compile(r"[A-Z][A-Z0-9]{2}")
_CTRL = bytes(range(32)) + b"\x7f"
_NAMES = {t.encode(): t for t in X12_ENVELOPE | EDIFACT_ENVELOPE}  # tag bytes -> interned str


@dataclass(slots=True, eq=False)
class Syntax:
    """Byte-level view of one interchange's delimiters with its compiled scanners (cached)."""

    standard: Standard
    delimiters: Delimiters
    codec: str
    term: bytes
    elem: bytes
    comp: bytes
    rel: bytes | None
    ws: bytes  # whitespace tolerated between segments: CR, LF, space, tab minus delimiters
    ctrl: bytes  # control bytes that are errors inside segment text
    ctrl_crlf: bytes  # ctrl plus CR and LF (the fast path counts them in one pass)
    envelope: frozenset[str]
    sep_str: str  # terminator as text
    elem_str: str
    tag_re: re.Pattern[str]
    first_tag: re.Pattern[bytes]  # a valid tag (+ E or T) at a segment start
    first_env: re.Pattern[bytes]  # an envelope tag (+ E or T) at a segment start
    ws_run: re.Pattern[bytes]
    boundary: re.Pattern[bytes]  # terminator, whitespace, next interchange trailer/header
    boundary_first: re.Pattern[bytes]  # the same at the very start of a block
    crlf_free: bool  # CR and LF are not delimiters other than the terminator
    strip: tuple[bytes, ...]  # line-break bytes removed from inside segments (80-column wrap)
    mask: re.Pattern[bytes] | None  # a release character and the character it releases
    fill: bytes  # two bytes that replace a released pair in the masked copy
    crlf_masked: bytes  # what the CR/LF/control count deletes in a masked copy (not ``fill``)
    tolerant: tuple[re.Pattern[bytes], re.Pattern[bytes], re.Pattern[str], re.Pattern[bytes], bytes]
    patterns: dict[bytes, tuple[re.Pattern[bytes], re.Pattern[bytes], str]] = field(
        default_factory=dict
    )
    core: Any = None  # the compiled core's view of this syntax (parsers.accel), made once

    def fast_patterns(self, s: bytes) -> tuple[re.Pattern[bytes], re.Pattern[bytes], str]:
        """(problem finder, envelope finder, text separator) for inter-segment whitespace ``s``."""
        p = self.patterns.get(s)
        if p is None:
            t, e = re.escape(self.term), re.escape(self.elem)
            ts = t + re.escape(s)
            prob = re.compile(t + b"(?!" + re.escape(s) + _tag_check(self) + b"|\\Z)")
            envre = re.compile(ts + _env_group(self.envelope, e, t, _tail(self)))
            p = (prob, envre, (self.term + s).decode(self.codec))
            self.patterns[s] = p
        return p


def _env_group(envelope: frozenset[str], e: bytes, t: bytes, tail: bytes) -> bytes:
    """Regex: group 1 an envelope segment (to its terminator when ``tail``), group 2 its tag."""
    return b"((" + _alternation(envelope) + b")(?=" + e + b"|" + t + b")" + tail + b")"


def _tag_check(syn: Syntax) -> bytes:
    """Regex: a valid, non-binary segment tag followed by the element separator or terminator."""
    return _tag_check_for(syn.standard, syn.term, syn.elem)


def _tag_check_for(standard: Standard, term: bytes, elem: bytes) -> bytes:
    """:func:`_tag_check` from its parts."""
    t, e = re.escape(term), re.escape(elem)
    if standard is Standard.X12:
        return b"(?!B(?:IN|DS)" + e + b")" + _X12_TAG + b"(?:" + e + b"|" + t + b")"
    return _EDIFACT_TAG + b"(?:" + e + b"|" + t + b")"


def _tail(syn: Syntax) -> bytes:
    """Regex: the rest of a segment up to its terminator (when that is one byte)."""
    return _tail_for(syn.term)


def _tail_for(term: bytes) -> bytes:
    """:func:`_tail` from the terminator."""
    return b"[^" + re.escape(term) + b"]*+" if len(term) == 1 else b""


def _alternation(tags: frozenset[str]) -> bytes:
    """A regex alternation of ``tags`` factored by first letter (faster to reject in SRE)."""
    by_first: dict[str, list[str]] = {}
    for tag in sorted(tags):
        by_first.setdefault(tag[0], []).append(tag[1:])
    parts = []
    for first, rests in sorted(by_first.items()):
        rest = sorted(rests, key=len, reverse=True)
        alt = "(?:" + "|".join(map(re.escape, rest)) + ")" if len(rest) > 1 else re.escape(rest[0])
        parts.append(re.escape(first) + alt)
    return "|".join(parts).encode()


_SYNTAX_CACHE: dict[tuple[Standard, Delimiters, str], Syntax] = {}


def syntax_for(standard: Standard, d: Delimiters, codec: str) -> Syntax:
    """The (cached) byte-level syntax of an interchange with delimiters ``d`` and ``codec``."""
    key = (standard, d, codec)
    syn = _SYNTAX_CACHE.get(key)
    if syn is not None:
        return syn
    enc = "latin-1" if codec == "latin-1" else "utf-8"

    def b(s: str) -> bytes:
        """Encode a delimiter like the interchange text (UTF-8 unless Latin-1)."""
        try:
            return s.encode(enc)
        except UnicodeEncodeError:
            return s.encode("utf-8")

    term, elem, comp = b(d.segment), b(d.element), b(d.component)
    rel = b(d.release) if d.release else None
    rep = b(d.repetition) if d.repetition else None
    delims = {x for x in (term, elem, comp, rel, rep) if x is not None}
    ws = bytes(c for c in b" \t\r\n" if bytes([c]) not in delims)
    ctrl = bytes(c for c in _CTRL if bytes([c]) not in delims and c not in b"\t\r\n")
    fill = next(bytes([c]) for c in b"\x01\x02\x03\x04" if bytes([c]) not in delims)
    x12 = standard is Standard.X12
    envelope = X12_ENVELOPE if x12 else EDIFACT_ENVELOPE
    t, e = re.escape(term), re.escape(elem)
    tag = _X12_TAG if x12 else _EDIFACT_TAG
    wsc = b"[" + re.escape(ws) + b"]*+" if ws else b""
    env = _alternation(envelope)
    if x12:
        bnd = b"(?:IEA(?=" + e + b"|" + t + b")|ISA(?=[^A-Za-z0-9 \r\n\t]))"
    else:
        bnd = b"(?:UNZ(?=" + e + b"|" + t + b")|UNB(?=[^A-Za-z0-9 \r\n\t])|UNA)"
    check = _tag_check_for(standard, term, elem)
    tolerant = (
        re.compile(t + wsc + b"(?!" + check + b"|\\Z)"),
        re.compile(t + wsc + _env_group(envelope, e, t, _tail_for(term))),
        re.compile(re.escape(d.segment) + "[" + re.escape(ws.decode("latin-1")) + "]*"),
        re.compile(t + b"[" + re.escape(ws) + b"]+") if ws else re.compile(t + b"(?!)"),
        term.replace(b"\\", b"\\\\"),
    )
    syn = Syntax(
        standard=standard,
        delimiters=d,
        codec=codec,
        term=term,
        elem=elem,
        comp=comp,
        rel=rel,
        ws=ws,
        ctrl=ctrl,
        ctrl_crlf=ctrl + b"\r\n",
        envelope=envelope,
        sep_str=d.segment,
        elem_str=d.element,
        tag_re=_X12_TAG_RE if x12 else _EDIFACT_TAG_RE,
        first_tag=re.compile(tag + b"(?:" + e + b"|" + t + b")"),
        first_env=re.compile(b"(" + env + b")(?:" + e + b"|" + t + b")"),
        ws_run=re.compile(wsc),
        boundary=re.compile(t + wsc + bnd),
        boundary_first=re.compile(wsc + bnd),
        crlf_free=not ({b"\r", b"\n"} & (delims - {term})),
        strip=tuple(c for c in (b"\r", b"\n") if c != term),
        mask=re.compile(re.escape(rel) + b"[\\s\\S]") if rel else None,
        fill=fill * 2,
        crlf_masked=ctrl.replace(fill, b"") + b"\r\n",
        tolerant=tolerant,
    )
    _SYNTAX_CACHE[key] = syn
    return syn


def escaped(buf: bytes, start: int, q: int, rel: bytes) -> bool:
    """True when the delimiter at ``q`` is preceded by an odd run of release characters."""
    n = 0
    r = rel[0]
    i = q - 1
    while i >= start and buf[i] == r:
        n += 1
        i -= 1
    return n % 2 == 1


def skip_ws(syn: Syntax, buf: bytes, pos: int, end: int) -> int:
    """The first position at or after ``pos`` that is not inter-segment whitespace."""
    m = syn.ws_run.match(buf, pos, end)
    return m.end() if m else pos


def cut(syn: Syntax, buf: bytes, pos: int, end: int) -> int:
    """Position just past the last unescaped segment terminator in ``buf[pos:end]``, or -1."""
    t = syn.term
    q = buf.rfind(t, pos, end)
    if syn.rel is not None:
        while q != -1 and escaped(buf, pos, q, syn.rel):
            q = buf.rfind(t, pos, q)
    return -1 if q == -1 else q + len(t)


_BOUNDARY_TAGS = {Standard.X12: (b"IEA", b"ISA"), Standard.EDIFACT: (b"UNZ", b"UNB", b"UNA")}


def find_boundary(syn: Syntax, buf: bytes, pos: int, end: int) -> tuple[int, bool] | None:
    """The next interchange trailer or header in ``buf[pos:end]``.

    Returns ``(position, is_trailer)``: for a trailer (IEA/UNZ) the position just
    past its terminator (or ``end``), for a header (ISA/UNA/UNB) the position
    just past the terminator before it. ``None`` when there is neither.
    """
    m = syn.boundary_first.match(buf, pos, end)
    start = pos
    if m is None:
        # Every match ends in one of these tags: search from the first one's terminator
        # (the regex alone would try each segment on the way).
        p = -1
        for tag in _BOUNDARY_TAGS[syn.standard]:
            q = buf.find(tag, pos, end)
            if q >= 0 and (p < 0 or q < p):
                p = q
        if p < 0:
            return None
        while p > pos and buf[p - 1] in syn.ws:
            p -= 1
        m = syn.boundary.search(buf, max(pos, p - len(syn.term)), end)
        while m is not None and syn.rel is not None and escaped(buf, pos, m.start(), syn.rel):
            m = syn.boundary.search(buf, m.start() + 1, end)
        if m is None:
            return None
        start = m.start() + len(syn.term)
    tag_at = m.end() - 3
    if buf[tag_at : tag_at + 3] in (b"IEA", b"UNZ"):
        q = buf.find(syn.term, tag_at, end)
        if syn.rel is not None:
            while q != -1 and escaped(buf, tag_at, q, syn.rel):
                q = buf.find(syn.term, q + 1, end)
        return (end if q == -1 else q + len(syn.term)), True
    return start, False


class Block:
    """The segments of one segment-aligned slice of an interchange.

    ``env`` lists the envelope segments as ``(tag, k, start, tpos)``: ``k`` is the
    segment's index in the block, ``start`` the buffer position of its tag and
    ``tpos`` of its terminator. ``probs`` lists syntax problems in input order.
    ``end`` is how far the block consumed the buffer (the scan may stop early,
    e.g. before a binary segment whose payload is not all in the buffer yet).
    Segments are addressed by ``(k, position)`` pairs that the envelope stage
    already holds, so no lookup is ever needed on the fast path.
    """

    __slots__ = (
        "_lts",
        "_sep",
        "_split",
        "_starts",
        "_texts",
        "_tposs",
        "ascii",
        "buf",
        "codec",
        "end",
        "env",
        "fast",
        "first",
        "last",
        "masked",
        "moff",
        "nseg",
        "probs",
        "syn",
    )

    def __init__(self, syn: Syntax, buf: bytes) -> None:
        """An empty block over ``buf``; :func:`scan` fills it."""
        self.syn = syn
        self.buf = buf
        self.codec = syn.codec
        self.env: list[tuple[str, int, int, int]] = []
        self.probs: list[Problem] = []
        self.nseg = 0
        self.end = 0
        self.fast = False
        self.ascii = True  # no byte >= 0x80 in the block
        self.first = 0  # position of the first segment's tag
        self.last = 0  # position of the last segment's terminator
        self.masked: bytes | None = None  # copy with released characters blanked (EDIFACT)
        self.moff = 0  # buffer position of masked[0]
        self._starts: Sequence[int] = []  # slow path: lists; compiled core: lazy sequences
        self._tposs: Sequence[int] = []
        self._texts: Sequence[str] = []
        self._sep = ""
        self._split: re.Pattern[str] | None = None  # variable whitespace between segments
        self._lts = 0

    def tpos_before(self, k: int, start: int) -> int:
        """Terminator position of segment ``k - 1`` given segment ``k`` starts at ``start``."""
        if not self.fast:
            return self._tposs[k - 1]
        if self._split is None:
            return start - self._lts
        ws = self.syn.ws
        while start > self.first and self.buf[start - 1] in ws:
            start -= 1
        return start - len(self.syn.term)

    def start_after(self, k: int, tpos: int) -> int:
        """Tag position of segment ``k + 1`` given segment ``k`` ends at ``tpos``."""
        if not self.fast:
            return self._starts[k + 1]
        if self._split is None:
            return tpos + self._lts
        return skip_ws(self.syn, self.buf, tpos + len(self.syn.term), len(self.buf))

    def index_of(self, pos: int) -> int:
        """The index of the segment holding buffer position ``pos`` (rare: errors only)."""
        if not self.fast:
            return max(0, bisect_right(self._starts, pos) - 1)
        src = self.masked if self.masked is not None else self.buf
        o = self.moff if self.masked is not None else 0
        return src.count(self.syn.term, self.first - o, pos - o)

    def segments(self, k0: int, s0: int, k1: int, e1: int) -> list[str]:
        """Texts of segments ``k0..k1`` (``s0``: tag position of k0, ``e1``: terminator of k1)."""
        if k1 < k0:
            return []
        if not self.fast:
            return self._texts[k0 : k1 + 1]  # type: ignore[return-value]  # a list either way
        text = self.buf[s0:e1].decode(self.codec)
        if self.masked is not None:
            syn = self.syn
            rel = syn.delimiters.release
            assert rel is not None
            escape = rel + syn.sep_str
            if escape in text:  # a released terminator: split must not cut there
                if rel + rel in text:
                    return self._split_masked(s0, e1)
                parts = (self._split.split if self._split is not None else _splitter(self._sep))(
                    text.replace(escape, rel + "\x00")
                )
                return [p.replace(rel + "\x00", escape) if "\x00" in p else p for p in parts]
        if self._split is not None:
            return self._split.split(text)
        return text.split(self._sep)

    def _split_masked(self, s0: int, e1: int) -> list[str]:
        """Split at unescaped terminators, found in the masked copy, and cut the original."""
        masked = self.masked
        assert masked is not None
        o = self.moff
        buf = self.buf
        t = self.syn.term
        lt = len(t)
        ws = self.syn.ws
        codec = self.codec
        out: list[str] = []
        p = s0
        for piece in masked[s0 - o : e1 - o].split(t):
            q = p + len(piece)
            lead = len(piece) - len(piece.lstrip(ws)) if out else 0
            out.append(buf[p + lead : q].decode(codec))
            p = q + lt
        return out

    def text(self, k: int, start: int, tpos: int) -> str:
        """The text of segment ``k`` (tag at ``start``, terminator at ``tpos``)."""
        if not self.fast:
            return self._texts[k]
        return self.buf[start:tpos].decode(self.codec)

    def tag_at(self, k: int, start: int) -> str:
        """The tag of segment ``k`` starting at ``start`` (for locating a stray segment)."""
        if not self.fast:
            t = self._texts[k]
            return t.split(self.syn.elem_str, 1)[0][:8]
        m = self.syn.first_tag.match(self.buf, start)
        return self.buf[start : m.end() - len(self.syn.elem)].decode("latin-1") if m else ""


def _splitter(sep: str) -> Callable[[str], list[str]]:
    """``str.split`` on ``sep`` as a one-argument function."""
    return lambda text: text.split(sep)


def scan(syn: Syntax, buf: bytes, a: int, b: int, eof: bool) -> Block:
    """Scan ``buf[a:b]`` (``a`` at a segment start or whitespace, ``b`` just past a terminator).

    With ``eof`` the slice may end with an unterminated last segment.
    """
    blk = Block(syn, buf)
    if accel.CORE is not None and syn.codec in accel.CODECS and type(buf) is bytes:
        done = accel.scan(syn, buf, a, b, eof, blk)
        if done:
            return blk
        blk = Block(syn, buf)
    j = skip_ws(syn, buf, a, b)
    if j >= b:
        blk.end = b
        return blk
    if buf.endswith(syn.term, j, b) and _regular(syn, buf, j, b, blk):
        return blk
    blk.ascii = buf[j:b].isascii()
    blk.env.clear()
    blk.masked = None
    blk._split = None
    return _scan_slow(syn, buf, j, b, eof, blk)


def _regular(syn: Syntax, buf: bytes, j: int, b: int, blk: Block) -> bool:
    """The fast path: prove ``buf[j:b]`` regular with C-level passes and find its envelopes.

    Regular means: every unescaped terminator is followed by whitespace and a
    valid tag that is not a binary segment (one regex search; first with the
    exact whitespace of the first terminator, then with any whitespace), no
    control character and no line break other than between segments (one
    ``translate``), and the bytes decode. EDIFACT release characters are
    handled on a masked copy that blanks every released pair, so escaped
    delimiters never look like structure.
    """
    if not syn.crlf_free:
        return False
    src, o, lo, hi = buf, 0, j, b
    if syn.mask is not None and buf.find(syn.rel, j, b) != -1:  # type: ignore[arg-type]
        src = syn.mask.sub(syn.fill, buf[j:b])
        o, lo, hi = j, 0, b - j
        if not src.endswith(syn.term):
            return False  # the last terminator is escaped: not a segment boundary
        blk.masked = src
        blk.moff = j
    if syn.first_tag.match(src, lo, hi) is None:
        return False
    if syn.standard is Standard.X12 and src.startswith((b"BIN" + syn.elem, b"BDS" + syn.elem), lo):
        return False
    t = syn.term
    lt = len(t)
    t0 = src.find(t, lo, hi)
    m = syn.ws_run.match(src, t0 + lt, hi)
    s = src[t0 + lt : m.end()] if m else b""
    prob, envre, sep = syn.fast_patterns(s)
    tolerant = prob.search(src, lo, hi) is not None
    if tolerant:
        prob, envre, split, squeeze, repl = syn.tolerant
        if prob.search(src, lo, hi) is not None:
            return False
        blk._split = split
    env = blk.env
    n = _envelopes(syn, src, lo, hi, o, envre, env)  # terminators in the block = segments
    # Line breaks other than between segments, and control characters, change
    # this one count (the regex proved what follows every terminator).
    masked = blk.masked is not None
    chunk = src if masked else src[lo:hi]
    deleted = syn.crlf_masked if masked else syn.ctrl_crlf
    if tolerant:
        chunk = squeeze.sub(repl, chunk)
        crlf = n * (t.count(b"\r") + t.count(b"\n"))
    else:
        crlf = (n - 1) * (s.count(b"\r") + s.count(b"\n")) + n * (t.count(b"\r") + t.count(b"\n"))
    if len(chunk) - len(chunk.translate(None, deleted)) != crlf:
        env.clear()
        return False
    if masked:
        chunk = buf[j:b]
        if len(chunk.translate(None, syn.ctrl)) != len(chunk):
            env.clear()
            return False
    if not chunk.isascii():
        blk.ascii = False
        try:
            buf[j:b].decode(syn.codec)
        except UnicodeDecodeError:
            env.clear()
            return False
    blk.fast = True
    blk.nseg = n
    blk.end = b
    blk._sep = sep
    blk._lts = lt + len(s)
    blk.first = j
    blk.last = b - lt
    return True


def _envelopes(
    syn: Syntax,
    src: bytes,
    lo: int,
    hi: int,
    o: int,
    envre: re.Pattern[bytes],
    env: list[tuple[str, int, int, int]],
) -> int:
    """Append the envelope segments of regular ``src[lo:hi]`` to ``env``; return its segment count.

    Positions are shifted by ``o`` (``src`` is a masked copy starting at ``o``, or the buffer).
    """
    t = syn.term
    append = env.append
    names = _NAMES
    m0 = syn.first_env.match(src, lo, hi)
    if m0 is not None:
        append((names[m0.group(1)], 0, lo + o, src.find(t, lo, hi) + o))
    k = 0
    prev = lo
    count = src.count
    if len(t) == 1:
        for m1 in envre.finditer(src, lo, hi):
            st, en = m1.span(1)
            k += count(t, prev, st)
            prev = st
            append((names[m1.group(2)], k, st + o, en + o))
    else:
        find = src.find
        for m1 in envre.finditer(src, lo, hi):
            st = m1.start(1)
            k += count(t, prev, st)
            prev = st
            append((names[m1.group(2)], k, st + o, find(t, st, hi) + o))
    return k + count(t, prev, hi)


def _scan_slow(syn: Syntax, buf: bytes, p: int, b: int, eof: bool, blk: Block) -> Block:
    """The general path: one segment at a time, tolerating and locating every irregularity."""
    t = syn.term
    lt = len(t)
    e = syn.elem
    rel = syn.rel
    x12 = syn.standard is Standard.X12
    ws = syn.ws
    tag_re = syn.tag_re
    es = syn.elem_str
    starts: list[int] = []
    tposs: list[int] = []
    texts: list[str] = []
    blk._starts, blk._tposs, blk._texts, probs = starts, tposs, texts, blk.probs
    env = blk.env
    envelope = syn.envelope
    consumed = p
    while True:
        while p < b and buf[p] in ws:
            p += 1
        if p >= b:
            consumed = b
            break
        k = len(starts)
        q = buf.find(t, p, b)
        if rel is not None:
            while q != -1 and escaped(buf, p, q, rel):
                q = buf.find(t, q + lt, b)
        binary = False
        if x12 and buf.startswith((b"BIN" + e, b"BDS" + e), p):
            bq = binary_at(syn, buf, p, b, eof, k, probs)
            if bq == -2:
                break  # length or payload continues past the buffer: wait for more input
            if bq >= 0:
                q = bq
                binary = True
        unterminated = q == -1
        if unterminated:
            if not eof:
                break
            q = b
        if q == p:
            # Located after the previous segment (k - 1): the same whatever the block cuts.
            msg = "empty segment (two terminators in a row) ignored"
            probs.append((k - 1, p, SEGMENT_EMPTY, msg, "", None, None))
            consumed = p = q + lt
            continue
        raw = buf[p:q]
        text = raw.decode("latin-1") if binary else segment_text(syn, raw, k, p, probs)
        tag = text.split(es, 1)[0] if es in text else text
        if tag_re.fullmatch(tag) is None:
            msg = f"invalid segment tag {tag[:10]!r}"
            probs.append((k, p, SEGMENT_TAG_INVALID, msg, tag[:10], None, None))
        elif tag in envelope:
            env.append((tag, k, p, q))
        starts.append(p)
        tposs.append(q)
        texts.append(text)
        if unterminated:
            msg = "last segment has no segment terminator"
            probs.append((k, p, FINAL_TERMINATOR_MISSING, msg, tag[:3], None, None))
            consumed = b
            break
        consumed = p = q + lt
    blk.nseg = len(starts)
    blk.end = consumed
    if starts:
        blk.first = starts[0]
        blk.last = tposs[-1]
    return blk
