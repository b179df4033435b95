"""BatchSender against the real broker: keys land where every Kafka client puts them."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from aiokafka import AIOKafkaProducer
from aiokafka.partitioner import DefaultPartitioner

from pipeline.contracts.topics import TopicSpec
from pipeline.kafka import clients
from pipeline.kafka.admin import ensure_topics
from pipeline.kafka.producing import BatchSender, Record
from pipeline.settings import Settings


def spec(name: str, partitions: int) -> TopicSpec:
    """A test topic (the prefix of the test's settings is added on creation)."""
    return TopicSpec(name, key="partner id", value="bytes", partitions=partitions)


KEYS = [b"acme", b"globex", b"healthnet", b"sandbox", b"bench-007", b"\xff\x00binary"]


def test_partition_of_is_the_default_partitioner_and_cached(
    make_settings: Callable[..., Settings],
) -> None:
    s = make_settings()
    three, five = s.topic_prefix + "p3", s.topic_prefix + "p5"

    async def run() -> None:
        await ensure_topics(s, [spec("p3", 3), spec("p5", 5)])
        producer = clients.producer(s)
        await producer.start()
        try:
            sender = BatchSender(producer)
            part = DefaultPartitioner()
            for topic, n in ((three, 3), (five, 5)):
                for key in KEYS:
                    want = part(key, list(range(n)), list(range(n)))
                    assert await sender.partition_of(topic, key) == want
                    assert sender._by_key[(topic, key)] == want  # cached
            assert await sender.partition_of(three, None) == 0
            sender.forget()
            assert not sender._by_key and not sender._partitions
        finally:
            await producer.stop()

    asyncio.run(run())


def test_send_all_stores_every_record_on_its_partition_even_with_a_long_linger(
    make_settings: Callable[..., Settings],
) -> None:
    """Every record is stored once, on its key's partition (or the one given), in order.

    The producer lingers 60 s: send_all closes its batches, so they go out at
    once; an open batch would hold this test until the linger ran out.
    """
    s = make_settings()
    topic = s.topic_prefix + "out"
    records = [
        Record(topic, key, f"{key!r}-{i}".encode(), [("n", b"%d" % i)])
        for i in range(40)
        for key in KEYS
    ]
    records += [Record(topic, b"acme", b"pinned", [], partition=1)]

    async def run() -> dict[int, list[bytes]]:
        await ensure_topics(s, [spec("out", 3)])
        producer: AIOKafkaProducer = clients.producer(s, linger_ms=60_000)
        await producer.start()
        try:
            await asyncio.wait_for(BatchSender(producer).send_all(records), timeout=30)
        finally:
            await producer.stop()
        consumer = clients.consumer(s, topic, auto_offset_reset="earliest", group_id=None)
        await consumer.start()
        got: dict[int, list[bytes]] = {}
        try:
            while sum(len(v) for v in got.values()) < len(records):
                batch = await asyncio.wait_for(consumer.getmany(timeout_ms=500), timeout=30)
                for tp, msgs in batch.items():
                    got.setdefault(tp.partition, []).extend(m.value or b"" for m in msgs)
        finally:
            await consumer.stop()
        return got

    got = asyncio.run(run())
    part = DefaultPartitioner()
    want: dict[int, list[bytes]] = {}
    for r in records:
        p = r.partition if r.partition is not None else part(r.key, [0, 1, 2], [0, 1, 2])
        want.setdefault(p, []).append(r.value or b"")
    assert got == want
