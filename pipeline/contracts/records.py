"""The JSON records edi-mesh writes besides documents: dead letters and tracking events.

One builder each, so ingest and workers write the same shapes (their JSON
Schemas are in ``pipeline/contracts/schemas/``).
"""

from __future__ import annotations

import base64
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from parsers.errors import EdiError

RAW_INLINE_LIMIT = 256 * 1024  # bigger raw payloads are referenced, not copied

TRACKING_EVENTS = (
    "received",
    "parsed",
    "routed",
    "acknowledged",
    "rejected",
    "duplicate",
    "sent",
    "ack_overdue",
    "delivered",  # push delivery: an outbox file uploaded to the partner's SFTP server
    "delivery_failed",  # push delivery: not delivered (reported once per failure streak)
)


class _SecondCache:
    """The ``YYYY-MM-DDTHH:MM:SS`` of the last second asked for (a worker stamps many per second)."""

    __slots__ = ("second", "text")

    def __init__(self) -> None:
        self.second = -1
        self.text = ""

    def stamp(self, ns: int) -> str:
        """RFC 3339 UTC with milliseconds (truncated, as ``isoformat``) of epoch nanoseconds."""
        second, rest = divmod(ns, 1_000_000_000)
        if second != self.second:
            self.text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
            self.second = second
        return f"{self.text}.{rest // 1_000_000:03d}Z"


_NOW = _SecondCache()


def now_rfc3339() -> str:
    """The current UTC time as RFC 3339 with milliseconds (``2026-11-26T04:00:00.123Z``)."""
    return _NOW.stamp(time.time_ns())


def rfc3339(epoch: float) -> str:
    """An epoch time as RFC 3339 UTC with milliseconds."""
    return (
        datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    )


def parse_rfc3339(value: str) -> float | None:
    """Epoch seconds of an RFC 3339 timestamp, or None when unreadable."""
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def raw_payload(raw: bytes, reference: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The raw bytes of a rejected input for a dead letter: inline, or a reference when large.

    Inline text when the bytes are UTF-8, base64 otherwise; ``reference`` says
    where the full bytes are (inbound topic offset, quarantine path).
    """
    out: dict[str, Any] = {"size": len(raw)}
    if reference:
        out["ref"] = dict(reference)
    if len(raw) <= RAW_INLINE_LIMIT:
        try:
            out["text"] = raw.decode("utf-8")
        except UnicodeDecodeError:
            out["base64"] = base64.b64encode(raw).decode("ascii")
    return out


def deadletter(
    *,
    errors: Sequence[EdiError],
    partner: str,
    source: Mapping[str, Any],
    raw: bytes,
    stage: str,
    reference: Mapping[str, Any] | None = None,
    context: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A dead-letter record: the first error, all errors, where it came from and the raw input.

    ``stage`` is ``ingest`` or ``worker``; ``context`` holds envelope facts
    (interchange/group/transaction control numbers) when they were readable.
    """
    if not errors:
        raise ValueError("a dead letter needs at least one error")
    return {
        "error": errors[0].to_dict(),
        "errors": [e.to_dict() for e in errors],
        "partner": partner,
        "stage": stage,
        "source": dict(source),
        "context": dict(context or {}),
        "raw": raw_payload(raw, reference),
        "at": now_rfc3339(),
    }


def tracking(
    event: str,
    *,
    partner: str,
    ingest_id: str,
    source: Mapping[str, Any] | None = None,
    **details: Any,
) -> dict[str, Any]:
    """One lifecycle event of an interchange on ``edi.tracking``."""
    if event not in TRACKING_EVENTS:
        raise ValueError(f"unknown tracking event {event!r}")
    out: dict[str, Any] = {
        "event": event,
        "ingest_id": ingest_id,
        "partner": partner,
        "at": now_rfc3339(),
    }
    if source is not None:
        out["source"] = dict(source)
    out.update(details)
    return out
