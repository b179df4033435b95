"""The worker's Faust agents: the inbound hot path, plus its web pages.

The inbound agent takes batches of raw records (``noack_take``), runs the pure
:class:`~pipeline.processing.Processor` on each, produces every output with
the transport producer, waits until the broker acknowledged all of them, and
only then acks the batch's events. An event is therefore committed only after
everything it produced is stored: a crash at any point replays, never loses.
Produce failures are retried with backoff instead of being raised, because an
exception out of a Faust stream would ack the batch on the way out.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter as Tally
from collections.abc import Sequence
from typing import Any

import faust
from faust.types import EventT

from pipeline import metrics
from pipeline.partners import PartnerRegistry, load_partners
from pipeline.processing import Inbound, Output, Processor
from pipeline.records import parse_rfc3339
from pipeline.routing import RulesFile
from pipeline.settings import Settings
from pipeline.topics import INBOUND

log = logging.getLogger(__name__)


class WorkerContext:
    """What the agents share in one worker process: settings, partners, rules, readiness."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.partners = PartnerRegistry(load_partners(settings.partners))
        self.rules = RulesFile(settings.routing)
        self.processor = Processor(self.partners, self.rules.router)
        self.assigned = False
        self.batches = 0

    def reload_rules(self) -> None:
        """Pick up an edited routing file (cheap stat when unchanged)."""
        if self.rules.maybe_reload():
            self.processor.router = self.rules.router


async def produce_all(app: faust.App, prefix: str, outputs: Sequence[Output], retry_cap: float) -> list[Any]:
    """Produce every output and wait for all broker acknowledgements, retrying until stored.

    Returns the record metadata in output order. Retries the whole set on a
    failure: duplicates on the topics are possible then (same document ids),
    loss is not.
    """
    delay = 0.2
    while True:
        try:
            producer = app.producer
            futures = [
                await producer.send(prefix + o.topic, o.key, o.value, None, None, o.headers)
                for o in outputs
            ]
            return list(await asyncio.gather(*futures))
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # broker errors of any kind: wait and try again
            log.warning("produce failed (%s); retrying in %.1f s", exc, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, retry_cap)


def register(app: faust.App, ctx: WorkerContext) -> None:
    """Declare the worker's topics, agents, timers and web pages on ``app``."""
    settings = ctx.settings
    prefix = settings.topic_prefix
    inbound = app.topic(
        prefix + INBOUND,
        key_type=bytes,
        value_type=bytes,
        partitions=settings.partitions,
        acks=True,
    )

    @app.agent(inbound, name="edi-inbound")  # type: ignore[misc]
    async def process_inbound(stream: faust.StreamT[bytes]) -> None:
        async for events in stream.noack_take(settings.batch_size, within=settings.batch_within):
            await handle_batch(app, ctx, stream, events)  # type: ignore[arg-type]

    @app.timer(interval=1.0)  # type: ignore[misc]
    async def reload_rules() -> None:
        ctx.reload_rules()

    @app.on_partitions_assigned.connect  # type: ignore[misc]
    async def on_assigned(app: faust.App, assigned: set[Any], **kwargs: Any) -> None:
        ctx.assigned = True

    @app.page("/metrics")  # type: ignore[misc]
    async def metrics_page(web: Any, request: Any) -> Any:
        body, ctype = metrics.exposition()
        return web.bytes(body, headers={"Content-Type": ctype})

    @app.page("/readyz")  # type: ignore[misc]
    async def readyz(web: Any, request: Any) -> Any:
        ok = ctx.assigned and not app.rebalancing
        return web.json({"ready": ok, "batches": ctx.batches}, status=200 if ok else 503)

    @app.page("/healthz")  # type: ignore[misc]
    async def healthz(web: Any, request: Any) -> Any:
        return web.json({"ok": True})


async def handle_batch(
    app: faust.App, ctx: WorkerContext, stream: faust.StreamT[bytes], events: Sequence[EventT]
) -> None:
    """Process one batch end to end; ack its events only once every output is stored."""
    t0 = time.monotonic()
    outputs: list[Output] = []
    outcomes: list[tuple[str, str, int]] = []
    received: list[float] = []
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
        try:
            oc = ctx.processor.process(msg)
        except Exception:  # a bug, not bad EDI: keep the record on the dead letters, keep going
            log.exception("processing failed for %s:%s:%s", m.topic, m.partition, m.offset)
            oc = ctx.processor.internal_error(msg)
        outputs.extend(oc.outputs)
        outcomes.append((msg.partner_id, oc.outcome, oc.documents))
        if oc.documents:
            ts = parse_rfc3339(msg.header("edi-received-at"))
            if ts is not None:
                received.extend([ts] * oc.documents)
    await produce_all(app, ctx.settings.topic_prefix, outputs, ctx.settings.retry_max_seconds)
    done = time.time()
    for ev in events:
        await stream.ack(ev)
    # metrics after the broker stored everything
    per_topic = Tally(o.topic for o in outputs if o.document)
    for topic, n in per_topic.items():
        metrics.DOCUMENTS_ROUTED.labels(topic).inc(n)
    for o in outputs:
        if o.topic.endswith("deadletter"):
            code = dict(o.headers).get("edi-error-code", b"").decode()
            metrics.DEADLETTERS.labels(code).inc()
    for partner, outcome, _ in outcomes:
        metrics.INTERCHANGES_PROCESSED.labels(partner, outcome).inc()
    for ts in received:
        metrics.INBOX_TO_TOPIC.observe(max(0.0, done - ts))
    metrics.BATCH_SECONDS.observe(time.monotonic() - t0)
    metrics.BATCH_SIZE.observe(len(events))
    ctx.batches += 1
