"""Turn parsed transactions into the JSON documents the agents consume.

One document per X12 transaction set / EDIFACT message (or per fragment of a
huge one), shaped as DESIGN.md "The document on an agent topic" says and as
``parsers/document.schema.json`` describes. :func:`render_documents` (and
:func:`render_transaction`) is the worker's hot path: raw segment text to
orjson bytes, measured at 0.8-1.3 million segments/s per core (run
``python -m benchmarks.documents_bench``). Elements and composites are split
by comprehensions of C string methods; only segments with a repetition or
release character go through ``split_segment``; tag searches for keys and the
HL tree use ``list.index``; the cyclic GC is paused while building.

Document id (deterministic: dedup and replay rely on it). The 32 lowercase hex
characters of ``sha256(material)`` where ``material`` is, joined by U+001F::

    "edi-mesh/document/1", partner id ("" without a partner), standard,
    sender qualifier, sender id, receiver qualifier, receiver id,
    interchange control, group control ("" for EDIFACT without UNG),
    transaction control, transaction type,
    sha256 hex of the transaction's segment text joined by "\\n" (UTF-8)

Segment text is as the tokenizer keeps it (terminator and surrounding
whitespace removed), so re-sending the same interchange, even with other line
breaks or a new file name, ingest id or arrival time, yields the same ids, and
changing one byte of a transaction changes that transaction's id only. The
delimiters are part of the text: the same content re-sent with other
delimiters gets other ids.

Fragments. A transaction with more than ``max_segments`` segments (default
20,000) becomes several documents, each with a contiguous slice of
``segments`` and ``fragment: {index (1-based), count, of_id, segments: [start,
end)}`` where ``of_id`` is the whole transaction's id and ``segments`` the
slice's indexes in the transaction (header = 0). A fragment's id is the first
32 hex of ``sha256(of_id, index, count, start, end)`` joined by U+001F. Slices
end just before a loop-start segment (HL, LX, CLM, CLP, INS, PO1, IT1, LIN,
CPS) when one lies in the slice's second half, so loops are rarely cut.
``keys`` are computed over the whole transaction: the first fragment carries
them all, later ones every key but the lists (ids, claims, members: an 834's
member list would otherwise be copied onto each of its fragments), so agents
can filter any fragment on the scalar keys; the ``hl`` tree is on the first
fragment only (its indexes are transaction indexes; later fragments carry
``hl: null``).
Why 20,000: documents measure 30-70 JSON bytes per segment (corpus and
generated mixes), so a fragment is at most about 0.6-1.4 MB: one Kafka
record the producer and broker accept once ``max_request_size`` /
``message.max.bytes`` are set to 2 MB (Kafka's 1 MB default is too small for
the largest fragments; lower ``max_segments`` where it cannot be raised), and
still a size one agent can read. Ordinary transactions (an 850, 810, 997, an
837 of a few hundred claims) stay whole; only the 837s, 856s and catalogues
of several thousand loops are cut, and an agent gets them in pieces it can
process in order.

Per-loop fragments (``fragments={"837": "2300"}``: one document per loop
instance with its header context) are :mod:`parsers.fragments`'; a loop
fragment is not cut again by size.
"""

from __future__ import annotations

import gc
import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, Final

import orjson

from parsers import accel
from parsers.acks_inbound import ta1_segments
from parsers.core_documents import render_with_core
from parsers.keys import build_hl_tree, extract_keys
from parsers.model import Delimiters, Group, Interchange, Segment, Standard, Transaction
from parsers.names import guide_of, name_of
from parsers.segments import split_segment

__all__ = [
    "DEFAULT_MAX_SEGMENTS",
    "ID_VERSION",
    "build_document",
    "build_documents",
    "build_transaction_documents",
    "content_hash",
    "document_id",
    "envelope_document",
    "envelope_material",
    "fragment_bounds",
    "fragment_id",
    "hex32",
    "public_partner",
    "render_documents",
    "render_transaction",
    "scalar_keys",
    "split_segments",
    "tag_bounds",
]

DEFAULT_MAX_SEGMENTS: Final = 20_000
ID_VERSION: Final = "edi-mesh/document/1"
SOURCE_FIELDS: Final = ("channel", "filename", "sha256", "ingest_id", "received_at")
# Loop-start tags a fragment prefers to begin with.
_CUT_TAGS: Final = frozenset({"HL", "LX", "CLM", "CLP", "INS", "PO1", "IT1", "LIN", "CPS"})
# Partner-table fields never copied into documents (credentials and their hashes).
_SECRET_MARKERS: Final = (
    "api_key",
    "secret",
    "password",
    "token",
    "sha256",
    "credential",
    "sftp",  # sftp_public_keys, sftp_password_hash: transport credentials
    "outbound_",  # outbound_sftp: the partner's server, user and key file
)
_SEP: Final = "\x1f"


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building documents.

    Documents are acyclic lists and dicts of strings (reference counting frees
    them), but building one allocates a list per segment, and every 700
    allocations CPython runs a collection that, as the young objects pile up,
    escalates to traversing the whole heap. Pausing it made rendering a
    110k-segment EDIFACT file about 3.5x faster. Re-enabled on exit only if it
    was enabled on entry.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def split_segments(
    texts: list[str], d: Delimiters, joined: str | None = None
) -> tuple[list[Segment], list[str]]:
    """Split every segment, and list their tags: same result as ``split_segment`` on each.

    Plain segments are split by the compiled core (:mod:`parsers.accel`) or a
    comprehension of C string methods; only segments holding a repetition or
    release character (or an anomaly: a component separator in the tag, an ISA
    inside a transaction) go through ``split_segment`` itself. ``joined`` is
    ``"\n".join(texts)`` when the caller already has it.
    """
    if joined is None:
        joined = "\n".join(texts)
    comp = d.component if d.component and d.component in joined else None
    core = accel.CORE  # without composites Python's C-level str.split is as fast: keep it
    got = core.split_segments(texts, d.element, comp) if core is not None and comp else None
    out, tags, redo_comp = got if got is not None else _split_plain(texts, d.element, comp)
    redo: set[int] = set(redo_comp)
    for c in (d.repetition, d.release):
        if c and c in joined:
            redo.update([i for i, t in enumerate(texts) if c in t])
    for i in redo:
        seg = split_segment(texts[i], d)
        out[i] = seg
        tags[i] = seg[0]  # type: ignore[assignment]
    return out, tags


def _split_plain(
    texts: list[str], el: str, comp: str | None
) -> tuple[list[Segment], list[str], list[int]]:
    """The pure-Python plain split: (segments, tags, indexes to re-split for ``comp``)."""
    out: list[Segment]
    if comp:
        out = [
            [p.split(comp) if comp in p else p for p in t.split(el)] if comp in t else t.split(el)  # type: ignore[misc]
            for t in texts
        ]
    else:
        out = [t.split(el) for t in texts]  # type: ignore[misc]
    tags: list[str] = [s[0] for s in out]  # type: ignore[misc]
    redo: list[int] = []
    if comp and (len(set(map(type, tags))) > 1 or "ISA" in tags):
        redo = [i for i, tag in enumerate(tags) if not isinstance(tag, str) or tag == "ISA"]
    return out, tags, redo


def content_hash(joined: str) -> str:
    return hashlib.sha256(joined.encode("utf-8", "surrogatepass")).hexdigest()


def hex32(material: str) -> str:
    return hashlib.sha256(material.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def document_id(
    interchange: Interchange,
    group: Group,
    transaction: Transaction,
    *,
    partner_id: str = "",
    content_sha256: str | None = None,
) -> str:
    """The deterministic id of a transaction's document (recipe in the module docstring)."""
    digest = content_sha256 or content_hash("\n".join(transaction.segments))
    return hex32(
        _SEP.join(
            (ID_VERSION, *envelope_material(interchange, group, transaction, partner_id), digest)
        )
    )


def envelope_material(
    interchange: Interchange, group: Group, transaction: Transaction, partner_id: str
) -> tuple[str, ...]:
    """What names a transaction in its envelope: partner, standard, parties, controls, type."""
    return (
        partner_id,
        str(interchange.standard),
        interchange.sender.qualifier,
        interchange.sender.id,
        interchange.receiver.qualifier,
        interchange.receiver.id,
        interchange.control,
        group.control,
        transaction.control,
        transaction.type,
    )


@lru_cache(maxsize=1024)
def _secret_field(key: str) -> bool:
    """True for a partner-table field name that holds a credential (decided once per name)."""
    low = key.lower()
    return any(m in low for m in _SECRET_MARKERS)


def public_partner(partner: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The partner-table entry without credentials (no api key hashes on agent topics)."""
    if partner is None:
        return None
    return {k: v for k, v in partner.items() if not _secret_field(k)}


def fragment_bounds(segments: list[Segment], max_segments: int) -> list[tuple[int, int]]:
    """``[start, end)`` slices of at most ``max_segments``, preferring cuts before loop starts."""
    return tag_bounds([s[0] for s in segments], max_segments)  # type: ignore[misc]


def tag_bounds(tags: Sequence[str], max_segments: int) -> list[tuple[int, int]]:
    """:func:`fragment_bounds` from the segments' tags alone."""
    n = len(tags)
    if max_segments < 1:
        raise ValueError("max_segments must be >= 1")
    if n <= max_segments:
        return [(0, n)]
    bounds: list[tuple[int, int]] = []
    start = 0
    while start < n:
        end = min(start + max_segments, n)
        if end < n:
            floor = start + max_segments // 2
            for j in range(end, floor, -1):
                if tags[j] in _CUT_TAGS:
                    end = j
                    break
        bounds.append((start, end))
        start = end
    return bounds


def fragment_id(of_id: str, index: int, count: int, start: int, end: int) -> str:
    """A size fragment's id (recipe in the module docstring)."""
    return hex32(_SEP.join((of_id, str(index), str(count), str(start), str(end))))


def scalar_keys(keys: Mapping[str, Any]) -> dict[str, Any]:
    """The keys a size fragment after the first carries: every key but the lists."""
    return {k: v for k, v in keys.items() if not isinstance(v, list)}


def _errors(
    interchange: Interchange, group: Group, tx: Transaction, only_warnings: bool
) -> list[dict[str, Any]]:
    found = [*interchange.errors, *group.errors, *tx.errors]
    return [e.to_dict() for e in found if not (only_warnings and e.rejects)]


def _source(source: Mapping[str, Any]) -> dict[str, Any]:
    return {f: source.get(f) for f in SOURCE_FIELDS}


def _functional_group(group: Group) -> dict[str, Any] | None:
    if group.implicit:
        return None
    return {
        "id": group.functional_id,
        "sender": group.sender,
        "receiver": group.receiver,
        "date": group.date,
        "time": group.time,
        "version": group.version,
    }


def envelope_document(
    interchange: Interchange,
    group: Group,
    tx: Transaction,
    *,
    partner: Mapping[str, Any] | None,
    source: Mapping[str, Any],
    only_warnings: bool,
) -> dict[str, Any]:
    """A document's envelope fields (no id, keys, hl or segments): shared with loop fragments."""
    standard = str(interchange.standard)
    guide = guide_of(tx.version, tx.type) if standard == "x12" else None
    return {
        "id": "",
        "standard": standard,
        "type": tx.type,
        "name": name_of(standard, tx.type, tx.version),
        "version": tx.version,
        "guide": None
        if guide is None
        else {"code": guide.code, "short": guide.short, "name": guide.name},
        "partner": public_partner(partner),
        "sender": {"qualifier": interchange.sender.qualifier, "id": interchange.sender.id},
        "receiver": {"qualifier": interchange.receiver.qualifier, "id": interchange.receiver.id},
        "control": {
            "interchange": interchange.control,
            "group": group.control,
            "transaction": tx.control,
        },
        "test": interchange.test,
        "date": interchange.date,
        "time": interchange.time,
        "functional_group": _functional_group(group),
        "keys": None,
        "hl": None,
        "fragment": None,
        "errors": _errors(interchange, group, tx, only_warnings),
        "source": _source(source),
        "segments": [],
    }


def _documents(
    interchange: Interchange,
    group: Group,
    tx: Transaction,
    *,
    partner: Mapping[str, Any] | None,
    source: Mapping[str, Any],
    max_segments: int | None,
    only_warnings: bool,
    with_data: bool = False,
    fragments: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """The document(s) of one transaction: one, its loop fragments, or its size fragments."""
    if fragments and tx.type in fragments:
        from parsers.fragments import held_fragments  # fragments builds on this module

        held = held_fragments(
            interchange,
            group,
            tx,
            fragments[tx.type],
            partner=partner,
            source=source,
            only_warnings=only_warnings,
        )
        if held is not None:
            return held
    standard = str(interchange.standard)
    joined = "\n".join(tx.segments)
    split, tags = split_segments(tx.segments, interchange.delimiters, joined)
    base = envelope_document(
        interchange, group, tx, partner=partner, source=source, only_warnings=only_warnings
    )
    pub = base["partner"]
    partner_id = str(pub.get("id", "")) if pub else ""
    doc_id = document_id(
        interchange, group, tx, partner_id=partner_id, content_sha256=content_hash(joined)
    )
    hl = build_hl_tree(standard, split, tags)
    base.update(id=doc_id, keys=extract_keys(standard, tx.type, split, tags), hl=hl)
    base["segments"] = split
    whole = max_segments is None or len(split) <= max_segments
    if with_data:
        _add_data(base, standard, tx, split, whole)
    if max_segments is None or whole:
        return [base]
    bounds = fragment_bounds(split, max_segments)
    count = len(bounds)
    out: list[dict[str, Any]] = []
    for index, (start, end) in enumerate(bounds, start=1):
        doc = dict(base)
        doc["id"] = fragment_id(doc_id, index, count, start, end)
        doc["hl"] = hl if index == 1 else None
        if index > 1:
            doc["keys"] = scalar_keys(base["keys"])
        doc["fragment"] = {
            "index": index,
            "count": count,
            "of_id": doc_id,
            "segments": [start, end],
        }
        doc["segments"] = split[start:end]
        out.append(doc)
    return out


def _add_data(
    doc: dict[str, Any], standard: str, tx: Transaction, split: list[Segment], whole: bool
) -> None:
    """Set ``data`` (the named tree) and ``dictionary`` (its descriptor, or None) on ``doc``.

    A size fragment carries ``data: null`` (its slice is no tree of its own; per-loop
    fragments with their loop's data are a later step) but still names the dictionary.
    Content findings are not computed here: validation (``standard`` level) owns them.
    """
    from parsers.data import data_for_transaction
    from parsers.dictionary import lookup

    if whole:
        data, descriptor, _ = data_for_transaction(
            standard, tx.version, tx.type, split, validate=False
        )
        doc["data"], doc["dictionary"] = data, descriptor
        return
    d = lookup(standard, tx.version, tx.type)
    doc["data"], doc["dictionary"] = None, (d.descriptor() if d is not None else None)


def _transaction_documents(
    interchange: Interchange,
    group: Group,
    transaction: Transaction,
    partner: Mapping[str, Any] | None,
    source: Mapping[str, Any],
    max_segments: int | None,
    with_data: bool = False,
    fragments: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """One transaction's document(s), every error included, built with the collector paused."""
    with _gc_paused():
        return _documents(
            interchange,
            group,
            transaction,
            partner=partner,
            source=source,
            max_segments=max_segments,
            only_warnings=False,
            with_data=with_data,
            fragments=fragments,
        )


def build_document(
    interchange: Interchange,
    group: Group,
    transaction: Transaction,
    *,
    partner: Mapping[str, Any] | None,
    source: Mapping[str, Any],
    with_data: bool = False,
) -> dict[str, Any]:
    """The whole (never fragmented) document of one transaction, as a dict."""
    return _transaction_documents(
        interchange, group, transaction, partner, source, None, with_data
    )[0]


def build_transaction_documents(
    interchange: Interchange,
    group: Group,
    transaction: Transaction,
    *,
    partner: Mapping[str, Any] | None,
    source: Mapping[str, Any],
    max_segments: int = DEFAULT_MAX_SEGMENTS,
    with_data: bool = False,
    fragments: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """The document of one transaction, or its fragments (per loop, or past ``max_segments``)."""
    return _transaction_documents(
        interchange, group, transaction, partner, source, max_segments, with_data, fragments
    )


def render_transaction(
    interchange: Interchange,
    group: Group,
    transaction: Transaction,
    *,
    partner: Mapping[str, Any] | None,
    source: Mapping[str, Any],
    max_segments: int = DEFAULT_MAX_SEGMENTS,
    with_data: bool = False,
    fragments: Mapping[str, str] | None = None,
) -> list[tuple[str, bytes]]:
    """``(id, orjson bytes)`` per document of one transaction (fragments included), for producers.

    ``with_data`` adds ``data`` and ``dictionary`` (see :func:`_add_data`); ``fragments``
    (type -> loop id) cuts those types per loop instance (``parsers.fragments``).
    """
    dumps = orjson.dumps
    with _gc_paused():
        if not (fragments and transaction.type in fragments):
            fast = render_with_core(
                interchange,
                group,
                transaction,
                partner=partner,
                source=source,
                max_segments=max_segments,
                only_warnings=False,
                with_data=with_data,
            )
            if fast is not None:
                return fast
        docs = _transaction_documents(
            interchange, group, transaction, partner, source, max_segments, with_data, fragments
        )
        out = [(str(d["id"]), dumps(d)) for d in docs]
        del docs
    return out


def _selected(interchange: Interchange, only_accepted: bool) -> Iterable[tuple[Group, Transaction]]:
    if only_accepted and not interchange.accepted:
        return
    for group in interchange.groups:
        if only_accepted and not group.accepted:
            continue
        for tx in group.transactions:
            if not only_accepted or tx.accepted:
                yield group, tx


def build_documents(
    interchange: Interchange,
    *,
    partner: Mapping[str, Any] | None,
    source: Mapping[str, Any],
    max_segments: int = DEFAULT_MAX_SEGMENTS,
    only_accepted: bool = True,
    with_data: bool = False,
    fragments: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """Every document of an interchange, fragments included, in input order.

    ``with_data`` adds the named ``data`` tree and its ``dictionary`` descriptor.

    With ``only_accepted`` (the default) transactions rejected by an error of
    their own, their group or the interchange are left out (they go to the dead
    letter topic instead) and ``errors`` lists only non-rejecting warnings.
    Fragments of one transaction share their ``keys``, ``partner``, ``source``
    and ``errors`` objects: treat the dicts as read-only.
    """
    out: list[dict[str, Any]] = []
    with _gc_paused():
        for group, tx in _selected(interchange, only_accepted):
            out.extend(
                _documents(
                    interchange,
                    group,
                    tx,
                    partner=partner,
                    source=source,
                    max_segments=max_segments,
                    only_warnings=only_accepted,
                    with_data=with_data,
                    fragments=fragments,
                )
            )
    return out


def render_documents(
    interchange: Interchange,
    *,
    partner: Mapping[str, Any] | None,
    source: Mapping[str, Any],
    max_segments: int = DEFAULT_MAX_SEGMENTS,
    only_accepted: bool = True,
    with_data: bool = False,
    fragments: Mapping[str, str] | None = None,
) -> list[bytes]:
    """:func:`build_documents` encoded with orjson: one ``bytes`` value per Kafka record.

    Transactions the compiled core takes (:mod:`parsers.core_documents`) are written
    by it, the others built as dicts and encoded here: the same bytes either way.
    """
    dumps = orjson.dumps
    out: list[bytes] = []
    with _gc_paused():
        for group, tx in _selected(interchange, only_accepted):
            fast = None
            if not (fragments and tx.type in fragments):
                fast = render_with_core(
                    interchange,
                    group,
                    tx,
                    partner=partner,
                    source=source,
                    max_segments=max_segments,
                    only_warnings=only_accepted,
                    with_data=with_data,
                )
            if fast is not None:
                out.extend(b for _, b in fast)
                continue
            docs = _documents(
                interchange,
                group,
                tx,
                partner=partner,
                source=source,
                max_segments=max_segments,
                only_warnings=only_accepted,
                with_data=with_data,
                fragments=fragments,
            )
            out.extend(dumps(doc) for doc in docs)
            del docs  # freed while the collector is paused: it never sees them
    return out


def render_ta1(
    interchange: Interchange,
    data: bytes,
    *,
    partner: Mapping[str, Any] | None,
    source: Mapping[str, Any],
) -> list[tuple[str, bytes]]:
    """``(id, JSON)`` per TA1 segment of an X12 interchange: a TA1 is no transaction set, but
    agents (and the acknowledgements topic) still want one document per interchange acknowledgment.

    Each is shaped like any document: type ``TA1``, no functional group,
    ``control.transaction`` = TA101 (the acknowledged interchange), one segment.
    """
    from parsers.writer import write_segment

    if interchange.standard is not Standard.X12:
        return []
    group = Group(
        "",
        "",
        interchange.version,
        "",
        "",
        "",
        "",
        interchange.offset,
        interchange.index,
        implicit=True,
    )
    out: list[tuple[str, bytes]] = []
    d = interchange.delimiters
    for seg in ta1_segments(interchange, data):
        text = write_segment(seg, d)
        tx = Transaction(
            "TA1",
            str(seg[1]) if len(seg) > 1 else "",
            interchange.version,
            [text],
            interchange.offset,
            interchange.index,
        )
        out.extend(render_transaction(interchange, group, tx, partner=partner, source=source))
    return out
