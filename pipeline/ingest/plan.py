"""Planning an input in bounded memory, whatever its size: pass 1 decides, pass 2 delivers.

1. *plan* (:func:`plan_input`): the envelope machine (:func:`parsers.stream.events`,
   segment text skipped) runs over the input while it is hashed; it yields the
   sha256, the byte span of every interchange, how many messages each becomes,
   and a summary. Any reason to refuse the input (unreadable envelope, a sender
   of another partner, a part too big to deliver) is found here, before
   anything is produced, so a refused file is never half delivered.
2. *messages* (:func:`iter_messages`): whole interchanges are read back by byte
   range; interchanges above ``max_message_bytes`` are cut by the parser's own
   chunker (:mod:`parsers.chunking`, whose :class:`~parsers.chunking.SplitCheck`
   also decides here which interchanges may be cut) driven by a second run of
   the envelope machine, with the file memory-mapped.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from parsers.chunking import Chunker, SplitCheck, keeps_input_splittable
from parsers.envelopes import (
    Event,
    GroupEnd,
    GroupStart,
    InputError,
    InterchangeEnd,
    InterchangeStart,
    TransactionComplete,
)
from parsers.errors import (
    HEADER_TRUNCATED,
    INTERCHANGE_TRAILER_MISSING,
    NO_INTERCHANGE,
    EdiError,
    Location,
)
from parsers.model import Interchange
from pipeline.contracts import errors as perr
from pipeline.ingest.source import Source
from pipeline.partners.profiles import Partner, header_unreadable, sender_key

log = logging.getLogger(__name__)

SUMMARY_LIMIT = 1000  # interchanges described in a received event / 202 answer
ERRORS_PER_INTERCHANGE = 10  # errors listed per interchange in that summary
BATCH_BYTES = 1_048_576  # the produce pass hands over messages in batches of this size
BATCH_COUNT = 500


@dataclass(slots=True)
class Plan:
    """Pass 1's result: everything needed to produce an input, in memory independent of its size."""

    sha256: str = ""
    size: int = 0
    spans: array[int] = field(default_factory=lambda: array("q"))  # offset, end per interchange
    counts: array[int] = field(default_factory=lambda: array("l"))  # messages per interchange
    split: bytearray = field(default_factory=bytearray)  # 1 = cut into chunks
    transactions: int = 0
    summary: list[dict[str, Any]] = field(default_factory=list)
    errors: list[EdiError] = field(default_factory=list)  # why it is refused (empty = accepted)
    status: int = 400
    # The input ends inside an interchange (its header, or before its trailer): a
    # file still being written looks like this, so the file drop waits for it.
    incomplete_tail: bool = False

    @property
    def interchanges(self) -> int:
        return len(self.counts)

    @property
    def messages(self) -> int:
        return sum(self.counts)

    def reject(self, errors: Sequence[EdiError], status: int = 400) -> None:
        if not self.errors:
            self.errors = list(errors)
            self.status = status


class _Open:
    """Pass 1's state for the interchange being read."""

    __slots__ = ("check", "chunker", "groups", "ic", "lens", "ops", "out")

    def __init__(self, ic: Interchange) -> None:
        self.ic = ic
        self.ops: list[tuple[Any, ...]] | None = []  # replayed into a chunker started late
        self.chunker: Chunker | None = None
        self.out: list[bytes] = []
        self.lens: list[int] = []
        self.check = SplitCheck()  # the parser's rule: may this interchange be cut?
        self.groups = 0

    def feed(self, op: tuple[Any, ...]) -> None:
        """Give one envelope step to the chunker, or keep it for a chunker started later."""
        if self.chunker is not None:
            _feed(self.chunker, op)
        elif self.ops is not None:
            self.ops.append(op)

    def start_chunker(self, buffer: bytes, max_bytes: int) -> Chunker:
        """Start the chunker now, with every step seen so far replayed into it."""
        chunker = Chunker(buffer, self.ic, max_bytes, self.out)
        for o in self.ops or ():
            _feed(chunker, o)
        self.chunker = chunker
        return chunker

    def collect(self) -> None:
        """Measure the chunks the chunker made (only their sizes are kept)."""
        if self.out:
            self.lens.extend(len(c) for c in self.out)
            self.out.clear()


def _feed(chunker: Chunker, op: tuple[Any, ...]) -> None:
    kind = op[0]
    if kind == "t":
        chunker.transaction(op[1], op[2])
    elif kind == "g":
        chunker.group_start(op[1])
    else:
        chunker.group_end()


class Planner:
    """Pass 1 over one input, fed the envelope machine's events (one method per kind of event).

    The chunker runs here too (started once an interchange outgrows the limit,
    with what it has seen replayed) but its chunks are only measured: their
    count fixes the ``edi-chunk`` numbering, their sizes the deliverability.
    """

    def __init__(
        self, src: Source, partner: Partner, max_message_bytes: int, record_limit: int
    ) -> None:
        self.src = src
        self.partner = partner
        self.max_bytes = max_message_bytes
        self.record_limit = record_limit
        self.plan = Plan(size=src.size)
        self.top: list[EdiError] = []  # input-level problems (outside interchanges)
        self.splittable = True  # no input-level problem the parser must see whole
        self.cur: _Open | None = None

    def run(self, cancel: threading.Event | None = None) -> Plan:
        """Hash the input, read every envelope, decide the messages; never raises Rejected."""
        digest = hashlib.sha256()
        it = self.src.events(digest, cancel, self.partner.tolerance)
        stopped = False
        for ev in it:
            if not self.event(ev):
                stopped = True
                break
        if stopped:
            it_close = getattr(it, "close", None)
            if it_close is not None:
                it_close()
            self.src.hash_rest(digest, self.src.read_pos)
        self.plan.sha256 = digest.hexdigest()
        return self.verdict()

    def event(self, ev: Event) -> bool:
        """Take one event; False when the input is refused and the scan can stop."""
        if isinstance(ev, TransactionComplete):
            self._transaction(ev)
        elif isinstance(ev, GroupStart):
            self._group_start(ev)
        elif isinstance(ev, GroupEnd):
            self._group_end(ev)
        elif isinstance(ev, InterchangeStart):
            return self._interchange_start(ev)
        elif isinstance(ev, InterchangeEnd):
            return self._interchange_end()
        elif isinstance(ev, InputError):
            if ev.error.code == HEADER_TRUNCATED:
                self.plan.incomplete_tail = True
            self.top.append(ev.error)
            if not keeps_input_splittable(ev.error):
                self.splittable = False  # the parser's chunker would not split such input either
        return True

    def _open(self) -> _Open:
        if self.cur is None:
            raise RuntimeError("envelope event outside an interchange")
        return self.cur

    def _transaction(self, ev: TransactionComplete) -> None:
        cur = self._open()
        tx = ev.transaction
        cur.check.event(ev)
        was_kept = cur.chunker is None and cur.ops is not None
        cur.feed(("t", tx.offset, tx.end))
        if was_kept and tx.end - cur.ic.offset > self.max_bytes:
            if self.splittable and cur.check.ok:
                cur.start_chunker(self.src.buffer, self.max_bytes)
            cur.ops = None  # from here on nothing is kept per transaction
        cur.collect()

    def _group_start(self, ev: GroupStart) -> None:
        cur = self._open()
        cur.groups += 1
        if cur.chunker is not None:
            cur.chunker.group_start(ev.group)
        elif cur.ops is not None:
            cur.ops.append(("g", ev.group))

    def _group_end(self, ev: GroupEnd) -> None:
        cur = self._open()
        cur.check.event(ev)
        if cur.chunker is not None:
            cur.chunker.group_end()
        elif cur.ops is not None:
            cur.ops.append(("ge",))

    def _interchange_start(self, ev: InterchangeStart) -> bool:
        ic = ev.interchange
        skey = sender_key(ic.standard, ic.sender)
        if header_unreadable(ic):
            # a header found in bytes that are not EDI (random data holds "UNB" or "ISA"):
            # the input is refused for what it is, not as another partner's sender
            found = [e for e in (*self.top, *ic.errors) if e.rejects]
            if not self.plan.counts:  # nothing readable before it either
                msg = "no readable X12 or EDIFACT interchange: the input does not look like EDI"
                found.insert(0, EdiError(NO_INTERCHANGE, msg, Location(offset=0)))
            self.plan.reject(found or list(ic.errors))
            return False
        if not self.partner.admits(ic):
            msg = f"envelope sender {skey!r} does not belong to the submitting partner"
            self.plan.reject([perr.error(perr.SENDER_NOT_ALLOWED, msg)], status=403)
            return False
        self.cur = _Open(ic)
        return True

    def _interchange_end(self) -> bool:
        cur = self._open()
        self.cur = None
        # Only the end of input closes an interchange with this error (the machine's finish).
        if any(e.code == INTERCHANGE_TRAILER_MISSING for e in cur.ic.errors):
            self.plan.incomplete_tail = True
        return _close_interchange(
            self.plan, cur, self.src.buffer, self.splittable, self.max_bytes, self.record_limit
        )

    def verdict(self) -> Plan:
        """The plan, refused when the input holds no interchange or rejecting problems."""
        plan = self.plan
        if plan.errors:
            return plan
        fatal = [e for e in self.top if e.rejects]
        if not plan.counts:
            plan.reject(fatal or [perr.error(perr.EMPTY_INPUT, "no interchange found")])
        elif fatal:
            plan.reject(fatal)
        return plan


def plan_input(
    src: Source,
    partner: Partner,
    max_message_bytes: int,
    record_limit: int,
    cancel: threading.Event | None = None,
) -> Plan:
    """Pass 1: hash the input, read every envelope, decide the messages; never raises Rejected."""
    kind = compression(src.pread(0, min(src.size, 8)))
    if kind is not None:
        return _refuse_compressed(src, kind)
    return Planner(src, partner, max_message_bytes, record_limit).run(cancel)


# Magic bytes of compressed or archive formats: such an input is refused for what it is.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x1f\x8b", "gzip"),
    (b"PK\x03\x04", "zip"),
    (b"PK\x05\x06", "zip"),
    (b"PK\x07\x08", "zip"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"\x1f\x9d", "compress"),
)


def compression(head: bytes) -> str | None:
    """The compression format whose magic bytes ``head`` starts with (None for anything else).

    The one rule for every channel (file drop, façade, SFTP): a compressed
    input gets its own code instead of the generic "not EDI".
    """
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head[:3] == b"BZh" and head[3:4].isdigit() and head[3:4] != b"0":
        return "bzip2"
    return None


def _refuse_compressed(src: Source, kind: str) -> Plan:
    """The plan of a compressed input: hashed, refused with COMPRESSED_INPUT."""
    digest = hashlib.sha256()
    if src.data is not None:
        digest.update(src.data)
    else:
        src.hash_rest(digest, 0)
    plan = Plan(size=src.size, sha256=digest.hexdigest())
    msg = f"the input is {kind}-compressed: send the EDI itself, uncompressed"
    plan.reject([perr.error(perr.COMPRESSED_INPUT, msg, Location(offset=0))])
    return plan


def _close_interchange(
    plan: Plan, cur: _Open, buffer: bytes, splittable: bool, max_bytes: int, record_limit: int
) -> bool:
    """Decide one interchange's messages at its end; False when it makes the input undeliverable."""
    ic = cur.ic
    size = ic.end - ic.offset
    clean = cur.check.clean(ic)
    skey = sender_key(ic.standard, ic.sender)
    split = size > max_bytes and clean and splittable
    if split and cur.chunker is None and cur.ops is None:
        split = False  # unsplittable when it outgrew the limit; clean only in the end: whole
    if split:
        chunker = cur.chunker
        if chunker is None:  # only the trailers took it over the limit: start it now
            chunker = cur.start_chunker(buffer, max_bytes)
        chunker.finish()
        cur.collect()
        count = len(cur.lens)
        biggest = max(cur.lens)
        if biggest > record_limit:
            plan.reject(
                [
                    perr.error(
                        perr.MESSAGE_TOO_LARGE,
                        f"interchange {ic.control}: a transaction set needs a {biggest}-byte "
                        f"record; records are capped at {record_limit} bytes",
                    )
                ],
                status=413,
            )
            return False
    else:
        count = 1
        if size > record_limit:
            why = (
                "it has envelope errors, so it is not split"
                if not clean or not splittable
                else "it is too big"
            )
            plan.reject(
                [
                    perr.error(
                        perr.MESSAGE_TOO_LARGE,
                        f"interchange {ic.control} is {size} bytes and {why}; records are "
                        f"capped at {record_limit} bytes",
                    )
                ],
                status=413,
            )
            return False
    plan.spans.append(ic.offset)
    plan.spans.append(ic.end)
    plan.counts.append(count)
    plan.split.append(1 if split else 0)
    plan.transactions += cur.check.transactions
    if len(plan.summary) < SUMMARY_LIMIT:
        plan.summary.append(
            {
                "standard": str(ic.standard),
                "control": ic.control,
                "sender": skey,
                "test": ic.test,
                "groups": cur.groups,
                "transactions": cur.check.transactions,
                "messages": count,
                "errors": [e.to_dict() for e in ic.errors[:ERRORS_PER_INTERCHANGE]],
            }
        )
    return True


def iter_messages(
    src: Source, plan: Plan, max_message_bytes: int, cancel: threading.Event | None = None
) -> Iterator[list[bytes]]:
    """Pass 2: the messages of an accepted plan, in order, in batches of about 1 MiB.

    Whole interchanges are read back by byte range; split ones are re-chunked
    by the parser's chunker over a second run of the envelope machine (same
    input, same events, same chunks as counted in pass 1).
    """
    batch: list[bytes] = []
    size = 0
    spans = plan.spans
    if not any(plan.split):
        for i in range(plan.interchanges):
            m = src.pread(spans[2 * i], spans[2 * i + 1] - spans[2 * i])
            batch.append(m)
            size += len(m)
            src.release(spans[2 * i + 1])
            if size >= BATCH_BYTES or len(batch) >= BATCH_COUNT:
                yield batch
                batch, size = [], 0
        if batch:
            yield batch
        return
    out: list[bytes] = []
    i = -1
    chunker: Chunker | None = None
    made = 0
    last = plan.interchanges - 1
    for ev in src.events(cancel=cancel):
        if isinstance(ev, InterchangeStart):
            i += 1
            made = 0
            chunker = (
                Chunker(src.buffer, ev.interchange, max_message_bytes, out)
                if plan.split[i]
                else None
            )
        elif chunker is None:
            if isinstance(ev, InterchangeEnd):
                out.append(src.pread(spans[2 * i], spans[2 * i + 1] - spans[2 * i]))
        elif chunker.event(ev):
            chunker = None
        if out:
            made += len(out)
            for m in out:
                batch.append(m)
                size += len(m)
            out.clear()
            if size >= BATCH_BYTES or len(batch) >= BATCH_COUNT:
                yield batch
                batch, size = [], 0
        if isinstance(ev, InterchangeEnd):
            if made != plan.counts[i]:
                raise RuntimeError(
                    f"interchange {i + 1}: {made} messages, pass 1 counted {plan.counts[i]}"
                )
            if i == last:
                break
    if batch:
        yield batch
