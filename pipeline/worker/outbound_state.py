"""The outbound room's durable state: idempotency marks, sent records, acknowledgement state.

- ``outbound-keys`` (changelog-backed, partitioned like ``edi.outbound``):
  partner + idempotency key -> the interchange rendered for it (control
  numbers, file name, sha256 and the bytes), so a repeat re-produces the same
  bytes instead of taking new control numbers.
- the worker's ``acks-sent`` table also records every outbound interchange and
  group (``kind: outbound``), so the partner's 997 / 999 / TA1 / CONTRL is matched
  against it (:func:`acknowledged_records`) and :func:`overdue` finds the ones
  whose ``ack_timeout`` passed.
"""

from __future__ import annotations

import base64
import hashlib
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from parsers.outbound import Rendered
from pipeline.contracts import records
from pipeline.contracts.topics import TRACKING
from pipeline.kafka.producing import Record
from pipeline.settings import Settings
from pipeline.worker.acking import sent_key
from pipeline.worker.state import SEP

OUTBOUND_KIND = "outbound"
WAITING = "waiting"


def mark_key(partner: str, key: str) -> bytes:
    """Key of the outbound-keys table: partner and the request's effective idempotency key."""
    return SEP.join((partner, key)).encode()


def tracking_id(partner: str, interchange: str) -> str:
    """The ingest_id of an outbound interchange's tracking events (sent, acknowledged, overdue)."""
    return f"outbound:{partner}:{int(interchange)}"


def filename(rendered: Rendered) -> str:
    """The outbox file name: made of the control numbers, so a re-production rewrites one file."""
    group = f"_{int(rendered.group_control):09d}" if rendered.group_control else ""
    return f"{rendered.type}_{int(rendered.interchange_control):09d}{group}.edi"


@dataclass(frozen=True, slots=True)
class Sent:
    """One rendered interchange as the outbound room remembers it (a mark's value)."""

    partner: str
    standard: str
    type: str
    interchange: str
    group: str | None
    transactions: tuple[str, ...]
    filename: str
    data: bytes
    idempotency_keys: tuple[str | None, ...]
    reply_to: tuple[str | None, ...]
    at: float

    @classmethod
    def of(cls, rendered: Rendered, at: float) -> Sent:
        """What to remember of a freshly rendered interchange."""
        return cls(
            rendered.partner,
            str(rendered.standard),
            rendered.type,
            rendered.interchange_control,
            rendered.group_control,
            rendered.transaction_controls,
            filename(rendered),
            rendered.data,
            rendered.idempotency_keys,
            rendered.reply_to,
            at,
        )

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    def to_bytes(self) -> bytes:
        """The mark's value (the bytes inline, base64)."""
        return orjson.dumps(
            {
                "partner": self.partner,
                "standard": self.standard,
                "type": self.type,
                "interchange": self.interchange,
                "group": self.group,
                "transactions": list(self.transactions),
                "filename": self.filename,
                "sha256": self.sha256,
                "data": base64.b64encode(self.data).decode("ascii"),
                "idempotency_keys": list(self.idempotency_keys),
                "reply_to": list(self.reply_to),
                "at": self.at,
            }
        )

    @classmethod
    def from_bytes(cls, raw: bytes) -> Sent:
        d = orjson.loads(raw)
        return cls(
            d["partner"],
            d["standard"],
            d["type"],
            d["interchange"],
            d.get("group"),
            tuple(d["transactions"]),
            d["filename"],
            base64.b64decode(d["data"]),
            tuple(d["idempotency_keys"]),
            tuple(d["reply_to"]),
            float(d["at"]),
        )

    def sent_record(self, ack_timeout: float, partition: int) -> bytes:
        """The acks-sent value of this interchange (waiting for the partner's acknowledgement)."""
        return orjson.dumps(
            {
                "kind": OUTBOUND_KIND,
                "type": self.type,
                "interchange": self.interchange,
                "group": self.group,
                "filename": self.filename,
                "ingest_id": tracking_id(self.partner, self.interchange),
                "sent_at": self.at,
                "ack_timeout": ack_timeout,
                "status": WAITING,
                "partition": partition,
            }
        )

    def sent_keys(self) -> list[bytes]:
        """The acks-sent keys this interchange is found under (interchange, and group for X12)."""
        keys = [sent_key(self.partner, "interchange", self.interchange)]
        if self.group:
            keys.append(sent_key(self.partner, "group", self.group))
        return keys


class OutboundTables:
    """The outbound-keys table, declared on the app with the worker's other tables."""

    def __init__(self, app: Any, settings: Settings) -> None:  # a faust.App
        self.marks = app.Table(
            "outbound-keys",
            partitions=settings.partitions,
            key_type=bytes,
            value_type=bytes,
        )

    def get(self, key: bytes, pending: Mapping[bytes, bytes]) -> Sent | None:
        """The interchange remembered under ``key`` (this batch's pending marks first)."""
        raw = pending.get(key) or self.marks.data.get(key)
        return Sent.from_bytes(raw) if raw else None


def _keys_of(record: Mapping[str, Any], partner: str) -> list[bytes]:
    """The acks-sent keys of an outbound record (interchange, and group when it has one)."""
    keys = [sent_key(partner, "interchange", record["interchange"])]
    if record.get("group"):
        keys.append(sent_key(partner, "group", record["group"]))
    return keys


def acknowledged_records(
    matches: Iterable[Mapping[str, Any]], partner: str, writes: dict[bytes, bytes]
) -> list[Record]:
    """Tracking ``acknowledged`` for each outbound interchange a partner's ack matched.

    The acks-sent records of the interchange (both keys) get the verdict in
    ``writes`` (the batch's pending sent-ack writes), so it is no longer waiting.
    """
    out: list[Record] = []
    for m in matches:
        sent = m.get("sent") or {}
        if sent.get("kind") != OUTBOUND_KIND or m.get("level") == "transaction":
            continue
        updated = {
            **sent,
            "status": m["status"],
            "acknowledged_at": time.time(),
            "by": m["ack_type"],
        }
        for k in _keys_of(sent, partner):
            writes[k] = orjson.dumps(updated)
        value = records.tracking(
            "acknowledged",
            partner=partner,
            ingest_id=sent["ingest_id"],
            direction="inbound",
            interchange=sent["interchange"],
            ack_type=m["ack_type"],
            control=str(m["refers_to"].get("interchange") or m["refers_to"].get("group") or ""),
            status=m["status"],
            acks=[{k: v for k, v in m.items() if k != "sent"}],
            outbound=_public(sent),
        )
        out.append(Record(TRACKING, partner.encode(), orjson.dumps(value)))
    return out


def _public(sent: Mapping[str, Any]) -> dict[str, Any]:
    """The outbound interchange as tracking events describe it."""
    return {
        "interchange": sent["interchange"],
        "group": sent.get("group"),
        "type": sent.get("type"),
        "filename": sent.get("filename"),
        "sent_at": records.rfc3339(float(sent.get("sent_at", 0))),
    }


def overdue(
    data: Mapping[bytes, bytes], owned: set[int], now: float
) -> tuple[list[Record], dict[bytes, bytes], dict[str, int], dict[str, int]]:
    """Outbound interchanges past their ack_timeout, once each, in partitions this worker owns.

    Returns the ``ack_overdue`` tracking records, the acks-sent writes that mark
    them reported, the partition of each partner, and the unacknowledged count
    per partner (for ``edi_outbound_unacknowledged``).
    """
    out: list[Record] = []
    writes: dict[bytes, bytes] = {}
    partitions: dict[str, int] = {}
    waiting: dict[str, int] = {}
    for key, raw in list(data.items()):
        partner, level, _ = key.decode().split(SEP, 2)
        if level != "interchange" or b'"kind":"outbound"' not in raw:
            continue
        rec = orjson.loads(raw)
        if rec.get("status") != WAITING or rec.get("partition") not in owned:
            continue
        waiting[partner] = waiting.get(partner, 0) + 1
        timeout = float(rec.get("ack_timeout") or 0)
        if not timeout or rec.get("overdue") or now - float(rec["sent_at"]) < timeout:
            continue
        marked = orjson.dumps({**rec, "overdue": True})
        for k in _keys_of(rec, partner):
            writes[k] = marked
        partitions[partner] = int(rec["partition"])
        value = records.tracking(
            "ack_overdue",
            partner=partner,
            ingest_id=rec["ingest_id"],
            interchange=rec["interchange"],
            outbound=_public(rec),
            ack_timeout=timeout,
        )
        out.append(Record(TRACKING, partner.encode(), orjson.dumps(value)))
    return out, writes, partitions, waiting
