"""The worker's web pages (faust's advice: views in their own module): metrics, health, debug."""

from __future__ import annotations

from typing import Any

import faust

from pipeline import metrics
from pipeline.worker.context import WorkerContext


def consumer_offsets(consumer: Any) -> dict[str, dict[str, Any]]:
    """Offsets as the worker sees them, per assigned partition (for diagnosis)."""
    return {
        f"{tp.topic}:{tp.partition}": {
            "highwater": consumer.highwater(tp),
            "committed": consumer._committed_offset.get(tp),
            "read": consumer._read_offset.get(tp),
            "acked_pending": len(consumer._acked.get(tp, ())),
            "paused": tp in consumer._paused_partitions,
        }
        for tp in sorted(consumer.assignment())
    }


def register(app: faust.App, ctx: WorkerContext) -> None:
    """Declare ``/metrics``, ``/readyz``, ``/healthz``, ``/debug/consumer`` and ``/stats``."""

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
        consumer: Any = app.consumer
        out = consumer_offsets(consumer)
        for tp in consumer.assignment():
            out[f"{tp.topic}:{tp.partition}"]["position"] = await consumer.position(tp)
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
