"""An independent envelope checker for generated files (no code shared with ``parsers``).

Deliberately small and literal: it re-derives delimiters from each ISA / UNA,
splits segments, and checks every control number and count the standards
define, so the generator's tests do not depend on the parser under test.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Scan:
    """What the checker saw: counts like ``GenerateStats`` and a list of problems."""

    interchanges: int = 0
    groups: int = 0
    transactions: int = 0
    segments: int = 0
    by_type: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)


def _trailer(
    scan: Scan, where: str, elems: list[str], counted: int, ref: str | None, ref_name: str
) -> None:
    """Check a trailer (SE, GE, IEA, UNT, UNZ): its count is ``counted``, its reference ``ref``."""
    tag = elems[0]
    if elems[1] != str(counted):
        scan.problems.append(f"{where}: {tag}01={elems[1]}, counted {counted}")
    if elems[2] != ref:
        scan.problems.append(f"{where}: {tag}02={elems[2]} != {ref_name}")


def _x12(text: str, pos: int, scan: Scan) -> int:
    """Check one X12 interchange starting at ``pos``; returns the position after it."""
    isa = text[pos : pos + 106]
    if len(isa) != 106:
        scan.problems.append(f"ISA at {pos}: shorter than 106 characters")
        return len(text)
    el, comp, term = isa[3], isa[104], isa[105]
    fields = isa[:105].split(el)
    widths = [3, 2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1]
    if [len(f) for f in fields] != widths:
        scan.problems.append(f"ISA at {pos}: field widths {[len(f) for f in fields]}")
    if fields[16] != comp:
        scan.problems.append(f"ISA at {pos}: ISA16 mismatch")
    if fields[12] == "00501" and fields[11] in (el, comp, term):
        scan.problems.append(f"ISA at {pos}: repetition separator clashes")
    ctl = fields[13]
    scan.interchanges += 1
    scan.segments += 1
    i = pos + 106
    groups = 0
    gs: list[str] | None = None
    st: list[str] | None = None
    n_tx = 0
    n_seg = 0
    while True:
        j = text.find(term, i)
        if j < 0:
            scan.problems.append(f"interchange {ctl}: IEA missing (end of input)")
            return len(text)
        raw = text[i:j].strip("\r\n ")
        i = j + 1
        if not raw:
            continue
        if raw.startswith("ISA" + el):
            scan.problems.append(f"interchange {ctl}: IEA missing (next ISA)")
            return text.index("ISA", i - len(raw) - 1)
        scan.segments += 1
        elems = raw.split(el)
        tag = elems[0]
        if st is not None and tag not in ("SE", "GE", "IEA", "ST", "GS"):
            n_seg += 1
            continue
        if tag == "GS":
            if gs is not None:
                scan.problems.append(f"group {gs[6]}: GE missing")
            gs, n_tx, groups = elems, 0, groups + 1
            scan.groups += 1
        elif tag == "ST":
            if st is not None:
                scan.problems.append(f"transaction {st[2]}: SE missing")
            if gs is None:
                scan.problems.append("ST outside a group")
            st, n_seg = elems, 1
            n_tx += 1
            scan.transactions += 1
            scan.by_type[elems[1]] += 1
        elif tag == "SE":
            if st is None:
                scan.problems.append("SE without ST")
                continue
            _trailer(scan, f"transaction {st[2]}", elems, n_seg + 1, st[2], "ST02")
            st = None
        elif tag == "GE":
            if st is not None:
                scan.problems.append(f"transaction {st[2]}: SE missing")
                st = None
            if gs is None:
                scan.problems.append("GE without GS")
                continue
            _trailer(scan, f"group {gs[6]}", elems, n_tx, gs[6], "GS06")
            gs = None
        elif tag == "IEA":
            if st is not None:
                scan.problems.append(f"transaction {st[2]}: SE missing")
            if gs is not None:
                scan.problems.append(f"group {gs[6]}: GE missing")
            _trailer(scan, f"interchange {ctl}", elems, groups, ctl, "ISA13")
            return i
        else:
            scan.problems.append(f"interchange {ctl}: {tag} outside a transaction")


def _split_edifact(text: str, i: int, el: str, term: str, rel: str) -> tuple[str, int]:
    """The next segment's raw text (release sequences kept) and the position after it."""
    j = i
    while True:
        k = text.find(term, j)
        if k < 0:
            return text[i:], len(text)
        # an odd number of release characters before the terminator escapes it
        n = 0
        while k - 1 - n >= i and text[k - 1 - n] == rel:
            n += 1
        if n % 2 == 0:
            return text[i:k], k + 1
        j = k + 1


def _edifact(text: str, pos: int, scan: Scan) -> int:
    """Check one EDIFACT interchange (UNA optional) starting at ``pos``."""
    comp, el, rel, term = ":", "+", "?", "'"
    if text.startswith("UNA", pos):
        una = text[pos + 3 : pos + 9]
        comp, el, rel, term = una[0], una[1], una[3], una[5]
        pos += 9
    i = pos
    ref: str | None = None
    unh: list[str] | None = None
    n_msg = 0
    n_seg = 0
    while i < len(text):
        start = i
        raw, i = _split_edifact(text, i, el, term, rel)
        raw = raw.strip("\r\n ")
        if not raw:
            continue
        if ref is not None and raw.startswith(("UNA", "UNB")):
            scan.problems.append(f"interchange {ref}: UNZ missing (next interchange)")
            return start
        scan.segments += 1
        elems = raw.split(el)
        tag = elems[0]
        if tag == "UNB":
            ref = elems[5]
            scan.interchanges += 1
        elif tag == "UNH":
            if unh is not None:
                scan.problems.append(f"message {unh[1]}: UNT missing")
            unh, n_seg = elems, 1
            n_msg += 1
            scan.transactions += 1
            scan.by_type[elems[2].split(comp)[0]] += 1
        elif tag == "UNT":
            if unh is None:
                scan.problems.append("UNT without UNH")
                continue
            _trailer(scan, f"message {unh[1]}", elems, n_seg + 1, unh[1], "UNH01")
            unh = None
        elif tag == "UNZ":
            if unh is not None:
                scan.problems.append(f"message {unh[1]}: UNT missing")
            _trailer(scan, f"interchange {ref}", elems, n_msg, ref, "UNB05")
            return i
        elif unh is not None:
            n_seg += 1
        else:
            scan.problems.append(f"interchange {ref}: {tag} outside a message")
    scan.problems.append(f"interchange {ref}: UNZ missing (end of input)")
    return len(text)


def scan(data: bytes) -> Scan:
    """Check every interchange in ``data`` (X12 and EDIFACT may alternate)."""
    text = data.decode("latin-1")
    out = Scan()
    pos = 0
    while True:
        while pos < len(text) and text[pos] in "\r\n \t":
            pos += 1
        if pos >= len(text):
            return out
        if text.startswith("ISA", pos):
            pos = _x12(text, pos, out)
        elif text.startswith(("UNA", "UNB"), pos):
            pos = _edifact(text, pos, out)
        else:
            out.problems.append(f"garbage at {pos}: {text[pos : pos + 20]!r}")
            return out
