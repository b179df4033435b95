"""Business keys of X12 transaction sets (supply chain, transport, HIPAA, 997/999, TA1).

One extractor per set type, looked up in :data:`X12_EXTRACTORS` by
:func:`parsers.keys.extract_keys`; the key names are listed in :mod:`parsers.keys`.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from typing import Final

from parsers.keys_common import Keys, Tx, as_text, ctt, unique

# ---------------------------------------------------------------------------
# X12


def _x12_850(t: Tx) -> Keys:
    """850 Purchase Order keys (names in :mod:`parsers.keys`)."""
    k = t.fields(
        "BEG",
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
    return t.fields(
        "BCH",
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
    return t.fields(
        "BAK",
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
    return t.fields(
        "BCA",
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
    k = t.fields(
        "BIG",
        (
            ("invoice_date", 1),
            ("invoice_number", 2),
            ("po_date", 3),
            ("po_number", 4),
            ("release_number", 5),
            ("transaction_type", 7),
        ),
    )
    k["total_amount"] = t.field("TDS", 1)
    k["line_count"] = t.count("IT1")
    k["declared_line_count"] = ctt(t)
    return k


def _x12_856(t: Tx) -> Keys:
    """856 Ship Notice/Manifest keys (names in :mod:`parsers.keys`)."""
    k = t.fields(
        "BSN",
        (
            ("purpose_code", 1),
            ("shipment_id", 2),
            ("shipment_date", 3),
            ("shipment_time", 4),
            ("hierarchy_structure", 5),
        ),
    )
    k["po_numbers"] = unique([v for (v,) in t.column("PRF", (1,))])
    return k


_BHT: Final = (
    ("hierarchy_structure", 1),
    ("purpose_code", 2),
    ("reference_id", 3),
    ("date", 4),
    ("time", 5),
)


def _party(rows: list[tuple[str | None, ...]], entity: str, k: int) -> str | None:
    """Value ``k`` of the first row (a ``column`` of NM1 / N1, entity code 01 first) of ``entity``."""
    for r in rows:
        if r[0] == entity:
            return r[k]
    return None


def _x12_837(t: Tx) -> Keys:
    """837 Health Care Claim keys (names in :mod:`parsers.keys`)."""
    k = t.fields("BHT", (*_BHT, ("claim_type", 6)))
    nm1 = t.column("NM1", (1, 3, 9))
    k["submitter_name"] = _party(nm1, "41", 1)
    k["receiver_name"] = _party(nm1, "40", 1)
    k["billing_provider_id"] = _party(nm1, "85", 2)
    clms = t.positions("CLM")
    hls = t.positions("HL") if clms else []
    hl_ids = [v for (v,) in t.values(hls, (1,))]
    claims: list[Keys] = []
    for i, (cid, amount) in zip(clms, t.values(clms, (1, 2)), strict=True):
        h = bisect_right(hls, i) - 1
        claims.append({"id": cid, "amount": amount, "hl": hl_ids[h] if h >= 0 else None})
    k["claim_ids"] = [c["id"] for c in claims if c["id"]]
    k["claim_count"] = len(claims)
    k["claims"] = claims
    return k


def _payment(t: Tx) -> Keys:
    """BPR and TRN keys shared by 835 and 820 payments."""
    k = t.fields(
        "BPR",
        (
            ("handling_code", 1),
            ("payment_amount", 2),
            ("credit_debit", 3),
            ("payment_method", 4),
            ("payment_date", 16),
        ),
    )
    k.update(t.fields("TRN", (("trace_number", 2), ("payer_id", 3))))
    return k


def _x12_835(t: Tx) -> Keys:
    """835 Health Care Claim Payment/Advice keys (names in :mod:`parsers.keys`)."""
    k = _payment(t)
    n1 = t.column("N1", (1, 2, 4))
    k["payer_name"] = _party(n1, "PR", 1)
    k["payee_name"] = _party(n1, "PE", 1)
    k["payee_id"] = _party(n1, "PE", 2)
    claims = [
        {"id": c, "status": st, "charge": ch, "paid": pd, "payer_claim_id": pc}
        for c, st, ch, pd, pc in t.column("CLP", (1, 2, 3, 4, 7))
    ]
    k["claim_ids"] = [c["id"] for c in claims if c["id"]]
    k["payer_claim_ids"] = [c["payer_claim_id"] for c in claims if c["payer_claim_id"]]
    k["claims"] = claims
    return k


def _x12_820(t: Tx) -> Keys:
    """820 Payment Order/Remittance Advice keys (names in :mod:`parsers.keys`)."""
    k = _payment(t)
    del k["credit_debit"]
    k["remittance_refs"] = [v for (v,) in t.column("RMR", (2,)) if v]
    return k


def _x12_834(t: Tx) -> Keys:
    """834 Benefit Enrollment and Maintenance keys (names in :mod:`parsers.keys`)."""
    k = t.fields(
        "BGN",
        (("purpose_code", 1), ("reference_id", 2), ("date", 3), ("time", 4), ("action_code", 8)),
    )
    n1 = t.column("N1", (1, 4))
    k["sponsor_id"] = _party(n1, "P5", 1)
    k["payer_id"] = _party(n1, "IN", 1)
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
    k = t.fields("BHT", _BHT)
    k["trace_numbers"] = [v for (v,) in t.column("TRN", (2,)) if v]
    k["member_ids"] = unique([v for q, v in t.column("NM1", (1, 9)) if q == "IL"])
    return k


def _x12_276(t: Tx) -> Keys:
    """276 Health Care Claim Status Request keys (names in :mod:`parsers.keys`)."""
    k = _x12_bht(t)
    refs = t.column("REF", (1, 2))
    k["claim_ids"] = unique([v for q, v in refs if q == "EJ"])
    k["payer_claim_ids"] = unique([v for q, v in refs if q == "1K"])
    return k


def _x12_277(t: Tx) -> Keys:
    """277 Health Care Information Status Notification keys (names in :mod:`parsers.keys`)."""
    k = _x12_276(t)
    if t.field("BHT", 6) == "TH":  # 277CA (X214): claims are the PT loops' TRN02
        hls = t.positions("HL")
        trns = t.positions("TRN")
        trn02 = [v for (v,) in t.values(trns, (2,))]
        ids: list[str | None] = []
        for n, (i, (level,)) in enumerate(zip(hls, t.values(hls, (3,)), strict=True)):
            if level != "PT":
                continue
            end = hls[n + 1] if n + 1 < len(hls) else len(t.tags)
            r = bisect_right(trns, i)
            if r < len(trns) and trns[r] < end:
                ids.append(trn02[r])
        k["claim_ids"] = unique(ids)
    k["status_codes"] = [as_text(s[1]) for s in t.all("STC") if len(s) > 1 and s[1]]
    return k


def _x12_ack(t: Tx, set_status_tag: str) -> Keys:
    """997 / 999 keys: AK1, AK9 and each set's AK2 with its AK5 / IK5 (``set_status_tag``)."""
    k = t.fields("AK1", (("functional_id", 1), ("group_control", 2), ("group_version", 3)))
    k.update(
        t.fields(
            "AK9",
            (("ack_code", 1), ("sets_included", 2), ("sets_received", 3), ("sets_accepted", 4)),
        )
    )
    starts = t.positions("AK2")
    statuses = t.positions(set_status_tag)
    codes = [v for (v,) in t.values(statuses, (1,))]
    acks: list[Keys] = []
    for n, (i, (type_, control)) in enumerate(zip(starts, t.values(starts, (1, 2)), strict=True)):
        end = starts[n + 1] if n + 1 < len(starts) else len(t.tags)
        r = bisect_right(statuses, i)
        code = codes[r] if r < len(statuses) and statuses[r] < end else None
        acks.append({"type": type_, "control": control, "code": code})
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
    k = t.fields(
        "BIA",
        (("purpose_code", 1), ("report_type", 2), ("reference_id", 3), ("date", 4)),
    )
    k["line_count"] = t.count("LIN")
    return k


def _x12_940(t: Tx) -> Keys:
    """940 Warehouse Shipping Order keys (names in :mod:`parsers.keys`)."""
    return t.fields(
        "W05",
        (("order_status", 1), ("depositor_order_number", 2), ("po_number", 3)),
    )


def _x12_945(t: Tx) -> Keys:
    """945 Warehouse Shipping Advice keys (names in :mod:`parsers.keys`)."""
    return t.fields(
        "W06",
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
    k = {"purpose_code": t.field("B2A", 1)}
    k.update(t.fields("B2", (("scac", 2), ("shipment_id", 4), ("payment_method", 6))))
    return k


def _x12_214(t: Tx) -> Keys:
    """214 Transportation Carrier Shipment Status Message keys (names in :mod:`parsers.keys`)."""
    k = t.fields("B10", (("reference_id", 1), ("shipment_id", 2), ("scac", 3)))
    k["statuses"] = [
        {"code": c, "reason": r, "date": d, "time": tm}
        for c, r, d, tm in t.column("AT7", (1, 2, 5, 6))
    ]
    return k


def _x12_210(t: Tx) -> Keys:
    """210 Motor Carrier Freight Details and Invoice keys (names in :mod:`parsers.keys`)."""
    k = t.fields(
        "B3",
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
    k["po_numbers"] = unique([v for q, v in t.column("N9", (1, 2)) if q == "PO"])
    return k


def _x12_990(t: Tx) -> Keys:
    """990 Response to a Load Tender keys (names in :mod:`parsers.keys`)."""
    return t.fields("B1", (("scac", 1), ("shipment_id", 2), ("date", 3), ("action_code", 4)))


def _x12_ta1(t: Tx) -> Keys:
    """ta1 X12 ta1 keys (names in :mod:`parsers.keys`)."""
    return t.fields(
        "TA1",
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
