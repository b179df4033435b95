"""An example reply agent: read each 850 / ORDERS on ``agents.orders``, answer 855 / ORDRSP on ``edi.outbound``.

The second half of a real EDI relationship (see examples/README.md): the mesh
turns the request into an enveloped interchange for the partner, exactly once
per ``idempotency_key``, and tracks the partner's acknowledgement of it. Like
order_agent.py it needs only aiokafka, not edi-mesh.

    python examples/reply_agent.py --broker 127.0.0.1:9092 --from-beginning

What it shows:

* the **request**: ``partner`` (= the record key), ``standard``, ``type``,
  ``reply_to`` (the answered document's id) and ``segments``, the body only
  (no ST/SE or UNH/UNT: the mesh writes envelopes, counts and control numbers);
* an **idempotency key derived from the document id**, so a redelivered order
  (delivery is at least once) never produces a second acknowledgement;
* **commit after producing**: a crash re-sends, and the key makes that harmless.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

Segment = list[Any]


def element(seg: Segment, pos: int, comp: int = 1) -> str:
    """Element ``pos`` (1-based), component ``comp`` of a composite; "" when absent."""
    if pos >= len(seg):
        return ""
    value = seg[pos]
    while isinstance(value, list) and value and isinstance(value[0], list):
        value = value[0]
    if isinstance(value, list):
        return str(value[comp - 1]) if comp <= len(value) else ""
    return str(value) if comp == 1 else ""


def _x12_855(doc: dict[str, Any], today: str) -> list[Segment]:
    """An 855 body accepting every PO1 line of an 850 as ordered."""
    po = str(doc["keys"].get("po_number") or "")
    body: list[Segment] = [["BAK", "00", "AC", po, today]]
    lines = 0
    for seg in doc["segments"]:
        if seg[0] == "BEG" and not po:
            body[0][3] = po = element(seg, 3)
        elif seg[0] == "PO1":
            lines += 1
            qty, unit = element(seg, 2), element(seg, 3)
            body.append(["PO1", element(seg, 1), qty, unit, element(seg, 4)])
            body.append(["ACK", "IA", qty, unit])
    body.append(["CTT", str(lines)])
    return body


def _edifact_ordrsp(doc: dict[str, Any], today: str) -> list[Segment]:
    """An ORDRSP body accepting an ORDERS (BGM 231, response code 29: accepted without amendment)."""
    po = str(doc["keys"].get("order_number") or "")
    body: list[Segment] = [["BGM", "231", f"RSP{po}"[:35], "29"], ["DTM", ["137", today, "102"]]]
    body.append(["RFF", ["ON", po]])
    for seg in doc["segments"]:
        if seg[0] == "LIN":
            body.append(["LIN", element(seg, 1), "5"])  # 5: accepted without amendment
    return body


def reply_for(doc: dict[str, Any], today: str | None = None) -> dict[str, Any] | None:
    """The edi.outbound request answering one orders document, or None for other types."""
    today = today or datetime.now(UTC).strftime("%Y%m%d")
    if doc.get("type") == "850":
        kind, body = "855", _x12_855(doc, today)
    elif doc.get("type") == "ORDERS":
        kind, body = "ORDRSP", _edifact_ordrsp(doc, today)
    else:
        return None
    return {
        "partner": doc["partner"]["id"],
        "standard": doc["standard"],
        "type": kind,
        "test": bool(doc.get("test")),
        "idempotency_key": f"{kind}-for-{doc['id']}",  # one reply per order, whatever happens
        "reply_to": doc["id"],
        "segments": body,
    }


async def run(args: argparse.Namespace) -> int:
    """Consume orders until --max records or --timeout idle seconds; return the replies sent."""
    consumer = AIOKafkaConsumer(
        args.topic,
        bootstrap_servers=args.broker,
        group_id=args.group,
        enable_auto_commit=False,
        auto_offset_reset="earliest" if args.from_beginning else "latest",
        session_timeout_ms=6000,
        heartbeat_interval_ms=1500,
        rebalance_timeout_ms=6000,
    )
    producer = AIOKafkaProducer(bootstrap_servers=args.broker, acks="all")
    await consumer.start()
    await producer.start()
    seen = sent = 0
    try:
        loop = asyncio.get_running_loop()
        last = loop.time()
        while args.max is None or seen < args.max:
            if args.timeout is not None and loop.time() - last > args.timeout:
                break
            batch = await consumer.getmany(timeout_ms=500)
            if not batch:
                continue
            last = loop.time()
            offsets: dict[TopicPartition, int] = {}
            for tp, records in batch.items():
                for rec in records:
                    seen += 1
                    offsets[tp] = rec.offset + 1
                    try:
                        request = reply_for(json.loads(rec.value or b"null"))
                    except (ValueError, KeyError, TypeError) as exc:
                        print(
                            f"{rec.topic}/{rec.partition}@{rec.offset}: skipped ({exc})",
                            file=sys.stderr,
                        )
                        continue
                    if request is None:
                        continue
                    await producer.send_and_wait(
                        args.outbound, json.dumps(request).encode(), key=request["partner"].encode()
                    )
                    sent += 1
                    print(f"sent {request['type']} for {request['reply_to']}", flush=True)
            await consumer.commit(offsets)  # after producing: a crash re-sends (same key)
    finally:
        await producer.stop()
        await consumer.stop()
    return sent


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options (the broker and topic prefix also from the environment)."""
    prefix = os.environ.get("EDI_MESH_TOPIC_PREFIX", "")
    p = argparse.ArgumentParser(description="Example edi-mesh reply agent (855 / ORDRSP).")
    p.add_argument("--broker", default=os.environ.get("EDI_MESH_BROKER", "127.0.0.1:9092"))
    p.add_argument("--topic", default=prefix + "agents.orders", help="orders topic to consume")
    p.add_argument("--outbound", default=prefix + "edi.outbound", help="where requests go")
    p.add_argument("--group", default="reply-agent", help="this agent's consumer group")
    p.add_argument("--from-beginning", action="store_true", help="new group: oldest first")
    p.add_argument("--max", type=int, default=None, help="stop after N records")
    p.add_argument("--timeout", type=float, default=None, help="stop after SECONDS idle")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: run the agent until --max / --timeout / Ctrl-C."""
    args = parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
