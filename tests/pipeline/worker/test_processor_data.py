"""The processor with the per-partner ``data`` and ``validation = "standard"`` settings (pure)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import orjson

from parsers.tolerance import Tolerance
from pipeline.contracts.headers import FORCE as FORCE_HEADER
from pipeline.partners.profiles import Partner, PartnersFileError
from pipeline.worker.processor import Processor
from tests.pipeline.worker.test_processor import DUAL, ORDERS, msg, processor

SIMPLE810 = "x12/staedi/src/test/resources/x12/simple810.edi"


def _with(p: Processor, **changes: Any) -> None:
    """Replace acme's profile in the processor's registry with ``changes``."""
    acme = p.partners.get("acme")
    assert acme is not None
    p.partners.put(replace(acme, **changes))


def bad810(corpus: Path) -> bytes:
    """simple810.edi (004010, content-clean) with an invalid FOB01 code in both invoices."""
    return (corpus / SIMPLE810).read_bytes().replace(b"FOB*PP~", b"FOB*Q9~")


def test_data_is_off_by_default_and_on_per_partner(corpus: Path) -> None:
    p = processor()
    out = p.process(msg((corpus / DUAL).read_bytes()))
    docs = [orjson.loads(o.value) for o in out.outputs if o.topic == "agents.orders"]
    assert docs and "data" not in docs[0]
    _with(p, data=True)
    out = p.process(msg((corpus / DUAL).read_bytes(), ingest_id="i2", **{FORCE_HEADER: "1"}))
    (po,) = [orjson.loads(o.value) for o in out.outputs if o.topic == "agents.orders"]
    beg = po["data"]["beginning_segment_for_purchase_order_BEG"]
    assert beg["purchase_order_number_03"] == po["keys"]["po_number"] == "S115921858"
    assert po["dictionary"] == {"name": "x12-004010", "requested": "003010", "exact": False}


def test_standard_validation_rejects_content_faults_with_ak3_ak4(corpus: Path) -> None:
    p = processor()
    assert p.process(msg(bad810(corpus))).documents == 2  # envelope level: nothing to see
    _with(p, validation="standard")
    out = p.process(msg(bad810(corpus), ingest_id="i2", **{FORCE_HEADER: "1"}))
    assert out.documents == 0 and out.acks == ["997"]
    dead = [orjson.loads(o.value) for o in out.outputs if o.topic == "edi.deadletter"]
    assert {d["error"]["code"] for d in dead} == {"EDI099"}
    (ack,) = [o.value for o in out.outputs if o.topic == "edi.acks.outbound"]
    assert b"AK2*810*000000001~AK3*FOB*13**8~AK4*1**7*Q9~AK5*R*5~" in ack


def test_standard_findings_follow_the_partner_tolerance(corpus: Path) -> None:
    p = processor()
    _with(p, validation="standard", tolerance=Tolerance.of("standard", accept=["EDI099"]))
    out = p.process(msg(bad810(corpus)))
    assert out.documents == 2
    docs = [orjson.loads(o.value) for o in out.outputs if o.topic == "agents.invoices"]
    assert [e["code"] for e in docs[0]["errors"]] == ["EDI099"]
    assert docs[0]["errors"][0]["rejects"] is False


def test_profile_fields_are_checked() -> None:
    base = {"id": "x", "senders": ["ZZ:X"]}
    assert Partner.from_json({**base, "validation": "standard", "data": True}).data is True
    assert Partner.from_json(base).data is False
    for bad in ({"data": "yes"}, {"validation": "content"}):
        try:
            Partner.from_json({**base, **bad})
        except PartnersFileError:
            continue
        raise AssertionError(bad)


def test_standard_validation_of_edifact_gives_contrl_ucs_ucd(corpus: Path) -> None:
    raw = (corpus / ORDERS).read_bytes().rstrip() + b"\nUNZ+1+000000001'\n"
    data = raw.replace(b"PO123456", b"P" * 80)  # BGM02-01 is an..70
    p = processor()
    globex = p.partners.get("globex")
    assert globex is not None
    p.partners.put(replace(globex, validation="standard"))
    out = p.process(msg(data, partner="globex"))
    assert out.documents == 0 and out.acks == ["CONTRL"]
    (ack,) = [o.value for o in out.outputs if o.topic == "edi.acks.outbound"]
    assert b"UCS+2'UCD+39+2:1'" in ack
