"""The worker's Faust agents: the inbound hot path, its timers and its web pages.

The inbound agent takes batches of raw records (``noack_take``), runs the pure
:class:`~pipeline.worker.processor.Processor` on each, and then makes the batch
durable in a fixed order, awaiting the broker at each step:

1. control numbers the batch allocated (``controls`` table),
2. every output: documents, dead letters, tracking, acknowledgements,
3. duplicate marks and sent-ack records (``dedup``, ``acks-sent`` tables),

and only then acks the batch's events (so their offsets may be committed).

Two batches overlap: while batch N is being stored (steps 1-3 and the acks,
I/O), batch N+1 is already processed (CPU); its own storing starts only after
N's finished, so everything reaches the broker in the same order as without
the overlap, and reads see N's pending writes (:meth:`TableState.take_writes`).
A crash at any point replays the batch: documents may repeat (same ids),
never go missing, and a control number is never reused. Broker errors are
retried with backoff instead of raised, because an exception out of a Faust
stream would ack the batch on the way out.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections import Counter as Tally
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, NoReturn, TypeVar, cast

import faust
import mode

from pipeline import metrics
from pipeline.contracts.records import parse_rfc3339
from pipeline.contracts.topics import ACKS_OUTBOUND, DEADLETTER, INBOUND
from pipeline.kafka import clients
from pipeline.kafka.producing import BatchSender
from pipeline.kafka.transport import fetch_highwaters
from pipeline.partners.profiles import PartnerRegistry, load_partners
from pipeline.settings import Settings
from pipeline.worker.acking import build_for_partner
from pipeline.worker.processor import Inbound, Output, Processor
from pipeline.worker.routing import RulesFile
from pipeline.worker.tables import PartnerFeed, PartnerStats, TableState

log = logging.getLogger(__name__)
T = TypeVar("T")


class Outputs(mode.Service):
    """The worker's own aiokafka producer for outputs and table writes (started with the app)."""

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self.settings = settings
        self.producer: Any = None
        self.sender: BatchSender | None = None

    async def on_start(self) -> None:
        self.producer = clients.producer(self.settings)
        await self.producer.start()
        self.sender = BatchSender(self.producer)

    async def on_stop(self) -> None:
        if self.producer is not None:
            await self.producer.stop()

    async def send_all(self, records: Any) -> int:
        """Produce and await (see :class:`~pipeline.kafka.producing.BatchSender`)."""
        if self.sender is None:
            raise RuntimeError("output producer not started")
        return await self.sender.send_all(records)


class WorkerContext:
    """What the agents share in one worker process: settings, partners, rules, tables."""

    def __init__(self, app: faust.App, settings: Settings) -> None:
        self.settings = settings
        self.partners = PartnerRegistry(load_partners(settings.partners))
        self.rules = RulesFile(settings.routing)
        self.outputs = Outputs(settings)
        self.state = TableState(app, settings, self.outputs)
        self.stats = PartnerStats(app, settings)
        self.processor = Processor(self.partners, self.rules.router, self.state, build_for_partner)
        self.feed = PartnerFeed(settings, self.partners, on_change=self.processor.forget_partner)
        self.assigned = False
        self.processing = False  # a batch is being processed
        self.storing: asyncio.Future[None] | None = None  # the previous batch being stored
        self.batches = 0
        self.last_progress = time.monotonic()  # last batch done (or assignment)

    @property
    def busy(self) -> bool:
        """A batch is processed or stored: its records are in flight, not stalled."""
        return self.processing or (self.storing is not None and not self.storing.done())

    def reload_rules(self) -> None:
        """Pick up an edited routing file (cheap stat when unchanged)."""
        if self.rules.maybe_reload():
            self.processor.router = self.rules.router


async def retrying(what: str, attempt: Callable[[], Awaitable[T]], cap: float) -> T:
    """Run ``attempt`` until it succeeds, backing off on broker errors (never raises them)."""
    delay = 0.2
    while True:
        try:
            return await attempt()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # broker errors of any kind: wait and try again
            log.warning("%s failed (%s); retrying in %.1f s", what, exc, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, cap)


async def inbound_lag(app: faust.App, settings: Settings) -> int:
    """Records on this worker's inbound partitions beyond its consumer positions (fetch-confirmed ends)."""
    consumer: Any = app.consumer
    topic = settings.topic_prefix + INBOUND
    tps = [tp for tp in consumer.assignment() if tp.topic == topic]
    if not tps:
        return 0
    probe = clients.consumer(settings)
    await probe.start()
    try:
        ends = await fetch_highwaters(probe, [(tp.topic, tp.partition) for tp in tps])
    finally:
        await probe.stop()
    lag = 0
    for tp in tps:
        pos = await consumer.position(tp)
        lag += max(0, ends[(tp.topic, tp.partition)] - (pos or 0))
    return lag


async def produce_all(ctx: WorkerContext, outputs: Sequence[Output]) -> int:
    """Produce every output and wait until the broker acknowledged all of them."""
    prefix = ctx.settings.topic_prefix
    return await ctx.outputs.send_all(
        (prefix + o.topic, o.key, o.value, o.headers, None) for o in outputs
    )


def register(app: faust.App, ctx: WorkerContext) -> None:
    """Declare the worker's topics, agents, timers and web pages on ``app``."""
    settings = ctx.settings
    app.service(cast(Any, ctx.outputs))
    inbound = app.topic(
        settings.topic_prefix + INBOUND,
        key_type=bytes,
        value_type=bytes,
        partitions=settings.partitions,
        acks=True,
    )

    @app.agent(inbound, name="edi-inbound")
    async def process_inbound(stream: Any) -> None:
        await ctx.feed.ready.wait()  # never judge a sender before the partner table is loaded
        try:
            async for events in stream.noack_take(
                settings.batch_size, within=settings.batch_within
            ):
                ctx.processing = True
                try:
                    ctx.storing = await handle_batch(app, ctx, stream, events, ctx.storing)
                except asyncio.CancelledError:
                    raise
                except BaseException:  # a bug: stop hard so nothing of this batch is committed
                    fatal("unexpected failure in the inbound agent")
                finally:
                    ctx.processing = False
        finally:
            if ctx.storing is not None:  # stopping: what is not stored is not acked, and replays
                ctx.storing.cancel()

    @app.task
    async def follow_partners() -> None:
        await ctx.feed.run()

    @app.timer(interval=1.0)
    async def reload_rules() -> None:
        ctx.reload_rules()

    @app.timer(interval=1.0)
    async def heal_stalled() -> None:
        consumer = app.consumer
        if (
            ctx.assigned
            and not ctx.busy
            and not app.rebalancing
            and hasattr(consumer, "heal_stalled")
        ):
            await consumer.heal_stalled(settings.stall_seconds, {settings.topic_prefix + INBOUND})

    # a minute, or sooner when the retention is shorter (entries go soon after they expire)
    @app.timer(interval=min(60.0, max(1.0, settings.dedup_retention_seconds / 4)))
    async def prune_dedup() -> None:
        n = await retrying("dedup prune", ctx.state.prune, settings.retry_max_seconds)
        if n:
            log.info("pruned %d expired dedup entries", n)

    async def on_assigned(app: Any, *args: Any, **kwargs: Any) -> None:
        ctx.assigned = True
        ctx.last_progress = time.monotonic()

    @app.timer(interval=max(1.0, settings.watchdog_seconds / 6))
    async def watchdog() -> None:
        """Exit when records wait and nothing moves (a consumer that lost its broker session
        does not always come back by itself; a restarted process does)."""
        if (
            not ctx.assigned
            or ctx.busy
            or time.monotonic() - ctx.last_progress < settings.watchdog_seconds
        ):
            return
        try:
            waiting = await inbound_lag(app, settings)
        except Exception as exc:  # broker unreachable: a restart would not help yet
            log.info("watchdog: lag unknown (%s)", exc)
            return
        if waiting > 0:
            log.critical(
                "no progress for %.0f s with %d inbound records waiting; exiting to be restarted",
                time.monotonic() - ctx.last_progress,
                waiting,
            )
            os._exit(75)

    app.on_partitions_assigned.connect(cast(Any, on_assigned))

    @app.page("/metrics")
    async def metrics_page(web: Any, request: Any) -> Any:
        body, ctype = metrics.exposition()
        return web.bytes(body, headers={"Content-Type": ctype})

    @app.page("/readyz")
    async def readyz(web: Any, request: Any) -> Any:
        ok = ctx.assigned and ctx.feed.ready.is_set() and not app.rebalancing
        body = {"ready": ok, "batches": ctx.batches, "partners": len(ctx.partners)}
        return web.json(body, status=200 if ok else 503)

    @app.page("/healthz")
    async def healthz(web: Any, request: Any) -> Any:
        return web.json({"ok": True})

    @app.page("/debug/consumer")
    async def debug_consumer(web: Any, request: Any) -> Any:
        """Offsets as the worker sees them, per assigned partition (diagnosis)."""
        consumer: Any = app.consumer
        out = {}
        for tp in sorted(consumer.assignment()):
            out[f"{tp.topic}:{tp.partition}"] = {
                "position": await consumer.position(tp),
                "highwater": consumer.highwater(tp),
                "committed": consumer._committed_offset.get(tp),
                "read": consumer._read_offset.get(tp),
                "acked_pending": len(consumer._acked.get(tp, ())),
                "paused": tp in consumer._paused_partitions,
            }
        return web.json(
            {"partitions": out, "batches": ctx.batches, "healed": getattr(consumer, "healed", 0)}
        )

    @app.page("/stats")
    async def stats(web: Any, request: Any) -> Any:
        return web.json(
            {
                "partners": ctx.stats.snapshot(),
                "tables": ctx.state.sizes(),
                "partner_profiles": len(ctx.partners),
                "batches": ctx.batches,
            }
        )


def fatal(what: str) -> NoReturn:
    """Log the current exception and exit at once, so nothing in flight is committed."""
    log.critical("%s; exiting", what, exc_info=True)
    os._exit(70)


async def handle_batch(
    app: faust.App,
    ctx: WorkerContext,
    stream: Any,
    events: Sequence[Any],
    previous: asyncio.Future[None] | None = None,
) -> asyncio.Future[None]:
    """Process one batch now; return the task that stores it and then acks its events.

    The task starts once ``previous`` (the last batch's) finished. Outputs are
    produced in waves of at most ``wave_bytes`` (a few big interchanges make
    megabytes of documents), each after the control numbers its
    acknowledgements use; duplicate marks follow the last wave.
    """
    t0 = time.monotonic()
    settings = ctx.settings
    state = ctx.state
    cap = settings.retry_max_seconds
    partitions: dict[str, int] = {}
    counts: dict[str, Tally[str]] = {}
    tally = Tally[tuple[str, str]]()  # (metric, label) -> n, applied once everything is stored
    wave: list[Output] = []
    wave_bytes = 0
    received: list[float] = []

    async def settle_previous() -> None:
        nonlocal previous
        if previous is not None:
            await previous
            previous = None

    async def flush(controls: dict[bytes, bytes | None]) -> None:
        """Store ``controls``, then produce the wave (taken before anything is awaited)."""
        nonlocal wave, wave_bytes
        out, stamps = wave, received[:]
        wave, wave_bytes = [], 0
        received.clear()
        await settle_previous()  # mid-batch waves keep the order too
        if controls:
            await retrying(
                "controls", lambda: state.persist(state.controls, controls, partitions), cap
            )
        await retrying("produce", lambda: produce_all(ctx, out), cap)
        done = time.time()
        for ts in stamps:
            metrics.INBOX_TO_TOPIC.observe(max(0.0, done - ts))
        for o in out:
            if o.document:
                tally["routed", o.topic] += 1
            elif o.topic == DEADLETTER:
                tally["dead", dict(o.headers).get("edi-error-code", b"").decode()] += 1
            elif o.topic == ACKS_OUTBOUND:
                tally["ack", dict(o.headers).get("edi-ack-type", b"").decode()] += 1

    for ev in events:
        m = ev.message
        msg = Inbound(
            value=m.value or b"",
            headers=dict(m.headers or ()),
            key=m.key,
            partition=m.partition,
            offset=m.offset,
            topic=m.topic,
        )
        partitions[msg.partner_id] = m.partition
        try:
            oc = ctx.processor.process(msg)
        except Exception:  # a bug, not bad EDI: keep the record on the dead letters, keep going
            log.exception("processing failed for %s:%s:%s", m.topic, m.partition, m.offset)
            oc = ctx.processor.internal_error(msg)
        partitions[oc.partner] = m.partition
        wave.extend(oc.outputs)
        wave_bytes += sum(len(o.value) for o in oc.outputs)
        tally["outcome", f"{oc.partner}\x1f{oc.outcome}"] += 1
        if oc.duplicates:
            tally["duplicate", oc.partner] += oc.duplicates
        c = counts.setdefault(oc.partner, Tally())
        c["interchanges"] += oc.interchanges
        c["documents"] += oc.documents
        c["errors"] += len(oc.errors)
        c["bytes"] += len(msg.value)
        if oc.documents:
            ts = parse_rfc3339(msg.header("edi-received-at"))
            if ts is not None:
                received.extend([ts] * oc.documents)
        if wave_bytes >= settings.wave_bytes:
            await flush(state.take_controls())
    # Taken now, before the next batch is processed: this batch's writes, and only them.
    controls = state.take_controls()
    writes = state.take_writes()
    # At most one batch is stored at a time; processing the next overlaps only this wait.
    await settle_previous()

    async def store() -> None:
        await flush(controls)
        if writes.seen:
            seen = writes.seen
            await retrying("dedup", lambda: state.persist(state.dedup, dict(seen), partitions), cap)
        if writes.sent_acks:
            sent = writes.sent_acks
            await retrying(
                "acks-sent", lambda: state.persist(state.acks, dict(sent), partitions), cap
            )
        for ev in events:
            await stream.ack(ev)
        account(ctx, counts, tally, time.monotonic() - t0, len(events))

    async def guarded() -> None:
        try:
            await store()
        except asyncio.CancelledError:
            raise
        except BaseException:
            fatal("unexpected failure while storing a batch")

    return asyncio.ensure_future(guarded())


def account(
    ctx: WorkerContext,
    counts: dict[str, Tally[str]],
    tally: Tally[tuple[str, str]],
    seconds: float,
    size: int,
) -> None:
    """Statistics and metrics of a batch, once everything it wrote is stored."""
    for partner, c in counts.items():
        ctx.stats.add(partner, c)
    for (kind, label), n in tally.items():
        if kind == "routed":
            metrics.DOCUMENTS_ROUTED.labels(label).inc(n)
        elif kind == "dead":
            metrics.DEADLETTERS.labels(label).inc(n)
        elif kind == "ack":
            metrics.ACKS_SENT.labels(label).inc(n)
        elif kind == "duplicate":
            metrics.DUPLICATES.labels(label).inc(n)
        else:
            partner, outcome = label.split("\x1f")
            metrics.INTERCHANGES_PROCESSED.labels(partner, outcome).inc(n)
    metrics.BATCH_SECONDS.observe(seconds)
    metrics.BATCH_SIZE.observe(size)
    ctx.batches += 1
    ctx.last_progress = time.monotonic()
