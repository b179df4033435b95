"""Human names of X12 transaction sets, UN/EDIFACT messages and HIPAA implementation guides.

Data only: three tables built once at import, so :func:`name_of` is a couple of
dict lookups. Sources: the ASC X12 code list of data element 143 (Transaction
Set Identifier Code) as published for the 8010-era releases, plus sets retired
since 4010 (older files still carry them); the UNTDID message directory (data
element 0065, D.01B plus later additions) and the ISO 9735 service messages;
the HIPAA (ASC X12N) implementation guides named by their ``X###`` suffix.
The two long code lists are in :mod:`parsers.names_x12` and :mod:`parsers.names_edifact`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from parsers.names_edifact import EDIFACT_TEXT
from parsers.names_x12 import X12_TEXT


@dataclass(frozen=True, slots=True)
class Guide:
    """One HIPAA implementation guide as it applies to one transaction set type."""

    code: str  # "X222"
    type: str  # "837"
    short: str  # "837 Professional"
    name: str  # "Health Care Claim: Professional"


# (release + guide code, type, short name, full name). The release prefix matters:
# 4010 and 5010 guides number differently (837P is 004010X098, 005010X222).
_GUIDES: Final[tuple[tuple[str, str, str, str], ...]] = (
    (
        "004010X061",
        "820",
        "820 Premium Payment",
        "Payroll Deducted and Other Group Premium Payment for Insurance Products",
    ),
    (
        "004010X070",
        "277",
        "277U Unsolicited Claim Status",
        "Health Care Payer Unsolicited Claim Status",
    ),
    ("004010X091", "835", "835 Claim Payment/Advice", "Health Care Claim Payment/Advice"),
    ("004010X092", "270", "270 Eligibility Inquiry", "Health Care Eligibility Benefit Inquiry"),
    ("004010X092", "271", "271 Eligibility Response", "Health Care Eligibility Benefit Response"),
    ("004010X093", "276", "276 Claim Status Request", "Health Care Claim Status Request"),
    ("004010X093", "277", "277 Claim Status Response", "Health Care Claim Status Response"),
    (
        "004010X094",
        "278",
        "278 Services Review",
        "Health Care Services Review: Request for Review and Response",
    ),
    ("004010X095", "834", "834 Benefit Enrollment", "Benefit Enrollment and Maintenance"),
    ("004010X096", "837", "837 Institutional", "Health Care Claim: Institutional"),
    ("004010X097", "837", "837 Dental", "Health Care Claim: Dental"),
    ("004010X098", "837", "837 Professional", "Health Care Claim: Professional"),
    (
        "005010X210",
        "275",
        "275 Claim Attachment",
        "Additional Information to Support a Health Care Claim or Encounter",
    ),
    (
        "005010X211",
        "275",
        "275 Review Attachment",
        "Additional Information to Support a Health Care Services Review",
    ),
    ("005010X212", "276", "276 Claim Status Request", "Health Care Claim Status Request"),
    ("005010X212", "277", "277 Claim Status Response", "Health Care Claim Status Response"),
    (
        "005010X213",
        "277",
        "277 Request for Additional Information",
        "Health Care Claim Request for Additional Information",
    ),
    ("005010X214", "277", "277CA Claim Acknowledgment", "Health Care Claim Acknowledgment"),
    (
        "005010X215",
        "278",
        "278 Services Review Inquiry",
        "Health Care Services Review: Inquiry and Response",
    ),
    (
        "005010X216",
        "278",
        "278 Services Review Notification",
        "Health Care Services Review: Notification and Acknowledgment",
    ),
    (
        "005010X217",
        "278",
        "278 Services Review",
        "Health Care Services Review: Request for Review and Response",
    ),
    (
        "005010X218",
        "820",
        "820 Premium Payment",
        "Payroll Deducted and Other Group Premium Payment for Insurance Products",
    ),
    ("005010X220", "834", "834 Benefit Enrollment", "Benefit Enrollment and Maintenance"),
    ("005010X221", "835", "835 Claim Payment/Advice", "Health Care Claim Payment/Advice"),
    ("005010X222", "837", "837 Professional", "Health Care Claim: Professional"),
    ("005010X223", "837", "837 Institutional", "Health Care Claim: Institutional"),
    ("005010X224", "837", "837 Dental", "Health Care Claim: Dental"),
    ("005010X230", "997", "997 Functional Acknowledgment", "Functional Acknowledgment"),
    ("005010X231", "999", "999 Implementation Acknowledgment", "Implementation Acknowledgment"),
    ("005010X279", "270", "270 Eligibility Inquiry", "Health Care Eligibility Benefit Inquiry"),
    ("005010X279", "271", "271 Eligibility Response", "Health Care Eligibility Benefit Response"),
    ("005010X306", "820", "820 Exchange Payment", "Health Insurance Exchange Related Payments"),
    ("005010X307", "834", "834 Exchange Enrollment", "Health Insurance Exchange: Enrollment"),
)


def _table(text: str) -> dict[str, str]:
    """``code name`` lines as a dict (blank lines skipped)."""
    out: dict[str, str] = {}
    for line in text.strip().splitlines():
        code, _, name = line.partition(" ")
        if code in out:
            raise ValueError(f"duplicate code {code} in names table")
        out[code] = name
    return out


X12_SETS: Final[dict[str, str]] = _table(X12_TEXT)
EDIFACT_MESSAGES: Final[dict[str, str]] = _table(EDIFACT_TEXT)
# (release+guide, type) -> Guide, e.g. ("005010X222", "837").
HIPAA_GUIDES: Final[dict[tuple[str, str], Guide]] = {
    (key, typ): Guide(key[6:], typ, short, name) for key, typ, short, name in _GUIDES
}


def guide_of(version: str, type: str) -> Guide | None:
    """The HIPAA guide a version string names for this type ("005010X222A1", "837"), if any."""
    if len(version) < 10 or version[6] != "X":
        return None
    return HIPAA_GUIDES.get((version[:10], type))


def name_of(standard: str, type: str, version: str = "") -> str:
    """Human name of a transaction set / message: the HIPAA guide's name when the version names one.

    Unknown types get ``"X12 <type>"`` / ``"EDIFACT <type>"`` so the field is never empty.
    """
    if standard == "x12":
        if version:
            guide = guide_of(version, type)
            if guide is not None:
                return guide.name
        return X12_SETS.get(type) or f"X12 {type}"
    return EDIFACT_MESSAGES.get(type) or f"EDIFACT {type}"


__all__ = [
    "EDIFACT_MESSAGES",
    "HIPAA_GUIDES",
    "X12_SETS",
    "Guide",
    "guide_of",
    "name_of",
]
