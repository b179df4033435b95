"""The file drop's same-content index: expires with the dedup retention, forgotten on a fresh broker."""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from pipeline.contracts.topics import INBOUND
from pipeline.ingest.filedrop import ShaIndex
from pipeline.ingest.results import new_ingest_id
from pipeline.settings import Settings
from pipeline.tools.broker import EmbeddedBroker
from tests.parsers.conftest import x12_doc
from tests.pipeline.ingest.conftest import MakeDrop
from tests.pipeline.ingest.test_filedrop import archived
from tests.procs import read_topic, running, start_ingest, wait_until


def old_id(seconds_ago: float) -> str:
    return f"{int((time.time() - seconds_ago) * 1000):012x}" + "ab" * 5


def test_entries_expire_with_the_retention_and_are_compacted(tmp_path: Path) -> None:
    path = tmp_path / "ingested.log"
    index = ShaIndex(path, retention_seconds=3600)
    index.add("acme", "a" * 64, old_id(7200))  # two hours old
    index.add("acme", "b" * 64, new_ingest_id())
    assert index.get("acme", "a" * 64) is None and index.get("acme", "b" * 64) is not None
    reloaded = ShaIndex(path, retention_seconds=3600)
    assert len(reloaded) == 1 and len(path.read_text().splitlines()) == 1
    assert reloaded.get("acme", "a" * 64, own=None) is None
    old = old_id(7200)
    reloaded.add("acme", "c" * 64, old)
    assert reloaded.get("acme", "c" * 64, own=old) == old  # a crashed file finds its own entry


async def test_same_content_after_the_retention_is_ingested_again(make_drop: MakeDrop) -> None:
    drop = await make_drop(dedup_retention_seconds=60)
    s = drop.settings
    data = x12_doc()
    drop.sha_index.add("sandbox", hashlib.sha256(data).hexdigest(), old_id(120))
    (s.inbox / "sandbox" / "again.x12").write_bytes(data)
    assert await drop.scan_once() == 1
    recs = await read_topic(s, INBOUND, until=lambda r: len(r) >= 1, timeout=10)
    assert len(recs) == 1  # produced, not swallowed as a duplicate


@pytest.mark.slow
def test_a_fresh_broker_forgets_the_index(
    make_settings: Callable[..., Settings],
    broker_factory: Callable[..., EmbeddedBroker],
    tmp_path: Path,
) -> None:
    """The README demo after a restart of `make run`: the same file must go through again."""
    s = make_settings()
    data = x12_doc()
    with running(start_ingest(s, tmp_path)):
        (s.inbox / "sandbox").mkdir(parents=True, exist_ok=True)
        (s.inbox / "sandbox" / "demo.x12").write_bytes(data)
        wait_until(lambda: archived(s, "sandbox"), 30, "archived")
    fresh = broker_factory()  # memory:// storage: nothing of the first run
    s2 = s.model_copy(update={"broker": fresh.address})
    with running(start_ingest(s2, tmp_path, "ingest-2")) as ingest:
        (s2.inbox / "sandbox" / "demo.x12").write_bytes(data)
        recs = wait_until(
            lambda: asyncio.run(read_topic(s2, INBOUND, until=lambda r: len(r) >= 1, timeout=2)),
            30,
            "the file on the fresh broker",
        )
        assert len(recs) == 1
        assert "sha256 index" in ingest.output()
