"""Business keys of X12 transaction sets (supply chain, transport, HIPAA, 997/999, TA1).

One extractor per set type, looked up in :data:`X12_EXTRACTORS` by
:func:`parsers.keys.extract_keys`; the key names are listed in :mod:`parsers.keys`.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from typing import Final

from parsers.keys_common import Keys, Tx, as_text, ctt, el, field, fields, unique

# ---------------------------------------------------------------------------
# X12


def _x12_850(t: Tx) -> Keys:
    """850 Purchase Order keys (names in :mod:`parsers.keys`)."""
    k = fields(
        t.first("BEG"),
        (
            ("purpose_code", 1),
            ("po_type", 2),
            ("po_number", 3),
            ("release_number", 4),
            ("po_date", 5),
            ("contract_number", 6),
        ),
    )
    k["line_count"] = t.count("PO1")
    k["declared_line_count"] = ctt(t)
    return k


def _x12_860(t: Tx) -> Keys:
    """860 Purchase Order Change Request - Buyer Initiated keys (names in :mod:`parsers.keys`)."""
    return fields(
        t.first("BCH"),
        (
            ("purpose_code", 1),
            ("po_type", 2),
            ("po_number", 3),
            ("release_number", 4),
            ("change_sequence", 5),
            ("po_date", 6),
        ),
    )


def _x12_855(t: Tx) -> Keys:
    """855 Purchase Order Acknowledgment keys (names in :mod:`parsers.keys`)."""
    return fields(
        t.first("BAK"),
        (
            ("purpose_code", 1),
            ("ack_type", 2),
            ("po_number", 3),
            ("po_date", 4),
            ("release_number", 5),
            ("seller_order_number", 8),
            ("ack_date", 9),
        ),
    )


def _x12_865(t: Tx) -> Keys:
    """865 Purchase Order Change Acknowledgment/Request - Seller Initiated keys (names in :mod:`parsers.keys`)."""
    return fields(
        t.first("BCA"),
        (
            ("purpose_code", 1),
            ("ack_type", 2),
            ("po_number", 3),
            ("release_number", 4),
            ("change_sequence", 5),
            ("po_date", 6),
        ),
    )


def _x12_810(t: Tx) -> Keys:
    """810 Invoice keys (names in :mod:`parsers.keys`)."""
    k = fields(
        t.first("BIG"),
        (
            ("invoice_date", 1),
            ("invoice_number", 2),
            ("po_date", 3),
            ("po_number", 4),
            ("release_number", 5),
            ("transaction_type", 7),
        ),
    )
    k["total_amount"] = field(t.first("TDS"), 1)
    k["line_count"] = t.count("IT1")
    k["declared_line_count"] = ctt(t)
    return k


def _x12_856(t: Tx) -> Keys:
    """856 Ship Notice/Manifest keys (names in :mod:`parsers.keys`)."""
    k = fields(
        t.first("BSN"),
        (
            ("purpose_code", 1),
            ("shipment_id", 2),
            ("shipment_date", 3),
            ("shipment_time", 4),
            ("hierarchy_structure", 5),
        ),
    )
    k["po_numbers"] = unique([el(s, 1) for s in t.all("PRF")])
    return k


_BHT: Final = (
    ("hierarchy_structure", 1),
    ("purpose_code", 2),
    ("reference_id", 3),
    ("date", 4),
    ("time", 5),
)


def _party(t: Tx, tag: str, entity: str, i: int) -> str | None:
    """Element ``i`` of the first ``tag`` (NM1 / N1) segment whose entity code (01) is ``entity``."""
    for s in t.iter(tag):
        if el(s, 1) == entity:
            return el(s, i)
    return None


def _x12_837(t: Tx) -> Keys:
    """837 Health Care Claim keys (names in :mod:`parsers.keys`)."""
    k = fields(t.first("BHT"), (*_BHT, ("claim_type", 6)))
    k["submitter_name"] = _party(t, "NM1", "41", 3)
    k["receiver_name"] = _party(t, "NM1", "40", 3)
    k["billing_provider_id"] = _party(t, "NM1", "85", 9)
    segs = t.segs
    hls = t.positions("HL")
    claims: list[Keys] = []
    for i in t.positions("CLM"):
        s = segs[i]
        h = bisect_right(hls, i) - 1
        claims.append(
            {"id": el(s, 1), "amount": el(s, 2), "hl": el(segs[hls[h]], 1) if h >= 0 else None}
        )
    k["claim_ids"] = [c["id"] for c in claims if c["id"]]
    k["claim_count"] = len(claims)
    k["claims"] = claims
    return k


def _payment(t: Tx) -> Keys:
    """BPR and TRN keys shared by 835 and 820 payments."""
    bpr = t.first("BPR")
    trn = t.first("TRN")
    return {
        "handling_code": field(bpr, 1),
        "payment_amount": field(bpr, 2),
        "credit_debit": field(bpr, 3),
        "payment_method": field(bpr, 4),
        "payment_date": field(bpr, 16),
        "trace_number": field(trn, 2),
        "payer_id": field(trn, 3),
    }


def _x12_835(t: Tx) -> Keys:
    """835 Health Care Claim Payment/Advice keys (names in :mod:`parsers.keys`)."""
    k = _payment(t)
    k["payer_name"] = _party(t, "N1", "PR", 2)
    k["payee_name"] = _party(t, "N1", "PE", 2)
    k["payee_id"] = _party(t, "N1", "PE", 4)
    claims = [
        {
            "id": el(s, 1),
            "status": el(s, 2),
            "charge": el(s, 3),
            "paid": el(s, 4),
            "payer_claim_id": el(s, 7),
        }
        for s in t.all("CLP")
    ]
    k["claim_ids"] = [c["id"] for c in claims if c["id"]]
    k["payer_claim_ids"] = [c["payer_claim_id"] for c in claims if c["payer_claim_id"]]
    k["claims"] = claims
    return k


def _x12_820(t: Tx) -> Keys:
    """820 Payment Order/Remittance Advice keys (names in :mod:`parsers.keys`)."""
    k = _payment(t)
    del k["credit_debit"]
    k["remittance_refs"] = [v for v in (el(s, 2) for s in t.all("RMR")) if v]
    return k


def _x12_834(t: Tx) -> Keys:
    """834 Benefit Enrollment and Maintenance keys (names in :mod:`parsers.keys`)."""
    k = fields(
        t.first("BGN"),
        (("purpose_code", 1), ("reference_id", 2), ("date", 3), ("time", 4), ("action_code", 8)),
    )
    k["sponsor_id"] = _party(t, "N1", "P5", 4)
    k["payer_id"] = _party(t, "N1", "IN", 4)
    starts = t.positions("INS")
    refs = t.qualified_positions("REF", "0F")  # a member's first one after its INS: its id
    ref_ids = [v for (v,) in t.values(refs, (2,))]
    ends = [*starts[1:], len(t.tags)] if starts else []
    members: list[Keys] = []
    for i, end, (sub, rel, maint) in zip(starts, ends, t.values(starts, (1, 2, 3)), strict=True):
        r = bisect_right(refs, i)
        members.append(
            {
                "subscriber": sub,
                "relationship": rel,
                "maintenance_type": maint,
                "subscriber_id": ref_ids[r] if r < len(refs) and refs[r] < end else None,
            }
        )
    k["member_ids"] = unique([m["subscriber_id"] for m in members])
    k["member_count"] = len(members)
    k["members"] = members
    return k


def _x12_bht(t: Tx) -> Keys:
    """HIPAA BHT sets (270, 271, 278...): BHT keys, TRN02 trace numbers, NM1*IL member ids."""
    k = fields(t.first("BHT"), _BHT)
    k["trace_numbers"] = [v for v in (el(s, 2) for s in t.all("TRN")) if v]
    k["member_ids"] = unique([el(s, 9) for s in t.qualified("NM1", "IL")])
    return k


def _x12_276(t: Tx) -> Keys:
    """276 Health Care Claim Status Request keys (names in :mod:`parsers.keys`)."""
    k = _x12_bht(t)
    k["claim_ids"] = unique([el(s, 2) for s in t.qualified("REF", "EJ")])
    k["payer_claim_ids"] = unique([el(s, 2) for s in t.qualified("REF", "1K")])
    return k


def _x12_277(t: Tx) -> Keys:
    """277 Health Care Information Status Notification keys (names in :mod:`parsers.keys`)."""
    k = _x12_276(t)
    if field(t.first("BHT"), 6) == "TH":  # 277CA (X214): claims are the PT loops' TRN02
        segs = t.segs
        hls = t.positions("HL")
        trns = t.positions("TRN")
        ids: list[str | None] = []
        for n, i in enumerate(hls):
            if el(segs[i], 3) != "PT":
                continue
            end = hls[n + 1] if n + 1 < len(hls) else len(segs)
            r = bisect_right(trns, i)
            if r < len(trns) and trns[r] < end:
                ids.append(el(segs[trns[r]], 2))
        k["claim_ids"] = unique(ids)
    k["status_codes"] = [as_text(s[1]) for s in t.all("STC") if len(s) > 1 and s[1]]
    return k


def _x12_ack(t: Tx, set_status_tag: str) -> Keys:
    """997 / 999 keys: AK1, AK9 and each set's AK2 with its AK5 / IK5 (``set_status_tag``)."""
    k = fields(t.first("AK1"), (("functional_id", 1), ("group_control", 2), ("group_version", 3)))
    k.update(
        fields(
            t.first("AK9"),
            (("ack_code", 1), ("sets_included", 2), ("sets_received", 3), ("sets_accepted", 4)),
        )
    )
    segs = t.segs
    starts = t.positions("AK2")
    statuses = t.positions(set_status_tag)
    acks: list[Keys] = []
    for n, i in enumerate(starts):
        s = segs[i]
        end = starts[n + 1] if n + 1 < len(starts) else len(segs)
        r = bisect_right(statuses, i)
        status = segs[statuses[r]] if r < len(statuses) and statuses[r] < end else None
        acks.append({"type": el(s, 1), "control": el(s, 2), "code": field(status, 1)})
    k["set_controls"] = [a["control"] for a in acks if a["control"]]
    k["set_acks"] = acks
    return k


def _x12_997(t: Tx) -> Keys:
    """997 Functional Acknowledgment keys (names in :mod:`parsers.keys`)."""
    return _x12_ack(t, "AK5")


def _x12_999(t: Tx) -> Keys:
    """999 Implementation Acknowledgment keys (names in :mod:`parsers.keys`)."""
    return _x12_ack(t, "IK5")


def _x12_846(t: Tx) -> Keys:
    """846 Inventory Inquiry/Advice keys (names in :mod:`parsers.keys`)."""
    k = fields(
        t.first("BIA"),
        (("purpose_code", 1), ("report_type", 2), ("reference_id", 3), ("date", 4)),
    )
    k["line_count"] = t.count("LIN")
    return k


def _x12_940(t: Tx) -> Keys:
    """940 Warehouse Shipping Order keys (names in :mod:`parsers.keys`)."""
    return fields(
        t.first("W05"),
        (("order_status", 1), ("depositor_order_number", 2), ("po_number", 3)),
    )


def _x12_945(t: Tx) -> Keys:
    """945 Warehouse Shipping Advice keys (names in :mod:`parsers.keys`)."""
    return fields(
        t.first("W06"),
        (
            ("reporting_code", 1),
            ("depositor_order_number", 2),
            ("ship_date", 3),
            ("shipment_id", 4),
            ("agent_shipment_id", 5),
            ("po_number", 6),
        ),
    )


def _x12_204(t: Tx) -> Keys:
    """204 Motor Carrier Load Tender keys (names in :mod:`parsers.keys`)."""
    k = {"purpose_code": field(t.first("B2A"), 1)}
    k.update(fields(t.first("B2"), (("scac", 2), ("shipment_id", 4), ("payment_method", 6))))
    return k


def _x12_214(t: Tx) -> Keys:
    """214 Transportation Carrier Shipment Status Message keys (names in :mod:`parsers.keys`)."""
    k = fields(t.first("B10"), (("reference_id", 1), ("shipment_id", 2), ("scac", 3)))
    k["statuses"] = [
        {"code": el(s, 1), "reason": el(s, 2), "date": el(s, 5), "time": el(s, 6)}
        for s in t.all("AT7")
    ]
    return k


def _x12_210(t: Tx) -> Keys:
    """210 Motor Carrier Freight Details and Invoice keys (names in :mod:`parsers.keys`)."""
    k = fields(
        t.first("B3"),
        (
            ("invoice_number", 2),
            ("shipment_id", 3),
            ("payment_method", 4),
            ("invoice_date", 6),
            ("amount_due", 7),
            ("delivery_date", 9),
            ("scac", 11),
        ),
    )
    k["po_numbers"] = unique([el(s, 2) for s in t.qualified("N9", "PO")])
    return k


def _x12_990(t: Tx) -> Keys:
    """990 Response to a Load Tender keys (names in :mod:`parsers.keys`)."""
    return fields(t.first("B1"), (("scac", 1), ("shipment_id", 2), ("date", 3), ("action_code", 4)))


def _x12_ta1(t: Tx) -> Keys:
    """ta1 X12 ta1 keys (names in :mod:`parsers.keys`)."""
    return fields(
        t.first("TA1"),
        (
            ("interchange_control", 1),
            ("date", 2),
            ("time", 3),
            ("ack_code", 4),
            ("note_code", 5),
        ),
    )


X12_EXTRACTORS: Final[dict[str, Callable[[Tx], Keys]]] = {
    "850": _x12_850,
    "860": _x12_860,
    "855": _x12_855,
    "865": _x12_865,
    "810": _x12_810,
    "856": _x12_856,
    "837": _x12_837,
    "835": _x12_835,
    "834": _x12_834,
    "270": _x12_bht,
    "271": _x12_bht,
    "278": _x12_bht,
    "276": _x12_276,
    "277": _x12_277,
    "997": _x12_997,
    "999": _x12_999,
    "820": _x12_820,
    "846": _x12_846,
    "940": _x12_940,
    "945": _x12_945,
    "204": _x12_204,
    "214": _x12_214,
    "210": _x12_210,
    "990": _x12_990,
    "TA1": _x12_ta1,
}
