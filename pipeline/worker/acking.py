"""Acknowledgements in the pipeline: what we send partners, and what their acks say about it.

The EDI work is in :mod:`parsers.acks`; this module adds the pipeline's side:
per-partner preferences, control numbers from the worker's ``controls`` table,
a record of every ack we sent (``acks-sent`` table) and the reconciliation of
the acknowledgements partners send back against that record.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import orjson

from parsers.acks import AckStatus, acknowledge, read_ack
from parsers.model import Interchange
from pipeline.partners.profiles import Partner
from pipeline.worker.state import SEP, State


def sent_key(partner: str, level: str, control: str | int) -> bytes:
    """Key of the acks-sent table: partner, ``interchange`` or ``group``, our control number."""
    return SEP.join((partner, level, str(int(str(control).strip() or 0)))).encode()


def build_for_partner(
    ic: Interchange, kinds: Sequence[str], partner: Partner, state: State
) -> list[dict[str, Any]]:
    """The acknowledgements ``partner`` wants for ``ic``, numbered from its sequences.

    Each is a dict with ``type``, ``bytes``, ``control``, ``status``, ``summary``
    and ``filename`` (the outbox file name: unique per ack, stable on replay of
    the same record). What we sent is recorded for reconciliation.
    """
    acks = acknowledge(
        ic,
        kinds,
        controls=lambda kind: state.next_control(partner.id, kind),
        now=datetime.now(UTC),
    )
    out: list[dict[str, Any]] = []
    for a in acks:
        ext = "edi"
        filename = f"{a.type}_{a.interchange_control:09d}_for_{ic.control.strip()}.{ext}"
        record = orjson.dumps(
            {
                "type": a.type,
                "interchange_control": a.interchange_control,
                "group_controls": list(a.group_controls),
                "acknowledges": a.acknowledges,
                "status": a.status,
                "at": datetime.now(UTC).isoformat(timespec="seconds"),
            }
        )
        state.writes.sent_acks[sent_key(partner.id, "interchange", a.interchange_control)] = record
        for g in a.group_controls:
            state.writes.sent_acks[sent_key(partner.id, "group", g)] = record
        out.append(
            {
                "type": a.type,
                "bytes": a.data,
                "control": a.interchange_control,
                "status": a.status,
                "summary": a.summary,
                "filename": filename,
            }
        )
    return out


def reconcile(ic: Interchange, raw: bytes, partner: Partner, state: State) -> list[dict[str, Any]]:
    """What the partner's inbound acknowledgements in ``ic`` say, matched against what we sent.

    997/999 name our group control (AK102), TA1 and CONTRL our interchange
    control; an ack that matches nothing we recorded is reported unmatched.
    """
    out: list[dict[str, Any]] = []
    for st in read_ack(ic, raw):
        level, control = _reference(st)
        sent = state.sent_ack(sent_key(partner.id, level, control)) if control else None
        out.append(
            {
                "ack_type": st.ack,
                "level": st.level,
                "status": st.status,
                "code": st.code,
                "refers_to": {
                    "interchange": st.interchange,
                    "group": st.group,
                    "transaction": st.transaction,
                },
                "errors": list(st.errors),
                "matched": sent is not None,
                "sent": sent,
            }
        )
    return out


def _reference(st: AckStatus) -> tuple[str, str]:
    if st.interchange:
        return "interchange", st.interchange
    if st.group:
        return "group", st.group
    return "interchange", ""


def carries_acks(ic: Interchange) -> bool:
    """True when the interchange may carry acknowledgements: 997, 999, CONTRL, or no set at all (TA1)."""
    return not ic.transactions or any(t.type in ("997", "999", "CONTRL") for t in ic.transactions)
