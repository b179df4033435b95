"""Business keys and HL trees (parsers.keys) on the corpus's real transactions."""

from __future__ import annotations

import re
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.generate import generate_bytes
from parsers.core_documents import LazySegments
from parsers.keys import CPS_LEVELS, HL_LEVELS, MAX_TREE_DEPTH, build_hl_tree, extract_keys
from parsers.keys_common import Tx, el
from parsers.model import Delimiters, Segment, Transaction
from parsers.segments import split_segment
from tests.parsers._docfixtures import CORPUS, interchanges
from tests.parsers.test_properties import delimiters

X12 = Delimiters("*", ":", "~", "^")
EDIFACT = Delimiters("+", ":", "'", None, "?", ".")


def transactions(
    path: str, data: bytes | None = None
) -> list[tuple[str, Transaction, list[Segment]]]:
    """(standard, transaction, split segments) for every transaction of a corpus file."""
    out = []
    for ic in interchanges(path, data):
        for tx in ic.transactions:
            split = [split_segment(s, ic.delimiters) for s in tx.segments]
            out.append((str(ic.standard), tx, split))
    return out


def keys_of(path: str, index: int = 0) -> dict[str, Any]:
    standard, tx, split = transactions(path)[index]
    return extract_keys(standard, tx.type, split)


def tree_of(path: str, index: int = 0, data: bytes | None = None) -> dict[str, Any] | None:
    standard, _, split = transactions(path, data)[index]
    return build_hl_tree(standard, split)


def synthetic(text: str, d: Delimiters = X12) -> list[Segment]:
    """Split hand-written segments (for sets the corpus has no file of)."""
    return [split_segment(s.strip(), d) for s in text.split(d.segment) if s.strip()]


# ---------------------------------------------------------------------------
# supply chain, from the corpus

DUAL = "x12/staedi/src/test/resources/x12/invoice810_po850_dual.edi"


def test_850_purchase_order() -> None:
    # BEG*00*NE*S115921858*1017760*040317 ... 4 PO1 lines, CTT*4*250
    k = keys_of(DUAL, 2)
    assert k == {
        "purpose_code": "00",
        "po_type": "NE",
        "po_number": "S115921858",
        "release_number": "1017760",
        "po_date": "040317",
        "contract_number": None,
        "line_count": 4,
        "declared_line_count": "4",
    }


def test_810_invoices() -> None:
    first, second = keys_of(DUAL, 0), keys_of(DUAL, 1)
    assert (first["invoice_number"], first["invoice_date"], first["po_number"]) == (
        "00001",
        "19971211",
        "A99999-01",
    )
    assert (second["invoice_date"], second["po_number"]) == ("19971215", "A99999-04")
    assert first["total_amount"] == "255438"  # TDS01 as sent: N2, implied decimals
    assert (first["line_count"], first["declared_line_count"]) == (7, "7")
    assert (second["line_count"], second["declared_line_count"]) == (2, "2")
    assert first["po_date"] is None  # BIG03 empty


def test_855_acknowledgments() -> None:
    path = "x12/staedi/src/test/resources/x12/issue590/multi-tx-transaction-type.edi"
    got = [keys_of(path, i) for i in range(2)]
    assert [(k["po_number"], k["ack_type"], k["po_date"]) for k in got] == [
        ("ORDER1", "AC", "20260127"),
        ("ORDER2", "AC", "20260127"),
    ]


def test_214_and_210_motor_carrier() -> None:
    k214 = keys_of("x12/staedi/src/test/resources/x12/issue109/ts214_ellipses_segterm.edi")
    assert (k214["reference_id"], k214["shipment_id"], k214["scac"]) == (
        "0542550913",
        "7727019",
        "XXXX",
    )
    assert [s["code"] for s in k214["statuses"]] == ["AG", "AF"]
    assert k214["statuses"][0] == {"code": "AG", "reason": "NS", "date": "20200911", "time": "1159"}
    # line-wrapped file: N9*PO*72<CRLF>1295 is one segment once the wrap is removed
    k210 = keys_of("x12/staedi/src/test/resources/x12/issue128/ts210_80char.edi")
    assert k210["invoice_number"] == "699751522"
    assert (k210["shipment_id"], k210["payment_method"], k210["scac"]) == ("134982", "PP", "DDDD")
    assert (k210["invoice_date"], k210["amount_due"]) == ("20180914", "12417")
    assert k210["po_numbers"] == ["721295", "109483"]


# ---------------------------------------------------------------------------
# HIPAA, from the corpus


def test_837_lists_every_claim() -> None:
    path = "x12/imsweb-x12-parser/src/test/resources/837_5010/x12_many_claims.txt"
    raw = (CORPUS / path).read_text()
    expected = re.findall(r"CLM\*([^*~]+)", raw)
    assert len(expected) == 820
    got = [
        c
        for _, tx, split in transactions(path)
        for c in extract_keys("x12", tx.type, split)["claim_ids"]
    ]
    assert got == expected
    k = keys_of(path)
    assert (k["reference_id"], k["date"], k["claim_type"]) == ("0123", "19960918", "CH")
    assert k["submitter_name"] == "ANGELASZEK MEDICAL"
    assert k["receiver_name"] == "HEALTH RECEIVER"
    assert k["billing_provider_id"] == "1234567890"
    assert k["claim_count"] == len(k["claims"]) == len(k["claim_ids"])


def test_837_claims_know_their_hl() -> None:
    path = "x12/linuxforhealth-x12/src/tests/resources/837_005010X223A3/two-claims-single-provider.837i"
    k = keys_of(path)
    assert k["claim_ids"] == ["756048Q", "756049Q"]
    assert k["claims"] == [
        {"id": "756048Q", "amount": "89.95", "hl": "2"},
        {"id": "756049Q", "amount": "50.00", "hl": "3"},
    ]


def test_835_remittance() -> None:
    k = keys_of("x12/linuxforhealth-x12/demo-file/demo.835")
    assert k["payment_amount"] == "150000.00"
    assert (k["handling_code"], k["credit_debit"], k["payment_method"]) == ("C", "C", "ACH")
    assert k["payment_date"] == "20020913"
    assert (k["trace_number"], k["payer_id"]) == ("12345", "1512345678")
    assert k["payer_name"] == "INSURANCE COMPANY OF TIMBUCKTU"
    assert (k["payee_name"], k["payee_id"]) == ("REGIONAL HOPE HOSPITAL", "6543210903")
    assert k["claim_ids"] == ["666123", "777777"]
    assert k["payer_claim_ids"] == ["1999999444444", "1999999444445"]
    assert k["claims"][1] == {
        "id": "777777",
        "status": "1",
        "charge": "15000.00",
        "paid": "11980.33",
        "payer_claim_id": "1999999444445",
    }


def test_834_enrollment() -> None:
    k = keys_of("x12/linuxforhealth-x12/demo-file/demo.834")
    assert (k["reference_id"], k["date"], k["purpose_code"], k["action_code"]) == (
        "12456",
        "19980520",
        "00",
        "2",
    )
    assert (k["sponsor_id"], k["payer_id"]) == ("999888777", "654456654")
    assert k["member_ids"] == ["123456789"]
    assert k["members"] == [
        {
            "subscriber": "Y",
            "relationship": "18",
            "maintenance_type": "021",
            "subscriber_id": "123456789",
        }
    ]


def test_834_members_match_ins_and_ref_0f() -> None:
    path = "x12/pyx12/pyx12/tests/834_deident_family.txt"
    raw = (CORPUS / path).read_text()
    k = keys_of(path)
    assert k["member_count"] == raw.count("INS*") > 1
    assert k["member_ids"] == list(dict.fromkeys(re.findall(r"REF\*0F\*([^*~]+)", raw)))


def test_270_271_eligibility() -> None:
    k = keys_of("x12/linuxforhealth-x12/demo-file/demo.271")
    assert (k["reference_id"], k["purpose_code"], k["date"]) == ("10001234", "11", "20060501")
    assert k["trace_numbers"] == ["93175-012547"]
    assert k["member_ids"] == ["123456789"]
    k270 = keys_of("x12/linuxforhealth-x12/demo-file/demo.270")
    raw = (CORPUS / "x12/linuxforhealth-x12/demo-file/demo.270").read_text()
    assert k270["trace_numbers"] == re.findall(r"TRN\*\d\*([^*~]+)", raw)


def test_276_277_claim_status() -> None:
    k276 = keys_of("x12/linuxforhealth-x12/demo-file/demo.276")
    assert k276["trace_numbers"] == ["ABCXYZ1", "ABCXYZ2", "ABCXYZ3"]
    assert k276["claim_ids"] == ["SM123456", "J0234567", "MA345678"]
    k277 = keys_of("x12/linuxforhealth-x12/demo-file/demo.277")
    assert k277["reference_id"] == "277X212"
    assert k277["claim_ids"] == ["SM123456", "J0234567", "MA345678"]
    assert k277["payer_claim_ids"] == ["05347006051", "0529675341", "051681010827"]
    assert k277["status_codes"] == ["P3:317", "F0:3", "F2:88:QC", "F2:88:QC"]


def test_277ca_claims_come_from_patient_trn() -> None:
    k = keys_of("x12/imsweb-x12-parser/src/test/resources/277_5010/x12_277CA_accepted.txt")
    assert k["claim_ids"] == ["5781"]
    assert k["payer_claim_ids"] == ["1107000000014420"]
    assert k["status_codes"] == ["A1:20", "A2:20"]
    rejected = keys_of("x12/imsweb-x12-parser/src/test/resources/277_5010/x12_277CA_rejected.txt")
    assert rejected["claim_ids"] and rejected["status_codes"]


def test_999_and_997_acknowledgments() -> None:
    k = keys_of("x12/staedi/src/test/resources/x12/simple999.edi")
    assert (k["functional_id"], k["group_control"], k["group_version"]) == (
        "HC",
        "17456",
        "005010X222",
    )
    assert (k["ack_code"], k["sets_included"], k["sets_received"], k["sets_accepted"]) == (
        "P",
        "3",
        "3",
        "1",
    )
    assert k["set_controls"] == ["0001", "0002", "0003"]
    assert [a["code"] for a in k["set_acks"]] == ["A", "R", "R"]
    k997 = keys_of("x12/staedi/src/test/resources/x12/simple997.edi")
    assert k997["set_acks"] == [{"type": "837", "control": "0021", "code": "R"}]
    assert (k997["group_control"], k997["ack_code"]) == ("000001", "R")


def test_820_premium_payment() -> None:
    k = keys_of("x12/pyx12/test/files/820.loops.txt")
    assert (k["payment_amount"], k["payment_date"], k["trace_number"]) == (
        "3000",
        "20050217",
        "999999999",
    )
    assert k["remittance_refs"] == ["5038561705", "5038561800"]


def test_fallback_is_the_beginning_segment() -> None:
    k = keys_of("x12/imsweb-x12-parser/src/test/resources/813_4010/x12_813.txt")
    assert k == {"beginning_segment": "BTI", "beginning_elements": ["T6"]}


# ---------------------------------------------------------------------------
# UN/EDIFACT, from the corpus


def test_orders() -> None:
    k = keys_of("edifact/pydifact/tests/data/order.edi")
    assert k == {
        "document_code": "220",
        "order_number": "801715918011",
        "message_function": "9",
        "order_date": "201508030000",
        "delivery_date": "201508060000",
        "buyer_id": "8711576000012",
        "supplier_id": "5020436000004",
        "delivery_party_id": "8711576100019",
        "line_count": 2,
    }
    grouped = keys_of("edifact/staedi/src/test/resources/EDIFACT/orders-with-group.edi")
    assert (grouped["order_number"], grouped["order_date"]) == ("C1441747", "200105022200")
    assert (grouped["buyer_id"], grouped["supplier_id"]) == ("5400110000009", "5013546107732")


def test_invoic() -> None:
    k = keys_of("edifact/pydifact/tests/data/invoice1.edi")
    assert (k["document_code"], k["invoice_number"], k["invoice_date"]) == (
        "381",
        "1060113800026",
        "199910060000",
    )
    assert k["order_numbers"] == ["X18V00003"]
    assert (k["supplier_id"], k["buyer_id"], k["currency"], k["total_amount"]) == (
        "2002993",
        None,
        "EUR",
        "1960.29",
    )
    # D.93A, decimal comma, invoice date in DTM+3, totals in MOA+128
    old = keys_of("edifact/staedi/src/test/resources/EDIFACT/invoic_d93a_una.edi")
    assert (old["invoice_number"], old["invoice_date"]) == ("9908001", "19990802")
    assert old["order_numbers"] == ["O0010001"]
    assert old["total_amount"] == "901,78"


def test_invoic_with_other_delimiters() -> None:
    # UNA*=.? ~ : the keys do not depend on the interchange's delimiters
    a = keys_of("edifact/staedi/src/test/resources/EDIFACT/invoic_d97b.edi")
    b = keys_of("edifact/staedi/src/test/resources/EDIFACT/invoic_d97b_una.edi")
    assert a == b
    assert a["invoice_number"]


def test_aperak() -> None:
    ok = keys_of("edifact/pydifact/tests/data/messages/v3/aperak.edi")
    assert ok == {
        "document_code": "27",
        "document_number": "APERAK001",
        "message_function": "9",
        "document_date": "20250322",
        "references": [{"qualifier": "ACW", "value": "PO123456"}],
        "error_codes": ["1"],
    }
    rejected = keys_of("edifact/pydifact/tests/data/messages/v4/aperak_rejected.edi")
    assert (rejected["document_number"], rejected["message_function"], rejected["error_codes"]) == (
        "APERAK003",
        "7",
        ["12"],
    )


def test_edifact_fallbacks() -> None:
    # MEDRPT has a BGM: the generic BGM keys
    k = keys_of("edifact/pydifact/tests/data/patient1.edi")
    assert (k["document_code"], k["document_number"]) == ("012", None)
    # PNRGOV (IATA) has none: the segment after UNH
    p = keys_of("edifact/staedi/src/test/resources/EDIFACT/pnrgov.edi")
    assert p == {"beginning_segment": "MSG", "beginning_elements": [":22"]}


# ---------------------------------------------------------------------------
# sets the corpus has no file of (MANIFEST.tsv lists no 856, 860, 846, 940, 945,
# 204, 990, 865, DESADV, ORDRSP or CONTRL): hand-written segments


def test_856_ship_notice_synthetic() -> None:
    segs = synthetic(
        "ST*856*0001~BSN*00*SHIP123*20240105*1130*0001~HL*1**S~TD1*CTN*2~HL*2*1*O~PRF*PO-9~"
        "HL*3*2*P~MAN*GM*00012345~HL*4*3*I~LIN**VP*ABC~HL*5*1*O~PRF*PO-10~PRF*PO-9~SE*14*0001~"
    )
    k = extract_keys("x12", "856", segs)
    assert k == {
        "purpose_code": "00",
        "shipment_id": "SHIP123",
        "shipment_date": "20240105",
        "shipment_time": "1130",
        "hierarchy_structure": "0001",
        "po_numbers": ["PO-9", "PO-10"],
    }
    tree = build_hl_tree("x12", segs)
    assert tree is not None and tree["orphans"] == []
    (s,) = tree["roots"]
    assert (s["level"], [c["level"] for c in s["children"]]) == ("shipment", ["order", "order"])
    assert s["children"][0]["children"][0]["children"][0]["level"] == "item"


@pytest.mark.parametrize(
    ("type", "text", "expected"),
    [
        ("860", "ST*860*1~BCH*04*SA*PO1*R2*3*20240101~SE*3*1~",
         {"purpose_code": "04", "po_type": "SA", "po_number": "PO1", "release_number": "R2", "change_sequence": "3", "po_date": "20240101"}),
        ("865", "ST*865*1~BCA*01*AC*PO1**2*20240101~SE*3*1~",
         {"purpose_code": "01", "ack_type": "AC", "po_number": "PO1", "release_number": None, "change_sequence": "2", "po_date": "20240101"}),
        ("846", "ST*846*1~BIA*00*MM*INV7*20240102~LIN**UP*1~LIN**UP*2~SE*5*1~",
         {"purpose_code": "00", "report_type": "MM", "reference_id": "INV7", "date": "20240102", "line_count": 2}),
        ("940", "ST*940*1~W05*N*DO-1*PO-1~SE*3*1~",
         {"order_status": "N", "depositor_order_number": "DO-1", "po_number": "PO-1"}),
        ("945", "ST*945*1~W06*F*DO-1*20240103*SH-1*AG-1*PO-1~SE*3*1~",
         {"reporting_code": "F", "depositor_order_number": "DO-1", "ship_date": "20240103", "shipment_id": "SH-1", "agent_shipment_id": "AG-1", "po_number": "PO-1"}),
        ("204", "ST*204*1~B2**SCAC**LD-1**PP~B2A*00~SE*4*1~",
         {"purpose_code": "00", "scac": "SCAC", "shipment_id": "LD-1", "payment_method": "PP"}),
        ("990", "ST*990*1~B1*SCAC*LD-1*20240104*A~SE*3*1~",
         {"scac": "SCAC", "shipment_id": "LD-1", "date": "20240104", "action_code": "A"}),
    ],
)  # fmt: skip
def test_x12_keys_synthetic(type: str, text: str, expected: dict[str, Any]) -> None:
    assert extract_keys("x12", type, synthetic(text)) == expected


def test_edifact_keys_synthetic() -> None:
    desadv = synthetic(
        "UNH+1+DESADV:D:96A:UN'BGM+351+DES-1+9'DTM+11:20240105:102'RFF+ON:PO-1'RFF+ON:PO-2'"
        "NAD+BY+111::9'NAD+SU+222::9'NAD+DP+333::9'CPS+1'CPS+2+1+3'CPS+3+2+1'UNT+12+1'",
        EDIFACT,
    )
    k = extract_keys("edifact", "DESADV", desadv)
    assert (k["despatch_number"], k["despatch_date"], k["order_numbers"]) == (
        "DES-1",
        "20240105",
        ["PO-1", "PO-2"],
    )
    assert (k["buyer_id"], k["supplier_id"], k["delivery_party_id"]) == ("111", "222", "333")
    tree = build_hl_tree("edifact", desadv)
    assert tree is not None
    assert tree["roots"][0]["children"][0]["level"] == CPS_LEVELS["3"]
    ordrsp = synthetic(
        "UNH+1+ORDRSP:D:96A:UN'BGM+231+RSP-1+4'DTM+137:20240101:102'RFF+ON:PO-1'UNT+5+1'", EDIFACT
    )
    r = extract_keys("edifact", "ORDRSP", ordrsp)
    assert (r["response_number"], r["response_date"], r["order_numbers"]) == (
        "RSP-1",
        "20240101",
        ["PO-1"],
    )
    contrl = synthetic(
        "UNH+1+CONTRL:2:2:UN'UCI+REF1+SND:14+RCV:14+7'UCM+M1+INVOIC:D:96A:UN+4+12'UNT+4+1'", EDIFACT
    )
    c = extract_keys("edifact", "CONTRL", contrl)
    assert (c["interchange_ref"], c["sender_id"], c["action_code"]) == ("REF1", "SND", "7")
    assert c["message_acks"] == [
        {"reference": "M1", "type": "INVOIC", "action_code": "4", "error_code": "12"}
    ]


# ---------------------------------------------------------------------------
# HL trees


def shape(nodes: list[dict[str, Any]]) -> list[Any]:
    """Ids with nested children, for compact assertions."""
    return [n["id"] if not n["children"] else [n["id"], shape(n["children"])] for n in nodes]


def test_hl_tree_of_a_nested_837() -> None:
    tree = tree_of("x12/staedi/src/test/resources/x12/sample837-HL-nested.edi", 0)
    assert tree is not None
    assert tree["count"] == 18  # two bare "HL" segments and 16 numbered ones
    assert shape(tree["roots"]) == [
        "",
        "",
        ["1", [["2", ["3", "4", "5"]], "6", ["7", ["8", "9"]]]],
        "10",
        "11",
        ["12", ["13", ["14", ["15", "16"]]]],
    ]
    assert tree["orphans"] == [] and tree["duplicates"] == []
    second = tree_of("x12/staedi/src/test/resources/x12/sample837-HL-nested.edi", 1)
    assert second is not None
    assert shape(second["roots"]) == ["1", "2", "3", ["4", ["5", ["6", ["7", "8"]]]], ["9", ["10"]]]


def test_hl_tree_levels_and_segment_ranges() -> None:
    path = "x12/linuxforhealth-x12/demo-file/demo.276"
    tree = tree_of(path)
    assert tree is not None
    (source,) = tree["roots"]
    assert (source["id"], source["level_code"], source["level"], source["child_code"]) == (
        "1",
        "20",
        "information source",
        "1",
    )
    # ST=0, BHT=1, HL*1=2, NM1=3, HL*2=4: HL 1 owns [2, 4)
    assert source["segments"] == [2, 4]
    receiver = source["children"][0]
    assert receiver["level"] == "information receiver"
    providers = receiver["children"]
    assert [p["level"] for p in providers] == ["provider of service", "provider of service"]
    assert [c["level"] for c in providers[0]["children"]] == ["subscriber", "subscriber"]
    dependent = providers[1]["children"][0]["children"][0]
    assert (dependent["id"], dependent["level"], dependent["child_code"]) == (
        "8",
        "dependent",
        None,
    )
    # the last HL's own segments run to the trailer (SE excluded)
    _, tx, _ = transactions(path)[0]
    start = next(i for i, s in enumerate(tx.segments) if s.startswith("HL*8*"))
    assert dependent["segments"] == [start, len(tx.segments) - 1]
    assert tx.segments[-1].startswith("SE*")


def test_hl_level_names_cover_the_corpus() -> None:
    ca = tree_of("x12/imsweb-x12-parser/src/test/resources/277_5010/x12_277CA_accepted.txt")
    assert ca is not None
    patient = ca["roots"][0]["children"][0]["children"][0]["children"][0]
    assert (patient["level_code"], patient["level"]) == ("PT", HL_LEVELS["PT"])


def test_bad_parent_pointers_become_orphans() -> None:
    path = "x12/linuxforhealth-x12/demo-file/demo.276"
    raw = (CORPUS / path).read_bytes()
    bad = (
        raw.replace(b"HL*2*1*21*1", b"HL*2*99*21*1")  # unknown parent
        .replace(b"HL*5*3*22*0", b"HL*5*5*22*0")  # its own parent
        .replace(b"HL*3*2*19*1", b"HL*3*7*19*1")  # forward reference
    )
    tree = tree_of(path, data=bad)
    assert tree is not None
    reasons = {o["id"]: o["reason"] for o in tree["orphans"]}
    assert reasons == {"2": "unknown parent", "5": "self parent", "3": "unknown parent"}
    # orphans stay in the tree as roots and keep their own children (4 under 3, 6 under 2)
    assert shape(tree["roots"]) == ["1", ["2", [["6", [["7", ["8"]]]]]], ["3", ["4"]], "5"]
    assert tree["count"] == 8
    orjson.dumps(tree)


def test_cycles_duplicates_and_bare_hl_do_not_loop() -> None:
    segs = synthetic("ST*837*1~HL*1*2*20*1~HL*2*1*22*1~HL*2*1*22*0~HL*3*2*23*0~HL~HL*4**20~SE*8*1~")
    tree = build_hl_tree("x12", segs)
    assert tree is not None
    # 1 points forward at 2 (orphan); 2 hangs under 1; the duplicate 2 too; 3 under the latest 2
    assert shape(tree["roots"]) == [["1", ["2", ["2", ["3"]]]], "", "4"]
    assert tree["orphans"] == [{"id": "1", "parent": "2", "reason": "unknown parent", "segment": 1}]
    assert tree["duplicates"] == ["2"]
    assert build_hl_tree("x12", synthetic("ST*850*1~BEG*00*SA*1**20240101~SE*3*1~")) is None


def test_deep_chains_are_cut_and_stay_encodable() -> None:
    n = MAX_TREE_DEPTH + 100
    body = "".join(f"HL*{i}*{i - 1 if i > 1 else ''}*22*1~" for i in range(1, n + 1))
    tree = build_hl_tree("x12", synthetic(f"ST*837*1~{body}SE*{n + 2}*1~"))
    assert tree is not None
    too_deep = [o for o in tree["orphans"] if o["reason"] == "too deep"]
    assert too_deep and too_deep[0]["id"] == str(MAX_TREE_DEPTH + 1)
    depth, node = 1, tree["roots"][0]
    while node["children"]:
        depth, node = depth + 1, node["children"][0]
    assert depth <= MAX_TREE_DEPTH
    assert len(orjson.dumps(tree)) > n  # no recursion limit hit


def test_856_hl_tree_of_a_generated_ship_notice() -> None:
    # The corpus has no 856: use the project's seeded generator and read the
    # expected values back from the generated text itself.
    data, _ = generate_bytes(
        seed=7, mix="856=1", interchanges=1, transactions_per_interchange=1, lines=3
    )
    text = data.decode()
    (standard, tx, split), *_ = transactions("generated-856", data)
    assert tx.type == "856"
    k = extract_keys(standard, tx.type, split)
    bsn = re.search(r"BSN\*([^*~]*)\*([^*~]*)\*([^*~]*)", text)
    assert bsn is not None
    assert (k["purpose_code"], k["shipment_id"], k["shipment_date"]) == bsn.groups()
    assert k["po_numbers"] == list(dict.fromkeys(re.findall(r"PRF\*([^*~]+)", text)))
    tree = build_hl_tree(standard, split)
    assert tree is not None and tree["orphans"] == []
    hls = re.findall(r"HL\*([^*~]*)\*([^*~]*)\*([^*~]*)", text)
    assert tree["count"] == len(hls)
    # walk the tree and compare every node with its HL segment
    seen: dict[str, tuple[str, str]] = {}

    def walk(nodes: list[dict[str, Any]], parent: str) -> None:
        for node in nodes:
            seen[node["id"]] = (node["parent"] or "", node["level_code"])
            assert (node["parent"] or "") == parent
            assert node["level"] == HL_LEVELS[node["level_code"]]
            walk(node["children"], node["id"])

    walk(tree["roots"], "")
    assert seen == {hid: (parent, level) for hid, parent, level in hls}
    assert {lvl for _, lvl in seen.values()} >= {"S", "O", "I"}


@st.composite
def _tagged_texts(draw: Any) -> tuple[Delimiters, str, str, str]:
    """(delimiters, tag, segment text of that tag, a candidate qualifier) from a small alphabet."""
    d = draw(delimiters(edifact=draw(st.booleans())))
    tag = draw(st.sampled_from(["REF", "NM1", "ISA", "N"]))
    seps = [d.element, d.component, d.repetition or "", d.release or ""]
    alphabet = [c for c in ["0", "F", "A", *seps] if c]
    body = draw(st.text(st.sampled_from(alphabet), max_size=12))
    text = tag + (d.element + body if draw(st.booleans()) or body else "")
    value = draw(st.sampled_from(["0F", "0", "F", "A0F", "0F0"]))
    return d, tag, text, value


@given(_tagged_texts())
@settings(max_examples=400)
def test_first_is_matches_el_of_the_split_segment(case: tuple[Delimiters, str, str, str]) -> None:
    """LazySegments.first_is (the unsplit qualifier test of Tx.qualified) == el(split, 1) == q."""
    d, tag, text, value = case
    lazy = LazySegments([text], d)
    assert lazy.first_is(0, tag, value) == (el(split_segment(text, d), 1) == value)


def test_qualified_is_the_same_on_lazy_and_split_segments() -> None:
    """Tx.qualified(_positions) picks the same REF*0F / NM1*IL on a real 834 either way."""
    data, _ = generate_bytes(seed=3, mix="834=1", interchanges=1, transactions_per_interchange=1)
    (ic,) = interchanges("generated.834", data)
    tx = ic.transactions[0]
    split = [split_segment(s, ic.delimiters) for s in tx.segments]
    lazy, eager = Tx(LazySegments(tx.segments, ic.delimiters)), Tx(split)
    for tag, q in (("REF", "0F"), ("NM1", "IL"), ("INS", "Y"), ("N1", "P5")):
        assert lazy.qualified_positions(tag, q) == eager.qualified_positions(tag, q)
    assert eager.qualified_positions("REF", "0F")  # the generated 834 has subscriber refs
