"""Fault tests 2 and 3: the ingest process killed mid-file, and the broker gone for 30 s.

Both run the real ``edi-mesh ingest`` and ``edi-mesh worker`` processes and
count documents on the agent topics against what was sent, by id. The
figures (sent, missing, duplicated) are printed (``pytest -s``).
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from pipeline.ingest.plan import plan_input
from pipeline.ingest.source import Source
from pipeline.partners.profiles import PartnerRegistry, load_partners
from pipeline.settings import Settings
from pipeline.tools.broker import EmbeddedBroker
from tests.faultkit import expected_ids, inbound, seen_ids, tally, x12_file
from tests.procs import http, start_ingest, start_worker, wait_until

pytestmark = pytest.mark.slow

SANDBOX = {"Authorization": "Bearer sandbox-demo-key"}


def drop_file(s: Settings, name: str, data: bytes, partner: str = "sandbox") -> None:
    """Write a file the way a careful partner does: a .part name, then a rename."""
    staged = s.inbox / partner / f"{name}.part"
    staged.write_bytes(data)
    os.rename(staged, s.inbox / partner / name)


def archived_names(s: Settings, partner: str = "sandbox") -> list[str]:
    return sorted(p.name for p in (s.archive / partner).rglob("*") if p.is_file())


def claimed_names(s: Settings, partner: str = "sandbox") -> list[str]:
    folder = s.claimed / partner
    return sorted(p.name.split("__", 1)[1] for p in folder.iterdir()) if folder.exists() else []


def inbox_names(s: Settings, partner: str = "sandbox") -> list[str]:
    return sorted(p.name for p in (s.inbox / partner).iterdir() if not p.name.endswith(".part"))


def test_fault2_sigkill_ingest_mid_file_then_restart(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    """SIGKILL `edi-mesh ingest` while a multi-interchange file is partly on edi.inbound.

    To be mid-file deterministically, ingest runs with small messages
    (max_message_bytes=2048, so the file becomes ~1,000 records) and a
    300 ms producer linger: every produce wave (16 messages at most) waits
    for its acknowledgements, so the file takes several seconds to produce.
    The kill happens once 25 % of its records are on edi.inbound, and the test
    checks that not all of them were (else it proves nothing).

    After the restart: the file was re-driven from claimed/ under its first
    ingest id, is archived exactly once (one sha256 index entry, nothing left
    in inbox/ or claimed/), and every document of the file is on the agent
    topics (the worker suppressed the interchanges it had already routed;
    duplicates, if any, carry the same id).

    The file's interchanges number ST02 from 0001 in every GS group (as many
    senders do), so the chunks of one interchange share ISA13 and their first
    ST02: the worker's duplicate key must tell them apart (first GS06 + ST02),
    or it drops chunks as "duplicates" even without any fault.
    """
    s = make_settings(max_message_bytes=2048, producer_linger_ms=300, partitions=2)
    data = x12_file(41, 300, 4)
    partner = PartnerRegistry(load_partners(s.partners)).get("sandbox")
    assert partner is not None
    n = plan_input(Source(data=data), partner, s.max_message_bytes, 10**8).messages
    expected = expected_ids(s, data)
    assert n >= 600 and len(expected) == 1200
    worker = start_worker(s.model_copy(update={"producer_linger_ms": 5}), tmp_path)
    ingest = start_ingest(s, tmp_path, "ingest-1")
    try:
        drop_file(s, "batch.x12", data)
        recs = asyncio.run(inbound(s, n // 4, timeout=120))
        ingest.kill()
        assert len(recs) >= n // 4, "ingest did not start producing the file"
        at_kill = asyncio.run(inbound(s, n, timeout=3))
        assert len(at_kill) < n, "the whole file was produced before the kill: not mid-file"
        assert archived_names(s) == [] and claimed_names(s) == ["batch.x12"]
        [claimed] = list((s.claimed / "sandbox").iterdir())
        first_id = claimed.name.split("__", 1)[0]

        ingest = start_ingest(s, tmp_path, "ingest-2")
        wait_until(lambda: archived_names(s), 120, "batch.x12 archived", proc=ingest)
        counts = asyncio.run(seen_ids(s, expected, timeout=120))
    finally:
        ingest.stop()
        worker.stop()
    result = tally(expected, counts)
    all_inbound = asyncio.run(inbound(s, len(at_kill) + n, timeout=30))
    print(
        f"\nfault 2 (SIGKILL ingest mid-file, restart): {result}; file of {n} records, "
        f"{len(at_kill)} on edi.inbound at the kill, {len(all_inbound)} in all"
    )
    assert archived_names(s) == ["batch.x12"]
    assert claimed_names(s) == [] and inbox_names(s) == []
    index = (s.data_dir / "state" / "ingested.log").read_text().splitlines()
    assert index == [f"sandbox {hashlib.sha256(data).hexdigest()} {first_id}"]
    assert len(all_inbound) == len(at_kill) + n  # the re-drive produced the whole file again
    assert {dict(r.headers)["edi-ingest-id"].decode() for r in all_inbound} == {first_id}
    chunks = [dict(r.headers)["edi-chunk"].decode() for r in all_inbound[len(at_kill) :]]
    assert sorted(chunks) == sorted(f"{i}/{n}" for i in range(1, n + 1))
    assert result["missing"] == 0, result
    assert result["unexpected"] == 0, result


def test_fault3_broker_down_30s_while_files_arrive(
    make_settings: Callable[..., Settings],
    broker_factory: Callable[..., EmbeddedBroker],
    tmp_path: Path,
) -> None:
    """Stop the broker for 30 s while files keep arriving, then start it again (empty).

    Tansu's memory storage starts empty after a restart, so what the old
    broker held (the files acknowledged before the stop, their documents) is
    gone with it; those files are checked before the stop (all their
    documents were routed) and stay in archive/. The claims of this test:

    - during the outage nothing is acknowledged, so nothing may leave the
      inbox area: every file dropped is in inbox/ or claimed/, none archived
      or quarantined; the façade answers 503 with Retry-After and /readyz 503;
    - after the restart, ingest re-creates the topics, re-drives what is in
      claimed/ and takes the inbox; every file dropped during and after the
      outage is archived once, and each of their documents is on the agent
      topics of the new broker: none missing (duplicates allowed, same id).

    The worker is restarted once the broker is back: a Faust worker does not
    reliably rejoin its group on a broker that restarted empty (seen here: one
    run resumed by itself, another logged "Heartbeat session expired - marking
    coordinator dead" and consumed nothing for minutes). Ingest is not
    restarted: it must notice the outage and the return by itself.
    """
    b = broker_factory()
    s = make_settings(broker=b.address, partitions=2, retry_max_seconds=2.0)
    worker = start_worker(s, tmp_path)
    ingest = start_ingest(s, tmp_path)
    base = f"http://127.0.0.1:{s.facade_port}"
    files: dict[str, bytes] = {}

    def add(name: str, seed: int) -> None:
        files[name] = x12_file(seed, 3, 3)
        drop_file(s, name, files[name])

    try:
        # before: files flow and are routed
        for i in range(2):
            add(f"before-{i}.x12", 100 + i)
        before = set().union(*(expected_ids(s, files[f"before-{i}.x12"]) for i in range(2)))
        wait_until(lambda: len(archived_names(s)) == 2, 60, "files archived", proc=ingest)
        counts = asyncio.run(seen_ids(s, before, timeout=60, settle=0))
        assert before <= set(counts), "documents routed before the outage"

        # the outage: 30 s, a file every 2.5 s (the first one at once: likely claimed in flight)
        b.stop()
        t0 = time.monotonic()
        add("during-00.x12", 199)
        wait_until(lambda: http("GET", f"{base}/readyz")[0] == 503, 30, "readyz 503", proc=ingest)
        status, hdrs, body = http("POST", f"{base}/v1/interchanges", x12_file(99, 1, 1), SANDBOX)
        assert status == 503 and hdrs["Retry-After"] == "5", body
        i = 0
        while time.monotonic() - t0 < 30:
            add(f"during-{i + 1:02d}.x12", 200 + i)
            i += 1
            time.sleep(2.5)
        during = [n for n in files if n.startswith("during-")]
        assert len(during) >= 8
        kept = inbox_names(s) + claimed_names(s)
        assert sorted(kept) == sorted(during), (kept, during)
        assert archived_names(s) == [f"before-{i}.x12" for i in range(2)]
        assert not (s.quarantine / "sandbox").exists() or not any(
            (s.quarantine / "sandbox").iterdir()
        )
        outage = time.monotonic() - t0
        in_claimed = len(claimed_names(s))

        # the broker comes back, empty; the worker is restarted (see above), ingest is not
        broker_factory(port=b.port)
        worker.kill()
        worker = start_worker(s, tmp_path, "worker-2")
        for j in range(2):
            add(f"after-{j}.x12", 300 + j)
        wait_until(
            lambda: len(archived_names(s)) == len(files), 120, "every file archived", proc=ingest
        )
        want = set().union(
            *(expected_ids(s, d) for n, d in files.items() if not n.startswith("before-"))
        )
        counts = asyncio.run(seen_ids(s, want, timeout=120))
        assert http("GET", f"{base}/readyz")[0] == 200
    finally:
        ingest.stop()
        worker.stop()
    result = tally(want, counts)
    print(
        f"\nfault 3 (broker down {outage:.0f} s, files arriving): {result}; "
        f"{len(during)} files dropped during the outage ({in_claimed} in claimed/, the rest in "
        f"inbox/), {len(files) - 2 - len(during)} after"
    )
    assert sorted(archived_names(s)) == sorted(files)
    assert claimed_names(s) == [] and inbox_names(s) == []
    assert result["missing"] == 0, result
    assert result["unexpected"] == 0, result
