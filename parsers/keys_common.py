"""What every key extractor uses: element and component access, and a transaction's segments by tag.

Element values are returned exactly as sent (see :mod:`parsers.keys`); a missing or
empty element is ``None``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Final

from parsers.model import Element, Segment

Keys = dict[str, Any]
Segs = Sequence[Segment]

# ---------------------------------------------------------------------------
# element access


def el(seg: Segment, i: int) -> str | None:
    """Element ``i`` (1-based) as a string: a composite's first component; None if empty."""
    if i >= len(seg):
        return None
    v = seg[i]
    if not isinstance(v, str):
        v = v[0] if v else ""
        if not isinstance(v, str):  # repetition: first component of the first repeat
            v = v[0] if v else ""
    return v or None


def comp(seg: Segment, i: int, j: int) -> str | None:
    """Component ``j`` (1-based) of element ``i``; a simple element is its own component 1."""
    if i >= len(seg):
        return None
    v = seg[i]
    if isinstance(v, str):
        return (v or None) if j == 1 else None
    if v and not isinstance(v[0], str):
        v = v[0]
    if j > len(v):
        return None
    c = v[j - 1]
    return c if isinstance(c, str) and c else None


def as_text(v: Element) -> str:
    """An element as one string: components joined by ``:``, repetitions by ``^``."""
    if isinstance(v, str):
        return v
    if v and not isinstance(v[0], str):
        return "^".join(":".join(r) for r in v)  # type: ignore[arg-type]
    return ":".join(v)  # type: ignore[arg-type]


class Tx:
    """A transaction's split segments plus their tags, for C-speed tag searches."""

    __slots__ = ("segs", "tags")

    def __init__(self, segs: Segs, tags: list[str] | None = None) -> None:
        """Wrap ``segs``; ``tags`` when the caller already has them."""
        self.segs = segs
        self.tags: list[str] = [s[0] for s in segs] if tags is None else tags  # type: ignore[misc]

    def positions(self, tag: str) -> list[int]:
        """Indexes of the segments with this tag (list.index does the scanning)."""
        tags = self.tags
        out: list[int] = []
        i = -1
        try:
            while True:
                i = tags.index(tag, i + 1)
                out.append(i)
        except ValueError:
            return out

    def iter(self, tag: str) -> Iterator[Segment]:
        """The segments with this tag, lazily (for searches that stop at the first match)."""
        tags, segs = self.tags, self.segs
        i = -1
        while True:
            try:
                i = tags.index(tag, i + 1)
            except ValueError:
                return
            yield segs[i]

    def first(self, tag: str) -> Segment | None:
        """The first segment with this tag, or None."""
        try:
            return self.segs[self.tags.index(tag)]
        except ValueError:
            return None

    def all(self, tag: str) -> list[Segment]:
        """Every segment with this tag, in order."""
        segs = self.segs
        return [segs[i] for i in self.positions(tag)]

    def count(self, tag: str) -> int:
        """How many segments have this tag."""
        return self.tags.count(tag)

    def qualified(self, tag: str, qualifier: str) -> list[Segment]:
        """Segments ``tag`` whose first element (or its first component) is ``qualifier``."""
        segs = self.segs
        return [segs[i] for i in self.qualified_positions(tag, qualifier)]

    def values(
        self, positions: list[int], indexes: tuple[int, ...]
    ) -> list[tuple[str | None, ...]]:
        """``tuple(el(segs[p], i) for i in indexes)`` per position (the core reads LazySegments)."""
        segs = self.segs
        read = getattr(segs, "values", None)
        if read is not None:
            return read(positions, indexes)  # type: ignore[no-any-return]
        return [tuple(el(segs[p], i) for i in indexes) for p in positions]

    def comps(
        self, positions: list[int], specs: tuple[tuple[int, int], ...]
    ) -> list[tuple[str | None, ...]]:
        """``tuple(comp(segs[p], i, j) for i, j in specs)`` per position, in one core call when it can."""
        segs = self.segs
        read = getattr(segs, "comps", None)
        if read is not None:
            return read(positions, specs)  # type: ignore[no-any-return]
        return [tuple(comp(segs[p], i, j) for i, j in specs) for p in positions]

    def column(self, tag: str, indexes: tuple[int, ...]) -> list[tuple[str | None, ...]]:
        """:meth:`values` of every segment with this tag, in order."""
        return self.values(self.positions(tag), indexes)

    def row(self, tag: str, indexes: tuple[int, ...]) -> tuple[str | None, ...] | None:
        """:meth:`values` of the first segment with this tag; None when there is none."""
        try:
            p = self.tags.index(tag)
        except ValueError:
            return None
        return self.values([p], indexes)[0]

    def fields(self, tag: str, spec: Sequence[tuple[str, int]]) -> Keys:
        """``fields(self.first(tag), spec)`` read in one call (all None without the segment)."""
        got = self.row(tag, tuple(i for _, i in spec))
        if got is None:
            return {name: None for name, _ in spec}
        return {name: v for (name, _), v in zip(spec, got, strict=True)}

    def field(self, tag: str, i: int) -> str | None:
        """Element ``i`` of the first segment with this tag; None when absent."""
        got = self.row(tag, (i,))
        return None if got is None else got[0]

    def qualified_positions(self, tag: str, qualifier: str) -> list[int]:
        """Indexes of the :meth:`qualified` segments; unsplit when ``segs`` can test text."""
        segs = self.segs
        first_is = getattr(segs, "first_is", None)  # LazySegments: no split per candidate
        if first_is is not None:
            return [i for i in self.positions(tag) if first_is(i, tag, qualifier)]
        return [i for i in self.positions(tag) if el(segs[i], 1) == qualifier]


def unique(values: list[str | None]) -> list[str]:
    """Non-empty values, first occurrence order, duplicates dropped."""
    return list(dict.fromkeys(v for v in values if v))


def field(seg: Segment | None, i: int) -> str | None:
    """Element ``i`` of ``seg``; None when the segment is absent."""
    return None if seg is None else el(seg, i)


def fields(seg: Segment | None, spec: Sequence[tuple[str, int]]) -> Keys:
    """``{name: element}`` for each ``(name, position)`` of ``spec`` (all None without ``seg``)."""
    return {name: field(seg, i) for name, i in spec}


def ctt(t: Tx) -> str | None:
    """CTT01, the line count the sender declares."""
    return t.field("CTT", 1)


def beginning(t: Tx) -> Keys:
    """Fallback: the first segment after the header, elements as strings."""
    seg = t.segs[1] if len(t.segs) > 1 else None
    if seg is None or seg[0] in TRAILERS:
        return {"beginning_segment": None, "beginning_elements": []}
    return {"beginning_segment": seg[0], "beginning_elements": [as_text(e) for e in seg[1:]]}


TRAILERS: Final = frozenset({"SE", "UNT"})
