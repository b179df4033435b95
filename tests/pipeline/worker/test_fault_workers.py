"""Fault tests 1 and 4: SIGKILL workers mid-stream and count documents by id.

Nothing acknowledged may be lost. Duplicates are allowed (at-least-once on a
broker without transactions) but must carry the same id as the original; the
counts are printed for the record (``pytest -s``).
"""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import pytest

from pipeline.tools.broker import free_port
from tests.faultkit import make_load, produce, seen_ids, tally
from tests.procs import start_worker

pytestmark = pytest.mark.slow


def _produce_in_background(settings, load, rate):  # type: ignore[no-untyped-def]
    t = threading.Thread(
        target=lambda: asyncio.run(produce(settings, load.messages, rate=rate)), daemon=True
    )
    t.start()
    return t


def _wait_docs(settings, load, fraction: float, timeout: float = 60) -> None:  # type: ignore[no-untyped-def]
    """Wait until at least ``fraction`` of the expected documents are on the agent topics."""
    want = int(len(load.expected) * fraction)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        counts = asyncio.run(seen_ids(settings, load.expected, timeout=0.5, settle=0))
        if len(set(counts) & load.expected) >= want:
            return
    raise AssertionError(f"fewer than {want} documents after {timeout} s")


def test_sigkill_worker_mid_stream_then_restart(make_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(partitions=4, batch_size=50)
    load = make_load(settings, interchanges=400, per_interchange=5)
    assert load.transactions == 2000
    w = start_worker(settings, tmp_path)
    feeder = _produce_in_background(settings, load, rate=100)  # 4 s of traffic
    _wait_docs(settings, load, 0.25)
    w.kill()
    w2 = start_worker(
        settings.model_copy(update={"worker_web_port": free_port()}), tmp_path, "worker-restarted"
    )
    feeder.join(60)
    assert not feeder.is_alive(), "the feeder did not finish producing"
    counts = asyncio.run(seen_ids(settings, load.expected, timeout=90))
    w2.stop()
    result = tally(load.expected, counts)
    print(f"\nfault 1 (SIGKILL worker, restart): {result}")
    assert result["missing"] == 0, result
    assert result["unexpected"] == 0, result


def test_two_workers_sigkill_one(make_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(partitions=4, batch_size=50)
    load = make_load(settings, interchanges=400, per_interchange=5, seed=11)
    a = start_worker(settings, tmp_path, "worker-a")
    b = start_worker(
        settings.model_copy(update={"worker_web_port": free_port()}), tmp_path, "worker-b"
    )
    feeder = _produce_in_background(settings, load, rate=100)
    _wait_docs(settings, load, 0.3)
    b.kill()
    feeder.join(60)
    assert not feeder.is_alive(), "the feeder did not finish producing"
    counts = asyncio.run(seen_ids(settings, load.expected, timeout=90))
    a.stop()
    result = tally(load.expected, counts)
    print(f"\nfault 4 (two workers, SIGKILL one): {result}")
    assert result["missing"] == 0, result
    assert result["unexpected"] == 0, result
