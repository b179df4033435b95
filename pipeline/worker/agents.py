"""The worker's Faust agent: the inbound hot path, batch by batch (see :mod:`.checkpoint`).

The agent takes batches of raw records (``noack_take``) and hands each to a
:class:`~pipeline.worker.checkpoint.Checkpoint`, which processes it and then
stores and acks it while the next batch is processed. Broker errors are
retried inside; any other failure stops the process hard, because an
exception out of a Faust stream would ack the batch on the way out.
"""

from __future__ import annotations

import asyncio
from typing import Any, cast

import faust

from pipeline.contracts.topics import INBOUND
from pipeline.worker import outbound, timers, web
from pipeline.worker.checkpoint import Checkpoint
from pipeline.worker.context import WorkerContext, fatal


def register(app: faust.App, ctx: WorkerContext) -> None:
    """Declare the worker's topics, agent, timers and web pages on ``app``."""
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
                await take_batch(ctx, stream, events)
        finally:
            if ctx.storing is not None:  # stopping: what is not stored is not acked, and replays
                ctx.storing.cancel()

    outbound.register(app, ctx)
    timers.register(app, ctx)
    web.register(app, ctx)


async def take_batch(ctx: WorkerContext, stream: Any, events: Any) -> None:
    """Process one batch; the previous batch's storing finishes first (order is kept)."""
    ctx.processing = True
    try:
        ctx.storing = await Checkpoint(ctx, stream, events, ctx.storing).run()
    except asyncio.CancelledError:
        raise
    except BaseException:  # a bug: stop hard so nothing of this batch is committed
        fatal("unexpected failure in the inbound agent")
    finally:
        ctx.processing = False
