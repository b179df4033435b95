"""Cut inputs for ingest: one bytes object per interchange, and big interchanges into chunks.

Both run the envelope machine (:func:`parsers.stream.events`) with segment text
skipped, so they cost one scan of the input and never re-implement envelope
logic. A chunk of a split interchange is a complete interchange of its own:
the original ISA/UNA+UNB and GS/UNG header bytes, whole transaction sets, and
new trailers (GE/UNE, IEA/UNZ) whose counts match the chunk, so every chunk
parses alone and validly. Control numbers are kept (every chunk carries the
original ISA13/UNB05 and GS06/UNG05) so acknowledgements refer to what the
partner sent. Nothing is ever truncated: a transaction bigger than
``max_bytes`` becomes a chunk of its own (oversize), and an interchange with
envelope errors, or input with data outside interchanges, is returned whole
so that the parser reports those errors instead of the chunker hiding them.
"""

from __future__ import annotations

import re

from parsers.envelopes import (
    Event,
    GroupEnd,
    GroupStart,
    InputError,
    InterchangeEnd,
    InterchangeStart,
    TransactionComplete,
)
from parsers.errors import TRAILING_DATA, TRANSACTION_CONTROL_DUPLICATE, EdiError
from parsers.model import Group, Interchange, Standard
from parsers.stream import events
from parsers.writer import write_segment

_WS = re.compile(rb"[ \t\r\n]*")


def split_file(data: bytes, errors: list[EdiError] | None = None) -> list[bytes]:
    """One bytes object per interchange, in input order.

    Problems outside interchanges (garbage between them, not EDI at all, ...)
    are appended to ``errors`` when given. An interchange without its trailer
    runs to the next interchange header or the end of the input.
    """
    out: list[bytes] = []
    for ev in events(None, data, keep_segments=False):
        if isinstance(ev, InterchangeEnd):
            out.append(data[ev.interchange.offset : ev.interchange.end])
        elif isinstance(ev, InputError) and errors is not None:
            errors.append(ev.error)
    return out


class SplitCheck:
    """Whether cutting one interchange into chunks would hide an error (the one rule, for ingest too).

    Fed the interchange's events: a duplicate set control number could land in
    another chunk unreported, and a rejected group or interchange must reach
    the parser whole, so either keeps the interchange in one piece.
    """

    __slots__ = ("ok", "transactions")

    def __init__(self) -> None:
        self.ok = True
        self.transactions = 0

    def event(self, ev: Event) -> None:
        """Take one event of the interchange (others than sets and group ends are ignored)."""
        if isinstance(ev, TransactionComplete):
            self.transactions += 1
            if any(e.code == TRANSACTION_CONTROL_DUPLICATE for e in ev.transaction.errors):
                self.ok = False
        elif isinstance(ev, GroupEnd):
            self.ok = self.ok and ev.group.accepted

    def clean(self, ic: Interchange) -> bool:
        """True when the interchange, now complete, may be split."""
        return self.ok and self.transactions > 0 and ic.accepted


def keeps_input_splittable(error: EdiError) -> bool:
    """False for an input-level problem that the parser must see in the whole input."""
    return error.code == TRAILING_DATA


def split_interchange(data: bytes, max_bytes: int) -> list[bytes]:
    """Split interchanges bigger than ``max_bytes`` on transaction-set boundaries.

    Returns ``[data]`` when it fits, when it holds data outside interchanges,
    or when it is not EDI; otherwise one chunk per interchange that fits and
    several self-contained chunks for each that does not (see module doc).
    """
    if max_bytes <= 0:
        raise ValueError("max_bytes must be positive")
    if len(data) <= max_bytes:
        return [data]
    clean: list[bool] = []  # per interchange: splitting would not hide an error
    ends: list[Interchange] = []
    check = SplitCheck()
    for ev in events(None, data, keep_segments=False):
        if isinstance(ev, InterchangeEnd):
            ends.append(ev.interchange)
            clean.append(check.clean(ev.interchange))
            check = SplitCheck()
        elif isinstance(ev, InputError):
            if not keeps_input_splittable(ev.error):
                return [data]
        else:
            check.event(ev)
    if not ends:
        return [data]
    out: list[bytes] = []
    chunker: _Chunker | None = None
    i = -1
    for ev in events(None, data, keep_segments=False):
        if isinstance(ev, InterchangeStart):
            i += 1
            ic = ev.interchange
            raw_end = ends[i].end
            if raw_end - ic.offset <= max_bytes or not clean[i]:
                out.append(data[ic.offset : raw_end])
                chunker = None
            else:
                chunker = _Chunker(data, ic, max_bytes, out)
        elif chunker is not None and chunker.event(ev):
            chunker = None
    return out


class _Chunker:
    """Builds the chunks of one interchange as its transactions go by."""

    def __init__(self, data: bytes, ic: Interchange, max_bytes: int, out: list[bytes]) -> None:
        """Start chunking ``ic`` (its header is already read) into ``out``."""
        self.data = data
        self.ic = ic
        self.max = max_bytes
        self.out = out
        m = _WS.match(data, ic.header_end)
        self.nl = data[ic.header_end : m.end() if m else ic.header_end]
        self.head = data[ic.offset : ic.header_end] + self.nl
        self.prefix = b""  # interchange-level segments (TA1, ...) before the first group
        self.prefix_at = m.end() if m else ic.header_end
        self.first = True
        self.d = ic.delimiters
        self.codec = ic.encoding if ic.encoding in ("cp037", "cp500") else "latin-1"
        self.group: Group | None = None
        self.group_head = b""
        self.parts: list[bytes] = []
        self.size = 0
        self.in_chunk = 0  # transactions in the open chunk
        self.groups = 0  # groups in the open chunk
        self.messages = 0  # transactions in the open chunk (EDIFACT UNZ count without UNG)
        self.group_open = False  # the current group's header is in the open chunk
        self.group_count = 0  # transactions of the current group in the open chunk
        self.reserve = len(self._trailer("GE", 10**9, "9" * 14)) + len(
            self._trailer("IEA", 10**9, ic.control)
        )

    def _trailer(self, tag: str, count: int, ref: str) -> bytes:
        """A trailer segment (GE/IEA or UNE/UNZ) with the chunk's count, encoded like the input."""
        if self.ic.standard is Standard.EDIFACT:
            tag = {"GE": "UNE", "IEA": "UNZ"}[tag]
        text = write_segment([tag, str(count), ref], self.d) + self.d.segment
        return text.encode(self.codec) + self.nl

    def _open(self) -> None:
        """Start a new chunk with the interchange header (and the interchange-level prefix once)."""
        self.parts = [self.head]
        if self.first and self.prefix:
            self.parts.append(self.prefix)
        self.size = len(self.head) + (len(self.prefix) if self.first else 0)
        self.first = False
        self.in_chunk = self.groups = self.messages = 0
        self.group_open = False

    def group_start(self, g: Group) -> None:
        """A group starts: remember its header bytes (none for implicit groups)."""
        if not self.parts and self.first:
            self.prefix = self.data[self.prefix_at : g.offset]
            self._open()
        self.group = g
        if g.implicit:
            self.group_head = b""
        else:
            m = _WS.match(self.data, g.header_end)
            self.group_head = self.data[g.offset : m.end() if m else g.header_end]
        self.group_open = False
        self.group_count = 0

    def transaction(self, start: int, end: int) -> None:
        """Add one transaction's bytes, starting a new chunk first when it would not fit."""
        if not self.parts:
            self._open()
        m = _WS.match(self.data, end)
        body = self.data[start : m.end() if m else end]
        extra = 0 if self.group_open else len(self.group_head)
        if self.in_chunk and self.size + extra + len(body) + self.reserve > self.max:
            self._flush()
            self._open()
            extra = len(self.group_head)
        if not self.group_open:
            self.parts.append(self.group_head)
            self.size += len(self.group_head)
            self.group_open = True
            self.group_count = 0
            if self.group is not None and not self.group.implicit:
                self.groups += 1
        self.parts.append(body)
        self.size += len(body)
        self.in_chunk += 1
        self.messages += 1
        self.group_count += 1

    def _close_group(self) -> None:
        """Write the trailer of the current group in the open chunk."""
        g = self.group
        if self.group_open and g is not None and not g.implicit:
            t = self._trailer("GE", self.group_count, g.control)
            self.parts.append(t)
            self.size += len(t)
        self.group_open = False

    def group_end(self) -> None:
        """The group ended: close it in the open chunk."""
        self._close_group()
        self.group = None

    def _flush(self) -> None:
        """Finish the open chunk with its trailers and add it to the output."""
        self._close_group()
        uses_groups = self.ic.standard is Standard.X12 or self.groups > 0
        count = self.groups if uses_groups else self.messages
        self.parts.append(self._trailer("IEA", count, self.ic.control))
        self.out.append(b"".join(self.parts))
        self.parts = []

    def finish(self) -> None:
        """The interchange ended: emit the last chunk."""
        if not self.parts:
            self._open()
        self._flush()

    def event(self, ev: Event) -> bool:
        """Take one event of the interchange after its start; True once its end was taken."""
        if isinstance(ev, TransactionComplete):
            self.transaction(ev.transaction.offset, ev.transaction.end)
        elif isinstance(ev, GroupStart):
            self.group_start(ev.group)
        elif isinstance(ev, GroupEnd):
            self.group_end()
        elif isinstance(ev, InterchangeEnd):
            self.finish()
            return True
        return False


Chunker = _Chunker  # public name; ``pipeline.ingest.plan`` drives it with its own events
