"""The worker's pure hot path on real files: checks, duplicates, acknowledgements, rejections."""

from __future__ import annotations

from pathlib import Path

import orjson

from pipeline.contracts.headers import FORCE as FORCE_HEADER
from pipeline.partners.profiles import PartnerRegistry, load_partners
from pipeline.settings import Settings
from pipeline.worker.acking import build_for_partner
from pipeline.worker.processor import Inbound, Outcome, Processor
from pipeline.worker.routing import Router
from pipeline.worker.state import MemoryState

DUAL = "x12/staedi/src/test/resources/x12/invoice810_po850_dual.edi"
ORDERS = "edifact/pydifact/tests/data/order2.edi"  # ends after UNT: the test adds the UNZ


def processor(state: MemoryState | None = None) -> Processor:
    s = Settings()
    return Processor(
        PartnerRegistry(load_partners(s.partners)),
        Router.from_file(s.routing),
        state or MemoryState(),
        build_for_partner,
    )


def msg(data: bytes, partner: str = "acme", ingest_id: str = "i1", **headers: str) -> Inbound:
    h = {
        "edi-partner": partner.encode(),
        "edi-ingest-id": ingest_id.encode(),
        "edi-source": b"file",
    }
    h.update({k.replace("_", "-"): v.encode() for k, v in headers.items()})
    return Inbound(value=data, headers=h, key=partner.encode())


def topics(out: Outcome) -> list[str]:
    return [o.topic for o in out.outputs]


def tracking(out: Outcome) -> list[dict[str, object]]:
    return [orjson.loads(o.value) for o in out.outputs if o.topic == "edi.tracking"]


def after_first(corpus: Path) -> tuple[Processor, bytes]:
    """A processor that has routed the dual file (ingest id i1) and stored that batch; the file."""
    state = MemoryState()
    p = processor(state)
    data = (corpus / DUAL).read_bytes()
    p.process(msg(data))
    state.commit()
    return p, data


def test_documents_routed_acked_and_tracked(corpus: Path) -> None:
    out = processor().process(msg((corpus / DUAL).read_bytes()))
    assert out.outcome == "routed" and out.documents == 3
    assert topics(out).count("agents.invoices") == 2 and topics(out).count("agents.orders") == 1
    assert out.acks == ["997", "997"]
    assert [e["event"] for e in tracking(out)] == [
        "parsed",
        "routed",
        "acknowledged",
        "acknowledged",
    ]


def test_resend_is_a_duplicate_unless_forced(corpus: Path) -> None:
    p, data = after_first(corpus)
    again = p.process(msg(data, ingest_id="i2"))
    assert again.outcome == "duplicate" and again.documents == 0 and again.duplicates == 1
    assert tracking(again)[0]["original_ingest_id"] == "i1"
    forced = p.process(msg(data, ingest_id="i3", **{FORCE_HEADER: "1"}))
    assert forced.documents == 3


def test_duplicates_within_one_batch_are_seen(corpus: Path) -> None:
    """Writes are pending until the batch is stored, but reads already see them."""
    p = processor()
    data = (corpus / DUAL).read_bytes()
    assert p.process(msg(data)).documents == 3
    assert p.process(msg(data, ingest_id="i2")).outcome == "duplicate"


def test_control_numbers_are_monotonic_per_partner(corpus: Path) -> None:
    p, data = after_first(corpus)
    out = p.process(msg(data.replace(b"000000020", b"000000021"), ingest_id="i2"))
    controls = [
        dict(o.headers)["edi-ack-control"] for o in out.outputs if o.topic == "edi.acks.outbound"
    ]
    assert controls == [b"3", b"4"]


def test_unknown_partner_and_foreign_sender_go_to_dead_letters(corpus: Path) -> None:
    p = processor()
    data = (corpus / DUAL).read_bytes()
    unknown = p.process(msg(data, partner="nobody"))
    assert unknown.outcome == "rejected" and unknown.errors[0].code == "EDI101"
    foreign = p.process(msg(data, partner="globex"))
    assert foreign.outcome == "rejected" and foreign.errors[0].code == "EDI102"
    assert "edi.deadletter" in topics(foreign) and not any(
        t.startswith("agents.") for t in topics(foreign)
    )


def test_not_edi_is_a_coded_dead_letter_with_raw_bytes() -> None:
    out = processor().process(msg(b"hello, this is not EDI\n"))
    assert out.outcome == "rejected"
    dead = next(orjson.loads(o.value) for o in out.outputs if o.topic == "edi.deadletter")
    assert (
        dead["error"]["code"].startswith("EDI0")
        and dead["raw"]["text"] == "hello, this is not EDI\n"
    )


def test_edifact_contrl_for_globex(corpus: Path) -> None:
    data = (corpus / ORDERS).read_bytes().rstrip() + b"\nUNZ+1+000000001'\n"
    out = processor().process(msg(data, partner="globex"))
    assert out.documents == 1
    acks = [o for o in out.outputs if o.topic == "edi.acks.outbound"]
    assert [dict(a.headers)["edi-ack-type"] for a in acks] == [b"CONTRL"]
    assert b"UCI+" in acks[0].value


def test_inbound_997_is_reconciled_with_what_we_sent(corpus: Path) -> None:
    """A partner's 997 for our 997's group is matched; an unknown one is reported unmatched."""
    p, _ = after_first(corpus)
    # the partner acknowledges our group 1 (what our first 997 carried)
    reply = (
        b"ISA*00*          *00*          *ZZ*SENDERISA      *ZZ*RECEIVERISA    *261126*1200*U*00401*000000777*0*P*>~"
        b"GS*FA*SENDERDEPT*007326879*20261126*1200*77*X*004010~ST*997*0001~AK1*FA*1~AK9*A*1*1*1~SE*4*0001~"
        b"GE*1*77~IEA*1*000000777~"
    )
    out = p.process(msg(reply, ingest_id="r1"))
    assert [d for d in topics(out) if d.startswith("agents.")] == ["agents.acknowledgements"]
    inbound = [
        e for e in tracking(out) if e["event"] == "acknowledged" and e["direction"] == "inbound"
    ]
    assert inbound and inbound[0]["acks"][0]["matched"] is True  # type: ignore[index]
    other = p.process(
        msg(
            reply.replace(b"AK1*FA*1", b"AK1*FA*55").replace(b"000000777", b"000000778"),
            ingest_id="r2",
        )
    )
    unmatched = [e for e in tracking(other) if e["event"] == "acknowledged"]
    assert unmatched[0]["acks"][0]["matched"] is False  # type: ignore[index]


def test_inbound_ta1_becomes_an_acknowledgements_document() -> None:
    """A TA1 is no transaction set, yet agents get one document for it on agents.acknowledgements."""
    ta1 = (
        b"ISA*00*          *00*          *ZZ*SENDERISA      *ZZ*RECEIVERISA    *261126*1200*U*00401*000000901*0*P*>~"
        b"TA1*000000001*261126*1159*R*021~IEA*0*000000901~"
    )
    out = processor().process(msg(ta1, ingest_id="t1"))
    docs = [orjson.loads(o.value) for o in out.outputs if o.topic == "agents.acknowledgements"]
    assert len(docs) == 1 and docs[0]["type"] == "TA1" and docs[0]["keys"]["ack_code"] == "R"
    assert docs[0]["control"]["transaction"] == "000000001"
    inbound = [e for e in tracking(out) if e["event"] == "acknowledged"]
    assert inbound[0]["acks"][0]["status"] == "rejected"  # type: ignore[index]


def _with_partner(extra: str) -> Processor:
    """A processor whose partners file adds one partner ``hospital`` (any sender) with ``extra`` TOML."""
    s = Settings()
    text = (
        s.partners.read_text()
        + f'\n[[partners]]\nid = "hospital"\nname = "Hospital"\nsenders = ["*"]\n{extra}\n'
    )
    import tomllib

    from pipeline.partners.profiles import Partner

    partners = [Partner.from_json(t) for t in tomllib.loads(text)["partners"]]
    return Processor(
        PartnerRegistry(partners), Router.from_file(s.routing), MemoryState(), build_for_partner
    )


def test_hipaa_partner_gets_implementation_guide_errors_and_a_999(corpus: Path) -> None:
    """With validation = "hipaa", pyx12 finds what the envelope cannot; the 999 says so with IK3/IK4."""
    data = (corpus / "bad/pyx12/test/files/blank1.txt").read_bytes()  # envelope-valid, IG-invalid
    plain = _with_partner('acks = ["999"]').process(msg(data, partner="hospital"))
    assert plain.documents == 1  # envelope-valid: routed when only the envelope is checked
    strict = _with_partner('acks = ["999"]\nvalidation = "hipaa"').process(
        msg(data, partner="hospital")
    )
    assert strict.documents == 0 and strict.outcome == "rejected"
    assert {e.code for e in strict.errors} & {"EDI083", "EDI088"}
    ack = next(o.value.decode() for o in strict.outputs if o.topic == "edi.acks.outbound")
    assert "IK3*" in ack and "IK4*" in ack and "IK5*R" in ack


def test_duplicates_route_policy_routes_again_marked(corpus: Path) -> None:
    """A partner with duplicates = "route" gets re-sent interchanges routed again, marked in a header."""
    p = _with_partner('duplicates = "route"')
    data = (corpus / DUAL).read_bytes()
    p.process(msg(data, partner="hospital"))
    again = p.process(msg(data, partner="hospital", ingest_id="i2"))
    docs = [o for o in again.outputs if o.document]
    assert len(docs) == 3 and all(dict(o.headers).get("edi-duplicate") == b"1" for o in docs)


def test_lenient_partner_reads_bare_edifact_messages_in_a_synthesised_envelope() -> None:
    """UNH..UNT without UNB/UNZ: routed for a lenient partner (marked EDI076), rejected otherwise."""
    bare = (
        b"UNH+1+ORDERS:D:96A:UN'BGM+220+PO1+9'UNT+3+1'UNH+2+ORDERS:D:96A:UN'BGM+220+PO2+9'UNT+3+2'"
    )
    lenient = _with_partner('tolerance = "lenient"\nacks = ["CONTRL"]').process(
        msg(bare, partner="hospital")
    )
    assert lenient.documents == 2 and lenient.outcome == "routed"
    docs = [orjson.loads(o.value) for o in lenient.outputs if o.document]
    assert [d["control"]["transaction"] for d in docs] == ["1", "2"]
    parsed = next(e for e in tracking(lenient) if e["event"] == "parsed")
    assert [w["code"] for w in parsed["warnings"]] == ["EDI076"]  # type: ignore[index]
    standard = _with_partner("").process(msg(bare, partner="hospital"))
    assert standard.documents == 0 and standard.outcome == "rejected"
    assert {e.code for e in standard.errors} == {"EDI001"}


def test_a_resent_interchange_gets_its_original_acknowledgement_again(corpus: Path) -> None:
    """A partner that lost our 997 and re-sends gets the same 997 (same bytes, file, control)."""
    state = MemoryState()
    p = processor(state)
    data = (corpus / DUAL).read_bytes()
    first = p.process(msg(data))
    state.commit()
    sent = [o for o in first.outputs if o.topic == "edi.acks.outbound"]
    assert len(sent) == 2  # a 997 per group
    again = p.process(msg(data, ingest_id="i2"))
    assert again.outcome == "duplicate" and again.resent == 2
    resent = [o for o in again.outputs if o.topic == "edi.acks.outbound"]
    assert [(o.value, o.header("edi-filename"), o.header("edi-ack-control")) for o in resent] == [
        (o.value, o.header("edi-filename"), o.header("edi-ack-control")) for o in sent
    ]
    assert [o.header("edi-ingest-id") for o in resent] == ["i2", "i2"]
    events = [e for e in tracking(again) if e["event"] == "acknowledged"]
    assert len(events) == 2 and all(e["resent"] is True for e in events)
    assert not state.commit().controls  # no new control number was taken


def test_a_sandbox_partner_routes_test_documents(corpus: Path) -> None:
    """Any sender, public demo key: its documents say test: true unless the profile says otherwise."""
    data = (corpus / DUAL).read_bytes().replace(b"*T*>~", b"*P*>~")  # ISA15: production
    assert b"*P*>~" in data
    sandbox = processor().process(msg(data, partner="sandbox"))
    docs = [orjson.loads(o.value) for o in sandbox.outputs if o.document]
    assert docs and all(d["test"] is True for d in docs)
    real = _with_partner("test = false").process(msg(data, partner="hospital"))
    real_docs = [orjson.loads(o.value) for o in real.outputs if o.document]
    assert real_docs and all(d["test"] is False for d in real_docs)


def test_random_bytes_with_a_stray_header_are_not_a_foreign_sender() -> None:
    """The worker judges a header too broken to name a sender by its own errors, never EDI102."""
    import random

    rnd = random.Random(7)
    out = processor().process(msg(rnd.randbytes(20_000) + b"UNB+" + rnd.randbytes(20_000)))
    assert out.outcome == "rejected" and out.documents == 0
    codes = {e.code for e in out.errors}
    assert "EDI102" not in codes and codes & {"EDI071", "EDI072", "EDI070", "EDI010", "EDI001"}
