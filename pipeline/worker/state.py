"""The worker's state as the pure processor sees it: duplicates, control numbers, sent acks.

:class:`State` is what :class:`~pipeline.worker.processor.Processor` reads and
asks for; writes are returned as :class:`StateWrites` and made durable by the
caller *in the right order* (control numbers before the acks that use them,
duplicate marks only after the documents are stored). :class:`MemoryState` is
the in-process implementation (tests, ``edi-mesh parse``, benchmarks);
``pipeline.worker.tables`` backs the same interface with changelog-backed Faust
tables in workers.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Protocol

import orjson

SEP = "\x1f"


def dedup_key(partner: str, sender: str, control: str, first_transaction: str) -> bytes:
    """Key of the duplicate table: partner, envelope sender, ISA13/UNB05 and first group/set control.

    ``first_transaction`` is ``GS06/ST02`` of the first set: it tells apart the
    chunks of one split interchange (they share the interchange control number,
    and ST02 often restarts at 0001 in every group).
    """
    return SEP.join((partner, sender, control, first_transaction)).encode()


@dataclass(slots=True)
class Controls:
    """The last control numbers used for one partner's outbound interchanges and groups."""

    interchange: int = 0
    group: int = 0

    def advance(self, kind: str) -> Controls:
        """These controls with the next ``"interchange"`` or ``"group"`` number taken.

        Numbers wrap from 999,999,999 (nine digits, ISA13) back to 1; 0 is never used.
        """
        if kind == "interchange":
            return Controls(_next(self.interchange), self.group)
        if kind == "group":
            return Controls(self.interchange, _next(self.group))
        raise ValueError(f"unknown control kind {kind!r}")

    def to_bytes(self) -> bytes:
        return orjson.dumps({"interchange": self.interchange, "group": self.group})

    @classmethod
    def from_bytes(cls, raw: bytes | None) -> Controls:
        if not raw:
            return cls()
        data = orjson.loads(raw)
        return cls(int(data.get("interchange", 0)), int(data.get("group", 0)))


@dataclass(slots=True)
class StateWrites:
    """What processing one batch wants persisted, in the order it must be persisted."""

    controls: dict[str, Controls] = field(default_factory=dict)  # before the acks are produced
    seen: dict[bytes, bytes] = field(default_factory=dict)  # after the documents are stored
    sent_acks: dict[bytes, bytes] = field(default_factory=dict)  # after the acks are stored

    def __bool__(self) -> bool:
        return bool(self.controls or self.seen or self.sent_acks)


class State(Protocol):
    """Reads of durable state, plus the batch's pending writes (read-your-writes)."""

    writes: StateWrites

    def seen(self, key: bytes) -> dict[str, Any] | None:
        """The first sighting of an interchange (ingest id, time), or None."""

    def next_control(self, partner: str, kind: str) -> int:
        """The next ``"interchange"`` or ``"group"`` control number we use towards ``partner``."""

    def sent_ack(self, key: bytes) -> dict[str, Any] | None:
        """What we sent under an outbound interchange control (for reconciling inbound acks)."""


class MemoryState:
    """State in dictionaries: the whole truth for one process (tests, offline tools)."""

    def __init__(self, retention_seconds: float = 7 * 86400) -> None:
        self.retention_seconds = retention_seconds
        self.seen_table: dict[bytes, bytes] = {}
        self.controls_table: dict[str, Controls] = {}
        self.acks_table: dict[bytes, bytes] = {}
        self.writes = StateWrites()

    def seen(self, key: bytes) -> dict[str, Any] | None:
        raw = self.writes.seen.get(key) or self.seen_table.get(key)
        if raw is None:
            return None
        value: dict[str, Any] = orjson.loads(raw)
        if time.time() - float(value.get("at", 0)) > self.retention_seconds:
            return None
        return value

    def next_control(self, partner: str, kind: str) -> int:
        current = (
            self.writes.controls.get(partner) or self.controls_table.get(partner) or Controls()
        )
        nxt = current.advance(kind)
        self.writes.controls[partner] = nxt
        return nxt.interchange if kind == "interchange" else nxt.group

    def sent_ack(self, key: bytes) -> dict[str, Any] | None:
        raw = self.writes.sent_acks.get(key) or self.acks_table.get(key)
        return orjson.loads(raw) if raw else None

    def commit(self) -> StateWrites:
        """Apply the pending writes (what a durable store does after persisting them)."""
        w, self.writes = self.writes, StateWrites()
        self.controls_table.update(w.controls)
        self.seen_table.update(w.seen)
        self.acks_table.update(w.sent_acks)
        return w


def _next(last: int, limit: int = 999_999_999) -> int:
    return last + 1 if last < limit else 1
