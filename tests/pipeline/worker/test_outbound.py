"""The reply path end to end through the broker: requests -> files in the outbox -> acks reconciled.

Real worker and ingest processes against the session's Tansu broker: requests
are produced to edi.outbound as an agent would, interchanges are read back from
outbox/<partner>/ with our parser, the partner's 997 is dropped into its inbox.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

import parsers
from parsers.acks import acknowledge
from pipeline.contracts.topics import OUTBOUND
from pipeline.kafka import clients
from pipeline.partners.profiles import load_partners
from pipeline.partners.sync import sync
from pipeline.settings import Settings
from tests.pipeline.worker.test_state_e2e import docs
from tests.procs import running, settings_env, start_ingest, start_worker, wait_until

pytestmark = pytest.mark.slow

BODY_855: list[Any] = [
    ["BAK", "00", "AC", "PO-4711", "20240304"],
    ["REF", "VN", "SO-99"],
    ["PO1", "1", "12", "EA", "4.25", "", "BP", "WIDGET-1"],
    ["ACK", "IA", "12", "EA", "068", "20240310"],
    ["CTT", "1"],
]
BODY_ORDRSP: list[Any] = [
    ["BGM", "231", "RSP 1+2", "29"],
    ["DTM", ["137", "20240305", "102"]],
    ["RFF", ["ON", "PO'4711"]],
    ["NAD", "BY", ["5412345000013", "", "9"]],
]

PARTNERS = """
[[partners]]
id = "acme"
name = "ACME Foods"
senders = ["ZZ:ACMEFOODS"]
acks = []

[[partners]]
id = "slowco"
name = "Slow Co"
senders = ["ZZ:SLOWCO"]
ack_timeout = 2

[[partners]]
id = "globex"
name = "Globex"
senders = ["5400110000009:14"]
delimiters = { element = "|", component = "^", segment = "!", release = "\\\\" }
edifact_syntax = "UNOB"
outbound_version = "D:01B:UN:EAN010"
"""


def request(partner: str, key: str | None, body: list[Any] = BODY_855, **more: Any) -> bytes:
    """An edi.outbound request as JSON bytes."""
    obj: dict[str, Any] = {"partner": partner, "standard": "x12", "type": "855", "segments": body}
    if key:
        obj["idempotency_key"] = key
    obj.update(more)
    return orjson.dumps(obj)


def publish(s: Settings, partner: str, *values: bytes) -> None:
    """Produce requests keyed by ``partner`` (what edi-mesh send does; bad ones unchecked)."""

    async def go() -> None:
        producer = clients.producer(s)
        await producer.start()
        try:
            for v in values:
                await producer.send_and_wait(clients.topic(s, OUTBOUND), v, key=partner.encode())
        finally:
            await producer.stop()

    asyncio.run(go())


def outbox(s: Settings, partner: str) -> list[Path]:
    folder = s.outbox / partner
    return sorted(p for p in folder.glob("*.edi")) if folder.exists() else []


def tracking(s: Settings, event: str) -> list[dict[str, Any]]:
    return [e for e in docs(s, "edi.tracking") if e["event"] == event]


def at_least(items: list[Any], n: int) -> list[Any] | None:
    """``items`` once there are ``n`` of them (for wait_until)."""
    return items if len(items) >= n else None


@pytest.fixture()
def settings(make_settings: Callable[..., Settings], tmp_path: Path) -> Settings:
    path = tmp_path / "partners.toml"
    path.write_text(PARTNERS)
    s = make_settings(partners=path)
    asyncio.run(sync(s, load_partners(path)))
    return s


def test_requests_become_files_once_each_and_acks_are_reconciled(
    settings: Settings, tmp_path: Path
) -> None:
    s = settings
    with running(start_worker(s, tmp_path)) as w, running(start_ingest(s, tmp_path, "ingest")):
        publish(s, "acme", request("acme", "k1", reply_to="doc-1"), request("acme", "k2"))
        publish(s, "acme", request("acme", "k1", reply_to="doc-1"))
        req = tmp_path / "slowco.json"
        req.write_bytes(request("slowco", "s1"))
        out = cli(s, "send", "--partner", "slowco", str(req))
        assert out.returncode == 0 and orjson.loads(out.stdout)["topic"] == "edi.outbound"
        wrong = cli(s, "send", "--partner", "acme", str(req))
        assert wrong.returncode == 1 and "EDI303" in wrong.stderr
        sent = wait_until(lambda: at_least(tracking(s, "sent"), 4), 60, "sent", proc=w)
        files = wait_until(lambda: len(outbox(s, "acme")) == 2 and outbox(s, "acme"), 30, "files")
        assert [e["repeat"] for e in sent if e["partner"] == "acme"] == [False, False, True]
        controls = []
        for f in files:
            res = parsers.parse(f.read_bytes())
            assert res.valid, [e.line(f.name) for e in res.all_errors()]
            [ic] = res.interchanges
            assert ic.receiver.id.strip() == "ACMEFOODS" and ic.sender.id.strip() == "EDIMESH"
            assert [t.type for t in ic.transactions] == ["855"]
            controls.append((int(ic.control), int(ic.groups[0].control)))
        assert controls == sorted(controls) and len({c for c, _ in controls}) == 2
        first = next(e for e in sent if e["idempotency_keys"] == ["k1"])
        assert first["reply_to"] == ["doc-1"] and first["filename"] == files[0].name

        # the partner's 997 for our first group, dropped into its inbox
        ic = parsers.parse(files[0].read_bytes()).interchanges[0]
        [ack] = acknowledge(ic, ["997"], controls=lambda kind: 500, now=datetime.now(UTC))
        inbox = s.inbox / "acme"
        inbox.mkdir(parents=True, exist_ok=True)
        (inbox / "ack997.edi").write_bytes(ack.data)
        want = f"outbound:acme:{controls[0][0]}"
        acked = wait_until(
            lambda: [e for e in tracking(s, "acknowledged") if e["ingest_id"] == want], 60, "ack"
        )
        assert (
            acked[0]["status"] == "accepted" and acked[0]["outbound"]["filename"] == files[0].name
        )

        # slowco never acknowledges: overdue after its 2 s ack_timeout, once
        late = wait_until(lambda: tracking(s, "ack_overdue"), 30, "ack_overdue", proc=w)
        assert [e["partner"] for e in late] == ["slowco"]
        assert not [e for e in tracking(s, "ack_overdue") if e["partner"] == "acme"]

        rows = [orjson.loads(x) for x in cli(s, "outbound", "status").stdout.splitlines()]
        states = {(r["partner"], int(r["interchange"])): r["state"] for r in rows}
        assert states == {
            ("acme", controls[0][0]): "accepted",
            ("acme", controls[1][0]): "waiting",
            ("slowco", int(late[0]["interchange"])): "overdue",
        }
        only = cli(s, "outbound", "status", "--partner", "slowco").stdout.splitlines()
        assert len(only) == 1


def cli(s: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    """``edi-mesh ARGS`` as a child process with ``s`` in its environment."""
    return subprocess.run(
        [sys.executable, "-m", "pipeline.tools.cli", *args],
        env=settings_env(s),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_bad_requests_are_dead_letters_never_files(settings: Settings, tmp_path: Path) -> None:
    s = settings
    bad = {
        "EDI301": b"{partner:",
        "EDI304": request("acme", "b2", type="8555"),
        "EDI306": request("acme", "b3", body=BODY_855[1:]),
        "EDI307": request("acme", "b4", body=[["BAK", "00", "AC", "P" * 23, "20240304"]]),
    }
    with running(start_worker(s, tmp_path)) as w:
        publish(s, "acme", *bad.values())
        publish(s, "nobody", request("nobody", "b5"))
        # an EDIFACT ORDRSP with globex's UNA / UNB settings, after the bad ones
        ordrsp = orjson.dumps(
            {"partner": "globex", "standard": "edifact", "type": "ORDRSP", "segments": BODY_ORDRSP}
        )
        publish(s, "globex", ordrsp)
        sent = wait_until(lambda: tracking(s, "sent"), 60, "ORDRSP sent", proc=w)
        dead = wait_until(
            lambda: len(docs(s, "edi.deadletter")) >= 5 and docs(s, "edi.deadletter"), 30, "dead"
        )
    codes = sorted(d["error"]["code"] for d in dead)
    assert codes == sorted([*bad, "EDI101"])
    pointers = {d["error"]["code"]: d["context"]["pointer"] for d in dead}
    assert pointers["EDI307"] == "/segments/0/3" and pointers["EDI306"] == "/segments"
    assert {e["code"] for e in tracking(s, "rejected")} == set(codes)
    assert [e["partner"] for e in sent] == ["globex"]
    ic_records = asyncio.run(_records(s, "edi.outbound.interchanges"))
    assert len(ic_records) == 1
    data = ic_records[0]
    assert data.startswith(b"UNA^|.\\ !UNB|UNOB^3|EDIMESH|5400110000009^14")
    res = parsers.parse(data)
    assert res.valid, [e.line("ordrsp") for e in res.all_errors()]
    [ic] = res.interchanges
    [msg] = ic.transactions
    assert msg.type == "ORDRSP" and ic.receiver.id == "5400110000009"
    assert [parsers.split_segment(x, ic.delimiters) for x in msg.segments[1:-1]] == BODY_ORDRSP


async def _records(s: Settings, topic: str) -> list[bytes]:
    from tests.procs import read_topic

    recs = await read_topic(s, topic, until=lambda r: False, timeout=2.0)
    return [r.value for r in recs]


def test_sigkill_mid_stream_still_one_file_per_key(settings: Settings, tmp_path: Path) -> None:
    """Kill -9 the worker while requests flow, restart it: one file per key, no control reused.

    The kill lands wherever the worker is (rendering, storing marks, producing);
    the invariant is checked whatever step it interrupted.
    """
    s = settings
    first = [request("acme", f"kill-{i}") for i in range(150)]
    second = [request("acme", f"kill-{i}") for i in range(150, 300)]
    repeats = [request("acme", f"kill-{i}") for i in range(0, 300, 7)]
    with running(start_ingest(s, tmp_path)):
        w = start_worker(s, tmp_path, "worker-1")
        publish(s, "acme", *first)
        wait_until(lambda: outbox(s, "acme"), 60, "first files", interval=0.05, proc=w)
        w.kill()
        publish(s, "acme", *second, *repeats)
        with running(start_worker(s, tmp_path, "worker-2")) as w2:
            wait_until(lambda: len(outbox(s, "acme")) >= 300, 120, "300 files", proc=w2)
            sent = wait_until(lambda: at_least(tracking(s, "sent"), 300 + len(repeats)), 60, "sent")
    files = outbox(s, "acme")
    assert len(files) == 300
    controls = [int(parsers.parse(f.read_bytes()).interchanges[0].control) for f in files]
    assert len(set(controls)) == 300
    by_key: dict[str, set[str]] = {}
    for e in sent:
        by_key.setdefault(e["idempotency_keys"][0], set()).add(e["sha256"])
    assert len(by_key) == 300 and all(len(v) == 1 for v in by_key.values())
