"""What outbound validation knows of transaction structures: mandatory segments and element sizes.

A stand-in for the document dictionaries of the agent-documents issue, kept to
what can be stated without a full dictionary: the segments a set or message
cannot do without (the beginning segment, a total where the standard makes it
mandatory) and the maximum length of common data elements. Lengths are the
largest any of the 4010/5010 X12 releases or the D96A-D01B UNTDID directories
allow, so a value that fits one release is never refused for another.
:class:`Structure` is the plug-in point: callers may pass their own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

__all__ = ["EDIFACT_LENGTHS", "STRUCTURES", "X12_LENGTHS", "Structure", "structure_of"]

# (tag, element position, component position) -> maximum length. Component 0 is a
# simple element; a composite's components are numbered from 1 (EDIFACT style).
Lengths = Mapping[tuple[str, int, int], int]


def _table(text: str, component: bool) -> dict[tuple[str, int, int], int]:
    """``TAG pos:max ...`` lines (``pos.comp:max`` when ``component``) as a lengths table."""
    out: dict[tuple[str, int, int], int] = {}
    for line in text.strip().splitlines():
        tag, *specs = line.split()
        for spec in specs:
            where, size = spec.split(":")
            pos, _, comp = where.partition(".")
            out[(tag, int(pos), int(comp) if component and comp else 0)] = int(size)
    return out


# X12 element sizes (data element dictionary maxima, 4010 and 5010).
X12_LENGTHS: Final = _table(
    """
    BAK 1:2 2:2 3:22 4:8 5:30 6:22 7:22 8:30 9:8
    BIG 1:8 2:22 3:8 4:22 5:30 6:8 7:2 8:2 9:30 10:22
    BEG 1:2 2:2 3:22 4:30 5:8 6:30
    BSN 1:2 2:30 3:8 4:8 5:4 6:2 7:2
    TDS 1:15 2:15 3:15 4:15
    CTT 1:6 2:10 3:10 4:2 5:8 6:2 7:80
    ACK 1:2 2:15 3:2 4:3 5:8 6:30 7:2 8:48 9:2 10:48
    PO1 1:20 2:15 3:2 4:17 5:2 6:2 7:48 8:2 9:48 10:2 11:48
    IT1 1:20 2:15 3:2 4:17 5:2 6:2 7:48 8:2 9:48 10:2 11:48
    PID 1:1 2:3 3:2 4:12 5:80
    N1 1:3 2:60 3:2 4:80 5:2 6:3
    N2 1:60 2:60
    N3 1:55 2:55
    N4 1:30 2:2 3:15 4:3 5:2 6:30 7:3
    REF 1:3 2:50 3:80
    PER 1:2 2:60 3:2 4:256 5:2 6:256 7:2 8:256
    DTM 1:3 2:8 3:8 4:2 5:3 6:35
    HL 1:12 2:12 3:2 4:1
    TD1 1:5 2:7 3:2 4:1 5:2 6:2 7:10 8:2
    TD5 1:2 2:2 3:80 4:2 5:35
    LIN 1:20 2:2 3:48 4:2 5:48
    SN1 1:20 2:15 3:2 4:15 5:15 6:2
    PRF 1:22 2:30 3:6 4:8
    SAC 1:1 2:4 3:2 4:10 5:18 6:1 7:6 8:9 9:2 10:15 11:15 12:2 13:30 14:3 15:80
    AK1 1:2 2:9 3:12
    AK2 1:3 2:9 3:35
    AK5 1:1 2:3 3:3 4:3 5:3 6:3
    AK9 1:1 2:6 3:6 4:6 5:3 6:3 7:3 8:3 9:3
    """,
    component=False,
)

# EDIFACT element sizes (UNTDID maxima, D96A..D01B): composites by component.
EDIFACT_LENGTHS: Final = _table(
    """
    BGM 1.1:3 1.4:35 2:35 2.1:35 3:3 4:3
    DTM 1.1:3 1.2:35 1.3:3
    NAD 1:3 2.1:35 2.3:3 3.1:35 4.1:35 5.1:35 6:35 7:9 8:17 9:3
    RFF 1.1:3 1.2:70 1.3:6
    LIN 1:6 2:3 3.1:35 3.2:3
    PIA 1:3 2.1:35 2.2:3
    QTY 1.1:3 1.2:35 1.3:8
    PRI 1.1:3 1.2:15
    MOA 1.1:3 1.2:35 1.3:3
    CUX 1.1:3 1.2:3
    FTX 1:3 2:3 4.1:512 4.2:512 4.3:512 4.4:512 4.5:512 5:3
    IMD 1:3 3.1:17 3.4:256 3.5:256
    CNT 1.1:3 1.2:18
    """,
    component=True,
)


@dataclass(frozen=True, slots=True)
class Structure:
    """What is known of one transaction set / message: mandatory body segments and element sizes."""

    mandatory: tuple[str, ...] = ()
    lengths: Lengths = field(default_factory=dict)


def _x12(*mandatory: str) -> Structure:
    """An X12 structure with the shared element sizes."""
    return Structure(mandatory, X12_LENGTHS)


def _edifact(*mandatory: str) -> Structure:
    """An EDIFACT structure with the shared element sizes."""
    return Structure(mandatory, EDIFACT_LENGTHS)


# (standard, type) -> structure. Mandatory: segments of the body (between ST and SE,
# UNH and UNT) that the standard requires in every release we know.
STRUCTURES: Final[dict[tuple[str, str], Structure]] = {
    ("x12", "810"): _x12("BIG", "TDS"),
    ("x12", "850"): _x12("BEG"),
    ("x12", "855"): _x12("BAK"),
    ("x12", "856"): _x12("BSN", "HL"),
    ("x12", "860"): _x12("BCH"),
    ("x12", "865"): _x12("BCA"),
    ("x12", "846"): _x12("BIA"),
    ("x12", "940"): _x12("W05"),
    ("x12", "945"): _x12("W06"),
    ("x12", "997"): _x12("AK1", "AK9"),
    ("edifact", "ORDERS"): _edifact("BGM", "DTM"),
    ("edifact", "ORDRSP"): _edifact("BGM", "DTM"),
    ("edifact", "ORDCHG"): _edifact("BGM", "DTM"),
    ("edifact", "DESADV"): _edifact("BGM"),
    ("edifact", "INVOIC"): _edifact("BGM", "DTM", "UNS", "MOA"),
}

_GENERIC: Final = {"x12": Structure((), X12_LENGTHS), "edifact": Structure((), EDIFACT_LENGTHS)}


def structure_of(standard: str, type: str) -> Structure:
    """The structure of ``type``: its own when known, else element sizes only (no mandatory segments)."""
    return STRUCTURES.get((standard, type)) or _GENERIC[standard]
