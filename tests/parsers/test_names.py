"""Human names of X12 sets, EDIFACT messages and HIPAA guides (parsers.names)."""

from __future__ import annotations

import re

import pytest

from parsers.names import EDIFACT_MESSAGES, HIPAA_GUIDES, X12_SETS, guide_of, name_of
from tests.parsers._docfixtures import interchanges, valid_files


def test_x12_table_is_the_full_list() -> None:
    assert len(X12_SETS) >= 300
    numeric = [c for c in X12_SETS if c != "TA1"]
    assert all(re.fullmatch(r"[1-9][0-9]{2}", c) for c in numeric)
    assert min(numeric) == "100" and max(numeric) == "999"
    # every hundred from 100 to 900 is represented
    assert {c[0] for c in numeric} == set("123456789")


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("810", "Invoice"),
        ("850", "Purchase Order"),
        ("855", "Purchase Order Acknowledgment"),
        ("856", "Ship Notice/Manifest"),
        ("837", "Health Care Claim"),
        ("835", "Health Care Claim Payment/Advice"),
        ("834", "Benefit Enrollment and Maintenance"),
        ("270", "Eligibility, Coverage or Benefit Inquiry"),
        ("214", "Transportation Carrier Shipment Status Message"),
        ("940", "Warehouse Shipping Order"),
        ("990", "Response to a Load Tender"),
        ("997", "Functional Acknowledgment"),
        ("999", "Implementation Acknowledgment"),
        ("TA1", "Interchange Acknowledgment"),
        ("100", "Insurance Plan Description"),
        ("527", "Material Due-In and Receipt"),
    ],
)
def test_x12_names(code: str, name: str) -> None:
    assert name_of("x12", code, "004010") == name
    assert X12_SETS[code] == name


def test_edifact_table_is_the_directory() -> None:
    assert len(EDIFACT_MESSAGES) >= 200
    assert all(re.fullmatch(r"[A-Z]{6}", c) for c in EDIFACT_MESSAGES)


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("ORDERS", "Purchase order message"),
        ("INVOIC", "Invoice message"),
        ("DESADV", "Despatch advice message"),
        ("ORDRSP", "Purchase order response message"),
        ("CONTRL", "Syntax and service report message"),
        ("APERAK", "Application error and acknowledgement message"),
        ("IFTMIN", "Instruction message"),
        ("PRICAT", "Price/sales catalogue message"),
        ("BAPLIE", "Bayplan/stowage plan occupied and empty locations message"),
        ("MEDRPT", "Medical service report message"),
        ("INFENT", "Enterprise accounting information message"),
        ("REMADV", "Remittance advice message"),
    ],
)
def test_edifact_names(code: str, name: str) -> None:
    assert name_of("edifact", code, "D96A") == name


@pytest.mark.parametrize(
    ("version", "type", "short", "name"),
    [
        ("005010X222A1", "837", "837 Professional", "Health Care Claim: Professional"),
        ("005010X222", "837", "837 Professional", "Health Care Claim: Professional"),
        ("005010X223A3", "837", "837 Institutional", "Health Care Claim: Institutional"),
        ("005010X224A2", "837", "837 Dental", "Health Care Claim: Dental"),
        ("005010X221A1", "835", "835 Claim Payment/Advice", "Health Care Claim Payment/Advice"),
        ("005010X220A1", "834", "834 Benefit Enrollment", "Benefit Enrollment and Maintenance"),
        (
            "005010X279A1",
            "270",
            "270 Eligibility Inquiry",
            "Health Care Eligibility Benefit Inquiry",
        ),
        (
            "005010X279A1",
            "271",
            "271 Eligibility Response",
            "Health Care Eligibility Benefit Response",
        ),
        ("005010X212", "276", "276 Claim Status Request", "Health Care Claim Status Request"),
        ("005010X212", "277", "277 Claim Status Response", "Health Care Claim Status Response"),
        ("005010X214", "277", "277CA Claim Acknowledgment", "Health Care Claim Acknowledgment"),
        (
            "005010X217",
            "278",
            "278 Services Review",
            "Health Care Services Review: Request for Review and Response",
        ),
        (
            "005010X231A1",
            "999",
            "999 Implementation Acknowledgment",
            "Implementation Acknowledgment",
        ),
        ("004010X098A1", "837", "837 Professional", "Health Care Claim: Professional"),
        ("004010X096A1", "837", "837 Institutional", "Health Care Claim: Institutional"),
        ("004010X091A1", "835", "835 Claim Payment/Advice", "Health Care Claim Payment/Advice"),
    ],
)
def test_hipaa_guides(version: str, type: str, short: str, name: str) -> None:
    guide = guide_of(version, type)
    assert guide is not None
    assert (guide.code, guide.type, guide.short, guide.name) == (version[6:10], type, short, name)
    assert name_of("x12", type, version) == name


def test_guide_needs_matching_type_and_release() -> None:
    # a guide names one type (or a request/response pair): other types keep their base name
    assert guide_of("005010X222A1", "835") is None
    assert name_of("x12", "835", "005010X222A1") == "Health Care Claim Payment/Advice"
    # 4010 and 5010 number guides differently: X222 means nothing in 4010
    assert guide_of("004010X222A1", "837") is None
    assert name_of("x12", "837", "005010") == "Health Care Claim"
    assert guide_of("", "837") is None
    assert all(len(k[0]) == 10 and k[0][6] == "X" for k in HIPAA_GUIDES)


def test_unknown_types_get_a_non_empty_fallback() -> None:
    assert name_of("x12", "123", "004010") == "X12 123"
    assert name_of("edifact", "CUSTOM", "D97B") == "EDIFACT CUSTOM"


# Types in the corpus that are not real sets/messages (test fixtures of their sources).
_NOT_REAL = {"000", "CUSTOM"}


def test_every_corpus_type_has_a_real_name() -> None:
    seen: set[tuple[str, str]] = set()
    for path in valid_files():
        for ic in interchanges(path):
            for tx in ic.transactions:
                seen.add((str(ic.standard), tx.type))
                name = name_of(str(ic.standard), tx.type, tx.version)
                if tx.type in _NOT_REAL:
                    assert name.endswith(tx.type)
                else:
                    assert not name.endswith(f" {tx.type}"), (path, tx.type)
    # the corpus covers both standards and the main HIPAA and supply-chain sets
    types = {t for _, t in seen}
    assert {
        "837",
        "835",
        "834",
        "270",
        "271",
        "276",
        "277",
        "850",
        "810",
        "855",
        "997",
        "999",
    } <= types
    assert {"ORDERS", "INVOIC", "APERAK", "PNRGOV", "MEDRPT"} <= types
