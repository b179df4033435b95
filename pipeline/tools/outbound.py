"""``edi-mesh send`` and ``edi-mesh outbound status``: the reply path for scripts and operators.

:func:`send` checks a request's shape locally (the worker checks it against
the partner's profile) and produces it to ``edi.outbound`` keyed by partner;
:func:`status` folds the ``sent`` / ``acknowledged`` / ``ack_overdue`` events of
``edi.tracking`` into one row per outbound interchange.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import Any

import orjson
from aiokafka import TopicPartition

from parsers.outbound import decode_request
from pipeline.contracts.topics import OUTBOUND, TRACKING, by_name
from pipeline.kafka import clients
from pipeline.kafka.offsets import fetch_highwaters
from pipeline.settings import Settings


class SendError(ValueError):
    """A request that cannot be published (the message names the field and its code)."""


def checked(partner: str, raw: bytes) -> bytes:
    """``raw`` when it is a request for ``partner`` (shape only), else a SendError."""
    req = decode_request(raw)
    if isinstance(req, list):
        e = req[0].error
        raise SendError(f"{e.code}: {e.message}")
    if req.partner != partner:
        raise SendError(f"EDI303: /partner: {req.partner!r} is not --partner {partner!r}")
    return raw


async def send(settings: Settings, partner: str, raw: bytes) -> dict[str, Any]:
    """Produce one request to edi.outbound (awaiting the broker); where it was stored."""
    producer = clients.producer(settings)
    await producer.start()
    try:
        meta = await producer.send_and_wait(
            clients.topic(settings, OUTBOUND), checked(partner, raw), key=partner.encode()
        )
    finally:
        await producer.stop()
    return {"topic": OUTBOUND, "partition": meta.partition, "offset": meta.offset}


async def tracking_events(settings: Settings, timeout: float = 15.0) -> list[dict[str, Any]]:
    """Every event on edi.tracking now (from the beginning up to the fetch-confirmed end offsets)."""
    topic = clients.topic(settings, TRACKING)
    count = by_name()[TRACKING].partition_count(settings)
    probe = clients.consumer(settings)
    await probe.start()
    try:
        ends = await fetch_highwaters(probe, [(topic, p) for p in range(count)])
    finally:
        await probe.stop()
    consumer = clients.consumer(settings)
    await consumer.start()
    out: list[dict[str, Any]] = []
    try:
        tps = [TopicPartition(topic, p) for p in range(count)]
        consumer.assign(tps)
        for tp in tps:
            consumer.seek(tp, 0)
        left = {tp for tp in tps if ends.get((tp.topic, tp.partition), 0) > 0}
        deadline = time.monotonic() + timeout
        while left and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=200)
            for tp, msgs in batch.items():
                out.extend(orjson.loads(m.value) for m in msgs if m.value)
                if msgs and msgs[-1].offset + 1 >= ends[(tp.topic, tp.partition)]:
                    left.discard(tp)
    finally:
        await consumer.stop()
    return out


def fold(events: Iterable[Mapping[str, Any]], partner: str | None = None) -> list[dict[str, Any]]:
    """One row per outbound interchange: sent, then its acknowledgement state."""
    rows: dict[str, dict[str, Any]] = {}
    for e in events:
        iid = str(e.get("ingest_id", ""))
        if not iid.startswith("outbound:") or (partner and e.get("partner") != partner):
            continue
        kind = e.get("event")
        if kind == "sent" and iid not in rows:
            rows[iid] = {
                "partner": e["partner"],
                "interchange": e["interchange"],
                "group": e.get("group"),
                "type": e.get("type"),
                "filename": e.get("filename"),
                "sent_at": e["at"],
                "reply_to": e.get("reply_to"),
                "state": "waiting",
            }
        elif iid in rows and kind == "acknowledged":
            rows[iid].update(state=e.get("status"), acknowledged_at=e["at"], by=e.get("ack_type"))
        elif iid in rows and kind == "ack_overdue" and rows[iid]["state"] == "waiting":
            rows[iid].update(state="overdue", overdue_at=e["at"])
    return list(rows.values())


async def status(settings: Settings, partner: str | None = None) -> list[dict[str, Any]]:
    """The outbound interchanges (of ``partner``) and their acknowledgement state."""
    return fold(await tracking_events(settings), partner)
