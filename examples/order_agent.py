"""An example order agent: consume ``agents.orders``, check each document, say what it would do.

The template for agent developers (see examples/README.md). It uses only
aiokafka and jsonschema, not edi-mesh itself: an agent needs the topic, the
document schema (parsers/document.schema.json) and nothing else.

    python examples/order_agent.py --broker 127.0.0.1:9092 --from-beginning

What every agent on the mesh should do, and this one shows:

* consume in its **own consumer group** (each group gets every document;
  several processes in one group share the partitions);
* **validate** each document against the document schema, and skip (never
  crash on) one that does not match;
* **deduplicate by document id**: delivery is at least once, so the same
  document (same ``id``) can arrive again after a worker or agent restart;
* **commit after handling**, so a crash replays, never loses, a document.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
from collections import OrderedDict
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from jsonschema import Draft202012Validator

# In this repository the schema lives in parsers/; an agent elsewhere ships its own copy.
DEFAULT_SCHEMA = Path(__file__).resolve().parents[1] / "parsers" / "document.schema.json"

Segment = list[
    Any
]  # [tag, element, ...]: element = str | [component, ...] | [[component, ...], ...]


# -- reading a document's segments -------------------------------------------------------------
def element(seg: Segment, pos: int, comp: int = 1) -> str:
    """Element ``pos`` (1-based, after the tag), component ``comp`` of a composite; "" if absent.

    Documents carry simple elements as strings, composites as lists of component
    strings and repetitions as lists of composites; this reads the first repeat.
    """
    if pos >= len(seg):
        return ""
    value = seg[pos]
    while isinstance(value, list) and value and isinstance(value[0], list):
        value = value[0]  # a repetition: take the first repeat
    if isinstance(value, list):
        return str(value[comp - 1]) if comp <= len(value) else ""
    return str(value) if comp == 1 else ""


def number(text: str) -> Decimal | None:
    """An EDI number as Decimal (EDIFACT may use "," as the decimal mark); None if not one."""
    if not text:
        return None
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation:
        return None


def _x12_order(doc: dict[str, Any]) -> tuple[str, list[tuple[Decimal | None, Decimal | None]], str]:
    """PO number, (quantity, unit price) per PO1 line, and the ship-to (N1*ST, N3, N4) of an 850."""
    po = str(doc["keys"].get("po_number") or "")
    lines: list[tuple[Decimal | None, Decimal | None]] = []
    ship: list[str] = []
    in_ship_to = False
    for seg in doc["segments"]:
        tag = seg[0]
        if tag == "BEG" and not po:
            po = element(seg, 3)
        elif tag == "PO1":
            lines.append((number(element(seg, 2)), number(element(seg, 4))))
        elif tag == "N1":
            in_ship_to = element(seg, 1) == "ST"
            if in_ship_to:
                ship = [element(seg, 2) or element(seg, 4)]
        elif in_ship_to and tag == "N3":
            ship.append(element(seg, 1))
        elif in_ship_to and tag == "N4":
            ship.append(
                " ".join(p for p in (element(seg, 1), element(seg, 2), element(seg, 3)) if p)
            )
    return po, lines, ", ".join(p for p in ship if p)


def _code(value: Any) -> str:
    """The code of a coded ``data`` element (``{"code", "description"}``), or the plain text."""
    return str(value.get("code", "")) if isinstance(value, dict) else str(value or "")


def _x12_order_from_data(
    doc: dict[str, Any],
) -> tuple[str, list[tuple[Decimal | None, Decimal | None]], str]:
    """:func:`_x12_order` read from the named ``data`` tree: no segment positions to know.

    Keys are the standard's names plus the tag or position (README: Reading ``data``).
    """
    data = doc["data"]
    beg = data.get("beginning_segment_for_purchase_order_BEG", {})
    po = str(doc["keys"].get("po_number") or beg.get("purchase_order_number_03", ""))
    lines = []
    for loop in data.get("baseline_item_data_PO1_loop", []):
        po1 = loop["baseline_item_data_PO1"]
        lines.append(
            (number(po1.get("quantity_ordered_02", "")), number(po1.get("unit_price_04", "")))
        )
    ship: list[str] = []
    for party in data.get("name_N1_loop", []):
        n1 = party["name_N1"]
        if _code(n1.get("entity_identifier_code_01")) != "ST":
            continue
        ship = [n1.get("name_02") or n1.get("identification_code_04", "")]
        ship += [
            a.get("address_information_01", "") for a in party.get("address_information_N3", [])
        ]
        for n4 in party.get("geographic_location_N4", []):
            parts = (
                n4.get("city_name_01"),
                _code(n4.get("state_or_province_code_02")),
                n4.get("postal_code_03"),
            )
            ship.append(" ".join(str(p) for p in parts if p))
        break
    return po, lines, ", ".join(p for p in ship if p)


def _edifact_order(
    doc: dict[str, Any],
) -> tuple[str, list[tuple[Decimal | None, Decimal | None]], str]:
    """Order number, (QTY+21, PRI+AAA) per LIN line, and the delivery party of an ORDERS."""
    po = str(doc["keys"].get("order_number") or "")
    lines: list[list[Decimal | None]] = []
    ship = ""
    for seg in doc["segments"]:
        tag = seg[0]
        if tag == "BGM" and not po:
            po = element(seg, 2)
        elif tag == "LIN":
            lines.append([None, None])
        elif tag == "QTY" and lines and element(seg, 1, 1) in ("21", "1"):
            lines[-1][0] = number(element(seg, 1, 2))
        elif tag == "PRI" and lines and element(seg, 1, 1) in ("AAA", "AAB"):
            lines[-1][1] = number(element(seg, 1, 2))
        elif tag == "NAD" and element(seg, 1) in ("DP", "ST") and not ship:
            # NAD04 party name, NAD07 city; else the party id (NAD02 C082/3039)
            name = element(seg, 4) or element(seg, 2)
            ship = ", ".join(p for p in (name, element(seg, 6), element(seg, 7)) if p)
    return po, [(q, p) for q, p in lines], ship


def describe_order(doc: dict[str, Any]) -> str:
    """What the agent would do with one orders document: the pure part, easy to test.

    ``would confirm PO 4500012345 from ACME Foods: 3 lines, total 123.45, ship to ...``
    """
    kind = doc["type"]
    if kind in ("850", "ORDERS"):
        reader: Callable[
            [dict[str, Any]], tuple[str, list[tuple[Decimal | None, Decimal | None]], str]
        ]
        if doc["standard"] != "x12":
            reader = _edifact_order
        elif doc.get("data") and doc.get("dictionary"):  # the partner sends named data
            reader = _x12_order_from_data
        else:
            reader = _x12_order
        po, lines, ship = reader(doc)
        verb = "would confirm"
    else:  # 860 / ORDCHG (changes), 875 (grocery PO): same topic, other handling
        po = str(doc["keys"].get("po_number") or doc["keys"].get("order_number") or "?")
        lines, ship, verb = [], "", f"would review {doc['name'].lower()} for"
    partner = (doc.get("partner") or {}).get("name") or (doc.get("partner") or {}).get("id") or "?"
    text = f"{verb} PO {po} from {partner}"
    if kind in ("850", "ORDERS"):
        priced = [q * p for q, p in lines if q is not None and p is not None]
        if lines and len(priced) == len(lines):
            total = f"total {sum(priced, Decimal(0))}"
        else:  # no unit prices sent: report the ordered quantity instead
            total = f"total quantity {sum((q for q, _ in lines if q is not None), Decimal(0))}"
        n = f"{len(lines)} line" + ("" if len(lines) == 1 else "s")
        text += f": {n}, {total}, ship to {ship or 'the default address'}"
    if doc.get("fragment"):
        f = doc["fragment"]
        text += f" (fragment {f['index']}/{f['count']} of {f['of_id']}: lines of this part only)"
    if doc.get("test"):
        text = "[test] " + text
    return text


# -- the agent: validate, deduplicate, handle ----------------------------------------------------
class OrderAgent:
    """Validates and deduplicates documents, then describes them; no Kafka in here."""

    def __init__(self, schema: dict[str, Any], remember: int = 100_000) -> None:
        """Check ``schema`` and start with no document seen (``remember``: ids kept)."""
        Draft202012Validator.check_schema(schema)
        self.validator = Draft202012Validator(schema)
        # Ids of handled documents, oldest first. In memory for the example: a real agent
        # keeps them where its effects go (a unique key in its database), so a restart,
        # which replays from the last commit, still recognises them.
        self.seen: OrderedDict[str, None] = OrderedDict()
        self.remember = remember

    def handle(self, value: bytes | None) -> tuple[str, str]:
        """One record value -> (outcome, line): ``handled``, ``duplicate`` or ``invalid``."""
        try:
            doc = json.loads(value or b"null")
        except ValueError as exc:
            return "invalid", f"not JSON: {exc}"
        errors = sorted(self.validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
        if errors:
            where = "/".join(str(p) for p in errors[0].absolute_path) or "(top)"
            return (
                "invalid",
                f"document does not match the schema at {where}: {errors[0].message[:200]}",
            )
        doc_id = doc["id"]
        if doc_id in self.seen:
            return "duplicate", f"skip duplicate document {doc_id}"
        line = describe_order(doc)  # a real agent acts here (and records doc_id with its effect)
        self.seen[doc_id] = None
        if len(self.seen) > self.remember:
            self.seen.popitem(last=False)
        return "handled", line


async def run(args: argparse.Namespace) -> int:
    """Consume until --max records or --timeout idle seconds; return the number of records."""
    agent = OrderAgent(json.loads(Path(args.schema).read_text(encoding="utf-8")))
    consumer = AIOKafkaConsumer(
        args.topic,
        bootstrap_servers=args.broker,
        group_id=args.group,  # the agent's own group: it gets every document of the topic
        enable_auto_commit=False,  # we commit ourselves, after handling
        # Like kafka-console-consumer: --from-beginning applies while the group has no
        # committed offset; after that the group resumes where it committed.
        auto_offset_reset="earliest" if args.from_beginning else "latest",
        # Small timeouts make joining the group quick (the local Tansu broker holds a
        # JoinGroup for half the session timeout); 6 s is Kafka's default minimum.
        session_timeout_ms=6000,
        heartbeat_interval_ms=1500,
        rebalance_timeout_ms=6000,
    )
    await consumer.start()
    count = 0
    try:
        loop = asyncio.get_running_loop()
        last = loop.time()
        while args.max is None or count < args.max:
            if args.timeout is not None and loop.time() - last > args.timeout:
                break
            batch = await consumer.getmany(timeout_ms=500, max_records=_room(args.max, count))
            if not batch:
                continue
            last = loop.time()
            offsets: dict[TopicPartition, int] = {}
            for tp, records in batch.items():
                for rec in records:
                    outcome, line = agent.handle(rec.value)
                    where = f"{rec.topic}/{rec.partition}@{rec.offset}"
                    if outcome == "invalid":  # skip it: a bad record must not block the partition
                        print(f"{where}: {line}", file=sys.stderr, flush=True)
                    else:
                        print(line, flush=True)
                    offsets[tp] = rec.offset + 1
                    count += 1
            await consumer.commit(offsets)  # after handling: a crash before this replays the batch
    finally:
        await consumer.stop()
    return count


def _room(limit: int | None, count: int) -> int | None:
    """How many more records to fetch in one batch under --max."""
    return None if limit is None else max(1, limit - count)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options (the broker also from EDI_MESH_BROKER, like edi-mesh)."""
    p = argparse.ArgumentParser(description="Example edi-mesh order agent (agents.orders).")
    p.add_argument("--broker", default=os.environ.get("EDI_MESH_BROKER", "127.0.0.1:9092"))
    p.add_argument(
        "--topic",
        default=os.environ.get("EDI_MESH_TOPIC_PREFIX", "") + "agents.orders",
        help="topic to consume, with edi-mesh's topic prefix if it has one",
    )
    p.add_argument("--group", default="order-agent", help="this agent's consumer group")
    p.add_argument(
        "--from-beginning", action="store_true", help="new group: start at the oldest document"
    )
    p.add_argument("--max", type=int, default=None, help="stop after N records")
    p.add_argument(
        "--timeout", type=float, default=None, help="stop after SECONDS without a record"
    )
    p.add_argument("--schema", default=str(DEFAULT_SCHEMA), help="the document JSON Schema file")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: run the agent until --max / --timeout / Ctrl-C."""
    args = parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C: stop without a traceback
        asyncio.run(run(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
