"""examples/order_agent.py: its handler on real orders documents, and a run against the real broker.

Documents are built by the worker's hot path (``Processor``) from corpus files:
an X12 850 (partner acme) and an EDIFACT ORDERS (partner globex).
"""

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

from aiokafka import AIOKafkaConsumer, TopicPartition

from pipeline.contracts.topics import by_name
from pipeline.kafka import admin, clients
from pipeline.kafka.producing import Record
from pipeline.partners.profiles import PartnerRegistry, load_partners
from pipeline.settings import PACKAGE_DIR, Settings
from pipeline.worker.processor import Inbound, Processor
from pipeline.worker.routing import Router

REPO = Path(__file__).resolve().parents[2]
AGENT = REPO / "examples" / "order_agent.py"
X12_850 = "x12/staedi/src/test/resources/x12/invoice810_po850_dual.edi"
EDIFACT_ORDERS = "edifact/pydifact/tests/data/order.edi"
ORDERS = "agents.orders"


def load_agent() -> ModuleType:
    """The example as a module (it is a script, not a package)."""
    spec = importlib.util.spec_from_file_location("order_agent", AGENT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["order_agent"] = module
    spec.loader.exec_module(module)
    return module


def order_documents(corpus: Path) -> list[Record]:
    """The agents.orders records of a real 850 (acme) and a real ORDERS (globex)."""
    config = PACKAGE_DIR / "config"
    proc = Processor(
        PartnerRegistry(load_partners(config / "partners.toml")),
        Router.from_file(config / "routing.toml"),
    )
    # the corpus ORDERS lacks its UNZ trailer (its source's parser tolerates it): complete it
    edifact = (corpus / EDIFACT_ORDERS).read_bytes().rstrip() + b"\nUNZ+1+807'\n"
    out: list[Record] = []
    for data, partner in [((corpus / X12_850).read_bytes(), "acme"), (edifact, "globex")]:
        headers = {"edi-partner": partner.encode(), "edi-source": b"file", "edi-ingest-id": b"t1"}
        out += [o for o in proc.process(Inbound(data, headers)).outputs if o.topic == ORDERS]
    assert len(out) == 2
    return out


def test_handler_describes_real_orders(corpus: Path) -> None:
    """The summary names the real PO numbers, partner, lines and ship-to; duplicates are skipped."""
    mod = load_agent()
    agent = mod.OrderAgent(json.loads(mod.DEFAULT_SCHEMA.read_text(encoding="utf-8")))
    x12, edifact = order_documents(corpus)
    outcome, line = agent.handle(x12.value)
    assert outcome == "handled"
    assert line == (
        "[test] would confirm PO S115921858 from ACME Foods: 4 lines, total quantity 250, "
        "ship to CARGO LIMITED #112, 3000 LONG BEACH DRIVE, SAN PEDRO CA 83308"
    )
    outcome, line = agent.handle(edifact.value)
    assert outcome == "handled"
    assert line.startswith("would confirm PO 801715918011 from Globex Retail GmbH: 2 lines")
    assert agent.handle(x12.value) == (
        "duplicate",
        f"skip duplicate document {json.loads(x12.value)['id']}",
    )


def test_handler_prices_lines_and_rejects_invalid_documents(corpus: Path) -> None:
    """Priced lines give a total; a document that breaks the schema is reported, not handled."""
    mod = load_agent()
    agent = mod.OrderAgent(json.loads(mod.DEFAULT_SCHEMA.read_text(encoding="utf-8")))
    doc = json.loads(order_documents(corpus)[1].value)
    doc["segments"].insert(-2, ["PRI", ["AAA", "2,50"]])  # a unit price for the 2nd line
    doc["segments"].insert(11, ["PRI", ["AAA", "1,25"]])  # and one for the 1st (after its QTY)
    assert ": 2 lines, total 30.00," in mod.describe_order(doc)
    broken = dict(doc, id="not-a-document-id")
    outcome, line = agent.handle(json.dumps(broken).encode())
    assert outcome == "invalid" and "id" in line
    assert agent.handle(b"\x00garbage")[0] == "invalid"


async def test_agent_consumes_dedups_and_commits(
    make_settings: Callable[..., Settings], corpus: Path
) -> None:
    """End to end on the real broker: two documents and a redelivery in, two lines out, committed."""
    s = make_settings()
    await admin.ensure_topics(s, [by_name()[ORDERS]])
    topic = clients.topic(s, ORDERS)
    x12, edifact = order_documents(corpus)
    producer = clients.producer(s)
    await producer.start()
    try:
        for o in (x12, x12, edifact):  # the 850 twice: an at-least-once redelivery
            await producer.send_and_wait(topic, o.value, key=o.key, headers=o.headers)
    finally:
        await producer.stop()

    group = f"order-agent-test-{uuid.uuid4().hex[:8]}"
    cmd = [sys.executable, str(AGENT), "--broker", s.broker, "--topic", topic, "--group", group]
    proc = await asyncio.create_subprocess_exec(
        *cmd,
        "--from-beginning",
        "--max",
        "3",
        "--timeout",
        "15",
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(proc.communicate(), 40)
    assert proc.returncode == 0, stderr.decode()
    lines = stdout.decode().splitlines()
    assert sum("would confirm PO S115921858 from ACME Foods" in x for x in lines) == 1, lines
    assert sum("would confirm PO 801715918011 from Globex Retail GmbH" in x for x in lines) == 1, (
        lines
    )
    assert sum(x.startswith("skip duplicate document") for x in lines) == 1, lines

    # committed after handling: the group's offsets cover all three records
    consumer = AIOKafkaConsumer(
        bootstrap_servers=s.broker, group_id=group, enable_auto_commit=False
    )
    await consumer.start()
    try:
        parts = by_name()[ORDERS].partition_count(s)
        committed = [await consumer.committed(TopicPartition(topic, p)) for p in range(parts)]
    finally:
        await consumer.stop()
    assert sum(c or 0 for c in committed) == 3, committed


def test_cli_help() -> None:
    """The script runs standalone and documents its options."""
    res = subprocess.run(
        [sys.executable, str(AGENT), "--help"], capture_output=True, text=True, check=False
    )
    assert res.returncode == 0
    for opt in ("--broker", "--from-beginning", "--max", "--timeout", "--group"):
        assert opt in res.stdout


def test_handler_reads_named_data_when_the_document_has_it(corpus: Path) -> None:
    """A document with ``data`` is read by name, with the same result as from ``segments``."""
    import parsers
    from parsers.documents import build_documents

    mod = load_agent()
    ic = parsers.parse((corpus / X12_850).read_bytes()).interchanges[0]
    (plain,) = [d for d in build_documents(ic, partner=None, source={}) if d["type"] == "850"]
    (rich,) = [
        d
        for d in build_documents(ic, partner=None, source={}, with_data=True)
        if d["type"] == "850"
    ]
    assert mod.describe_order(rich) == mod.describe_order(plain)
    rich["segments"] = [s for s in rich["segments"] if s[0] in ("ST", "SE")]  # data alone
    assert "PO S115921858" in mod.describe_order(rich)
    assert "ship to CARGO LIMITED #112, 3000 LONG BEACH DRIVE, SAN PEDRO CA 83308" in (
        mod.describe_order(rich)
    )
