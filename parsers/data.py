"""A transaction's segments as a named, loop-nested tree (``data``), and back.

:func:`build_data` matches the segments (the documents' ``segments`` form:
elements as strings, a composite as a list of strings, a repetition as a list
of lists) against a compiled dictionary in one forward pass and builds:

- a loop object per loop instance, under ``<name>_<ID>_loop`` (always an
  array), keys in dictionary order;
- a segment object under ``<name>_<TAG>`` (an array when it may repeat);
  empty elements are left out, and ``_elements: N`` records trailing empty
  elements so the round trip stays exact;
- element keys ``<name>_<NN>`` (NN = position); a composite is an object of
  ``<name>_<NN>`` components (``_components: N`` for trailing empties), a
  repetition an array; a coded element is ``{"code", "description"?}``, a
  date or time ``{"value", "iso"}``; numbers stay exact strings;
- a segment the dictionary does not expect here goes under its bare tag
  (``"REF"``, positional ``element_NN`` keys), in input order.

:func:`segments_from_data` inverts it using only the keys (the tag is the key's
last upper-case part, a position the last two digits), so ``data`` renders back
to exactly the original segments with or without a dictionary.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from typing import Any

from parsers.dictionary import Dictionary, ElementSpec, LoopSpec, SegmentSpec, lookup
from parsers.errors import (
    LOOP_EXCEEDED,
    SEGMENT_MAX_USE_EXCEEDED,
    SEGMENT_MISSING,
    SEGMENT_UNEXPECTED,
    EdiError,
)
from parsers.model import Element, Segment

__all__ = ["Matcher", "build_data", "data_for_transaction", "segments_from_data", "walk"]

_TAG = re.compile(r"[A-Z0-9]*[A-Z][A-Z0-9]*")
Checker = Callable[[SegmentSpec, Segment, int], list[EdiError]]


def _iso_date(raw: str) -> str | None:
    """CCYYMMDD (or YYMMDD, pivot 50) as ISO 8601, when it is a real date."""
    if not raw.isdigit() or len(raw) not in (6, 8):
        return None
    if len(raw) == 6:
        raw = ("19" if int(raw[:2]) >= 50 else "20") + raw
    try:
        return date(int(raw[:4]), int(raw[4:6]), int(raw[6:8])).isoformat()
    except ValueError:
        return None


def _iso_time(raw: str) -> str | None:
    """HHMM[SS[d..]] as ISO 8601 ``HH:MM[:SS[.d]]``, when it is a real time."""
    if not raw.isdigit() or len(raw) < 4 or int(raw[:2]) > 23 or int(raw[2:4]) > 59:
        return None
    out = f"{raw[:2]}:{raw[2:4]}"
    if len(raw) >= 6:
        if int(raw[4:6]) > 59:
            return None
        out += f":{raw[4:6]}"
        if len(raw) > 6:
            out += f".{raw[6:]}"
    return out


# EDIFACT date/time format qualifiers (data element 2379) with an ISO form.
def _edifact_iso(value: str, fmt: str) -> str | None:
    """A DTM C507 value in format 102/203/204/101 as ISO 8601."""
    if fmt == "102" or fmt == "101":
        return _iso_date(value)
    if fmt in ("203", "204") and len(value) in (12, 14):
        d, t = _iso_date(value[:8]), _iso_time(value[8:])
        return f"{d}T{t}" if d and t else None
    return None


def _simple(spec: ElementSpec | None, raw: str) -> Any:
    """One simple value: raw, ``{"code", "description"?}`` or ``{"value", "iso"}``."""
    if spec is None or not raw:
        return raw
    r = spec.render
    if r == 0:
        return raw
    if r == 1:
        desc = spec.descriptions.get(raw) if spec.descriptions else None
        return {"code": raw, "description": desc} if desc else {"code": raw}
    iso = _iso_date(raw) if r == 2 else _iso_time(raw)
    return {"value": raw, "iso": iso} if iso else raw


def _composite(spec: ElementSpec | None, raw: Sequence[str]) -> dict[str, Any]:
    """A composite as an object of named components (empties left out)."""
    comps = spec.components if spec is not None else None
    out: dict[str, Any] = {}
    last = 0
    for i, v in enumerate(raw, 1):
        if v:
            cs = comps[i - 1] if comps and i <= len(comps) else None
            out[cs.key if cs else f"component_{i:02d}"] = _simple(cs, v)
            last = i
    if last < len(raw):
        out["_components"] = len(raw)
    if spec is not None and spec.ref == "C507" and len(raw) >= 3 and raw[1]:
        iso = _edifact_iso(raw[1], raw[2])
        key = comps[1].key if comps and len(comps) > 1 else "component_02"
        if iso:
            out[key] = {"value": raw[1], "iso": iso}
    return out


def _value(spec: ElementSpec | None, raw: Element) -> Any:
    """One element: simple, composite object, or an array of repetitions."""
    if isinstance(raw, str):
        if spec is not None and spec.components is not None:
            return _composite(spec, [raw])
        return _simple(spec, raw)
    if raw and isinstance(raw[0], list):
        return [_rep_item(spec, r) for r in raw]
    return _composite(spec, raw)  # type: ignore[arg-type]


def _rep_item(spec: ElementSpec | None, raw: Any) -> Any:
    """One repetition (a list of components, one for a simple element)."""
    if len(raw) == 1 and (spec is None or spec.components is None):
        return _simple(spec, raw[0])
    return _composite(spec, raw)


def segment_object(spec: SegmentSpec | None, seg: Segment) -> dict[str, Any]:
    """A segment as an object keyed by element name and position."""
    elements = spec.elements if spec is not None else ()
    n = len(elements)
    out: dict[str, Any] = {}
    last = 0
    for i in range(1, len(seg)):
        raw = seg[i]
        if not raw:
            continue
        last = i
        es = elements[i - 1] if i <= n else None
        if es is None:
            out[f"element_{i:02d}"] = raw if raw.__class__ is str else _value(None, raw)
        elif raw.__class__ is str and es.components is None:
            out[es.key] = raw if es.render == 0 else _simple(es, raw)  # type: ignore[arg-type]
        else:
            out[es.key] = _value(es, raw)
    if last < len(seg) - 1:
        out["_elements"] = len(seg) - 1
    return out


def _bare(seg: Segment) -> tuple[str, dict[str, Any]]:
    """(key, object) of a segment read without a dictionary: its tag, positional keys.

    A tag that is not upper-case alphanumeric (a malformed segment) cannot be a
    key; it goes under ``invalid_tag`` with the tag kept in ``_tag``.
    """
    tag = str(seg[0])
    obj = segment_object(None, seg)
    if _TAG.fullmatch(tag):
        return tag, obj
    return "invalid_tag", {"_tag": tag, **obj}


class _Frame:
    """One open loop instance while matching."""

    __slots__ = ("base", "checked", "counts", "last", "loop", "next", "obj", "pos", "start")

    def __init__(self, loop: LoopSpec, obj: dict[str, Any], pos: int, start: int) -> None:
        self.loop = loop
        self.obj = obj
        self.pos = pos
        self.counts = [0] * len(loop.children)
        self.last = ""  # the key last added to
        self.base = ""  # the key asked for then (before any suffix)
        self.start = start  # index (in the transaction) of the loop's first segment
        self.checked = 0  # children before this index were checked for missing ones
        self.next: dict[str, int] = {}  # next free suffix per key (keeps _put linear)


def _suffixed(key: str, n: int) -> str:
    """``key`` made unique with ``_n`` (before ``_loop`` for a loop key)."""
    if key.endswith("_loop"):
        return f"{key[:-5]}_{n}_loop"
    return f"{key}_{n}"


def _put(frame: _Frame, key: str, value: dict[str, Any], single: bool) -> None:
    """Add a value under ``key``, keeping the input order of keys (new key if needed).

    The same key again right after itself appends; after other keys it gets a
    fresh ``_n`` suffix, so walking the object's keys in order gives input order.
    """
    obj = frame.obj
    if key == frame.base:
        key = frame.last
    elif key in obj:
        n = frame.next.get(key, 2)
        while _suffixed(key, n) in obj:
            n += 1
        frame.next[key] = n + 1
        frame.base = key
        key = _suffixed(key, n)
    else:
        frame.base = key
    if key not in obj:
        obj[key] = value if single else [value]
    else:
        cur = obj[key]
        if isinstance(cur, list):
            cur.append(value)
        else:
            obj[key] = [cur, value]
    frame.last = key


def _qual_ok(spec: SegmentSpec, seg: Segment) -> bool:
    """True when the segment's qualifier element (or component) holds one of the spec's codes."""
    q = spec.qualifier
    if q is None:
        return True
    pos, comp, codes = q
    if pos >= len(seg):
        return False
    v = seg[pos]
    if comp and isinstance(v, list):
        v = v[0] if v and isinstance(v[0], str) else ""
    return isinstance(v, str) and v in codes


class Matcher:
    """The single forward pass: places segments in loops; reports structure findings."""

    def __init__(
        self, dictionary: Dictionary, errors: list[EdiError] | None, checker: Checker | None
    ):
        self.d = dictionary
        self.root: dict[str, Any] = {}
        self.stack = [_Frame(dictionary.root, self.root, -1, 0)]
        self.errors = errors
        self.checker = checker
        self.index = 0
        self.structure = dictionary.exact  # a neighbouring version's structure is not a contract

    def _find(self, frame: _Frame, tag: str, seg: Segment, exact: bool) -> int | None:
        """The first child at or after the frame's position that takes this segment."""
        loop = frame.loop
        pos = frame.pos
        start = 0 if pos < 0 else max(loop.rewind[pos] if loop.rewind else pos, 1)
        children = loop.children
        for i in loop.index.get(tag, ()):
            if i < start:
                continue
            c = children[i]
            if not exact or _qual_ok(c if isinstance(c, SegmentSpec) else c.first, seg):
                return i
        return None

    def add(self, seg: Segment) -> None:
        """Place one segment (the next in the transaction)."""
        tag = seg[0]
        assert isinstance(tag, str)
        if not self.d.qualified:  # fast path: the current loop takes it
            top = self.stack[-1]
            i = self._find(top, tag, seg, False)
            if i is not None:
                self._enter(top, i, seg)
                self.index += 1
                return
        passes = (True, False) if self.d.qualified else (False,)
        for exact in passes:
            for depth in range(len(self.stack) - 1, -1, -1):
                i = self._find(self.stack[depth], tag, seg, exact)
                if i is not None:
                    while len(self.stack) > depth + 1:
                        self._close(self.stack.pop())
                    self._enter(self.stack[-1], i, seg)
                    self.index += 1
                    return
        self._unexpected(seg)
        self.index += 1

    def _enter(self, frame: _Frame, i: int, seg: Segment) -> None:
        """Put the segment at child ``i``: a segment position, or a new loop instance."""
        child = frame.loop.children[i]
        if self.errors is not None:
            self._missing(frame, frame.loop.rewind[i] if frame.loop.rewind else i)
        frame.counts[i] += 1
        frame.pos = i
        if isinstance(child, SegmentSpec):
            if self.errors is not None and frame.counts[i] > child.max:
                self._report(
                    SEGMENT_MAX_USE_EXCEEDED,
                    f"{child.tag} used more than {child.max} time(s)",
                    child.tag,
                )
            self._segment(frame, child, seg)
            return
        if self.errors is not None and frame.counts[i] == child.max + 1:
            self._report(
                LOOP_EXCEEDED,
                f"loop {child.id} repeats more than {child.max} time(s)",
                child.first.tag,
            )
        obj: dict[str, Any] = {}
        _put(frame, child.key, obj, single=False)
        inner = _Frame(child, obj, -1, self.index)
        self.stack.append(inner)
        self._enter(inner, 0, seg)

    def _segment(self, frame: _Frame, spec: SegmentSpec, seg: Segment) -> None:
        """Add a matched segment's object (and its element findings)."""
        _put(frame, spec.key, segment_object(spec, seg), single=spec.max == 1)
        if self.checker is not None and self.errors is not None:
            self.errors.extend(self.checker(spec, seg, self.index))

    def _unexpected(self, seg: Segment) -> None:
        """A segment no position here takes: under its bare tag, in input order."""
        tag = str(seg[0])
        frame = self.stack[-1]
        _put(frame, *_bare(seg), single=False)
        if self.errors is not None:
            where = f"in loop {frame.loop.id}" if frame.loop.id and len(self.stack) > 1 else "here"
            known = any(tag in f.loop.index for f in self.stack)
            what = "out of order" if known else "not in the dictionary's structure"
            self._report(SEGMENT_UNEXPECTED, f"segment {tag} unexpected {where} ({what})", tag)

    def _report(self, code: str, message: str, tag: str) -> None:
        """Record a structure finding at the current segment."""
        from parsers.content import location  # content imports this module

        assert self.errors is not None
        if not self.structure:
            return
        self.errors.append(EdiError(code, message, location(self.index, tag)))

    def _close(self, frame: _Frame) -> None:
        """A loop instance ends: report its missing mandatory children."""
        if self.errors is not None:
            self._missing(frame, len(frame.loop.children))

    def _missing(self, frame: _Frame, upto: int) -> None:
        """Report mandatory children in ``[checked, upto)`` that never occurred."""
        children = frame.loop.children
        for j in range(frame.checked, upto):
            c = children[j]
            if frame.counts[j] == 0 and c.req and not (isinstance(c, SegmentSpec) and c.unused):
                what = f"segment {c.tag}" if isinstance(c, SegmentSpec) else f"loop {c.id}"
                where = f" in loop {frame.loop.id}" if frame.loop.key else ""
                tag = c.tag if isinstance(c, SegmentSpec) else c.first.tag
                self._report(SEGMENT_MISSING, f"mandatory {what} missing{where}", tag)
        frame.checked = max(frame.checked, upto)

    def finish(self) -> dict[str, Any]:
        """Close every open loop and return the tree."""
        while self.stack:
            self._close(self.stack.pop())
        return self.root


def build_data(
    dictionary: Dictionary | None,
    segments: Sequence[Segment],
    errors: list[EdiError] | None = None,
    checker: Checker | None = None,
) -> dict[str, Any]:
    """The named tree of a transaction's segments (positional when no dictionary)."""
    if dictionary is None:
        root: dict[str, Any] = {}
        frame = _Frame(LoopSpec("", "", "", True, 1, ()), root, -1, 0)
        for seg in segments:
            _put(frame, *_bare(seg), single=False)
        return root
    m = Matcher(dictionary, errors, checker)
    for seg in segments:
        m.add(seg)
    return m.finish()


def _tag_of(key: str) -> str:
    """A segment key's tag: its last part holding an upper-case letter."""
    for part in reversed(key.split("_")):
        if _TAG.fullmatch(part):
            return part
    raise ValueError(f"no segment tag in key {key!r}")


def _pos_of(key: str) -> int:
    """An element or component key's position (its last ``_NN``)."""
    return int(key.rsplit("_", 1)[1])


def _unvalue(v: Any) -> str:
    """A simple value back to its text."""
    if isinstance(v, str):
        return v
    if "code" in v:
        return str(v["code"])
    return str(v["value"])


def _uncomposite(obj: dict[str, Any]) -> list[str]:
    """A composite object back to its components."""
    n = int(obj.get("_components", 0))
    items = {_pos_of(k): _unvalue(v) for k, v in obj.items() if not k.startswith("_")}
    size = max([n, *items])
    out = [""] * size
    for p, v in items.items():
        out[p - 1] = v
    return out


def _is_composite(v: Any) -> bool:
    """True for a composite object (not a code or value wrapper)."""
    return isinstance(v, dict) and "code" not in v and "value" not in v


def _unelement(v: Any) -> Element:
    """An element value back to the segments form."""
    if isinstance(v, list):
        return [_uncomposite(r) if _is_composite(r) else [_unvalue(r)] for r in v]
    if _is_composite(v):
        comps = _uncomposite(v)
        return comps[0] if len(comps) == 1 else comps
    return _unvalue(v)


def segment_from_object(tag: str, obj: dict[str, Any]) -> Segment:
    """One segment object back to the segments form."""
    n = int(obj.get("_elements", 0))
    items = {_pos_of(k): v for k, v in obj.items() if not k.startswith("_")}
    size = max([n, *items])
    out: Segment = [tag]
    out.extend([""] * size)
    for p, v in items.items():
        out[p] = _unelement(v)
    return out


def walk(obj: dict[str, Any]) -> Iterator[Segment]:
    """The segments of a loop object, in order."""
    for key, value in obj.items():
        if key.endswith("_loop"):
            for inner in value:
                yield from walk(inner)
        else:
            for item in value if isinstance(value, list) else [value]:
                yield segment_from_object(item["_tag"] if "_tag" in item else _tag_of(key), item)


def segments_from_data(data: dict[str, Any]) -> list[Segment]:
    """The inverse of :func:`build_data`: the exact original segments."""
    return list(walk(data))


def data_for_transaction(
    standard: str, version: str, type: str, segments: Sequence[Segment], validate: bool = True
) -> tuple[dict[str, Any], dict[str, Any] | None, list[EdiError]]:
    """``(data, dictionary descriptor or None, content findings)`` for the document builder."""
    from parsers.content import checker_for  # content imports this module

    d = lookup(standard, version, type)
    errors: list[EdiError] = []
    check = checker_for(d) if validate and d is not None else None
    data = build_data(d, segments, errors if check is not None else None, check)
    return data, (d.descriptor() if d is not None else None), errors
