"""Direct, batched produce for the worker's hot path.

``AIOKafkaProducer.send`` costs a coroutine, a metadata check and an
accumulator append per record; a batch of interchanges produces thousands of
records. :class:`BatchSender` groups a batch's records by topic and partition
(the same murmur2 partitioner as every Kafka client, so keys land where Faust
or the Java client would put them), fills aiokafka record batches directly and
hands each whole batch to the producer: one future per record batch instead
of one per record.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.partitioner import DefaultPartitioner

Record = tuple[str, bytes | None, bytes | None, list[tuple[str, bytes]], int | None]
"""(topic with prefix, key, value, headers, partition or None for the key's partition)."""


class BatchSender:
    """Produce many records at once and wait until the broker acknowledged all of them."""

    def __init__(self, producer: AIOKafkaProducer) -> None:
        self.producer = producer
        self._partitioner = DefaultPartitioner()
        self._partitions: dict[str, list[int]] = {}

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

    async def send_all(self, records: Iterable[Record]) -> int:
        """Produce every record; return the number of record batches sent."""
        groups: dict[tuple[str, int], list[Record]] = {}
        for rec in records:
            topic, key, _value, _headers, partition = rec
            if partition is None:
                parts = await self.partitions(topic)
                partition = self._partitioner(key, parts, parts) if key is not None else parts[0]
            groups.setdefault((topic, partition), []).append(rec)
        futures: list[Any] = []
        producer = self.producer
        for (topic, partition), recs in groups.items():
            batch = producer.create_batch()
            filled = 0
            for _t, key, value, headers, _p in recs:
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
                futures.append(await producer.send_batch(batch, topic, partition=partition))
        await asyncio.gather(*futures)
        return len(futures)
