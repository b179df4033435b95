"""The worker's changelog-backed Faust tables.

Tables (all partitioned like ``edi.inbound``, keyed so a partner's keys live
in its inbound partition):

- ``dedup``: partner + sender + ISA13/UNB05 + first set control → first
  sighting (ingest id, time); entries older than the retention are pruned.
- ``controls``: partner → the last interchange and group control numbers we
  used in acknowledgements (monotonic per partner).
- ``acks-sent``: partner + our ISA13/UNB05 → what we sent, so inbound
  TA1/997/999/CONTRL can be reconciled.
- ``partner-stats``: one-minute tumbling windows of interchanges, documents,
  errors and bytes per partner.

Writes to the first three are produced by the agent itself (``persist``) and
awaited, in the order :class:`~pipeline.worker.state.StateWrites` requires; Faust
recovers the tables from their changelogs on assignment (with end offsets
confirmed by :mod:`pipeline.kafka.transport`, so recovery is complete on Tansu too).

The partner registry is a different kind of table, a global one: see
:mod:`pipeline.partners.feed`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from datetime import timedelta
from typing import Any, cast

import faust
import orjson
from faust.types import TableT

from pipeline import metrics
from pipeline.contracts.topics import INBOUND
from pipeline.kafka.producing import Record
from pipeline.settings import Settings
from pipeline.worker.state import SEP, Controls, StateWrites

log = logging.getLogger(__name__)

STAT_MEASURES = ("interchanges", "documents", "errors", "bytes")


def partner_of(key: bytes) -> str:
    """The partner id at the start of a dedup / acks-sent key."""
    return key.split(SEP.encode(), 1)[0].decode()


class TableState:
    """:class:`~pipeline.worker.state.State` on Faust tables, with explicit, ordered persistence."""

    def __init__(self, app: faust.App, settings: Settings, sender: Any) -> None:
        self.app = app
        self.settings = settings
        self.sender = (
            sender  # a pipeline.kafka.producing.BatchSender, or anything with its send_all
        )
        opts: dict[str, Any] = {
            "partitions": settings.partitions,
            "key_type": bytes,
            "value_type": bytes,
        }
        self.dedup = app.Table("dedup", **opts)
        self.controls = app.Table("controls", **opts)
        self.acks = app.Table("acks-sent", **opts)
        self.retention = settings.dedup_retention_seconds
        self.writes = StateWrites()
        # Per table: writes taken for persisting (take_controls / take_writes) that persist
        # has not applied to table.data yet. The next batch is processed while they are in
        # flight, so reads look here between this batch's writes and the table.
        self._unapplied: dict[str, dict[bytes, bytes | None]] = {
            t.name: {} for t in (self.dedup, self.controls, self.acks)
        }

    # -- State protocol (reads see this batch's pending writes) -------------------------
    def seen(self, key: bytes) -> dict[str, Any] | None:
        raw = self.writes.seen.get(key) or self._read(self.dedup, key)
        if raw is None:
            return None
        value: dict[str, Any] = orjson.loads(raw)
        if time.time() - float(value.get("at", 0)) > self.retention:
            return None
        return value

    def next_control(self, partner: str, kind: str) -> int:
        current = self.writes.controls.get(partner)
        if current is None:
            current = Controls.from_bytes(self._read(self.controls, partner.encode()))
        nxt = current.advance(kind)
        self.writes.controls[partner] = nxt
        return nxt.interchange if kind == "interchange" else nxt.group

    def sent_ack(self, key: bytes) -> dict[str, Any] | None:
        raw = self.writes.sent_acks.get(key) or self._read(self.acks, key)
        return orjson.loads(raw) if raw else None

    def _read(self, table: TableT[Any, Any], key: bytes) -> bytes | None:
        """A table's value as it will be once every write taken so far is persisted."""
        unapplied = self._unapplied[table.name]
        if key in unapplied:
            return unapplied[key]
        raw: bytes | None = table.data.get(key)
        return raw

    # -- persistence ----------------------------------------------------------------------
    def take_controls(self) -> dict[bytes, bytes | None]:
        """The control numbers allocated since the last call, as changelog items (persist first)."""
        if not self.writes.controls:
            return {}
        items = self.controls_items(self.writes)
        self._unapplied[self.controls.name].update(items)
        self.writes.controls = {}
        return items

    def take_writes(self) -> StateWrites:
        """Hand the batch's pending writes to the caller (who persists them in order).

        Until :meth:`persist` stored them, reads still see them, so the next batch,
        processed while this one is being stored, judges duplicates correctly.
        """
        w, self.writes = self.writes, StateWrites()
        self._unapplied[self.dedup.name].update(w.seen)
        self._unapplied[self.acks.name].update(w.sent_acks)
        return w

    async def persist(
        self,
        table: TableT[Any, Any],
        items: Mapping[bytes, bytes | None],
        partitions: Mapping[str, int],
    ) -> None:
        """Produce changelog records (awaiting the broker) and apply them to the table's data."""
        topic = table.changelog_topic.get_topic_name()
        if table is self.controls:
            # Control numbers only grow: write the latest taken (two agents take them, and an
            # older take persisted after a newer one must not move the changelog backwards).
            latest = self._unapplied[table.name]
            items = {k: latest.get(k) or v for k, v in items.items()}
        await self.sender.send_all(
            Record(topic, key, value, partition=partitions.get(partner_of(key)))
            for key, value in items.items()
        )
        data = table.data
        unapplied = self._unapplied.get(table.name, {})
        for key, value in items.items():
            if value is None:
                data.pop(key, None)
            else:
                data[key] = value
            # a later take of the same key (the next batch's control numbers) stays in front
            if key in unapplied and unapplied[key] is value:
                del unapplied[key]

    def pending_keys(self, table: TableT[Any, Any]) -> set[bytes]:
        """Keys of ``table`` with writes taken or pending but not yet applied to its data."""
        pending = set(self._unapplied.get(table.name, {}))
        if table is self.acks:
            pending |= set(self.writes.sent_acks)
        return pending

    def controls_items(self, w: StateWrites) -> dict[bytes, bytes | None]:
        return {p.encode(): c.to_bytes() for p, c in w.controls.items()}

    def active_partitions(self) -> set[int]:
        """Inbound partitions this worker currently owns."""
        inbound = self.settings.topic_prefix + INBOUND
        return {tp.partition for tp in self.app.assignor.assigned_actives() if tp.topic == inbound}

    async def prune(self, now: float | None = None) -> int:
        """Tombstone dedup entries older than the retention (only in partitions we own)."""
        now = time.time() if now is None else now
        owned = self.active_partitions()
        expired: dict[bytes, bytes | None] = {}
        partitions: dict[str, int] = {}
        fresher = self._unapplied[self.dedup.name]  # seen again, on its way to the changelog
        for key, raw in list(self.dedup.data.items()):
            if key in fresher:
                continue
            value = orjson.loads(raw)
            if now - float(value.get("at", 0)) > self.retention and value.get("partition") in owned:
                expired[key] = None
                partitions[partner_of(key)] = int(value["partition"])
        if expired:
            await self.persist(self.dedup, expired, partitions)
        return len(expired)

    def sizes(self) -> dict[str, int]:
        """Entries per table (for /stats and the closing note)."""
        return {
            "dedup": len(self.dedup.data),
            "controls": len(self.controls.data),
            "acks-sent": len(self.acks.data),
        }


class PartnerStats:
    """Per-partner counts in one-minute tumbling windows (a windowed Faust table)."""

    def __init__(self, app: faust.App, settings: Settings) -> None:
        self.table = (
            app.Table(
                "partner-stats",
                default=int,
                partitions=settings.partitions,
                use_partitioner=True,  # written outside an event context; keys hash to partitions
                schema=faust.Schema(
                    key_type=str,
                    value_type=cast(Any, int),
                    key_serializer="json",
                    value_serializer="json",
                ),
            )
            .tumbling(60.0, expires=timedelta(hours=2))
            .relative_to_now()
        )
        self.known: set[str] = set()

    def add(self, partner: str, counts: Mapping[str, int]) -> None:
        """Add to the current window (call inside the event context of one of the partner's events)."""
        self.known.add(partner)
        for measure, n in counts.items():
            if n:
                key = f"{partner}:{measure}"
                self.table[key] += n
                metrics.PARTNER_WINDOW.labels(partner, measure).set(self.table[key].now())

    def snapshot(self) -> dict[str, dict[str, dict[str, int]]]:
        """``{partner: {"current": {...}, "previous": {...}}}`` for the worker's /stats page."""
        out: dict[str, dict[str, dict[str, int]]] = {}
        base: Any = self.table.table  # the windowed table under the wrapper
        earlier = time.time() - 60.0  # WindowSet.delta needs an event; look the window up by time
        for partner in sorted(self.known):
            cur = {m: int(self.table[f"{partner}:{m}"].now()) for m in STAT_MEASURES}
            prev = {
                m: int(base._windowed_timestamp(f"{partner}:{m}", earlier)) for m in STAT_MEASURES
            }
            out[partner] = {"current": cur, "previous": prev}
        return out
