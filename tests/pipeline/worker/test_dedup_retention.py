"""Duplicate-table retention end to end: expired entries are tombstoned and stop suppressing."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest

from pipeline.settings import Settings
from tests.faultkit import produce
from tests.procs import read_topic, start_worker

pytestmark = pytest.mark.slow

DUAL = "x12/staedi/src/test/resources/x12/invoice810_po850_dual.edi"  # acme, ISA13 000000020


def _send(s: Settings, data: bytes, ingest_id: str) -> None:
    headers = [
        ("edi-partner", b"acme"),
        ("edi-source", b"http"),
        ("edi-filename", f"{ingest_id}.edi".encode()),
        ("edi-sha256", b"0" * 64),
        ("edi-received-at", b"2026-11-26T00:00:00.000Z"),
        ("edi-ingest-id", ingest_id.encode()),
    ]
    asyncio.run(produce(s, [(data, headers)], partner="acme"))


def _poll(pred: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = pred()
        if got:
            return got
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _event(s: Settings, ingest_id: str) -> str | None:
    recs = asyncio.run(read_topic(s, "edi.tracking", until=lambda r: False, timeout=1.0))
    kinds = [orjson.loads(r.value)["event"] for r in recs]
    ids = [orjson.loads(r.value)["ingest_id"] for r in recs]
    found = [k for k, i in zip(kinds, ids, strict=True) if i == ingest_id]
    return next((k for k in found if k in ("routed", "duplicate")), None)


def test_expired_entries_are_pruned_and_no_longer_suppress(
    make_settings: Callable[..., Settings], corpus: Path, tmp_path: Path
) -> None:
    """With a 3 s retention the prune timer (every retention/4, at least 1 s) tombstones the
    entry: /stats goes from 1 to 0 entries, the log says so without a failed prune, and the
    same interchange sent again is routed, not suppressed."""
    s = make_settings(dedup_retention_seconds=3.0, log_level="INFO")
    w = start_worker(s, tmp_path)
    data = (corpus / DUAL).read_bytes()

    def dedup_entries() -> int:
        url = f"http://127.0.0.1:{s.worker_web_port}/stats"
        return int(json.loads(urllib.request.urlopen(url).read())["tables"]["dedup"])

    try:
        _send(s, data, "ret-1")
        assert _poll(lambda: _event(s, "ret-1"), 30, "ret-1 routed") == "routed"
        _send(s, data, "ret-2")  # within the retention: a duplicate
        assert _poll(lambda: _event(s, "ret-2"), 30, "ret-2 judged") == "duplicate"
        _poll(lambda: dedup_entries() == 0, 30, "the expired entry pruned")
        _poll(lambda: "pruned 1 expired dedup entries" in w.output(), 10, "the prune logged")
        assert "dedup prune failed" not in w.output()
        _send(s, data, "ret-3")  # after the retention: a new interchange as far as we know
        assert _poll(lambda: _event(s, "ret-3"), 30, "ret-3 judged") == "routed"
        _poll(lambda: dedup_entries() == 1, 10, "the new entry stored")
    finally:
        w.stop()
