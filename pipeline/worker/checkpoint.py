"""One batch of inbound records, from processed to stored to acked, in the order that loses nothing.

A :class:`Checkpoint` runs the pure processor on each record of a batch and
then makes the batch durable in a fixed order, awaiting the broker at each step:

1. control numbers the batch allocated (``controls`` table),
2. every output: documents, dead letters, tracking, acknowledgements,
3. duplicate marks and sent-ack records (``dedup``, ``acks-sent`` tables),

and only then acks the batch's events (so their offsets may be committed).

Two batches overlap: while batch N is being stored (I/O), batch N+1 is
already processed (CPU); its own storing starts only after N's finished, so
everything reaches the broker in the same order as without the overlap, and
reads see N's pending writes (:meth:`TableState.take_writes`). A crash at any
point replays the batch: documents may repeat (same ids), never go missing,
and a control number is never reused.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter as Tally
from collections.abc import Sequence
from typing import Any

from pipeline import metrics
from pipeline.contracts import headers as h
from pipeline.contracts.records import parse_rfc3339
from pipeline.contracts.topics import ACKS_OUTBOUND, DEADLETTER
from pipeline.kafka.producing import Record
from pipeline.worker.context import WorkerContext, fatal, retrying
from pipeline.worker.emitter import Inbound, Outcome
from pipeline.worker.state import StateWrites

log = logging.getLogger(__name__)


class Checkpoint:
    """Process one batch now; store it (after the previous batch) and ack its events."""

    def __init__(
        self,
        ctx: WorkerContext,
        stream: Any,
        events: Sequence[Any],
        previous: asyncio.Future[None] | None = None,
    ) -> None:
        self.ctx = ctx
        self.stream = stream
        self.events = events
        self.previous = previous
        self.started = time.monotonic()
        self.partitions: dict[str, int] = {}  # partner -> inbound partition (table keys)
        self.counts: dict[str, Tally[str]] = {}  # partner -> statistics
        self.tally = Tally[tuple[str, str]]()  # (metric, label) -> n, applied once stored
        self.wave: list[Record] = []
        self.wave_bytes = 0
        self.received: list[float] = []  # arrival times of the wave's documents

    async def run(self) -> asyncio.Future[None]:
        """Process every event; return the task that stores the batch and then acks it.

        Outputs are produced in waves of at most ``wave_bytes`` (a few big
        interchanges make megabytes of documents), each after the control
        numbers its acknowledgements use; duplicate marks follow the last wave.
        """
        state = self.ctx.state
        for ev in self.events:
            self._process(ev)
            if self.wave_bytes >= self.ctx.settings.wave_bytes:
                await self._flush(state.take_controls())
        # Taken now, before the next batch is processed: this batch's writes, and only them.
        controls = state.take_controls()
        writes = state.take_writes()
        # At most one batch is stored at a time; processing the next overlaps only this wait.
        await self._settle_previous()
        return asyncio.ensure_future(self._guarded_store(controls, writes))

    # -- processing ------------------------------------------------------------------------------
    def _process(self, ev: Any) -> None:
        m = ev.message
        msg = Inbound(
            value=m.value or b"",
            headers=dict(m.headers or ()),
            key=m.key,
            partition=m.partition,
            offset=m.offset,
            topic=m.topic,
        )
        self.partitions[msg.partner_id] = m.partition
        try:
            oc = self.ctx.processor.process(msg)
        except Exception:  # a bug, not bad EDI: keep the record on the dead letters, keep going
            log.exception("processing failed for %s:%s:%s", m.topic, m.partition, m.offset)
            oc = self.ctx.processor.internal_error(msg)
        self.partitions[oc.partner] = m.partition
        self.wave.extend(oc.outputs)
        self.wave_bytes += sum(o.size for o in oc.outputs)
        self._count(msg, oc)

    def _count(self, msg: Inbound, oc: Outcome) -> None:
        self.tally["outcome", f"{oc.partner}\x1f{oc.outcome}"] += 1
        if oc.duplicates:
            self.tally["duplicate", oc.partner] += oc.duplicates
        if oc.resent:
            self.tally["resent", oc.partner] += oc.resent
        c = self.counts.setdefault(oc.partner, Tally())
        c["interchanges"] += oc.interchanges
        c["documents"] += oc.documents
        c["errors"] += len(oc.errors)
        c["bytes"] += len(msg.value)
        if oc.documents:
            ts = parse_rfc3339(msg.header(h.RECEIVED_AT))
            if ts is not None:
                self.received.extend([ts] * oc.documents)

    # -- storing ---------------------------------------------------------------------------------
    async def _settle_previous(self) -> None:
        if self.previous is not None:
            await self.previous
            self.previous = None

    async def _flush(self, controls: dict[bytes, bytes | None]) -> None:
        """Store ``controls``, then produce the wave (taken before anything is awaited)."""
        ctx, state, cap = self.ctx, self.ctx.state, self.ctx.settings.retry_max_seconds
        out, stamps = self.wave, self.received[:]
        self.wave, self.wave_bytes = [], 0
        self.received.clear()
        await self._settle_previous()  # mid-batch waves keep the order too
        if controls:
            await retrying(
                "controls", lambda: state.persist(state.controls, controls, self.partitions), cap
            )
        await retrying("produce", lambda: ctx.produce_all(out), cap)
        done = time.time()
        for ts in stamps:
            metrics.INBOX_TO_TOPIC.observe(max(0.0, done - ts))
        self._count_outputs(out)

    def _count_outputs(self, out: list[Record]) -> None:
        for o in out:
            if o.document:
                self.tally["routed", o.topic] += 1
            elif o.topic == DEADLETTER:
                self.tally["dead", o.header(h.ERROR_CODE)] += 1
            elif o.topic == ACKS_OUTBOUND:
                self.tally["ack", o.header(h.ACK_TYPE)] += 1

    async def _store(self, controls: dict[bytes, bytes | None], writes: StateWrites) -> None:
        state, cap = self.ctx.state, self.ctx.settings.retry_max_seconds
        await self._flush(controls)
        if writes.seen:
            seen = dict(writes.seen)
            await retrying("dedup", lambda: state.persist(state.dedup, seen, self.partitions), cap)
        if writes.sent_acks:
            sent = dict(writes.sent_acks)
            await retrying(
                "acks-sent", lambda: state.persist(state.acks, sent, self.partitions), cap
            )
        for ev in self.events:
            await self.stream.ack(ev)
        self._account()

    async def _guarded_store(
        self, controls: dict[bytes, bytes | None], writes: StateWrites
    ) -> None:
        try:
            await self._store(controls, writes)
        except asyncio.CancelledError:
            raise
        except BaseException:
            fatal("unexpected failure while storing a batch")

    def _account(self) -> None:
        """Statistics and metrics of the batch, once everything it wrote is stored."""
        ctx = self.ctx
        for partner, c in self.counts.items():
            ctx.stats.add(partner, c)
        for (kind, label), n in self.tally.items():
            if kind == "routed":
                metrics.DOCUMENTS_ROUTED.labels(label).inc(n)
            elif kind == "dead":
                metrics.DEADLETTERS.labels(label).inc(n)
            elif kind == "ack":
                metrics.ACKS_SENT.labels(label).inc(n)
            elif kind == "duplicate":
                metrics.DUPLICATES.labels(label).inc(n)
            elif kind == "resent":
                metrics.ACKS_RESENT.labels(label).inc(n)
            else:
                partner, outcome = label.split("\x1f")
                metrics.INTERCHANGES_PROCESSED.labels(partner, outcome).inc(n)
        metrics.BATCH_SECONDS.observe(time.monotonic() - self.started)
        metrics.BATCH_SIZE.observe(len(self.events))
        ctx.batches += 1
        ctx.last_progress = time.monotonic()
