"""Records that must not be lost while the broker is away, kept on disk until it is back.

Dead letters and tracking events of inputs refused at ingest are small, but
the input they describe is already quarantined: losing them would lose the
only record of why. :class:`Spool` writes each group of records atomically
(fsynced, then renamed) to ``state/pending/`` and sends the files in order
when the broker is reachable again. The file format is JSON: topic, key,
UTF-8 value and text headers per record.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

import orjson

from pipeline.kafka.producing import Record

log = logging.getLogger(__name__)

Send = Callable[[Sequence[Record]], Awaitable[None]]


def encode(recs: Sequence[Record]) -> bytes:
    """The spool file of ``recs`` (values must be UTF-8 JSON, as dead letters and events are)."""
    return orjson.dumps(
        [
            {
                "topic": r.topic,
                "key": (r.key or b"").decode("utf-8"),
                "value": (r.value or b"").decode("utf-8"),
                "headers": [[k, v.decode("utf-8")] for k, v in r.headers],
            }
            for r in recs
        ]
    )


def decode(body: bytes) -> list[Record]:
    """The records of a spool file (raises ValueError, KeyError or TypeError when unreadable)."""
    return [
        Record(
            r["topic"],
            r["key"].encode("utf-8"),
            r["value"].encode("utf-8"),
            [(k, v.encode("utf-8")) for k, v in r["headers"]],
        )
        for r in orjson.loads(body)
    ]


class Spool:
    """A folder of record groups waiting for the broker, sent in the order they were written."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def keep(self, recs: Sequence[Record], name: str) -> None:
        """Write ``recs`` durably under ``name`` (a unique, file-system-safe id)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self.folder / f".{name}.tmp"
        with open(tmp, "wb") as f:
            f.write(encode(recs))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.folder / f"{time.time_ns():020d}-{name}.json")

    def waiting(self) -> bool:
        """True when some record group waits to be sent."""
        return self.folder.exists() and any(self.folder.glob("*.json"))

    async def flush(
        self, send: Send, retriable: tuple[type[BaseException], ...]
    ) -> tuple[int, BaseException | None]:
        """Send the groups in order with ``send``; stop at the first ``retriable`` error.

        Returns how many groups were sent, and the error that stopped it (None
        when everything went out).
        """
        if not self.folder.exists():
            return 0, None
        n = 0
        for path in sorted(self.folder.glob("*.json")):
            try:
                recs = decode(path.read_bytes())
            except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
                log.error("unreadable spooled records %s: %s", path.name, type(exc).__name__)
                path.rename(path.with_suffix(".bad"))
                continue
            try:
                await send(recs)
            except retriable as exc:
                return n, exc
            path.unlink()
            n += 1
        return n, None
