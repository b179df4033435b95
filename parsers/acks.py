"""Acknowledgements: TA1, 997, 999 and CONTRL built from validation results, and inbound ones read.

Outbound. The builders (:func:`build_ta1`, :func:`build_997`, :func:`build_999`,
:func:`build_contrl`) are pure: they read an :class:`~parsers.model.Interchange`, the
errors the parser (and optionally :mod:`parsers.hipaa`) attached to it and their
:data:`~parsers.errors.CATALOGUE` entries, and return segments in the split shape
(``[tag, element, ...]``, composites as lists). :func:`x12_interchange` and
:func:`edifact_interchange` wrap them in an envelope addressed back to the partner
(sender and receiver swapped, test indicator and delimiters copied from the inbound
interchange, control numbers from the caller) and return bytes. :func:`acknowledge` does
it all for one inbound interchange; :func:`applicable_acks` says which kinds make sense.

What is acknowledged as accepted is exactly what the pipeline routes (the rule of
``parsers.documents.build_documents(only_accepted=True)``): a transaction is rejected
when an error of its own, of its group or of its interchange rejects. So a rejected
interchange acknowledged by 997 has every set ``R`` (pyx12 instead reports the sets'
own status), and AK9 is ``A`` (all accepted, no error), ``E`` (all accepted, warnings
noted), ``P`` (some rejected), or ``R`` (group rejected, or no set accepted).

Inbound. :func:`read_ack` and :func:`read_ack_documents` turn the TA1 / 997 / 999 /
CONTRL a partner sends us into :class:`AckStatus` values (which of our interchange,
group and transaction control numbers were accepted or rejected). They read the
statuses through :func:`parsers.keys.extract_keys`, the same extractors the documents
on the ``acknowledgements`` topic carry, so both paths agree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from parsers import writer
from parsers.encoding import EDIFACT_CODECS
from parsers.errors import EdiError, ErrorCode, Level
from parsers.keys import extract_keys
from parsers.model import (
    Delimiters,
    Element,
    Group,
    Interchange,
    Party,
    Segment,
    Standard,
    Transaction,
)
from parsers.segments import split_segment
from parsers.writer import EDIFACT_DEFAULT, X12_DEFAULT, DelimiterInData, GroupOut, TransactionOut

__all__ = [
    "ACK_TYPES",
    "X231",
    "Ack",
    "AckStatus",
    "ControlNumbers",
    "acknowledge",
    "applicable_acks",
    "build_997",
    "build_999",
    "build_contrl",
    "build_ta1",
    "read_ack",
    "read_ack_documents",
    "wrap_edifact",
    "wrap_x12",
]

ACK_TYPES: Final = ("TA1", "997", "999", "CONTRL")
X231: Final = "005010X231A1"  # ST03 / GS08 of the 999 (Implementation Acknowledgment, 5010 X231 A1)
X12_ACK_SETS: Final = frozenset({"997", "999", "TA1"})
MAX_AK5_CODES: Final = 5  # AK502-AK506 / IK502-IK506
MAX_AK9_CODES: Final = 5  # AK905-AK909
MAX_AK4_PER_AK3: Final = 99
MAX_BAD_DATA: Final = 99  # AK404 / IK404 maximum length

# X231 CTX business unit identifier per transaction set: the segment and element whose
# value names the business unit an error is in (837: the claim, CLM01).
BUSINESS_UNITS: Final[dict[str, tuple[str, int, frozenset[str]]]] = {
    "837": ("CLM", 1, frozenset({"HL"})),  # a claim runs from CLM to the next HL (or SE)
}

# ---------------------------------------------------------------------------
# control numbers


@dataclass(frozen=True, slots=True)
class ControlNumbers:
    """The first outbound control numbers to use; each further one is the previous + 1."""

    interchange: int
    group: int = 1


ControlSource = ControlNumbers | Callable[[str], int]
"""Fixed starting numbers, or an allocator called with ``"interchange"`` or ``"group"``."""


class _Allocator:
    """Hands out control numbers from a :data:`ControlSource`."""

    __slots__ = ("_fn", "_next")

    def __init__(self, source: ControlSource) -> None:
        self._fn: Callable[[str], int] | None = None
        self._next: dict[str, int] = {}
        if isinstance(source, ControlNumbers):
            self._next = {"interchange": source.interchange, "group": source.group}
        else:
            self._fn = source

    def __call__(self, kind: str) -> int:
        if self._fn is not None:
            n = int(self._fn(kind))
        else:
            n = self._next[kind]
            self._next[kind] = n + 1
        if not 1 <= n <= 999_999_999:
            raise ValueError(f"{kind} control number {n} is outside 1..999999999")
        return n


# ---------------------------------------------------------------------------
# results


@dataclass(frozen=True, slots=True)
class Ack:
    """One outbound acknowledgement interchange and what it says."""

    type: str  # "TA1" | "997" | "999" | "CONTRL"
    data: bytes  # the whole interchange (ISA..IEA / UNA?UNB..UNZ)
    interchange_control: int  # our ISA13 / UNB05
    group_controls: tuple[int, ...]  # our GS06 values (empty for TA1 and CONTRL)
    acknowledges: str  # the inbound ISA13 / UNB05
    status: str  # TA104; AK901 (several groups: A, E, P or R overall); UCI 0083
    received: int  # transactions (or, for TA1, interchanges) acknowledged
    accepted: int
    rejected: int

    @property
    def summary(self) -> dict[str, Any]:
        """The counts and status as a dict, for tracking events."""
        return {
            "type": self.type,
            "status": self.status,
            "received": self.received,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "interchange_control": self.interchange_control,
            "group_controls": list(self.group_controls),
            "acknowledges": self.acknowledges,
        }


@dataclass(frozen=True, slots=True)
class AckStatus:
    """What an inbound acknowledgement says about one of our interchanges, groups or transactions.

    997s and 999s do not name the interchange they acknowledge (``interchange`` is
    None): match them on ``group`` (our GS06) and the partner (``sender``).
    """

    ack: str  # "TA1" | "997" | "999" | "CONTRL"
    level: str  # "interchange" | "group" | "transaction"
    status: (
        str  # "accepted" | "accepted_with_errors" | "partially_accepted" | "rejected" | "received"
    )
    code: str  # as sent: TA104, AK901, AK501 / IK501, CONTRL 0083
    interchange: str | None = None  # TA101 / UCI01 (our ISA13 / UNB05)
    group: str | None = None  # AK102 / UCF01 (our GS06 / UNG05)
    transaction: str | None = None  # AK202 / UCM01 (our ST02 / UNH01)
    type: str | None = None  # AK101 functional id, AK201 set type, UCM02 message type
    errors: tuple[str, ...] = ()  # TA105; AK502-506 / IK502-506; AK905-909; 0085
    sender: Party | None = None  # who sent the acknowledgement (the partner)
    receiver: Party | None = None

    @property
    def accepted(self) -> bool:
        """True when the acknowledged item was accepted (with or without noted errors)."""
        return self.status in ("accepted", "accepted_with_errors", "received")


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
# acceptance (the same rule as parsers.documents: only accepted transactions are routed)


def _group_rejected(interchange: Interchange, group: Group) -> bool:
    return not interchange.accepted or not group.accepted


def _rejected(interchange: Interchange, group: Group, tx: Transaction) -> bool:
    return _group_rejected(interchange, group) or not tx.accepted


def _is_ack_group(group: Group, standard: Standard) -> bool:
    """True for a group that only carries acknowledgements (never acknowledged in turn)."""
    if standard is Standard.X12:
        if group.functional_id == "FA":
            return True
        return bool(group.transactions) and all(t.type in X12_ACK_SETS for t in group.transactions)
    return bool(group.transactions) and all(t.type == "CONTRL" for t in group.transactions)


def _code_key(code: str) -> tuple[int, str]:
    """Numeric codes in numeric order, then the others (I5, I6, ...) alphabetically."""
    return (int(code), "") if code.isdigit() else (1 << 30, code)


def _codes(errors: Iterable[EdiError], attr: str, limit: int) -> list[str]:
    """The distinct acknowledgement codes ``attr`` of ``errors``, sorted, at most ``limit``."""
    seen: set[str] = set()
    for e in errors:
        c: str | None = getattr(e.spec, attr)
        if c:
            seen.add(c)
    return sorted(seen, key=_code_key)[:limit]


def _safe(value: str | None, d: Delimiters, limit: int = MAX_BAD_DATA) -> str | None:
    """``value`` when it can be written as data with ``d``: no delimiter, no control character."""
    if not value:
        return None
    stops = {d.element, d.component, d.segment}
    if d.repetition:
        stops.add(d.repetition)
    if any(ch in stops or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        return None
    return value[:limit]


# ---------------------------------------------------------------------------
# TA1


def _ta1_status(interchange: Interchange) -> tuple[str, str]:
    """TA104 (A, E or R) and TA105: the first rejecting error's note code, 000 when none."""
    errors = interchange.errors
    rejecting = [e for e in errors if e.rejects]
    if rejecting:
        note = next((e.spec.ta1 for e in rejecting if e.spec.ta1), None)
        return "R", note or "024"  # 024: invalid interchange content
    if errors:
        return "E", next((e.spec.ta1 for e in errors if e.spec.ta1), "000")
    return "A", "000"


def build_ta1(interchange: Interchange, *, control: str | None = None) -> list[Segment]:
    """The TA1 segment acknowledging ``interchange`` (``control`` overrides TA101 = ISA13)."""
    status, note = _ta1_status(interchange)
    ctl = (control if control is not None else interchange.control).strip()
    if ctl.isdigit() and len(ctl) < 9:
        ctl = ctl.zfill(9)
    return [["TA1", ctl, interchange.date.strip(), interchange.time.strip(), status, note]]


# ---------------------------------------------------------------------------
# 997 / 999


@dataclass(slots=True)
class _SegmentErrors:
    """The AK3/IK3 material of one segment of a transaction set."""

    tag: str
    position: int
    codes: list[str]  # AK304 codes, in order of appearance
    elements: list[tuple[list[str], str, str | None]]  # (C030 position, AK403 code, bad data)


def _tag_at(tx: Transaction, d: Delimiters, position: int) -> str:
    if 1 <= position <= len(tx.segments):
        return tx.segments[position - 1].split(d.element, 1)[0]
    return ""


def _is_composite(tx: Transaction, d: Delimiters, position: int, element: int) -> bool:
    """True when element ``element`` of the segment at ``position`` holds components or repeats."""
    if not 1 <= position <= len(tx.segments):
        return False
    els = tx.segments[position - 1].split(d.element)
    if element >= len(els):
        return False
    v = els[element]
    return d.component in v or bool(d.repetition and d.repetition in v)


def _element_value(tx: Transaction, d: Delimiters, e: EdiError) -> str | None:
    """The bad data element (or component / repetition) an element error points at."""
    loc = e.location
    pos, i = loc.ts_segment, loc.element
    if pos is None or i is None or not 1 <= pos <= len(tx.segments):
        return None
    seg = split_segment(tx.segments[pos - 1], d)
    if i >= len(seg):
        return None
    v: Element = seg[i]
    if isinstance(v, str):
        return _safe(v, d)
    comps: list[str] = []
    if v and isinstance(v[0], list):
        r = (loc.repetition or 1) - 1
        if 0 <= r < len(v):
            comps = [c for c in v[r] if isinstance(c, str)]
    else:
        comps = [c for c in v if isinstance(c, str)]
    c = (loc.component or 1) - 1
    return _safe(comps[c] if 0 <= c < len(comps) else None, d)


def _segment_errors(tx: Transaction, d: Delimiters) -> list[_SegmentErrors]:
    """Segment and element errors of ``tx`` grouped by segment, in segment order."""
    by_pos: dict[tuple[int, str], _SegmentErrors] = {}
    for e in tx.errors:
        spec: ErrorCode = e.spec
        loc = e.location
        if loc.ts_segment is None or not (spec.ak3 or spec.ak4):
            continue
        tag = loc.tag or _tag_at(tx, d, loc.ts_segment)
        key = (loc.ts_segment, tag)
        se = by_pos.get(key)
        if se is None:
            se = by_pos[key] = _SegmentErrors(tag, loc.ts_segment, [], [])
        if spec.ak4 and loc.element is not None:
            if "8" not in se.codes:
                se.codes.append("8")
            comp = loc.component
            if comp == 1 and not _is_composite(tx, d, loc.ts_segment, loc.element):
                comp = None  # "component 1" of a simple element is the element itself
            c030 = [str(loc.element)]
            if comp is not None or loc.repetition is not None:
                c030.append(str(comp) if comp is not None else "")
            if loc.repetition is not None:
                c030.append(str(loc.repetition))
            if len(se.elements) < MAX_AK4_PER_AK3:
                se.elements.append((c030, spec.ak4, _element_value(tx, d, e)))
        elif spec.ak3 and spec.ak3 not in se.codes:
            se.codes.append(spec.ak3)
    out = sorted(by_pos.values(), key=lambda s: s.position)
    for s in out:  # segment-level codes first, then "8" followed by its AK4s (as pyx12 writes)
        s.codes.sort(key=lambda c: c == "8")
    return out


def _business_unit(tx: Transaction, d: Delimiters, position: int) -> list[str] | None:
    """X231 CTX business unit (``["CLM01", claim id]``) of the segment at ``position``."""
    spec = BUSINESS_UNITS.get(tx.type)
    if spec is None:
        return None
    tag, element, stops = spec
    for i in range(min(position, len(tx.segments)) - 1, 0, -1):
        text = tx.segments[i]
        t = text.split(d.element, 1)[0]
        if t == tag:
            seg = split_segment(text, d)
            v = seg[element] if element < len(seg) else ""
            value = _safe(
                v if isinstance(v, str) else (v[0] if v and isinstance(v[0], str) else None), d, 50
            )
            return [f"{tag}{element:02d}", value] if value else None
        if t in stops:
            return None
    return None


def _build_fa(kind: str, interchange: Interchange, group: Group, control: str) -> list[Segment]:
    """One 997 or 999 transaction set (ST..SE) acknowledging ``group``."""
    d = interchange.delimiters
    x999 = kind == "999"
    segs: list[Segment] = [["ST", kind, control, X231] if x999 else ["ST", kind, control]]
    ak1: Segment = ["AK1", group.functional_id.strip(), group.control.strip()]
    if x999:
        ak1.append(group.version.strip())
    segs.append(ak1)
    group_rejected = _group_rejected(interchange, group)
    accepted = 0
    noted = any(not e.rejects for e in group.errors)
    seg_tag, ele_tag, set_tag = ("IK3", "IK4", "IK5") if x999 else ("AK3", "AK4", "AK5")
    for tx in group.transactions:
        rejected = group_rejected or not tx.accepted
        ak2: Segment = ["AK2", tx.type.strip(), tx.control.strip()]
        if x999 and tx.implementation.strip():
            ak2.append(tx.implementation.strip())
        segs.append(ak2)
        for se in _segment_errors(tx, d):
            unit = _business_unit(tx, d, se.position) if x999 else None
            for code in se.codes:
                segs.append([seg_tag, se.tag, str(se.position), "", code])
                if unit is not None:
                    segs.append(["CTX", unit])
                    unit = None
                if code == "8":
                    for c030, ak403, bad in se.elements:
                        segs.append([ele_tag, c030, "", ak403, bad or ""])
        if rejected:
            status = "R"
            codes = _codes((e for e in tx.errors if e.rejects), "ak5", MAX_AK5_CODES)
        else:
            accepted += 1
            status = "E" if tx.errors else "A"
            codes = _codes(tx.errors, "ak5", MAX_AK5_CODES)
            noted = noted or bool(tx.errors)
        segs.append([set_tag, status, *codes])
    received = len(group.transactions)
    if group_rejected or (received and not accepted):
        ak901 = "R"
    elif accepted < received:
        ak901 = "P"
    else:
        ak901 = "E" if noted else "A"
    ak9_codes = _codes(group.errors, "ak9", MAX_AK9_CODES)
    segs.append(["AK9", ak901, str(received), str(received), str(accepted), *ak9_codes])
    segs.append(["SE", str(len(segs) + 1), control])
    return segs


def build_997(interchange: Interchange, group: Group, *, control: str = "0001") -> list[Segment]:
    """The 997 functional acknowledgment (ST..SE, ST02 = ``control``) of one received group."""
    return _build_fa("997", interchange, group, control)


def build_999(interchange: Interchange, group: Group, *, control: str = "0001") -> list[Segment]:
    """The 999 implementation acknowledgment (X231 A1: IK3/CTX/IK4/IK5) of one received group."""
    return _build_fa("999", interchange, group, control)


# ---------------------------------------------------------------------------
# CONTRL


def _edifact_party(p: Party) -> Element:
    return [p.id, p.qualifier] if p.qualifier else p.id


def _message_identifier(tx: Transaction, d: Delimiters) -> Element:
    """UNH S009 of ``tx`` (type, version, release, agency, association) as received."""
    if tx.segments:
        seg = split_segment(tx.segments[0], d)
        if len(seg) > 2:
            s009 = seg[2]
            if isinstance(s009, list):
                comps = s009[0] if s009 and isinstance(s009[0], list) else s009
                return [c for c in comps if isinstance(c, str)]
            return s009
    return tx.type


def _error_position(e: EdiError) -> tuple[str, Element]:
    """CONTRL 0013 service segment tag and S011 data element position of an envelope error."""
    loc = e.location
    tag = loc.tag if loc.tag and loc.tag.startswith("UN") else ""
    if loc.element is None:
        return tag, ""
    return tag, [str(loc.element), str(loc.component)] if loc.component else str(loc.element)


def _first_contrl(errors: Sequence[EdiError]) -> EdiError | None:
    """The error whose 0085 code a CONTRL reports: the first rejecting one, else the first."""
    coded = [e for e in errors if e.spec.contrl]
    return next((e for e in coded if e.rejects), coded[0] if coded else None)


def _contrl_segment_errors(tx: Transaction) -> list[Segment]:
    """UCS (and UCD) for the segment and element errors inside a message."""
    out: list[Segment] = []
    last: int | None = None
    for e in sorted(tx.errors, key=lambda x: x.location.ts_segment or 0):
        spec, loc = e.spec, e.location
        if not spec.contrl or loc.ts_segment is None or loc.tag in ("UNH", "UNT"):
            continue
        if spec.level not in (Level.SEGMENT, Level.ELEMENT):
            continue
        element_error = loc.element is not None and spec.level is Level.ELEMENT
        if loc.ts_segment != last:
            out.append(["UCS", str(loc.ts_segment), "" if element_error else spec.contrl])
            last = loc.ts_segment
        if element_error:
            pos: Element = (
                [str(loc.element), str(loc.component)] if loc.component else str(loc.element)
            )
            out.append(["UCD", spec.contrl, pos])
    return out


def build_contrl(
    interchange: Interchange, *, reference: str = "1", receipt_only: bool = False
) -> list[Segment]:
    """The UN/EDIFACT CONTRL message (UNH..UNT, UNH01 = ``reference``) for ``interchange``.

    UCI says 7 (accepted), 4 (rejected) or, with ``receipt_only``, 8 (received);
    then, unless the interchange is rejected, UCF per explicit group and UCM per
    message (7 or 4 with its 0085 error), with UCS/UCD for segment and element errors.
    """
    d = interchange.delimiters
    version = "4" if interchange.version == "4" else "3"
    msg_id: Element = ["CONTRL", "4", "1", "UN"] if version == "4" else ["CONTRL", "D", "3", "UN"]
    segs: list[Segment] = [["UNH", reference, msg_id]]
    uci: Segment = [
        "UCI",
        interchange.control,
        _edifact_party(interchange.sender),
        _edifact_party(interchange.receiver),
    ]
    rejected = not interchange.accepted
    if receipt_only:
        uci.append("8")
    else:
        uci.append("4" if rejected else "7")
        err = _first_contrl(interchange.errors)
        if err is not None:
            tag, pos = _error_position(err)
            uci += [err.spec.contrl or "", tag, pos]
    segs.append(uci)
    if not receipt_only and not rejected:
        for g in interchange.groups:
            g_rejected = _group_rejected(interchange, g)
            if not g.implicit:
                ucf: Segment = ["UCF", g.control, g.sender, g.receiver, "4" if g_rejected else "7"]
                gerr = _first_contrl(g.errors)
                if gerr is not None:
                    tag, pos = _error_position(gerr)
                    ucf += [gerr.spec.contrl or "", tag, pos]
                segs.append(ucf)
            for tx in g.transactions:
                tx_rejected = g_rejected or not tx.accepted
                ucm: Segment = [
                    "UCM",
                    tx.control,
                    _message_identifier(tx, d),
                    "4" if tx_rejected else "7",
                ]
                terr = _first_contrl(
                    [e for e in tx.errors if e.rejects] if tx_rejected else tx.errors
                )
                if terr is not None and terr.location.tag in ("UNH", "UNT", None):
                    tag, pos = _error_position(terr)
                    ucm += [terr.spec.contrl or "", tag, pos]
                elif terr is not None:
                    ucm.append(terr.spec.contrl or "")
                segs.append(ucm)
                segs.extend(_contrl_segment_errors(tx))
    segs.append(["UNT", str(len(segs) + 1), reference])
    return segs


# ---------------------------------------------------------------------------
# envelopes (serialized by parsers.writer)


def _codec(interchange: Interchange) -> str:
    """How to encode an X12 reply: UTF-8 when the inbound was, else Latin-1 (ASCII, EBCDIC input).

    Latin-1 writes ASCII unchanged and never fails on text decoded from the inbound bytes.
    """
    return (
        "utf-8"
        if interchange.encoding.lower().replace("_", "-") in ("utf-8", "utf8")
        else "latin-1"
    )


def _x12_candidates(d: Delimiters, version: str) -> list[Delimiters]:
    """The inbound delimiters (made valid for writing), then fallbacks when data collides."""
    rep = d.repetition
    if version >= "00402" and rep is None:
        rep = next(c for c in "^{|!>" if c not in (d.element, d.component, d.segment))
    first = Delimiters(d.element, d.component, d.segment, rep)
    return [first, X12_DEFAULT, Delimiters("|", ">", "~", "^"), Delimiters("*", ">", "~", "{")]


def _write(build: Callable[[Delimiters], bytes], candidates: Sequence[Delimiters]) -> bytes:
    """``build`` with the first delimiters the data does not collide with (and that are valid)."""
    last: Exception | None = None
    for d in candidates:
        try:
            return build(d)
        except (DelimiterInData, ValueError) as exc:
            last = exc
    raise ValueError(f"acknowledgement data cannot be written with any delimiters: {last}")


def _fa_version(interchange: Interchange, kind: str) -> str:
    """GS08 of the acknowledgement group: X231 A1 for 999, else the inbound release (004010...)."""
    if kind == "999":
        return X231
    for g in interchange.groups:
        v = g.version[:6]
        if len(v) == 6 and v.isdigit():
            return v
    v = interchange.version
    return v + "0" if v.isdigit() and len(v) == 5 else "004010"


def _out_transaction(segs: Sequence[Segment]) -> TransactionOut:
    """A built ST..SE / UNH..UNT as the writer's TransactionOut (the writer recounts the trailer)."""
    head = segs[0]
    if head[0] == "UNH":
        s009 = head[2]
        parts = [c for c in s009 if isinstance(c, str)] if isinstance(s009, list) else [s009]
        return TransactionOut(parts[0], str(head[1]), list(segs[1:-1]), parts[1:])
    return TransactionOut(str(head[1]), str(head[2]), list(segs[1:-1]), [str(v) for v in head[3:4]])


def wrap_x12(
    interchange: Interchange,
    sets: Sequence[Sequence[Segment]],
    *,
    interchange_control: int,
    group_control: int,
    now: datetime,
    version: str = "004010",
    ta1: Sequence[Segment] = (),
    app_sender: str | None = None,
    app_receiver: str | None = None,
    delimiters: Delimiters | None = None,
    sender: Party | None = None,
    line_break: str = "",
) -> bytes:
    """ISA [TA1] [GS*FA sets GE] IEA addressed back to the sender of ``interchange``.

    Our ISA05/06 is the inbound ISA07/08 (or ``sender``), the receiver the inbound
    sender; GS02/GS03 default to the first inbound group's GS03/GS02; ISA12, ISA15 and
    the delimiters are copied from the inbound interchange (other delimiters are used
    only if a value to write contains one); ISA14 is 0.
    """
    isa12 = (
        interchange.version
        if len(interchange.version) == 5 and interchange.version.isdigit()
        else "00401"
    )
    us = sender or interchange.receiver
    first = next((g for g in interchange.groups if not g.implicit), None)
    groups: list[GroupOut] = []
    if sets:
        gs02 = app_sender if app_sender is not None else (first.receiver if first else us.id)
        gs03 = (
            app_receiver
            if app_receiver is not None
            else (first.sender if first else interchange.sender.id)
        )
        groups.append(
            GroupOut(
                "FA",
                gs02.strip(),
                gs03.strip(),
                str(group_control),
                (version,),
                [_out_transaction(s) for s in sets],
                date=now.strftime("%Y%m%d"),
                time=now.strftime("%H%M"),
            )
        )

    def build(d: Delimiters) -> bytes:
        return writer.x12_interchange(
            sender=Party(us.qualifier.strip(), us.id.strip()),
            receiver=Party(interchange.sender.qualifier.strip(), interchange.sender.id.strip()),
            control=interchange_control,
            groups=groups,
            delimiters=d,
            version=isa12,
            date=now.strftime("%y%m%d"),
            time=now.strftime("%H%M"),
            test=interchange.test,
            interchange_segments=ta1,
            line_break=line_break,
            encoding=_codec(interchange),
        )

    d = delimiters or interchange.delimiters
    return _write(build, [d] if delimiters else _x12_candidates(d, isa12))


def _needs_una(interchange: Interchange, d: Delimiters) -> bool:
    """True unless ``d`` are the defaults a reader assumes without UNA (level A, or level B)."""
    if d.element == "\x1d" and d.component == "\x1f" and d.segment == "\x1c":
        return False
    a = EDIFACT_DEFAULT
    default_rep = "*" if interchange.version == "4" else None
    return not (
        (d.element, d.component, d.segment, d.release, d.decimal)
        == (a.element, a.component, a.segment, a.release, a.decimal)
        and d.repetition in (None, default_rep)
    )


def wrap_edifact(
    interchange: Interchange,
    message: Sequence[Segment],
    *,
    interchange_control: int,
    now: datetime,
    delimiters: Delimiters | None = None,
    sender: Party | None = None,
    una: bool | None = None,
    line_break: str = "",
) -> bytes:
    """[UNA] UNB message UNZ addressed back to the sender of ``interchange``.

    Syntax identifier and version, test indicator (UNB11) and delimiters are copied
    from the inbound interchange; UNA is written when the delimiters are not the
    defaults (or as ``una`` says).
    """
    d = delimiters or interchange.delimiters
    us = sender or interchange.receiver
    version = interchange.version if interchange.version in ("1", "2", "3", "4") else "3"
    syntax = interchange.syntax if interchange.syntax in EDIFACT_CODECS else "UNOA"

    def build(dd: Delimiters) -> bytes:
        return writer.edifact_interchange(
            sender=us,
            receiver=interchange.sender,
            control=str(interchange_control),
            messages=[_out_transaction(message)],
            delimiters=dd,
            syntax=syntax,
            syntax_version=version,
            date=now.strftime("%Y%m%d" if version == "4" else "%y%m%d"),
            time=now.strftime("%H%M"),
            test=interchange.test,
            write_una=una if una is not None and dd is d else _needs_una(interchange, dd),
            line_break=line_break,
        )

    return _write(build, [d] if delimiters else [d, EDIFACT_DEFAULT])


# ---------------------------------------------------------------------------
# the pipeline's entry points


def applicable_acks(interchange: Interchange, wanted: Iterable[str]) -> list[str]:
    """The kinds among ``wanted`` that make sense for ``interchange``, in sending order.

    X12: TA1 when ISA14 asks for one (and the interchange has groups) or the
    interchange has errors; 997 / 999 for its groups that are not themselves
    acknowledgements, and not when a TA1 already rejects the whole interchange.
    EDIFACT: CONTRL unless every message is a CONTRL. Nothing else.
    """
    want = {w.upper() for w in wanted}
    out: list[str] = []
    if interchange.standard is Standard.X12:
        errs = any(e.rejects or e.spec.ta1 for e in interchange.errors)
        if "TA1" in want and (errs or (interchange.ack_requested and interchange.groups)):
            out.append("TA1")
        business = [g for g in interchange.groups if not _is_ack_group(g, Standard.X12)]
        if business and not ("TA1" in out and not interchange.accepted):
            out += [k for k in ("997", "999") if k in want]
    elif "CONTRL" in want:
        txs = interchange.transactions
        if not (txs and all(t.type == "CONTRL" for t in txs)):
            out.append("CONTRL")
    return out


def _overall(codes: Sequence[str]) -> str:
    if not codes:
        return "A"
    if len(set(codes)) == 1:
        return codes[0]
    if all(c in ("A", "E") for c in codes):
        return "E"
    return "P" if any(c in ("A", "E", "P") for c in codes) else "R"


def _ack_x12_sets(
    kind: str,
    interchange: Interchange,
    alloc: _Allocator,
    now: datetime,
    delimiters: Delimiters | None,
    line_break: str,
) -> list[Ack]:
    groups = [g for g in interchange.groups if not _is_ack_group(g, Standard.X12)]
    # one outbound interchange per application sender/receiver pair (GS02/GS03), in order
    pairs: dict[tuple[str, str], list[Group]] = {}
    for g in groups:
        pairs.setdefault((g.sender, g.receiver), []).append(g)
    out: list[Ack] = []
    version = _fa_version(interchange, kind)
    for (gs02, gs03), gs in pairs.items():
        sets = []
        statuses: list[str] = []
        received = accepted = 0
        for n, g in enumerate(gs, 1):
            s = _build_fa(kind, interchange, g, f"{n:04d}")
            sets.append(s)
            ak9 = next(seg for seg in s if seg[0] == "AK9")
            statuses.append(str(ak9[1]))
            received += int(str(ak9[3]))
            accepted += int(str(ak9[4]))
        ic_ctl = alloc("interchange")
        g_ctl = alloc("group")
        data = wrap_x12(
            interchange,
            sets,
            interchange_control=ic_ctl,
            group_control=g_ctl,
            now=now,
            version=version,
            app_sender=gs03,
            app_receiver=gs02,
            delimiters=delimiters,
            line_break=line_break,
        )
        out.append(
            Ack(
                kind,
                data,
                ic_ctl,
                (g_ctl,),
                interchange.control,
                _overall(statuses),
                received,
                accepted,
                received - accepted,
            )
        )
    return out


def acknowledge(
    interchange: Interchange,
    kinds: Sequence[str],
    *,
    controls: ControlSource,
    now: datetime,
    delimiters: Delimiters | None = None,
    line_break: str = "",
) -> list[Ack]:
    """Every acknowledgement of ``kinds`` that applies to ``interchange``, each a whole interchange.

    ``controls`` gives our control numbers: fixed starting values, or an allocator
    called with ``"interchange"`` / ``"group"`` for each number used (the pipeline's
    per-partner sequence). Each returned :class:`Ack` says which numbers it used.
    The 997/999 go one interchange per inbound GS02/GS03 pair (usually one).
    """
    alloc = _Allocator(controls)
    out: list[Ack] = []
    for kind in applicable_acks(interchange, kinds):
        if kind == "TA1":
            ta1 = build_ta1(interchange)
            ctl = alloc("interchange")
            data = wrap_x12(
                interchange,
                [],
                interchange_control=ctl,
                group_control=0,
                now=now,
                ta1=ta1,
                delimiters=delimiters,
                line_break=line_break,
            )
            status = str(ta1[0][4])
            ok = int(status != "R")
            out.append(Ack("TA1", data, ctl, (), interchange.control, status, 1, ok, 1 - ok))
        elif kind in ("997", "999"):
            out += _ack_x12_sets(kind, interchange, alloc, now, delimiters, line_break)
        elif kind == "CONTRL":
            ctl = alloc("interchange")
            msg = build_contrl(interchange, reference=str(ctl))
            data = wrap_edifact(
                interchange,
                msg,
                interchange_control=ctl,
                now=now,
                delimiters=delimiters,
                line_break=line_break,
            )
            ucms = [s for s in msg if s[0] == "UCM"]
            uci = next(s for s in msg if s[0] == "UCI")
            received = len(interchange.transactions)
            acc = sum(1 for s in ucms if s[3] == "7") if interchange.accepted else 0
            out.append(
                Ack(
                    "CONTRL",
                    data,
                    ctl,
                    (),
                    interchange.control,
                    str(uci[4]),
                    received,
                    acc,
                    received - acc,
                )
            )
    return out


# ---------------------------------------------------------------------------
# inbound acknowledgements


def _tuple(values: Iterable[Element]) -> tuple[str, ...]:
    return tuple(v for v in (_first(x) for x in values) if v)


def _first(v: Element) -> str:
    if isinstance(v, str):
        return v
    head = v[0] if v else ""
    if isinstance(head, list):
        head = head[0] if head else ""
    return head


def _statuses_from_keys(
    ack: str,
    keys: Mapping[str, Any],
    sender: Party | None,
    receiver: Party | None,
    details: Mapping[str, Any] | None = None,
) -> list[AckStatus]:
    """AckStatus values from the keys :func:`parsers.keys.extract_keys` gives an acknowledgement."""
    details = details or {}
    out: list[AckStatus] = []

    def add(level: str, table: Mapping[str, str], code: str, **where: Any) -> None:
        """One status of this acknowledgement (unknown codes read as rejected)."""
        out.append(
            AckStatus(
                ack,
                level,
                table.get(code, "rejected"),
                code,
                sender=sender,
                receiver=receiver,
                **where,
            )
        )

    if ack == "TA1":
        code = keys.get("ack_code") or ""
        note = keys.get("note_code")
        add(
            "interchange",
            _X12_STATUS,
            code,
            interchange=keys.get("interchange_control"),
            errors=(note,) if note and note != "000" else (),
        )
    elif ack in ("997", "999"):
        group = keys.get("group_control")
        code = keys.get("ack_code") or ""
        add(
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
            add(
                "transaction",
                _X12_STATUS,
                c,
                group=group,
                transaction=s.get("control"),
                type=s.get("type"),
                errors=set_errors[i] if i < len(set_errors) else (),
            )
    elif ack == "CONTRL":
        ref = keys.get("interchange_ref")
        code = keys.get("action_code") or ""
        add(
            "interchange",
            _CONTRL_STATUS,
            code,
            interchange=ref,
            errors=tuple(details.get("interchange_errors", ())),
        )
        for g in details.get("groups", []):
            add(
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
            add(
                "transaction",
                _CONTRL_STATUS,
                c,
                interchange=ref,
                group=msg_groups[i] if i < len(msg_groups) else None,
                transaction=m.get("reference"),
                type=m.get("type"),
                errors=(err,) if err else (),
            )
    return out


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


def _ta1_segments(interchange: Interchange, data: bytes) -> list[Segment]:
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
    text = b"".join(chunks).decode(_codec(interchange), "replace")
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
            for seg in _ta1_segments(interchange, data):
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
