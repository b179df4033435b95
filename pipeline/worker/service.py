"""Run one Faust worker process: topics ensured, agents registered, uvloop, graceful stop."""

from __future__ import annotations

import asyncio
import gc
import logging

import faust

from parsers import accel
from pipeline.app import create_app
from pipeline.kafka import admin
from pipeline.settings import Settings
from pipeline.worker import agents
from pipeline.worker.context import WorkerContext


def build(settings: Settings) -> tuple[faust.App, WorkerContext]:
    """The configured app with every agent registered (not started)."""
    app = create_app(settings)
    ctx = WorkerContext(app, settings)
    agents.register(app, ctx)
    return app, ctx


def _freeze_startup_heap(app: faust.App) -> None:
    """Once the app runs, move every object alive then out of the collector's sight.

    Modules, the partner table, compiled dictionaries and Faust's own machinery
    live for the whole process; ``gc.freeze`` keeps each collection of the
    per-record garbage from traversing them again (CPython's advice for servers).
    """

    @app.task(on_leader=False)  # type: ignore[misc]
    async def _freeze() -> None:
        gc.collect()
        gc.freeze()


def run(settings: Settings) -> None:
    """Run a worker until SIGINT/SIGTERM; creates missing topics first."""
    import uvloop

    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    accel.log_implementation(logging.getLogger("edi_mesh.worker"))
    asyncio.run(admin.ensure_topics(settings))
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    asyncio.set_event_loop(asyncio.new_event_loop())
    app, _ = build(settings)
    worker = faust.Worker(app, loglevel=settings.log_level, quiet=True, redirect_stdouts=False)
    worker.spinner = None  # a terminal spinner writes escape codes into log files
    _freeze_startup_heap(app)

    debug = [n.strip() for n in settings.debug_loggers.split(",") if n.strip()]
    if debug:  # after Faust configured logging, which resets levels

        @app.task(on_leader=False)  # type: ignore[misc]
        async def _debug_loggers() -> None:
            for name in debug:
                logging.getLogger(name).setLevel(logging.DEBUG)

    worker.execute_from_commandline()
