"""Documents whose ``segments`` and ``data`` JSON the compiled core writes.

The hot part of a document is its body: every segment split into elements and
encoded, and the named ``data`` tree matched against the dictionary. With the
core (:mod:`parsers.accel`) both come back from Rust as JSON bytes
(``edi_mesh_core.render_body``), byte-identical to ``orjson.dumps`` of what
:mod:`parsers.documents` and :mod:`parsers.data` build; Python keeps the small
per-transaction part (envelope fields, id, keys, HL tree) and splices the bytes
in. Keys and the HL tree get a :class:`LazySegments`: the core writes their JSON
for the common types (``keys_json``, ``hl_tree``; spliced as ``orjson.Fragment``) or
reads the values they need in batches (``component_values``), and a segment is split
in Python only on direct access (the fallbacks). The core declines
(None) what it does not reproduce exactly (text that is no valid UTF-8, a text
holding the release character and one of ``parsers.segments._SENTINELS``, ...);
those transactions take the Python path, the reference.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Final, overload

import orjson

from parsers import accel
from parsers.dictionary import Dictionary, lookup
from parsers.keys import encoded_hl_tree, encoded_keys, extract_keys
from parsers.keys_common import comp, el
from parsers.model import Delimiters, Group, Interchange, Segment, Transaction
from parsers.segments import split_segment

__all__ = ["LazySegments", "core_dictionary", "render_with_core"]

# The compiled dictionaries handed to the core, by the id of their (shared, cached) root.
_CORE_DICTIONARIES: dict[int, tuple[object, Any]] = {}
_SEGMENTS: Final = b',"segments":'


class LazySegments(Sequence[Segment]):
    """A transaction's split segments, each split (by ``split_segment``) on first access."""

    __slots__ = ("_d", "_split", "_texts")

    def __init__(self, texts: list[str], d: Delimiters) -> None:
        """Wrap the segment texts of one transaction and its interchange's delimiters."""
        self._texts = texts
        self._d = d
        self._split: list[Segment | None] = [None] * len(texts)

    def __len__(self) -> int:
        return len(self._texts)

    @overload
    def __getitem__(self, i: int) -> Segment: ...

    @overload
    def __getitem__(self, i: slice) -> list[Segment]: ...

    def __getitem__(self, i: int | slice) -> Segment | list[Segment]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self._texts)))]
        seg = self._split[i]  # negative indexes and IndexError as a list's
        if seg is None:
            seg = self._split[i] = split_segment(self._texts[i], self._d)
        return seg

    def __iter__(self) -> Iterator[Segment]:
        return (self[i] for i in range(len(self._texts)))

    def values(
        self, positions: list[int], indexes: tuple[int, ...]
    ) -> list[tuple[str | None, ...]]:
        """``tuple(el(self[p], i) for i in indexes)`` per position: from the core when it can."""
        return self.comps(positions, tuple((i, 1) for i in indexes))

    def comps(
        self, positions: list[int], specs: tuple[tuple[int, int], ...]
    ) -> list[tuple[str | None, ...]]:
        """``tuple(comp(self[p], i, j) for i, j in specs)`` per position: from the core when it can."""
        read = getattr(accel.CORE, "component_values", None)  # absent from an older core
        if read is not None:
            d = self._d
            got: list[tuple[str | None, ...]] | None = read(
                self._texts, positions, list(specs), d.element, d.component, d.repetition,
                d.release,
            )  # fmt: skip
            if got is not None:
                return got
        return [tuple(comp(self[p], i, j) for i, j in specs) for p in positions]

    def keys_json(self, x12: bool, type: str) -> bytes | None:
        """The core's ``orjson.dumps(extract_keys(...))`` of these segments, or None."""
        write = getattr(accel.CORE, "keys_json", None)  # absent from an older core
        if write is None:
            return None
        d = self._d
        got: bytes | None = write(
            self._texts, x12, type, d.element, d.component, d.repetition, d.release
        )
        return got

    def hl_json(
        self, starts: list[int], body_end: int, levels: dict[str, str], max_depth: int
    ) -> bytes | None:
        """The core's ``orjson.dumps(build_hl_tree(...))`` of the HL / CPS at ``starts``, or None."""
        tree = getattr(accel.CORE, "hl_tree", None)  # absent from an older core
        if tree is None:
            return None
        d = self._d
        got: bytes | None = tree(
            self._texts, starts, body_end, levels, max_depth, d.element, d.component,
            d.repetition, d.release,
        )  # fmt: skip
        return got

    def first_is(self, i: int, tag: str, value: str) -> bool:
        """``keys_common.el(self[i], 1) == value`` for segment ``i`` (tagged ``tag``), unsplit.

        Element 1's first component (of its first repeat) is the text after the tag up to
        the next element, component or repetition separator, as ``split_segment`` cuts it
        (an ISA is cut by the element separator only); released text is split as usual.
        """
        text = self._texts[i]
        d = self._d
        if d.release is not None and d.release in text:
            return el(self[i], 1) == value
        k = len(tag) + 1
        end = k + len(value)
        if not value or not text.startswith(value, k):
            return False
        if end == len(text):
            return True
        after = text[end]
        return after == d.element or (
            tag != "ISA" and (after == d.component or after == d.repetition)
        )


def core_dictionary(d: Dictionary) -> Any:
    """The core's copy of a compiled dictionary (built once per compiled structure)."""
    assert accel.CORE is not None
    key = id(d.root)
    got = _CORE_DICTIONARIES.get(key)
    if got is None or got[0] is not d.root:
        got = (d.root, accel.CORE.CoreDictionary(d))
        _CORE_DICTIONARIES[key] = got
    return got[1]


def _body(
    tx: Transaction, d: Delimiters, dictionary: Dictionary | None, with_data: bool
) -> tuple[list[str], bytes, memoryview, bytes | None] | None:
    """The core's ``(tags, segments JSON, segment ends, data JSON)``, or None when it declines."""
    core = accel.CORE
    render_body = getattr(core, "render_body", None)  # absent from a core built before it
    if render_body is None or not tx.segments:
        return None
    cd = core_dictionary(dictionary) if with_data and dictionary is not None else None
    got = render_body(tx.segments, d.element, d.component, d.repetition, d.release, cd, with_data)
    if got is None:
        return None
    tags, seg_json, ends, data_json = got
    return tags, seg_json, memoryview(ends).cast("I"), data_json


def _slice(seg_json: bytes, ends: memoryview, start: int, end: int) -> bytes:
    """The JSON array of segments ``[start, end)`` cut out of the whole array's bytes."""
    first = ends[start - 1] + 1 if start else 1
    return b"[" + seg_json[first : ends[end - 1]] + b"]"


def _splice(base: dict[str, Any], tail: bytes) -> bytes:
    """``base`` encoded by orjson with ``tail`` (``,"key":value...``) added as its last fields."""
    head = orjson.dumps(base)
    return head[:-1] + tail + b"}"


def render_with_core(
    interchange: Interchange,
    group: Group,
    tx: Transaction,
    *,
    partner: Mapping[str, Any] | None,
    source: Mapping[str, Any],
    max_segments: int | None,
    only_warnings: bool,
    with_data: bool,
) -> list[tuple[str, bytes]] | None:
    """``(id, JSON)`` per document of ``tx`` (size fragments included), or None for Python's path.

    The same bytes as :func:`parsers.documents.render_transaction` without loop fragments.
    """
    from parsers import documents as docs  # documents dispatches here

    standard = str(interchange.standard)
    dictionary = lookup(standard, tx.version, tx.type) if with_data else None
    limit = len(tx.segments) if max_segments is None else max_segments
    whole = len(tx.segments) <= limit
    body = _body(tx, interchange.delimiters, dictionary, with_data and whole)  # fragments: no data
    if body is None:
        return None
    tags, seg_json, ends, data_json = body
    segs = LazySegments(tx.segments, interchange.delimiters)
    base = docs.envelope_document(
        interchange, group, tx, partner=partner, source=source, only_warnings=only_warnings
    )
    del base["segments"]  # written by the core, spliced in after "source"
    pub = base["partner"]
    partner_id = str(pub.get("id", "")) if pub else ""
    doc_id = docs.document_id(interchange, group, tx, partner_id=partner_id)
    hl = encoded_hl_tree(standard, segs, tags)
    # Fragments after the first carry scalar_keys(keys): those need the dict.
    keys = None if whole else extract_keys(standard, tx.type, segs, tags)
    whole_keys = encoded_keys(standard, tx.type, segs, tags) if keys is None else keys
    base.update(id=doc_id, keys=whole_keys, hl=hl)
    descriptor = b""
    if with_data:
        desc = dictionary.descriptor() if dictionary is not None else None
        descriptor = b',"dictionary":' + orjson.dumps(desc)
    if whole:
        data = b',"data":' + (data_json or b"null") + descriptor if with_data else b""
        return [(doc_id, _splice(base, _SEGMENTS + seg_json + data))]
    bounds = docs.tag_bounds(tags, limit)
    data = b',"data":null' + descriptor if with_data else b""
    count = len(bounds)
    out: list[tuple[str, bytes]] = []
    for index, (start, end) in enumerate(bounds, start=1):
        fid = docs.fragment_id(doc_id, index, count, start, end)
        frag = dict(base)
        frag.update(
            id=fid,
            keys=keys if index == 1 or keys is None else docs.scalar_keys(keys),
            hl=hl if index == 1 else None,
            fragment={"index": index, "count": count, "of_id": doc_id, "segments": [start, end]},
        )
        out.append((fid, _splice(frag, _SEGMENTS + _slice(seg_json, ends, start, end) + data)))
    return out
