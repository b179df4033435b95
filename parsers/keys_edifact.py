"""Business keys of UN/EDIFACT messages (ORDERS, ORDRSP, INVOIC, DESADV, CONTRL, APERAK, ...).

One extractor per message type, looked up in :data:`EDIFACT_EXTRACTORS` by
:func:`parsers.keys.extract_keys`; the key names are listed in :mod:`parsers.keys`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from parsers.keys_common import Keys, Tx, beginning, comp, el, field, unique

# ---------------------------------------------------------------------------
# UN/EDIFACT


def _dtm(t: Tx, qualifier: str) -> str | None:
    """C507 value (2380) of the first DTM whose 2005 qualifier is ``qualifier``."""
    for s in t.iter("DTM"):
        if comp(s, 1, 1) == qualifier:
            return comp(s, 1, 2)
    return None


def _nad(t: Tx, *qualifiers: str) -> str | None:
    """Party id (NAD02 C082/3039) of the first NAD with one of ``qualifiers``, in that order."""
    for q in qualifiers:
        for s in t.iter("NAD"):
            if el(s, 1) == q:
                v = comp(s, 2, 1)
                if v:
                    return v
    return None


def _rff(t: Tx, qualifier: str) -> list[str]:
    """RFF C506/1154 references qualified by ``qualifier`` (1153), unique, in order."""
    return unique([comp(s, 1, 2) for s in t.all("RFF") if comp(s, 1, 1) == qualifier])


def _bgm(t: Tx, number_key: str) -> Keys:
    """BGM keys: document code, number (under ``number_key``) and message function."""
    bgm = t.first("BGM")
    return {
        "document_code": None if bgm is None else comp(bgm, 1, 1),
        number_key: None if bgm is None else comp(bgm, 2, 1),
        "message_function": None if bgm is None else comp(bgm, 3, 1),
    }


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
    cux = t.first("CUX")
    k["currency"] = None if cux is None else comp(cux, 1, 2)
    moa: dict[str, str | None] = {}
    for s in t.all("MOA"):
        q = comp(s, 1, 1)
        if q in _INVOICE_TOTALS and q not in moa:
            moa[q] = comp(s, 1, 2)
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
    uci = t.first("UCI")
    return {
        "interchange_ref": field(uci, 1),
        "sender_id": field(uci, 2),
        "recipient_id": field(uci, 3),
        "action_code": field(uci, 4),
        "message_acks": [
            {
                "reference": el(s, 1),
                "type": el(s, 2),
                "action_code": el(s, 3),
                "error_code": el(s, 4),
            }
            for s in t.all("UCM")
        ],
    }


def _edi_aperak(t: Tx) -> Keys:
    """APERAK Application error and acknowledgement message keys (names in :mod:`parsers.keys`)."""
    k = _bgm(t, "document_number")
    k["document_date"] = _dtm(t, "137")
    k["references"] = [{"qualifier": comp(s, 1, 1), "value": comp(s, 1, 2)} for s in t.all("RFF")]
    k["error_codes"] = [v for v in (comp(s, 1, 1) for s in t.all("ERC")) if v]
    return k


def edifact_generic(t: Tx) -> Keys:
    """Any other message: BGM keys and DTM+137 when it has a BGM, else the fallback."""
    if t.first("BGM") is None:
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
