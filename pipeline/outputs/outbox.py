"""The outbox writer: ``edi.acks.outbound`` and ``edi.outbound.interchanges`` to ``outbox/<partner>/``.

Acknowledgements and the interchanges built from agents' requests are written
alike, under the name in their ``edi-filename`` header (made of control
numbers, so a re-produced interchange rewrites the same file).

Runs in the ingest process (the one that owns the data directory). Each file
is written atomically (temporary name, fsync, rename), and the consumer group
commits only after the files of a batch are on disk, so a crash rewrites the
same files under the same names instead of losing or doubling one.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
from pathlib import Path

from aiokafka.errors import KafkaError

from pipeline import metrics
from pipeline.contracts import headers as h
from pipeline.contracts.topics import ACKS_OUTBOUND, OUTBOUND_INTERCHANGES
from pipeline.kafka import clients
from pipeline.settings import Settings

log = logging.getLogger(__name__)
_SAFE = re.compile(r"[^A-Za-z0-9._-]")


def safe_name(name: str, fallback: str) -> str:
    """A file name that stays inside the outbox folder."""
    cleaned = _SAFE.sub("_", name).lstrip(".")
    return cleaned or fallback


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so readers see the whole file or nothing."""
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


async def run(settings: Settings, stop: asyncio.Event) -> None:
    """Consume acknowledgements and outbound interchanges into partner outboxes until ``stop``."""
    while not stop.is_set():
        consumer = clients.consumer(
            settings,
            clients.topic(settings, ACKS_OUTBOUND),
            clients.topic(settings, OUTBOUND_INTERCHANGES),
            group_id=settings.topic_prefix + settings.outbox_group,
            session_timeout_ms=int(settings.session_timeout * 1000),
            heartbeat_interval_ms=int(settings.heartbeat_interval * 1000),
        )
        try:
            await consumer.start()
            while not stop.is_set():
                batch = await consumer.getmany(timeout_ms=500)
                if not batch:
                    continue
                for msgs in batch.values():
                    for m in msgs:
                        partner = safe_name((m.key or b"").decode("utf-8", "replace"), "unknown")
                        headers = {k: v.decode("utf-8", "replace") for k, v in (m.headers or ())}
                        name = safe_name(
                            headers.get(h.FILENAME, ""), f"ack_{m.partition}_{m.offset}.edi"
                        )
                        folder = settings.outbox / partner
                        folder.mkdir(parents=True, exist_ok=True)
                        await asyncio.to_thread(write_atomic, folder / name, m.value or b"")
                        metrics.OUTBOX_FILES.labels(partner).inc()
                await consumer.commit()
        except (KafkaError, OSError) as exc:
            log.warning("outbox writer: %s; restarting in 1 s", exc)
            await asyncio.sleep(1.0)
        finally:
            await consumer.stop()
