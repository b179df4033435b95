"""Stage 1: dialect detection and delimiter discovery (ISA fixed offsets, UNA, EDIFACT defaults).

X12 delimiters come from the ISA segment's fixed layout: the element separator
is byte 3, the component separator is ISA16 (byte 104), the segment terminator
is the character after it, and ISA11 is the repetition separator from version
00402 on when it is not alphanumeric. Partners send ISA headers that are not
exactly 106 characters (a padded field too short or long, a line break from
80-column wrapping); those are recovered by dropping the line breaks or by
scanning for the 16 element separators, and the scan is reported.

EDIFACT delimiters come from the UNA service string advice when present, else
from the defaults of the syntax level (``:+.? '`` for level A, the IS1-IS4
control characters for level B, told apart by the character after ``UNB``).
"""

from __future__ import annotations

from dataclasses import dataclass

from parsers.model import Delimiters, Standard

ISA_LENGTH = 106  # ISA segment including its terminator
ISA_SEPARATORS = (3, 6, 17, 20, 31, 34, 50, 53, 69, 76, 81, 83, 89, 99, 101, 103)
ISA_WIDTHS = (2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1)  # ISA01..ISA16
_ALNUM = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
_CRLF = b"\r\n"
_WINDOW = 400  # bytes an ISA (even badly padded or wrapped) must fit in

EDIFACT_LEVEL_A = Delimiters(element="+", component=":", segment="'", release="?", decimal=".")
EDIFACT_LEVEL_B = Delimiters(element="\x1d", component="\x1f", segment="\x1c")
X12_DEFAULT = Delimiters(element="*", component=":", segment="~", repetition="^")


def isnum(s: str) -> bool:
    """True for a non-empty string of ASCII digits (``str.isdigit`` also accepts '²', '٣', ...)."""
    return s.isdigit() and s.isascii()


def sniff_tag(buf: bytes, pos: int) -> Standard | None:
    """The dialect an interchange header at ``pos`` announces (ISA, UNA, UNB), if any.

    ``ISA`` / ``UNB`` count only when followed by a plausible separator (not a
    letter, digit or space), so words like "UNBOUND" in garbage are not headers.
    """
    tag = buf[pos : pos + 3]
    if tag == b"UNA":
        return Standard.EDIFACT
    if tag not in (b"ISA", b"UNB"):
        return None
    if len(buf) <= pos + 3:
        return Standard.X12 if tag == b"ISA" else Standard.EDIFACT  # undecided; caller waits
    sep = buf[pos + 3]
    if sep in _ALNUM or sep in b" \r\n\t":
        return None
    return Standard.X12 if tag == b"ISA" else Standard.EDIFACT


@dataclass(slots=True)
class IsaLayout:
    """Where the ISA's delimiters and fields were found."""

    delimiters: Delimiters
    codec: str  # "utf-8" unless a delimiter is a non-UTF-8 8-bit byte ("latin-1")
    text: str  # the ISA segment text without terminator (line breaks removed if wrapped)
    end: int  # buffer position just past the ISA terminator
    scanned: bool  # True when the fixed 106-character layout did not hold
    term_bytes: bytes


def _char_at(buf: bytes, i: int) -> tuple[str, bytes, str]:
    """The character at ``buf[i]``: a whole UTF-8 sequence when valid, else one Latin-1 byte."""
    b0 = buf[i]
    if b0 >= 0xC2:
        n = 2 if b0 < 0xE0 else 3 if b0 < 0xF0 else 4
        raw = buf[i : i + n]
        try:
            return raw.decode("utf-8"), raw, "utf-8"
        except UnicodeDecodeError:
            pass
    raw = buf[i : i + 1]
    return raw.decode("latin-1"), raw, "latin-1" if b0 >= 0x80 else "utf-8"


def _fixed(window: bytes) -> bool:
    """True when ``window`` has the element separator at all 16 fixed ISA positions."""
    if len(window) < ISA_LENGTH:
        return False
    sep = window[3]
    return all(window[i] == sep for i in ISA_SEPARATORS)


def read_isa(buf: bytes, pos: int, eof: bool) -> IsaLayout | str | None:
    """Find the delimiters of the ISA at ``pos``.

    Returns the layout, ``None`` when more input is needed, or a message string
    when the delimiters cannot be determined (EDI010 / EDI008 by the caller).
    """
    avail = len(buf) - pos
    if avail < _WINDOW and not eof:
        return None  # decide on the same bytes whatever the read sizes (stream == parse)
    window = buf[pos : pos + _WINDOW]
    scanned = False
    if _fixed(window):
        text_bytes = window[:105]
        ci = 104
        ti = pos + 105
    else:
        # 80-column wrapped ISA: drop CR/LF and try the fixed layout again.
        stripped = window.replace(b"\r", b"").replace(b"\n", b"")
        if stripped != window and _fixed(stripped) and stripped[105] not in _CRLF:
            text_bytes = stripped[:105]
            ci = 104
            # Map stripped index 105 back to the original buffer.
            seen = -1
            ti = pos
            while True:
                if buf[ti] not in _CRLF:
                    seen += 1
                    if seen == 105:
                        break
                ti += 1
        else:
            if len(window) < 4:
                return "ISA header truncated"
            sep_byte = window[3]
            found = [i for i, b in enumerate(window) if b == sep_byte]
            if len(found) < 16 or found[15] + 2 >= len(window):
                return (
                    "ISA header truncated before ISA16"
                    if eof and avail < _WINDOW
                    else "ISA header has fewer than 16 element separators"
                )
            ci = found[15] + 1
            text_bytes = window[: ci + 1]
            ti = pos + ci + 1
            scanned = True
    sep = text_bytes[3:4]
    comp, comp_b, c1 = _char_at(text_bytes, ci)
    if len(comp_b) != 1:
        comp, comp_b, c1 = (
            text_bytes[ci : ci + 1].decode("latin-1"),
            text_bytes[ci : ci + 1],
            "latin-1",
        )
    if ti >= len(buf):
        return "ISA header truncated before its segment terminator"
    term, term_b, c2 = _char_at(buf, ti)
    elem = sep.decode("latin-1")
    codec = "latin-1" if "latin-1" in (c1, c2) or sep[0] >= 0x80 else "utf-8"
    text = text_bytes.decode(codec if codec == "latin-1" else "latin-1")
    els = text.split(elem)
    rep: str | None = None
    if len(els) > 12:
        isa11, isa12 = els[11], els[12]
        if (
            len(isa11) == 1
            and isnum(isa12)
            and isa12 >= "00402"
            and ord(isa11[0]) not in _ALNUM
            and isa11 not in (elem, comp, term, " ")
        ):
            rep = isa11
    d = Delimiters(element=elem, component=comp, segment=term, repetition=rep)
    return IsaLayout(d, codec, text, ti + len(term_b), scanned, term_b)


@dataclass(slots=True)
class UnaLayout:
    """The delimiters an EDIFACT interchange announces (UNA) or implies (defaults)."""

    delimiters: Delimiters
    una: bool  # True when a UNA was present
    unb: int  # buffer position of the UNB tag (after the UNA and whitespace)
    problem: str = ""  # why the UNA is invalid (EDI070), "" when fine


def read_una(buf: bytes, pos: int, eof: bool) -> UnaLayout | str | None:
    """Read the UNA at ``pos`` (or the defaults when ``pos`` is at UNB).

    Returns the layout, ``None`` when more input is needed, or a message when
    no interchange header can be read.
    """
    if buf[pos : pos + 3] == b"UNB":
        if len(buf) < pos + 4:
            return None if not eof else "UNB header truncated"
        sep = buf[pos + 3 : pos + 4]
        if sep == b"\x1d":
            return UnaLayout(EDIFACT_LEVEL_B, False, pos)
        if sep == b"+":
            return UnaLayout(EDIFACT_LEVEL_A, False, pos)
        # Non-default element separator without UNA: use it with the level A rest.
        return UnaLayout(
            Delimiters(element=sep.decode("latin-1"), component=":", segment="'", release="?"),
            False,
            pos,
            problem=f"element separator {sep!r} without a UNA service string advice",
        )
    if len(buf) < pos + 9:
        return None if not eof else "UNA service string advice truncated"
    una = buf[pos + 3 : pos + 9].decode("latin-1")
    comp, elem, dec, rel, rep, term = una[0], una[1], una[2], una[3], una[4], una[5]
    problem = ""
    service = [comp, elem, term]
    if rel != " ":
        service.append(rel)
    if rep != " ":
        service.append(rep)
    if len(set(service)) != len(service):
        problem = f"UNA service characters are not distinct: {una!r}"
    elif any(c.isalnum() for c in service):
        problem = f"UNA service character is a letter or digit: {una!r}"
    elif dec not in ".,":
        problem = f"UNA decimal mark {dec!r} is not '.' or ','"
    d = Delimiters(
        element=elem,
        component=comp,
        segment=term,
        repetition=None if rep == " " else rep,
        release=None if rel == " " else rel,
        decimal=dec if dec in ".," else ".",
    )
    j = pos + 9
    n = len(buf)
    while j < n and buf[j] in b" \t\r\n":
        j += 1
    if n - j < 3:
        return None if not eof else "UNA not followed by UNB"
    if buf[j : j + 3] != b"UNB":
        return f"UNA not followed by UNB (found {buf[j : j + 3]!r})"
    return UnaLayout(d, True, j, problem)


def with_repetition(d: Delimiters, rep: str | None) -> Delimiters:
    """A copy of ``d`` with another repetition separator (EDIFACT version 4 default ``*``)."""
    return Delimiters(d.element, d.component, d.segment, rep, d.release, d.decimal)
