"""Direct, batched produce for the worker's hot path.

``AIOKafkaProducer.send`` costs a coroutine, a metadata check and an
accumulator append per record; a batch of interchanges produces thousands of
records. :class:`BatchSender` groups a batch's records by topic and partition
(the same murmur2 partitioner as every Kafka client, so keys land where Faust
or the Java client would put them), fills aiokafka record batches directly and
hands each whole batch to the producer: one future per record batch instead
of one per record. Batches are closed before they are handed over, so they are
sent at once instead of lingering.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.partitioner import DefaultPartitioner

from pipeline.contracts.headers import DOCUMENT_ID


@dataclass(slots=True)
class Record:
    """One record to produce, for every producer of edi-mesh (worker, ingest, spool, benchmarks).

    ``topic`` is the registry name without the deployment's prefix (the
    sender adds it); ``partition`` None means the key's partition.
    """

    topic: str
    key: bytes | None
    value: bytes | None
    headers: list[tuple[str, bytes]] = field(default_factory=list)
    partition: int | None = None

    @property
    def document(self) -> bool:
        """True for an agent-topic document (it carries a document id)."""
        return any(name == DOCUMENT_ID for name, _ in self.headers)

    def header(self, name: str) -> str:
        """A header as text ("" when absent)."""
        for k, v in self.headers:
            if k == name:
                return v.decode("utf-8", "replace")
        return ""

    @property
    def size(self) -> int:
        """Bytes of the value (what waves and memory bounds count)."""
        return len(self.value) if self.value is not None else 0


KEY_CACHE = 65_536  # cached (topic, key) partitions before the cache starts over


class BatchSender:
    """Produce many records at once and wait until the broker acknowledged all of them."""

    def __init__(self, producer: AIOKafkaProducer) -> None:
        self.producer = producer
        self._partitioner = DefaultPartitioner()
        self._partitions: dict[str, list[int]] = {}
        # (topic, key) -> partition: keys are partner ids, murmur2 in Python is not free
        self._by_key: dict[tuple[str, bytes], int] = {}

    async def partitions(self, topic: str) -> list[int]:
        """The partitions of ``topic`` (cached; refreshed by :meth:`forget`)."""
        parts = self._partitions.get(topic)
        if parts is None:
            parts = sorted(await self.producer.partitions_for(topic))
            self._partitions[topic] = parts
        return parts

    def forget(self) -> None:
        """Drop cached partition lists (after a broker restart or topic change)."""
        self._partitions.clear()
        self._by_key.clear()

    async def partition_of(self, topic: str, key: bytes | None) -> int:
        """The partition of ``key`` in ``topic``, as the default partitioner picks it."""
        if key is not None:
            cached = self._by_key.get((topic, key))
            if cached is not None:
                return cached
        parts = self._partitions.get(topic) or await self.partitions(topic)
        if key is None:
            return parts[0]
        partition: int = self._partitioner(key, parts, parts)
        if len(self._by_key) >= KEY_CACHE:
            self._by_key.clear()
        self._by_key[(topic, key)] = partition
        return partition

    async def send_all(self, records: Iterable[Record], prefix: str = "") -> int:
        """Produce every record (``prefix`` + its topic); return the record batches sent."""
        groups: dict[tuple[str, int], list[Record]] = {}
        for rec in records:
            topic = prefix + rec.topic
            partition = rec.partition
            if partition is None:
                partition = await self.partition_of(topic, rec.key)
            groups.setdefault((topic, partition), []).append(rec)
        futures: list[Any] = []
        producer = self.producer
        for (topic, partition), recs in groups.items():
            batch = producer.create_batch()
            filled = 0
            for rec in recs:
                key, value, headers = rec.key, rec.value, rec.headers
                if batch.append(key=key, value=value, timestamp=None, headers=headers) is None:
                    if not filled:  # a single record bigger than a batch: send it on its own
                        futures.append(
                            await producer.send(
                                topic, value, key=key, partition=partition, headers=headers
                            )
                        )
                        continue
                    futures.append(await producer.send_batch(batch, topic, partition=partition))
                    batch = producer.create_batch()
                    filled = 0
                    if batch.append(key=key, value=value, timestamp=None, headers=headers) is None:
                        futures.append(
                            await producer.send(
                                topic, value, key=key, partition=partition, headers=headers
                            )
                        )
                        continue
                filled += 1
            if filled:
                # Closed, the batch goes out at once: an open one waits out linger_ms first
                # (aiokafka's MessageBatch.remaining_linger), and a worker's batch makes two
                # or three such sends one after the other.
                batch.close()
                futures.append(await producer.send_batch(batch, topic, partition=partition))
        await asyncio.gather(*futures)
        return len(futures)
