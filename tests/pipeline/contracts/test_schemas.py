"""The JSON Schemas of pipeline/contracts/schemas/ against the records the code really produces.

Real corpus files go through the worker's hot path (``Processor.process``)
and every JSON output is validated by its topic's schema (``TopicSpec.schema``);
ingest's dead letters and tracking events come from the real ``Ingestor`` and
``FileDrop`` against the session broker. Deliberately broken records must be
rejected, so a schema that accepts anything fails here.
"""

from __future__ import annotations

import asyncio
import collections
import copy
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from jsonschema import Draft202012Validator

from parsers.errors import Location
from pipeline.contracts import errors as perr
from pipeline.contracts import records, schemas
from pipeline.contracts.topics import DEADLETTER, TRACKING, TopicSpec, by_name, registry
from pipeline.ingest.filedrop import FileDrop
from pipeline.ingest.producer import Ingestor
from pipeline.ingest.results import Rejected
from pipeline.kafka import admin, clients
from pipeline.partners.profiles import Partner, PartnerRegistry, load_partners
from pipeline.settings import PACKAGE_DIR, Settings
from pipeline.settings import load as load_settings
from pipeline.worker.acking import build_for_partner
from pipeline.worker.processor import Inbound, Outcome, Processor
from pipeline.worker.routing import Router

CONFIG = PACKAGE_DIR / "config"
SPECS = by_name()
X12_850 = "x12/staedi/src/test/resources/x12/invoice810_po850_dual.edi"  # ZZ:SENDERISA = acme
EDIFACT_ORDERS = "edifact/pydifact/tests/data/order.edi"  # 12345678:8 = globex; no UNZ
NON_UTF8 = bytes(range(256)) * 4

# Headers the code sets that the registry does not declare yet (reported to the lead).
# A header outside this list and TopicSpec.headers fails test_output_headers_are_declared.


# -- helpers -------------------------------------------------------------------------------
def registry_partners() -> PartnerRegistry:
    """The sample partners of pipeline/config/partners.toml."""
    return PartnerRegistry(load_partners(CONFIG / "partners.toml"))


def new_processor() -> Processor:
    """A Processor with the sample partners and routing rules (fresh duplicate state)."""
    return Processor(registry_partners(), Router.from_file(CONFIG / "routing.toml"))


def inbound(data: bytes, partner: str, name: str = "input.edi", *, headers: bool = True) -> Inbound:
    """An edi.inbound record as ingest writes it (``headers=False``: a bare producer's record)."""
    if not headers:
        return Inbound(data, {}, key=partner.encode(), partition=1, offset=42)
    return Inbound(
        data,
        {
            "edi-partner": partner.encode(),
            "edi-source": b"file",
            "edi-filename": name.encode(),
            "edi-sha256": b"0" * 64,
            "edi-received-at": b"2026-01-02T03:04:05.678Z",
            "edi-ingest-id": b"019a0b0c0d0e1f2a3b4c5d",
            "edi-chunk": b"1/1",
        },
        partition=0,
        offset=7,
    )


def spec_of(topic: str) -> TopicSpec:
    """The registry entry of an output topic (unprefixed)."""
    assert topic in SPECS, f"output to {topic!r}, which is not in the topic registry"
    return SPECS[topic]


def validate_outcome(out: Outcome, seen: collections.Counter[str]) -> list[dict[str, Any]]:
    """Validate every JSON output of ``out`` by its topic's schema; return the values."""
    values = []
    for o in out.outputs:
        spec = spec_of(o.topic)
        if spec.schema is None:  # raw EDI (acknowledgements): bytes, no JSON schema
            assert isinstance(o.value, bytes) and o.value
            seen[o.topic] += 1
            continue
        value = orjson.loads(o.value)
        errors = sorted(schemas.validator(spec.schema).iter_errors(value), key=str)
        assert not errors, f"{o.topic}: {errors[0].message} at {list(errors[0].absolute_path)}"
        kind = value["event"] if o.topic == TRACKING else spec.schema.split(".")[0]
        seen[kind] += 1
        values.append(value)
    return values


def corpus_files(corpus: Path, *tops: str) -> list[Path]:
    """Every file under the given top folders of the corpus, sorted."""
    return sorted(p for t in tops for p in (corpus / t).rglob("*") if p.is_file())


def without_descriptions(node: Any) -> Any:
    """A schema with its description annotations removed, to compare shapes."""
    if isinstance(node, dict):
        return {k: without_descriptions(v) for k, v in node.items() if k != "description"}
    if isinstance(node, list):
        return [without_descriptions(v) for v in node]
    return node


# -- the schema files ----------------------------------------------------------------------
def test_every_registry_schema_exists_and_is_valid() -> None:
    """Each TopicSpec.schema names a draft 2020-12 schema file in pipeline/contracts/schemas/."""
    named = {s.schema for s in registry() if s.schema}
    assert named == {
        "document.schema.json",
        "deadletter.schema.json",
        "tracking.schema.json",
        "partner.schema.json",
        "outbound-request.schema.json",
    }
    for name in named:
        schema = schemas.load(name)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        Draft202012Validator.check_schema(schema)
        assert schema["$id"].startswith("urn:edi-mesh:")


def test_document_schema_is_the_parsers_one() -> None:
    """pipeline/contracts/schemas/document.schema.json is parsers/document.schema.json (one source)."""
    import parsers

    theirs = Path(parsers.__file__).resolve().parent / "document.schema.json"
    assert schemas.path("document.schema.json").resolve() == theirs.resolve()
    assert schemas.path("document.schema.json").read_bytes() == theirs.read_bytes()


def test_error_shape_is_the_same_everywhere() -> None:
    """Dead letters, tracking warnings and documents' errors[] share EdiError.to_dict's shape."""
    doc_error = schemas.load("document.schema.json")["properties"]["errors"]["items"]
    for name in ("deadletter.schema.json", "tracking.schema.json"):
        mine = schemas.load(name)["$defs"]["error"]
        assert without_descriptions(mine) == without_descriptions(doc_error), name
    location_fields = set(doc_error["properties"]["location"]["properties"])
    assert location_fields == set(Location.__slots__)


# -- worker outputs ------------------------------------------------------------------------
def test_worker_outputs_of_the_whole_corpus_validate(corpus: Path) -> None:
    """Every corpus file (valid and bad) through the hot path: all outputs match their schemas."""
    proc = new_processor()
    seen: collections.Counter[str] = collections.Counter()
    files = corpus_files(corpus, "x12", "edifact", "bad")
    assert len(files) > 150
    for i, f in enumerate(files):
        # the sandbox partner accepts any sender, so every readable interchange is processed;
        # every third file is a bare record (no headers: source fields null, channel kafka)
        validate_outcome(
            proc.process(inbound(f.read_bytes(), "sandbox", f.name, headers=i % 3 != 0)), seen
        )
    # the same interchange again: the worker's duplicate event
    validate_outcome(proc.process(inbound((corpus / X12_850).read_bytes(), "sandbox")), seen)
    assert seen["document"] > 50
    assert seen["deadletter"] > 50
    for event in ("parsed", "routed", "rejected", "duplicate"):
        assert seen[event] > 0, f"no {event} event: {seen}"


def test_orders_documents_validate_for_their_partners(corpus: Path) -> None:
    """A real 850 (acme) and a real EDIFACT ORDERS (globex) become valid agents.orders documents."""
    proc = new_processor()
    seen: collections.Counter[str] = collections.Counter()
    x12 = validate_outcome(proc.process(inbound((corpus / X12_850).read_bytes(), "acme")), seen)
    # the corpus ORDERS lacks its UNZ trailer (pydifact tolerates it); complete the envelope
    raw = (corpus / EDIFACT_ORDERS).read_bytes().rstrip() + b"\nUNZ+1+807'\n"
    edi = validate_outcome(proc.process(inbound(raw, "globex")), seen)
    orders = [v for v in x12 + edi if v.get("type") in ("850", "ORDERS")]
    assert {(d["type"], d["partner"]["id"]) for d in orders} == {
        ("850", "acme"),
        ("ORDERS", "globex"),
    }


@pytest.mark.parametrize(
    ("case", "partner", "code"),
    [
        ("non-EDI text", "acme", None),
        ("non-EDI binary", "acme", None),
        ("empty", "acme", None),
        ("unknown partner", "nobody", perr.UNKNOWN_PARTNER),
        ("sender not allowed", "acme", perr.SENDER_NOT_ALLOWED),
        ("big rejected input", "sandbox", None),
    ],
)
def test_rejections_validate(corpus: Path, case: str, partner: str, code: str | None) -> None:
    """Refused inputs give a schema-valid dead letter and rejected event with the raw bytes."""
    data = {
        "non-EDI text": b"Dear ACME, please find our order attached.\n",
        "non-EDI binary": NON_UTF8,
        "empty": b"",
        "unknown partner": (corpus / X12_850).read_bytes(),
        "sender not allowed": (corpus / EDIFACT_ORDERS).read_bytes(),  # globex's sender
        "big rejected input": (corpus / "edifact/pydifact/tests/data/huge_file2.edi").read_bytes(),
    }[case]
    seen: collections.Counter[str] = collections.Counter()
    values = validate_outcome(new_processor().process(inbound(data, partner)), seen)
    dead = [v for v in values if "stage" in v]
    assert dead and seen["rejected"] >= 1
    if code is not None:
        assert dead[0]["error"]["code"] == code
    raw = dead[0]["raw"]
    assert raw["size"] == len(data)
    assert raw["ref"] == {"topic": "edi.inbound", "partition": 0, "offset": 7}
    if case == "non-EDI binary":
        assert "base64" in raw and "text" not in raw
    if case == "big rejected input":
        assert "text" not in raw and "base64" not in raw


def test_internal_error_dead_letter_validates() -> None:
    """The dead letter of a record whose processing raised."""
    seen: collections.Counter[str] = collections.Counter()
    out = new_processor().internal_error(inbound(b"ISA*00*...", "acme", headers=False))
    validate_outcome(out, seen)
    assert seen == {"deadletter": 1, "rejected": 1}


def test_acknowledged_event_validates(corpus: Path) -> None:
    """The acknowledged events (outbound 997s and the inbound reconciliation) validate."""
    proc = Processor(
        registry_partners(),
        Router.from_file(CONFIG / "routing.toml"),
        ack_builder=build_for_partner,
    )
    seen: collections.Counter[str] = collections.Counter()
    validate_outcome(proc.process(inbound((corpus / X12_850).read_bytes(), "acme")), seen)
    # the 810+850 file has two groups: one 997 interchange each
    assert seen["acknowledged"] == 2 and seen["edi.acks.outbound"] == 2


def test_output_headers_are_declared(corpus: Path) -> None:
    """Every header the worker sets is in its topic's TopicSpec.headers (so in AsyncAPI)."""
    proc = new_processor()
    undeclared: dict[str, set[str]] = collections.defaultdict(set)
    for f in corpus_files(corpus, "x12", "edifact", "bad")[:80]:
        for o in proc.process(inbound(f.read_bytes(), "sandbox", f.name)).outputs:
            names = {h for h, _ in o.headers} - set(spec_of(o.topic).headers)
            undeclared["agents.*" if o.topic.startswith("agents.") else o.topic] |= names
    for topic, names in undeclared.items():
        assert not names, f"{topic} headers {names} not in registry"


# -- partners ------------------------------------------------------------------------------
def test_every_sample_partner_validates() -> None:
    """Partner.to_json (the edi.partners value) of each sample partner, and round trips."""
    validator = schemas.validator("partner.schema.json")
    partners = registry_partners().all()
    assert len(partners) >= 4
    for p in partners:
        value = orjson.loads(orjson.dumps(p.to_json()))
        validator.validate(value)
        assert Partner.from_json(value) == p


def test_partner_with_routes_and_attributes_validates() -> None:
    """Per-partner routes and free attributes are part of the profile."""
    p = Partner.from_json(
        {
            "id": "initech",
            "name": "Initech",
            "senders": ["ZZ:INITECH"],
            "acks": ["997", "TA1"],
            "validation": "hipaa",
            "duplicates": "route",
            "routes": [
                {"types": ["850"], "topics": ["agents.orders", "agents.unrouted"], "test": True}
            ],
            "contact": {"email": "edi@initech.example"},
        }
    )
    schemas.validator("partner.schema.json").validate(p.to_json())


# -- ingest records ------------------------------------------------------------------------
def test_ingest_dead_letters_validate_offline(corpus: Path) -> None:
    """records.deadletter(stage="ingest") and its rejected event, as Ingestor.deadletter builds them."""
    dl = schemas.validator("deadletter.schema.json")
    tr = schemas.validator("tracking.schema.json")
    # prepare() reads envelopes only: no producer needed to get ingest's real rejections
    ingestor = Ingestor(load_settings(), registry_partners(), producer=None)
    acme = registry_partners().get("acme")
    assert acme is not None
    for data, reference in [
        (
            (corpus / "bad/pyx12/test/files/fail_no_IEA.txt").read_bytes(),
            {"quarantine": "/q/acme/f.txt"},
        ),
        ((corpus / EDIFACT_ORDERS).read_bytes(), None),  # façade: no reference
        (NON_UTF8, None),
    ]:
        with pytest.raises(Rejected) as rej:
            ingestor.prepare(acme, data)
        for channel in ("file", "http"):
            source = {
                "channel": channel,
                "filename": "f.txt",
                "ingest_id": "019a0b0c0d0e1f2a3b4c5d",
            }
            record = records.deadletter(
                errors=rej.value.errors,
                partner="acme",
                source=source,
                raw=data,
                stage="ingest",
                reference=reference,
            )
            dl.validate(orjson.loads(orjson.dumps(record)))
            event = records.tracking(
                "rejected",
                partner="acme",
                ingest_id=source["ingest_id"],
                code=rej.value.errors[0].code,
                message=rej.value.errors[0].message,
            )
            tr.validate(orjson.loads(orjson.dumps(event)))


async def _read_all(
    settings: Settings, topic: str, expect: int, timeout: float = 15.0
) -> list[dict[str, Any]]:
    """The JSON values of a (prefixed) topic from the beginning, once ``expect`` arrived."""
    consumer = clients.consumer(settings, clients.topic(settings, topic))
    await consumer.start()
    values: list[dict[str, Any]] = []
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while len(values) < expect and asyncio.get_running_loop().time() < deadline:
            batch = await consumer.getmany(timeout_ms=300)
            values += [orjson.loads(m.value) for msgs in batch.values() for m in msgs if m.value]
    finally:
        await consumer.stop()
    return values


@pytest.fixture()
def file_drop_settings(make_settings: Callable[..., Settings]) -> Iterator[Settings]:
    """Settings whose inbox takes files at once (no stability wait)."""
    yield make_settings(stable_seconds=0.0)


async def test_ingest_records_on_the_broker_validate(
    file_drop_settings: Settings, corpus: Path
) -> None:
    """The file drop's real received, duplicate and rejected events and dead letter, read back."""
    s = file_drop_settings
    await admin.ensure_topics(s)
    producer = clients.producer(s)
    await producer.start()
    try:
        drop = FileDrop(s, Ingestor(s, registry_partners(), producer))
        drop.ensure_dirs()
        inbox = s.inbox / "acme"
        good = (corpus / X12_850).read_bytes()
        (inbox / "po.edi").write_bytes(good)
        assert await drop.scan_once() == 1
        (inbox / "po-again.edi").write_bytes(good)  # same content: a duplicate
        (inbox / "bad.txt").write_bytes(
            (corpus / "bad/pyx12/test/files/fail_no_IEA.txt").read_bytes()
        )
        assert await drop.scan_once() == 2
    finally:
        await producer.stop()
    events = await _read_all(s, TRACKING, 3)
    dead = await _read_all(s, DEADLETTER, 1)
    tr = schemas.validator("tracking.schema.json")
    for e in events:
        tr.validate(e)
    for d in dead:
        schemas.validator("deadletter.schema.json").validate(d)
    assert sorted(e["event"] for e in events) == ["duplicate", "received", "rejected"]
    assert [d["stage"] for d in dead] == ["ingest"]
    assert "quarantine" in dead[0]["raw"]["ref"]
    assert os.path.exists(dead[0]["raw"]["ref"]["quarantine"])


# -- the schemas can fail ------------------------------------------------------------------
def _real_values(corpus: Path) -> dict[str, dict[str, Any]]:
    """One real value per schema (a document, a dead letter, a routed event, a partner)."""
    seen: collections.Counter[str] = collections.Counter()
    values = validate_outcome(
        new_processor().process(inbound((corpus / X12_850).read_bytes(), "acme")), seen
    )
    values += validate_outcome(new_processor().process(inbound(b"garbage", "acme")), seen)
    partner = registry_partners().get("acme")
    assert partner is not None
    return {
        "document.schema.json": next(v for v in values if "segments" in v),
        "deadletter.schema.json": next(v for v in values if "stage" in v),
        "tracking.schema.json": next(v for v in values if v.get("event") == "routed"),
        "partner.schema.json": partner.to_json(),
    }


BREAKAGES: list[tuple[str, str, Callable[[dict[str, Any]], None]]] = [
    ("document.schema.json", "no id", lambda v: v.pop("id")),
    ("document.schema.json", "segment element a number", lambda v: v["segments"][0].append(5)),
    ("deadletter.schema.json", "no error", lambda v: v.pop("error")),
    ("deadletter.schema.json", "error code not EDInnn", lambda v: v["error"].update(code="E1")),
    (
        "deadletter.schema.json",
        "location segment as text",
        lambda v: v["error"]["location"].update(segment="3"),
    ),
    ("deadletter.schema.json", "unknown stage", lambda v: v.update(stage="parser")),
    ("deadletter.schema.json", "raw text and base64", lambda v: v["raw"].update(base64="AA==")),
    ("deadletter.schema.json", "at not RFC 3339 UTC", lambda v: v.update(at="yesterday")),
    ("tracking.schema.json", "unknown event", lambda v: v.update(event="exploded")),
    ("tracking.schema.json", "routed without documents", lambda v: v.pop("documents")),
    (
        "tracking.schema.json",
        "routed to a non-agent topic",
        lambda v: v.update(topics={"edi.inbound": 1}),
    ),
    ("tracking.schema.json", "empty ingest id", lambda v: v.update(ingest_id="")),
    ("tracking.schema.json", "parsed without a count", lambda v: v.update(event="parsed")),
    ("tracking.schema.json", "rejected without a reason", lambda v: v.update(event="rejected")),
    (
        "tracking.schema.json",
        "acknowledged without ack_type",
        lambda v: v.update(event="acknowledged"),
    ),
    ("tracking.schema.json", "duplicate without original", lambda v: v.update(event="duplicate")),
    ("tracking.schema.json", "received without source", lambda v: v.update(event="received")),
    ("partner.schema.json", "no senders", lambda v: v.pop("senders")),
    ("partner.schema.json", "unknown ack type", lambda v: v.update(acks=["998"])),
    ("partner.schema.json", "id with a slash", lambda v: v.update(id="a/b")),
    ("partner.schema.json", "api key in clear", lambda v: v.update(api_key_sha256="acme-demo-key")),
    (
        "partner.schema.json",
        "route without topics",
        lambda v: v.update(routes=[{"types": ["850"]}]),
    ),
]


@pytest.mark.parametrize(
    ("schema", "what", "breaker"),
    BREAKAGES,
    ids=[f"{s.split('.')[0]}: {w}" for s, w, _ in BREAKAGES],
)
def test_broken_records_are_rejected(
    corpus: Path, schema: str, what: str, breaker: Callable[[dict[str, Any]], None]
) -> None:
    """Each schema rejects a real record broken in one way (and accepts it unbroken)."""
    value = copy.deepcopy(_real_values(corpus)[schema])
    validator = schemas.validator(schema)
    assert validator.is_valid(value)
    breaker(value)
    assert not validator.is_valid(value), f"{schema} accepted a record with {what}"
