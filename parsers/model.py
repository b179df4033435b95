"""The parser's data model: the values every stage hands to the next.

These types are the contract between the parser stages and the pipeline:
envelopes produce :class:`Interchange` / :class:`Group` / :class:`Transaction`,
validation attaches :class:`~parsers.errors.EdiError` values to them, and the
document and acknowledgement builders read them. They are plain slotted
dataclasses (cheap to build on the hot path, no validation on construction).

Segment text is kept *unsplit* (``Transaction.segments`` holds one string per
segment, terminator and surrounding whitespace removed) so that stages which
only need envelopes never pay for element splitting; :mod:`parsers.segments`
splits on demand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

    from parsers.errors import EdiError


class Standard(StrEnum):
    """The two EDI syntaxes edi-mesh reads."""

    X12 = "x12"
    EDIFACT = "edifact"


# One element of a split segment: a plain string, a composite (list of
# component strings), or a repetition (list of composites; a repeated simple
# element is a list of one-component lists). The list-of-lists shape keeps
# composites and repetitions distinguishable in JSON.
Element = str | list[str] | list[list[str]]
Segment = list[Element]  # segment[0] is the tag


@dataclass(frozen=True, slots=True)
class Delimiters:
    """The separators of one interchange, read from its envelope.

    ``repetition`` and ``release`` are ``None`` when the interchange has none
    (X12 before 00402 has no repetition separator; X12 has no release
    character). ``decimal`` is the EDIFACT decimal mark (UNA3), "." for X12.
    """

    element: str
    component: str
    segment: str
    repetition: str | None = None
    release: str | None = None
    decimal: str = "."


@dataclass(frozen=True, slots=True)
class Party:
    """An envelope party: X12 ISA05/ISA06 (qualifier, id), EDIFACT UNB id and code qualifier."""

    qualifier: str
    id: str

    def key(self) -> str:
        """The ``QUALIFIER:ID`` form used in the partners file (``senders``)."""
        return f"{self.qualifier}:{self.id}"


@dataclass(slots=True)
class Transaction:
    """One X12 transaction set (ST..SE) or EDIFACT message (UNH..UNT)."""

    type: str  # ST01 / UNH02-1 ("850", "ORDERS")
    control: str  # ST02 / UNH01
    version: str  # ST03 or GS08 / UNH02-2+3 (+5 association code): "005010X222A1", "D96A"
    segments: list[str]  # raw segment text, header and trailer included
    offset: int  # byte offset of the header segment in the input
    index: int  # 1-based ordinal of the header segment in the input
    errors: list[EdiError] = field(default_factory=list)
    implementation: str = ""  # ST03 implementation convention reference when present
    end: int = -1  # byte offset just past the trailer's terminator (-1 until closed)

    @property
    def accepted(self) -> bool:
        """True when no error of this transaction rejects it."""
        return not any(e.rejects for e in self.errors)


@dataclass(slots=True)
class Group:
    """One X12 functional group (GS..GE) or EDIFACT UNG..UNE group.

    EDIFACT interchanges without UNG put their messages in one implicit
    group with ``implicit=True`` and empty header fields.
    """

    functional_id: str  # GS01 / UNG01 ("PO", "IN", ...); "" when implicit
    control: str  # GS06 / UNG05
    version: str  # GS08 / UNG07
    sender: str  # GS02 / UNG02
    receiver: str  # GS03 / UNG03
    date: str  # GS04 / UNG04-1
    time: str  # GS05 / UNG04-2
    offset: int
    index: int
    transactions: list[Transaction] = field(default_factory=list)
    errors: list[EdiError] = field(default_factory=list)
    implicit: bool = False
    agency: str = ""  # GS07 responsible agency ("X") / UNG06
    header_end: int = -1  # byte offset just past the GS/UNG terminator
    end: int = -1  # byte offset just past the GE/UNE terminator (-1 until closed)

    @property
    def accepted(self) -> bool:
        """True when no error of the group itself rejects it (and so all its transactions)."""
        return not any(e.rejects for e in self.errors)


@dataclass(slots=True)
class Interchange:
    """One X12 interchange (ISA..IEA) or EDIFACT interchange (UNA?/UNB..UNZ)."""

    standard: Standard
    delimiters: Delimiters
    sender: Party
    receiver: Party
    control: str  # ISA13 / UNB05
    version: str  # ISA12 / UNB01-2 (syntax version)
    date: str  # ISA09 / UNB04-1
    time: str  # ISA10 / UNB04-2
    test: bool  # ISA15 == "T" / UNB11 == "1"
    ack_requested: bool  # ISA14 == "1" / UNB09 == "1"
    offset: int  # byte offset of ISA / UNA-or-UNB in the input
    end: int  # byte offset just past the trailer's terminator
    index: int  # 1-based ordinal of the header segment in the input
    header: list[str]  # the ISA / UNB elements (tag first), as read
    groups: list[Group] = field(default_factory=list)
    errors: list[EdiError] = field(default_factory=list)
    encoding: str = "ascii"  # how the bytes were decoded ("utf-8", "latin-1", ...)
    syntax: str = ""  # EDIFACT UNB01-1 syntax identifier ("UNOA", "UNOC", ...); X12: ""
    header_end: int = -1  # byte offset just past the ISA / UNB terminator

    @property
    def transactions(self) -> list[Transaction]:
        """All transactions of all groups, in input order."""
        return [t for g in self.groups for t in g.transactions]

    @property
    def accepted(self) -> bool:
        """True when no interchange-level error rejects the whole interchange."""
        return not any(e.rejects for e in self.errors)


@dataclass(slots=True)
class ParseResult:
    """What :func:`parsers.parse` returns: the interchanges and the errors outside any of them."""

    interchanges: list[Interchange] = field(default_factory=list)
    errors: list[EdiError] = field(default_factory=list)  # not EDI, garbage, UTF-16, ...

    def all_errors(self) -> Iterator[EdiError]:
        """Every error of the input, outermost first, in input order within each level."""
        yield from self.errors
        for ic in self.interchanges:
            yield from ic.errors
            for g in ic.groups:
                yield from g.errors
                for t in g.transactions:
                    yield from t.errors

    @property
    def valid(self) -> bool:
        """True when at least one interchange was read and no error anywhere rejects."""
        return bool(self.interchanges) and not any(e.rejects for e in self.all_errors())

    @property
    def transactions(self) -> list[Transaction]:
        """All transactions of all interchanges, in input order."""
        return [t for ic in self.interchanges for g in ic.groups for t in g.transactions]
