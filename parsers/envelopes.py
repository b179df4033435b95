"""Stage 3: the envelope state machine (ISA/GS/ST, UNA/UNB/UNG/UNH) and the events it emits.

One :class:`Machine` implements the whole envelope logic for both
:func:`parsers.parse` and :func:`parsers.stream`: it reads interchange
headers, consumes tokenizer :class:`~parsers.tokenizer.Block` values, checks
every control count and reference, recovers from missing or unexpected
envelope segments, and emits events. ``parse`` collects the events into
:class:`~parsers.model.Interchange` trees; ``stream`` yields them as they come
(a transaction as soon as its trailer is read), so memory stays bounded by the
largest transaction.
"""

from __future__ import annotations

import re
from bisect import insort
from dataclasses import dataclass, field

from parsers.delimiters import IsaLayout, isnum, read_isa, read_una, sniff_tag, with_repetition
from parsers.encoding import ASCII_REPERTOIRES, decode, edifact_codec
from parsers.errors import EdiError, Location
from parsers.model import Delimiters, Group, Interchange, Party, Standard, Transaction
from parsers.segments import split_segment
from parsers.tokenizer import Block, Syntax, escaped, syntax_for
from parsers.validation import (
    ControlSet,
    Problem,
    check_delimiters,
    check_gs,
    check_isa,
    check_unb,
    check_ung,
    component,
)


@dataclass(slots=True)
class InterchangeStart:
    """An interchange header was read (errors found in it are already in ``interchange.errors``)."""

    interchange: Interchange


@dataclass(slots=True)
class GroupStart:
    """A functional group started (implicit for EDIFACT messages without UNG)."""

    interchange: Interchange
    group: Group


@dataclass(slots=True)
class TransactionComplete:
    """A transaction set / message is complete (its trailer was read or it was cut short)."""

    interchange: Interchange
    group: Group
    transaction: Transaction


@dataclass(slots=True)
class GroupEnd:
    """A group ended; ``errors`` are the ones found at its trailer (also in ``group.errors``)."""

    interchange: Interchange
    group: Group
    errors: list[EdiError] = field(default_factory=list)


@dataclass(slots=True)
class InterchangeEnd:
    """An interchange ended; ``errors`` are the ones found at its trailer (also in ``interchange.errors``)."""

    interchange: Interchange
    errors: list[EdiError] = field(default_factory=list)


@dataclass(slots=True)
class InputError:
    """A problem outside any interchange (not EDI, garbage, UTF-16, unreadable header...)."""

    error: EdiError


Event = InterchangeStart | GroupStart | TransactionComplete | GroupEnd | InterchangeEnd | InputError

_NON_ASCII = re.compile(rb"[\x80-\xff]")
# Between interchanges: whitespace, NUL padding, DOS end-of-file, and the UTF-8 BOM of
# each file when partners concatenate files.
_IGNORABLE = re.compile(rb"(?:[ \t\r\n\x00\x1a]|\xef\xbb\xbf)*+")
_HEADER = re.compile(rb"ISA|UN[AB]")
_SEGMENT_LIKE = re.compile(rb"[A-Z][A-Z0-9]{1,2}")
NEED_MORE = -2
_NONE = [""]
_NO_BLOCK = Block(syntax_for(Standard.X12, Delimiters("*", ":", "~"), "utf-8"), b"")


def fields(text: str, d: Delimiters) -> list[list[str]]:
    """Split a service segment into elements of components (first repetition only).

    The common case is two ``str.split`` calls; text with a release character
    goes through :func:`~parsers.segments.split_segment`.
    """
    if d.release is not None and d.release in text:
        out: list[list[str]] = []
        for el in split_segment(text, d):
            if isinstance(el, str):
                out.append([el])
            elif el and isinstance(el[0], list):
                out.append(el[0])  # type: ignore[arg-type]
            else:
                out.append(el)  # type: ignore[arg-type]
        return out
    c = d.component
    return [el.split(c) for el in text.split(d.element)]


_CLOSERS = frozenset({"SE", "GE", "IEA", "UNT", "UNE", "UNZ"})
_FATAL = -1


class Machine:
    """The envelope state machine: feed it headers and blocks, drain its events."""

    def __init__(self, keep_segments: bool = True) -> None:
        """A machine between interchanges; ``keep_segments=False`` skips transaction text."""
        self.keep = keep_segments
        self.out: list[Event] = []
        self.ordinal = 0  # segments consumed so far in the input
        self.seen = 0  # interchanges started
        self.file_encoding = ""  # "cp037" / "cp500" when the input was EBCDIC
        self.fatal_seen = False  # an unreadable header was reported (no EDI001 then)
        self.ic: Interchange | None = None
        self.syn: Syntax | None = None
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
            r = (
                self._start_x12(buf, j, base, eof)
                if std is Standard.X12
                else self._start_edifact(buf, j, base, eof)
            )
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
            code, msg = "EDI007", f"segment {tag.group().decode()!r} after the interchange trailer"
        elif header_follows:
            code, msg = "EDI003", f"unrecognized data before an interchange header: {shown!r}"
        elif self.seen:
            code, msg = "EDI004", f"trailing data after the last interchange ignored: {shown!r}"
        else:
            return  # reported as EDI001 by finish()
        self.out.append(InputError(self._err(code, msg, offset=at)))

    # -- interchange headers --------------------------------------------------------------

    def _open(
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
        self.seen += 1
        self._reset_interchange()
        self.out.append(InterchangeStart(ic))

    def _fatal(self, code: str, msg: str, at: int, tag: str) -> int:
        """Report an unreadable interchange header as an input error."""
        self._garbage_end(header_follows=True)
        self.fatal_seen = True
        self.out.append(
            InputError(self._err(code, msg, offset=at, segment=self.ordinal + 1, tag=tag))
        )
        return _FATAL

    def _start_x12(self, buf: bytes, j: int, base: int, eof: bool) -> int:
        """Read an ISA at ``j`` and open its interchange; a position, NEED_MORE or _FATAL."""
        lay = read_isa(buf, j, eof)
        if lay is None:
            return NEED_MORE
        if isinstance(lay, str):
            return self._fatal("EDI008" if "truncated" in lay else "EDI010", lay, base + j, "ISA")
        d = lay.delimiters
        fatal = [
            p
            for p in check_delimiters(d.element, d.component, d.segment, None, None)
            if p[0] != "EDI027"
        ]
        if fatal:
            return self._fatal(fatal[0][0], fatal[0][1], base + j, "ISA")
        els = lay.text.split(d.element)
        problems = check_isa(els, lay.scanned)
        problems += [
            p
            for p in check_delimiters(d.element, d.component, d.segment, d.repetition, None)
            if p not in fatal
        ]
        if lay.scanned:
            problems.insert(0, ("EDI011", f"ISA is {lay.end - j} bytes, expected 106", None, None))
        self.ordinal += 1
        g = els + [""] * (17 - len(els))
        ic = Interchange(
            standard=Standard.X12,
            delimiters=d,
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
            index=self.ordinal,
            header=els,
            encoding=self.file_encoding or lay.codec,
            header_end=base + lay.end,
        )
        self._open(ic, syntax_for(Standard.X12, d, _codec(lay)), problems, base + j, "ISA")
        return lay.end

    def _start_edifact(self, buf: bytes, j: int, base: int, eof: bool) -> int:
        """Read UNA?/UNB at ``j`` and open its interchange; a position, NEED_MORE or _FATAL."""
        una = read_una(buf, j, eof)
        if una is None:
            return NEED_MORE
        if isinstance(una, str):
            return self._fatal("EDI008" if "truncated" in una else "EDI070", una, base + j, "UNA")
        d = una.delimiters
        if una.una and una.problem and "decimal" not in una.problem:
            return self._fatal("EDI070", una.problem, base + j, "UNA")
        term = d.segment.encode("latin-1")
        p = una.unb
        q = buf.find(term, p)
        if d.release:
            rel = d.release.encode("latin-1")
            while q != -1 and escaped(buf, p, q, rel):
                q = buf.find(term, q + 1)
        if q == -1:
            return (
                NEED_MORE
                if not eof
                else self._fatal("EDI008", "UNB header truncated", base + j, "UNB")
            )
        raw = (
            buf[p:q].replace(b"\r", b"").replace(b"\n", b"")
            if d.segment not in "\r\n"
            else buf[p:q]
        )
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
            problems.insert(0, ("EDI070", una.problem, None, None))
        una_ordinal = 0
        if una.una:
            self.ordinal += 1
            una_ordinal = self.ordinal
        self.ordinal += 1

        def c(i: int, k: int) -> str:
            """Component ``k`` of element ``i`` ("" when absent)."""
            return component(seg[i], k) if i < len(seg) else ""

        ic = Interchange(
            standard=Standard.EDIFACT,
            delimiters=d,
            sender=Party(c(2, 1), c(2, 0)),
            receiver=Party(c(3, 1), c(3, 0)),
            control=c(5, 0),
            version=version,
            date=c(4, 0),
            time=c(4, 1),
            test=c(11, 0) == "1",
            ack_requested=c(9, 0) == "1",
            offset=base + j,
            end=-1,
            index=una_ordinal or self.ordinal,
            header=text.split(d.element),
            encoding=self.file_encoding or codec,
            syntax=syntax,
            header_end=base + q + len(term),
        )
        self._open(ic, syntax_for(Standard.EDIFACT, d, codec), problems, base + p, "UNB")
        return q + len(term)

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
                insort(blk.probs, (k, m.start(), "EDI063", msg, "", None, None), key=lambda p: p[0])
        self.base = base
        self.blk = blk
        probs = blk.probs
        self.pi = 0
        self.np = len(probs)
        handler = self._x12 if ic.standard is Standard.X12 else self._edifact
        last_k = -1
        last_tp = 0
        for tag, k, s, tp in blk.env:
            # A stray run is reported at its start, before problems inside it,
            # so the order of errors does not depend on where blocks are cut.
            if k - last_k > 1 and self.txn is None:
                if probs and self.pi < self.np and probs[self.pi][0] <= last_k:
                    self._flush(last_k)  # problems before the run (an empty segment at block start)
                self._stray(
                    last_k + 1,
                    blk.first if last_k < 0 else blk.start_after(last_k, last_tp),
                    k - last_k - 1,
                )
            if probs and self.pi < self.np and probs[self.pi][0] <= k:
                self._flush(k if tag in _CLOSERS else k - 1)
            r = handler(tag, k, s, tp)
            if r is not None:
                return r
            if probs and self.pi < self.np and probs[self.pi][0] <= k:
                self._flush(k)
            last_k = k
            last_tp = tp
        n = blk.nseg
        if n - last_k > 1 and self.txn is None:
            self._flush(last_k)
            self._stray(
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
            if code in ("EDI009", "EDI063"):
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

    def _stray(self, k: int, start: int, count: int) -> None:
        """Report a run of ``count`` segments outside any transaction set (one error per run)."""
        if self.stray:
            return  # the run continues (across envelope segments or blocks)
        self.stray = True
        tag = self.blk.tag_at(k, start)
        loc = Location(offset=self.base + start, segment=self.ordinal + k + 1, tag=tag or None)
        what = f"{count} segment(s) starting with {tag!r}"
        if self.group is not None and not (
            self.group.implicit and self.ic is not None and self.ic.standard is Standard.X12
        ):
            self.group.errors.append(EdiError("EDI037", f"{what} outside any transaction set", loc))
        else:
            assert self.ic is not None
            self.ic.errors.append(EdiError("EDI036", f"{what} outside any functional group", loc))

    def _past(self, tp: int) -> int:
        """Buffer position just past the terminator at ``tp`` (the end, when it is missing)."""
        return min(tp + len(self.blk.syn.term), len(self.blk.buf))

    def _loc(
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

    def _cut_open(self, k: int, s: int, tag: str) -> None:
        """Close the open transaction and group at envelope segment ``k`` (trailers missing)."""
        if self.txn is not None:
            self._cut_txn(k, s, tag)
        if self.group is not None:
            self._cut_group(k, s, tag)

    # -- transactions -----------------------------------------------------------------------

    def _begin_txn(self, t: Transaction, k: int, s: int) -> None:
        """Make ``t`` (header at segment ``k``, position ``s``) the open transaction."""
        self.txn = t
        self.txn_k0 = k
        self.txn_s0 = s
        self.txn_base = 0
        self.g_count += 1
        self.messages += 1
        self.stray = False

    def _txn_trailer(self, k: int, s: int, tp: int, tag: str) -> None:
        """A transaction trailer (SE / UNT): close the open transaction, or report a stray one."""
        if self.txn is None:
            self._stray(k, s, 1)
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

    def _cut_txn(self, k: int, s: int, tag: str) -> None:
        """Close the open transaction at envelope segment ``k`` (its trailer is missing)."""
        txn = self.txn
        assert txn is not None
        blk = self.blk
        n = self._txn_part(k - 1, blk.tpos_before(k, s)) if k > self.txn_k0 else self.txn_base
        trailer = "SE" if self.syn is not None and self.syn.standard is Standard.X12 else "UNT"
        txn.errors.append(
            EdiError(
                "EDI050",
                f"{trailer} missing for transaction {txn.control!r} (segment {txn.index}); ended by {tag}",
                self._loc(k, s, tag, ts=n + 1),
            )
        )
        txn.end = self.base + s
        self._emit_txn()

    def _close_txn(self, k: int, s: int, tp: int, tag: str) -> None:
        """Close the open transaction at its trailer and check count and reference."""
        txn = self.txn
        assert txn is not None
        blk = self.blk
        n = self._txn_part(k, tp)
        trailer = txn.segments[-1] if self.keep else blk.text(k, s, tp)
        if tag == "SE":
            els = trailer.split(blk.syn.elem_str)
            count = els[1] if len(els) > 1 else ""
            ref = els[2] if len(els) > 2 else ""
        else:
            d = blk.syn.delimiters
            if d.release is not None and d.release in trailer:
                f = fields(trailer, d)
                count = f[1][0] if len(f) > 1 else ""
                ref = f[2][0] if len(f) > 2 else ""
            else:
                els = trailer.split(d.element)
                count = els[1] if len(els) > 1 else ""
                ref = els[2] if len(els) > 2 else ""
        if count != str(n):
            if not isnum(count):
                txn.errors.append(
                    EdiError(
                        "EDI056", f"{tag}01 {count!r} is not a number", self._loc(k, s, tag, 1, n)
                    )
                )
            elif int(count) != n:
                txn.errors.append(
                    EdiError(
                        "EDI052",
                        f"{tag}01 says {int(count)} segments, counted {n}",
                        self._loc(k, s, tag, 1, n),
                    )
                )
        if ref != txn.control:
            txn.errors.append(
                EdiError(
                    "EDI051",
                    f"{tag}02 {ref!r} does not match header control number {txn.control!r}",
                    self._loc(k, s, tag, 2, n),
                )
            )
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

    def _add_group(self, g: Group, k: int, s: int, tp: int, tag: str, ctl_el: int) -> None:
        """Open explicit group ``g`` (header ``tag`` ending at ``tp``), checking its control number."""
        g.header_end = self.base + self._past(tp)
        if g.control and not self.gs_ctrl.add(g.control):
            g.errors.append(
                EdiError(
                    "EDI035",
                    f"{tag}{ctl_el:02d} {g.control!r} repeats in the interchange",
                    self._loc(k, s, tag, ctl_el),
                )
            )
        self.groups += 1
        self._open_group(g)

    def _at_group_trailer(self, k: int, s: int, tag: str) -> bool:
        """A group trailer (GE / UNE) arrived: cut an open transaction; False when no group is open."""
        if self.txn is not None:
            self._cut_txn(k, s, tag)
        if self.group is None or self.group.implicit:
            self._stray(k, s, 1)
            return False
        return True

    def _implicit_group(self, k: int, s: int) -> Group:
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
            trailer = "GE" if self.blk.syn.standard is Standard.X12 else "UNE"
            errors.append(
                EdiError(
                    "EDI039",
                    f"{trailer} missing for group {g.control!r}; ended by {tag}",
                    self._loc(k, s, tag),
                )
            )
        self._end_group(errors, self.base + s)

    def _close_group(self, k: int, s: int, tp: int, count: str, ref: str, tag: str) -> None:
        """Close the open group at its trailer and check count and control number."""
        g = self.group
        assert g is not None
        errors: list[EdiError] = []
        if not isnum(count):
            errors.append(
                EdiError("EDI046", f"{tag}01 {count!r} is not a number", self._loc(k, s, tag, 1))
            )
        elif int(count) != self.g_count:
            errors.append(
                EdiError(
                    "EDI041",
                    f"{tag}01 says {int(count)} transaction sets, counted {self.g_count}",
                    self._loc(k, s, tag, 1),
                )
            )
        same = (int(ref) == int(g.control)) if isnum(ref) and isnum(g.control) else ref == g.control
        if not same:
            errors.append(
                EdiError(
                    "EDI040",
                    f"{tag}02 {ref!r} does not match group control number {g.control!r}",
                    self._loc(k, s, tag, 2),
                )
            )
        self.stray = False
        self._end_group(errors, self.base + self._past(tp))

    # -- interchange end ----------------------------------------------------------------------

    def _close_ic(self, k: int, s: int, tp: int, els: list[str], tag: str, count: int) -> int:
        """Close the interchange at its trailer, check count and reference; return the position after it."""
        ic = self.ic
        assert ic is not None
        errors: list[EdiError] = []
        n = els[1] if len(els) > 1 else ""
        ref = els[2] if len(els) > 2 else ""
        if not isnum(n):
            errors.append(
                EdiError("EDI034", f"{tag}01 {n!r} is not a number", self._loc(k, s, tag, 1))
            )
        elif int(n) != count:
            what = "functional groups" if tag == "IEA" or self.uses_ung else "messages"
            errors.append(
                EdiError(
                    "EDI033",
                    f"{tag}01 says {int(n)} {what}, counted {count}",
                    self._loc(k, s, tag, 1),
                )
            )
        same = (
            (int(ref) == int(ic.control)) if isnum(ref) and isnum(ic.control) else ref == ic.control
        )
        if not same:
            errors.append(
                EdiError(
                    "EDI032",
                    f"{tag}02 {ref!r} does not match interchange control number {ic.control!r}",
                    self._loc(k, s, tag, 2),
                )
            )
        end = self.base + self._past(tp)
        self._end_ic(errors, end)
        self.after_trailer = self.blk.syn.elem
        self.ordinal += k + 1
        return self._past(tp)

    def _end_ic(self, errors: list[EdiError], end: int) -> None:
        """Close the open interchange with ``errors`` found at its end and emit InterchangeEnd."""
        ic = self.ic
        assert ic is not None
        if ic.standard is Standard.EDIFACT and self.messages == 0:
            errors.append(
                EdiError(
                    "EDI075",
                    "interchange contains no messages",
                    Location(offset=ic.offset, segment=ic.index),
                )
            )
        ic.errors.extend(errors)
        ic.end = end
        self.ic = None
        self.syn = None
        self.out.append(InterchangeEnd(ic, errors))

    def _abort(self, k: int, s: int, tag: str) -> int:
        """A new interchange header inside the open one: close everything as missing trailers."""
        self._cut_open(k, s, tag)
        ic = self.ic
        assert ic is not None
        trailer = "IEA" if ic.standard is Standard.X12 else "UNZ"
        err = EdiError(
            "EDI031", f"{trailer} missing; interchange ended by {tag}", self._loc(k, s, tag)
        )
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
        self._abort(0, pos, tag)

    def finish(self, end: int) -> None:
        """End of input at absolute offset ``end``: close what is open, report leftovers."""
        if self.ic is not None:
            ic = self.ic
            blk = Block(self.syn, b"") if self.syn is not None else None
            assert blk is not None
            self.blk = blk
            self.base = 0
            self.pi = self.np = 0
            loc = Location(offset=end, segment=self.ordinal)
            if self.txn is not None:
                txn = self.txn
                trailer = "SE" if ic.standard is Standard.X12 else "UNT"
                txn.errors.append(
                    EdiError(
                        "EDI050",
                        f"{trailer} missing for transaction {txn.control!r} at end of input",
                        Location(offset=end, segment=self.ordinal, ts_segment=self.txn_base + 1),
                    )
                )
                txn.end = end
                self._emit_txn()
            if self.group is not None:
                g = self.group
                errs = []
                if not g.implicit:
                    trailer = "GE" if ic.standard is Standard.X12 else "UNE"
                    errs.append(
                        EdiError(
                            "EDI039",
                            f"{trailer} missing for group {g.control!r} at end of input",
                            loc,
                        )
                    )
                self._end_group(errs, end)
            trailer = "IEA" if ic.standard is Standard.X12 else "UNZ"
            self._end_ic([EdiError("EDI031", f"{trailer} missing at end of input", loc)], end)
        self._garbage_end(header_follows=False)
        if not self.seen and not self.fatal_seen:
            self.out.append(
                InputError(
                    EdiError(
                        "EDI001",
                        "no X12 (ISA) or EDIFACT (UNA/UNB) interchange found",
                        Location(offset=0),
                    )
                )
            )

    # -- X12 ----------------------------------------------------------------------------------

    def _x12(self, tag: str, k: int, s: int, tp: int) -> int | None:
        """Handle one X12 envelope segment; a position when the interchange ended."""
        blk = self.blk
        if tag == "ST":
            if self.txn is not None:
                self._cut_txn(k, s, tag)
            group = self.group
            outside = group is None
            if group is None:
                group = self._implicit_group(k, s)
            els = (blk.buf[s:tp].decode(blk.codec) if blk.fast else blk.text(k, s, tp)).split(
                blk.syn.elem_str
            )
            n = len(els)
            ttype = els[1] if n > 1 else ""
            ctl = els[2] if n > 2 else ""
            impl = els[3] if n > 3 else ""
            t = Transaction(
                ttype, ctl, impl or group.version, [], self.base + s, self.ordinal + k + 1, [], impl
            )
            if outside:
                t.errors.append(
                    EdiError(
                        "EDI048",
                        "ST outside any functional group (no GS)",
                        self._loc(k, s, "ST", None, 1),
                    )
                )
            if len(ttype) != 3 or not ttype.isalnum():
                t.errors.append(
                    EdiError(
                        "EDI053",
                        f"ST01 {ttype!r} is not a transaction set identifier",
                        self._loc(k, s, "ST", 1, 1),
                    )
                )
            if not 4 <= len(ctl) <= 9:
                t.errors.append(
                    EdiError(
                        "EDI054", f"ST02 {ctl!r} is not 4-9 characters", self._loc(k, s, "ST", 2, 1)
                    )
                )
            if ctl and not self.st_ctrl.add(ctl):
                t.errors.append(
                    EdiError(
                        "EDI055", f"ST02 {ctl!r} repeats in the group", self._loc(k, s, "ST", 2, 1)
                    )
                )
            self._begin_txn(t, k, s)
            return None
        if tag == "SE":
            self._txn_trailer(k, s, tp, tag)
            return None
        if tag == "GS":
            self._cut_open(k, s, tag)
            els = blk.text(k, s, tp).split(blk.syn.elem_str)
            g = els + [""] * (9 - len(els))
            grp = Group(
                g[1],
                g[6],
                g[8],
                g[2],
                g[3],
                g[4],
                g[5],
                self.base + s,
                self.ordinal + k + 1,
                agency=g[7],
            )
            for code, msg, el, _c in check_gs(els):
                grp.errors.append(EdiError(code, msg, self._loc(k, s, "GS", el)))
            self._add_group(grp, k, s, tp, "GS", 6)
            return None
        if tag == "GE":
            if not self._at_group_trailer(k, s, tag):
                return None
            els = blk.text(k, s, tp).split(blk.syn.elem_str)
            self._close_group(
                k, s, tp, els[1] if len(els) > 1 else "", els[2] if len(els) > 2 else "", "GE"
            )
            return None
        if tag == "IEA":
            self._cut_open(k, s, tag)
            els = blk.text(k, s, tp).split(blk.syn.elem_str)
            return self._close_ic(k, s, tp, els, "IEA", self.groups)
        if tag == "ISA":
            return self._abort(k, s, tag)
        # TA1 / ISB / ISE: interchange-level control segments
        if self.txn is None:
            if self.group is not None:
                self._stray(k, s, 1)
            else:
                self.stray = False
        return None

    # -- EDIFACT --------------------------------------------------------------------------------

    def _service(self, k: int, s: int, tp: int) -> list[list[str]]:
        """The service segment at ``k`` as elements of components (release handled)."""
        return fields(self.blk.text(k, s, tp), self.blk.syn.delimiters)

    def _edifact(self, tag: str, k: int, s: int, tp: int) -> int | None:
        """Handle one EDIFACT service segment; a position when the interchange ended."""
        if tag == "UNH":
            if self.txn is not None:
                self._cut_txn(k, s, tag)
            group = self.group
            if group is None:
                if self.uses_ung:
                    self._mixed(k, s, tag)
                else:
                    self.uses_ung = False
                group = self._implicit_group(k, s)
            blk = self.blk
            text = blk.buf[s:tp].decode(blk.codec) if blk.fast else blk.text(k, s, tp)
            d = blk.syn.delimiters
            if d.release is not None and d.release in text:
                seg = fields(text, d)
                s009 = seg[2] if len(seg) > 2 else _NONE
                ref = seg[1][0] if len(seg) > 1 else ""
            else:
                els = text.split(d.element)
                s009 = els[2].split(d.component) if len(els) > 2 else _NONE
                ref = els[1] if len(els) > 1 else ""
            n9 = len(s009)
            t = Transaction(
                s009[0],
                ref,
                (s009[1] + s009[2]) if n9 > 2 else s009[1] if n9 > 1 else "",
                [],
                self.base + s,
                self.ordinal + k + 1,
                [],
                s009[4] if n9 > 4 else "",
            )
            if not t.type or n9 < 2 or not s009[1]:
                t.errors.append(
                    EdiError(
                        "EDI053",
                        "UNH02 message identifier incomplete (type and version required)",
                        self._loc(k, s, "UNH", 2, 1),
                    )
                )
            if not ref or len(ref) > 14:
                t.errors.append(
                    EdiError(
                        "EDI054",
                        f"UNH01 {ref!r} is not a 1-14 character reference",
                        self._loc(k, s, "UNH", 1, 1),
                    )
                )
            elif not self.st_ctrl.add(ref):
                t.errors.append(
                    EdiError(
                        "EDI055",
                        f"UNH01 {ref!r} repeats in the group",
                        self._loc(k, s, "UNH", 1, 1),
                    )
                )
            self._begin_txn(t, k, s)
            return None
        if tag == "UNT":
            self._txn_trailer(k, s, tp, tag)
            return None
        if tag == "UNG":
            self._cut_open(k, s, tag)
            if self.uses_ung is False:
                self._mixed(k, s, tag)
            self.uses_ung = True
            seg = self._service(k, s, tp)

            def c(i: int, j: int) -> str:
                """Component ``k`` of element ``i`` ("" when absent)."""
                el = seg[i] if i < len(seg) else _NONE
                return el[j] if j < len(el) else ""

            grp = Group(
                c(1, 0),
                c(5, 0),
                c(7, 0) + c(7, 1),
                c(2, 0),
                c(3, 0),
                c(4, 0),
                c(4, 1),
                self.base + s,
                self.ordinal + k + 1,
                agency=c(6, 0),
            )
            for code, msg, el, comp in check_ung(seg):  # type: ignore[arg-type]
                grp.errors.append(
                    EdiError(
                        code,
                        msg,
                        Location(
                            offset=self.base + s,
                            segment=self.ordinal + k + 1,
                            tag="UNG",
                            element=el,
                            component=comp,
                        ),
                    )
                )
            self._add_group(grp, k, s, tp, "UNG", 5)
            return None
        if tag == "UNE":
            if not self._at_group_trailer(k, s, tag):
                return None
            seg = self._service(k, s, tp)
            self._close_group(
                k,
                s,
                tp,
                seg[1][0] if len(seg) > 1 else "",
                seg[2][0] if len(seg) > 2 else "",
                "UNE",
            )
            return None
        if tag == "UNZ":
            self._cut_open(k, s, tag)
            seg = self._service(k, s, tp)
            els = ["UNZ", seg[1][0] if len(seg) > 1 else "", seg[2][0] if len(seg) > 2 else ""]
            return self._close_ic(
                k, s, tp, els, "UNZ", self.groups if self.uses_ung else self.messages
            )
        # UNB / UNA: a new interchange inside this one
        return self._abort(k, s, tag)

    def _mixed(self, k: int, s: int, tag: str) -> None:
        """Report (once) an EDIFACT interchange that mixes UNG groups and ungrouped messages."""
        ic = self.ic
        assert ic is not None
        if not any(e.code == "EDI047" for e in ic.errors):
            ic.errors.append(
                EdiError(
                    "EDI047",
                    f"{tag} mixes functional groups and ungrouped messages",
                    self._loc(k, s, tag),
                )
            )


def _codec(lay: IsaLayout) -> str:
    """The codec X12 text is decoded with (from the ISA's delimiter bytes)."""
    return lay.codec


__all__ = [
    "Event",
    "GroupEnd",
    "GroupStart",
    "InputError",
    "InterchangeEnd",
    "InterchangeStart",
    "Machine",
    "TransactionComplete",
]
