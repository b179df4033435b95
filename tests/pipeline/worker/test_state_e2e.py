"""State, enrichment, routing, acknowledgements and replay, end to end through the broker.

Each test runs real worker processes (and ingest where files move) against the
session's Tansu broker, feeds real corpus interchanges, and checks what agents
and partners would see: documents on agent topics, tracking events, files in
the outbox, and the worker's Prometheus counters.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest

from pipeline.app import faust_datadir
from pipeline.kafka import clients
from pipeline.partners.profiles import load_partners
from pipeline.partners.sync import sync
from pipeline.settings import Settings
from pipeline.tools.broker import free_port
from tests.faultkit import produce
from tests.procs import (
    ROOT,
    Proc,
    read_topic,
    running,
    settings_env,
    start_ingest,
    start_worker,
    wait_http,
    wait_until,
)

pytestmark = pytest.mark.slow

DUAL = "x12/staedi/src/test/resources/x12/invoice810_po850_dual.edi"  # ISA13 000000020, acme


def with_control(data: bytes, new: str, old: str = "000000020") -> bytes:
    """The same interchange under another ISA13/IEA02 (a new interchange, not a re-send)."""
    assert data.count(old.encode()) == 2
    return data.replace(old.encode(), new.encode())


def inbound_headers(ingest_id: str, partner: str, **extra: str) -> list[tuple[str, bytes]]:
    """The headers ingest puts on an inbound record."""
    return [
        ("edi-partner", partner.encode()),
        ("edi-source", b"http"),
        ("edi-filename", f"{ingest_id}.edi".encode()),
        ("edi-sha256", b"0" * 64),
        ("edi-received-at", b"2026-11-26T00:00:00.000Z"),
        ("edi-ingest-id", ingest_id.encode()),
        *[(k, v.encode()) for k, v in extra.items()],
    ]


def feed(settings: Settings, data: bytes, partner: str, ingest_id: str, **extra: str) -> None:
    """Put one interchange on edi.inbound as ingest would."""
    headers = inbound_headers(ingest_id, partner, **extra)
    asyncio.run(produce(settings, [(data, headers)], partner=partner))


@pytest.fixture()
def dual(corpus: Path) -> bytes:
    """The corpus file with an 810 group and an 850 group (acme's sender, ISA13 000000020)."""
    return (corpus / DUAL).read_bytes()


def values(settings: Settings, topic: str, timeout: float = 1.5) -> list[Any]:
    """Every record of a topic right now (raw records: ``docs`` decodes JSON values)."""
    return asyncio.run(read_topic(settings, topic, until=lambda r: False, timeout=timeout))


def docs(settings: Settings, topic: str) -> list[dict[str, Any]]:
    return [orjson.loads(r.value) for r in values(settings, topic)]


def events(settings: Settings, ingest_id: str) -> list[dict[str, Any]]:
    """Tracking events of one ingest id."""
    return [e for e in docs(settings, "edi.tracking") if e["ingest_id"] == ingest_id]


def wait_event(
    settings: Settings, ingest_id: str, kind: str, timeout: float = 30
) -> list[dict[str, Any]]:
    return wait_until(
        lambda: [e for e in events(settings, ingest_id) if e["event"] == kind],
        timeout,
        f"{kind} of {ingest_id}",
        interval=0.3,
    )


def metric(settings: Settings, name: str, **labels: str) -> float:
    """One sample of the worker's /metrics (0 when absent)."""
    body = (
        urllib.request.urlopen(f"http://127.0.0.1:{settings.worker_web_port}/metrics")
        .read()
        .decode()
    )
    want = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in body.splitlines():
        if line.startswith(name + ("{" + want + "}" if labels else " ")) or (
            labels
            and line.startswith(name + "{")
            and all(f'{k}="{v}"' in line for k, v in labels.items())
        ):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_partner_change_enriches_without_restart(
    make_settings: Callable[..., Settings], dual: bytes, tmp_path: Path
) -> None:
    s = make_settings()
    asyncio.run(sync(s, load_partners(s.partners)))
    with running(start_worker(s, tmp_path)):
        feed(s, dual, "acme", "enrich-1")
        wait_event(s, "enrich-1", "routed")
        first = [d for d in docs(s, "agents.orders") if d["source"]["ingest_id"] == "enrich-1"]
        assert first[0]["partner"] == {"id": "acme", "name": "ACME Foods", "segment": "retail"}
        updates_before = metric(s, "edi_partner_updates_total")

        changed = tmp_path / "partners.toml"
        text = s.partners.read_text().replace(
            'name = "ACME Foods"', 'name = "ACME Foods International"\ntier = "gold"'
        )
        changed.write_text(text)
        asyncio.run(sync(s, load_partners(changed)))
        wait_until(
            lambda: metric(s, "edi_partner_updates_total") >= updates_before + 4,
            20,
            "partner updates",
        )

        feed(s, with_control(dual, "000000021"), "acme", "enrich-2")
        wait_event(s, "enrich-2", "routed")
        second = [d for d in docs(s, "agents.orders") if d["source"]["ingest_id"] == "enrich-2"]
        assert second[0]["partner"] == {
            "id": "acme",
            "name": "ACME Foods International",
            "segment": "retail",
            "tier": "gold",
        }
        assert "api_key_sha256" not in second[0]["partner"]


def test_resent_interchange_suppressed_also_after_restart(
    make_settings: Callable[..., Settings], dual: bytes, tmp_path: Path
) -> None:
    s = make_settings()
    # killed, no clean shutdown: the duplicate table must come back from its changelog
    with running(start_worker(s, tmp_path), kill=True):
        feed(s, dual, "acme", "dup-1")
        wait_event(s, "dup-1", "routed")
        feed(s, dual, "acme", "dup-2")
        dup = wait_event(s, "dup-2", "duplicate")[0]
        assert dup["original_ingest_id"] == "dup-1" and dup["interchange"] == "000000020"
        assert metric(s, "edi_duplicates_total", partner="acme") == 1
    s2 = s.model_copy(update={"worker_web_port": free_port()})
    with running(start_worker(s2, tmp_path, "worker-2")):
        feed(s2, dual, "acme", "dup-3")
        dup = wait_event(s2, "dup-3", "duplicate")[0]
        assert dup["original_ingest_id"] == "dup-1"
        assert metric(s2, "edi_duplicates_total", partner="acme") == 1
        # a new interchange (other ISA13) is not a duplicate
        feed(s2, with_control(dual, "000000099"), "acme", "dup-4")
        wait_event(s2, "dup-4", "routed")
        orders = docs(s2, "agents.orders")
        assert sorted(d["source"]["ingest_id"] for d in orders) == ["dup-1", "dup-4"]


def test_back_to_back_batches_see_the_batch_still_being_stored(
    make_settings: Callable[..., Settings], dual: bytes, tmp_path: Path
) -> None:
    """One record per batch, so batch N+1 is processed while batch N is still being stored.

    Re-sends right behind their original are still duplicates, and every 997
    still gets its own, increasing control number; a duplicate gets its
    original's 997s again (same control numbers), never a new one.
    """
    s = make_settings(batch_size=1)
    with running(start_worker(s, tmp_path)):
        records = []
        for i in range(6):
            fresh = with_control(dual, f"0000003{i:02d}")
            records += [
                (fresh, inbound_headers(f"b2b-{i}", "acme")),
                (fresh, inbound_headers(f"b2b-{i}-again", "acme")),
            ]
        asyncio.run(produce(s, records, partner="acme"))
        tracked = wait_until(
            lambda: (
                {
                    e["ingest_id"]: e["event"]
                    for e in docs(s, "edi.tracking")
                    if e["event"] in ("routed", "duplicate")
                }
                if len(
                    [e for e in docs(s, "edi.tracking") if e["event"] in ("routed", "duplicate")]
                )
                >= 12
                else None
            ),
            60,
            "12 routed or duplicate events",
        )
        for i in range(6):
            assert tracked[f"b2b-{i}"] == "routed"
            assert tracked[f"b2b-{i}-again"] == "duplicate"
        orders = [d["source"]["ingest_id"] for d in docs(s, "agents.orders")]
        assert sorted(orders) == [f"b2b-{i}" for i in range(6)]
        controls = [
            r.value.split(r.value[3:4])[13].decode()
            for r in values(s, "edi.acks.outbound")
            if r.value.startswith(b"ISA")
        ]
        assert len(controls) == 6 * 2 * 2  # a 997 per group (two groups), re-sent for the duplicate
        firsts = list(dict.fromkeys(controls))  # each control number where it first appears
        assert len(firsts) == 6 * 2 and firsts == sorted(firsts)
        assert sorted(controls) == sorted(firsts * 2)  # the re-sends repeat, never allocate


def test_routing_rules_reload_without_restart(
    make_settings: Callable[..., Settings], dual: bytes, tmp_path: Path
) -> None:
    rules = tmp_path / "routing.toml"
    shutil.copy(Settings().routing, rules)
    s = make_settings(routing=rules)
    with running(start_worker(s, tmp_path)):
        feed(s, dual, "acme", "route-1")
        routed = wait_event(s, "route-1", "routed")[0]
        assert routed["topics"] == {"agents.invoices": 2, "agents.orders": 1}

        # operators fan purchase orders out to a second topic for one partner
        text = rules.read_text()
        rules.write_text(
            '[[rules]]\npartners = ["acme"]\ntypes = ["850"]\ntopics = ["agents.orders", "agents.catalog"]\n\n'
            + text
        )
        wait_until(
            lambda: metric(s, "edi_routing_reloads_total", result="ok") >= 1, 15, "rules reload"
        )
        feed(s, with_control(dual, "000000022"), "acme", "route-2")
        routed = wait_event(s, "route-2", "routed")[0]
        assert routed["topics"] == {"agents.invoices": 2, "agents.orders": 1, "agents.catalog": 1}
        catalog = docs(s, "agents.catalog")
        assert [d["type"] for d in catalog] == ["850"]

        # a broken edit keeps the last good rules
        rules.write_text("[[rules]\nthis is not toml")
        wait_until(
            lambda: metric(s, "edi_routing_reloads_total", result="error") >= 1, 15, "failed reload"
        )
        feed(s, with_control(dual, "000000023"), "acme", "route-3")
        routed = wait_event(s, "route-3", "routed")[0]
        assert routed["topics"] == {"agents.invoices": 2, "agents.orders": 1, "agents.catalog": 1}


def _bad_first_810(data: bytes) -> bytes:
    """The dual file with its first 810's SE01 off by one (one bad set among good ones)."""
    text = data.decode()
    m = re.search(r"SE\*(\d+)\*000000001", text)
    assert m
    return (text[: m.start(1)] + str(int(m.group(1)) + 1) + text[m.end(1) :]).encode()


def _ack_files(s: Settings, partner: str) -> dict[str, str]:
    folder = s.outbox / partner
    return {p.name: p.read_text() for p in sorted(folder.glob("*.edi"))} if folder.exists() else {}


def test_acks_in_outbox_with_control_numbers_and_error_detail(
    make_settings: Callable[..., Settings], dual: bytes, tmp_path: Path
) -> None:
    s = make_settings()
    with running(start_ingest(s, tmp_path)):
        with running(start_worker(s, tmp_path), kill=True):
            data = _bad_first_810(dual)
            (s.inbox / "acme").mkdir(parents=True, exist_ok=True)
            (s.inbox / "acme" / "bad-810.edi").write_bytes(data)
            acks = wait_until(
                lambda: len(_ack_files(s, "acme")) == 2 and _ack_files(s, "acme"),
                60,
                "two 997 files",
            )
            by_group = {("IN" if "AK1*IN" in t else "PO"): (n, t) for n, t in acks.items()}
            _, invoices_ack = by_group["IN"]
            assert (
                "AK2*810*000000001~AK5*R*4~" in invoices_ack
            )  # SE01 count wrong: rejected, code 4
            assert "AK2*810*000000002~AK5*A~" in invoices_ack
            assert "AK9*P*2*2*1~" in invoices_ack  # partially accepted: 2 received, 1 accepted
            _, orders_ack = by_group["PO"]
            assert "AK9*A*1*1*1~" in orders_ack
            isa13 = sorted(t.split("*")[13] for t in acks.values())
            assert isa13 == ["000000001", "000000002"]  # our first control numbers for acme
            assert metric(s, "edi_acks_sent_total", type="997") == 2

            dead = [orjson.loads(r.value) for r in values(s, "edi.deadletter")]
            bad = [d for d in dead if d["context"].get("transaction") == "000000001"]
            assert (
                bad
                and bad[0]["error"]["code"] == "EDI052"
                and bad[0]["error"]["location"]["tag"] == "SE"
            )
            invoices = docs(s, "agents.invoices")
            assert [d["control"]["transaction"] for d in invoices] == [
                "000000002"
            ]  # the good one only
        # after a hard restart the sequence continues: control numbers are never reused
        s2 = s.model_copy(update={"worker_web_port": free_port()})
        with running(start_worker(s2, tmp_path, "worker-2")):
            ok = with_control(dual, "000000030")
            (s.inbox / "acme" / "good.edi").write_bytes(ok)
            acks = wait_until(
                lambda: len(_ack_files(s, "acme")) == 4 and _ack_files(s, "acme"),
                60,
                "four 997 files",
            )
            isa13 = sorted(t.split("*")[13] for t in acks.values())
            assert isa13 == ["000000001", "000000002", "000000003", "000000004"]


def test_replay_does_not_duplicate_unless_forced(
    make_settings: Callable[..., Settings], dual: bytes, tmp_path: Path
) -> None:
    s = make_settings()
    with running(start_worker(s, tmp_path)):
        for i, ctl in enumerate(("000000040", "000000041", "000000042")):
            feed(s, with_control(dual, ctl), "acme", f"rep-{i}")
        for i in range(3):
            wait_event(s, f"rep-{i}", "routed")
        before = docs(s, "agents.orders")
        assert len(before) == 3

        def cli(*args: str) -> dict[str, Any]:
            r = subprocess.run(
                [sys.executable, "-m", "pipeline.tools.cli", "replay", *args],
                cwd=ROOT,
                env=settings_env(s),
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert r.returncode == 0, r.stderr
            return dict(json.loads(r.stdout))

        plain = cli()
        assert plain["records"] == 3 and not plain["forced"]
        for i in range(3):
            wait_event(s, f"rep-{i}", "duplicate")
        time.sleep(2)
        assert len(docs(s, "agents.orders")) == 3  # agents saw nothing twice

        forced = cli("--force")
        assert forced["records"] == 3  # the earlier replay's copies are not re-driven
        after = wait_until(
            lambda: len(d := docs(s, "agents.orders")) == 6 and d, 30, "forced replay"
        )
        assert sorted(d["id"] for d in after) == sorted([d["id"] for d in before] * 2)  # same ids
        recs = values(s, "agents.orders")
        replayed = [dict(r.headers) for r in recs[3:]]
        assert all(h.get("edi-replay", b"").decode() == forced["replay_id"] for h in replayed)


def test_stats_page_reports_partner_windows(
    make_settings: Callable[..., Settings], dual: bytes, tmp_path: Path
) -> None:
    s = make_settings()
    with running(start_worker(s, tmp_path)):
        feed(s, dual, "acme", "stats-1")
        wait_event(s, "stats-1", "routed")
        stats = wait_until(
            lambda: (
                (
                    st := json.loads(
                        urllib.request.urlopen(f"http://127.0.0.1:{s.worker_web_port}/stats").read()
                    )
                )["partners"].get("acme")
                and st
            ),
            20,
            "stats",
        )
        cur = stats["partners"]["acme"]["current"]
        assert cur["interchanges"] == 1 and cur["documents"] == 3 and cur["bytes"] == len(dual)
        assert stats["tables"]["dedup"] == 1
        assert metric(s, "edi_partner_window", partner="acme", measure="documents") == 3


def test_worker_alone_creates_its_topics(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    """`edi-mesh worker` starts against a broker without our topics and creates them."""
    s = make_settings(partitions=3)
    with running(Proc(["worker"], s, tmp_path / "w.log")) as w:
        wait_http(f"http://127.0.0.1:{s.worker_web_port}/readyz", 90, w)

        async def parts() -> dict[str, set[int] | None]:
            c = clients.consumer(s)
            await c.start()
            try:
                await c._client.force_metadata_update()
                return {
                    t: c.partitions_for_topic(s.topic_prefix + t)
                    for t in ("edi.inbound", "edi.partners")
                }
            finally:
                await asyncio.sleep(0.1)
                await c.stop()

        assert asyncio.run(parts()) == {"edi.inbound": {0, 1, 2}, "edi.partners": {0}}
        # Faust's directory lives under the data directory, never in the working directory
        assert faust_datadir(s).is_dir()
        assert not (ROOT / f"{s.app_id}-data").exists()
