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

_I, _G, _T, _S, _E = Level.INTERCHANGE, Level.GROUP, Level.TRANSACTION, Level.SEGMENT, Level.ELEMENT

register(
    # -- the input as a whole (reported in ParseResult.errors) ------------------------------
    ErrorCode("EDI001", "no X12 or EDIFACT interchange found in the input", _I),
    ErrorCode("EDI002", "empty input", _I),
    ErrorCode("EDI003", "unrecognized data before or between interchanges", _I),
    ErrorCode("EDI004", "trailing data after the last interchange ignored", _I, rejects=False),
    ErrorCode("EDI005", "UTF-16/UTF-32 input is not supported (EDI is 8-bit)", _I, contrl="46"),
    ErrorCode("EDI006", "EBCDIC input converted to ASCII", _I, rejects=False),
    ErrorCode("EDI007", "segment after the interchange trailer", _I, ta1="024", contrl="33"),
    ErrorCode("EDI008", "input ends inside an interchange header", _I, ta1="023", contrl="13"),
    ErrorCode("EDI009", "last segment has no segment terminator", _I, rejects=False),
    # -- X12 ISA header (TA105 per field) ---------------------------------------------------
    ErrorCode("EDI010", "ISA header unreadable: delimiters cannot be determined", _I, ta1="022"),
    ErrorCode(
        "EDI011", "ISA is not 106 characters; delimiters recovered by scanning", _I, rejects=False
    ),
    ErrorCode("EDI012", "invalid ISA01 authorization information qualifier", _I, ta1="010"),
    ErrorCode("EDI013", "invalid ISA02 authorization information", _I, ta1="011"),
    ErrorCode("EDI014", "invalid ISA03 security information qualifier", _I, ta1="012"),
    ErrorCode("EDI015", "invalid ISA04 security information", _I, ta1="013"),
    ErrorCode("EDI016", "invalid ISA05 interchange sender id qualifier", _I, ta1="005"),
    ErrorCode("EDI017", "invalid ISA06 interchange sender id", _I, ta1="006"),
    ErrorCode("EDI018", "invalid ISA07 interchange receiver id qualifier", _I, ta1="007"),
    ErrorCode("EDI019", "invalid ISA08 interchange receiver id", _I, ta1="008"),
    ErrorCode("EDI020", "invalid ISA09 interchange date", _I, ta1="014"),
    ErrorCode("EDI021", "invalid ISA10 interchange time", _I, ta1="015"),
    ErrorCode("EDI022", "invalid ISA11 interchange control standards identifier", _I, ta1="016"),
    ErrorCode("EDI023", "invalid ISA12 interchange control version number", _I, ta1="017"),
    ErrorCode("EDI024", "invalid ISA13 interchange control number", _I, ta1="018"),
    ErrorCode("EDI025", "invalid ISA14 acknowledgment requested", _I, ta1="019"),
    ErrorCode("EDI026", "invalid ISA15 usage indicator", _I, ta1="020"),
    ErrorCode("EDI027", "invalid component element separator", _I, ta1="027", contrl="20"),
    ErrorCode("EDI028", "invalid data element separator", _I, ta1="026", contrl="20"),
    ErrorCode("EDI029", "invalid segment terminator", _I, ta1="004", contrl="20"),
    ErrorCode(
        "EDI030",
        "ISA11 is not a usable repetition separator; repetitions disabled",
        _I,
        rejects=False,
    ),
    # -- interchange trailer and structure (X12 and EDIFACT) --------------------------------
    ErrorCode("EDI031", "interchange trailer (IEA/UNZ) missing", _I, ta1="023", contrl="13"),
    ErrorCode(
        "EDI032",
        "interchange control number in header and trailer do not match",
        _I,
        ta1="001",
        contrl="28",
    ),
    ErrorCode(
        "EDI033",
        "number of included groups/messages does not match the trailer count",
        _I,
        ta1="021",
        contrl="29",
    ),
    ErrorCode(
        "EDI034", "interchange trailer count or reference invalid", _I, ta1="021", contrl="12"
    ),
    ErrorCode(
        "EDI035",
        "group control number not unique within the interchange",
        _G,
        ak9="19",
        contrl="26",
    ),
    ErrorCode("EDI036", "segment outside any functional group", _I, ta1="024", contrl="33"),
    ErrorCode(
        "EDI037", "segment outside any transaction set inside a group", _G, ta1="024", contrl="33"
    ),
    # -- functional group (GS/GE, UNG/UNE) --------------------------------------------------
    ErrorCode("EDI039", "functional group trailer (GE/UNE) missing", _G, ak9="3", contrl="13"),
    ErrorCode(
        "EDI040",
        "group control number in header and trailer do not agree",
        _G,
        ak9="4",
        contrl="28",
    ),
    ErrorCode(
        "EDI041",
        "number of included transaction sets does not match the trailer count",
        _G,
        ak9="5",
        contrl="29",
    ),
    ErrorCode(
        "EDI042",
        "functional group header incomplete (mandatory element missing)",
        _G,
        ta1="024",
        contrl="13",
    ),
    ErrorCode("EDI043", "group control number violates syntax", _G, ak9="6", contrl="12"),
    ErrorCode("EDI044", "invalid group date (GS04/UNG04)", _G, ta1="024", contrl="12"),
    ErrorCode("EDI045", "invalid group time (GS05/UNG04)", _G, ta1="024", contrl="12"),
    ErrorCode(
        "EDI046", "group trailer count invalid (GE01/UNE01 not numeric)", _G, ak9="5", contrl="12"
    ),
    ErrorCode("EDI047", "functional groups and messages mixed in one interchange", _I, contrl="30"),
    ErrorCode("EDI048", "transaction set not in a functional group", _T, ta1="024", ak5="18"),
    # -- transaction set / message (ST/SE, UNH/UNT) -----------------------------------------
    ErrorCode("EDI050", "transaction set trailer (SE/UNT) missing", _T, ak5="2", contrl="13"),
    ErrorCode(
        "EDI051",
        "transaction set control number in header and trailer do not match",
        _T,
        ak5="3",
        contrl="28",
    ),
    ErrorCode(
        "EDI052",
        "number of included segments does not match the actual count",
        _T,
        ak5="4",
        contrl="29",
    ),
    ErrorCode(
        "EDI053",
        "missing or invalid transaction set identifier (ST01/UNH02)",
        _T,
        ak5="6",
        contrl="12",
    ),
    ErrorCode(
        "EDI054",
        "missing or invalid transaction set control number (ST02/UNH01)",
        _T,
        ak5="7",
        contrl="12",
    ),
    ErrorCode(
        "EDI055",
        "transaction set control number not unique within the group",
        _T,
        ak5="23",
        contrl="26",
    ),
    ErrorCode(
        "EDI056",
        "segment count in the trailer is not numeric (SE01/UNT01)",
        _T,
        ak5="4",
        contrl="12",
    ),
    # -- segment syntax ---------------------------------------------------------------------
    ErrorCode(
        "EDI060",
        "invalid segment tag (must be 2-3 uppercase alphanumerics)",
        _S,
        ak5="5",
        ak3="1",
        contrl="12",
    ),
    ErrorCode("EDI061", "empty segment ignored", _S, rejects=False),
    ErrorCode(
        "EDI062", "control character in segment data", _E, ak5="5", ak3="8", ak4="6", contrl="21"
    ),
    ErrorCode(
        "EDI063",
        "characters outside the declared character repertoire",
        _I,
        rejects=False,
        contrl="21",
    ),
    ErrorCode(
        "EDI064",
        "segment is not valid in the interchange encoding; decoded as Latin-1",
        _S,
        rejects=False,
        contrl="21",
    ),
    ErrorCode(
        "EDI065",
        "invalid binary segment length (BIN01/BDS02)",
        _E,
        ak5="5",
        ak3="8",
        ak4="6",
        contrl="12",
    ),
    # -- EDIFACT UNA/UNB --------------------------------------------------------------------
    ErrorCode("EDI070", "UNA service string advice invalid", _I, contrl="20"),
    ErrorCode(
        "EDI071", "UNB interchange header incomplete (mandatory element missing)", _I, contrl="13"
    ),
    ErrorCode("EDI072", "unknown syntax identifier (UNB01-1)", _I, contrl="2"),
    ErrorCode("EDI073", "unsupported syntax version (UNB01-2)", _I, contrl="2"),
    ErrorCode("EDI074", "invalid interchange date or time (UNB04)", _I, contrl="12"),
    ErrorCode("EDI075", "interchange contains no messages", _I, rejects=False, contrl="32"),
)

# -- HIPAA implementation-guide validation (parsers.hipaa, pyx12) --------------------------
# One code per X12 AK304 / AK403 acknowledgement code (pyx12 codes that share one are
# merged: see PYX12_CODES in parsers/hipaa.py). Codes with both ``ak3`` and ``ak4`` apply
# to a segment, or to one of its elements when the location has an element (the AK3/IK3
# is then "8", segment has data element errors).
register(
    ErrorCode(
        "EDI080",
        "implementation-guide validation not performed (no map for the guide, or the validator failed)",
        _G,
        rejects=False,
    ),
    ErrorCode(
        "EDI081", "segment not expected here by the implementation guide", _S, ak5="5", ak3="1"
    ),
    ErrorCode(
        "EDI082",
        "segment, loop or data element marked not used by the implementation guide is present",
        _S,
        ak5="5",
        ak3="2",
        ak4="10",
    ),
    ErrorCode(
        "EDI083",
        "required segment, loop or data element missing (implementation guide)",
        _S,
        ak5="5",
        ak3="3",
        ak4="1",
    ),
    ErrorCode(
        "EDI084",
        "loop occurs more often than the implementation guide allows",
        _S,
        ak5="5",
        ak3="4",
    ),
    ErrorCode(
        "EDI085",
        "segment repeats more than the implementation guide allows, or too many elements or components",
        _S,
        ak5="5",
        ak3="5",
        ak4="3",
    ),
    ErrorCode(
        "EDI086",
        "data element too long or too short (implementation guide)",
        _E,
        ak5="5",
        ak3="8",
        ak4="5",
    ),
    ErrorCode(
        "EDI087",
        "invalid character, data type or numbering in a data element, or a malformed segment",
        _E,
        ak5="5",
        ak3="8",
        ak4="6",
    ),
    ErrorCode(
        "EDI088", "invalid code value for the implementation guide", _E, ak5="5", ak3="8", ak4="7"
    ),
    ErrorCode("EDI089", "invalid date or time in data element", _E, ak5="5", ak3="8", ak4="8"),
)

# -- content validation from the dictionary (parsers.content, level "standard") ---------------
# Structure (segment requirement, order, max use, loop repeats) and element content
# (requirement, syntax notes, repetitions, length, code values). Type and date/time
# findings reuse EDI087 and EDI089, whose meaning (AK4 6 / AK4 8) is the same at
# dictionary level; X12 AK4 "4" (too short) and "5" (too long) share EDI098 like EDI086.
register(
    ErrorCode(
        "EDI090",
        "segment unexpected here: out of order, or not in the transaction's structure",
        _S,
        ak5="5",
        ak3="2",
        contrl="15",
    ),
    ErrorCode("EDI091", "mandatory segment or loop missing", _S, ak5="5", ak3="3", contrl="13"),
    ErrorCode(
        "EDI092",
        "loop occurs more often than the dictionary allows",
        _S,
        ak5="5",
        ak3="4",
        contrl="36",
    ),
    ErrorCode("EDI093", "segment exceeds its maximum use", _S, ak5="5", ak3="5", contrl="35"),
    ErrorCode(
        "EDI094", "mandatory data element missing", _E, ak5="5", ak3="8", ak4="1", contrl="13"
    ),
    ErrorCode(
        "EDI095",
        "conditionally required data element missing (syntax note P, R, C or L)",
        _E,
        ak5="5",
        ak3="8",
        ak4="2",
        contrl="13",
    ),
    ErrorCode(
        "EDI096",
        "exclusion condition violated (syntax note E): only one of the elements may be present",
        _E,
        ak5="5",
        ak3="8",
        ak4="10",
        contrl="15",
    ),
    ErrorCode(
        "EDI097",
        "too many data elements, components or repetitions",
        _E,
        ak5="5",
        ak3="8",
        ak4="3",
        contrl="16",
    ),
    ErrorCode(
        "EDI098",
        "data element too short or too long (dictionary)",
        _E,
        ak5="5",
        ak3="8",
        ak4="5",
        contrl="39",
    ),
    ErrorCode(
        "EDI099",
        "invalid code value (dictionary)",
        _E,
        ak5="5",
        ak3="8",
        ak4="7",
        contrl="12",
    ),
)
