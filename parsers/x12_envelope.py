"""The X12 half of the envelope machine: the ISA header and ST/SE, GS/GE, IEA segments.

The machine (:mod:`parsers.envelopes`) keeps the state and the checks both
standards share; this dialect reads X12's fixed-width ISA, splits X12
envelope segments (X12 has no release character, so one ``str.split``) and
applies the X12-only header rules (ST01, ST02 length, GS fields).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from parsers.delimiters import read_isa
from parsers.dialect import NEED_MORE, Dialect, first, unreadable
from parsers.errors import (
    COMPONENT_SEPARATOR_INVALID,
    ISA_LENGTH_SCANNED,
    ISA_UNREADABLE,
    TRANSACTION_CONTROL_DUPLICATE,
    TRANSACTION_CONTROL_INVALID,
    TRANSACTION_OUTSIDE_GROUP,
    TRANSACTION_TYPE_INVALID,
    EdiError,
)
from parsers.model import Group, Interchange, Party, Standard, Transaction
from parsers.tokenizer import syntax_for
from parsers.validation import check_delimiters, check_gs, check_isa

if TYPE_CHECKING:
    from parsers.delimiters import IsaLayout
    from parsers.envelopes import Machine
    from parsers.tokenizer import Syntax
    from parsers.validation import Problem


class X12(Dialect):
    """X12 interchanges: ISA/IEA, GS/GE functional groups, ST/SE transaction sets."""

    def start(self, m: Machine, buf: bytes, j: int, base: int, eof: bool) -> int:
        """Read an ISA at ``j`` and open its interchange; a position, NEED_MORE or FATAL."""
        lay = read_isa(buf, j, eof)
        if lay is None:
            return NEED_MORE
        if isinstance(lay, str):
            return unreadable(m, lay, ISA_UNREADABLE, base + j, "ISA")
        d = lay.delimiters
        fatal = [
            p
            for p in check_delimiters(d.element, d.component, d.segment, None, None)
            if p[0] != COMPONENT_SEPARATOR_INVALID
        ]
        if fatal:
            return m.fatal(fatal[0][0], fatal[0][1], base + j, "ISA")
        els = lay.text.split(d.element)
        m.ordinal += 1
        ic = _interchange(els, lay, base, j, m.ordinal, m.file_encoding)
        problems = _isa_problems(els, lay, j, fatal)
        m.open_interchange(ic, syntax_for(Standard.X12, d, lay.codec), problems, base + j, "ISA")
        return lay.end

    def segment(self, m: Machine, tag: str, k: int, s: int, tp: int) -> int | None:
        """Handle one X12 envelope segment; a position when the interchange ended."""
        if tag == "ST":
            self._st(m, k, s, tp)
        elif tag == "SE":
            m.txn_trailer(k, s, tp, tag)
        elif tag == "GS":
            self._gs(m, k, s, tp)
        elif tag == "GE":
            if m.at_group_trailer(k, s, tag):
                els = m.blk.text(k, s, tp).split(m.blk.syn.elem_str)
                m.close_group(k, s, tp, first(els, 1), first(els, 2), tag)
        elif tag == "IEA":
            m.cut_open(k, s, tag)
            els = m.blk.text(k, s, tp).split(m.blk.syn.elem_str)
            return m.close_ic(k, s, tp, els, tag, m.groups)
        elif tag == "ISA":
            return m.abort(k, s, tag)
        elif m.txn is None:  # TA1 / ISB / ISE: interchange-level control segments
            if m.group is not None:
                m.report_stray(k, s, 1)
            else:
                m.stray = False
        return None

    def count_and_reference(self, trailer: str, syn: Syntax) -> tuple[str, str]:
        """SE01 and SE02."""
        els = trailer.split(syn.elem_str)
        return first(els, 1), first(els, 2)

    def _st(self, m: Machine, k: int, s: int, tp: int) -> None:
        """An ST: close an open transaction, open the new one (in an implicit group without GS)."""
        if m.txn is not None:
            m.cut_txn(k, s, "ST")
        group = m.group
        outside = group is None
        if group is None:
            group = m.implicit_group(k, s)
        blk = m.blk
        text = blk.buf[s:tp].decode(blk.codec) if blk.fast else blk.text(k, s, tp)
        els = text.split(blk.syn.elem_str)
        ttype, ctl, impl = first(els, 1), first(els, 2), first(els, 3)
        t = Transaction(
            ttype, ctl, impl or group.version, [], m.base + s, m.ordinal + k + 1, [], impl
        )
        errors = t.errors
        if outside:
            msg = "ST outside any functional group (no GS)"
            errors.append(EdiError(TRANSACTION_OUTSIDE_GROUP, msg, m.loc(k, s, "ST", None, 1)))
        if len(ttype) != 3 or not ttype.isalnum():
            msg = f"ST01 {ttype!r} is not a transaction set identifier"
            errors.append(EdiError(TRANSACTION_TYPE_INVALID, msg, m.loc(k, s, "ST", 1, 1)))
        if not 4 <= len(ctl) <= 9:
            msg = f"ST02 {ctl!r} is not 4-9 characters"
            errors.append(EdiError(TRANSACTION_CONTROL_INVALID, msg, m.loc(k, s, "ST", 2, 1)))
        if ctl and not m.st_ctrl.add(ctl):
            msg = f"ST02 {ctl!r} repeats in the group"
            errors.append(EdiError(TRANSACTION_CONTROL_DUPLICATE, msg, m.loc(k, s, "ST", 2, 1)))
        m.begin_txn(t, k, s)

    def _gs(self, m: Machine, k: int, s: int, tp: int) -> None:
        """A GS: close what is open and open the functional group, checking its fields."""
        m.cut_open(k, s, "GS")
        els = m.blk.text(k, s, tp).split(m.blk.syn.elem_str)
        g = els + [""] * (9 - len(els))
        grp = Group(
            g[1], g[6], g[8], g[2], g[3], g[4], g[5], m.base + s, m.ordinal + k + 1, agency=g[7]
        )
        for code, msg, el, _c in check_gs(els):
            grp.errors.append(EdiError(code, msg, m.loc(k, s, "GS", el)))
        m.add_group(grp, k, s, tp, "GS", 6)


def _interchange(
    els: list[str], lay: IsaLayout, base: int, j: int, index: int, ebcdic: str
) -> Interchange:
    """The interchange the ISA at buffer position ``j`` describes (``base``: the buffer's offset)."""
    g = els + [""] * (17 - len(els))
    return Interchange(
        standard=Standard.X12,
        delimiters=lay.delimiters,
        sender=Party(g[5].strip(), g[6].strip()),
        receiver=Party(g[7].strip(), g[8].strip()),
        control=g[13].strip(),
        version=g[12].strip(),
        date=g[9],
        time=g[10],
        test=g[15] == "T",
        ack_requested=g[14] == "1",
        offset=base + j,
        end=-1,
        index=index,
        header=els,
        encoding=ebcdic or lay.codec,
        header_end=base + lay.end,
    )


def _isa_problems(els: list[str], lay: IsaLayout, j: int, fatal: list[Problem]) -> list[Problem]:
    """The ISA's field and delimiter problems (``fatal`` ones already reported), in report order."""
    d = lay.delimiters
    problems = check_isa(els, lay.scanned)
    problems += [
        p
        for p in check_delimiters(d.element, d.component, d.segment, d.repetition, None)
        if p not in fatal
    ]
    if lay.scanned:
        msg = f"ISA is {lay.end - j} bytes, expected 106"
        problems.insert(0, (ISA_LENGTH_SCANNED, msg, None, None))
    return problems


X12_DIALECT: Dialect = X12(
    Standard.X12, ("SE", "GE", "IEA"), implicit_group_is_group=False, requires_messages=False
)
