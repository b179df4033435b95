"""Serialize segments and whole envelopes back to X12 / EDIFACT bytes.

The inverse of :func:`parsers.segments.split_segment`: an element is a string,
a composite a list of component strings, a repetition a list of composites.
EDIFACT text containing a delimiter is escaped with the release character;
X12 has no release character, so data containing a delimiter raises
:class:`DelimiterInData` (carrying an EDI062-style coded error) instead of
silently producing a different interchange. Trailing empty elements and
components are suppressed, as both standards require.

The envelope writers compute every count (SE01/UNT01 segments, GE01/UNE01
transactions, IEA01/UNZ01 groups or messages) and pad the ISA's fixed-width
fields; the acknowledgement builders use them.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from parsers.delimiters import EDIFACT_LEVEL_A, isnum
from parsers.encoding import EDIFACT_CODECS
from parsers.errors import CONTROL_CHARACTER, EdiError, Location
from parsers.model import Delimiters, Element, Party, Segment

X12_DEFAULT = Delimiters(element="*", component=":", segment="~", repetition="^")
EDIFACT_DEFAULT = EDIFACT_LEVEL_A


class DelimiterInData(ValueError):
    """A value to write contains a delimiter and the syntax has no release character (X12)."""

    def __init__(self, error: EdiError) -> None:
        """Wrap the coded error describing the collision."""
        super().__init__(error.message)
        self.error = error


def _delims(d: Delimiters) -> tuple[str, ...]:
    """The delimiters that data must not contain (or must release-escape)."""
    return tuple(x for x in (d.element, d.component, d.segment, d.repetition) if x)


def escape(value: str, d: Delimiters) -> str:
    """``value`` safe to place in an element: release-escaped (EDIFACT) or checked (X12)."""
    rel = d.release
    if rel is None:
        for ch in _delims(d):
            if ch in value:
                raise DelimiterInData(
                    EdiError(
                        CONTROL_CHARACTER,
                        f"value {value[:40]!r} contains the delimiter {ch!r} and X12 has no release character",
                        Location(),
                    )
                )
        return value
    if rel in value:
        value = value.replace(rel, rel + rel)
    for ch in _delims(d):
        if ch in value:
            value = value.replace(ch, rel + ch)
    return value


def _trim(items: list[str]) -> list[str]:
    """Drop trailing empty components (suppressed as the standards require)."""
    while len(items) > 1 and items[-1] == "":
        items.pop()
    return items


def write_element(el: Element, d: Delimiters) -> str:
    """One element: a string, a composite (list of str) or a repetition (list of composites)."""
    if isinstance(el, str):
        return escape(el, d)
    if el and isinstance(el[0], list):
        if d.repetition is None:
            raise ValueError("repeated element but the delimiters have no repetition separator")
        reps = [d.component.join(_trim([escape(c, d) for c in r])) for r in el]  # type: ignore[union-attr]
        return d.repetition.join(reps)
    return d.component.join(_trim([escape(c, d) for c in el]))  # type: ignore[arg-type]


def write_segment(seg: Segment, d: Delimiters) -> str:
    """One segment's text (tag first), without the terminator; trailing empties suppressed."""
    if not seg or not isinstance(seg[0], str) or not seg[0]:
        raise ValueError("a segment needs a tag")
    parts = [seg[0]] + [write_element(el, d) for el in seg[1:]]
    while len(parts) > 1 and parts[-1] == "":
        parts.pop()
    return d.element.join(parts)


def write_segments(
    segments: Iterable[Segment], d: Delimiters, *, line_break: str = "", encoding: str = "utf-8"
) -> bytes:
    """Segments joined with the terminator (plus ``line_break`` after each), encoded."""
    term = d.segment + line_break
    return "".join(write_segment(s, d) + term for s in segments).encode(encoding)


@dataclass(slots=True)
class TransactionOut:
    """A transaction set / message to write: header ids and body segments (no ST/SE, UNH/UNT)."""

    type: str  # ST01 / UNH02-1 ("850", "ORDERS")
    control: str  # ST02 / UNH01
    body: Sequence[Segment]
    version: Sequence[str] = ()  # X12: (ST03,) or (); EDIFACT: UNH02-2.. ("D", "96A", "UN", ...)


@dataclass(slots=True)
class GroupOut:
    """A functional group to write (GS..GE, UNG..UNE)."""

    functional_id: str  # GS01 / UNG01
    sender: str  # GS02 / UNG02
    receiver: str  # GS03 / UNG03
    control: str  # GS06 / UNG05
    version: Sequence[str]  # GS08 as (value,) / UNG07 components
    transactions: Sequence[TransactionOut] = field(default_factory=list)
    agency: str = "X"  # GS07 / UNG06
    date: str = ""  # GS04 CCYYMMDD / UNG04-1 (default: now)
    time: str = ""  # GS05 HHMM / UNG04-2 (default: now)


def _now() -> _dt.datetime:
    """The current UTC time (envelope date and time defaults)."""
    return _dt.datetime.now(_dt.UTC)


def _check_delimiters(d: Delimiters) -> None:
    """Refuse delimiters that are not distinct or are letters, digits or spaces."""
    chars = [c for c in (d.element, d.component, d.segment, d.repetition, d.release) if c]
    if len(set(chars)) != len(chars) or any(c.isalnum() or c == " " for c in chars):
        raise ValueError(f"delimiters must be distinct and not letters, digits or spaces: {d}")


def _field(value: str, width: int, name: str) -> str:
    """A fixed-width ISA field, space padded; refuses values that are too long."""
    if len(value) > width:
        raise ValueError(f"{name} {value!r} is longer than {width}")
    return value.ljust(width)


def x12_transaction(t: TransactionOut, d: Delimiters) -> list[str]:
    """ST, body and SE (with its segment count) as segment texts."""
    st: Segment = ["ST", t.type, t.control, *t.version]
    out = [write_segment(st, d)]
    out += [write_segment(s, d) for s in t.body]
    out.append(write_segment(["SE", str(len(out) + 1), t.control], d))
    return out


def x12_interchange(
    *,
    sender: Party,
    receiver: Party,
    control: int | str,
    groups: Sequence[GroupOut] = (),
    delimiters: Delimiters = X12_DEFAULT,
    version: str = "00501",
    date: str | None = None,
    time: str | None = None,
    test: bool = False,
    ack_requested: bool = False,
    authorization: tuple[str, str] = ("00", ""),
    security: tuple[str, str] = ("00", ""),
    interchange_segments: Sequence[Segment] = (),
    line_break: str = "",
    encoding: str = "utf-8",
) -> bytes:
    """A whole X12 interchange: fixed-width ISA, GS/ST..SE/GE with counts, IEA.

    ``interchange_segments`` (e.g. a TA1) go between the ISA and the first GS.
    ``date``/``time`` default to now (UTC); ``control`` is zero-padded to 9 digits.
    """
    d = delimiters
    _check_delimiters(d)
    if d.release is not None:
        raise ValueError("X12 has no release character")
    now = _now()
    date = date if date is not None else now.strftime("%y%m%d")
    time = time if time is not None else now.strftime("%H%M")
    ctl = str(control).zfill(9)
    if len(ctl) != 9 or not isnum(ctl):
        raise ValueError(f"ISA13 {control!r} is not a number of at most 9 digits")
    isa11 = _isa11(d, version)
    _check_isa_values(
        d,
        (
            sender.id,
            receiver.id,
            sender.qualifier,
            receiver.qualifier,
            *authorization,
            *security,
        ),
    )
    isa = d.element.join(
        [
            "ISA",
            _field(authorization[0], 2, "ISA01"),
            _field(authorization[1], 10, "ISA02"),
            _field(security[0], 2, "ISA03"),
            _field(security[1], 10, "ISA04"),
            _field(sender.qualifier, 2, "ISA05"),
            _field(sender.id, 15, "ISA06"),
            _field(receiver.qualifier, 2, "ISA07"),
            _field(receiver.id, 15, "ISA08"),
            _field(date, 6, "ISA09"),
            _field(time, 4, "ISA10"),
            isa11,
            _field(version, 5, "ISA12"),
            ctl,
            "1" if ack_requested else "0",
            "T" if test else "P",
            d.component,
        ]
    )
    texts = [isa]
    texts += [write_segment(s, d) for s in interchange_segments]
    for g in groups:
        texts += _x12_group(g, d, now)
    texts.append(write_segment(["IEA", str(len(groups)), ctl], d))
    term = d.segment + line_break
    return "".join(s + term for s in texts).encode(encoding)


def _isa11(d: Delimiters, version: str) -> str:
    """ISA11: the repetition separator from 00402 on (required then), else ``U``."""
    if version >= "00402":
        if d.repetition is None:
            raise ValueError("X12 version 00402 and later needs a repetition separator (ISA11)")
        return d.repetition
    return "U"


def _check_isa_values(d: Delimiters, values: Sequence[str]) -> None:
    """Raise (through :func:`escape`) when an ISA value contains a delimiter: X12 cannot escape."""
    plain = Delimiters(d.element, d.component, d.segment)
    for ch in (d.element, d.component, d.segment):
        for v in values:
            if ch in v:
                escape(v, plain)


def _x12_group(g: GroupOut, d: Delimiters, now: _dt.datetime) -> list[str]:
    """GS, the group's transaction sets and GE (with its count) as segment texts."""
    gs: Segment = [
        "GS",
        g.functional_id,
        g.sender,
        g.receiver,
        g.date or now.strftime("%Y%m%d"),
        g.time or now.strftime("%H%M"),
        g.control,
        g.agency,
        *(g.version[:1] or [""]),
    ]
    texts = [write_segment(gs, d)]
    for t in g.transactions:
        texts += x12_transaction(t, d)
    texts.append(write_segment(["GE", str(len(g.transactions)), g.control], d))
    return texts


def edifact_message(t: TransactionOut, d: Delimiters) -> list[str]:
    """UNH, body and UNT (with its segment count) as segment texts."""
    unh: Segment = ["UNH", t.control, [t.type, *t.version] if t.version else t.type]
    out = [write_segment(unh, d)]
    out += [write_segment(s, d) for s in t.body]
    out.append(write_segment(["UNT", str(len(out) + 1), t.control], d))
    return out


def una(d: Delimiters) -> str:
    """The UNA service string advice announcing ``d``."""
    return (
        "UNA"
        + d.component
        + d.element
        + d.decimal
        + (d.release or " ")
        + (d.repetition or " ")
        + d.segment
    )


def _party(p: Party) -> Element:
    """A UNB party composite: id and qualifier (id alone without qualifier)."""
    return [p.id, p.qualifier] if p.qualifier else p.id


def edifact_interchange(
    *,
    sender: Party,
    receiver: Party,
    control: str,
    messages: Sequence[TransactionOut] = (),
    groups: Sequence[GroupOut] = (),
    delimiters: Delimiters = EDIFACT_DEFAULT,
    syntax: str = "UNOC",
    syntax_version: str = "3",
    date: str | None = None,
    time: str | None = None,
    test: bool = False,
    ack_requested: bool = False,
    application_reference: str = "",
    write_una: bool = True,
    line_break: str = "",
) -> bytes:
    """A whole EDIFACT interchange: UNA, UNB, messages or UNG groups, UNZ with counts.

    Give either ``messages`` (no groups) or ``groups``; mixing them is not valid
    EDIFACT. ``date``/``time`` default to now (UTC), YYMMDD before syntax 4.
    """
    if messages and groups:
        raise ValueError("an EDIFACT interchange holds either messages or groups, not both")
    d = delimiters
    _check_delimiters(d)
    codec = EDIFACT_CODECS.get(syntax)
    if codec is None:
        raise ValueError(f"unknown syntax identifier {syntax!r}")
    now = _now()
    if date is None:
        date = now.strftime("%Y%m%d" if syntax_version == "4" else "%y%m%d")
    if time is None:
        time = now.strftime("%H%M")
    unb: Segment = [
        "UNB",
        [syntax, syntax_version],
        _party(sender),
        _party(receiver),
        [date, time],
        control,
        "",
        application_reference,
        "",
        "1" if ack_requested else "",
        "",
        "1" if test else "",
    ]
    texts: list[str] = []
    if write_una:
        texts.append(una(d)[:-1])  # the terminator is added with the others
    texts.append(write_segment(unb, d))
    for t in messages:
        texts += edifact_message(t, d)
    for g in groups:
        ung: Segment = [
            "UNG",
            g.functional_id,
            g.sender,
            g.receiver,
            [g.date or now.strftime("%y%m%d"), g.time or now.strftime("%H%M")],
            g.control,
            g.agency if g.agency != "X" else "UN",
            list(g.version) if len(g.version) > 1 else (g.version[0] if g.version else ""),
        ]
        texts.append(write_segment(ung, d))
        for t in g.transactions:
            texts += edifact_message(t, d)
        texts.append(write_segment(["UNE", str(len(g.transactions)), g.control], d))
    texts.append(write_segment(["UNZ", str(len(groups) if groups else len(messages)), control], d))
    term = d.segment + line_break
    return "".join(s + term for s in texts).encode(codec)
