"""The file drop against a real broker: what is taken, when, and where every file ends up.

Most tests drive a real :class:`FileDrop` in-process (fast, deterministic:
one ``scan_once`` at a time) with a real producer on the session broker; the
memory test runs the real ``edi-mesh ingest`` process on a generated file of
about 128 MB and reads its peak RSS.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from benchmarks.generate import generate
from parsers import parse
from pipeline.contracts.topics import DEADLETTER, INBOUND, TRACKING
from pipeline.ingest.filedrop import FileDrop
from pipeline.kafka import clients
from pipeline.settings import Settings
from pipeline.tools.broker import EmbeddedBroker
from tests.faultkit import expected_ids, x12_file
from tests.pipeline.ingest.conftest import MakeDrop
from tests.procs import Proc, peak_rss_mb, read_topic, wait_http, wait_until

CORPUS_850 = "x12/staedi/src/test/resources/x12/invoice810_po850_dual.edi"  # ZZ:SENDERISA = acme


async def records(s: Settings, topic: str, n: int, timeout: float = 30.0) -> list[Any]:
    """At least ``n`` records of a topic (all of them if fewer arrive before ``timeout``)."""
    return await read_topic(s, topic, until=lambda r: len(r) >= n, timeout=timeout)


async def settle_count(s: Settings, topic: str, quiet: float = 1.5) -> int:
    """How many records a topic holds (read until nothing new came for ``quiet`` s)."""
    recs = await read_topic(s, topic, until=lambda r: False, timeout=quiet)
    return len(recs)


async def json_values(s: Settings, topic: str, n: int) -> list[dict[str, Any]]:
    return [orjson.loads(r.value) for r in await records(s, topic, n)]


async def scan_until(drop: FileDrop, cond: Callable[[], bool], timeout: float = 60.0) -> None:
    """Run scans until ``cond()`` holds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not cond():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached"
        await drop.scan_once()
        await asyncio.sleep(0.05)


def archived(s: Settings, partner: str) -> list[Path]:
    return sorted(p for p in (s.archive / partner).rglob("*") if p.is_file())


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def headers_of(rec: Any) -> dict[str, str]:
    return {k: v.decode() for k, v in rec.headers}


# -- what is taken, and when ---------------------------------------------------------------------
async def test_dot_tmp_part_files_ignored_and_growing_file_waits(make_drop: MakeDrop) -> None:
    """Hidden, *.tmp and *.part files are never taken; a file being written waits until stable."""
    drop = await make_drop(stable_seconds=0.3)
    s = drop.settings
    inbox = s.inbox / "sandbox"
    data = x12_file(3, 2, 3)
    ignored = [".hidden.x12", "upload.tmp", "upload.part", "UPLOAD.PART", "x.partial"]
    for name in ignored:
        (inbox / name).write_bytes(data)
    growing = inbox / "growing.x12"
    cut = len(data) // 2
    growing.write_bytes(data[:10])
    for i in range(8):  # the partner is still writing: each scan sees a new size and mtime
        with open(growing, "ab") as f:
            f.write(data[10 + i * (cut // 8) : 10 + (i + 1) * (cut // 8)])
        assert await drop.scan_once() == 0
        assert listing(s.claimed / "sandbox") == []
        assert growing.exists()
    with open(growing, "ab") as f:
        f.write(data[10 + 8 * (cut // 8) :])
    assert growing.read_bytes() == data
    await scan_until(drop, lambda: not growing.exists())
    for _ in range(3):  # the ignored files stay, however long they sit there
        await asyncio.sleep(0.35)
        await drop.scan_once()
    assert sorted(listing(inbox)) == sorted(ignored)
    assert [p.name for p in archived(s, "sandbox")] == ["growing.x12"]
    inbound = await records(s, INBOUND, 2)
    # the complete file was read, never the half-written one
    ics = [data[x.offset : x.end] for x in parse(data).interchanges]
    assert [r.value for r in inbound] == ics


async def test_claim_produce_archive_headers_and_index(make_drop: MakeDrop) -> None:
    """claimed → produced (every header) → sha256 index → archive/<partner>/YYYY/MM/DD/."""
    drop = await make_drop()
    s = drop.settings
    data = x12_file(3, 3, 4)
    (s.inbox / "sandbox" / "orders.x12").write_bytes(data)
    before = datetime.now(UTC)
    assert await drop.scan_once() == 1
    after = datetime.now(UTC)
    [path] = archived(s, "sandbox")
    days = {f"{d:%Y}/{d:%m}/{d:%d}" for d in (before, after)}
    assert path.parent.relative_to(s.archive / "sandbox").as_posix() in days
    assert path.name == "orders.x12" and path.read_bytes() == data
    assert listing(s.claimed / "sandbox") == [] and listing(s.inbox / "sandbox") == []
    sha = hashlib.sha256(data).hexdigest()
    [line] = (s.data_dir / "state" / "ingested.log").read_text().splitlines()
    partner, indexed_sha, ingest_id = line.split()
    assert (partner, indexed_sha) == ("sandbox", sha)

    parsed = parse(data).interchanges
    recs = await records(s, INBOUND, 3)
    assert [r.value for r in recs] == [data[x.offset : x.end] for x in parsed]
    for i, r in enumerate(recs, 1):
        h = headers_of(r)
        assert r.key == b"sandbox"
        assert h["edi-partner"] == "sandbox" and h["edi-source"] == "file"
        assert h["edi-filename"] == "orders.x12" and h["edi-sha256"] == sha
        assert h["edi-ingest-id"] == ingest_id and h["edi-chunk"] == f"{i}/3"
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", h["edi-received-at"])
    [received] = await json_values(s, TRACKING, 1)
    assert received["event"] == "received" and received["ingest_id"] == ingest_id
    assert received["messages"] == 3 and received["source"]["sha256"] == sha
    assert [(i["control"], i["transactions"]) for i in received["interchanges"]] == [
        (x.control, 4) for x in parsed
    ]


async def test_claimed_files_are_redriven_with_their_ingest_id(make_drop: MakeDrop) -> None:
    """What a crash left in claimed/ is produced at start under the same ingest id, then archived."""
    drop = await make_drop()
    s = drop.settings
    data = x12_file(5, 2, 2)
    (s.claimed / "sandbox").mkdir(parents=True, exist_ok=True)
    (s.claimed / "sandbox" / "0190aabbccdd0011223344__left.x12").write_bytes(data)
    # crashed after the index entry, before the archive: archived, not produced again
    done = x12_file(6, 1, 1)
    drop.sha_index.add("sandbox", hashlib.sha256(done).hexdigest(), "0190aabbccdd9999999999")
    (s.claimed / "sandbox" / "0190aabbccdd9999999999__done.x12").write_bytes(done)
    assert await drop.redrive() == 2
    assert sorted(p.name for p in archived(s, "sandbox")) == ["done.x12", "left.x12"]
    assert listing(s.claimed / "sandbox") == []
    recs = await read_topic(s, INBOUND, until=lambda r: False, timeout=1.5)
    assert len(recs) == 2
    assert {headers_of(r)["edi-ingest-id"] for r in recs} == {"0190aabbccdd0011223344"}
    assert {headers_of(r)["edi-filename"] for r in recs} == {"left.x12"}


async def test_same_content_twice_is_a_duplicate_not_produced_again(make_drop: MakeDrop) -> None:
    """Same sha256 from the same partner: tracking `duplicate`, archived, nothing on edi.inbound."""
    drop = await make_drop()
    s = drop.settings
    data = x12_file(8, 2, 2)
    (s.inbox / "sandbox" / "first.x12").write_bytes(data)
    assert await drop.scan_once() == 1
    (s.inbox / "sandbox" / "again.x12").write_bytes(data)
    assert await drop.scan_once() == 1
    assert sorted(p.name for p in archived(s, "sandbox")) == ["again.x12", "first.x12"]
    events = await json_values(s, TRACKING, 2)
    assert [e["event"] for e in events] == ["received", "duplicate"]
    assert events[1]["original_ingest_id"] == events[0]["ingest_id"]
    assert events[1]["ingest_id"] != events[0]["ingest_id"]
    assert await settle_count(s, INBOUND) == 2  # the first file's two interchanges only


async def test_big_interchange_split_into_chunks_that_each_parse(make_drop: MakeDrop) -> None:
    """Above max_message_bytes: chunks on transaction-set boundaries, each a valid interchange,
    together exactly the original transactions and documents (nothing truncated)."""
    drop = await make_drop(max_message_bytes=4096)
    s = drop.settings
    big = x12_file(9, 1, 60)
    small = x12_file(10, 1, 1)
    data = big + small
    assert len(big) > 10 * 4096
    (s.inbox / "sandbox" / "big.x12").write_bytes(data)
    assert await drop.scan_once() == 1
    [received] = await json_values(s, TRACKING, 1)
    n = received["messages"]
    assert received["interchanges"][0]["messages"] == n - 1 > 10
    recs = await records(s, INBOUND, n)
    assert len(recs) == n
    assert [headers_of(r)["edi-chunk"] for r in recs] == [f"{i}/{n}" for i in range(1, n + 1)]

    original = parse(data)
    chunk_txns = []
    for r in recs:
        res = parse(r.value)
        assert res.valid, [e.to_dict() for e in res.all_errors()]
        [ic] = res.interchanges
        assert len(r.value) <= 4096 or len(ic.transactions) == 1  # oversize set: alone
        assert ic.control in {x.control for x in original.interchanges}
        chunk_txns += [(ic.control, t.control, t.segments) for t in ic.transactions]
    assert chunk_txns == [
        (x.control, t.control, t.segments) for x in original.interchanges for t in x.transactions
    ]
    from_chunks: set[str] = set()
    for r in recs:
        from_chunks |= expected_ids(s, r.value)
    assert from_chunks == expected_ids(s, data)
    assert len(from_chunks) == 61


# -- refused files -------------------------------------------------------------------------------
async def test_a_sub_folder_is_reported_once_never_silent(make_drop: MakeDrop) -> None:
    """A folder inside an inbox is not read, but a dead letter (EDI130) says so, once."""
    drop = await make_drop()
    s = drop.settings
    sub = s.inbox / "sandbox" / "2026-12"
    sub.mkdir(parents=True)
    (sub / "po.x12").write_bytes(x12_file(4, 1, 1))
    for _ in range(3):
        assert await drop.scan_once() == 0
    dead = [
        orjson.loads(r.value)
        for r in await read_topic(s, DEADLETTER, until=lambda r: False, timeout=1.5)
    ]
    assert [(d["error"]["code"], d["partner"]) for d in dead] == [("EDI130", "sandbox")]
    assert dead[0]["raw"]["ref"] == {"inbox": str(sub)}
    assert (sub / "po.x12").exists()  # the partner's folder is left alone


async def test_random_bytes_are_not_edi_not_a_foreign_sender(make_drop: MakeDrop) -> None:
    """Random data holding a stray 'UNB+' is quarantined as not EDI (EDI001), not as EDI102."""
    import random

    drop = await make_drop()
    s = drop.settings
    rnd = random.Random(7)
    (s.inbox / "sandbox" / "noise.bin").write_bytes(
        rnd.randbytes(100_000) + b"UNB+" + rnd.randbytes(100_000)
    )
    assert await drop.scan_once() == 1
    report = orjson.loads((s.quarantine / "sandbox" / "noise.bin.error.json").read_bytes())
    assert report["error"]["code"] == "EDI001"
    assert "EDI102" not in {e["code"] for e in report["errors"]}


async def test_unreadable_envelope_quarantined_with_report_and_dead_letter(
    make_drop: MakeDrop,
) -> None:
    """quarantine/<partner>/<name> + <name>.error.json; dead letter with partner, source, error, raw."""
    drop = await make_drop()
    s = drop.settings
    junk = b"hello, this is not EDI at all\n"
    huge_junk = b"NOT EDI " * 40_000  # 320 KB: referenced, not copied, in the dead letter
    (s.inbox / "sandbox" / "junk.txt").write_bytes(junk)
    (s.inbox / "sandbox" / "huge.txt").write_bytes(huge_junk)
    assert await drop.scan_once() == 2
    q = s.quarantine / "sandbox"
    assert listing(q) == ["huge.txt", "huge.txt.error.json", "junk.txt", "junk.txt.error.json"]
    assert (q / "junk.txt").read_bytes() == junk
    report = orjson.loads((q / "junk.txt.error.json").read_bytes())
    assert report["error"]["code"] == "EDI001"
    assert report["error"]["message"] and "offset" in report["error"]["location"]
    assert report["partner"] == "sandbox" and report["file"] == "junk.txt"
    dead = {d["source"]["filename"]: d for d in await json_values(s, DEADLETTER, 2)}
    d = dead["junk.txt"]
    assert d["partner"] == "sandbox" and d["stage"] == "ingest"
    assert d["source"] == {
        "channel": "file",
        "filename": "junk.txt",
        "ingest_id": report["ingest_id"],
    }
    assert d["error"]["code"] == "EDI001" and d["error"]["location"]["offset"] == 0
    assert d["raw"]["text"] == junk.decode() and d["raw"]["size"] == len(junk)
    assert d["raw"]["ref"] == {"quarantine": str(q / "junk.txt")}
    h = dead["huge.txt"]["raw"]
    assert h["size"] == len(huge_junk) and "text" not in h and "base64" not in h
    assert Path(h["ref"]["quarantine"]).read_bytes() == huge_junk
    events = await json_values(s, TRACKING, 2)
    assert sorted(e["event"] for e in events) == ["rejected", "rejected"]
    assert await settle_count(s, INBOUND, quiet=0.5) == 0


async def test_a_partner_cannot_submit_as_another(corpus: Path, make_drop: MakeDrop) -> None:
    """EDI102: a foreign envelope sender, even in the second interchange, refuses the whole file."""
    drop = await make_drop()
    s = drop.settings
    own = (corpus / CORPUS_850).read_bytes()  # ZZ:SENDERISA: acme's
    foreign = x12_file(12, 1, 2)  # ZZ:PARTNER001: not acme's
    (s.inbox / "acme" / "mixed.x12").write_bytes(own + foreign)
    (s.inbox / "acme" / "own.x12").write_bytes(own)
    assert await drop.scan_once() == 2
    assert listing(s.quarantine / "acme") == ["mixed.x12", "mixed.x12.error.json"]
    report = orjson.loads((s.quarantine / "acme" / "mixed.x12.error.json").read_bytes())
    assert report["error"]["code"] == "EDI102"
    assert "ZZ:PARTNER001" in report["error"]["message"]
    assert "sandbox" not in report["error"]["message"]  # nothing about other partners
    [dead] = await json_values(s, DEADLETTER, 1)
    assert dead["error"]["code"] == "EDI102" and dead["partner"] == "acme"
    assert [p.name for p in archived(s, "acme")] == ["own.x12"]
    recs = await records(s, INBOUND, 1)
    assert [headers_of(r)["edi-filename"] for r in recs] == ["own.x12"]  # none of mixed.x12


async def test_symlinks_bad_names_size_cap_unknown_partner_special_files(
    make_drop: MakeDrop, tmp_path: Path
) -> None:
    """Each refused entry is quarantined (never read, never followed) with a clear reason."""
    drop = await make_drop(max_file_bytes=10_000)
    s = drop.settings
    inbox = s.inbox / "sandbox"
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret.x12"
    secret.write_bytes(x12_file(3, 1, 1))
    os.symlink(secret, inbox / "link.x12")
    os.symlink(outside, s.inbox / "linked")  # a partner folder that points elsewhere
    os.mkfifo(inbox / "pipe.x12")
    (inbox / "new\nline.x12").write_bytes(b"ISA")
    os.close(os.open(os.fsencode(inbox) + b"/caf\xe9.x12", os.O_CREAT | os.O_WRONLY, 0o644))
    (inbox / ("n" * 200 + ".x12")).write_bytes(b"ISA")
    (inbox / "big.x12").write_bytes(b"ISA" + b" " * 20_000)
    (inbox / "subfolder").mkdir()  # left alone: never descended into, reported once (EDI130)
    (s.inbox / "nobody").mkdir()
    (s.inbox / "nobody" / "who.x12").write_bytes(x12_file(3, 1, 1))
    assert await drop.scan_once() == 8

    def reports(folder: Path) -> dict[str, dict[str, Any]]:
        out = {}
        for p in folder.glob("*.error.json"):
            r = orjson.loads(p.read_bytes())
            out[r.get("original_name", r["file"])] = r
        return out

    got = reports(s.quarantine / "sandbox")
    codes = {name: r["error"]["code"] for name, r in got.items()}
    assert codes == {
        "link.x12": "EDI104",
        "pipe.x12": "EDI111",
        "new\nline.x12": "EDI105",
        "caf\\xe9.x12": "EDI105",
        "n" * 200 + ".x12": "EDI105",
        "big.x12": "EDI103",
    }
    assert "symbolic link" in got["link.x12"]["error"]["message"]
    assert "control characters" in got["new\nline.x12"]["error"]["message"]
    assert "UTF-8" in got["caf\\xe9.x12"]["error"]["message"]
    assert "longer than" in got["n" * 200 + ".x12"]["error"]["message"]
    assert "cap is 10000" in got["big.x12"]["error"]["message"]
    assert (s.quarantine / "sandbox" / "big.x12").stat().st_size == 20_003
    link = next((s.quarantine / "sandbox").glob("*__link.x12"))
    assert link.is_symlink() and secret.exists()  # the link itself moved, its target untouched
    linked = reports(s.quarantine / "linked")
    assert [r["error"]["code"] for r in linked.values()] == ["EDI104"]
    assert listing(outside) == ["secret.x12"]
    nobody = reports(s.quarantine / "nobody")
    assert [r["error"]["code"] for r in nobody.values()] == ["EDI101"]
    assert listing(inbox) == ["subfolder"]
    dead = await json_values(s, DEADLETTER, 9)
    assert sorted(d["error"]["code"] for d in dead) == sorted(
        ["EDI104", "EDI104", "EDI111", "EDI105", "EDI105", "EDI105", "EDI103", "EDI101", "EDI130"]
    )
    # a link is never read (no bytes); its dead letter points at the moved link itself
    links = [d["raw"] for d in dead if d["error"]["code"] == "EDI104"]
    for raw in links:
        moved = Path(raw["ref"]["quarantine"])
        assert raw == {"size": 0, "text": "", "ref": {"quarantine": str(moved)}}
        assert moved.is_symlink() and moved.is_relative_to(s.quarantine), moved
    assert str(link) in {raw["ref"]["quarantine"] for raw in links}
    assert await settle_count(s, INBOUND, quiet=0.5) == 0


# -- the broker goes away -------------------------------------------------------------------------
async def test_broker_down_files_wait_then_everything_flows(
    make_drop: MakeDrop, broker_factory: Callable[..., EmbeddedBroker]
) -> None:
    """Broker down: the file in flight stays in claimed/, new ones stay in the inbox, nothing is
    archived, a refused file's dead letter waits in state/pending/; the broker comes back
    (empty): topics re-created, both files produced and archived, the dead letter sent."""
    b = broker_factory()
    drop = await make_drop(producer_options={"request_timeout_ms": 3000}, broker=b.address)
    s = drop.settings
    b.stop()
    first, second = x12_file(21, 2, 2), x12_file(22, 1, 3)
    (s.inbox / "sandbox" / "a-junk.txt").write_bytes(b"not EDI")
    (s.inbox / "sandbox" / "first.x12").write_bytes(first)
    assert await drop.scan_once() == 1  # the junk is refused: no broker needed for that
    assert listing(s.quarantine / "sandbox") == ["a-junk.txt", "a-junk.txt.error.json"]
    assert len(listing(s.data_dir / "state" / "pending")) == 1  # its dead letter, kept
    assert [n.split("__", 1)[1] for n in listing(s.claimed / "sandbox")] == ["first.x12"]
    (s.inbox / "sandbox" / "second.x12").write_bytes(second)
    for _ in range(3):
        assert await drop.scan_once() == 0
    assert listing(s.inbox / "sandbox") == ["second.x12"]
    assert archived(s, "sandbox") == []
    assert not drop.ingestor.available()
    broker_factory(port=b.port)  # same address, empty memory
    await scan_until(drop, lambda: len(archived(s, "sandbox")) == 2, timeout=90)
    recs = await records(s, INBOUND, 3)
    want = [d[x.offset : x.end] for d in (first, second) for x in parse(d).interchanges]
    assert sorted(r.value for r in recs) == sorted(want)
    [dead] = await json_values(s, DEADLETTER, 1)
    assert dead["source"]["filename"] == "a-junk.txt" and dead["error"]["code"] == "EDI001"
    assert listing(s.data_dir / "state" / "pending") == []
    from aiokafka.admin import AIOKafkaAdminClient

    client = AIOKafkaAdminClient(bootstrap_servers=s.bootstrap)
    await client.start()
    try:
        [desc] = await client.describe_topics([clients.topic(s, TRACKING)])
    finally:
        await client.close()
    assert len(desc["partitions"]) == 1  # re-created by ingest, not auto-created (4)


# -- memory ----------------------------------------------------------------------------------------
@pytest.mark.slow
def test_big_file_ingested_in_bounded_memory(
    make_settings: Callable[..., Settings],
    broker_factory: Callable[..., EmbeddedBroker],
    tmp_path: Path,
) -> None:
    """A ~128 MB single-interchange file through the real `edi-mesh ingest`: peak RSS < 256 MB."""
    b = broker_factory()  # its own broker: 128 MB in memory, freed at the end
    try:
        s = make_settings(broker=b.address, stable_seconds=0.2)
        src = tmp_path / "big.x12"
        with open(src, "wb") as f:
            stats = generate(
                f, seed=31, mix="x12", interchanges=1, target_bytes=128 * 1_048_576, partners=1
            )
        p = Proc(["ingest"], s, tmp_path / "ingest.log")
        try:
            wait_http(f"http://127.0.0.1:{s.facade_port}/readyz", 60, p)
            idle = peak_rss_mb(p.pid)
            staged = s.inbox / "sandbox" / "big.x12.part"
            os.rename(src, staged)
            os.rename(staged, s.inbox / "sandbox" / "big.x12")
            wait_until(lambda: archived(s, "sandbox"), 300, "big.x12 archived", interval=1, proc=p)
            peak = peak_rss_mb(p.pid)
        finally:
            p.stop()
        [received] = asyncio.run(json_values(s, TRACKING, 1))
        n = received["messages"]
        counted = asyncio.run(_count_inbound(s, n))
        print(
            f"\nbig file: {stats.bytes / 1e6:.0f} MB, {stats.transactions} transaction sets, "
            f"{n} messages; ingest peak RSS {peak:.0f} MiB (idle {idle:.0f} MiB)"
        )
        assert received["interchanges"][0]["transactions"] == stats.transactions
        assert counted == n > 100
        assert peak < 256, f"peak RSS {peak:.0f} MiB"
    finally:
        b.stop()


async def _count_inbound(s: Settings, n: int) -> int:
    """Records on edi.inbound, each checked to be at most the record cap (values not kept)."""
    consumer = clients.consumer(s, clients.topic(s, INBOUND))
    await consumer.start()
    count = 0
    try:
        deadline = asyncio.get_running_loop().time() + 120
        while count < n and asyncio.get_running_loop().time() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            for msgs in batch.values():
                for m in msgs:
                    assert m.value is not None and len(m.value) <= s.max_message_bytes + 65536
                    count += 1
    finally:
        await consumer.stop()
    return count
