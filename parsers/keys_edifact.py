"""Business keys of UN/EDIFACT messages (ORDERS, ORDRSP, INVOIC, DESADV, CONTRL, APERAK, ...).

One extractor per message type, looked up in :data:`EDIFACT_EXTRACTORS` by
:func:`parsers.keys.extract_keys`; the key names are listed in :mod:`parsers.keys`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from parsers.keys_common import Keys, Tx, beginning, unique

# ---------------------------------------------------------------------------
# UN/EDIFACT


def _dtm(t: Tx, qualifier: str) -> str | None:
    """C507 value (2380) of the first DTM whose 2005 qualifier is ``qualifier``."""
    for q, v in t.comps(t.positions("DTM"), _QV):
        if q == qualifier:
            return v
    return None


def _nad(t: Tx, *qualifiers: str) -> str | None:
    """Party id (NAD02 C082/3039) of the first NAD with one of ``qualifiers``, in that order."""
    rows = t.comps(t.positions("NAD"), ((1, 1), (2, 1)))
    for q in qualifiers:
        for code, v in rows:
            if code == q and v:
                return v
    return None


def _rff(t: Tx, qualifier: str) -> list[str]:
    """RFF C506/1154 references qualified by ``qualifier`` (1153), unique, in order."""
    return unique([v for q, v in t.comps(t.positions("RFF"), _QV) if q == qualifier])


# A composite's qualifier and value: C507/2005 and 2380, C506/1153 and 1154, C516/5025, 5004.
_QV: Final = ((1, 1), (1, 2))


def _bgm(t: Tx, number_key: str) -> Keys:
    """BGM keys: document code, number (under ``number_key``) and message function."""
    p = t.positions("BGM")[:1]
    code, number, function = (t.comps(p, ((1, 1), (2, 1), (3, 1))) or [(None, None, None)])[0]
    return {"document_code": code, number_key: number, "message_function": function}


def _edi_orders(t: Tx) -> Keys:
    """ORDERS Purchase order message keys (names in :mod:`parsers.keys`)."""
    k = _bgm(t, "order_number")
    k["order_date"] = _dtm(t, "137")
    k["delivery_date"] = _dtm(t, "2")
    k["buyer_id"] = _nad(t, "BY")
    k["supplier_id"] = _nad(t, "SU")
    k["delivery_party_id"] = _nad(t, "DP")
    k["line_count"] = t.count("LIN")
    return k


def _edi_ordrsp(t: Tx) -> Keys:
    """ORDRSP Purchase order response message keys (names in :mod:`parsers.keys`)."""
    k = _bgm(t, "response_number")
    k["response_date"] = _dtm(t, "137")
    k["order_numbers"] = _rff(t, "ON")
    k["buyer_id"] = _nad(t, "BY")
    k["supplier_id"] = _nad(t, "SU")
    return k


_INVOICE_TOTALS: Final = ("77", "86", "39", "128")


def _edi_invoic(t: Tx) -> Keys:
    """INVOIC Invoice message keys (names in :mod:`parsers.keys`)."""
    k = _bgm(t, "invoice_number")
    k["invoice_date"] = _dtm(t, "137") or _dtm(t, "3")
    k["order_numbers"] = _rff(t, "ON")
    k["buyer_id"] = _nad(t, "BY")
    k["supplier_id"] = _nad(t, "SU", "SE")
    cux = t.positions("CUX")[:1]
    k["currency"] = t.comps(cux, ((1, 2),))[0][0] if cux else None
    moa: dict[str, str | None] = {}
    for q, v in t.comps(t.positions("MOA"), _QV):
        if q in _INVOICE_TOTALS and q not in moa:
            moa[q] = v
    k["total_amount"] = next((moa[q] for q in _INVOICE_TOTALS if moa.get(q)), None)
    return k


def _edi_desadv(t: Tx) -> Keys:
    """DESADV Despatch advice message keys (names in :mod:`parsers.keys`)."""
    k = _bgm(t, "despatch_number")
    k["despatch_date"] = _dtm(t, "137") or _dtm(t, "11")
    k["order_numbers"] = _rff(t, "ON")
    k["buyer_id"] = _nad(t, "BY")
    k["supplier_id"] = _nad(t, "SU")
    k["delivery_party_id"] = _nad(t, "DP")
    return k


def _edi_contrl(t: Tx) -> Keys:
    """CONTRL Syntax and service report message keys (names in :mod:`parsers.keys`)."""
    k = t.fields(
        "UCI",
        (("interchange_ref", 1), ("sender_id", 2), ("recipient_id", 3), ("action_code", 4)),
    )
    k["message_acks"] = [
        {"reference": r, "type": ty, "action_code": a, "error_code": e}
        for r, ty, a, e in t.column("UCM", (1, 2, 3, 4))
    ]
    return k


def _edi_aperak(t: Tx) -> Keys:
    """APERAK Application error and acknowledgement message keys (names in :mod:`parsers.keys`)."""
    k = _bgm(t, "document_number")
    k["document_date"] = _dtm(t, "137")
    k["references"] = [{"qualifier": q, "value": v} for q, v in t.comps(t.positions("RFF"), _QV)]
    k["error_codes"] = [v for (v,) in t.comps(t.positions("ERC"), ((1, 1),)) if v]
    return k


def edifact_generic(t: Tx) -> Keys:
    """Any other message: BGM keys and DTM+137 when it has a BGM, else the fallback."""
    if "BGM" not in t.tags:
        return beginning(t)
    k = _bgm(t, "document_number")
    k["document_date"] = _dtm(t, "137")
    return k


EDIFACT_EXTRACTORS: Final[dict[str, Callable[[Tx], Keys]]] = {
    "ORDERS": _edi_orders,
    "ORDCHG": _edi_orders,
    "ORDRSP": _edi_ordrsp,
    "INVOIC": _edi_invoic,
    "DESADV": _edi_desadv,
    "CONTRL": _edi_contrl,
    "APERAK": _edi_aperak,
}
