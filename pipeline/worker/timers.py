"""The worker's background work: partner feed, rules reload, stall healing, dedup pruning, watchdog.

Each is a Faust task or timer declared on the app by :func:`register`; the
watchdog exits the process (to be restarted) when records wait and nothing
moves, because a consumer that lost its broker session does not always come
back by itself.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any, cast

import faust

from pipeline.contracts.topics import INBOUND, OUTBOUND
from pipeline.kafka import clients
from pipeline.kafka.offsets import fetch_highwaters
from pipeline.settings import Settings
from pipeline.worker.context import WorkerContext, retrying

log = logging.getLogger(__name__)

WATCHDOG_EXIT = 75  # EX_TEMPFAIL: restart me


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


class Watchdog:
    """Exit when the worker owns partitions, is idle, made no progress and records wait."""

    def __init__(self, app: faust.App, ctx: WorkerContext) -> None:
        self.app = app
        self.ctx = ctx

    def on_assigned(self, *args: Any, **kwargs: Any) -> None:
        """Partitions assigned: progress is measured from now."""
        self.ctx.assigned = True
        self.ctx.last_progress = time.monotonic()

    async def check(self) -> None:
        """One look: nothing to do unless idle for ``watchdog_seconds`` with records waiting."""
        ctx, limit = self.ctx, self.ctx.settings.watchdog_seconds
        if not ctx.assigned or ctx.busy or time.monotonic() - ctx.last_progress < limit:
            return
        try:
            waiting = await inbound_lag(self.app, ctx.settings)
        except Exception as exc:  # broker unreachable: a restart would not help yet
            log.info("watchdog: lag unknown (%s)", exc)
            return
        if waiting > 0:
            log.critical(
                "no progress for %.0f s with %d inbound records waiting; exiting to be restarted",
                time.monotonic() - ctx.last_progress,
                waiting,
            )
            os._exit(WATCHDOG_EXIT)


def register(app: faust.App, ctx: WorkerContext) -> None:
    """Declare the worker's tasks and timers on ``app``."""
    settings = ctx.settings
    watchdog = Watchdog(app, ctx)

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
            streams = {settings.topic_prefix + INBOUND, settings.topic_prefix + OUTBOUND}
            await consumer.heal_stalled(settings.stall_seconds, streams)

    # a minute, or sooner when the retention is shorter (entries go soon after they expire)
    @app.timer(interval=min(60.0, max(1.0, settings.dedup_retention_seconds / 4)))
    async def prune_dedup() -> None:
        n = await retrying("dedup prune", ctx.state.prune, settings.retry_max_seconds)
        if n:
            log.info("pruned %d expired dedup entries", n)

    @app.timer(interval=max(1.0, settings.watchdog_seconds / 6))
    async def watch() -> None:
        await watchdog.check()

    async def on_assigned(app: Any, *args: Any, **kwargs: Any) -> None:
        watchdog.on_assigned()

    app.on_partitions_assigned.connect(cast(Any, on_assigned))
