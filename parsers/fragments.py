"""Per-loop fragments: one document per instance of a loop (837 claim 2300, 834 member 2000, ...).

``edi-mesh parse --fragment 837=2300`` and the partner setting ``fragments =
{"837" = "2300"}`` cut a transaction into one document per instance of that
loop of its dictionary (a HIPAA map loop id, an X12 004010 or EDIFACT loop id:
``2300``, ``2000``, ``2100``, ``HL``, ``SG29``). :class:`LoopFragmenter` takes the
transaction's segments in order (in parts, as the stream reads them) and places
them with the dictionary :class:`~parsers.data.Matcher` (structure only: no tree
is kept), so memory holds the header context and one loop instance, never the
transaction.

What a fragment holds (``segments``, and ``data`` built from them):

- the context: the segments of the instance's ancestor loops read before it (837
  2300: ST, BHT, submitter 1000A, receiver 1000B, billing provider 2000A with
  2010AA, subscriber 2000B with 2010BA/2010BB, patient 2000C with 2010CA), where a
  closed child loop is kept unless a fragment was cut from inside it (an earlier
  claim, an earlier subscriber with claims, is never copied into the next one);
- the loop instance, ``fragment.segments = [start, end)`` in the transaction
  (header = 0), after ``fragment.context`` context segments;
- segments after the instance that no later fragment's context holds (835 PLB,
  856 CTT, the trailer on the last fragment), so every segment of the
  transaction is in at least one fragment.

An ``HL`` loop whose HL segments nest by HL02 (856: shipment, order, pack, item)
is cut per top-level HL: an HL whose parent is in the open fragment continues it.

``fragment``: ``{index (1-based), count, of_id, loop, segments, context}``. The
whole transaction's content hash is only known at its trailer, so ``of_id`` is
the transaction's envelope key: the first 32 hex of ``sha256`` of
``"edi-mesh/transaction/1"``, partner id, standard, sender and receiver
(qualifier, id), interchange, group and transaction control numbers and type,
joined by U+001F. A fragment's ``id`` is the first 32 hex of ``sha256(of_id,
loop, index, sha256 of the fragment's segment text)``: deterministic, and a
changed claim changes its own fragment's id. ``count`` is the number of
fragments when the fragment is emitted after the transaction ended: always for
a transaction held in memory (the worker; ``edi-mesh parse`` when the fragments
fit in ``hold`` segments); a streamed transaction's fragments carry ``count:
null`` except the last. ``keys`` and ``hl`` are each fragment's own (computed over
its segments; ``hl`` indexes are into the fragment's ``segments``). A
transaction with no instance of the loop (or no dictionary knowing it) becomes
its ordinary whole document.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Final

from parsers.content import checker_for, rebase
from parsers.data import Matcher, build_data
from parsers.dictionary import Dictionary, LoopSpec, SegmentSpec, available, lookup
from parsers.documents import (
    build_transaction_documents,
    content_hash,
    envelope_document,
    envelope_material,
    hex32,
    split_segments,
)
from parsers.errors import EdiError
from parsers.keys import build_hl_tree, extract_keys
from parsers.model import Group, Interchange, Segment, Transaction
from parsers.tolerance import Tolerance

__all__ = [
    "DEFAULT_HOLD",
    "FragmentError",
    "LoopFragmenter",
    "TransactionFragments",
    "fragment_loop",
    "held_fragments",
    "loop_ids",
    "parse_fragments",
    "transaction_key",
]

DEFAULT_HOLD: Final = 20_000  # segments of fragments held (count known) before streaming
KEY_VERSION: Final = "edi-mesh/transaction/1"
_SEP: Final = "\x1f"
Item = tuple[int, str, Segment]  # (index in the transaction, segment text, split segment)


class FragmentError(ValueError):
    """A ``TYPE=LOOP`` fragment setting that cannot be used (the message says why)."""


def _loops(loop: LoopSpec) -> Iterable[str]:
    """Every loop id under ``loop``."""
    for c in loop.children:
        if isinstance(c, LoopSpec):
            yield c.id
            yield from _loops(c)


def loop_ids(type: str) -> set[str]:
    """The loop ids every shipped dictionary of ``type`` knows (HIPAA guides, 004010, D21A)."""
    idx = available()
    found: list[Dictionary | None] = []
    if type.isalpha():
        found.append(lookup("edifact", "D21A", type))
    else:
        found.append(lookup("x12", "004010", type))
        for key, info in idx["hipaa"].items():
            if info["id"] == type:
                found.append(lookup("x12", key.split("-")[0], type))
    out: set[str] = set()
    for d in found:
        if d is not None:
            out.update(_loops(d.root))
    return out


def parse_fragments(values: Iterable[str]) -> dict[str, str]:
    """``["837=2300", "834=2000"]`` -> ``{"837": "2300", ...}``, each loop checked against the dictionaries."""
    out: dict[str, str] = {}
    for raw in values:
        type_, sep, loop = (p.strip() for p in raw.partition("="))
        if not sep or not type_ or not loop:
            raise FragmentError(f"{raw!r}: expected TYPE=LOOP, e.g. 837=2300")
        type_ = type_.upper()
        check_fragment(type_, loop)
        if out.get(type_, loop) != loop:
            raise FragmentError(f"{type_}: two loops given ({out[type_]} and {loop})")
        out[type_] = loop
    return out


def check_fragment(type: str, loop: str) -> None:
    """Raise :class:`FragmentError` unless some dictionary of ``type`` has loop ``loop``."""
    known = loop_ids(type)
    if not known:
        raise FragmentError(f"{type}: no dictionary knows this transaction type")
    if loop not in known:
        shown = ", ".join(sorted(known)[:30])
        raise FragmentError(f"{type}: unknown loop {loop!r} (known: {shown})")


def fragment_loop(
    standard: str, version: str, type: str, fragments: Mapping[str, str]
) -> str | None:
    """The loop to cut this transaction by, when asked for and its dictionary knows it."""
    loop = fragments.get(type)
    if loop is None:
        return None
    d = lookup(standard, version, type)
    return loop if d is not None and loop in set(_loops(d.root)) else None


def transaction_key(
    interchange: Interchange, group: Group, tx: Transaction, partner_id: str
) -> str:
    """A transaction's envelope key (``of_id`` of its loop fragments; recipe in the module doc)."""
    material = envelope_material(interchange, group, tx, partner_id)
    return hex32(_SEP.join((KEY_VERSION, *material)))


class _Tracker(Matcher):
    """The matcher placing segments without building the tree (bounded memory)."""

    def _segment(self, frame: Any, spec: SegmentSpec, seg: Segment) -> None:
        """Only the element findings of a matched segment (no object kept)."""
        if self.checker is not None and self.errors is not None:
            self.errors.extend(self.checker(spec, seg, self.index))

    def _close(self, frame: Any) -> None:
        """Report missing children, then forget the loop objects the parent holds."""
        super()._close(frame)
        frame.obj.clear()
        if self.stack:
            self.stack[-1].obj.clear()


class _Level:
    """The context one open ancestor loop instance contributes."""

    __slots__ = ("cut", "frame", "items")

    def __init__(self, frame: Any) -> None:
        self.frame = frame
        self.items: list[Item] = []
        self.cut = False  # a fragment was cut from inside this instance


class _Fragment:
    """One loop instance with its context and the segments after it."""

    __slots__ = ("context", "items", "start", "trailing")

    def __init__(self, context: list[Item], first: Item) -> None:
        self.context = context
        self.items = [first]
        self.start = first[0]
        self.trailing: list[Item] = []

    def all(self) -> list[Item]:
        """Context, instance and trailing segments, in transaction order."""
        return [*self.context, *self.items, *self.trailing]


class LoopFragmenter:
    """Cuts one transaction's segments into per-loop fragments as they arrive."""

    def __init__(self, dictionary: Dictionary, loop: str, errors: list[EdiError] | None) -> None:
        checker = checker_for(dictionary) if errors is not None else None
        self.m = _Tracker(dictionary, errors, checker)
        self.loop = loop
        self.levels: list[_Level] = []
        self.open: _Fragment | None = None  # the instance being read
        self.frame: Any = None  # its matcher frame
        self.pending: _Fragment | None = None  # closed, waiting for segments after it
        self.since: list[Item] = []  # segments placed outside any instance since the last one
        self.hl_ids: set[str] = set()
        self.index = 0
        self.started = False

    def add(self, text: str, seg: Segment) -> list[_Fragment]:
        """Place the next segment; return the fragments now complete."""
        item = (self.index, text, seg)
        self.index += 1
        self.m.add(seg)
        stack = self.m.stack
        depth = next((i for i, f in enumerate(stack) if f.loop.id == self.loop), len(stack))
        self._sync(stack, depth)
        done: list[_Fragment] = []
        if depth == len(stack):
            if self.open is not None:
                self._close_open()
            self.levels[-1].items.append(item)
            if self.started:
                self.since.append(item)
            return done
        frame = stack[depth]
        if self.open is not None and (frame is self.frame or self._continues(seg)):
            self.open.items.append(item)
            self.frame = frame
            self._note_hl(seg)
            return done
        if self.open is not None:
            self._close_open()
        done.extend(self._start(frame, item))
        return done

    def _continues(self, seg: Segment) -> bool:
        """An HL whose parent (HL02) is in the open fragment continues it (856 per shipment)."""
        return seg[0] == "HL" and len(seg) > 2 and isinstance(seg[2], str) and seg[2] in self.hl_ids

    def _note_hl(self, seg: Segment) -> None:
        if seg[0] == "HL" and len(seg) > 1 and isinstance(seg[1], str):
            self.hl_ids.add(seg[1])

    def _sync(self, stack: list[Any], depth: int) -> None:
        """Mirror the open frames below the loop: fold or drop closed ones, open new ones."""
        levels = self.levels
        keep = 0
        while keep < len(levels) and keep < depth and levels[keep].frame is stack[keep]:
            keep += 1
        while len(levels) > keep:
            closed = levels.pop()
            if not closed.cut and levels:
                levels[-1].items.extend(closed.items)
        for i in range(keep, depth):
            levels.append(_Level(stack[i]))

    def _close_open(self) -> None:
        """The open instance ended: it waits for the segments after it."""
        self.pending = self.open
        self.open = None
        self.frame = None

    def _start(self, frame: Any, item: Item) -> list[_Fragment]:
        """A new instance starts: the previous one is complete."""
        context = [it for lvl in self.levels for it in lvl.items]
        for lvl in self.levels:
            lvl.cut = True
        done: list[_Fragment] = []
        if self.pending is not None:
            held = {it[0] for it in context}
            self.pending.trailing = [it for it in self.since if it[0] not in held]
            done.append(self.pending)
            self.pending = None
        self.since = []
        self.open = _Fragment(context, item)
        self.frame = frame
        self.hl_ids = set()
        self._note_hl(item[2])
        self.started = True
        return done

    def finish(self) -> list[_Fragment]:
        """End of the transaction: the last fragment, with what followed it."""
        self.m.finish()
        if self.open is not None:
            self._close_open()
        if self.pending is None:
            return []
        self.pending.trailing = self.since
        self.since = []
        last, self.pending = self.pending, None
        return [last]


class TransactionFragments:
    """The loop-fragment documents of one transaction, fed its segment text in parts."""

    def __init__(
        self,
        interchange: Interchange,
        group: Group,
        tx: Transaction,
        loop: str,
        *,
        partner: Mapping[str, Any] | None,
        source: Mapping[str, Any],
        only_warnings: bool = True,
        hold: int | None = DEFAULT_HOLD,
        validate: bool = False,
        with_data: bool = True,
        tolerance: Tolerance | None = None,
    ) -> None:
        self.ic, self.group, self.tx = interchange, group, tx
        self.std = str(interchange.standard)
        d = lookup(self.std, tx.version, tx.type)
        assert d is not None
        self.d = d
        self.loop = loop
        self.partner, self.source, self.only_warnings = partner, source, only_warnings
        self.findings: list[EdiError] = []
        self.reported = 0
        self.tolerance = tolerance
        self.cutter = LoopFragmenter(d, loop, self.findings if validate else None)
        self.hold = hold
        self.with_data = with_data
        self.held: list[_Fragment] | None = []  # None once streaming
        self.held_size = 0
        self.count = 0
        self.texts: list[str] | None = []  # every text until the first fragment (fallback)
        base = envelope_document(
            interchange, group, tx, partner=partner, source=source, only_warnings=only_warnings
        )
        self.base = base
        pub = base["partner"]
        self.of_id = transaction_key(interchange, group, tx, str(pub.get("id", "")) if pub else "")

    def feed(self, texts: list[str]) -> Iterator[dict[str, Any]]:
        """Take the next segment texts; return the documents ready to emit (streaming only)."""
        if not texts:
            return iter(())
        split, _tags = split_segments(texts, self.ic.delimiters)
        if self.texts is not None:
            self.texts.extend(texts)
        done: list[_Fragment] = []
        add = self.cutter.add
        for text, seg in zip(texts, split, strict=True):
            done.extend(add(text, seg))
        if self.cutter.started:
            self.texts = None
        return self._release(done, last=False)

    def new_findings(self) -> list[EdiError]:
        """Content findings (``validate``) not returned yet, located in the input and judged."""
        fresh = rebase(self.findings[self.reported :], self.tx.index)
        self.reported = len(self.findings)
        return [self.tolerance.apply(e) for e in fresh] if self.tolerance is not None else fresh

    def finish(self) -> Iterator[dict[str, Any]]:
        """The transaction ended: the remaining documents (its whole document when not cut)."""
        done = self.cutter.finish()
        if not self.cutter.started:
            tx = self.tx
            whole = Transaction(
                tx.type, tx.control, tx.version, self.texts or [], tx.offset, tx.index, tx.errors
            )
            return iter(
                build_transaction_documents(
                    self.ic,
                    self.group,
                    whole,
                    partner=self.partner,
                    source=self.source,
                    with_data=self.with_data,
                )
            )
        return self._release(done, last=True)

    def _release(self, done: list[_Fragment], last: bool) -> Iterator[dict[str, Any]]:
        """Documents of completed fragments (built lazily): held while they fit in ``hold``."""
        if self.held is not None:
            self.held.extend(done)
            self.held_size += sum(len(f.context) + len(f.items) + len(f.trailing) for f in done)
            if not last and (self.hold is None or self.held_size <= self.hold):
                return iter(())
            done, self.held = self.held, None
        first = self.count + 1
        self.count += len(done)
        total = self.count if last else None
        return (self._document(f, first + i, total) for i, f in enumerate(done))

    def _document(self, f: _Fragment, index: int, count: int | None) -> dict[str, Any]:
        """One fragment's document."""
        items = f.all()
        texts = [it[1] for it in items]
        segs = [it[2] for it in items]
        tags = [str(s[0]) for s in segs]
        doc = dict(self.base)
        found = [*self.ic.errors, *self.group.errors, *self.tx.errors]
        doc["errors"] = [e.to_dict() for e in found if not (self.only_warnings and e.rejects)]
        doc["id"] = hex32(
            _SEP.join((self.of_id, self.loop, str(index), content_hash("\n".join(texts))))
        )
        doc["keys"] = extract_keys(self.std, self.tx.type, segs, tags)
        doc["hl"] = build_hl_tree(self.std, segs, tags)
        doc["fragment"] = {
            "index": index,
            "count": count,
            "of_id": self.of_id,
            "loop": self.loop,
            "segments": [f.start, f.start + len(f.items)],
            "context": len(f.context),
        }
        doc["segments"] = segs
        doc["data"] = build_data(self.d, segs)
        doc["dictionary"] = self.d.descriptor()
        return doc


def held_fragments(
    interchange: Interchange,
    group: Group,
    tx: Transaction,
    loop: str,
    *,
    partner: Mapping[str, Any] | None,
    source: Mapping[str, Any],
    only_warnings: bool,
) -> list[dict[str, Any]] | None:
    """The loop fragments of a transaction held in memory (count on each); None when not cut."""
    std = str(interchange.standard)
    if fragment_loop(std, tx.version, tx.type, {tx.type: loop}) is None:
        return None
    tf = TransactionFragments(
        interchange,
        group,
        tx,
        loop,
        partner=partner,
        source=source,
        only_warnings=only_warnings,
        hold=None,
    )
    docs = list(tf.feed(tx.segments))
    if not tf.cutter.started:
        return None  # no instance of the loop: the caller builds the ordinary document(s)
    docs.extend(tf.finish())
    return docs
