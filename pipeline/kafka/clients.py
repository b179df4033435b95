"""aiokafka clients configured from Settings, for the processes that are not Faust workers.

Ingest, the façade, ``tail``, ``replay`` and ``partners sync`` all use these two
factories, so security settings and limits are applied in one place.
"""

from __future__ import annotations

from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from pipeline.settings import Settings


def producer(settings: Settings, **overrides: Any) -> AIOKafkaProducer:
    """A producer that waits for all in-sync replicas (no idempotence: Tansu rejects it)."""
    kwargs: dict[str, Any] = {
        "bootstrap_servers": settings.bootstrap,
        "acks": "all" if settings.producer_acks == "all" else int(settings.producer_acks),
        "linger_ms": settings.producer_linger_ms,
        "max_request_size": settings.producer_max_request_bytes,
        "max_batch_size": 256 * 1024,
        "request_timeout_ms": 15_000,
        "retry_backoff_ms": 200,
        "enable_idempotence": False,
        **settings.kafka_security(),
    }
    kwargs.update(overrides)
    return AIOKafkaProducer(**kwargs)


def consumer(settings: Settings, *topics: str, **overrides: Any) -> AIOKafkaConsumer:
    """A consumer without a group by default (readers like ``tail`` never commit)."""
    kwargs: dict[str, Any] = {
        "bootstrap_servers": settings.bootstrap,
        "enable_auto_commit": False,
        "auto_offset_reset": "earliest",
        "fetch_max_wait_ms": settings.fetch_max_wait_ms,
        "fetch_max_bytes": 64 * 1024 * 1024,
        "max_partition_fetch_bytes": max(settings.producer_max_request_bytes, 1_048_576),
        **settings.kafka_security(),
    }
    kwargs.update(overrides)
    return AIOKafkaConsumer(*topics, **kwargs)


def topic(settings: Settings, name: str) -> str:
    """A registry topic name with the configured prefix."""
    return settings.topic_prefix + name
