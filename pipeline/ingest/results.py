"""What submitting an input can end in: accepted, rejected (never retriable), or retry later.

The channels (file drop, façade, SFTP) all get these from the ingestor and
turn them into their own answers: archive or quarantine, 202 / 4xx / 503.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from parsers.errors import EdiError

log = logging.getLogger(__name__)


def ingest_time(ingest_id: str) -> float | None:
    """When an ingest id was made (epoch seconds), or None for an id of another form."""
    try:
        return int(ingest_id[:12], 16) / 1000 if len(ingest_id) == 22 else None
    except ValueError:
        return None


def new_ingest_id() -> str:
    """A time-ordered unique id: 12 hex digits of milliseconds, 10 of randomness."""
    return f"{int(time.time() * 1000):012x}{secrets.token_hex(5)}"


class Rejected(Exception):
    """The input cannot be accepted; ``errors`` say why (never retriable)."""

    def __init__(self, errors: Sequence[EdiError], status: int = 400) -> None:
        super().__init__(errors[0].message)
        self.errors = list(errors)
        self.status = status


class BrokerUnavailable(Exception):
    """The broker did not acknowledge in time; the caller keeps the input and retries."""


class TryLater(BrokerUnavailable):
    """The input cannot be taken right now (a file still changing); keep it and retry."""


class IncompleteTail(Exception):
    """The input ends inside an interchange and the caller asked to wait for such inputs."""


@dataclass(slots=True)
class Accepted:
    """What an accepted input became on ``edi.inbound``."""

    ingest_id: str
    partner: str
    sha256: str
    messages: int
    interchanges: list[dict[str, Any]] = field(default_factory=list)
    interchange_count: int = 0
    transaction_count: int = 0
    bytes: int = 0


class Cancelled(Exception):
    """The scan was cancelled (the process is stopping)."""
