"""Inbound acknowledgements: the TA1 / 997 / 999 / CONTRL partners send us, as AckStatus values.

Read through :func:`parsers.keys.extract_keys`, the same extractors the documents on
the ``acknowledgements`` topic carry, so both paths agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from parsers.acks_common import ACK_TYPES, AckStatus, reply_codec
from parsers.keys import extract_keys
from parsers.model import (
    Element,
    Interchange,
    Party,
    Segment,
    Standard,
)
from parsers.segments import split_segment

_X12_STATUS: Final = {
    "A": "accepted",
    "E": "accepted_with_errors",
    "P": "partially_accepted",
    "R": "rejected",
    "M": "rejected",  # 997 AK5/AK9: message authentication code failed
    "W": "rejected",  # assurance failed validity tests
    "X": "rejected",  # content after decryption could not be analyzed
}
_CONTRL_STATUS: Final = {"4": "rejected", "7": "accepted", "8": "received"}


# ---------------------------------------------------------------------------
# inbound acknowledgements


def _tuple(values: Iterable[Element]) -> tuple[str, ...]:
    """The non-empty first components of ``values``, as a tuple of codes."""
    return tuple(v for v in (_first(x) for x in values) if v)


def _first(v: Element) -> str:
    """An element's first component (a repetition's first one), as a string."""
    if isinstance(v, str):
        return v
    head = v[0] if v else ""
    if isinstance(head, list):
        head = head[0] if head else ""
    return head


class _Statuses:
    """Collects the AckStatus values of one acknowledgement (one sender and receiver)."""

    def __init__(self, ack: str, sender: Party | None, receiver: Party | None) -> None:
        """Statuses of acknowledgement kind ``ack`` from ``sender`` to ``receiver``."""
        self.ack, self.sender, self.receiver = ack, sender, receiver
        self.out: list[AckStatus] = []

    def add(self, level: str, table: Mapping[str, str], code: str, **where: Any) -> None:
        """One status of this acknowledgement (unknown codes read as rejected)."""
        self.out.append(
            AckStatus(
                self.ack,
                level,
                table.get(code, "rejected"),
                code,
                sender=self.sender,
                receiver=self.receiver,
                **where,
            )
        )


def _statuses_from_keys(
    ack: str,
    keys: Mapping[str, Any],
    sender: Party | None,
    receiver: Party | None,
    details: Mapping[str, Any] | None = None,
) -> list[AckStatus]:
    """AckStatus values from the keys :func:`parsers.keys.extract_keys` gives an acknowledgement."""
    details = details or {}
    st = _Statuses(ack, sender, receiver)
    if ack == "TA1":
        code = keys.get("ack_code") or ""
        note = keys.get("note_code")
        st.add(
            "interchange",
            _X12_STATUS,
            code,
            interchange=keys.get("interchange_control"),
            errors=(note,) if note and note != "000" else (),
        )
    elif ack in ("997", "999"):
        _fa_statuses(st, keys, details)
    elif ack == "CONTRL":
        _contrl_statuses(st, keys, details)
    return st.out


def _fa_statuses(st: _Statuses, keys: Mapping[str, Any], details: Mapping[str, Any]) -> None:
    """A 997 / 999: the group's status (AK9 / IK9), then each set's (AK5 / IK5)."""
    group = keys.get("group_control")
    code = keys.get("ack_code") or ""
    st.add(
        "group",
        _X12_STATUS,
        code,
        group=group,
        type=keys.get("functional_id"),
        errors=tuple(details.get("group_errors", ())),
    )
    set_errors: list[tuple[str, ...]] = details.get("set_errors", [])
    for i, s in enumerate(keys.get("set_acks", [])):
        c = s.get("code") or ""
        st.add(
            "transaction",
            _X12_STATUS,
            c,
            group=group,
            transaction=s.get("control"),
            type=s.get("type"),
            errors=set_errors[i] if i < len(set_errors) else (),
        )


def _contrl_statuses(st: _Statuses, keys: Mapping[str, Any], details: Mapping[str, Any]) -> None:
    """A CONTRL: the interchange's status (UCI), each group's (UCF), each message's (UCM)."""
    ref = keys.get("interchange_ref")
    code = keys.get("action_code") or ""
    st.add(
        "interchange",
        _CONTRL_STATUS,
        code,
        interchange=ref,
        errors=tuple(details.get("interchange_errors", ())),
    )
    for g in details.get("groups", []):
        st.add(
            "group",
            _CONTRL_STATUS,
            g["code"],
            interchange=ref,
            group=g["group"],
            errors=g["errors"],
        )
    msg_groups: list[str | None] = details.get("message_groups", [])
    for i, m in enumerate(keys.get("message_acks", [])):
        c = m.get("action_code") or ""
        err = m.get("error_code")
        st.add(
            "transaction",
            _CONTRL_STATUS,
            c,
            interchange=ref,
            group=msg_groups[i] if i < len(msg_groups) else None,
            transaction=m.get("reference"),
            type=m.get("type"),
            errors=(err,) if err else (),
        )


def _x12_details(segs: Sequence[Segment], set_tag: str) -> dict[str, Any]:
    """AK905-909 and each AK2's AK502-506 / IK502-506 (error codes the keys do not carry)."""
    set_errors: list[tuple[str, ...]] = []
    group_errors: tuple[str, ...] = ()
    open_set = False
    for s in segs:
        tag = s[0]
        if tag == "AK2":
            if open_set:
                set_errors.append(())
            open_set = True
        elif tag == set_tag and open_set:
            set_errors.append(_tuple(s[2:7]))
            open_set = False
        elif tag == "AK9":
            group_errors = _tuple(s[5:10])
    if open_set:
        set_errors.append(())
    return {"set_errors": set_errors, "group_errors": group_errors}


def _contrl_details(segs: Sequence[Segment]) -> dict[str, Any]:
    """UCI05, each UCF, and the group each UCM belongs to."""
    groups: list[dict[str, Any]] = []
    message_groups: list[str | None] = []
    interchange_errors: tuple[str, ...] = ()
    current: str | None = None
    for s in segs:
        tag = s[0]
        if tag == "UCI":
            interchange_errors = _tuple(s[5:6])
        elif tag == "UCF":
            current = _first(s[1]) if len(s) > 1 else None
            groups.append(
                {
                    "group": current,
                    "code": _first(s[5]) if len(s) > 5 else "",
                    "errors": _tuple(s[6:7]),
                }
            )
        elif tag == "UCM":
            message_groups.append(current)
    return {
        "groups": groups,
        "message_groups": message_groups,
        "interchange_errors": interchange_errors,
    }


def ta1_segments(interchange: Interchange, data: bytes) -> list[Segment]:
    """The TA1 segments of ``interchange`` (outside its groups) read from the raw ``data``."""
    d = interchange.delimiters
    start = interchange.header_end if interchange.header_end >= 0 else interchange.offset
    end = interchange.end if interchange.end >= 0 else len(data)
    spans = sorted(
        (g.offset, g.end if g.end >= 0 else end) for g in interchange.groups if not g.implicit
    )
    chunks: list[bytes] = []
    pos = start
    for a, b in spans:
        if a > pos:
            chunks.append(data[pos:a])
        pos = max(pos, b)
    chunks.append(data[pos:end])
    text = b"".join(chunks).decode(reply_codec(interchange), "replace")
    out: list[Segment] = []
    for raw in text.split(d.segment):
        t = raw.strip()
        if t.startswith("TA1" + d.element):
            out.append(split_segment(t, d))
    return out


def read_ack(interchange: Interchange, data: bytes | None = None) -> list[AckStatus]:
    """What the acknowledgements inside a partner's ``interchange`` say about what we sent.

    Reads every 997 / 999 (AK1/AK2/AK5/IK5/AK9) and CONTRL (UCI/UCF/UCM) in it and,
    when the raw ``data`` the interchange was parsed from is given, its TA1 segments
    (TA1 is not a transaction set, so the parsed model does not keep it).
    """
    d = interchange.delimiters
    sender, receiver = interchange.sender, interchange.receiver
    out: list[AckStatus] = []
    if interchange.standard is Standard.X12:
        if data is not None:
            for seg in ta1_segments(interchange, data):
                out += _statuses_from_keys(
                    "TA1", extract_keys("x12", "TA1", [seg]), sender, receiver
                )
        for tx in interchange.transactions:
            if tx.type in ("997", "999"):
                segs = [split_segment(s, d) for s in tx.segments]
                keys = extract_keys("x12", tx.type, segs)
                details = _x12_details(segs, "AK5" if tx.type == "997" else "IK5")
                out += _statuses_from_keys(tx.type, keys, sender, receiver, details)
    else:
        for tx in interchange.transactions:
            if tx.type == "CONTRL":
                segs = [split_segment(s, d) for s in tx.segments]
                keys = extract_keys("edifact", "CONTRL", segs)
                out += _statuses_from_keys("CONTRL", keys, sender, receiver, _contrl_details(segs))
    return out


def _party(v: Any) -> Party | None:
    """A Party from a document's ``{qualifier, id}`` mapping; None when absent."""
    if isinstance(v, Mapping) and "id" in v:
        return Party(str(v.get("qualifier") or ""), str(v["id"]))
    return None


def read_ack_documents(documents: Iterable[Mapping[str, Any]]) -> list[AckStatus]:
    """AckStatus values from documents on the ``acknowledgements`` topic (997, 999, CONTRL).

    Uses only the documents' ``keys``, so error codes other than TA105 / UCM04 are
    not available here (use :func:`read_ack` on the interchange for those).
    """
    out: list[AckStatus] = []
    for doc in documents:
        kind = str(doc.get("type", ""))
        if kind not in ACK_TYPES:
            continue
        keys = doc.get("keys") or {}
        out += _statuses_from_keys(
            kind, keys, _party(doc.get("sender")), _party(doc.get("receiver"))
        )
    return out
