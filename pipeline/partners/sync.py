"""``edi-mesh partners sync``: publish the partners file to the compacted ``edi.partners`` topic.

Workers follow that topic, so a sync changes enrichment, sender checks,
acknowledgement preferences and routing overrides without a restart.
Partners removed from the file get a tombstone (null value) with ``prune``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import orjson

from pipeline.contracts.topics import PARTNERS, by_name
from pipeline.kafka import admin, clients
from pipeline.partners.profiles import Partner
from pipeline.settings import Settings


async def published_ids(settings: Settings, idle: float = 1.0) -> set[str]:
    """Partner ids that currently have a live (non-tombstone) profile on the topic."""
    consumer = clients.consumer(settings, clients.topic(settings, PARTNERS))
    await clients.start(consumer, settings)
    live: set[str] = set()
    try:
        while True:
            batch = await consumer.getmany(timeout_ms=int(idle * 1000))
            if not batch:
                break
            for msgs in batch.values():
                for m in msgs:
                    key = (m.key or b"").decode()
                    if m.value is None:
                        live.discard(key)
                    else:
                        live.add(key)
    finally:
        await consumer.stop()
    return live


async def sync(
    settings: Settings, partners: Sequence[Partner], *, prune: bool = False
) -> dict[str, int]:
    """Publish every profile (and tombstones for removed ones with ``prune``); wait for acks."""
    await admin.ensure_topics(settings, [by_name()[PARTNERS]], timeout=settings.broker_timeout)
    removed: set[str] = set()
    if prune:
        removed = await published_ids(settings) - {p.id for p in partners}
    producer = clients.producer(settings)
    await clients.start(producer, settings)
    try:
        topic = clients.topic(settings, PARTNERS)
        futures = [
            await producer.send(topic, orjson.dumps(p.to_json()), key=p.id.encode())
            for p in partners
        ]
        futures += [await producer.send(topic, None, key=pid.encode()) for pid in sorted(removed)]
        await asyncio.gather(*futures)
    finally:
        await producer.stop()
    return {"published": len(partners), "removed": len(removed)}
