"""Stage 5: the drivers. ``stream`` reads a binary file in bounded memory; ``parse`` reads bytes.

Both run the one :class:`~parsers.envelopes.Machine` over segment-aligned
blocks cut by the tokenizer; they differ only in where bytes come from
(``fp.read`` in chunks vs. one bytes object, windowed without copying) and in
what happens to the events (yielded vs. collected into a
:class:`~parsers.model.ParseResult`).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from typing import BinaryIO

from parsers.bare import HEAD as BARE_HEAD
from parsers.bare import Synthesis, bare_start
from parsers.encoding import EBCDIC_TABLES, sniff
from parsers.envelopes import (
    Event,
    GroupStart,
    InputError,
    InterchangeStart,
    Machine,
    Spill,
    TransactionComplete,
)
from parsers.errors import EBCDIC_CONVERTED, INPUT_EMPTY, UTF16_INPUT, EdiError, Location
from parsers.model import ParseResult
from parsers.tokenizer import cut, find_boundary, scan, skip_ws
from parsers.tolerance import Level, Tolerance

BLOCK = 1 << 20  # bytes scanned per block: bounds a slow-path fallback and the working set
_HEADERS = (b"ISA", b"UNA", b"UNB")


class _Input:
    """The input of one run: the buffer read so far, its absolute offset, the position reached."""

    __slots__ = ("base", "buf", "eof", "pos", "read", "size", "table")

    def __init__(self, read: Callable[[int], bytes] | None, data: bytes, chunk_size: int) -> None:
        """``data`` first, then what ``read`` returns (``read=None``: ``data`` is all)."""
        self.read = read
        self.buf = data
        self.base = 0  # absolute offset of buf[0]
        self.pos = 0
        self.eof = read is None
        self.table: bytes | None = None  # EBCDIC -> ASCII translation, once sniffed
        self.size = max(chunk_size, 1)

    def refill(self) -> None:
        """Read more input, dropping what was consumed (the buffer stays bounded)."""
        assert self.read is not None
        more = self.read(self.size)
        if not more:
            self.eof = True
            return
        if self.table is not None:
            more = more.translate(self.table)
        if self.pos:
            self.buf = self.buf[self.pos :] + more
            self.base += self.pos
            self.pos = 0
        else:
            self.buf += more


def _head(inp: _Input, m: Machine) -> tuple[list[Event], bool]:
    """Sniff the encoding from the first bytes: the input errors found, and whether to go on."""
    while not inp.eof and len(inp.buf) < 64:
        inp.refill()
    head = sniff(inp.buf[:64])
    out: list[Event] = []
    if head.wide:
        msg = f"input is {head.wide} encoded; EDI must be sent in an 8-bit encoding"
        out.append(InputError(EdiError(UTF16_INPUT, msg, Location(offset=0))))
        return out, False
    if head.ebcdic:
        inp.table = EBCDIC_TABLES[head.ebcdic]
        inp.buf = inp.buf.translate(inp.table)
        m.file_encoding = head.ebcdic
        msg = f"EBCDIC input ({head.ebcdic}) converted to ASCII"
        out.append(InputError(EdiError(EBCDIC_CONVERTED, msg, Location(offset=0))))
    inp.pos = head.bom
    if inp.eof and not inp.buf[inp.pos :].strip():
        out.append(InputError(EdiError(INPUT_EMPTY, "input is empty", Location(offset=0))))
        return out, False
    return out, True


def events(
    read: Callable[[int], bytes] | None,
    data: bytes = b"",
    chunk_size: int = BLOCK,
    keep_segments: bool = True,
    tolerance: Tolerance | None = None,
    spill: Spill | None = None,
) -> Iterator[Event]:
    """Run the envelope machine over ``data`` then everything ``read`` returns; yield events.

    ``read(n)`` returns up to ``n`` more bytes (``b""`` at end of input); with
    ``read=None`` the input is ``data`` alone and no copy of it is ever made.
    ``tolerance`` (default: strict) judges every error as the events go out;
    ``spill`` picks transactions streamed in ``TransactionPart`` events (Machine).
    """
    if tolerance is None or tolerance.strict:
        return _events(read, data, chunk_size, keep_segments, spill)
    if tolerance.level is Level.LENIENT:
        read, data, synthesis = _bare(read, data)
        if synthesis is not None:
            raw = synthesis.events(_events(read, data, chunk_size, keep_segments, spill))
            return tolerance.events(raw)
    return tolerance.events(_events(read, data, chunk_size, keep_segments, spill))


def _bare(
    read: Callable[[int], bytes] | None, data: bytes
) -> tuple[Callable[[int], bytes] | None, bytes, Synthesis | None]:
    """The input, wrapped in a synthesised interchange when it is bare EDIFACT messages."""
    head = data
    if read is not None and len(head) < BARE_HEAD:
        head = head + read(BARE_HEAD)
    found = bare_start(head[:BARE_HEAD])
    if found is None:
        return read, head, None
    synthesis = Synthesis(*found)
    if read is None:
        return None, synthesis.wrap(head), synthesis
    return synthesis.reader(read, head), b"", synthesis


def _events(
    read: Callable[[int], bytes] | None,
    data: bytes,
    chunk_size: int,
    keep_segments: bool,
    spill: Spill | None = None,
) -> Iterator[Event]:
    """The machine's events one by one (:func:`_batches` flattened)."""
    for batch in _batches(read, data, chunk_size, keep_segments, spill):
        yield from batch


def _batches(
    read: Callable[[int], bytes] | None,
    data: bytes,
    chunk_size: int,
    keep_segments: bool,
    spill: Spill | None = None,
) -> Iterator[list[Event]]:
    """Run the envelope machine over the input; yield its events in non-empty batches, in order.

    Batches (what one ``drain`` returns) spare :func:`parse` a generator step per event.
    """
    m = Machine(keep_segments, spill)
    inp = _Input(read, data, chunk_size)
    found, go_on = _head(inp, m)
    if found:
        yield found
    if not go_on:
        return
    while True:
        buf, pos, eof = inp.buf, inp.pos, inp.eof
        if m.ic is None:
            inp.pos, need = m.seek(buf, pos, inp.base, eof)
            if m.out:
                yield m.drain()
            if need:
                if eof:
                    break
                inp.refill()
            continue
        syn = m.syn
        assert syn is not None
        if not eof and len(buf) - pos < inp.size:
            inp.refill()
            continue
        j = skip_ws(syn, buf, pos, len(buf))
        hm = syn.boundary_first.match(buf, j)  # the same header test as the boundary search
        if hm is not None and buf[hm.end() - 3 : hm.end()] in _HEADERS:
            m.abort_at(j, inp.base, buf[j : j + 3].decode())
            if m.out:
                yield m.drain()
            inp.pos = j
            continue
        end = min(len(buf), pos + inp.size)
        c = cut(syn, buf, pos, end)
        if c < 0 and end < len(buf):
            c = cut(syn, buf, pos, len(buf))
        last = False
        if c < 0:
            if not eof:
                inp.size *= 2  # one segment bigger than the window (e.g. a binary payload)
                inp.refill()
                continue
            c = len(buf)
            last = True
        bnd = find_boundary(syn, buf, pos, c)
        if bnd is not None:
            c = bnd[0]
        blk = scan(syn, buf, pos, c, eof and (last or c == len(buf)))
        if blk.end <= pos and not blk.nseg:
            if blk.end == c and c > pos:
                inp.pos = c
                continue
            if eof:
                break
            inp.size *= 2
            inp.refill()
            continue
        inp.pos = m.feed(blk, inp.base)
        if m.out:
            yield m.drain()
        if eof and inp.pos >= len(buf) and m.ic is not None:
            break
    m.finish(inp.base + len(inp.buf))
    if m.out:
        yield m.drain()


def stream(
    fp: BinaryIO,
    chunk_size: int = 1 << 20,
    tolerance: Tolerance | None = None,
    spill: Spill | None = None,
) -> Iterator[Event]:
    """Read X12/EDIFACT from a binary file object in bounded memory; yield events as found.

    Events: :class:`~parsers.envelopes.InterchangeStart`, ``GroupStart``,
    ``TransactionComplete`` (one per transaction set / message, as soon as its
    trailer is read), ``GroupEnd``, ``InterchangeEnd`` (with the errors found at
    the trailers) and ``InputError`` (problems outside any interchange).
    Interchange and group objects are shared by the events of their children
    and never accumulate transactions, so memory is bounded by ``chunk_size``
    and the largest single transaction (or, for those ``spill`` picks, one block:
    they come in ``TransactionPart`` events).
    """
    return events(fp.read, b"", chunk_size, tolerance=tolerance, spill=spill)


def parse(data: bytes, tolerance: Tolerance | None = None) -> ParseResult:
    """Parse a whole input held in memory into interchanges, groups and transactions.

    ``tolerance`` decides which deviations reject (default: strict, the catalogue).

    The cyclic garbage collector is paused while the (acyclic) result is built:
    millions of retained segment lists otherwise trigger repeated full
    collections that cost a third of the parse time on large inputs.
    """
    result = ParseResult()
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        _collect(bytes(data), tolerance, result)
    finally:
        if paused:
            gc.enable()
    return result


def _collect(data: bytes, tolerance: Tolerance | None, result: ParseResult) -> None:
    """Build ``result``'s trees from the events of ``data``, each judged by ``tolerance``.

    The same events as :func:`events` in the same order, taken in batches (no
    generator step per event).
    """
    judge = None if tolerance is None or tolerance.strict else tolerance.event
    lenient = tolerance is not None and tolerance.level is Level.LENIENT
    if lenient and bare_start(data[:BARE_HEAD]) is not None:  # bare EDIFACT: synthesised UNB
        for ev in events(None, data, tolerance=tolerance):
            _add(result, ev)
        return
    for batch in _batches(None, data, BLOCK, True):
        for ev in batch:
            _add(result, ev if judge is None else judge(ev))


def _add(result: ParseResult, ev: Event) -> None:
    """Add one event's object to the result trees."""
    if isinstance(ev, TransactionComplete):
        ev.group.transactions.append(ev.transaction)
    elif isinstance(ev, GroupStart):
        ev.interchange.groups.append(ev.group)
    elif isinstance(ev, InterchangeStart):
        result.interchanges.append(ev.interchange)
    elif isinstance(ev, InputError):
        result.errors.append(ev.error)


def _generate(kind: str, size: int, path: str) -> None:
    """Write ~``size`` bytes of synthetic EDI: ``x12`` (one interchange), ``x12-many``, ``edifact``."""
    if kind == "edifact":
        body = "BGM+220+PO1+9'\nDTM+137:20240101:102'\nNAD+BY+123456789::9++ACME FOODS'\nLIN+1++ABC123:IN'\nQTY+21:10'\n"
        head = "UNA:+.? '\nUNB+UNOC:3+SENDER:14+RECEIVER:14+240101:1200+REF1'\n"
        n = 0
        with open(path, "w", encoding="latin-1") as f:
            f.write(head)
            written = len(head)
            while written < size:
                part = "".join(
                    f"UNH+{i}+ORDERS:D:96A:UN'\n{body * 3}UNT+17+{i}'\n"
                    for i in range(n + 1, n + 5001)
                )
                f.write(part)
                written += len(part)
                n += 5000
            f.write(f"UNZ+{n}+REF1'\n")
        return
    body = "BEG*00*SA*PO1**20240101~\nREF*DP*038~\nN1*ST*ACME FOODS*92*0001~\n" * 4
    isa = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240101*1200*^*00501*{:09d}*0*P*:~\n"
    per = 50 if kind == "x12-many" else 10**12
    with open(path, "w") as f:
        written = ics = 0
        while written < size:
            ics += 1
            f.write(isa.format(ics) + "GS*PO*S*R*20240101*1200*1*X*005010~\n")
            n = 0
            while n < per and written < size:
                part = "".join(
                    f"ST*850*{i:09d}~\n{body}SE*14*{i:09d}~\n"
                    for i in range(n + 1, n + 1 + min(per, 5000))
                )
                f.write(part)
                written += len(part)
                n += min(per, 5000)
            f.write(f"GE*{n}*1~\nIEA*1*{ics:09d}~\n")


def _main(argv: list[str]) -> int:
    """``python -m parsers.stream [--generate KIND MB OUT] FILE...``: throughput and peak RSS as JSON.

    For each file: segments/s and MB/s of ``parse`` (whole file in memory) and
    of ``stream`` (1 MiB chunks), best of three CPU times, and the peak RSS.
    ``--stream-only`` skips ``parse`` (for files bigger than memory should hold).
    """
    import json
    import os
    import resource
    import time

    if argv[:1] == ["--generate"]:
        _generate(argv[1], int(float(argv[2]) * 1024 * 1024), argv[3])
        return 0
    stream_only = "--stream-only" in argv
    for name in [a for a in argv if not a.startswith("--")]:
        with open(name, "rb") as fp:
            t0 = time.process_time()
            n = 0
            for ev in stream(fp):
                if isinstance(ev, TransactionComplete):
                    n += 1
            stream_s = time.process_time() - t0
        size = os.path.getsize(name)
        row: dict[str, object] = {
            "file": name,
            "bytes": size,
            "transactions": n,
            "stream_cpu_s": round(stream_s, 3),
            "stream_mb_per_s": round(size / stream_s / 1e6, 1),
        }
        if not stream_only:
            with open(name, "rb") as fp:
                data = fp.read()
            best = 1e9
            for _ in range(3):
                t0 = time.process_time()
                res = parse(data)
                best = min(best, time.process_time() - t0)
            segs = sum(len(t.segments) for t in res.transactions)
            row.update(
                segments=segs,
                parse_cpu_s=round(best, 3),
                parse_seg_per_s=round(segs / best),
                parse_mb_per_s=round(size / best / 1e6, 1),
                stream_seg_per_s=round(segs / stream_s),
            )
        row["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        print(json.dumps(row))
    return 0


if __name__ == "__main__":
    import sys

    raise SystemExit(_main(sys.argv[1:]))
