"""What the worker's agents, timers and pages share in one process, and how they survive errors.

:class:`WorkerContext` holds the settings, partners, rules, tables, the
processor and the output producer; :func:`retrying` is the one way broker
writes are retried (an exception out of a Faust stream would ack its batch);
:func:`fatal` is the one way a bug stops the process before anything in
flight is committed.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, NoReturn, TypeVar

import faust
import mode

from pipeline.kafka import clients
from pipeline.kafka.producing import BatchSender, Record
from pipeline.partners.feed import PartnerFeed
from pipeline.partners.profiles import PartnerRegistry, load_partners
from pipeline.settings import Settings
from pipeline.worker.acking import build_for_partner
from pipeline.worker.outbound_state import OutboundTables
from pipeline.worker.processor import Processor
from pipeline.worker.routing import RulesFile
from pipeline.worker.tables import PartnerStats, TableState

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

    async def send_all(self, records: Iterable[Record], prefix: str = "") -> int:
        """Produce and await (see :class:`~pipeline.kafka.producing.BatchSender`)."""
        if self.sender is None:
            raise RuntimeError("output producer not started")
        return await self.sender.send_all(records, prefix)


class WorkerContext:
    """What the agents share in one worker process: settings, partners, rules, tables."""

    def __init__(self, app: faust.App, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.partners = PartnerRegistry(load_partners(settings.partners))
        self.rules = RulesFile(settings.routing)
        self.outputs = Outputs(settings)
        self.state = TableState(app, settings, self.outputs)
        self.stats = PartnerStats(app, settings)
        self.outbound = OutboundTables(app, settings)
        self.processor = Processor(self.partners, self.rules.router, self.state, build_for_partner)
        self.feed = PartnerFeed(settings, self.partners, on_change=self.processor.forget_partner)
        self.assigned = False
        self.processing = False  # a batch is being processed
        self.outbound_busy = False  # a batch of edi.outbound requests is processed or stored
        self.storing: asyncio.Future[None] | None = None  # the previous batch being stored
        self.batches = 0
        self.last_progress = time.monotonic()  # last batch done (or assignment)

    @property
    def busy(self) -> bool:
        """A batch is processed or stored: its records are in flight, not stalled."""
        storing = self.storing is not None and not self.storing.done()
        return self.processing or self.outbound_busy or storing

    def reload_rules(self) -> None:
        """Pick up an edited routing file (cheap stat when unchanged)."""
        if self.rules.maybe_reload():
            self.processor.router = self.rules.router

    async def produce_all(self, outputs: Iterable[Record]) -> int:
        """Produce every output (with the topic prefix) and wait until the broker acknowledged all."""
        return await self.outputs.send_all(outputs, self.settings.topic_prefix)


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


def fatal(what: str) -> NoReturn:
    """Log the current exception and exit at once, so nothing in flight is committed."""
    log.critical("%s; exiting", what, exc_info=True)
    os._exit(70)
