"""``edi-mesh tail``: print a topic's records as JSON lines.

JSON values are printed as they are; other values (raw EDI on ``edi.inbound``,
acknowledgements) as an object with the record's coordinates, key, headers and
text. Works around Tansu's ListOffsets limit (TANSU.md): starting "at the end"
or "from a time" also filters by record timestamp, so the last batch is not
re-printed.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Callable
from typing import IO, Any

import orjson
from aiokafka import TopicPartition

from pipeline.kafka import clients
from pipeline.settings import Settings


def render(msg: Any) -> bytes:
    """One record as one JSON line (without the newline)."""
    value: bytes = msg.value or b""
    if value[:1] in (b"{", b"["):
        try:
            orjson.loads(value)
            return value
        except orjson.JSONDecodeError:
            pass
    return orjson.dumps(
        {
            "topic": msg.topic,
            "partition": msg.partition,
            "offset": msg.offset,
            "timestamp": msg.timestamp,
            "key": (msg.key or b"").decode("utf-8", "replace"),
            "headers": {k: v.decode("utf-8", "replace") for k, v in (msg.headers or ())},
            "value": value.decode("utf-8", "replace"),
        }
    )


async def tail(
    settings: Settings,
    topic: str,
    *,
    from_beginning: bool = False,
    from_time: float | None = None,
    max_records: int | None = None,
    timeout: float | None = None,
    partner: str | None = None,
    out: IO[bytes] | None = None,
    on_record: Callable[[Any], None] | None = None,
) -> int:
    """Print records of ``topic`` until ``max_records`` or ``timeout`` idle seconds; return the count."""
    sink = out if out is not None else sys.stdout.buffer
    name = topic if topic.startswith(settings.topic_prefix) else clients.topic(settings, topic)
    consumer = clients.consumer(settings)
    await clients.start(consumer, settings)
    printed = 0
    try:
        parts = consumer.partitions_for_topic(name)
        if not parts:
            await consumer._client.force_metadata_update()
            parts = consumer.partitions_for_topic(name)
        if not parts:
            raise SystemExit(f"edi-mesh tail: topic {name!r} does not exist")
        tps = [TopicPartition(name, p) for p in sorted(parts)]
        consumer.assign(tps)
        min_ts_ms: int | None = None
        if from_beginning:
            await consumer.seek_to_beginning(*tps)
        elif from_time is not None:
            min_ts_ms = int(from_time * 1000)
            offsets = await consumer.offsets_for_times({tp: min_ts_ms for tp in tps})
            for tp in tps:
                found = offsets.get(tp)
                if found is None:
                    await consumer.seek_to_end(tp)
                else:
                    consumer.seek(tp, found.offset)
        else:
            min_ts_ms = int(time.time() * 1000)
            await consumer.seek_to_end(*tps)
        key = partner.encode() if partner else None
        last = time.monotonic()
        while max_records is None or printed < max_records:
            batch = await consumer.getmany(timeout_ms=200, max_records=1000)
            got = False
            for tp in sorted(batch, key=lambda t: t.partition):
                for msg in batch[tp]:
                    got = True
                    if min_ts_ms is not None and msg.timestamp < min_ts_ms:
                        continue
                    if key is not None and msg.key != key:
                        continue
                    if on_record is not None:
                        on_record(msg)
                    else:
                        sink.write(render(msg) + b"\n")
                    printed += 1
                    if max_records is not None and printed >= max_records:
                        break
                if max_records is not None and printed >= max_records:
                    break
            if got:
                last = time.monotonic()
                if on_record is None:
                    sink.flush()
            elif timeout is not None and time.monotonic() - last >= timeout:
                break
    finally:
        await consumer.stop()
    return printed


def run(settings: Settings, topic: str, **kwargs: Any) -> int:
    """Blocking wrapper for the CLI."""
    return asyncio.run(tail(settings, topic, **kwargs))
