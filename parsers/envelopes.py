"""Stage 3: the envelope state machine (ISA/GS/ST, UNA/UNB/UNG/UNH) and the events it emits.

One :class:`Machine` implements the envelope logic for both
:func:`parsers.parse` and :func:`parsers.stream`: it consumes tokenizer
:class:`~parsers.tokenizer.Block` values, checks every control count and
reference, recovers from missing or unexpected envelope segments, and emits
the :mod:`parsers.events` (re-exported here). What differs between the
standards (the interchange header, the envelope segments, trailer names) is a
:class:`~parsers.dialect.Dialect`: :mod:`parsers.x12_envelope` and
:mod:`parsers.edifact_envelope`. ``parse`` collects the events into
:class:`~parsers.model.Interchange` trees; ``stream`` yields them as they come
(a transaction as soon as its trailer is read), so memory stays bounded by the
largest transaction.
"""

from __future__ import annotations

import re
from bisect import insort
from collections.abc import Callable

from parsers.delimiters import isnum, sniff_tag
from parsers.dialect import FATAL, NEED_MORE, Dialect, fields
from parsers.edifact_envelope import EDIFACT_DIALECT
from parsers.encoding import ASCII_REPERTOIRES
from parsers.errors import (
    FINAL_TERMINATOR_MISSING,
    GROUP_CONTROL_DUPLICATE,
    GROUP_CONTROL_MISMATCH,
    GROUP_COUNT_INVALID,
    GROUP_COUNT_MISMATCH,
    GROUP_TRAILER_MISSING,
    INTERCHANGE_CONTROL_MISMATCH,
    INTERCHANGE_COUNT_MISMATCH,
    INTERCHANGE_TRAILER_INVALID,
    INTERCHANGE_TRAILER_MISSING,
    NO_INTERCHANGE,
    NO_MESSAGES,
    OUTSIDE_REPERTOIRE,
    SEGMENT_AFTER_TRAILER,
    SEGMENT_COUNT_INVALID,
    SEGMENT_COUNT_MISMATCH,
    SEGMENT_OUTSIDE_GROUP,
    SEGMENT_OUTSIDE_TRANSACTION,
    TRAILING_DATA,
    TRANSACTION_CONTROL_MISMATCH,
    TRANSACTION_TRAILER_MISSING,
    UNRECOGNIZED_DATA,
    EdiError,
    Location,
)
from parsers.events import (
    Event,
    GroupEnd,
    GroupStart,
    InputError,
    InterchangeEnd,
    InterchangeStart,
    TransactionComplete,
    TransactionPart,
)
from parsers.model import Delimiters, Group, Interchange, Standard, Transaction
from parsers.tokenizer import Block, Syntax, syntax_for
from parsers.validation import ControlSet, Problem
from parsers.x12_envelope import X12_DIALECT

_NON_ASCII = re.compile(rb"[\x80-\xff]")
# Between interchanges: whitespace, NUL padding, DOS end-of-file, and the UTF-8 BOM of
# each file when partners concatenate files.
_IGNORABLE = re.compile(rb"(?:[ \t\r\n\x00\x1a]|\xef\xbb\xbf)*+")
_HEADER = re.compile(rb"ISA|UN[AB]")
_SEGMENT_LIKE = re.compile(rb"[A-Z][A-Z0-9]{1,2}")
_NO_BLOCK = Block(syntax_for(Standard.X12, Delimiters("*", ":", "~"), "utf-8"), b"")
# (not a number, count mismatch, reference mismatch) codes of a group and an interchange trailer
_GROUP = (GROUP_COUNT_INVALID, GROUP_COUNT_MISMATCH, GROUP_CONTROL_MISMATCH)
_INTERCHANGE = (
    INTERCHANGE_TRAILER_INVALID,
    INTERCHANGE_COUNT_MISMATCH,
    INTERCHANGE_CONTROL_MISMATCH,
)
DIALECTS: dict[Standard, Dialect] = {Standard.X12: X12_DIALECT, Standard.EDIFACT: EDIFACT_DIALECT}


_CLOSERS = frozenset({"SE", "GE", "IEA", "UNT", "UNE", "UNZ"})
Spill = Callable[[Interchange, Transaction], bool]


class Machine:
    """The envelope state machine: feed it headers and blocks, drain its events.

    Its methods without a leading underscore are also the interface the
    dialects drive it through (open an interchange, a group, a transaction...).
    """

    def __init__(self, keep_segments: bool = True, spill: Spill | None = None) -> None:
        """A machine between interchanges; ``keep_segments=False`` skips transaction text;
        ``spill(ic, txn)`` True hands txn's text over in ``TransactionPart`` events per block."""
        self.keep = keep_segments
        self.spill = spill
        self.out: list[Event] = []
        self.ordinal = 0  # segments consumed so far in the input
        self.seen = 0  # interchanges started
        self.file_encoding = ""  # "cp037" / "cp500" when the input was EBCDIC
        self.fatal_seen = False  # an unreadable header was reported (no EDI001 then)
        self.ic: Interchange | None = None
        self.syn: Syntax | None = None
        self.dialect: Dialect = X12_DIALECT  # the open interchange's standard
        self.group: Group | None = None
        self.txn: Transaction | None = None
        self._reset_interchange()
        # garbage between interchanges
        self.garbage_at: int | None = None
        self.garbage_sample = b""
        self.garbage_reported = False
        self.after_trailer: bytes | None = None  # element separator of the interchange just closed
        self.base = 0  # absolute offset of the current buffer's first byte
        self.blk: Block = _NO_BLOCK
        self.pi = 0  # next problem of the current block to attach
        self.np = 0

    # -- bookkeeping ----------------------------------------------------------------------

    def _reset_interchange(self) -> None:
        """Forget the per-interchange state (counts, duplicates, open group/transaction)."""
        self.groups = 0  # explicit groups (GS / UNG) in the interchange
        self.messages = 0  # transactions in the interchange
        self.uses_ung: bool | None = None
        self.gs_ctrl = ControlSet(numeric=True)
        self.st_ctrl = ControlSet()
        self.g_count = 0  # transactions in the current group
        self.txn_k0 = 0  # block index where the open transaction's current part starts
        self.txn_s0 = -1  # buffer position of that part (-1: the block's first segment)
        self.txn_base = 0  # transaction segments read in earlier blocks
        self.stray = False  # the previous segment was a stray one (one error per run)
        self.warned_repertoire = False
        self.group = None
        self.txn = None

    def drain(self) -> list[Event]:
        """Take the events produced so far."""
        out = self.out
        self.out = []
        return out

    def _err(self, code: str, msg: str, **loc: int | str | None) -> EdiError:
        """An error with a location built from keyword fields."""
        return EdiError(code, msg, Location(**loc))  # type: ignore[arg-type]

    # -- between interchanges -------------------------------------------------------------

    def seek(self, buf: bytes, pos: int, base: int, eof: bool) -> tuple[int, bool]:
        """Skip whitespace and garbage up to the next interchange header and read it.

        Returns ``(position, need_more)``: the buffer position reached (past the
        header when one was read) and whether more input is needed to go on.
        """
        n = len(buf)
        m = _IGNORABLE.match(buf, pos)
        j = m.end() if m else pos
        if j >= n:
            return j, True
        std = sniff_tag(buf, j)
        if std is not None:
            if n - j < 4 and not eof:
                return j, True
            r = DIALECTS[std].start(self, buf, j, base, eof)
            if r == NEED_MORE:
                return j, True
            if r >= 0:
                return r, False
            self._garbage_begin(base + j, buf[j : j + 40], reported=True)
            if buf.startswith(b"UNA", j):  # the UNB after a broken UNA belongs to it
                m = _IGNORABLE.match(buf, j + 9)
                j = m.end() if m else j + 9
                if buf.startswith(b"UNB", j):
                    j += 3
            else:
                j += 3
        elif n - j < 3 and not eof:
            return j, True
        else:
            self._garbage_begin(base + j, buf[j : j + 40])
        g = _HEADER.search(buf, j + (0 if std is not None else 1))
        while g is not None:
            if sniff_tag(buf, g.start()) is not None:
                return g.start(), False
            g = _HEADER.search(buf, g.start() + 1)
        if eof:
            return n, True
        return max(j, n - 2), True

    def _garbage_begin(self, at: int, sample: bytes, reported: bool = False) -> None:
        """Note the start of a run of bytes outside any interchange (one error per run)."""
        if self.garbage_at is None:
            self.garbage_at = at
            self.garbage_sample = sample
            self.garbage_reported = reported
        elif reported:
            self.garbage_reported = True

    def _garbage_end(self, header_follows: bool) -> None:
        """Report the pending run of garbage (EDI003/EDI004/EDI007) unless already reported."""
        at = self.garbage_at
        if at is None:
            return
        self.garbage_at = None
        sample = self.garbage_sample
        after = self.after_trailer
        self.after_trailer = None
        if self.garbage_reported:
            return
        shown = sample[:30].decode("latin-1")
        tag = _SEGMENT_LIKE.match(sample)
        if (
            after is not None
            and tag is not None
            and sample[tag.end() : tag.end() + len(after)] == after
        ):
            code, msg = (
                SEGMENT_AFTER_TRAILER,
                f"segment {tag.group().decode()!r} after the interchange trailer",
            )
        elif header_follows:
            code, msg = (
                UNRECOGNIZED_DATA,
                f"unrecognized data before an interchange header: {shown!r}",
            )
        elif self.seen:
            code, msg = (
                TRAILING_DATA,
                f"trailing data after the last interchange ignored: {shown!r}",
            )
        else:
            return  # reported as EDI001 by finish()
        self.out.append(InputError(self._err(code, msg, offset=at)))

    # -- interchange headers --------------------------------------------------------------

    def open_interchange(
        self, ic: Interchange, syn: Syntax, problems: list[Problem], at: int, tag: str
    ) -> None:
        """Start interchange ``ic`` (header problems located at ``at``)."""
        self._garbage_end(header_follows=True)
        self.after_trailer = None
        for code, msg, el, comp in problems:
            ic.errors.append(
                self._err(
                    code, msg, offset=at, segment=self.ordinal, tag=tag, element=el, component=comp
                )
            )
        self.ic = ic
        self.syn = syn
        self.dialect = DIALECTS[ic.standard]
        self.seen += 1
        self._reset_interchange()
        self.out.append(InterchangeStart(ic))

    def fatal(self, code: str, msg: str, at: int, tag: str) -> int:
        """Report an unreadable interchange header as an input error."""
        self._garbage_end(header_follows=True)
        self.fatal_seen = True
        self.out.append(
            InputError(self._err(code, msg, offset=at, segment=self.ordinal + 1, tag=tag))
        )
        return FATAL

    # -- inside an interchange ------------------------------------------------------------

    def feed(self, blk: Block, base: int) -> int:
        """Process one block of the open interchange; return the buffer position consumed.

        The position is before the block's end when the interchange ends inside
        it (its trailer, or a new header); the caller then looks for the next
        interchange from there.
        """
        ic = self.ic
        assert ic is not None
        if not blk.ascii and ic.syntax in ASCII_REPERTOIRES and not self.warned_repertoire:
            # Queued as a problem of the segment holding the first non-ASCII byte, so
            # it lands in input order whatever the block cuts.
            m = _NON_ASCII.search(blk.buf, blk.first, blk.end)
            if m is not None:
                self.warned_repertoire = True
                k = blk.index_of(m.start())
                msg = f"non-ASCII characters in an interchange declared {ic.syntax}"
                insort(
                    blk.probs,
                    (k, m.start(), OUTSIDE_REPERTOIRE, msg, "", None, None),
                    key=lambda p: p[0],
                )
        self.base = base
        self.blk = blk
        probs = blk.probs
        self.pi = 0
        self.np = len(probs)
        handler = self.dialect.segment
        last_k = -1
        last_tp = 0
        for tag, k, s, tp in blk.env:
            # A stray run is reported at its start, before problems inside it,
            # so the order of errors does not depend on where blocks are cut.
            if k - last_k > 1 and self.txn is None:
                if probs and self.pi < self.np and probs[self.pi][0] <= last_k:
                    self._flush(last_k)  # problems before the run (an empty segment at block start)
                self.report_stray(
                    last_k + 1,
                    blk.first if last_k < 0 else blk.start_after(last_k, last_tp),
                    k - last_k - 1,
                )
            if probs and self.pi < self.np and probs[self.pi][0] <= k:
                self._flush(k if tag in _CLOSERS else k - 1)
            r = handler(self, tag, k, s, tp)
            if r is not None:
                return r
            if probs and self.pi < self.np and probs[self.pi][0] <= k:
                self._flush(k)
            last_k = k
            last_tp = tp
        n = blk.nseg
        if n - last_k > 1 and self.txn is None:
            self._flush(last_k)
            self.report_stray(
                last_k + 1,
                blk.first if last_k < 0 else blk.start_after(last_k, last_tp),
                n - last_k - 1,
            )
        self._flush(1 << 62)
        txn = self.txn
        if txn is not None and n > self.txn_k0:
            if self.keep:
                s0 = blk.first if self.txn_s0 < 0 else self.txn_s0
                txn.segments.extend(blk.segments(self.txn_k0, s0, n - 1, blk.last))
            self.txn_base += n - self.txn_k0
        self.txn_k0 = 0
        self.txn_s0 = -1
        self.ordinal += n
        if txn is not None and txn.segments and self.spill is not None and self.spill(ic, txn):
            assert self.group is not None
            self.out.append(TransactionPart(ic, self.group, txn, txn.segments))
            txn.segments = []
        return blk.end

    def _flush(self, upto: int) -> None:
        """Attach the block's syntax problems with index ``<= upto`` to where they occur."""
        probs = self.blk.probs
        base = self.base
        ordinal = self.ordinal
        while self.pi < self.np and probs[self.pi][0] <= upto:
            k, pos, code, msg, tag, el, comp = probs[self.pi]
            self.pi += 1
            txn = self.txn
            loc = Location(
                offset=base + pos,
                segment=ordinal + k + 1,
                tag=tag or None,
                element=el,
                component=comp,
            )
            if code in (FINAL_TERMINATOR_MISSING, OUTSIDE_REPERTOIRE):
                assert self.ic is not None
                self.ic.errors.append(EdiError(code, msg, loc))
            elif txn is not None and (k >= self.txn_k0 or self.txn_s0 < 0):
                ts = self.txn_base + k - self.txn_k0 + 1
                txn.errors.append(
                    EdiError(
                        code,
                        msg,
                        Location(
                            offset=loc.offset,
                            segment=loc.segment,
                            tag=loc.tag,
                            element=el,
                            component=comp,
                            ts_segment=ts,
                        ),
                    )
                )
            elif self.group is not None:
                self.group.errors.append(EdiError(code, msg, loc))
            else:
                assert self.ic is not None
                self.ic.errors.append(EdiError(code, msg, loc))

    def report_stray(self, k: int, start: int, count: int) -> None:
        """Report a run of ``count`` segments outside any transaction set (one error per run)."""
        if self.stray:
            return  # the run continues (across envelope segments or blocks)
        self.stray = True
        tag = self.blk.tag_at(k, start)
        loc = Location(offset=self.base + start, segment=self.ordinal + k + 1, tag=tag or None)
        what = f"{count} segment(s) starting with {tag!r}"
        if self.group is not None and not (
            self.group.implicit and not self.dialect.implicit_group_is_group
        ):
            self.group.errors.append(
                EdiError(SEGMENT_OUTSIDE_TRANSACTION, f"{what} outside any transaction set", loc)
            )
        else:
            assert self.ic is not None
            self.ic.errors.append(
                EdiError(SEGMENT_OUTSIDE_GROUP, f"{what} outside any functional group", loc)
            )

    def _past(self, tp: int) -> int:
        """Buffer position just past the terminator at ``tp`` (the end, when it is missing)."""
        return min(tp + len(self.blk.syn.term), len(self.blk.buf))

    def loc(
        self, k: int, s: int, tag: str, element: int | None = None, ts: int | None = None
    ) -> Location:
        """A location for segment ``k`` of the current block (tag at ``s``)."""
        return Location(
            offset=self.base + s,
            segment=self.ordinal + k + 1,
            tag=tag,
            element=element,
            ts_segment=ts,
        )

    def cut_open(self, k: int, s: int, tag: str) -> None:
        """Close the open transaction and group at envelope segment ``k`` (trailers missing)."""
        if self.txn is not None:
            self.cut_txn(k, s, tag)
        if self.group is not None:
            self._cut_group(k, s, tag)

    # -- transactions -----------------------------------------------------------------------

    def begin_txn(self, t: Transaction, k: int, s: int) -> None:
        """Make ``t`` (header at segment ``k``, position ``s``) the open transaction."""
        self.txn = t
        self.txn_k0 = k
        self.txn_s0 = s
        self.txn_base = 0
        self.g_count += 1
        self.messages += 1
        self.stray = False

    def txn_trailer(self, k: int, s: int, tp: int, tag: str) -> None:
        """A transaction trailer (SE / UNT): close the open transaction, or report a stray one."""
        if self.txn is None:
            self.report_stray(k, s, 1)
        else:
            self._close_txn(k, s, tp, tag)

    def _txn_part(self, k1: int, e1: int) -> int:
        """Add the open transaction's segments up to ``k1`` (terminator at ``e1``); return its count."""
        txn = self.txn
        assert txn is not None
        n = self.txn_base + (k1 - self.txn_k0 + 1)
        if self.keep and k1 >= self.txn_k0:
            s0 = self.blk.first if self.txn_s0 < 0 else self.txn_s0
            part = self.blk.segments(self.txn_k0, s0, k1, e1)
            if txn.segments:
                txn.segments.extend(part)
            else:
                txn.segments = part
        return n

    def _emit_txn(self) -> None:
        """Emit the open transaction (complete or cut short)."""
        ic, group, txn = self.ic, self.group, self.txn
        assert ic is not None and group is not None and txn is not None
        self.txn = None
        self.out.append(TransactionComplete(ic, group, txn))

    def cut_txn(self, k: int, s: int, tag: str) -> None:
        """Close the open transaction at envelope segment ``k`` (its trailer is missing)."""
        txn = self.txn
        assert txn is not None
        blk = self.blk
        n = self._txn_part(k - 1, blk.tpos_before(k, s)) if k > self.txn_k0 else self.txn_base
        trailer = self.dialect.transaction_trailer
        msg = f"{trailer} missing for transaction {txn.control!r} (segment {txn.index}); ended by {tag}"
        txn.errors.append(EdiError(TRANSACTION_TRAILER_MISSING, msg, self.loc(k, s, tag, ts=n + 1)))
        txn.end = self.base + s
        self._emit_txn()

    def _close_txn(self, k: int, s: int, tp: int, tag: str) -> None:
        """Close the open transaction at its trailer and check count and reference."""
        txn = self.txn
        assert txn is not None
        blk = self.blk
        n = self._txn_part(k, tp)
        trailer = txn.segments[-1] if self.keep else blk.text(k, s, tp)
        count, ref = self.dialect.count_and_reference(trailer, blk.syn)
        errors = txn.errors
        if count != str(n):
            if not isnum(count):
                msg = f"{tag}01 {count!r} is not a number"
                errors.append(EdiError(SEGMENT_COUNT_INVALID, msg, self.loc(k, s, tag, 1, n)))
            elif int(count) != n:
                msg = f"{tag}01 says {int(count)} segments, counted {n}"
                errors.append(EdiError(SEGMENT_COUNT_MISMATCH, msg, self.loc(k, s, tag, 1, n)))
        if ref != txn.control:
            msg = f"{tag}02 {ref!r} does not match header control number {txn.control!r}"
            errors.append(EdiError(TRANSACTION_CONTROL_MISMATCH, msg, self.loc(k, s, tag, 2, n)))
        txn.end = self.base + self._past(tp)
        self.stray = False
        self.txn = None
        assert self.ic is not None and self.group is not None
        self.out.append(TransactionComplete(self.ic, self.group, txn))

    # -- groups -------------------------------------------------------------------------------

    def _open_group(self, g: Group) -> None:
        """Open group ``g`` and emit GroupStart."""
        assert self.ic is not None
        self.group = g
        self.g_count = 0
        self.st_ctrl = ControlSet()
        self.stray = False
        self.out.append(GroupStart(self.ic, g))

    def add_group(self, g: Group, k: int, s: int, tp: int, tag: str, ctl_el: int) -> None:
        """Open explicit group ``g`` (header ``tag`` ending at ``tp``), checking its control number."""
        g.header_end = self.base + self._past(tp)
        if g.control and not self.gs_ctrl.add(g.control):
            msg = f"{tag}{ctl_el:02d} {g.control!r} repeats in the interchange"
            g.errors.append(EdiError(GROUP_CONTROL_DUPLICATE, msg, self.loc(k, s, tag, ctl_el)))
        self.groups += 1
        self._open_group(g)

    def at_group_trailer(self, k: int, s: int, tag: str) -> bool:
        """A group trailer (GE / UNE) arrived: cut an open transaction; False when no group is open."""
        if self.txn is not None:
            self.cut_txn(k, s, tag)
        if self.group is None or self.group.implicit:
            self.report_stray(k, s, 1)
            return False
        return True

    def implicit_group(self, k: int, s: int) -> Group:
        """Open the implicit group of EDIFACT messages without UNG (or X12 ST without GS)."""
        g = Group("", "", "", "", "", "", "", self.base + s, self.ordinal + k + 1, implicit=True)
        g.header_end = self.base + s
        self._open_group(g)
        return g

    def _end_group(self, errors: list[EdiError], end: int) -> None:
        """Close the open group with ``errors`` found at its end and emit GroupEnd."""
        ic, g = self.ic, self.group
        assert ic is not None and g is not None
        g.errors.extend(errors)
        g.end = end
        self.group = None
        self.out.append(GroupEnd(ic, g, errors))

    def _cut_group(self, k: int, s: int, tag: str) -> None:
        """Close the open group at ``k``: quietly when implicit, else report its missing trailer."""
        g = self.group
        assert g is not None
        errors: list[EdiError] = []
        if not g.implicit:
            msg = f"{self.dialect.group_trailer} missing for group {g.control!r}; ended by {tag}"
            errors.append(EdiError(GROUP_TRAILER_MISSING, msg, self.loc(k, s, tag)))
        self._end_group(errors, self.base + s)

    def close_group(self, k: int, s: int, tp: int, count: str, ref: str, tag: str) -> None:
        """Close the open group at its trailer and check count and control number."""
        g = self.group
        assert g is not None
        errors = self._trailer_errors(
            k, s, tag, (count, self.g_count, "transaction sets"), (ref, g.control, "group"), _GROUP
        )
        self.stray = False
        self._end_group(errors, self.base + self._past(tp))

    # -- interchange end ----------------------------------------------------------------------

    def close_ic(self, k: int, s: int, tp: int, els: list[str], tag: str, count: int) -> int:
        """Close the interchange at its trailer, check count and reference; return the position after it."""
        ic = self.ic
        assert ic is not None
        n = els[1] if len(els) > 1 else ""
        ref = els[2] if len(els) > 2 else ""
        what = "functional groups" if tag == "IEA" or self.uses_ung else "messages"
        errors = self._trailer_errors(
            k, s, tag, (n, count, what), (ref, ic.control, "interchange"), _INTERCHANGE
        )
        end = self.base + self._past(tp)
        self._end_ic(errors, end)
        self.after_trailer = self.blk.syn.elem
        self.ordinal += k + 1
        return self._past(tp)

    def _trailer_errors(
        self,
        k: int,
        s: int,
        tag: str,
        count: tuple[str, int, str],
        ref: tuple[str, str, str],
        codes: tuple[str, str, str],
    ) -> list[EdiError]:
        """A group or interchange trailer's count and reference problems.

        ``count`` is (trailer value, counted, what is counted), ``ref`` (trailer
        value, header control number, level), ``codes`` the (not a number, count
        mismatch, reference mismatch) codes of the level.
        """
        errors: list[EdiError] = []
        value, counted, what = count
        if not isnum(value):
            msg = f"{tag}01 {value!r} is not a number"
            errors.append(EdiError(codes[0], msg, self.loc(k, s, tag, 1)))
        elif int(value) != counted:
            msg = f"{tag}01 says {int(value)} {what}, counted {counted}"
            errors.append(EdiError(codes[1], msg, self.loc(k, s, tag, 1)))
        got, control, level = ref
        same = int(got) == int(control) if isnum(got) and isnum(control) else got == control
        if not same:
            msg = f"{tag}02 {got!r} does not match {level} control number {control!r}"
            errors.append(EdiError(codes[2], msg, self.loc(k, s, tag, 2)))
        return errors

    def _end_ic(self, errors: list[EdiError], end: int) -> None:
        """Close the open interchange with ``errors`` found at its end and emit InterchangeEnd."""
        ic = self.ic
        assert ic is not None
        if self.dialect.requires_messages and self.messages == 0:
            loc = Location(offset=ic.offset, segment=ic.index)
            errors.append(EdiError(NO_MESSAGES, "interchange contains no messages", loc))
        ic.errors.extend(errors)
        ic.end = end
        self.ic = None
        self.syn = None
        self.out.append(InterchangeEnd(ic, errors))

    def abort(self, k: int, s: int, tag: str) -> int:
        """A new interchange header inside the open one: close everything as missing trailers."""
        self.cut_open(k, s, tag)
        ic = self.ic
        assert ic is not None
        trailer = self.dialect.interchange_trailer
        msg = f"{trailer} missing; interchange ended by {tag}"
        err = EdiError(INTERCHANGE_TRAILER_MISSING, msg, self.loc(k, s, tag))
        self._end_ic([err], self.base + s)
        self.ordinal += k
        return s

    def abort_at(self, pos: int, base: int, tag: str) -> None:
        """Close the open interchange before a header found at the start of the next block."""
        blk = Block(self.syn, b"") if self.syn is not None else None
        assert blk is not None
        self.blk = blk
        self.base = base
        self.pi = self.np = 0
        self.abort(0, pos, tag)

    def finish(self, end: int) -> None:
        """End of input at absolute offset ``end``: close what is open, report leftovers."""
        if self.ic is not None:
            blk = Block(self.syn, b"") if self.syn is not None else None
            assert blk is not None
            self.blk = blk
            self.base = 0
            self.pi = self.np = 0
            loc = Location(offset=end, segment=self.ordinal)
            if self.txn is not None:
                txn = self.txn
                msg = f"{self.dialect.transaction_trailer} missing for transaction {txn.control!r} at end of input"
                at = Location(offset=end, segment=self.ordinal, ts_segment=self.txn_base + 1)
                txn.errors.append(EdiError(TRANSACTION_TRAILER_MISSING, msg, at))
                txn.end = end
                self._emit_txn()
            if self.group is not None:
                g = self.group
                errs = []
                if not g.implicit:
                    msg = f"{self.dialect.group_trailer} missing for group {g.control!r} at end of input"
                    errs.append(EdiError(GROUP_TRAILER_MISSING, msg, loc))
                self._end_group(errs, end)
            trailer = self.dialect.interchange_trailer
            self._end_ic(
                [EdiError(INTERCHANGE_TRAILER_MISSING, f"{trailer} missing at end of input", loc)],
                end,
            )
        self._garbage_end(header_follows=False)
        if not self.seen and not self.fatal_seen:
            msg = "no X12 (ISA) or EDIFACT (UNA/UNB) interchange found"
            self.out.append(InputError(EdiError(NO_INTERCHANGE, msg, Location(offset=0))))


__all__ = [  # the events are re-exported: pipeline/ and tests import them from here
    "DIALECTS",
    "NEED_MORE",
    "Event",
    "GroupEnd",
    "GroupStart",
    "InputError",
    "InterchangeEnd",
    "InterchangeStart",
    "Machine",
    "TransactionComplete",
    "TransactionPart",
    "fields",
]
