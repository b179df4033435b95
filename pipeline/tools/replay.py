"""``edi-mesh replay``: re-drive a range of ``edi.inbound`` through the pipeline.

Records are copied back onto ``edi.inbound`` with their key and headers plus
``edi-replay: <replay id>``. Workers process them like any record; because
document ids are deterministic and re-sent interchanges hit the duplicate
table, agents see nothing twice unless ``--force`` (header ``edi-force: 1``)
asks workers to route them again, with the same document ids.

The range is fixed when the replay starts (records produced later, replays
included, are never picked up): by time (``--from``/``--to``, filtered on
record timestamps because Tansu's offsets-for-times is only batch-accurate)
and/or by offsets (``--partition``/``--start``/``--end``). Earlier replays are never re-driven.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from aiokafka import TopicPartition

from pipeline.contracts import headers as h
from pipeline.contracts.topics import INBOUND
from pipeline.ingest.results import new_ingest_id
from pipeline.kafka import clients
from pipeline.kafka.offsets import fetch_highwaters
from pipeline.settings import Settings


@dataclass
class ReplayResult:
    """What a replay re-drove."""

    replay_id: str
    records: int = 0
    partitions: dict[int, tuple[int, int]] = field(
        default_factory=dict
    )  # partition -> [start, end)
    forced: bool = False


async def replay(
    settings: Settings,
    *,
    from_time: float | None = None,
    to_time: float | None = None,
    partition: int | None = None,
    start: int | None = None,
    end: int | None = None,
    partner: str | None = None,
    force: bool = False,
    dry_run: bool = False,
) -> ReplayResult:
    """Copy the chosen inbound records back onto ``edi.inbound`` (awaiting the broker); return counts."""
    topic = clients.topic(settings, INBOUND)
    result = ReplayResult(replay_id=new_ingest_id(), forced=force)
    consumer = clients.consumer(settings)
    producer = None if dry_run else clients.producer(settings)
    await consumer.start()
    if producer is not None:
        await producer.start()
    try:
        parts = sorted(consumer.partitions_for_topic(topic) or ())
        if partition is not None:
            if partition not in parts:
                raise ValueError(f"{topic} has no partition {partition}")
            parts = [partition]
        ends = await fetch_highwaters(consumer, [(topic, p) for p in parts])
        tps = [TopicPartition(topic, p) for p in parts]
        consumer.assign(tps)
        starts: dict[TopicPartition, int] = {}
        if from_time is not None:
            found = await consumer.offsets_for_times({tp: int(from_time * 1000) for tp in tps})
            for tp in tps:
                hit = found.get(tp)
                starts[tp] = hit.offset if hit is not None else ends[(topic, tp.partition)]
        else:
            firsts = await consumer.beginning_offsets(tps)
            for tp in tps:
                starts[tp] = firsts[tp]
        if start is not None:
            starts = {tp: max(off, start) for tp, off in starts.items()}
        limits = {tp: ends[(topic, tp.partition)] for tp in tps}
        if end is not None:
            limits = {tp: min(lim, end) for tp, lim in limits.items()}
        for tp in tps:
            consumer.seek(tp, starts[tp])
            result.partitions[tp.partition] = (starts[tp], limits[tp])
        pending = {tp for tp in tps if starts[tp] < limits[tp]}
        lo_ms = int(from_time * 1000) if from_time is not None else None
        hi_ms = int(to_time * 1000) if to_time is not None else None
        key_filter = partner.encode() if partner else None
        futures = []
        while pending:
            batch = await consumer.getmany(*pending, timeout_ms=1000, max_records=2000)
            if not batch:
                continue
            for tp, msgs in batch.items():
                for m in msgs:
                    if m.offset >= limits[tp]:
                        pending.discard(tp)
                        break
                    if lo_ms is not None and m.timestamp < lo_ms:
                        continue
                    if hi_ms is not None and m.timestamp > hi_ms:
                        continue
                    if key_filter is not None and m.key != key_filter:
                        continue
                    if any(k == h.REPLAY for k, _ in (m.headers or ())):
                        continue  # earlier replays are copies: re-drive only originals
                    headers = [(k, v) for k, v in (m.headers or ()) if k not in (h.REPLAY, h.FORCE)]
                    headers.append((h.REPLAY, result.replay_id.encode()))
                    if force:
                        headers.append((h.FORCE, b"1"))
                    result.records += 1
                    if producer is not None:
                        futures.append(
                            await producer.send(topic, m.value, key=m.key, headers=headers)
                        )
                    if len(futures) >= 1000:
                        await asyncio.gather(*futures)
                        futures.clear()
                if msgs and msgs[-1].offset + 1 >= limits[tp]:
                    pending.discard(tp)
        await asyncio.gather(*futures)
    finally:
        await consumer.stop()
        if producer is not None:
            await producer.stop()
    return result


def run(settings: Settings, **kwargs: Any) -> ReplayResult:
    """Blocking wrapper for the CLI."""
    return asyncio.run(replay(settings, **kwargs))
