"""aiokafka clients configured from Settings, for the processes that are not Faust workers.

Ingest, the façade, ``tail``, ``replay`` and ``partners sync`` all use these two
factories, so security settings and limits are applied in one place.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import KafkaConnectionError, KafkaError

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


class BrokerUnreachable(ConnectionError):
    """The broker did not answer within the connect timeout (retriable: the broker may come back)."""

    retriable = True

    def __init__(self, address: str, reason: str) -> None:
        super().__init__(f"cannot reach the broker at {address} ({reason})")
        self.address = address
        self.reason = reason


def reason_of(exc: BaseException) -> str:
    """A short reason for a connection failure, without the client's internals."""
    if isinstance(exc, TimeoutError):
        return "no answer in time"
    if isinstance(exc, KafkaConnectionError | ConnectionError):
        return "connection refused or no broker listening"
    return type(exc).__name__


async def start(client: AIOKafkaConsumer | AIOKafkaProducer, settings: Settings) -> None:
    """Start ``client`` within ``broker_timeout``; on failure close it and raise BrokerUnreachable."""
    try:
        await asyncio.wait_for(client.start(), settings.broker_timeout)
    except (KafkaError, OSError, TimeoutError) as exc:
        with contextlib.suppress(Exception):
            await client.stop()
        raise BrokerUnreachable(settings.broker, reason_of(exc)) from None


def quiet() -> None:
    """Keep the client library's connection-retry log lines off a command's terminal.

    A one-shot command reports an unreachable broker in one line of its own;
    long-running processes (worker, ingest) keep aiokafka's warnings in their logs.
    """
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
