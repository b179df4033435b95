"""Business keys of a transaction set / message, and the HL (or CPS) hierarchy as a tree.

Agents route, filter and join on these keys without reading segments. Input is
the transaction's *split* segments (``[tag, element, ...]``, header and trailer
included, as :func:`parsers.segments.split_segment` returns them). Element
values are strings exactly as sent: no trimming of padding, no date or amount
parsing (amounts keep the interchange's decimal mark; X12 ``N2`` amounts such as
TDS01 keep their implied decimals). A missing or empty element is ``None``; list
keys are always present (possibly empty). Composite values that are kept whole
(STC01, the fallback's elements) are rendered with ``:`` between components and
``^`` between repetitions, whatever the interchange's own delimiters.

Key names per type (stable; add, never rename):

X12
  850  purpose_code BEG01, po_type BEG02, po_number BEG03, release_number BEG04,
       po_date BEG05, contract_number BEG06, line_count (PO1 count),
       declared_line_count CTT01
  860  purpose_code BCH01, po_type BCH02, po_number BCH03, release_number BCH04,
       change_sequence BCH05, po_date BCH06
  855  purpose_code BAK01, ack_type BAK02, po_number BAK03, po_date BAK04,
       release_number BAK05, seller_order_number BAK08, ack_date BAK09
  865  purpose_code BCA01, ack_type BCA02, po_number BCA03, release_number BCA04,
       change_sequence BCA05, po_date BCA06
  810  invoice_date BIG01, invoice_number BIG02, po_date BIG03, po_number BIG04,
       release_number BIG05, transaction_type BIG07, total_amount TDS01,
       line_count (IT1 count), declared_line_count CTT01
  856  purpose_code BSN01, shipment_id BSN02, shipment_date BSN03, shipment_time BSN04,
       hierarchy_structure BSN05, po_numbers [PRF01...]
  837  hierarchy_structure BHT01, purpose_code BHT02, reference_id BHT03, date BHT04,
       time BHT05, claim_type BHT06, submitter_name NM1*41 NM103, receiver_name
       NM1*40 NM103, billing_provider_id NM1*85 NM109, claim_ids [CLM01...],
       claim_count, claims [{id CLM01, amount CLM02, hl: enclosing HL01}]
  835  handling_code BPR01, payment_amount BPR02, credit_debit BPR03, payment_method
       BPR04, payment_date BPR16, trace_number TRN02, payer_id TRN03, payer_name
       N1*PR N102, payee_name N1*PE N102, payee_id N1*PE N104, claim_ids [CLP01...],
       payer_claim_ids [CLP07...], claims [{id, status CLP02, charge CLP03,
       paid CLP04, payer_claim_id CLP07}]
  834  purpose_code BGN01, reference_id BGN02, date BGN03, time BGN04, action_code
       BGN08, sponsor_id N1*P5 N104, payer_id N1*IN N104, member_ids [REF*0F per INS
       loop, first occurrence order, unique], member_count (INS count), members
       [{subscriber INS01, relationship INS02, maintenance_type INS03,
       subscriber_id REF*0F of the loop}]
  270 271 276 277 278 (HIPAA BHT sets)
       hierarchy_structure BHT01, purpose_code BHT02, reference_id BHT03, date BHT04,
       time BHT05, trace_numbers [TRN02...], member_ids [NM1*IL NM109...]
  276 277 add  claim_ids [REF*EJ...] (patient control numbers = 837 CLM01; in a
       277CA, BHT06 = TH, the TRN02 of each PT-level HL), payer_claim_ids
       [REF*1K...]; 277 adds status_codes [STC01...]
  997 999  functional_id AK101, group_control AK102, group_version AK103, ack_code
       AK901, sets_included AK902, sets_received AK903, sets_accepted AK904,
       set_controls [AK202...], set_acks [{type AK201, control AK202,
       code AK501 / IK501}]
  820  handling_code BPR01, payment_amount BPR02, payment_method BPR04, payment_date
       BPR16, trace_number TRN02, payer_id TRN03, remittance_refs [RMR02...]
  846  purpose_code BIA01, report_type BIA02, reference_id BIA03, date BIA04,
       line_count (LIN count)
  940  order_status W0501, depositor_order_number W0502, po_number W0503
  945  reporting_code W0601, depositor_order_number W0602, ship_date W0603,
       shipment_id W0604, agent_shipment_id W0605, po_number W0606
  204  purpose_code B2A01, scac B202, shipment_id B204, payment_method B206
  214  reference_id B1001, shipment_id B1002, scac B1003, statuses [{code AT701,
       reason AT702, date AT705, time AT706}]
  210  invoice_number B302, shipment_id B303, payment_method B304, invoice_date B306,
       amount_due B307, delivery_date B309, scac B311, po_numbers [N9*PO N902...]
  990  scac B101, shipment_id B102, date B103, action_code B104
  TA1  interchange_control TA101, date TA102, time TA103, ack_code TA104, note_code TA105
  other  beginning_segment (tag of the segment after ST), beginning_elements [...]

UN/EDIFACT (BGM01 = document name code C002/1001, BGM02 = document number C106/1004
or simple 1004 before D.96, BGM03 = message function 1225; DTM values are C507/2380)
  ORDERS ORDCHG  document_code, order_number BGM02, message_function, order_date
       DTM+137, delivery_date DTM+2, buyer_id NAD+BY, supplier_id NAD+SU,
       delivery_party_id NAD+DP, line_count (LIN count)
  ORDRSP  document_code, response_number BGM02, message_function, response_date
       DTM+137, order_numbers [RFF+ON...], buyer_id, supplier_id
  INVOIC  document_code, invoice_number BGM02, message_function, invoice_date DTM+137
       (else DTM+3), order_numbers [RFF+ON...], buyer_id NAD+BY, supplier_id NAD+SU
       (else NAD+SE), currency CUX C504/6345, total_amount first of MOA+77/86/39/128
  DESADV  document_code, despatch_number BGM02, message_function, despatch_date
       DTM+137 (else DTM+11), order_numbers [RFF+ON...], buyer_id, supplier_id,
       delivery_party_id NAD+DP
  CONTRL  interchange_ref UCI01, sender_id UCI02, recipient_id UCI03, action_code
       UCI04, message_acks [{reference UCM01, type UCM02, action_code UCM03,
       error_code UCM04}]
  APERAK  document_code, document_number, message_function, document_date DTM+137,
       references [{qualifier, value} per RFF], error_codes [ERC01...]
  other with BGM  document_code, document_number, message_function, document_date
  other  beginning_segment, beginning_elements (segment after UNH)

Party ids (NAD C082/3039) are the first component of NAD02.

Layout: the extractors are in :mod:`parsers.keys_x12` and :mod:`parsers.keys_edifact`,
their shared element access in :mod:`parsers.keys_common`; this module dispatches
(:func:`extract_keys`) and builds the HL / CPS tree (:func:`build_hl_tree`).
"""

from __future__ import annotations

from typing import Final

import orjson

from parsers.keys_common import TRAILERS, Keys, Segs, Tx, beginning
from parsers.keys_edifact import EDIFACT_EXTRACTORS, edifact_generic
from parsers.keys_x12 import X12_EXTRACTORS


def extract_keys(standard: str, type: str, segments: Segs, tags: list[str] | None = None) -> Keys:
    """The business keys of one transaction (see the module docstring for the names).

    ``tags`` (each segment's tag, in order) may be passed when the caller has them.
    """
    t = Tx(segments, tags)
    if standard == "x12":
        return X12_EXTRACTORS.get(type, beginning)(t)
    return EDIFACT_EXTRACTORS.get(type, edifact_generic)(t)


def encoded_keys(
    standard: str, type: str, segments: Segs, tags: list[str] | None = None
) -> Keys | orjson.Fragment:
    """:func:`extract_keys` for ``orjson.dumps``: the core's JSON of them when it writes them.

    ``segments`` offering ``keys_json`` (``parsers.core_documents.LazySegments``) may give
    the keys' JSON bytes (an ``orjson.Fragment``, the same bytes) without building them.
    """
    write = getattr(segments, "keys_json", None)
    got = None if write is None else write(standard == "x12", type)
    return orjson.Fragment(got) if got is not None else extract_keys(standard, type, segments, tags)


# ---------------------------------------------------------------------------
# HL / CPS hierarchy

# X12 data element 735 (Hierarchical Level Code): the codes in common use.
HL_LEVELS: Final[dict[str, str]] = {
    "0": "region",
    "1": "service/billing provider",
    "2": "billing arrangement",
    "3": "sub-billing arrangement",
    "4": "group",
    "5": "category",
    "6": "sub-category",
    "7": "type",
    "8": "charge detail",
    "9": "line detail",
    "19": "provider of service",
    "20": "information source",
    "21": "information receiver",
    "22": "subscriber",
    "23": "dependent",
    "35": "company/corporation",
    "36": "operating unit",
    "AT": "account",
    "CH": "contractholder",
    "CV": "coverage, rider, or supplementary benefit",
    "E": "transportation equipment",
    "EV": "event",
    "F": "component",
    "I": "item",
    "IB": "contract",
    "JU": "jurisdiction",
    "K": "kit",
    "O": "order",
    "P": "pack",
    "PR": "principal",
    "PT": "patient",
    "PY": "payment detail",
    "Q": "subpack",
    "S": "shipment",
    "SS": "services",
    "T": "shipping tare",
    "V": "address information",
    "X": "serial number",
}

# UN/EDIFACT data element 7075 (Packaging level code), CPS03 in DESADV.
CPS_LEVELS: Final[dict[str, str]] = {
    "1": "inner",
    "2": "intermediate",
    "3": "outer",
    "4": "no packaging hierarchy",
}

# Deepest nesting kept in the tree. Real HL structures are < 10 deep; the cap keeps
# a hostile chain (each HL the child of the previous) from exceeding the JSON
# encoder's nesting limit. Deeper nodes are detached to the roots and reported.
MAX_TREE_DEPTH: Final = 64

_TREE_TAGS: Final = {"x12": ("HL", HL_LEVELS), "edifact": ("CPS", CPS_LEVELS)}


def _tree_segments(standard: str, t: Tx) -> tuple[list[int], int, dict[str, str]]:
    """The HL / CPS indexes of ``t``, where its last node ends (the trailer) and the level names."""
    tag, levels = _TREE_TAGS["x12" if standard == "x12" else "edifact"]
    tags = t.tags
    n = len(tags)
    return t.positions(tag), n - 1 if n and tags[-1] in TRAILERS else n, levels


def build_hl_tree(standard: str, segments: Segs, tags: list[str] | None = None) -> Keys | None:
    """The HL (X12) or CPS (EDIFACT) hierarchy as a tree; None when there is none.

    Returns ``{"count", "roots": [node...], "orphans": [...], "duplicates": [...]}``
    with nodes ``{id, parent, level_code, level, child_code, segments: [start, end),
    children}``. ``segments`` are indexes into the transaction's segments (header =
    0) covering the node's own segments, up to the next HL/CPS or the trailer. A
    node may only attach to a node seen before it, so cycles are impossible; one
    whose parent is unknown, itself, or too deep is kept as a root and listed in
    ``orphans`` with the reason. A repeated id is listed in ``duplicates``; later
    children attach to its latest occurrence.
    """
    t = Tx(segments, tags)
    starts, body_end, levels = _tree_segments(standard, t)
    if not starts:
        return None
    nodes: dict[str, tuple[Keys, int]] = {}
    roots: list[Keys] = []
    orphans: list[Keys] = []
    duplicates: list[str] = []
    ends = [*starts[1:], body_end]
    rows = t.values(starts, (1, 2, 3, 4))
    for i, end, (hid_, parent, code, child) in zip(starts, ends, rows, strict=True):
        hid = hid_ or ""
        node: Keys = {
            "id": hid,
            "parent": parent,
            "level_code": code,
            "level": levels.get(code) if code else None,
            "child_code": child,
            "segments": [i, max(end, i + 1)],
            "children": [],
        }
        depth = 1
        reason: str | None = None
        if parent is not None:
            found = nodes.get(parent)
            if parent == hid:
                reason = "self parent"
            elif found is None:
                reason = "unknown parent"
            elif found[1] >= MAX_TREE_DEPTH:
                reason = "too deep"
            else:
                found[0]["children"].append(node)
                depth = found[1] + 1
        if parent is None or reason is not None:
            roots.append(node)
        if reason is not None:
            orphans.append({"id": hid, "parent": parent, "reason": reason, "segment": i})
        if hid:
            if hid in nodes:
                duplicates.append(hid)
            nodes[hid] = (node, depth)
    return {"count": len(starts), "roots": roots, "orphans": orphans, "duplicates": duplicates}


def encoded_hl_tree(
    standard: str, segments: Segs, tags: list[str] | None = None
) -> Keys | orjson.Fragment | None:
    """:func:`build_hl_tree` for ``orjson.dumps``: the core's JSON of it when it writes it.

    ``segments`` offering ``hl_json`` (``parsers.core_documents.LazySegments``) may give
    the tree's JSON bytes (an ``orjson.Fragment``, the same bytes) without building it.
    """
    write = getattr(segments, "hl_json", None)
    if write is None:
        return build_hl_tree(standard, segments, tags)
    starts, body_end, levels = _tree_segments(standard, Tx(segments, tags))
    if not starts:
        return None
    got = write(starts, body_end, levels, MAX_TREE_DEPTH)
    return orjson.Fragment(got) if got is not None else build_hl_tree(standard, segments, tags)


__all__ = [
    "CPS_LEVELS",
    "HL_LEVELS",
    "MAX_TREE_DEPTH",
    "build_hl_tree",
    "encoded_hl_tree",
    "encoded_keys",
    "extract_keys",
]
