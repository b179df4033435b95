"""Routing rules as a pure function: the shipped defaults, overrides, fan-out, reloads."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from pipeline.contracts.topics import AGENT_PREFIX, DOMAINS
from pipeline.settings import Settings
from pipeline.worker.routing import Router, RoutingError, RulesFile, parse_rules

DEFAULTS = Router.from_file(Settings().routing)


@pytest.mark.parametrize(
    ("standard", "type_", "topic"),
    [
        ("x12", "850", "orders"),
        ("x12", "860", "orders"),
        ("edifact", "ORDERS", "orders"),
        ("edifact", "ORDCHG", "orders"),
        ("x12", "855", "order-responses"),
        ("edifact", "ORDRSP", "order-responses"),
        ("x12", "810", "invoices"),
        ("edifact", "INVOIC", "invoices"),
        ("x12", "856", "shipments"),
        ("edifact", "DESADV", "shipments"),
        ("x12", "837", "claims"),
        ("x12", "835", "remittances"),
        ("x12", "820", "remittances"),
        ("edifact", "REMADV", "remittances"),
        ("x12", "270", "eligibility"),
        ("x12", "271", "eligibility"),
        ("x12", "276", "claim-status"),
        ("x12", "277", "claim-status"),
        ("x12", "834", "enrollment"),
        ("x12", "278", "authorizations"),
        ("x12", "204", "logistics"),
        ("edifact", "IFTSTA", "logistics"),
        ("x12", "940", "warehouse"),
        ("x12", "846", "inventory"),
        ("edifact", "SLSRPT", "inventory"),
        ("x12", "832", "catalog"),
        ("edifact", "PRICAT", "catalog"),
        ("x12", "997", "acknowledgements"),
        ("x12", "999", "acknowledgements"),
        ("edifact", "CONTRL", "acknowledgements"),
        ("edifact", "APERAK", "acknowledgements"),
        ("x12", "123", "unrouted"),
        ("edifact", "PNRGOV", "unrouted"),
        ("edifact", "837", "unrouted"),  # 837 is X12 only
    ],
)
def test_design_domains_are_the_defaults(standard: str, type_: str, topic: str) -> None:
    assert DEFAULTS.route(standard, type_, "", "acme", False) == (AGENT_PREFIX + topic,)
    assert topic in DOMAINS


def test_test_interchanges_follow_the_same_rules_by_default() -> None:
    assert DEFAULTS.route("x12", "850", "004010", "acme", True) == ("agents.orders",)


def test_partner_rules_come_first_and_fan_out() -> None:
    mine = parse_rules([{"types": ["850"], "topics": ["agents.orders", "agents.catalog"]}], "acme")
    assert DEFAULTS.route("x12", "850", "004010", "acme", False, mine) == (
        "agents.orders",
        "agents.catalog",
    )
    assert DEFAULTS.route("x12", "810", "004010", "acme", False, mine) == ("agents.invoices",)


def test_conditions_versions_partners_test_flag_and_globs() -> None:
    r = Router(
        parse_rules(
            [
                {"test": True, "topics": ["agents.sandbox"]},
                {
                    "standard": "x12",
                    "types": ["83*"],
                    "versions": ["005010X222*"],
                    "topics": ["agents.pro-claims"],
                },
                {"partners": ["globex"], "topics": ["agents.globex"]},
                {"topics": "agents.rest"},
            ],
            "t",
        )
    )
    assert r.route("x12", "850", "004010", "acme", True) == ("agents.sandbox",)
    assert r.route("x12", "837", "005010X222A1", "acme", False) == ("agents.pro-claims",)
    assert r.route("x12", "837", "005010X223A2", "acme", False) == ("agents.rest",)
    assert r.route("edifact", "ORDERS", "D96A", "globex", False) == ("agents.globex",)
    assert r.topics() == {
        "agents.sandbox",
        "agents.pro-claims",
        "agents.globex",
        "agents.rest",
        "agents.unrouted",
    }


def test_no_match_is_unrouted() -> None:
    assert Router(parse_rules([{"types": ["850"], "topics": ["a"]}], "t")).route(
        "x12", "810", "", "p", False
    ) == ("agents.unrouted",)


@pytest.mark.parametrize(
    "rule",
    [
        {"types": ["850"]},
        {"topics": []},
        {"topics": ["x"], "standard": "tradacoms"},
        {"topics": ["x"], "test": "yes"},
        {"topics": ["x"], "types": [850]},
        {"topics": ["x"], "typo": 1},
    ],
)
def test_bad_rules_are_refused_with_a_reason(rule: dict[str, object]) -> None:
    with pytest.raises(RoutingError, match="rule 1"):
        parse_rules([rule], "file")


def test_rules_file_reloads_and_keeps_last_good_rules(tmp_path: Path) -> None:
    path = tmp_path / "routing.toml"
    path.write_text('[[rules]]\ntypes = ["850"]\ntopics = ["agents.orders"]\n')
    rf = RulesFile(path)
    assert rf.maybe_reload() is False
    assert rf.router.route("x12", "850", "", "p", False) == ("agents.orders",)
    path.write_text('[[rules]]\ntypes = ["850"]\ntopics = ["agents.other"]\n')
    os.utime(path, (time.time() + 5, time.time() + 5))
    assert rf.maybe_reload() is True
    assert rf.router.route("x12", "850", "", "p", False) == ("agents.other",)
    path.write_text("not [ toml")
    os.utime(path, (time.time() + 10, time.time() + 10))
    assert rf.maybe_reload() is False
    assert rf.router.route("x12", "850", "", "p", False) == ("agents.other",)
