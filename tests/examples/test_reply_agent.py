"""examples/reply_agent.py: its replies to real orders render, and it answers through a real mesh."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

import parsers
from parsers.model import Standard
from parsers.outbound import Controls, check, decode_request, render
from pipeline.contracts.topics import OUTBOUND, by_name
from pipeline.kafka import admin, clients
from pipeline.partners.outbound_profile import envelope_for
from pipeline.partners.profiles import load_partners
from pipeline.partners.sync import sync
from pipeline.settings import PACKAGE_DIR, Settings
from tests.examples.test_order_agent import ORDERS, order_documents
from tests.procs import running, start_ingest, start_worker, wait_until

AGENT = Path(__file__).resolve().parents[2] / "examples" / "reply_agent.py"


def load_agent() -> ModuleType:
    """The example as a module (it is a script, not a package)."""
    spec = importlib.util.spec_from_file_location("reply_agent", AGENT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["reply_agent"] = module
    spec.loader.exec_module(module)
    return module


def test_replies_to_real_orders_pass_the_checks_and_parse(corpus: Path) -> None:
    """An 855 for the corpus 850 (acme) and an ORDRSP for the corpus ORDERS (globex)."""
    mod = load_agent()
    partners = {p.id: p for p in load_partners(PACKAGE_DIR / "config" / "partners.toml")}
    for record, kind in zip(order_documents(corpus), ("855", "ORDRSP"), strict=True):
        doc = json.loads(record.value or b"")
        req = decode_request(json.dumps(mod.reply_for(doc, "20240305")).encode())
        assert not isinstance(req, list), [e.to_dict() for e in req]
        assert req.type == kind and req.reply_to == doc["id"]
        p = partners[req.partner]
        env = envelope_for(p.outbound, p.senders, req.standard, "ZZ:EDIMESH", "EDIMESH")
        assert check(req, env) == []
        out = render(req, env, Controls(7, 3))
        assert not isinstance(out, list)
        res = parsers.parse(out.data)
        assert res.valid, [e.line(kind) for e in res.all_errors()]
        assert res.interchanges[0].transactions[0].type == kind
        if req.standard is Standard.X12:
            assert out.data.count(b"ACK*IA*") == 4  # every 850 line accepted


@pytest.mark.slow
def test_agent_answers_orders_through_the_mesh(
    make_settings: Callable[..., Settings], corpus: Path, tmp_path: Path
) -> None:
    """Orders on agents.orders -> the agent's requests -> an 855 and an ORDRSP in the outboxes."""
    s = make_settings()
    asyncio.run(sync(s, load_partners(s.partners)))
    asyncio.run(admin.ensure_topics(s, [by_name()[ORDERS]]))
    docs = order_documents(corpus)

    async def put() -> None:
        producer = clients.producer(s)
        await producer.start()
        try:
            for o in (*docs, docs[0]):  # the 850 twice: a redelivery, answered once
                await producer.send_and_wait(clients.topic(s, ORDERS), o.value, key=o.key)
        finally:
            await producer.stop()

    asyncio.run(put())
    with running(start_worker(s, tmp_path)) as w, running(start_ingest(s, tmp_path)):
        cmd = [sys.executable, str(AGENT), "--broker", s.broker, "--from-beginning"]
        group = f"reply-agent-{uuid.uuid4().hex[:8]}"
        topics = ["--topic", clients.topic(s, ORDERS), "--outbound", clients.topic(s, OUTBOUND)]
        out = subprocess.run(
            [*cmd, *topics, "--group", group, "--max", "3", "--timeout", "20"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert out.returncode == 0, out.stderr
        assert len(out.stdout.splitlines()) == 3  # sent three requests, two idempotency keys
        acme = wait_until(lambda: list((s.outbox / "acme").glob("855_*")), 60, "855", proc=w)
        globex = wait_until(lambda: list((s.outbox / "globex").glob("ORDRSP_*")), 60, "ORDRSP")
    assert len(acme) == 1 and len(globex) == 1
    for f in (*acme, *globex):
        assert parsers.parse(f.read_bytes()).valid
