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


@dataclass(frozen=True, slots=True)
class Selection:
    """Which inbound records to re-drive: a time window, a partition and offsets, a partner."""

    from_time: float | None = None
    to_time: float | None = None
    partition: int | None = None
    start: int | None = None
    end: int | None = None
    partner: str | None = None

    def wants(self, m: Any) -> bool:
        """True for an original record (not an earlier replay's copy) inside the selection."""
        if self.from_time is not None and m.timestamp < int(self.from_time * 1000):
            return False
        if self.to_time is not None and m.timestamp > int(self.to_time * 1000):
            return False
        if self.partner and m.key != self.partner.encode():
            return False
        return not any(k == h.REPLAY for k, _ in (m.headers or ()))


def replay_headers(m: Any, replay_id: str, force: bool) -> list[tuple[str, bytes]]:
    """The copy's headers: the original's, marked with this replay (and ``edi-force``)."""
    headers = [(k, v) for k, v in (m.headers or ()) if k not in (h.REPLAY, h.FORCE)]
    headers.append((h.REPLAY, replay_id.encode()))
    if force:
        headers.append((h.FORCE, b"1"))
    return headers


async def offset_ranges(
    consumer: Any, topic: str, sel: Selection
) -> dict[TopicPartition, tuple[int, int]]:
    """[start, end) per partition of ``topic`` that the selection covers (ends fetch-confirmed)."""
    parts = sorted(consumer.partitions_for_topic(topic) or ())
    if sel.partition is not None:
        if sel.partition not in parts:
            raise ValueError(f"{topic} has no partition {sel.partition}")
        parts = [sel.partition]
    ends = await fetch_highwaters(consumer, [(topic, p) for p in parts])
    tps = [TopicPartition(topic, p) for p in parts]
    consumer.assign(tps)
    if sel.from_time is not None:
        found = await consumer.offsets_for_times({tp: int(sel.from_time * 1000) for tp in tps})
        starts = {
            tp: hit.offset if (hit := found.get(tp)) is not None else ends[(topic, tp.partition)]
            for tp in tps
        }
    else:
        starts = dict(await consumer.beginning_offsets(tps))
    out = {}
    for tp in tps:
        lo = max(starts[tp], sel.start) if sel.start is not None else starts[tp]
        hi = ends[(topic, tp.partition)]
        out[tp] = (lo, min(hi, sel.end) if sel.end is not None else hi)
    return out


async def replay(
    settings: Settings,
    *,
    force: bool = False,
    dry_run: bool = False,
    **selection: Any,
) -> ReplayResult:
    """Copy the chosen inbound records back onto ``edi.inbound`` (awaiting the broker); return counts.

    ``selection`` holds the fields of :class:`Selection` (from_time, to_time,
    partition, start, end, partner).
    """
    sel = Selection(**selection)
    topic = clients.topic(settings, INBOUND)
    result = ReplayResult(replay_id=new_ingest_id(), forced=force)
    consumer = clients.consumer(settings)
    producer = None
    await clients.start(consumer, settings)
    try:
        if not dry_run:
            producer = clients.producer(settings)
            await clients.start(producer, settings)
        ranges = await offset_ranges(consumer, topic, sel)
        for tp, (lo, hi) in ranges.items():
            consumer.seek(tp, lo)
            result.partitions[tp.partition] = (lo, hi)
        await _copy(consumer, producer, topic, ranges, sel, result)
    finally:
        await consumer.stop()
        if producer is not None:
            await producer.stop()
    return result


async def _copy(
    consumer: Any,
    producer: Any,
    topic: str,
    ranges: dict[TopicPartition, tuple[int, int]],
    sel: Selection,
    result: ReplayResult,
) -> None:
    """Read every range to its end, producing a marked copy of each selected record."""
    limits = {tp: hi for tp, (_lo, hi) in ranges.items()}
    pending = {tp for tp, (lo, hi) in ranges.items() if lo < hi}
    futures = []
    while pending:
        batch = await consumer.getmany(*pending, timeout_ms=1000, max_records=2000)
        for tp, msgs in batch.items():
            for m in msgs:
                if m.offset >= limits[tp]:
                    pending.discard(tp)
                    break
                if not sel.wants(m):
                    continue
                result.records += 1
                if producer is not None:
                    headers = replay_headers(m, result.replay_id, result.forced)
                    futures.append(await producer.send(topic, m.value, key=m.key, headers=headers))
                if len(futures) >= 1000:
                    await asyncio.gather(*futures)
                    futures.clear()
            if msgs and msgs[-1].offset + 1 >= limits[tp]:
                pending.discard(tp)
    await asyncio.gather(*futures)


def run(settings: Settings, **kwargs: Any) -> ReplayResult:
    """Blocking wrapper for the CLI."""
    return asyncio.run(replay(settings, **kwargs))
