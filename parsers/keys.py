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
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Final

from parsers.model import Element, Segment

__all__ = [
    "CPS_LEVELS",
    "HL_LEVELS",
    "MAX_TREE_DEPTH",
    "build_hl_tree",
    "extract_keys",
]

Keys = dict[str, Any]
Segs = Sequence[Segment]

# ---------------------------------------------------------------------------
# element access


def _el(seg: Segment, i: int) -> str | None:
    """Element ``i`` (1-based) as a string: a composite's first component; None if empty."""
    if i >= len(seg):
        return None
    v = seg[i]
    if not isinstance(v, str):
        v = v[0] if v else ""
        if not isinstance(v, str):  # repetition: first component of the first repeat
            v = v[0] if v else ""
    return v or None


def _comp(seg: Segment, i: int, j: int) -> str | None:
    """Component ``j`` (1-based) of element ``i``; a simple element is its own component 1."""
    if i >= len(seg):
        return None
    v = seg[i]
    if isinstance(v, str):
        return (v or None) if j == 1 else None
    if v and not isinstance(v[0], str):
        v = v[0]
    if j > len(v):
        return None
    c = v[j - 1]
    return c if isinstance(c, str) and c else None


def _text(v: Element) -> str:
    """An element as one string: components joined by ``:``, repetitions by ``^``."""
    if isinstance(v, str):
        return v
    if v and not isinstance(v[0], str):
        return "^".join(":".join(r) for r in v)  # type: ignore[arg-type]
    return ":".join(v)  # type: ignore[arg-type]


class _Tx:
    """A transaction's split segments plus their tags, for C-speed tag searches."""

    __slots__ = ("segs", "tags")

    def __init__(self, segs: Segs, tags: list[str] | None = None) -> None:
        self.segs = segs
        self.tags: list[str] = [s[0] for s in segs] if tags is None else tags  # type: ignore[misc]

    def positions(self, tag: str) -> list[int]:
        """Indexes of the segments with this tag (list.index does the scanning)."""
        tags = self.tags
        out: list[int] = []
        i = -1
        try:
            while True:
                i = tags.index(tag, i + 1)
                out.append(i)
        except ValueError:
            return out

    def iter(self, tag: str) -> Iterator[Segment]:
        """The segments with this tag, lazily (for searches that stop at the first match)."""
        tags, segs = self.tags, self.segs
        i = -1
        while True:
            try:
                i = tags.index(tag, i + 1)
            except ValueError:
                return
            yield segs[i]

    def first(self, tag: str) -> Segment | None:
        try:
            return self.segs[self.tags.index(tag)]
        except ValueError:
            return None

    def all(self, tag: str) -> list[Segment]:
        segs = self.segs
        return [segs[i] for i in self.positions(tag)]

    def count(self, tag: str) -> int:
        return self.tags.count(tag)

    def qualified(self, tag: str, qualifier: str) -> list[Segment]:
        """Segments ``tag`` whose first element (or its first component) is ``qualifier``."""
        return [s for s in self.all(tag) if _el(s, 1) == qualifier]


def _unique(values: list[str | None]) -> list[str]:
    """Non-empty values, first occurrence order, duplicates dropped."""
    return list(dict.fromkeys(v for v in values if v))


def _field(seg: Segment | None, i: int) -> str | None:
    return None if seg is None else _el(seg, i)


def _fields(seg: Segment | None, spec: Sequence[tuple[str, int]]) -> Keys:
    return {name: _field(seg, i) for name, i in spec}


def _ctt(t: _Tx) -> str | None:
    return _field(t.first("CTT"), 1)


# ---------------------------------------------------------------------------
# X12


def _x12_850(t: _Tx) -> Keys:
    k = _fields(
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
    k["declared_line_count"] = _ctt(t)
    return k


def _x12_860(t: _Tx) -> Keys:
    return _fields(
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


def _x12_855(t: _Tx) -> Keys:
    return _fields(
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


def _x12_865(t: _Tx) -> Keys:
    return _fields(
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


def _x12_810(t: _Tx) -> Keys:
    k = _fields(
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
    k["total_amount"] = _field(t.first("TDS"), 1)
    k["line_count"] = t.count("IT1")
    k["declared_line_count"] = _ctt(t)
    return k


def _x12_856(t: _Tx) -> Keys:
    k = _fields(
        t.first("BSN"),
        (
            ("purpose_code", 1),
            ("shipment_id", 2),
            ("shipment_date", 3),
            ("shipment_time", 4),
            ("hierarchy_structure", 5),
        ),
    )
    k["po_numbers"] = _unique([_el(s, 1) for s in t.all("PRF")])
    return k


_BHT: Final = (
    ("hierarchy_structure", 1),
    ("purpose_code", 2),
    ("reference_id", 3),
    ("date", 4),
    ("time", 5),
)


def _nm1(t: _Tx, entity: str, i: int) -> str | None:
    for s in t.iter("NM1"):
        if _el(s, 1) == entity:
            return _el(s, i)
    return None


def _x12_837(t: _Tx) -> Keys:
    k = _fields(t.first("BHT"), (*_BHT, ("claim_type", 6)))
    k["submitter_name"] = _nm1(t, "41", 3)
    k["receiver_name"] = _nm1(t, "40", 3)
    k["billing_provider_id"] = _nm1(t, "85", 9)
    segs = t.segs
    hls = t.positions("HL")
    claims: list[Keys] = []
    for i in t.positions("CLM"):
        s = segs[i]
        h = bisect_right(hls, i) - 1
        claims.append(
            {"id": _el(s, 1), "amount": _el(s, 2), "hl": _el(segs[hls[h]], 1) if h >= 0 else None}
        )
    k["claim_ids"] = [c["id"] for c in claims if c["id"]]
    k["claim_count"] = len(claims)
    k["claims"] = claims
    return k


def _payment(t: _Tx) -> Keys:
    bpr = t.first("BPR")
    trn = t.first("TRN")
    return {
        "handling_code": _field(bpr, 1),
        "payment_amount": _field(bpr, 2),
        "credit_debit": _field(bpr, 3),
        "payment_method": _field(bpr, 4),
        "payment_date": _field(bpr, 16),
        "trace_number": _field(trn, 2),
        "payer_id": _field(trn, 3),
    }


def _n1(t: _Tx, entity: str, i: int) -> str | None:
    for s in t.iter("N1"):
        if _el(s, 1) == entity:
            return _el(s, i)
    return None


def _x12_835(t: _Tx) -> Keys:
    k = _payment(t)
    k["payer_name"] = _n1(t, "PR", 2)
    k["payee_name"] = _n1(t, "PE", 2)
    k["payee_id"] = _n1(t, "PE", 4)
    claims = [
        {
            "id": _el(s, 1),
            "status": _el(s, 2),
            "charge": _el(s, 3),
            "paid": _el(s, 4),
            "payer_claim_id": _el(s, 7),
        }
        for s in t.all("CLP")
    ]
    k["claim_ids"] = [c["id"] for c in claims if c["id"]]
    k["payer_claim_ids"] = [c["payer_claim_id"] for c in claims if c["payer_claim_id"]]
    k["claims"] = claims
    return k


def _x12_820(t: _Tx) -> Keys:
    k = _payment(t)
    del k["credit_debit"]
    k["remittance_refs"] = [v for v in (_el(s, 2) for s in t.all("RMR")) if v]
    return k


def _x12_834(t: _Tx) -> Keys:
    k = _fields(
        t.first("BGN"),
        (("purpose_code", 1), ("reference_id", 2), ("date", 3), ("time", 4), ("action_code", 8)),
    )
    k["sponsor_id"] = _n1(t, "P5", 4)
    k["payer_id"] = _n1(t, "IN", 4)
    segs = t.segs
    starts = t.positions("INS")
    subscriber_refs = [i for i in t.positions("REF") if _el(segs[i], 1) == "0F"]
    members: list[Keys] = []
    for n, i in enumerate(starts):
        s = segs[i]
        end = starts[n + 1] if n + 1 < len(starts) else len(segs)
        r = bisect_right(subscriber_refs, i)
        ref = (
            segs[subscriber_refs[r]]
            if r < len(subscriber_refs) and subscriber_refs[r] < end
            else None
        )
        members.append(
            {
                "subscriber": _el(s, 1),
                "relationship": _el(s, 2),
                "maintenance_type": _el(s, 3),
                "subscriber_id": _field(ref, 2),
            }
        )
    k["member_ids"] = _unique([m["subscriber_id"] for m in members])
    k["member_count"] = len(members)
    k["members"] = members
    return k


def _x12_bht(t: _Tx) -> Keys:
    k = _fields(t.first("BHT"), _BHT)
    k["trace_numbers"] = [v for v in (_el(s, 2) for s in t.all("TRN")) if v]
    k["member_ids"] = _unique([_el(s, 9) for s in t.qualified("NM1", "IL")])
    return k


def _x12_276(t: _Tx) -> Keys:
    k = _x12_bht(t)
    k["claim_ids"] = _unique([_el(s, 2) for s in t.qualified("REF", "EJ")])
    k["payer_claim_ids"] = _unique([_el(s, 2) for s in t.qualified("REF", "1K")])
    return k


def _x12_277(t: _Tx) -> Keys:
    k = _x12_276(t)
    if _field(t.first("BHT"), 6) == "TH":  # 277CA (X214): claims are the PT loops' TRN02
        segs = t.segs
        hls = t.positions("HL")
        trns = t.positions("TRN")
        ids: list[str | None] = []
        for n, i in enumerate(hls):
            if _el(segs[i], 3) != "PT":
                continue
            end = hls[n + 1] if n + 1 < len(hls) else len(segs)
            r = bisect_right(trns, i)
            if r < len(trns) and trns[r] < end:
                ids.append(_el(segs[trns[r]], 2))
        k["claim_ids"] = _unique(ids)
    k["status_codes"] = [_text(s[1]) for s in t.all("STC") if len(s) > 1 and s[1]]
    return k


def _x12_ack(t: _Tx, set_status_tag: str) -> Keys:
    k = _fields(t.first("AK1"), (("functional_id", 1), ("group_control", 2), ("group_version", 3)))
    k.update(
        _fields(
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
        acks.append({"type": _el(s, 1), "control": _el(s, 2), "code": _field(status, 1)})
    k["set_controls"] = [a["control"] for a in acks if a["control"]]
    k["set_acks"] = acks
    return k


def _x12_997(t: _Tx) -> Keys:
    return _x12_ack(t, "AK5")


def _x12_999(t: _Tx) -> Keys:
    return _x12_ack(t, "IK5")


def _x12_846(t: _Tx) -> Keys:
    k = _fields(
        t.first("BIA"),
        (("purpose_code", 1), ("report_type", 2), ("reference_id", 3), ("date", 4)),
    )
    k["line_count"] = t.count("LIN")
    return k


def _x12_940(t: _Tx) -> Keys:
    return _fields(
        t.first("W05"),
        (("order_status", 1), ("depositor_order_number", 2), ("po_number", 3)),
    )


def _x12_945(t: _Tx) -> Keys:
    return _fields(
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


def _x12_204(t: _Tx) -> Keys:
    k = {"purpose_code": _field(t.first("B2A"), 1)}
    k.update(_fields(t.first("B2"), (("scac", 2), ("shipment_id", 4), ("payment_method", 6))))
    return k


def _x12_214(t: _Tx) -> Keys:
    k = _fields(t.first("B10"), (("reference_id", 1), ("shipment_id", 2), ("scac", 3)))
    k["statuses"] = [
        {"code": _el(s, 1), "reason": _el(s, 2), "date": _el(s, 5), "time": _el(s, 6)}
        for s in t.all("AT7")
    ]
    return k


def _x12_210(t: _Tx) -> Keys:
    k = _fields(
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
    k["po_numbers"] = _unique([_el(s, 2) for s in t.qualified("N9", "PO")])
    return k


def _x12_990(t: _Tx) -> Keys:
    return _fields(
        t.first("B1"), (("scac", 1), ("shipment_id", 2), ("date", 3), ("action_code", 4))
    )


def _x12_ta1(t: _Tx) -> Keys:
    return _fields(
        t.first("TA1"),
        (
            ("interchange_control", 1),
            ("date", 2),
            ("time", 3),
            ("ack_code", 4),
            ("note_code", 5),
        ),
    )


def _beginning(t: _Tx) -> Keys:
    """Fallback: the first segment after the header, elements as strings."""
    seg = t.segs[1] if len(t.segs) > 1 else None
    if seg is None or seg[0] in _TRAILERS:
        return {"beginning_segment": None, "beginning_elements": []}
    return {"beginning_segment": seg[0], "beginning_elements": [_text(e) for e in seg[1:]]}


_TRAILERS: Final = frozenset({"SE", "UNT"})

# ---------------------------------------------------------------------------
# UN/EDIFACT


def _dtm(t: _Tx, qualifier: str) -> str | None:
    """C507 value (2380) of the first DTM whose 2005 qualifier is ``qualifier``."""
    for s in t.iter("DTM"):
        if _comp(s, 1, 1) == qualifier:
            return _comp(s, 1, 2)
    return None


def _nad(t: _Tx, *qualifiers: str) -> str | None:
    """Party id (NAD02 C082/3039) of the first NAD with one of ``qualifiers``, in that order."""
    for q in qualifiers:
        for s in t.iter("NAD"):
            if _el(s, 1) == q:
                v = _comp(s, 2, 1)
                if v:
                    return v
    return None


def _rff(t: _Tx, qualifier: str) -> list[str]:
    return _unique([_comp(s, 1, 2) for s in t.all("RFF") if _comp(s, 1, 1) == qualifier])


def _bgm(t: _Tx, number_key: str) -> Keys:
    bgm = t.first("BGM")
    return {
        "document_code": None if bgm is None else _comp(bgm, 1, 1),
        number_key: None if bgm is None else _comp(bgm, 2, 1),
        "message_function": None if bgm is None else _comp(bgm, 3, 1),
    }


def _edi_orders(t: _Tx) -> Keys:
    k = _bgm(t, "order_number")
    k["order_date"] = _dtm(t, "137")
    k["delivery_date"] = _dtm(t, "2")
    k["buyer_id"] = _nad(t, "BY")
    k["supplier_id"] = _nad(t, "SU")
    k["delivery_party_id"] = _nad(t, "DP")
    k["line_count"] = t.count("LIN")
    return k


def _edi_ordrsp(t: _Tx) -> Keys:
    k = _bgm(t, "response_number")
    k["response_date"] = _dtm(t, "137")
    k["order_numbers"] = _rff(t, "ON")
    k["buyer_id"] = _nad(t, "BY")
    k["supplier_id"] = _nad(t, "SU")
    return k


_INVOICE_TOTALS: Final = ("77", "86", "39", "128")


def _edi_invoic(t: _Tx) -> Keys:
    k = _bgm(t, "invoice_number")
    k["invoice_date"] = _dtm(t, "137") or _dtm(t, "3")
    k["order_numbers"] = _rff(t, "ON")
    k["buyer_id"] = _nad(t, "BY")
    k["supplier_id"] = _nad(t, "SU", "SE")
    cux = t.first("CUX")
    k["currency"] = None if cux is None else _comp(cux, 1, 2)
    moa: dict[str, str | None] = {}
    for s in t.all("MOA"):
        q = _comp(s, 1, 1)
        if q in _INVOICE_TOTALS and q not in moa:
            moa[q] = _comp(s, 1, 2)
    k["total_amount"] = next((moa[q] for q in _INVOICE_TOTALS if moa.get(q)), None)
    return k


def _edi_desadv(t: _Tx) -> Keys:
    k = _bgm(t, "despatch_number")
    k["despatch_date"] = _dtm(t, "137") or _dtm(t, "11")
    k["order_numbers"] = _rff(t, "ON")
    k["buyer_id"] = _nad(t, "BY")
    k["supplier_id"] = _nad(t, "SU")
    k["delivery_party_id"] = _nad(t, "DP")
    return k


def _edi_contrl(t: _Tx) -> Keys:
    uci = t.first("UCI")
    return {
        "interchange_ref": _field(uci, 1),
        "sender_id": _field(uci, 2),
        "recipient_id": _field(uci, 3),
        "action_code": _field(uci, 4),
        "message_acks": [
            {
                "reference": _el(s, 1),
                "type": _el(s, 2),
                "action_code": _el(s, 3),
                "error_code": _el(s, 4),
            }
            for s in t.all("UCM")
        ],
    }


def _edi_aperak(t: _Tx) -> Keys:
    k = _bgm(t, "document_number")
    k["document_date"] = _dtm(t, "137")
    k["references"] = [{"qualifier": _comp(s, 1, 1), "value": _comp(s, 1, 2)} for s in t.all("RFF")]
    k["error_codes"] = [v for v in (_comp(s, 1, 1) for s in t.all("ERC")) if v]
    return k


def _edi_generic(t: _Tx) -> Keys:
    if t.first("BGM") is None:
        return _beginning(t)
    k = _bgm(t, "document_number")
    k["document_date"] = _dtm(t, "137")
    return k


_X12: Final[dict[str, Callable[[_Tx], Keys]]] = {
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

_EDIFACT: Final[dict[str, Callable[[_Tx], Keys]]] = {
    "ORDERS": _edi_orders,
    "ORDCHG": _edi_orders,
    "ORDRSP": _edi_ordrsp,
    "INVOIC": _edi_invoic,
    "DESADV": _edi_desadv,
    "CONTRL": _edi_contrl,
    "APERAK": _edi_aperak,
}


def extract_keys(standard: str, type: str, segments: Segs, tags: list[str] | None = None) -> Keys:
    """The business keys of one transaction (see the module docstring for the names).

    ``tags`` (each segment's tag, in order) may be passed when the caller has them.
    """
    t = _Tx(segments, tags)
    if standard == "x12":
        return _X12.get(type, _beginning)(t)
    return _EDIFACT.get(type, _edi_generic)(t)


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
    tag, levels = _TREE_TAGS["x12" if standard == "x12" else "edifact"]
    starts = _Tx(segments, tags).positions(tag)
    if not starts:
        return None
    n = len(segments)
    body_end = n - 1 if n and segments[-1][0] in _TRAILERS else n
    nodes: dict[str, tuple[Keys, int]] = {}
    roots: list[Keys] = []
    orphans: list[Keys] = []
    duplicates: list[str] = []
    ends = [*starts[1:], body_end]
    for i, end in zip(starts, ends, strict=True):
        s = segments[i]
        hid = _el(s, 1) or ""
        parent = _el(s, 2)
        code = _el(s, 3)
        node: Keys = {
            "id": hid,
            "parent": parent,
            "level_code": code,
            "level": levels.get(code) if code else None,
            "child_code": _el(s, 4),
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
