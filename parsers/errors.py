"""Errors as values: a stable code, a message and a structured location.

Every problem the parser finds is an :class:`EdiError`, never only text and
never an exception escaping to the user. Each code has one entry in
:data:`CATALOGUE` which says at which envelope level it applies, whether it
rejects what it is attached to, and which acknowledgement codes it implies
(TA1 note code, 997/999 AK3/IK3, AK4/IK4, AK5/IK5, AK9 codes, EDIFACT CONTRL
syntax error code 0085), so the acknowledgement builders never guess.

Codes EDI001-EDI099 belong to the parser; EDI1xx are the pipeline's (ingest,
partners, routing) and are registered in ``pipeline.errors`` with the same
class. Codes are public: never renumber one, add new ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Level(StrEnum):
    """The envelope level an error applies to (what it rejects when it rejects)."""

    INTERCHANGE = "interchange"
    GROUP = "group"
    TRANSACTION = "transaction"
    SEGMENT = "segment"
    ELEMENT = "element"


@dataclass(frozen=True, slots=True)
class Location:
    """Where an error is: every field optional, 1-based positions like the EDI standards."""

    offset: int | None = None  # byte offset in the input
    segment: int | None = None  # ordinal of the segment in the input (1 = first)
    tag: str | None = None  # segment tag ("ISA", "SE", "UNH", ...)
    element: int | None = None  # element position in the segment (ISA01 = 1)
    component: int | None = None  # component position in the composite
    repetition: int | None = None  # repetition index (1 = first)
    ts_segment: int | None = None  # position in the transaction set (ST/UNH = 1), for AK3/IK3/UCS

    def to_dict(self) -> dict[str, Any]:
        """The location without unset fields, for JSON."""
        return {k: getattr(self, k) for k in self.__slots__ if getattr(self, k) is not None}

    def describe(self) -> str:
        """``segment N (TAG) element M component C`` or ``byte N``, for one-line messages."""
        parts: list[str] = []
        if self.segment is not None:
            parts.append(f"segment {self.segment}")
            if self.tag:
                parts.append(f"({self.tag})")
        elif self.tag:
            parts.append(f"segment {self.tag}")
        if self.element is not None:
            parts.append(f"element {self.element}")
        if self.component is not None:
            parts.append(f"component {self.component}")
        if not parts and self.offset is not None:
            parts.append(f"byte {self.offset}")
        return " ".join(parts) if parts else "start of input"


@dataclass(frozen=True, slots=True)
class ErrorCode:
    """One catalogue entry: what a code means and what acknowledgements it implies.

    Acknowledgement fields are ``None`` when the code does not map to that
    acknowledgement (an X12 code has no CONTRL code, and vice versa, unless a
    sensible one exists).
    """

    code: str
    title: str
    level: Level
    rejects: bool = True  # False for warnings: reported, acknowledged as accepted-with-errors
    retriable: bool = False  # True only for transient conditions (never for bad EDI)
    ta1: str | None = None  # TA105 interchange note code
    ak9: str | None = None  # AK905-AK909 / IK9 functional group error code
    ak5: str | None = None  # AK502 / IK502 transaction set syntax error code
    ak3: str | None = None  # AK304 / IK304 segment syntax error code
    ak4: str | None = None  # AK403 / IK403 element syntax error code
    contrl: str | None = None  # UN/EDIFACT data element 0085 syntax error code


@dataclass(frozen=True, slots=True)
class EdiError:
    """One problem in the input: a stable code, a human message and where it is."""

    code: str
    message: str
    location: Location = Location()

    @property
    def spec(self) -> ErrorCode:
        """The catalogue entry of this error's code."""
        return CATALOGUE[self.code]

    @property
    def rejects(self) -> bool:
        """True when this error rejects what it is attached to."""
        return self.spec.rejects

    @property
    def retriable(self) -> bool:
        """True when retrying the same input later may succeed (never for bad EDI)."""
        return self.spec.retriable

    def to_dict(self) -> dict[str, Any]:
        """``{"code", "message", "location", "level", "rejects"}`` for dead letters and reports."""
        spec = self.spec
        return {
            "code": self.code,
            "message": self.message,
            "location": self.location.to_dict(),
            "level": spec.level.value,
            "rejects": spec.rejects,
        }

    def line(self, name: str) -> str:
        """The CLI's one-line form: ``name: EDI0xx at segment N (TAG) element M: message``."""
        return f"{name}: {self.code} at {self.location.describe()}: {self.message}"


CATALOGUE: dict[str, ErrorCode] = {}


def register(*codes: ErrorCode) -> None:
    """Add codes to the catalogue; a code may be registered once only."""
    for c in codes:
        if c.code in CATALOGUE:
            raise ValueError(f"error code {c.code} registered twice")
        CATALOGUE[c.code] = c


# The parser's codes are registered below (EDI001-EDI099).
