"""The outbound room's pure state: marks, sent records, acknowledgement matching, overdue, status."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import orjson

from parsers.model import Standard
from parsers.outbound import Controls, Envelope, decode_request, render
from pipeline.contracts.schemas import validator
from pipeline.partners.profiles import Partner, PartnerRegistry
from pipeline.settings import Settings
from pipeline.tools.outbound import fold
from pipeline.worker.acking import sent_key
from pipeline.worker.emitter import Inbound
from pipeline.worker.outbound import OutboundBatch, home_partition
from pipeline.worker.outbound_state import Sent, acknowledged_records, overdue
from pipeline.worker.state import MemoryState

TRACKING = validator("tracking.schema.json")
BODY = [["BAK", "00", "AC", "PO-1", "20240304"], ["CTT", "0"]]


def sent(interchange: int = 12, group: int = 4) -> Sent:
    req = decode_request(
        orjson.dumps(
            {
                "partner": "acme",
                "standard": "x12",
                "type": "855",
                "segments": BODY,
                "idempotency_key": "k1",
                "reply_to": "d1",
            }
        )
    )
    assert not isinstance(req, list)
    out = render(req, Envelope("EDIMESH", "ACMEFOODS"), Controls(interchange, group))
    assert not isinstance(out, list) and out.standard is Standard.X12
    return Sent.of(out, at=1000.0)


def test_a_mark_round_trips_with_its_bytes_and_names_its_file_by_controls() -> None:
    s = sent()
    again = Sent.from_bytes(s.to_bytes())
    assert again == s and again.data == s.data
    assert s.filename == "855_000000012_000000004.edi"
    assert s.idempotency_keys == ("k1",) and s.reply_to == ("d1",)
    assert s.sent_keys() == [sent_key("acme", "interchange", 12), sent_key("acme", "group", 4)]


def test_overdue_once_in_owned_partitions_only() -> None:
    s = sent()
    record = s.sent_record(ack_timeout=2.0, partition=1)
    data = {k: record for k in s.sent_keys()}
    events, writes, parts, waiting = overdue(data, {1}, now=1001.0)
    assert events == [] and waiting == {"acme": 1}  # not yet due
    events, writes, parts, waiting = overdue(data, {1}, now=1003.0)
    [ev] = [orjson.loads(e.value or b"") for e in events]
    TRACKING.validate(ev)
    assert ev["event"] == "ack_overdue" and ev["ingest_id"] == "outbound:acme:12"
    assert set(writes) == set(s.sent_keys()) and parts == {"acme": 1}
    assert overdue(writes, {1}, now=1004.0)[0] == []  # reported once
    assert overdue(data, {0}, now=1003.0) == ([], {}, {}, {})  # another worker's partition


def test_a_partners_997_acknowledges_the_outbound_interchange() -> None:
    s = sent()
    record = orjson.loads(s.sent_record(ack_timeout=2.0, partition=0))
    match = {
        "ack_type": "997",
        "level": "group",
        "status": "accepted",
        "refers_to": {"interchange": None, "group": "4", "transaction": None},
        "matched": True,
        "sent": record,
    }
    writes: dict[bytes, bytes] = {}
    [rec] = acknowledged_records([match, {**match, "level": "transaction"}], "acme", writes)
    ev = orjson.loads(rec.value or b"")
    TRACKING.validate(ev)
    assert ev["event"] == "acknowledged" and ev["ingest_id"] == "outbound:acme:12"
    assert ev["status"] == "accepted" and ev["outbound"]["filename"] == s.filename
    assert {orjson.loads(v)["status"] for v in writes.values()} == {"accepted"}
    assert overdue(writes, {0}, now=9999.0)[0] == []  # acknowledged: never overdue
    assert acknowledged_records([{**match, "sent": {"type": "997"}}], "acme", {}) == []


def test_status_folds_tracking_into_one_row_per_interchange() -> None:
    base = {"partner": "acme", "at": "2026-12-03T00:00:00.000Z"}
    events = [
        {**base, "event": "sent", "ingest_id": "outbound:acme:1", "interchange": "000000001"},
        {**base, "event": "sent", "ingest_id": "outbound:acme:1", "interchange": "000000001"},
        {**base, "event": "sent", "ingest_id": "outbound:acme:2", "interchange": "000000002"},
        {**base, "event": "ack_overdue", "ingest_id": "outbound:acme:1"},
        {**base, "event": "acknowledged", "ingest_id": "outbound:acme:1", "status": "rejected"},
        {**base, "event": "ack_overdue", "ingest_id": "outbound:acme:2"},
        {**base, "event": "routed", "ingest_id": "in-1"},
    ]
    rows = fold(events)
    assert [(r["interchange"], r["state"]) for r in rows] == [
        ("000000001", "rejected"),
        ("000000002", "overdue"),
    ]
    assert fold(events, "globex") == []


# -- one batch of requests, processed without a broker (the agent's synchronous half) -----------
class _State(MemoryState):
    """MemoryState with the take the outbound batch calls (what TableState persists first)."""

    def take_controls(self) -> dict[bytes, bytes | None]:
        return {p.encode(): c.to_bytes() for p, c in self.commit().controls.items()}


class _Marks:
    def get(self, key: bytes, pending: dict[bytes, bytes]) -> Sent | None:
        raw = pending.get(key)
        return Sent.from_bytes(raw) if raw else None


def batch_of(partner: Partner) -> OutboundBatch:
    ctx = SimpleNamespace(
        state=_State(), partners=PartnerRegistry([partner]), outbound=_Marks(), settings=Settings()
    )
    return OutboundBatch(cast(Any, ctx))


def msg(value: bytes, offset: int, key: str = "acme", partition: int | None = None) -> Inbound:
    """A request record on its key's partition (or on ``partition``)."""
    home = home_partition(key.encode(), Settings().partitions)
    return Inbound(
        value=value,
        headers={},
        key=key.encode(),
        partition=home if partition is None else partition,
        offset=offset,
        topic="edi.outbound",
    )


def req(key: str, type_: str = "855") -> bytes:
    return orjson.dumps(
        {
            "partner": "acme",
            "standard": "x12",
            "type": type_,
            "segments": BODY,
            "idempotency_key": key,
        }
    )


def test_batching_puts_same_type_requests_of_one_batch_in_one_interchange() -> None:
    p = Partner.from_json({"id": "acme", "senders": ["ZZ:ACMEFOODS"], "outbound_batch_seconds": 5})
    b = batch_of(p)
    controls = b.process([msg(req("a"), 1), msg(req("b"), 2), msg(req("a"), 3), msg(b"{", 4)])
    assert b.rendered == 1 and controls  # one interchange, its control numbers to store first
    ic, again = [o for o in b.outputs if o.topic == "edi.outbound.interchanges"]
    assert again.value == ic.value and again.headers == ic.headers  # the repeat: same record
    assert ic.value is not None and ic.value.count(b"ST*855*") == 2
    assert orjson.loads(ic.header("edi-idempotency-keys")) == ["a", "b"]
    sent = [orjson.loads(o.value or b"") for o in b.outputs if o.topic == "edi.tracking"]
    for e in sent:
        TRACKING.validate(e)
    assert [(e["event"], e.get("repeat")) for e in sent] == [
        ("rejected", None),
        ("sent", False),
        ("sent", True),  # "a" again in the same batch: the same bytes, no new numbers
    ]
    assert len(b.marks) == 2 and len(b.sent) == 2  # both keys; interchange + group records


def test_without_batching_each_request_is_its_own_interchange() -> None:
    b = batch_of(Partner.from_json({"id": "acme", "senders": ["ZZ:ACMEFOODS"]}))
    other = (home_partition(b"acme", Settings().partitions) + 1) % Settings().partitions
    b.process(
        [
            msg(req("a"), 1),
            msg(req("b"), 2),
            msg(req("c", "810"), 3),
            msg(req("d"), 4, partition=other),
        ]
    )
    heads = [o.header("edi-interchange-control") for o in b.outputs if o.header("edi-filename")]
    assert heads == ["000000001", "000000002"]  # the 810 lacks its mandatory BIG: dead letter
    dead = [orjson.loads(o.value or b"") for o in b.outputs if o.topic == "edi.deadletter"]
    for d in dead:
        validator("deadletter.schema.json").validate(d)
    assert [d["error"]["code"] for d in dead] == ["EDI306", "EDI119"]  # 810 body; off partition
