"""Bare EDIFACT messages (UNH..UNT with no UNB/UNZ) read inside a synthesised interchange.

Some systems export messages without the interchange envelope. At the
``lenient`` tolerance the input is read as if a ``UNB`` (after any ``UNA``)
and a ``UNZ`` were there: :class:`Synthesis` wraps the input's bytes on the
way into the envelope machine and moves every offset, segment ordinal and
error location back onto the original bytes, so what comes out describes the
file as it is. The interchange carries
:data:`~parsers.errors.ENVELOPE_SYNTHESISED` (a warning at ``lenient``), an
empty sender and receiver, and the control number :data:`CONTROL`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import replace

from parsers.errors import ENVELOPE_SYNTHESISED, EdiError, Location
from parsers.events import (
    Event,
    GroupEnd,
    GroupStart,
    InputError,
    InterchangeEnd,
    InterchangeStart,
    TransactionComplete,
)
from parsers.model import Group, Interchange, Transaction

CONTROL = "SYNTHESISED"
_LEAD = re.compile(rb"[ \t\r\n]*")
HEAD = 512  # bytes looked at to decide whether an input is a bare message


def synthesised(ic: Interchange) -> bool:
    """True for an interchange whose envelope was synthesised around bare messages."""
    return any(e.code == ENVELOPE_SYNTHESISED for e in ic.errors)


def bare_start(head: bytes) -> tuple[int, bytes] | None:
    """Where a UNB would go and the segment terminator, when ``head`` starts a bare message."""
    j = _LEAD.match(head).end()  # type: ignore[union-attr]
    terminator = b"'"
    if head.startswith(b"UNA", j) and len(head) >= j + 9:
        terminator = head[j + 8 : j + 9]
        j = _LEAD.match(head, j + 9).end()  # type: ignore[union-attr]
    if not head.startswith(b"UNH", j) or b"UNB" in head[:j]:
        return None
    return j, terminator


class Synthesis:
    """The wrapped input of one bare-message run, and the way back to the original offsets."""

    def __init__(self, at: int, terminator: bytes) -> None:
        self.at = at
        self.terminator = terminator
        self.prefix = b"UNB+UNOC:3+++000101:0000+" + CONTROL.encode() + terminator
        self.messages = 0
        self.size = 0  # bytes of the original input seen so far
        self._tail = b""  # the end of what was read, to count UNH across reads
        self._moved: dict[int, EdiError] = {}  # id of an error as made -> its moved copy
        self._kept: list[EdiError] = []  # keeps the ids above from being reused

    def count(self, chunk: bytes) -> None:
        """Count message headers (``UNH`` at a segment start) in the next piece of input."""
        self.size += len(chunk)
        text = self._tail + chunk
        self.messages += len(re.findall(re.escape(self.terminator) + rb"[ \t\r\n]*UNH", text))
        self._tail = text[-16:]

    def suffix(self) -> bytes:
        """The UNZ that closes the synthesised interchange."""
        return b"UNZ+" + str(self.messages).encode() + b"+" + CONTROL.encode() + self.terminator

    def wrap(self, data: bytes) -> bytes:
        """A whole in-memory input, wrapped."""
        self.messages, self.size = 1, self.at
        self.count(data[self.at :])
        return data[: self.at] + self.prefix + data[self.at :] + self.suffix()

    def reader(self, read: Callable[[int], bytes], head: bytes) -> Callable[[int], bytes]:
        """A ``read`` that yields the prefix, the input and then the suffix (``head`` already read)."""
        pending = [head[: self.at] + self.prefix + head[self.at :]]
        self.messages, self.size = 1, self.at
        self.count(head[self.at :])
        state = {"done": False}

        def wrapped(n: int) -> bytes:
            if pending:
                return pending.pop()
            if state["done"]:
                return b""
            more = read(n)
            if more:
                self.count(more)
                return more
            state["done"] = True
            return self.suffix()

        return wrapped

    # -- back to the original bytes ----------------------------------------------------------
    def offset(self, o: int) -> int:
        """An offset of the wrapped input as an offset of the original one."""
        if o <= self.at:
            return o
        return min(max(self.at, o - len(self.prefix)), self.size)

    def _artefact(self, e: EdiError) -> bool:
        """An error about the synthesised UNB or UNZ themselves (dropped: they are ours)."""
        o = e.location.offset
        if e.code == ENVELOPE_SYNTHESISED:
            return False
        if o is None:
            return e.location.tag in ("UNB", "UNZ")
        return self.at <= o < self.at + len(self.prefix) or o >= self.size + len(self.prefix)

    def _errors(self, *lists: list[EdiError]) -> None:
        """Move the errors of ``lists`` onto original offsets; drop the synthesis's own."""
        for errs in lists:
            out = []
            for e in errs:
                if id(e) in self._moved:
                    out.append(self._moved[id(e)])
                elif any(m is e for m in self._moved.values()):
                    out.append(e)
                elif not self._artefact(e):
                    loc = e.location
                    seg = (
                        loc.segment - 1
                        if loc.segment is not None and loc.segment > 1
                        else loc.segment
                    )
                    off = self.offset(loc.offset) if loc.offset is not None else None
                    moved = EdiError(
                        e.code, e.message, replace(loc, offset=off, segment=seg), e.rejecting
                    )
                    self._moved[id(e)] = moved
                    self._kept.append(e)
                    out.append(moved)
            errs[:] = out

    def _interchange(self, ic: Interchange) -> None:
        if not any(e.code == ENVELOPE_SYNTHESISED for e in ic.errors):
            msg = "bare message(s) without UNB/UNZ: the interchange envelope was synthesised"
            ic.errors.insert(0, EdiError(ENVELOPE_SYNTHESISED, msg, Location(offset=self.at)))
            self._moved[id(ic.errors[0])] = ic.errors[0]
        ic.offset = min(ic.offset, self.at)
        ic.header_end = self.at

    def _group(self, g: Group) -> None:
        g.offset = self.offset(g.offset)
        g.header_end = self.offset(g.header_end) if g.header_end >= 0 else g.header_end
        g.end = self.offset(g.end) if g.end >= 0 else g.end

    def _transaction(self, t: Transaction) -> None:
        t.offset = self.offset(t.offset)
        t.end = self.offset(t.end) if t.end >= 0 else t.end
        t.index = max(1, t.index - 1)

    def events(self, stream: Iterator[Event]) -> Iterator[Event]:
        """The events of the wrapped input, described in the original input's terms."""
        for ev in stream:
            if isinstance(ev, InterchangeStart):
                self._errors(ev.interchange.errors)
                self._interchange(ev.interchange)
            elif isinstance(ev, GroupStart):
                self._group(ev.group)
                self._errors(ev.group.errors)
            elif isinstance(ev, TransactionComplete):
                self._transaction(ev.transaction)
                self._errors(ev.transaction.errors)
            elif isinstance(ev, GroupEnd):
                self._group(ev.group)
                self._errors(ev.group.errors, ev.errors)
            elif isinstance(ev, InterchangeEnd):
                ev.interchange.end = self.offset(ev.interchange.end)
                self._errors(ev.interchange.errors, ev.errors)
            elif isinstance(ev, InputError):
                errs = [ev.error]
                self._errors(errs)
                if not errs:
                    continue
                ev = InputError(errs[0])
            yield ev
