"""Getting partners' interchanges onto ``edi.inbound`` without ever losing one.

:class:`Ingestor` is shared by the file drop and the HTTP façade: it reads the
envelopes, checks that every sender belongs to the submitting partner, cuts
the input into one message per interchange (splitting interchanges above the
message limit on transaction-set boundaries, each chunk with its envelope),
and produces them with ``acks=all``. It returns only after the broker
acknowledged every part; a caller that gets an exception still owns the input.

Inputs are read in bounded memory, whatever their size, in two passes:

1. *plan*: the envelope machine (:func:`parsers.stream.events`, segment text
   skipped) runs over the input while it is hashed; it yields the sha256, the
   byte span of every interchange, how many messages each becomes, and a
   summary. Any reason to refuse the input (unreadable envelope, a sender of
   another partner, a part too big to deliver) is found here, before anything
   is produced, so a refused file is never half delivered.
2. *produce*: whole interchanges are read back by byte range; interchanges
   above ``max_message_bytes`` are cut by the parser's own chunker
   (:mod:`parsers.chunking`) driven by a second run of the envelope machine,
   with the file memory-mapped (pages released as the scan moves on). Records
   are produced in waves: at most 16 full-size messages (32 MiB at most) wait
   for their acknowledgement at any time.

:class:`FileDrop` watches ``inbox/<partner>/``: a file is taken only once its
size and mtime are stable, claimed by an atomic rename into ``claimed/``,
produced, recorded in the sha256 index, then moved to
``archive/<partner>/YYYY/MM/DD/``. Files left in ``claimed/`` by a crash are
re-driven at start with the same ingest id. Files that cannot be accepted go
to ``quarantine/<partner>/`` with ``<name>.error.json`` and a dead letter.
While the broker is unreachable nothing is claimed: files wait in the inbox
and the scan backs off.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import hashlib
import logging
import mmap
import os
import secrets
import stat
import threading
import time
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import orjson
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from parsers.chunking import Chunker
from parsers.envelopes import (
    Event,
    GroupEnd,
    GroupStart,
    InputError,
    InterchangeEnd,
    InterchangeStart,
    TransactionComplete,
)
from parsers.errors import EdiError
from parsers.stream import events
from pipeline import metrics
from pipeline.contracts import errors as perr
from pipeline.contracts import records
from pipeline.contracts.topics import DEADLETTER, INBOUND, TRACKING, registry
from pipeline.kafka import admin, clients
from pipeline.partners.profiles import Partner, PartnerRegistry, load_partners, sender_key
from pipeline.settings import Settings

log = logging.getLogger(__name__)

IGNORED_SUFFIXES = (".tmp", ".part", ".partial", ".filepart", ".crdownload")
MAX_NAME_BYTES = 180  # claimed/ names are "<ingest id>__<name>": stay under NAME_MAX (255)
SUMMARY_LIMIT = 1000  # interchanges described in a received event / 202 answer
ERRORS_PER_INTERCHANGE = 10  # errors listed per interchange in that summary
RECORD_OVERHEAD = 64 * 1024  # headers and batch framing, kept free under the request cap
WINDOW_MESSAGES = 16  # a produce wave: this many full-size messages await their acks at most
WINDOW_CAP = 32 * 1_048_576  # ... and never more bytes than this
WAVE_TIMEOUT = 60.0  # seconds one wave may wait for the broker before we call it down
BATCH_BYTES = 1_048_576  # the produce pass hands over messages in batches of this size
BATCH_COUNT = 500
RELEASE_STEP = 8 * 1_048_576  # memory-mapped pages behind the scan are released in steps of this
BROKER_DOWN_GRACE = 5.0  # unavailable for this long after a failed produce
_READ_BLOCK = 1 << 20


def new_ingest_id() -> str:
    """A time-ordered unique id: 12 hex digits of milliseconds, 10 of randomness."""
    return f"{int(time.time() * 1000):012x}{secrets.token_hex(5)}"


class Rejected(Exception):
    """The input cannot be accepted; ``errors`` say why (never retriable)."""

    def __init__(self, errors: Sequence[EdiError], status: int = 400) -> None:
        super().__init__(errors[0].message)
        self.errors = list(errors)
        self.status = status


class BrokerUnavailable(Exception):
    """The broker did not acknowledge in time; the caller keeps the input and retries."""


class TryLater(BrokerUnavailable):
    """The input cannot be taken right now (a file still changing); keep it and retry."""


@dataclass(slots=True)
class Accepted:
    """What an accepted input became on ``edi.inbound``."""

    ingest_id: str
    partner: str
    sha256: str
    messages: int
    interchanges: list[dict[str, Any]] = field(default_factory=list)
    interchange_count: int = 0
    transaction_count: int = 0
    bytes: int = 0


# -- reading an input -------------------------------------------------------------------------
class Source:
    """The bytes of one input, for both passes: in memory (façade) or a file on disk.

    A file is opened without following symlinks and must be a regular file;
    the parser reads it through ``pread`` in 1 MiB blocks, byte ranges are read
    back with ``pread``, and the chunker sees it memory-mapped (``release``
    drops mapped pages behind the scan so they do not count as resident).
    """

    def __init__(self, data: bytes | None = None, path: Path | None = None) -> None:
        self.data = data
        self.path = path
        self.fd = -1
        self.map: mmap.mmap | None = None
        self._released = 0
        self.read_pos = 0  # how far the last ``events`` run has read
        if data is not None:
            self.size = len(data)
            return
        assert path is not None
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        try:
            self.fd = os.open(path, flags)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise Rejected(
                    [perr.error(perr.SYMLINK, "symbolic links are not accepted")]
                ) from None
            raise
        try:
            st = os.fstat(self.fd)
            if not stat.S_ISREG(st.st_mode):
                raise Rejected([perr.error(perr.NOT_A_FILE, "not a regular file")])
            self.size = st.st_size
            self.signature = (st.st_size, st.st_mtime_ns)
            if self.size:
                self.map = mmap.mmap(self.fd, 0, access=mmap.ACCESS_READ)
        except BaseException:
            os.close(self.fd)
            raise

    @property
    def buffer(self) -> bytes:
        """Random access to the whole input (bytes, or the mapping typed as bytes)."""
        if self.data is not None:
            return self.data
        return cast(bytes, self.map if self.map is not None else b"")

    def events(self, digest: Any = None, cancel: threading.Event | None = None) -> Iterator[Event]:
        """The envelope machine's events over the input (text of segments skipped)."""
        if self.data is not None:
            if digest is not None:
                digest.update(self.data)
            return events(None, self.data, keep_segments=False)
        self.read_pos = 0
        self._released = 0  # a new pass touches the mapping from the start again

        def read(n: int) -> bytes:
            if cancel is not None and cancel.is_set():
                raise _Cancelled()
            b = os.pread(self.fd, n, self.read_pos)
            self.read_pos += len(b)
            if digest is not None:
                digest.update(b)
            self.release(self.read_pos)
            return b

        return events(read, b"", _READ_BLOCK, keep_segments=False)

    def hash_rest(self, digest: Any, start: int) -> None:
        """Hash the input from ``start`` to its end (after a scan stopped early)."""
        if self.data is not None:
            return
        pos = start
        while True:
            b = os.pread(self.fd, _READ_BLOCK, pos)
            if not b:
                return
            digest.update(b)
            pos += len(b)

    def pread(self, offset: int, length: int) -> bytes:
        """``length`` bytes at ``offset``."""
        if self.data is not None:
            return self.data[offset : offset + length]
        parts = []
        while length > 0:
            b = os.pread(self.fd, length, offset)
            if not b:
                raise OSError(f"{self.path}: file shrank while being read")
            parts.append(b)
            offset += len(b)
            length -= len(b)
        return b"".join(parts) if len(parts) != 1 else parts[0]

    def release(self, upto: int) -> None:
        """Drop mapped pages below ``upto`` (minus a margin) from this process's memory."""
        if self.map is None or upto - self._released < RELEASE_STEP:
            return
        end = max(0, upto - RELEASE_STEP) // mmap.PAGESIZE * mmap.PAGESIZE
        if end > self._released and hasattr(self.map, "madvise"):
            with contextlib.suppress(OSError, ValueError):
                self.map.madvise(mmap.MADV_DONTNEED, self._released, end - self._released)
            self._released = end

    def changed(self) -> bool:
        """True when the file's size or mtime changed since it was opened."""
        if self.data is not None:
            return False
        st = os.fstat(self.fd)
        return (st.st_size, st.st_mtime_ns) != self.signature

    def close(self) -> None:
        if self.map is not None:
            with contextlib.suppress(BufferError):
                self.map.close()
            self.map = None
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


class _Cancelled(Exception):
    """The scan was cancelled (the process is stopping)."""


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

    __slots__ = ("chunker", "groups", "ic", "lens", "ok", "ops", "out", "txns")

    def __init__(self, ic: Any) -> None:
        self.ic = ic
        self.ops: list[tuple[Any, ...]] | None = []  # replayed into a chunker started late
        self.chunker: Chunker | None = None
        self.out: list[bytes] = []
        self.lens: list[int] = []
        self.ok = True
        self.txns = 0
        self.groups = 0


def _feed(chunker: Chunker, op: tuple[Any, ...]) -> None:
    kind = op[0]
    if kind == "t":
        chunker.transaction(op[1], op[2])
    elif kind == "g":
        chunker.group_start(op[1])
    else:
        chunker.group_end()


def plan_input(
    src: Source,
    partner: Partner,
    max_message_bytes: int,
    record_limit: int,
    cancel: threading.Event | None = None,
) -> Plan:
    """Pass 1: hash the input, read every envelope, decide the messages; never raises Rejected.

    The chunker runs here too (started once an interchange outgrows the limit,
    with what it has seen replayed) but its chunks are only measured: their
    count fixes the ``edi-chunk`` numbering, their sizes the deliverability.
    """
    plan = Plan(size=src.size)
    digest = hashlib.sha256()
    top: list[EdiError] = []
    splittable = True
    cur: _Open | None = None
    stopped_at: int | None = None
    it = src.events(digest, cancel)
    for ev in it:
        if isinstance(ev, TransactionComplete):
            assert cur is not None
            tx = ev.transaction
            cur.txns += 1
            if any(e.code == "EDI055" for e in tx.errors):
                cur.ok = False  # a duplicate control number could land in another chunk
            op: tuple[Any, ...] = ("t", tx.offset, tx.end)
            if cur.chunker is not None:
                _feed(cur.chunker, op)
            elif cur.ops is not None:
                cur.ops.append(op)
                if tx.end - cur.ic.offset > max_message_bytes:
                    if splittable and cur.ok:
                        cur.chunker = Chunker(src.buffer, cur.ic, max_message_bytes, cur.out)
                        for o in cur.ops:
                            _feed(cur.chunker, o)
                    cur.ops = None  # from here on nothing is kept per transaction
            if cur.out:
                cur.lens.extend(len(c) for c in cur.out)
                cur.out.clear()
        elif isinstance(ev, GroupStart):
            assert cur is not None
            cur.groups += 1
            if cur.chunker is not None:
                cur.chunker.group_start(ev.group)
            elif cur.ops is not None:
                cur.ops.append(("g", ev.group))
        elif isinstance(ev, GroupEnd):
            assert cur is not None
            if any(e.rejects for e in ev.group.errors):
                cur.ok = False
            if cur.chunker is not None:
                cur.chunker.group_end()
            elif cur.ops is not None:
                cur.ops.append(("ge",))
        elif isinstance(ev, InterchangeStart):
            ic = ev.interchange
            skey = sender_key(ic.standard, ic.sender)
            if not partner.accepts_sender(skey):
                plan.reject(
                    [
                        perr.error(
                            perr.SENDER_NOT_ALLOWED,
                            f"envelope sender {skey!r} does not belong to the submitting partner",
                        )
                    ],
                    status=403,
                )
                stopped_at = ic.offset
                break
            cur = _Open(ic)
        elif isinstance(ev, InterchangeEnd):
            assert cur is not None
            if not _close_interchange(
                plan, cur, src.buffer, splittable, max_message_bytes, record_limit
            ):
                stopped_at = cur.ic.end
                break
            cur = None
        elif isinstance(ev, InputError):
            top.append(ev.error)
            if ev.error.code != "EDI004":
                splittable = False  # the parser's chunker would not split such input either
    if stopped_at is not None:
        it_close = getattr(it, "close", None)
        if it_close is not None:
            it_close()
        src.hash_rest(digest, src.read_pos)
    plan.sha256 = digest.hexdigest()
    if plan.errors:
        return plan
    fatal = [e for e in top if e.rejects]
    if not plan.counts:
        plan.reject(fatal or [perr.error(perr.EMPTY_INPUT, "no interchange found")])
    elif fatal:
        plan.reject(fatal)
    return plan


def _close_interchange(
    plan: Plan, cur: _Open, buffer: bytes, splittable: bool, max_bytes: int, record_limit: int
) -> bool:
    """Decide one interchange's messages at its end; False when it makes the input undeliverable."""
    ic = cur.ic
    size = ic.end - ic.offset
    clean = cur.ok and cur.txns > 0 and not any(e.rejects for e in ic.errors)
    skey = sender_key(ic.standard, ic.sender)
    split = size > max_bytes and clean and splittable
    if split and cur.chunker is None and cur.ops is None:
        split = False  # unsplittable when it outgrew the limit; clean only in the end: whole
    if split:
        chunker = cur.chunker
        if chunker is None:  # only the trailers took it over the limit: start it now
            chunker = Chunker(buffer, ic, max_bytes, cur.out)
            for o in cur.ops or ():
                _feed(chunker, o)
        chunker.finish()
        cur.lens.extend(len(c) for c in cur.out)
        cur.out.clear()
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
    plan.transactions += cur.txns
    if len(plan.summary) < SUMMARY_LIMIT:
        plan.summary.append(
            {
                "standard": str(ic.standard),
                "control": ic.control,
                "sender": skey,
                "test": ic.test,
                "groups": cur.groups,
                "transactions": cur.txns,
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


class _Job:
    """One input's passes run in worker threads, with exactly one party freeing the input.

    The event loop may give up on a thread (cancellation, timeout) while it
    still reads the file: the thread then frees the input when it returns,
    otherwise ``close`` does. ``cancel`` makes a running scan stop early.
    """

    def __init__(self, src: Source) -> None:
        self.src = src
        self.cancel = threading.Event()
        self.it: Iterator[list[bytes]] | None = None
        self._state = threading.Lock()
        self._running = False
        self._closed = False

    def call(self, fn: Callable[[], Any]) -> Any:
        """Run ``fn`` (in a worker thread)."""
        with self._state:
            if self._closed:
                raise _Cancelled()
            self._running = True
        try:
            return fn()
        finally:
            with self._state:
                self._running = False
                free = self._closed
            if free:
                self._free()

    def next_batch(self) -> list[bytes] | None:
        """The next batch of pass 2 (in a worker thread)."""
        assert self.it is not None
        it = self.it
        return cast("list[bytes] | None", self.call(lambda: next(it, None)))

    def close(self) -> None:
        """Done with the input (from the event loop)."""
        self.cancel.set()
        with self._state:
            self._closed = True
            free = not self._running
        if free:
            self._free()

    def _free(self) -> None:
        it, self.it = self.it, None
        close = getattr(it, "close", None)
        if close is not None:
            with contextlib.suppress(ValueError):
                close()
        self.src.close()


# -- the ingestor -------------------------------------------------------------------------------
class Ingestor:
    """Envelope check, sender check, chunking and acknowledged produce, for any channel."""

    def __init__(
        self,
        settings: Settings,
        partners: PartnerRegistry,
        producer: AIOKafkaProducer | None,
    ) -> None:
        self.settings = settings
        self.partners = partners
        self.producer = producer
        self.last_failure: float | None = None  # monotonic time of the last failed produce
        self.broker_ok = True  # the last broker probe (``watch_broker``) succeeded
        self.pending_dir = settings.data_dir / "state" / "pending"
        self._topics_checked = True  # False after a failure: re-create missing topics first

    @property
    def record_limit(self) -> int:
        """The biggest inbound record we can produce."""
        return max(
            self.settings.max_message_bytes,
            self.settings.producer_max_request_bytes - RECORD_OVERHEAD,
        )

    def available(self) -> bool:
        """True when producing is worth trying (connected, probe fine, no failure just now)."""
        return self.producer is not None and self.broker_ok and not self.failed_recently()

    def failed_recently(self) -> bool:
        """True for ``BROKER_DOWN_GRACE`` seconds after a failed produce."""
        return (
            self.last_failure is not None
            and time.monotonic() - self.last_failure < BROKER_DOWN_GRACE
        )

    # -- planning ---------------------------------------------------------------------------
    def plan(self, partner: Partner, src: Source, cancel: threading.Event | None = None) -> Plan:
        """Pass 1 over ``src`` (blocking: call it from a thread for big inputs)."""
        if not src.size or (src.data is not None and not src.data.strip()):
            p = Plan(size=src.size, sha256=hashlib.sha256(src.data or b"").hexdigest())
            p.reject([perr.error(perr.EMPTY_INPUT, "the input is empty")])
            return p
        return plan_input(src, partner, self.settings.max_message_bytes, self.record_limit, cancel)

    def prepare(self, partner: Partner, data: bytes) -> tuple[list[bytes], list[dict[str, Any]]]:
        """The messages of ``data`` and a summary per interchange; raise Rejected when refused."""
        src = Source(data=data)
        plan = self.plan(partner, src)
        if plan.errors:
            raise Rejected(plan.errors, plan.status)
        messages = [
            m for batch in iter_messages(src, plan, self.settings.max_message_bytes) for m in batch
        ]
        return messages, plan.summary

    # -- producing --------------------------------------------------------------------------
    async def submit(
        self,
        partner: Partner,
        data: bytes,
        *,
        channel: str,
        filename: str,
        ingest_id: str,
        received_at: str | None = None,
        timeout: float | None = None,
    ) -> Accepted:
        """Produce ``data`` as inbound messages and return once the broker acknowledged all."""
        acc = await self.submit_source(
            partner,
            Source(data=data),
            channel=channel,
            filename=filename,
            ingest_id=ingest_id,
            received_at=received_at,
            timeout=timeout,
        )
        assert isinstance(acc, Accepted)
        return acc

    async def submit_file(
        self,
        partner: Partner,
        path: Path,
        *,
        filename: str,
        ingest_id: str,
        received_at: str | None = None,
        known: Callable[[str], bool] | None = None,
    ) -> Accepted | str:
        """Produce a file in bounded memory; return the sha256 instead when ``known(sha)`` says so.

        ``known`` is asked after pass 1 (when the sha256 is known) and before
        anything is produced: the file drop uses it for its duplicate check.
        """
        src = Source(path=path)
        return await self.submit_source(
            partner,
            src,
            channel="file",
            filename=filename,
            ingest_id=ingest_id,
            received_at=received_at,
            known=known,
        )

    async def submit_source(
        self,
        partner: Partner,
        src: Source,
        *,
        channel: str,
        filename: str,
        ingest_id: str,
        received_at: str | None = None,
        timeout: float | None = None,
        known: Callable[[str], bool] | None = None,
    ) -> Accepted | str:
        """Plan, then produce ``src`` in acknowledged waves; always frees ``src``."""
        job = _Job(src)
        try:
            plan: Plan = await asyncio.to_thread(
                job.call, lambda: self.plan(partner, src, job.cancel)
            )
            if known is not None and known(plan.sha256):
                return plan.sha256
            if plan.errors:
                raise Rejected(plan.errors, plan.status)
            if src.changed():
                raise TryLater("the file changed while it was read")
            job.it = iter_messages(src, plan, self.settings.max_message_bytes, job.cancel)
            await self._produce(
                partner,
                plan,
                job,
                channel=channel,
                filename=filename,
                ingest_id=ingest_id,
                received_at=received_at or records.now_rfc3339(),
                timeout=timeout or WAVE_TIMEOUT,
            )
        finally:
            job.close()
        metrics.INTERCHANGES_RECEIVED.labels(partner.id, channel).inc(plan.interchanges)
        metrics.INGEST_BYTES.labels(partner.id, channel).inc(plan.size)
        return Accepted(
            ingest_id,
            partner.id,
            plan.sha256,
            plan.messages,
            plan.summary,
            plan.interchanges,
            plan.transactions,
            plan.size,
        )

    async def _produce(
        self,
        partner: Partner,
        plan: Plan,
        job: _Job,
        *,
        channel: str,
        filename: str,
        ingest_id: str,
        received_at: str,
        timeout: float,
    ) -> None:
        producer = self.producer
        if producer is None:
            raise BrokerUnavailable("not connected to the broker yet")
        await self._check_topics()
        topic = clients.topic(self.settings, INBOUND)
        key = partner.id.encode()
        base = [
            ("edi-partner", key),
            ("edi-source", channel.encode()),
            ("edi-filename", filename.encode("utf-8", "replace")),
            ("edi-sha256", plan.sha256.encode()),
            ("edi-received-at", received_at.encode()),
            ("edi-ingest-id", ingest_id.encode()),
        ]
        n = plan.messages
        tracking = records.tracking(
            "received",
            partner=partner.id,
            ingest_id=ingest_id,
            source={
                "channel": channel,
                "filename": filename,
                "sha256": plan.sha256,
                "ingest_id": ingest_id,
                "received_at": received_at,
            },
            interchanges=plan.summary,
            interchange_count=plan.interchanges,
            transaction_count=plan.transactions,
            messages=n,
            bytes=plan.size,
        )
        window = min(WINDOW_MESSAGES * self.settings.max_message_bytes, WINDOW_CAP)
        pending: list[asyncio.Future[Any]] = []
        pending_bytes = 0
        i = 0
        try:
            while True:
                batch = await asyncio.to_thread(job.next_batch)
                if batch is None:
                    break
                async with asyncio.timeout(timeout):
                    for m in batch:
                        i += 1
                        pending.append(
                            await producer.send(
                                topic,
                                m,
                                key=key,
                                headers=[*base, ("edi-chunk", f"{i}/{n}".encode())],
                            )
                        )
                        pending_bytes += len(m)
                        if pending_bytes >= window:  # a wave: wait for the acknowledgements
                            await asyncio.gather(*pending)
                            pending.clear()
                            pending_bytes = 0
            if i != n:
                raise RuntimeError(f"produced {i} messages, planned {n}")
            async with asyncio.timeout(timeout):
                pending.append(
                    await producer.send(
                        clients.topic(self.settings, TRACKING), orjson.dumps(tracking), key=key
                    )
                )
                await asyncio.gather(*pending)
        except (KafkaError, TimeoutError) as exc:
            for f in pending:  # nobody will look at them again
                f.add_done_callback(_swallow)
            self._failed()
            raise BrokerUnavailable(str(exc) or type(exc).__name__) from None

    def _failed(self) -> None:
        self.last_failure = time.monotonic()
        self._topics_checked = False
        metrics.BROKER_RETRIES.inc()

    async def _check_topics(self) -> None:
        """After a failure the broker may have restarted empty: re-create missing topics first."""
        if self._topics_checked:
            return
        try:
            await admin.ensure_topics(self.settings, timeout=5.0)
        except (KafkaError, OSError, TimeoutError) as exc:
            self._failed()
            raise BrokerUnavailable(f"cannot check topics: {exc}") from None
        self._topics_checked = True

    async def watch_broker(self, stop: asyncio.Event, every: float = 1.0) -> None:
        """Probe the broker until ``stop``: sets ``broker_ok``; re-creates topics a restart lost."""
        wanted = {s.full_name(self.settings) for s in registry()}
        while not stop.is_set():
            producer = self.producer
            if producer is not None:
                try:
                    md = await asyncio.wait_for(producer.client.fetch_all_metadata(), 5.0)
                    if wanted - set(md.topics()):
                        log.warning("topics missing on the broker (restarted?); creating them")
                        await admin.ensure_topics(self.settings, timeout=10.0)
                    if not self.broker_ok:
                        log.warning("broker %s reachable again", self.settings.broker)
                    self.broker_ok = True
                    self._topics_checked = True
                    await self.flush_pending()
                except (KafkaError, OSError, TimeoutError) as exc:
                    if self.broker_ok:
                        log.warning("broker %s unreachable: %s", self.settings.broker, exc)
                    self.broker_ok = False
                    self._topics_checked = False
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), every)

    # -- dead letters and other records that must not be lost -----------------------------------
    async def deadletter(
        self,
        partner_id: str,
        errors: Sequence[EdiError],
        raw: bytes,
        source: dict[str, Any],
        reference: dict[str, Any] | None = None,
        size: int | None = None,
    ) -> bool:
        """Write a dead letter and a ``rejected`` tracking event for input refused at ingest.

        ``raw`` is left empty for inputs too large to copy (``size`` then says
        how large, ``reference`` where they are). When the broker cannot take
        the records now they are kept in ``state/pending/`` and sent later
        (False is returned).
        """
        key = partner_id
        record = records.deadletter(
            errors=errors,
            partner=partner_id,
            source=source,
            raw=raw,
            stage="ingest",
            reference=reference,
        )
        if size is not None and size != len(raw):  # not copied: the reference says where it is
            record["raw"] = {k: v for k, v in record["raw"].items() if k in ("ref",)}
            record["raw"]["size"] = size
        event = records.tracking(
            "rejected",
            partner=partner_id,
            ingest_id=str(source.get("ingest_id") or ""),
            source=source,
            code=errors[0].code,
            message=errors[0].message,
        )
        metrics.DEADLETTERS.labels(errors[0].code).inc()
        return await self.emit(
            [
                (DEADLETTER, key, orjson.dumps(record), [("edi-error-code", errors[0].code)]),
                (TRACKING, key, orjson.dumps(event), []),
            ],
            name=f"{source.get('ingest_id') or new_ingest_id()}-deadletter",
        )

    async def emit(
        self,
        recs: Sequence[tuple[str, str, bytes, list[tuple[str, str]]]],
        *,
        name: str,
        timeout: float = 15.0,
    ) -> bool:
        """Produce small records (topic, key, value, headers); spool them when the broker is away."""
        if self.available():
            try:
                await self._send_records(recs, timeout)
                return True
            except (KafkaError, TimeoutError, BrokerUnavailable) as exc:
                self._failed()
                log.warning("records %s spooled (broker: %s)", name, exc)
        self._spool(recs, name)
        return False

    async def _send_records(
        self, recs: Sequence[tuple[str, str, bytes, list[tuple[str, str]]]], timeout: float
    ) -> None:
        producer = self.producer
        if producer is None:
            raise BrokerUnavailable("not connected")
        await self._check_topics()
        async with asyncio.timeout(timeout):
            futs = [
                await producer.send(
                    clients.topic(self.settings, topic),
                    value,
                    key=key.encode(),
                    headers=[(k, v.encode()) for k, v in headers],
                )
                for topic, key, value, headers in recs
            ]
            await asyncio.gather(*futs)

    def _spool(
        self, recs: Sequence[tuple[str, str, bytes, list[tuple[str, str]]]], name: str
    ) -> None:
        self.pending_dir.mkdir(parents=True, exist_ok=True)
        body = orjson.dumps(
            [
                {"topic": t, "key": k, "value": v.decode("utf-8"), "headers": h}
                for t, k, v, h in recs
            ]
        )
        tmp = self.pending_dir / f".{name}.tmp"
        with open(tmp, "wb") as f:
            f.write(body)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.pending_dir / f"{time.time_ns():020d}-{name}.json")

    async def flush_pending(self) -> int:
        """Send spooled records in order; return how many files were sent."""
        if not self.pending_dir.exists() or not self.available():
            return 0
        n = 0
        for path in sorted(self.pending_dir.glob("*.json")):
            try:
                recs = [
                    (
                        r["topic"],
                        r["key"],
                        r["value"].encode("utf-8"),
                        [tuple(h) for h in r["headers"]],
                    )
                    for r in orjson.loads(path.read_bytes())
                ]
            except (OSError, orjson.JSONDecodeError, KeyError, TypeError) as exc:
                log.error("unreadable spooled records %s: %s", path, exc)
                path.rename(path.with_suffix(".bad"))
                continue
            try:
                await self._send_records(recs, 15.0)  # type: ignore[arg-type]
            except (KafkaError, TimeoutError, BrokerUnavailable) as exc:
                self._failed()
                log.warning("spooled records still waiting for the broker: %s", exc)
                return n
            path.unlink()
            n += 1
        return n


def _swallow(fut: asyncio.Future[Any]) -> None:
    if not fut.cancelled():
        fut.exception()


# -- the file drop -----------------------------------------------------------------------------
class ShaIndex:
    """sha256 of every file already ingested, per partner, persisted as an append-only log.

    Lines are ``partner sha256 ingest_id``; an entry is written (and fsynced)
    after the broker acknowledged the file, before it is archived.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._seen: dict[tuple[str, str], str] = {}
        if path.exists():
            for line in path.read_text().splitlines():
                parts = line.split()
                if len(parts) == 3:
                    self._seen[(parts[0], parts[1])] = parts[2]

    def get(self, partner: str, sha: str) -> str | None:
        """The ingest id that first ingested this content, if any."""
        return self._seen.get((partner, sha))

    def add(self, partner: str, sha: str, ingest_id: str) -> None:
        """Record an ingested file durably."""
        self._seen[(partner, sha)] = ingest_id
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="ascii") as f:
            f.write(f"{partner} {sha} {ingest_id}\n")
            f.flush()
            os.fsync(f.fileno())


def bad_name(name: str) -> str | None:
    """Why an inbox file name is not acceptable, or None when it is fine."""
    try:
        raw = name.encode("utf-8")
    except UnicodeEncodeError:
        return "the file name is not valid UTF-8"
    if name in (".", "..") or "/" in name or "\\" in name or ".." in name.split("\\"):
        return "the file name would escape the inbox"
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        return "the file name contains control characters"
    if len(raw) > MAX_NAME_BYTES:
        return f"the file name is longer than {MAX_NAME_BYTES} bytes"
    return None


def _safe(name: str) -> str:
    """A printable, bounded stand-in for a refused file name."""
    cleaned = "".join(
        c if c.isprintable() and c not in "/\\" else "_"
        for c in name.encode("utf-8", "replace").decode("utf-8", "replace")
    ).lstrip(".")
    return (
        (cleaned or "unnamed")[:MAX_NAME_BYTES].encode("utf-8", "ignore").decode("utf-8", "ignore")
    )


class FileDrop:
    """The inbox watcher: stable files claimed, produced, archived or quarantined."""

    def __init__(self, settings: Settings, ingestor: Ingestor) -> None:
        self.settings = settings
        self.ingestor = ingestor
        self.sha_index = ShaIndex(settings.data_dir / "state" / "ingested.log")
        self._seen: dict[
            Path, tuple[int, int, float]
        ] = {}  # path -> (size, mtime_ns, first seen so)
        self._backoff_until = 0.0
        self._backoff = 0.5
        self.wakeup = asyncio.Event()

    def ensure_dirs(self) -> None:
        """Create inbox/<partner>/ for every partner, and the other data folders."""
        s = self.settings
        for d in (s.inbox, s.claimed, s.archive, s.quarantine, s.outbox):
            d.mkdir(parents=True, exist_ok=True)
        for p in self.ingestor.partners.all():
            if not (s.inbox / p.id).is_symlink():
                (s.inbox / p.id).mkdir(exist_ok=True)
            (s.outbox / p.id).mkdir(exist_ok=True)

    # -- scanning ---------------------------------------------------------------------
    def ready_files(self) -> list[tuple[str, Path]]:
        """(partner folder, path) of inbox entries ready to take.

        Regular files are ready once their size and mtime have been stable for
        ``stable_seconds``; symlinks, non-regular files and refused names are
        returned at once (they are quarantined without being read).
        """
        now = time.monotonic()
        out: list[tuple[str, Path]] = []
        alive: set[Path] = set()
        try:
            folders = sorted(os.scandir(self.settings.inbox), key=lambda e: e.name)
        except FileNotFoundError:
            return out
        for folder in folders:
            if folder.name.startswith("."):
                continue
            if folder.is_symlink():
                out.append(("", Path(folder.path)))  # a linked partner folder: quarantined
                continue
            if not folder.is_dir(follow_symlinks=False):
                continue
            try:
                entries = sorted(os.scandir(folder.path), key=lambda e: e.name)
            except OSError as exc:
                log.warning("cannot list %s: %s", folder.path, exc)
                continue
            for entry in entries:
                name = entry.name
                if name.startswith(".") or name.lower().endswith(IGNORED_SUFFIXES):
                    continue
                path = Path(entry.path)
                alive.add(path)
                if entry.is_symlink() or bad_name(name):
                    out.append((folder.name, path))  # refused right away, never read
                    continue
                if entry.is_dir(follow_symlinks=False):
                    continue  # sub-folders are the partner's business; never descended into
                st = entry.stat(follow_symlinks=False)
                if not stat.S_ISREG(st.st_mode):
                    out.append((folder.name, path))  # FIFO, socket, device: refused
                    continue
                sig = (st.st_size, st.st_mtime_ns)
                prev = self._seen.get(path)
                if prev is None or prev[:2] != sig:
                    self._seen[path] = (*sig, now)
                    if self.settings.stable_seconds > 0:
                        continue
                    prev = self._seen[path]
                if now - prev[2] >= self.settings.stable_seconds:
                    out.append((folder.name, path))
        for gone in set(self._seen) - alive:
            del self._seen[gone]
        return out

    # -- one file ---------------------------------------------------------------------
    async def handle(self, folder: str, path: Path) -> bool:
        """Take one ready inbox entry through claim → produce → archive; False to retry later."""
        s = self.settings
        if not folder:  # the partner folder itself is a symlink
            await self._quarantine_unread(
                path.name,
                path,
                perr.error(
                    perr.SYMLINK, f"inbox folder {path.name!r} is a symbolic link; not followed"
                ),
            )
            return True
        if path.is_symlink():
            await self._quarantine_unread(
                folder, path, perr.error(perr.SYMLINK, "symbolic links are not accepted")
            )
            return True
        why = bad_name(path.name)
        if why:
            await self._quarantine_unread(folder, path, perr.error(perr.BAD_NAME, why))
            return True
        try:
            st = path.lstat()
        except FileNotFoundError:
            return True
        if not stat.S_ISREG(st.st_mode):
            await self._quarantine_unread(
                folder,
                path,
                perr.error(perr.NOT_A_FILE, "not a regular file (FIFO, socket or device)"),
            )
            return True
        partner = self.ingestor.partners.get(folder)
        ingest_id = new_ingest_id()
        claimed_dir = s.claimed / folder
        claimed_dir.mkdir(parents=True, exist_ok=True)
        claimed = claimed_dir / f"{ingest_id}__{path.name}"
        try:
            os.rename(path, claimed)  # atomic claim: a second ingest process cannot take it too
        except FileNotFoundError:
            return True  # someone else claimed it
        self._seen.pop(path, None)
        if partner is None:
            err = perr.error(
                perr.UNKNOWN_PARTNER, f"inbox folder {folder!r} is not a known partner"
            )
            return await self._quarantine(folder, claimed, path.name, ingest_id, [err])
        return await self.process_claimed(partner, claimed)

    async def process_claimed(self, partner: Partner, claimed: Path) -> bool:
        """Produce a claimed file (first time or re-driven); archive, quarantine or leave for retry."""
        s = self.settings
        ingest_id, _, name = claimed.name.partition("__")
        try:
            st = claimed.lstat()
        except FileNotFoundError:
            return True
        except OSError as exc:
            log.warning("cannot stat %s: %s", claimed, exc)
            return False
        if stat.S_ISLNK(st.st_mode):  # swapped for a link between the check and the claim
            err = perr.error(perr.SYMLINK, "symbolic links are not accepted")
            return await self._quarantine(partner.id, claimed, name, ingest_id, [err])
        if st.st_size > s.max_file_bytes:
            err = perr.error(
                perr.FILE_TOO_LARGE, f"file is {st.st_size} bytes; the cap is {s.max_file_bytes}"
            )
            return await self._quarantine(partner.id, claimed, name, ingest_id, [err])
        dup: dict[str, str] = {}

        def known(sha: str) -> bool:
            first = self.sha_index.get(partner.id, sha)
            if first is None:
                return False
            dup["first"] = first
            return True

        try:
            result = await self.ingestor.submit_file(
                partner, claimed, filename=name, ingest_id=ingest_id, known=known
            )
        except Rejected as rej:
            return await self._quarantine(partner.id, claimed, name, ingest_id, rej.errors)
        except BrokerUnavailable as exc:
            log.warning("broker unavailable, %s stays claimed for retry: %s", name, exc)
            return False
        except OSError as exc:
            log.warning("cannot read %s: %s", claimed, exc)
            return False
        except _Cancelled:
            return False
        except Exception as exc:  # a bug: keep the file, with the reason, out of the loop
            log.exception("internal error on %s", claimed)
            err = perr.error(perr.INTERNAL, f"{type(exc).__name__}: {exc}")
            return await self._quarantine(partner.id, claimed, name, ingest_id, [err])
        if isinstance(result, str):  # the sha256 is in the index
            first = dup["first"]
            if first != ingest_id:
                await self._duplicate(partner, claimed, name, ingest_id, result, first)
                return True
        else:
            self.sha_index.add(partner.id, result.sha256, ingest_id)
        self._archive(partner.id, claimed, name, ingest_id)
        metrics.FILES_ARCHIVED.labels(partner.id).inc()
        return True

    def _archive(self, partner_id: str, claimed: Path, name: str, ingest_id: str) -> Path:
        day = datetime.now(UTC)
        dest_dir = self.settings.archive / partner_id / f"{day:%Y}" / f"{day:%m}" / f"{day:%d}"
        dest_dir.mkdir(parents=True, exist_ok=True)
        dest = dest_dir / name
        if dest.exists():
            dest = dest_dir / f"{ingest_id}__{name}"
        os.replace(claimed, dest)
        return dest

    async def _duplicate(
        self, partner: Partner, claimed: Path, name: str, ingest_id: str, sha: str, first: str
    ) -> None:
        metrics.INGEST_DUPLICATES.labels(partner.id).inc()
        event = records.tracking(
            "duplicate",
            partner=partner.id,
            ingest_id=ingest_id,
            source={"channel": "file", "filename": name, "sha256": sha, "ingest_id": ingest_id},
            original_ingest_id=first,
            reason="same sha256 already ingested",
        )
        await self.ingestor.emit(
            [(TRACKING, partner.id, orjson.dumps(event), [])], name=f"{ingest_id}-duplicate"
        )
        self._archive(partner.id, claimed, name, ingest_id)

    async def _quarantine_unread(self, folder: str, path: Path, err: EdiError) -> None:
        ingest_id = new_ingest_id()
        qdir = self.settings.quarantine / (folder or "_inbox")
        qdir.mkdir(parents=True, exist_ok=True)
        shown = _safe(path.name)
        dest = qdir / f"{ingest_id}__{shown}"
        try:
            os.rename(path, dest)  # renames the link itself, never follows it
        except FileNotFoundError:
            return
        self._seen.pop(path, None)
        await self._report(
            folder or "_inbox", dest, shown, ingest_id, [err], b"", original=path.name
        )

    async def _quarantine(
        self,
        partner_id: str,
        claimed: Path,
        name: str,
        ingest_id: str,
        errs: Sequence[EdiError],
    ) -> bool:
        qdir = self.settings.quarantine / partner_id
        qdir.mkdir(parents=True, exist_ok=True)
        dest = qdir / name
        if dest.exists() or dest.with_name(dest.name + ".error.json").exists():
            dest = qdir / f"{ingest_id}__{name}"
        os.replace(claimed, dest)
        raw = b""
        size = 0
        try:
            st = dest.lstat()
            if stat.S_ISREG(st.st_mode):
                size = st.st_size
                if size <= records.RAW_INLINE_LIMIT:
                    with open(dest, "rb") as f:
                        raw = f.read(records.RAW_INLINE_LIMIT + 1)
        except OSError:
            raw = b""
        await self._report(partner_id, dest, name, ingest_id, errs, raw, size=size)
        return True

    async def _report(
        self,
        partner_id: str,
        dest: Path,
        name: str,
        ingest_id: str,
        errs: Sequence[EdiError],
        raw: bytes,
        original: str | None = None,
        size: int | None = None,
    ) -> None:
        metrics.QUARANTINED.labels(errs[0].code).inc()
        report = {
            "file": name,
            "quarantined_as": str(dest),
            "partner": partner_id,
            "ingest_id": ingest_id,
            "error": errs[0].to_dict(),
            "errors": [e.to_dict() for e in errs],
            "at": records.now_rfc3339(),
        }
        if original is not None and original != name:
            report["original_name"] = original.encode("utf-8", "surrogateescape").decode(
                "utf-8", "backslashreplace"
            )
        tmp = dest.with_name("." + dest.name + ".error.json.tmp")
        tmp.write_bytes(orjson.dumps(report, option=orjson.OPT_INDENT_2))
        os.replace(tmp, dest.with_name(dest.name + ".error.json"))
        source = {"channel": "file", "filename": name, "ingest_id": ingest_id}
        await self.ingestor.deadletter(
            partner_id, errs, raw, source, reference={"quarantine": str(dest)}, size=size
        )

    # -- the loop --------------------------------------------------------------------------
    async def redrive(self) -> int:
        """Re-drive files a previous run claimed but did not finish; return how many."""
        n = 0
        claimed_root = self.settings.claimed
        if not claimed_root.exists():
            return 0
        for folder in sorted(claimed_root.iterdir()):
            if not folder.is_dir():
                continue
            for f in sorted(folder.iterdir()):
                partner = self.ingestor.partners.get(folder.name)
                if partner is None:
                    ingest_id, _, name = f.name.partition("__")
                    err = perr.error(
                        perr.UNKNOWN_PARTNER, f"inbox folder {folder.name!r} is not a known partner"
                    )
                    await self._quarantine(folder.name, f, name, ingest_id, [err])
                elif await self.process_claimed(partner, f):
                    n += 1
                else:
                    return n  # the broker is away: the scan loop retries with backoff
        return n

    async def scan_once(self) -> int:
        """Handle every ready file once; return how many were finished."""
        if time.monotonic() < self._backoff_until:
            return 0
        if not self.ingestor.available():
            self._wait_longer()  # the broker is away: files stay in the inbox
            return 0
        await self.ingestor.flush_pending()
        done = 0
        pending = await self._pending_claimed()
        for folder, path in [] if pending else self.ready_files():
            ok = await self.handle(folder, path)
            if not ok:
                pending = True
                break  # the broker is down: leave the other files in the inbox
            done += 1
        if pending:
            self._wait_longer()
        else:
            self._backoff = 0.5
        return done

    def _wait_longer(self) -> None:
        self._backoff_until = time.monotonic() + self._backoff
        self._backoff = min(self._backoff * 2, self.settings.retry_max_seconds)

    async def _pending_claimed(self) -> bool:
        """Retry claimed files first; True while any is still waiting for the broker."""
        claimed_root = self.settings.claimed
        if not claimed_root.exists():
            return False
        for folder in sorted(claimed_root.iterdir()):
            partner = self.ingestor.partners.get(folder.name)
            if partner is None or not folder.is_dir():
                continue
            for f in sorted(folder.iterdir()):
                if not await self.process_claimed(partner, f):
                    return True
        return False

    async def run(self, stop: asyncio.Event) -> None:
        """Scan until ``stop`` is set; watch events wake the loop early."""
        self.ensure_dirs()
        watcher = asyncio.create_task(self._watch(stop))
        try:
            while not stop.is_set():
                try:
                    await self.scan_once()
                except OSError as exc:  # a full disk, a permission: report and keep going
                    log.error("file drop: %s", exc)
                    self._wait_longer()
                self.wakeup.clear()
                sleep = self.settings.poll_seconds
                if self._seen:
                    sleep = min(sleep, max(0.05, self.settings.stable_seconds / 2))
                sleep = max(sleep, self._backoff_until - time.monotonic())
                waiter = asyncio.create_task(self.wakeup.wait())
                stopper = asyncio.create_task(stop.wait())
                await asyncio.wait(
                    {waiter, stopper}, timeout=sleep, return_when=asyncio.FIRST_COMPLETED
                )
                waiter.cancel()
                stopper.cancel()
        finally:
            watcher.cancel()

    async def _watch(self, stop: asyncio.Event) -> None:
        """Wake the scan loop on filesystem events (polling still covers anything missed)."""
        try:
            from watchfiles import awatch

            async for _ in awatch(self.settings.inbox, stop_event=stop, debounce=50, step=20):
                self.wakeup.set()
        except Exception as exc:  # pragma: no cover - polling alone is still correct
            log.info("file watching unavailable (%s); polling only", exc)


def load_registry(settings: Settings) -> PartnerRegistry:
    """The partners file as a registry."""
    return PartnerRegistry(load_partners(settings.partners))
