"""X12 acknowledgements: the TA1 segment, 997 / 999 sets and the ISA..IEA they are sent in.

The builders are pure (an :class:`~parsers.model.Interchange` and its errors in,
segments out); :func:`wrap_x12` addresses them back to the partner and writes bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from parsers import writer
from parsers.acks_common import (
    Ack,
    Allocator,
    ack_codes,
    group_rejected,
    is_ack_group,
    out_transaction,
    reply_codec,
    safe_value,
    write_fitting,
)
from parsers.errors import EdiError, ErrorCode
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
from parsers.writer import X12_DEFAULT, GroupOut

X231: Final = "005010X231A1"  # ST03 / GS08 of the 999 (Implementation Acknowledgment, 5010 X231 A1)
MAX_AK5_CODES: Final = 5  # AK502-AK506 / IK502-IK506
MAX_AK9_CODES: Final = 5  # AK905-AK909
MAX_AK4_PER_AK3: Final = 99

# X231 CTX business unit identifier per transaction set: the segment and element whose
# value names the business unit an error is in (837: the claim, CLM01).
BUSINESS_UNITS: Final[dict[str, tuple[str, int, frozenset[str]]]] = {
    "837": ("CLM", 1, frozenset({"HL"})),  # a claim runs from CLM to the next HL (or SE)
}


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
    """The tag of the transaction's segment at 1-based ``position`` ("" when out of range)."""
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
        return safe_value(v, d)
    comps: list[str] = []
    if v and isinstance(v[0], list):
        r = (loc.repetition or 1) - 1
        if 0 <= r < len(v):
            comps = [c for c in v[r] if isinstance(c, str)]
    else:
        comps = [c for c in v if isinstance(c, str)]
    c = (loc.component or 1) - 1
    return safe_value(comps[c] if 0 <= c < len(comps) else None, d)


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
            value = safe_value(
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
    all_rejected = group_rejected(interchange, group)
    accepted = 0
    noted = any(not e.rejects for e in group.errors)
    seg_tag, ele_tag, set_tag = ("IK3", "IK4", "IK5") if x999 else ("AK3", "AK4", "AK5")
    for tx in group.transactions:
        rejected = all_rejected or not tx.accepted
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
            codes = ack_codes((e for e in tx.errors if e.rejects), "ak5", MAX_AK5_CODES)
        else:
            accepted += 1
            status = "E" if tx.errors else "A"
            codes = ack_codes(tx.errors, "ak5", MAX_AK5_CODES)
            noted = noted or bool(tx.errors)
        segs.append([set_tag, status, *codes])
    received = len(group.transactions)
    if all_rejected or (received and not accepted):
        ak901 = "R"
    elif accepted < received:
        ak901 = "P"
    else:
        ak901 = "E" if noted else "A"
    ak9_codes = ack_codes(group.errors, "ak9", MAX_AK9_CODES)
    segs.append(["AK9", ak901, str(received), str(received), str(accepted), *ak9_codes])
    segs.append(["SE", str(len(segs) + 1), control])
    return segs


def build_997(interchange: Interchange, group: Group, *, control: str = "0001") -> list[Segment]:
    """The 997 functional acknowledgment (ST..SE, ST02 = ``control``) of one received group."""
    return _build_fa("997", interchange, group, control)


def build_999(interchange: Interchange, group: Group, *, control: str = "0001") -> list[Segment]:
    """The 999 implementation acknowledgment (X231 A1: IK3/CTX/IK4/IK5) of one received group."""
    return _build_fa("999", interchange, group, control)


def _x12_candidates(d: Delimiters, version: str) -> list[Delimiters]:
    """The inbound delimiters (made valid for writing), then fallbacks when data collides."""
    rep = d.repetition
    if version >= "00402" and rep is None:
        rep = next(c for c in "^{|!>" if c not in (d.element, d.component, d.segment))
    first = Delimiters(d.element, d.component, d.segment, rep)
    return [first, X12_DEFAULT, Delimiters("|", ">", "~", "^"), Delimiters("*", ">", "~", "{")]


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
                [out_transaction(s) for s in sets],
                date=now.strftime("%Y%m%d"),
                time=now.strftime("%H%M"),
            )
        )

    def build(d: Delimiters) -> bytes:
        """The acknowledgement interchange written with delimiters ``d``."""
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
            encoding=reply_codec(interchange),
        )

    d = delimiters or interchange.delimiters
    return write_fitting(build, [d] if delimiters else _x12_candidates(d, isa12))


def _overall(codes: Sequence[str]) -> str:
    """One status for several AK9 statuses: all the same, E if all accepted, P if some, else R."""
    if not codes:
        return "A"
    if len(set(codes)) == 1:
        return codes[0]
    if all(c in ("A", "E") for c in codes):
        return "E"
    return "P" if any(c in ("A", "E", "P") for c in codes) else "R"


def ack_x12_sets(
    kind: str,
    interchange: Interchange,
    alloc: Allocator,
    now: datetime,
    delimiters: Delimiters | None,
    line_break: str,
) -> list[Ack]:
    """The 997s / 999s of ``interchange``: one outbound interchange per GS02/GS03 pair."""
    groups = [g for g in interchange.groups if not is_ack_group(g, Standard.X12)]
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
