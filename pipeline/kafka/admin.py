"""Create the registry's topics with their partition counts and configs when missing.

Every process that needs a topic calls :func:`ensure_topics` at start, so
``worker`` and ``ingest`` can each be started alone against an empty broker.
Creating explicitly matters: Tansu auto-creates unknown topics with 4
partitions (TANSU.md), Kafka with its broker default.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError

from pipeline.contracts.topics import TopicSpec, registry
from pipeline.kafka.clients import BrokerUnreachable, reason_of
from pipeline.settings import Settings

log = logging.getLogger(__name__)


async def ensure_topics(
    settings: Settings, specs: Iterable[TopicSpec] | None = None, timeout: float = 30.0
) -> list[str]:
    """Create the missing topics of ``specs`` (default: all); return the names created."""
    specs = list(specs if specs is not None else registry())
    admin = AIOKafkaAdminClient(
        bootstrap_servers=settings.bootstrap,
        request_timeout_ms=int(timeout * 1000),
        **settings.kafka_security(),
    )
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        try:
            await admin.start()
            break
        except KafkaError as exc:
            if asyncio.get_running_loop().time() > deadline:
                with contextlib.suppress(Exception):
                    await admin.close()
                raise BrokerUnreachable(settings.broker, reason_of(exc)) from None
            await asyncio.sleep(0.5)
    try:
        existing = set(await admin.list_topics())
        wanted = [
            NewTopic(
                name=s.full_name(settings),
                num_partitions=s.partition_count(settings),
                replication_factor=settings.replication,
                topic_configs=dict(s.config),
            )
            for s in specs
            if s.full_name(settings) not in existing
        ]
        if not wanted:
            return []
        with contextlib.suppress(TopicAlreadyExistsError):  # a concurrent process won the race
            await admin.create_topics(wanted)
        created = [t.name for t in wanted]
        log.info("created topics %s", created)
        return created
    finally:
        await admin.close()
