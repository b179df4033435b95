"""The UN/EDIFACT half of the envelope machine: UNA/UNB and UNH/UNT, UNG/UNE, UNZ segments.

The machine (:mod:`parsers.envelopes`) keeps the state and the checks both
standards share; this dialect reads the optional UNA and the UNB (its syntax
identifier picks the codec), splits service segments with the release
character honoured, and applies the EDIFACT-only rules (UNH02 identifier,
UNG groups and ungrouped messages not mixed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from parsers.delimiters import read_una, with_repetition
from parsers.dialect import NEED_MORE, NONE, Dialect, fields, unreadable
from parsers.encoding import decode, edifact_codec
from parsers.errors import (
    GROUPS_AND_MESSAGES_MIXED,
    HEADER_TRUNCATED,
    TRANSACTION_CONTROL_DUPLICATE,
    TRANSACTION_CONTROL_INVALID,
    TRANSACTION_TYPE_INVALID,
    UNA_INVALID,
    EdiError,
    Location,
)
from parsers.model import Delimiters, Group, Interchange, Party, Standard, Transaction
from parsers.segments import split_segment
from parsers.tokenizer import escaped, syntax_for
from parsers.validation import check_unb, check_ung, component

if TYPE_CHECKING:
    from parsers.envelopes import Machine
    from parsers.model import Segment
    from parsers.tokenizer import Syntax


def _first(seg: list[list[str]], i: int) -> str:
    """The first component of element ``i`` of a service segment ("" when absent)."""
    return seg[i][0] if len(seg) > i else ""


class Edifact(Dialect):
    """EDIFACT interchanges: UNA?/UNB..UNZ, optional UNG/UNE groups, UNH/UNT messages."""

    def start(self, m: Machine, buf: bytes, j: int, base: int, eof: bool) -> int:
        """Read UNA?/UNB at ``j`` and open its interchange; a position, NEED_MORE or FATAL."""
        una = read_una(buf, j, eof)
        if una is None:
            return NEED_MORE
        if isinstance(una, str):
            return unreadable(m, una, UNA_INVALID, base + j, "UNA")
        d = una.delimiters
        if una.una and una.problem and "decimal" not in una.problem:
            return m.fatal(UNA_INVALID, una.problem, base + j, "UNA")
        term = d.segment.encode("latin-1")
        p = una.unb
        q = _unb_end(buf, p, d, term)
        if q == -1:
            if not eof:
                return NEED_MORE
            return m.fatal(HEADER_TRUNCATED, "UNB header truncated", base + j, "UNB")
        raw = buf[p:q]
        if d.segment not in "\r\n":
            raw = raw.replace(b"\r", b"").replace(b"\n", b"")
        text = raw.decode("latin-1")
        seg = split_segment(text, d)
        syntax = component(seg[1], 0) if len(seg) > 1 else ""
        version = component(seg[1], 1) if len(seg) > 1 else ""
        codec = edifact_codec(syntax) or "latin-1"
        if codec != "latin-1" and not raw.isascii():
            text, _ = decode(raw, codec)
            seg = split_segment(text, d)
        if not una.una and version == "4" and d.element == "+":
            d = with_repetition(d, "*")
        problems = check_unb(seg)
        if una.problem:
            problems.insert(0, (UNA_INVALID, una.problem, None, None))
        una_ordinal = 0
        if una.una:
            m.ordinal += 1
            una_ordinal = m.ordinal
        m.ordinal += 1
        ic = _interchange(seg, text, d, base + j, una_ordinal or m.ordinal)
        ic.encoding = m.file_encoding or codec
        ic.header_end = base + q + len(term)
        m.open_interchange(ic, syntax_for(Standard.EDIFACT, d, codec), problems, base + p, "UNB")
        return q + len(term)

    def segment(self, m: Machine, tag: str, k: int, s: int, tp: int) -> int | None:
        """Handle one EDIFACT service segment; a position when the interchange ended."""
        if tag == "UNH":
            self._unh(m, k, s, tp)
        elif tag == "UNT":
            m.txn_trailer(k, s, tp, tag)
        elif tag == "UNG":
            self._ung(m, k, s, tp)
        elif tag == "UNE":
            if m.at_group_trailer(k, s, tag):
                seg = _service(m, k, s, tp)
                m.close_group(k, s, tp, _first(seg, 1), _first(seg, 2), tag)
        elif tag == "UNZ":
            m.cut_open(k, s, tag)
            seg = _service(m, k, s, tp)
            els = [tag, _first(seg, 1), _first(seg, 2)]
            return m.close_ic(k, s, tp, els, tag, m.groups if m.uses_ung else m.messages)
        else:  # UNB / UNA: a new interchange inside this one
            return m.abort(k, s, tag)
        return None

    def count_and_reference(self, trailer: str, syn: Syntax) -> tuple[str, str]:
        """UNT01 and UNT02 (release character honoured)."""
        d = syn.delimiters
        if d.release is not None and d.release in trailer:
            f = fields(trailer, d)
            return _first(f, 1), _first(f, 2)
        els = trailer.split(d.element)
        return (els[1] if len(els) > 1 else ""), (els[2] if len(els) > 2 else "")

    def _unh(self, m: Machine, k: int, s: int, tp: int) -> None:
        """A UNH: close an open message, open the new one (in the implicit group without UNG)."""
        if m.txn is not None:
            m.cut_txn(k, s, "UNH")
        group = m.group
        if group is None:
            if m.uses_ung:
                _mixed(m, k, s, "UNH")
            else:
                m.uses_ung = False
            group = m.implicit_group(k, s)
        blk = m.blk
        text = blk.buf[s:tp].decode(blk.codec) if blk.fast else blk.text(k, s, tp)
        d = blk.syn.delimiters
        if d.release is not None and d.release in text:
            seg = fields(text, d)
            s009 = seg[2] if len(seg) > 2 else NONE
            ref = _first(seg, 1)
        else:
            els = text.split(d.element)
            s009 = els[2].split(d.component) if len(els) > 2 else NONE
            ref = els[1] if len(els) > 1 else ""
        n9 = len(s009)
        version = (s009[1] + s009[2]) if n9 > 2 else s009[1] if n9 > 1 else ""
        association = s009[4] if n9 > 4 else ""
        t = Transaction(s009[0], ref, version, [], m.base + s, m.ordinal + k + 1, [], association)
        errors = t.errors
        if not t.type or n9 < 2 or not s009[1]:
            msg = "UNH02 message identifier incomplete (type and version required)"
            errors.append(EdiError(TRANSACTION_TYPE_INVALID, msg, m.loc(k, s, "UNH", 2, 1)))
        if not ref or len(ref) > 14:
            msg = f"UNH01 {ref!r} is not a 1-14 character reference"
            errors.append(EdiError(TRANSACTION_CONTROL_INVALID, msg, m.loc(k, s, "UNH", 1, 1)))
        elif not m.st_ctrl.add(ref):
            msg = f"UNH01 {ref!r} repeats in the group"
            errors.append(EdiError(TRANSACTION_CONTROL_DUPLICATE, msg, m.loc(k, s, "UNH", 1, 1)))
        m.begin_txn(t, k, s)

    def _ung(self, m: Machine, k: int, s: int, tp: int) -> None:
        """A UNG: close what is open and open the group, checking its fields."""
        m.cut_open(k, s, "UNG")
        if m.uses_ung is False:
            _mixed(m, k, s, "UNG")
        m.uses_ung = True
        seg = _service(m, k, s, tp)

        def c(i: int, j: int) -> str:
            """Component ``j`` of element ``i`` ("" when absent)."""
            el = seg[i] if i < len(seg) else NONE
            return el[j] if j < len(el) else ""

        at, index = m.base + s, m.ordinal + k + 1
        grp = Group(
            c(1, 0),
            c(5, 0),
            c(7, 0) + c(7, 1),
            c(2, 0),
            c(3, 0),
            c(4, 0),
            c(4, 1),
            at,
            index,
            agency=c(6, 0),
        )
        for code, msg, el, comp in check_ung(seg):  # type: ignore[arg-type]
            loc = Location(offset=at, segment=index, tag="UNG", element=el, component=comp)
            grp.errors.append(EdiError(code, msg, loc))
        m.add_group(grp, k, s, tp, "UNG", 5)


def _unb_end(buf: bytes, p: int, d: Delimiters, term: bytes) -> int:
    """Buffer position of the UNB's terminator (not a released one); -1 when not in ``buf``."""
    q = buf.find(term, p)
    if d.release:
        rel = d.release.encode("latin-1")
        while q != -1 and escaped(buf, p, q, rel):
            q = buf.find(term, q + 1)
    return q


def _interchange(seg: Segment, text: str, d: Delimiters, at: int, index: int) -> Interchange:
    """The interchange a split UNB describes (``at`` the offset of its UNA or UNB)."""

    def c(i: int, k: int) -> str:
        """Component ``k`` of element ``i`` ("" when absent)."""
        return component(seg[i], k) if i < len(seg) else ""

    return Interchange(
        standard=Standard.EDIFACT,
        delimiters=d,
        sender=Party(c(2, 1), c(2, 0)),
        receiver=Party(c(3, 1), c(3, 0)),
        control=c(5, 0),
        version=c(1, 1),
        date=c(4, 0),
        time=c(4, 1),
        test=c(11, 0) == "1",
        ack_requested=c(9, 0) == "1",
        offset=at,
        end=-1,
        index=index,
        header=text.split(d.element),
        syntax=c(1, 0),
    )


def _service(m: Machine, k: int, s: int, tp: int) -> list[list[str]]:
    """The service segment at ``k`` as elements of components (release handled)."""
    return fields(m.blk.text(k, s, tp), m.blk.syn.delimiters)


def _mixed(m: Machine, k: int, s: int, tag: str) -> None:
    """Report (once) an EDIFACT interchange that mixes UNG groups and ungrouped messages."""
    ic = m.ic
    assert ic is not None
    if not any(e.code == GROUPS_AND_MESSAGES_MIXED for e in ic.errors):
        msg = f"{tag} mixes functional groups and ungrouped messages"
        ic.errors.append(EdiError(GROUPS_AND_MESSAGES_MIXED, msg, m.loc(k, s, tag)))


EDIFACT_DIALECT: Dialect = Edifact(
    Standard.EDIFACT, ("UNT", "UNE", "UNZ"), implicit_group_is_group=True, requires_messages=True
)
