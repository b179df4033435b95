"""Errors as values: a stable code, a message and a structured location.

Every problem the parser finds is an :class:`EdiError`, never only text and
never an exception escaping to the user. Each code has one entry in
:data:`CATALOGUE` which says at which envelope level it applies, whether it
rejects what it is attached to, and which acknowledgement codes it implies
(TA1 note code, 997/999 AK3/IK3, AK4/IK4, AK5/IK5, AK9 codes, EDIFACT CONTRL
syntax error code 0085), so the acknowledgement builders never guess.

Codes EDI001-EDI099 belong to the parser; EDI1xx are the pipeline's (ingest,
partners, routing) and are registered in ``pipeline.contracts.errors`` with the same
class; EDI3xx are outbound-request codes (an agent's ``edi.outbound`` request,
EDI301-EDI310, registered in ``parsers.outbound_envelope``). Codes are public:
never renumber one, add new ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final


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
    rejecting: bool | None = None  # a tolerance policy's verdict; None = the catalogue's

    @property
    def spec(self) -> ErrorCode:
        """The catalogue entry of this error's code."""
        return CATALOGUE[self.code]

    @property
    def rejects(self) -> bool:
        """True when this error rejects what it is attached to (the partner's tolerance decides)."""
        if self.rejecting is not None:
            return self.rejecting
        return self.spec.rejects

    @property
    def tolerated(self) -> bool:
        """True for an error the catalogue rejects on but a tolerance policy made a warning."""
        return self.rejecting is False and self.spec.rejects

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
            "rejects": self.rejects,
        }

    def line(self, name: str) -> str:
        """The CLI's one-line form: ``name: EDI0xx at segment N (TAG) element M: message``."""
        tail = " (tolerated: a warning for this partner)" if self.tolerated else ""
        return f"{name}: {self.code} at {self.location.describe()}: {self.message}{tail}"


# The parser's codes by name: plain strings, so JSON and comparisons see the public code.
NO_INTERCHANGE: Final = "EDI001"
INPUT_EMPTY: Final = "EDI002"
UNRECOGNIZED_DATA: Final = "EDI003"
TRAILING_DATA: Final = "EDI004"
UTF16_INPUT: Final = "EDI005"
EBCDIC_CONVERTED: Final = "EDI006"
SEGMENT_AFTER_TRAILER: Final = "EDI007"
HEADER_TRUNCATED: Final = "EDI008"
FINAL_TERMINATOR_MISSING: Final = "EDI009"
ISA_UNREADABLE: Final = "EDI010"
ISA_LENGTH_SCANNED: Final = "EDI011"
ISA_AUTH_QUALIFIER: Final = "EDI012"
ISA_AUTH_INFO: Final = "EDI013"
ISA_SECURITY_QUALIFIER: Final = "EDI014"
ISA_SECURITY_INFO: Final = "EDI015"
ISA_SENDER_QUALIFIER: Final = "EDI016"
ISA_SENDER_ID: Final = "EDI017"
ISA_RECEIVER_QUALIFIER: Final = "EDI018"
ISA_RECEIVER_ID: Final = "EDI019"
ISA_DATE: Final = "EDI020"
ISA_TIME: Final = "EDI021"
ISA_STANDARDS_ID: Final = "EDI022"
ISA_VERSION: Final = "EDI023"
ISA_CONTROL_NUMBER: Final = "EDI024"
ISA_ACK_REQUESTED: Final = "EDI025"
ISA_USAGE_INDICATOR: Final = "EDI026"
COMPONENT_SEPARATOR_INVALID: Final = "EDI027"
ELEMENT_SEPARATOR_INVALID: Final = "EDI028"
SEGMENT_TERMINATOR_INVALID: Final = "EDI029"
REPETITION_SEPARATOR_UNUSABLE: Final = "EDI030"
INTERCHANGE_TRAILER_MISSING: Final = "EDI031"
INTERCHANGE_CONTROL_MISMATCH: Final = "EDI032"
INTERCHANGE_COUNT_MISMATCH: Final = "EDI033"
INTERCHANGE_TRAILER_INVALID: Final = "EDI034"
GROUP_CONTROL_DUPLICATE: Final = "EDI035"
SEGMENT_OUTSIDE_GROUP: Final = "EDI036"
SEGMENT_OUTSIDE_TRANSACTION: Final = "EDI037"
GROUP_TRAILER_MISSING: Final = "EDI039"
GROUP_CONTROL_MISMATCH: Final = "EDI040"
GROUP_COUNT_MISMATCH: Final = "EDI041"
GROUP_HEADER_INCOMPLETE: Final = "EDI042"
GROUP_CONTROL_INVALID: Final = "EDI043"
GROUP_DATE_INVALID: Final = "EDI044"
GROUP_TIME_INVALID: Final = "EDI045"
GROUP_COUNT_INVALID: Final = "EDI046"
GROUPS_AND_MESSAGES_MIXED: Final = "EDI047"
TRANSACTION_OUTSIDE_GROUP: Final = "EDI048"
TRANSACTION_TRAILER_MISSING: Final = "EDI050"
TRANSACTION_CONTROL_MISMATCH: Final = "EDI051"
SEGMENT_COUNT_MISMATCH: Final = "EDI052"
TRANSACTION_TYPE_INVALID: Final = "EDI053"
TRANSACTION_CONTROL_INVALID: Final = "EDI054"
TRANSACTION_CONTROL_DUPLICATE: Final = "EDI055"
SEGMENT_COUNT_INVALID: Final = "EDI056"
TRANSACTION_TRUNCATED: Final = "EDI057"
SEGMENT_TAG_INVALID: Final = "EDI060"
SEGMENT_EMPTY: Final = "EDI061"
CONTROL_CHARACTER: Final = "EDI062"
OUTSIDE_REPERTOIRE: Final = "EDI063"
SEGMENT_DECODED_LATIN1: Final = "EDI064"
BINARY_LENGTH_INVALID: Final = "EDI065"
UNA_INVALID: Final = "EDI070"
UNB_INCOMPLETE: Final = "EDI071"
SYNTAX_ID_UNKNOWN: Final = "EDI072"
SYNTAX_VERSION_UNSUPPORTED: Final = "EDI073"
UNB_DATE_TIME_INVALID: Final = "EDI074"
NO_MESSAGES: Final = "EDI075"
ENVELOPE_SYNTHESISED: Final = "EDI076"
IG_NOT_VALIDATED: Final = "EDI080"
IG_SEGMENT_UNEXPECTED: Final = "EDI081"
IG_NOT_USED_PRESENT: Final = "EDI082"
IG_REQUIRED_MISSING: Final = "EDI083"
IG_LOOP_EXCEEDED: Final = "EDI084"
IG_REPEAT_EXCEEDED: Final = "EDI085"
IG_LENGTH_INVALID: Final = "EDI086"
IG_CHARACTER_INVALID: Final = "EDI087"
IG_CODE_INVALID: Final = "EDI088"
IG_DATE_TIME_INVALID: Final = "EDI089"
SEGMENT_UNEXPECTED: Final = "EDI090"
SEGMENT_MISSING: Final = "EDI091"
LOOP_EXCEEDED: Final = "EDI092"
SEGMENT_MAX_USE_EXCEEDED: Final = "EDI093"
ELEMENT_MISSING: Final = "EDI094"
SYNTAX_NOTE_UNMET: Final = "EDI095"
SYNTAX_EXCLUSION_VIOLATED: Final = "EDI096"
TOO_MANY_ELEMENTS: Final = "EDI097"
ELEMENT_LENGTH_INVALID: Final = "EDI098"
CODE_VALUE_INVALID: Final = "EDI099"


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
    ErrorCode(NO_INTERCHANGE, "no X12 or EDIFACT interchange found in the input", _I),
    ErrorCode(INPUT_EMPTY, "empty input", _I),
    ErrorCode(UNRECOGNIZED_DATA, "unrecognized data before or between interchanges", _I),
    ErrorCode(TRAILING_DATA, "trailing data after the last interchange ignored", _I, rejects=False),
    ErrorCode(UTF16_INPUT, "UTF-16/UTF-32 input is not supported (EDI is 8-bit)", _I, contrl="46"),
    ErrorCode(EBCDIC_CONVERTED, "EBCDIC input converted to ASCII", _I, rejects=False),
    ErrorCode(
        SEGMENT_AFTER_TRAILER, "segment after the interchange trailer", _I, ta1="024", contrl="33"
    ),
    ErrorCode(
        HEADER_TRUNCATED, "input ends inside an interchange header", _I, ta1="023", contrl="13"
    ),
    ErrorCode(
        FINAL_TERMINATOR_MISSING, "last segment has no segment terminator", _I, rejects=False
    ),
    # -- X12 ISA header (TA105 per field) ---------------------------------------------------
    ErrorCode(
        ISA_UNREADABLE, "ISA header unreadable: delimiters cannot be determined", _I, ta1="022"
    ),
    ErrorCode(
        ISA_LENGTH_SCANNED,
        "ISA is not 106 characters; delimiters recovered by scanning",
        _I,
        rejects=False,
    ),
    ErrorCode(
        ISA_AUTH_QUALIFIER, "invalid ISA01 authorization information qualifier", _I, ta1="010"
    ),
    ErrorCode(ISA_AUTH_INFO, "invalid ISA02 authorization information", _I, ta1="011"),
    ErrorCode(
        ISA_SECURITY_QUALIFIER, "invalid ISA03 security information qualifier", _I, ta1="012"
    ),
    ErrorCode(ISA_SECURITY_INFO, "invalid ISA04 security information", _I, ta1="013"),
    ErrorCode(ISA_SENDER_QUALIFIER, "invalid ISA05 interchange sender id qualifier", _I, ta1="005"),
    ErrorCode(ISA_SENDER_ID, "invalid ISA06 interchange sender id", _I, ta1="006"),
    ErrorCode(
        ISA_RECEIVER_QUALIFIER, "invalid ISA07 interchange receiver id qualifier", _I, ta1="007"
    ),
    ErrorCode(ISA_RECEIVER_ID, "invalid ISA08 interchange receiver id", _I, ta1="008"),
    ErrorCode(ISA_DATE, "invalid ISA09 interchange date", _I, ta1="014"),
    ErrorCode(ISA_TIME, "invalid ISA10 interchange time", _I, ta1="015"),
    ErrorCode(
        ISA_STANDARDS_ID, "invalid ISA11 interchange control standards identifier", _I, ta1="016"
    ),
    ErrorCode(ISA_VERSION, "invalid ISA12 interchange control version number", _I, ta1="017"),
    ErrorCode(ISA_CONTROL_NUMBER, "invalid ISA13 interchange control number", _I, ta1="018"),
    ErrorCode(ISA_ACK_REQUESTED, "invalid ISA14 acknowledgment requested", _I, ta1="019"),
    ErrorCode(ISA_USAGE_INDICATOR, "invalid ISA15 usage indicator", _I, ta1="020"),
    ErrorCode(
        COMPONENT_SEPARATOR_INVALID,
        "invalid component element separator",
        _I,
        ta1="027",
        contrl="20",
    ),
    ErrorCode(
        ELEMENT_SEPARATOR_INVALID, "invalid data element separator", _I, ta1="026", contrl="20"
    ),
    ErrorCode(SEGMENT_TERMINATOR_INVALID, "invalid segment terminator", _I, ta1="004", contrl="20"),
    ErrorCode(
        REPETITION_SEPARATOR_UNUSABLE,
        "ISA11 is not a usable repetition separator; repetitions disabled",
        _I,
        rejects=False,
    ),
    # -- interchange trailer and structure (X12 and EDIFACT) --------------------------------
    ErrorCode(
        INTERCHANGE_TRAILER_MISSING,
        "interchange trailer (IEA/UNZ) missing",
        _I,
        ta1="023",
        contrl="13",
    ),
    ErrorCode(
        INTERCHANGE_CONTROL_MISMATCH,
        "interchange control number in header and trailer do not match",
        _I,
        ta1="001",
        contrl="28",
    ),
    ErrorCode(
        INTERCHANGE_COUNT_MISMATCH,
        "number of included groups/messages does not match the trailer count",
        _I,
        ta1="021",
        contrl="29",
    ),
    ErrorCode(
        INTERCHANGE_TRAILER_INVALID,
        "interchange trailer count or reference invalid",
        _I,
        ta1="021",
        contrl="12",
    ),
    ErrorCode(
        GROUP_CONTROL_DUPLICATE,
        "group control number not unique within the interchange",
        _G,
        ak9="19",
        contrl="26",
    ),
    ErrorCode(
        SEGMENT_OUTSIDE_GROUP, "segment outside any functional group", _I, ta1="024", contrl="33"
    ),
    ErrorCode(
        SEGMENT_OUTSIDE_TRANSACTION,
        "segment outside any transaction set inside a group",
        _G,
        ta1="024",
        contrl="33",
    ),
    # -- functional group (GS/GE, UNG/UNE) --------------------------------------------------
    ErrorCode(
        GROUP_TRAILER_MISSING, "functional group trailer (GE/UNE) missing", _G, ak9="3", contrl="13"
    ),
    ErrorCode(
        GROUP_CONTROL_MISMATCH,
        "group control number in header and trailer do not agree",
        _G,
        ak9="4",
        contrl="28",
    ),
    ErrorCode(
        GROUP_COUNT_MISMATCH,
        "number of included transaction sets does not match the trailer count",
        _G,
        ak9="5",
        contrl="29",
    ),
    ErrorCode(
        GROUP_HEADER_INCOMPLETE,
        "functional group header incomplete (mandatory element missing)",
        _G,
        ta1="024",
        contrl="13",
    ),
    ErrorCode(
        GROUP_CONTROL_INVALID, "group control number violates syntax", _G, ak9="6", contrl="12"
    ),
    ErrorCode(GROUP_DATE_INVALID, "invalid group date (GS04/UNG04)", _G, ta1="024", contrl="12"),
    ErrorCode(GROUP_TIME_INVALID, "invalid group time (GS05/UNG04)", _G, ta1="024", contrl="12"),
    ErrorCode(
        GROUP_COUNT_INVALID,
        "group trailer count invalid (GE01/UNE01 not numeric)",
        _G,
        ak9="5",
        contrl="12",
    ),
    ErrorCode(
        GROUPS_AND_MESSAGES_MIXED,
        "functional groups and messages mixed in one interchange",
        _I,
        contrl="30",
    ),
    ErrorCode(
        TRANSACTION_OUTSIDE_GROUP,
        "transaction set not in a functional group",
        _T,
        ta1="024",
        ak5="18",
    ),
    # -- transaction set / message (ST/SE, UNH/UNT) -----------------------------------------
    ErrorCode(
        TRANSACTION_TRAILER_MISSING,
        "transaction set trailer (SE/UNT) missing",
        _T,
        ak5="2",
        contrl="13",
    ),
    ErrorCode(
        TRANSACTION_CONTROL_MISMATCH,
        "transaction set control number in header and trailer do not match",
        _T,
        ak5="3",
        contrl="28",
    ),
    ErrorCode(
        SEGMENT_COUNT_MISMATCH,
        "number of included segments does not match the actual count",
        _T,
        ak5="4",
        contrl="29",
    ),
    ErrorCode(
        TRANSACTION_TYPE_INVALID,
        "missing or invalid transaction set identifier (ST01/UNH02)",
        _T,
        ak5="6",
        contrl="12",
    ),
    ErrorCode(
        TRANSACTION_CONTROL_INVALID,
        "missing or invalid transaction set control number (ST02/UNH01)",
        _T,
        ak5="7",
        contrl="12",
    ),
    ErrorCode(
        TRANSACTION_CONTROL_DUPLICATE,
        "transaction set control number not unique within the group",
        _T,
        ak5="23",
        contrl="26",
    ),
    ErrorCode(
        SEGMENT_COUNT_INVALID,
        "segment count in the trailer is not numeric (SE01/UNT01)",
        _T,
        ak5="4",
        contrl="12",
    ),
    ErrorCode(
        TRANSACTION_TRUNCATED,
        "input ends inside the transaction set (last segment cut off): truncated, never tolerated",
        _T,
        ak5="2",
        contrl="13",
    ),
    # -- segment syntax ---------------------------------------------------------------------
    ErrorCode(
        SEGMENT_TAG_INVALID,
        "invalid segment tag (must be 2-3 uppercase alphanumerics)",
        _S,
        ak5="5",
        ak3="1",
        contrl="12",
    ),
    ErrorCode(SEGMENT_EMPTY, "empty segment ignored", _S, rejects=False),
    ErrorCode(
        CONTROL_CHARACTER,
        "control character in segment data",
        _E,
        ak5="5",
        ak3="8",
        ak4="6",
        contrl="21",
    ),
    ErrorCode(
        OUTSIDE_REPERTOIRE,
        "characters outside the declared character repertoire",
        _I,
        rejects=False,
        contrl="21",
    ),
    ErrorCode(
        SEGMENT_DECODED_LATIN1,
        "segment is not valid in the interchange encoding; decoded as Latin-1",
        _S,
        rejects=False,
        contrl="21",
    ),
    ErrorCode(
        BINARY_LENGTH_INVALID,
        "invalid binary segment length (BIN01/BDS02)",
        _E,
        ak5="5",
        ak3="8",
        ak4="6",
        contrl="12",
    ),
    # -- EDIFACT UNA/UNB --------------------------------------------------------------------
    ErrorCode(UNA_INVALID, "UNA service string advice invalid", _I, contrl="20"),
    ErrorCode(
        UNB_INCOMPLETE,
        "UNB interchange header incomplete (mandatory element missing)",
        _I,
        contrl="13",
    ),
    ErrorCode(SYNTAX_ID_UNKNOWN, "unknown syntax identifier (UNB01-1)", _I, contrl="2"),
    ErrorCode(SYNTAX_VERSION_UNSUPPORTED, "unsupported syntax version (UNB01-2)", _I, contrl="2"),
    ErrorCode(UNB_DATE_TIME_INVALID, "invalid interchange date or time (UNB04)", _I, contrl="12"),
    ErrorCode(NO_MESSAGES, "interchange contains no messages", _I, rejects=False, contrl="32"),
    ErrorCode(
        ENVELOPE_SYNTHESISED,
        "bare EDIFACT message(s) without UNB/UNZ: interchange envelope synthesised (lenient)",
        _I,
        contrl="13",
    ),
)

# -- HIPAA implementation-guide validation (parsers.hipaa, pyx12) --------------------------
# One code per X12 AK304 / AK403 acknowledgement code (pyx12 codes that share one are
# merged: see PYX12_CODES in parsers/hipaa.py). Codes with both ``ak3`` and ``ak4`` apply
# to a segment, or to one of its elements when the location has an element (the AK3/IK3
# is then "8", segment has data element errors).
register(
    ErrorCode(
        IG_NOT_VALIDATED,
        "implementation-guide validation not performed (no map for the guide, or the validator failed)",
        _G,
        rejects=False,
    ),
    ErrorCode(
        IG_SEGMENT_UNEXPECTED,
        "segment not expected here by the implementation guide",
        _S,
        ak5="5",
        ak3="1",
    ),
    ErrorCode(
        IG_NOT_USED_PRESENT,
        "segment, loop or data element marked not used by the implementation guide is present",
        _S,
        ak5="5",
        ak3="2",
        ak4="10",
    ),
    ErrorCode(
        IG_REQUIRED_MISSING,
        "required segment, loop or data element missing (implementation guide)",
        _S,
        ak5="5",
        ak3="3",
        ak4="1",
    ),
    ErrorCode(
        IG_LOOP_EXCEEDED,
        "loop occurs more often than the implementation guide allows",
        _S,
        ak5="5",
        ak3="4",
    ),
    ErrorCode(
        IG_REPEAT_EXCEEDED,
        "segment repeats more than the implementation guide allows, or too many elements or components",
        _S,
        ak5="5",
        ak3="5",
        ak4="3",
    ),
    ErrorCode(
        IG_LENGTH_INVALID,
        "data element too long or too short (implementation guide)",
        _E,
        ak5="5",
        ak3="8",
        ak4="5",
    ),
    ErrorCode(
        IG_CHARACTER_INVALID,
        "invalid character, data type or numbering in a data element, or a malformed segment",
        _E,
        ak5="5",
        ak3="8",
        ak4="6",
    ),
    ErrorCode(
        IG_CODE_INVALID,
        "invalid code value for the implementation guide",
        _E,
        ak5="5",
        ak3="8",
        ak4="7",
    ),
    ErrorCode(
        IG_DATE_TIME_INVALID, "invalid date or time in data element", _E, ak5="5", ak3="8", ak4="8"
    ),
)

# -- content validation from the dictionary (parsers.content, level "standard") ---------------
# Structure (segment requirement, order, max use, loop repeats) and element content
# (requirement, syntax notes, repetitions, length, code values). Type and date/time
# findings reuse EDI087 and EDI089, whose meaning (AK4 6 / AK4 8) is the same at
# dictionary level; X12 AK4 "4" (too short) and "5" (too long) share EDI098 like EDI086.
register(
    ErrorCode(
        SEGMENT_UNEXPECTED,
        "segment unexpected here: out of order, or not in the transaction's structure",
        _S,
        ak5="5",
        ak3="2",
        contrl="15",
    ),
    ErrorCode(
        SEGMENT_MISSING, "mandatory segment or loop missing", _S, ak5="5", ak3="3", contrl="13"
    ),
    ErrorCode(
        LOOP_EXCEEDED,
        "loop occurs more often than the dictionary allows",
        _S,
        ak5="5",
        ak3="4",
        contrl="36",
    ),
    ErrorCode(
        SEGMENT_MAX_USE_EXCEEDED,
        "segment exceeds its maximum use",
        _S,
        ak5="5",
        ak3="5",
        contrl="35",
    ),
    ErrorCode(
        ELEMENT_MISSING,
        "mandatory data element missing",
        _E,
        ak5="5",
        ak3="8",
        ak4="1",
        contrl="13",
    ),
    ErrorCode(
        SYNTAX_NOTE_UNMET,
        "conditionally required data element missing (syntax note P, R, C or L)",
        _E,
        ak5="5",
        ak3="8",
        ak4="2",
        contrl="13",
    ),
    ErrorCode(
        SYNTAX_EXCLUSION_VIOLATED,
        "exclusion condition violated (syntax note E): only one of the elements may be present",
        _E,
        ak5="5",
        ak3="8",
        ak4="10",
        contrl="15",
    ),
    ErrorCode(
        TOO_MANY_ELEMENTS,
        "too many data elements, components or repetitions",
        _E,
        ak5="5",
        ak3="8",
        ak4="3",
        contrl="16",
    ),
    ErrorCode(
        ELEMENT_LENGTH_INVALID,
        "data element too short or too long (dictionary)",
        _E,
        ak5="5",
        ak3="8",
        ak4="5",
        contrl="39",
    ),
    ErrorCode(
        CODE_VALUE_INVALID,
        "invalid code value (dictionary)",
        _E,
        ak5="5",
        ak3="8",
        ak4="7",
        contrl="12",
    ),
)
