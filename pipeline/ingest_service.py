"""The ``edi-mesh ingest`` process: file drop, HTTP façade and tracking reader together."""

from __future__ import annotations

import asyncio
import logging
import signal

from aiohttp import web
from aiokafka.errors import KafkaError

from pipeline import admin, kafka, outbox
from pipeline.facade import Facade, TrackingIndex
from pipeline.ingest import FileDrop, Ingestor, load_registry
from pipeline.settings import Settings

log = logging.getLogger(__name__)


async def _start_producer(settings: Settings, stop: asyncio.Event) -> object:
    """Start a producer, waiting for the broker as long as it takes (or until stop)."""
    delay = 0.5
    while True:
        producer = kafka.producer(settings)
        try:
            await producer.start()
            await admin.ensure_topics(settings)
            return producer
        except (KafkaError, OSError) as exc:
            await producer.stop()
            log.warning(
                "broker %s not reachable (%s); retrying in %.1f s", settings.broker, exc, delay
            )
            try:
                await asyncio.wait_for(stop.wait(), delay)
                raise SystemExit(0)
            except TimeoutError:
                pass
            delay = min(delay * 2, settings.retry_max_seconds)


async def serve(
    settings: Settings, stop: asyncio.Event, ready: asyncio.Event | None = None
) -> None:
    """Run file drop, façade and tracking reader until ``stop`` is set."""
    registry = load_registry(settings)
    producer = await _start_producer(settings, stop)
    ingestor = Ingestor(settings, registry, producer)  # type: ignore[arg-type]
    drop = FileDrop(settings, ingestor)
    drop.ensure_dirs()
    tracking = TrackingIndex(settings)
    facade = Facade(settings, ingestor, tracking)
    runner = web.AppRunner(facade.app(), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, settings.facade_host, settings.facade_port)
    await site.start()
    tasks = [
        asyncio.create_task(tracking.run(stop)),
        asyncio.create_task(outbox.run(settings, stop)),
    ]
    try:
        await drop.redrive()
        tasks.append(asyncio.create_task(drop.run(stop)))
        if ready is not None:
            ready.set()
        await stop.wait()
    finally:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await runner.cleanup()
        await producer.stop()  # type: ignore[attr-defined]


def run(settings: Settings) -> None:
    """Run the ingest process until SIGINT/SIGTERM."""
    import uvloop

    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await serve(settings, stop)

    uvloop.run(main())
