"""The ``edi-mesh ingest`` process: file drop, HTTP façade, SFTP, tracking reader and outputs.

The façade listens at once, also while the broker is unreachable (it then
answers 503 with Retry-After and ``/readyz`` says why); the file drop starts
once a producer is connected, re-drives what a previous run left in
``claimed/``, and pauses (files wait in the inbox) whenever the broker probe
fails. Topics a restarted broker lost are re-created by the probe.

With ``sftp_port`` set the SFTP server listens once the producer is
connected (uploads are claimed by the file drop), push delivery runs for
partners with ``outbound_sftp``, and the partner table follows
``edi.partners`` (a key removed by ``edi-mesh partners sync`` stops working).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from aiohttp import web
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from parsers import accel
from pipeline.ingest.facade import Facade, TrackingIndex
from pipeline.ingest.filedrop import FileDrop
from pipeline.ingest.guard import GuardedRunner, Limits
from pipeline.ingest.producer import Ingestor
from pipeline.ingest.sftp import mount
from pipeline.ingest.sftp.server import SftpServer
from pipeline.kafka import admin, clients
from pipeline.outputs import outbox
from pipeline.partners.feed import PartnerFeed
from pipeline.partners.profiles import PartnerRegistry, load_registry
from pipeline.settings import Settings

log = logging.getLogger(__name__)


async def _start_producer(
    settings: Settings, stop: asyncio.Event, ingestor: Ingestor
) -> AIOKafkaProducer | None:
    """Start a producer, waiting for the broker as long as it takes; None if ``stop`` came first."""
    delay = 0.5
    while not stop.is_set():
        # No linger: ingest waits for the acknowledgements of every file (and every façade
        # request) before it archives or answers, so lingering would only delay each one.
        producer = clients.producer(settings, linger_ms=0)
        try:
            await producer.start()
            ingestor.topics_created(await admin.ensure_topics(settings, timeout=15.0))
            return producer
        except (KafkaError, OSError, TimeoutError) as exc:
            await producer.stop()
            log.warning(
                "broker %s not reachable (%s); retrying in %.1f s", settings.broker, exc, delay
            )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)
            delay = min(delay * 2, settings.retry_max_seconds)
    return None


async def serve(
    settings: Settings, stop: asyncio.Event, ready: asyncio.Event | None = None
) -> None:
    """Run file drop, façade, tracking reader and outbox writer until ``stop`` is set."""
    registry = load_registry(settings)
    ingestor = Ingestor(settings, registry, None)
    drop = FileDrop(settings, ingestor)
    drop.ensure_dirs()
    tracking = TrackingIndex(settings)
    facade = Facade(settings, ingestor, tracking)
    limits = Limits.from_settings(settings)
    runner = GuardedRunner(facade.app(), limits)
    await runner.setup()
    site = web.TCPSite(runner, settings.facade_host, settings.facade_port)
    await site.start()  # answers 503 until the broker is reachable
    ops = GuardedRunner(facade.ops_app(), limits)
    await ops.setup()
    await web.TCPSite(ops, settings.ops_host, settings.ops_port).start()
    tasks: list[asyncio.Task[None]] = []
    producer: AIOKafkaProducer | None = None
    sftp: SftpServer | None = None
    try:
        producer = await _start_producer(settings, stop, ingestor)
        if producer is None:
            return
        ingestor.producer = producer
        tasks += [
            asyncio.create_task(ingestor.watch_broker(stop)),
            asyncio.create_task(tracking.run(stop)),
            asyncio.create_task(outbox.run(settings, stop)),
        ]
        await drop.redrive()
        tasks.append(asyncio.create_task(drop.run(stop)))
        if settings.sftp_port:
            sftp, more = await _start_sftp(settings, drop, registry, stop)
            tasks += more
        if ready is not None:
            ready.set()
        await stop.wait()
    finally:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if sftp is not None:
            await sftp.stop()
        await runner.cleanup()
        await ops.cleanup()
        if producer is not None:
            await producer.stop()


async def _start_sftp(
    settings: Settings, drop: FileDrop, registry: PartnerRegistry, stop: asyncio.Event
) -> tuple[SftpServer, list[asyncio.Task[None]]]:
    """Listen for SFTP, push outboxes, and follow ``edi.partners`` (keys reload without restart)."""
    server = mount.server(settings, drop)
    await server.start()
    log.warning(
        "sftp listening on %s:%d (host key %s)", settings.sftp_host, server.port, server.fingerprint
    )
    feed = PartnerFeed(settings, registry)
    tasks = [
        asyncio.create_task(mount.push(settings, drop.ingestor).run(stop)),
        asyncio.create_task(feed.run()),
    ]
    return server, tasks


def run(settings: Settings) -> None:
    """Run the ingest process until SIGINT/SIGTERM."""
    import uvloop

    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    accel.log_implementation(logging.getLogger("edi_mesh.ingest"))

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await serve(settings, stop)

    uvloop.run(main())
