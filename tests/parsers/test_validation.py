"""Field checks of envelope segments and the duplicate tracker."""

from __future__ import annotations

import datetime
import random

import pytest

from parsers.validation import (
    ControlSet,
    check_delimiters,
    check_gs,
    check_isa,
    check_unb,
    check_ung,
    valid_date,
    valid_time,
)

GOOD_ISA = [
    "ISA", "00", " " * 10, "00", " " * 10, "ZZ", "SENDER".ljust(15), "ZZ", "RECEIVER".ljust(15),
    "240229", "2359", "^", "00501", "000000001", "0", "P", ":",
]  # fmt: skip


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("240229", True), ("230229", False), ("000229", True), ("20240229", True), ("19000229", False),
        ("20000229", True), ("241231", True), ("241301", False), ("240100", False), ("240431", False),
        ("2024123", False), ("24O101", False), ("", False),
    ],
)  # fmt: skip
def test_valid_date(value: str, ok: bool) -> None:
    assert valid_date(value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [("0000", True), ("2359", True), ("2400", False), ("1260", False), ("235959", True), ("235960", False),
     ("1200001", True), ("12000099", True), ("12", False), ("12:00", False)],
)  # fmt: skip
def test_valid_time(value: str, ok: bool) -> None:
    assert valid_time(value) is ok


def test_valid_date_agrees_with_the_calendar_for_every_month_and_day() -> None:
    # The set lookups against datetime.date: all days 00-32 of months 00-13, century leap rules.
    for year in (1900, 1996, 1999, 2000, 2023, 2024, 2100, 2400):
        for month in range(14):
            for day in range(33):
                try:
                    datetime.date(year, month, day)
                    real = True
                except ValueError:
                    real = False
                assert valid_date(f"{year:04d}{month:02d}{day:02d}") is real
                short = f"{year % 100:02d}{month:02d}{day:02d}"
                assert valid_date(short) is (real or ((month, day) == (2, 29) and year % 4 == 0))


def test_valid_time_agrees_with_the_clock_for_every_hour_minute_and_second() -> None:
    for hour in range(100):
        for minute in range(100):
            hhmm = f"{hour:02d}{minute:02d}"
            assert valid_time(hhmm) is (hour < 24 and minute < 60)
            for second in (0, 59, 60, 99):
                ok = hour < 24 and minute < 60 and second < 60
                assert valid_time(f"{hhmm}{second:02d}") is ok
                assert valid_time(f"{hhmm}{second:02d}7") is ok
    assert not valid_time("12\u00b20")  # a superscript digit is not a digit here


def test_good_isa_has_no_problems() -> None:
    assert check_isa(GOOD_ISA, scanned=False) == []


@pytest.mark.parametrize(
    ("index", "value", "code"),
    [
        (1, "0", "EDI012"), (1, "AB", "EDI012"), (2, "short", "EDI013"), (3, "X1", "EDI014"),
        (4, "x" * 11, "EDI015"), (5, "Z", "EDI016"), (6, "TOO-LONG-SENDER-ID", "EDI017"), (6, " " * 15, "EDI017"),
        (7, "?!", "EDI018"), (8, "R", "EDI019"), (9, "241301", "EDI020"), (10, "2500", "EDI021"),
        (12, "0050A", "EDI023"), (13, "12345678A", "EDI024"), (13, "1", "EDI024"), (14, "2", "EDI025"),
        (15, "X", "EDI026"), (16, "::", "EDI027"),
    ],
)  # fmt: skip
def test_isa_field_problems(index: int, value: str, code: str) -> None:
    els = list(GOOD_ISA)
    els[index] = value
    found = check_isa(els, scanned=False)
    assert [(c, el) for c, _m, el, _comp in found] == [(code, index)]


def test_isa11_rules_by_version() -> None:
    els = list(GOOD_ISA)
    els[11], els[12] = "^", "00401"
    assert [p[0] for p in check_isa(els, False)] == ["EDI022"]
    els[11], els[12] = "U", "00501"
    assert [p[0] for p in check_isa(els, False)] == ["EDI030"]


def test_isa_element_count() -> None:
    assert check_isa(GOOD_ISA[:10], False)[0][0] == "EDI022"
    assert check_isa([*GOOD_ISA, "X"], False)[-1][0] == "EDI022"


def test_delimiters_must_be_distinct_and_not_alphanumeric() -> None:
    assert check_delimiters("*", ":", "~", "^", None) == []
    assert [p[0] for p in check_delimiters("A", ":", "~", None, None)] == ["EDI028"]
    assert [p[0] for p in check_delimiters("*", "*", "~", None, None)] == ["EDI027"]
    assert [p[0] for p in check_delimiters("*", ":", "*", None, None)] == ["EDI029"]
    assert [p[0] for p in check_delimiters("*", ":", "~", ":", None)] == ["EDI028"]


def test_gs_checks() -> None:
    good = ["GS", "PO", "S", "R", "20240101", "1200", "1", "X", "004010"]
    assert check_gs(good) == []
    assert [p[0] for p in check_gs(good[:8])] == ["EDI042"]
    assert [p[0] for p in check_gs([*good[:4], "20241301", *good[5:]])] == ["EDI044"]
    assert [p[0] for p in check_gs([*good[:5], "126000", *good[6:]])] == ["EDI045"]
    assert [p[0] for p in check_gs([*good[:6], "1234567890", *good[7:]])] == ["EDI043"]


def test_unb_and_ung_checks() -> None:
    unb = ["UNB", ["UNOC", "3"], ["S", "14"], ["R", "14"], ["240101", "1200"], "REF"]
    assert check_unb(unb) == []  # type: ignore[arg-type]
    assert [p[0] for p in check_unb(unb[:4])] == ["EDI071"]  # type: ignore[arg-type]
    assert [p[0] for p in check_unb([unb[0], ["XXXX", "5"], *unb[2:]])] == ["EDI072", "EDI073"]  # type: ignore[arg-type]
    assert [p[0] for p in check_unb([*unb[:4], ["20241301", "1200"], "REF"])] == ["EDI074"]  # type: ignore[arg-type]
    assert [p[0] for p in check_unb([*unb[:4], ["20241201", "12"], "REF"])] == ["EDI074"]  # type: ignore[arg-type]
    ung = ["UNG", "ORDERS", "S", "R", ["240101", "1200"], "G1", "UN", ["D", "96A"]]
    assert check_ung(ung) == []  # type: ignore[arg-type]
    assert [p[0] for p in check_ung([*ung[:5], ""])] == ["EDI042"]  # type: ignore[arg-type]


def test_control_set_sequential_and_duplicates() -> None:
    c = ControlSet()
    assert all(c.add(f"{i:04d}") for i in range(1, 1000))
    assert not c.add("0500") and not c.add("0001") and not c.add("0999")
    assert c.add("1000") and c.add("500")  # different length: a different string
    assert c.add("ABC") and not c.add("ABC")
    assert len(c._los[4]) == 1  # sequential numbers are one range


def test_control_set_numeric_ignores_leading_zeros() -> None:
    c = ControlSet(numeric=True)
    assert c.add("1") and not c.add("0001") and c.add("2")


def test_control_set_matches_a_set() -> None:
    rnd = random.Random(7)
    for _ in range(200):
        numeric = rnd.random() < 0.5
        c = ControlSet(numeric=numeric)
        seen: set[object] = set()
        for _ in range(rnd.randint(1, 80)):
            v = str(rnd.randint(0, 40)).zfill(rnd.randint(1, 3))
            if rnd.random() < 0.2:
                v = "X" + v
            key: object = v if not v.isdigit() else int(v) if numeric else (len(v), int(v))
            assert c.add(v) is (key not in seen)
            seen.add(key)
