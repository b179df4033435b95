"""The partner feed: every worker follows the compacted ``edi.partners`` topic.

Every worker needs every partner, so the registry is a global table: a
group-less consumer reads the topic from the beginning and then keeps reading.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from typing import Any

import orjson
from aiokafka import TopicPartition

from pipeline import metrics
from pipeline.contracts.topics import PARTNERS
from pipeline.kafka import clients
from pipeline.partners.profiles import Partner, PartnerRegistry, PartnersFileError
from pipeline.settings import Settings

log = logging.getLogger(__name__)


class PartnerFeed:
    """Follow ``edi.partners`` (compacted) and keep a :class:`PartnerRegistry` current.

    A group-less consumer reads from the beginning and then keeps reading, so
    every worker sees every partner and applies changes within a poll
    interval. ``ready`` is set once the topic has been read up to its end
    (by the fetch high-water mark, which is correct on Tansu too).
    """

    def __init__(
        self,
        settings: Settings,
        registry: PartnerRegistry,
        on_change: Callable[[str], None] | None = None,
    ) -> None:
        self.settings = settings
        self.registry = registry
        self.on_change = on_change
        self.ready = asyncio.Event()
        self.applied = 0

    def apply(self, key: bytes | None, value: bytes | None) -> None:
        """Apply one record: a profile JSON or a tombstone."""
        pid = (key or b"").decode()
        if not pid:
            return
        if value is None:
            self.registry.delete(pid)
        else:
            try:
                self.registry.put(Partner.from_json(orjson.loads(value)))
            except (PartnersFileError, orjson.JSONDecodeError, AttributeError) as exc:
                log.error("ignoring bad partner profile %r on edi.partners: %s", pid, exc)
                return
        self.applied += 1
        metrics.PARTNER_UPDATES.inc()
        if self.on_change is not None:
            self.on_change(pid)

    async def run(self) -> None:
        """Follow the topic until cancelled, reconnecting on errors."""
        topic = clients.topic(self.settings, PARTNERS)
        while True:
            consumer = clients.consumer(self.settings)
            try:
                await consumer.start()
                parts = consumer.partitions_for_topic(topic) or {0}
                tps = [TopicPartition(topic, p) for p in sorted(parts)]
                consumer.assign(tps)
                await consumer.seek_to_beginning(*tps)
                while True:
                    batch = await consumer.getmany(timeout_ms=300)
                    for msgs in batch.values():
                        for m in msgs:
                            self.apply(m.key, m.value)
                    if not self.ready.is_set() and await self._caught_up(consumer, tps):
                        self.ready.set()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("partner feed: %s; reconnecting", exc)
                await asyncio.sleep(1.0)
            finally:
                await consumer.stop()

    @staticmethod
    async def _caught_up(consumer: Any, tps: Iterable[Any]) -> bool:
        """True once every partition was read up to the fetch high-water mark."""
        for tp in tps:
            hw = consumer.highwater(tp)
            if hw is None or await consumer.position(tp) < hw:
                return False
        return True
