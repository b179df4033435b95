"""Stage 4 helpers: field-level checks of envelope segments and duplicate tracking.

Pure functions over already-split envelope elements; each returns a list of
``(code, message, element, component)`` problems that :mod:`parsers.envelopes`
turns into located :class:`~parsers.errors.EdiError` values. Only envelope
segments are ever split on the validation path.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

from parsers.delimiters import ISA_WIDTHS, isnum
from parsers.encoding import EDIFACT_CODECS
from parsers.errors import (
    COMPONENT_SEPARATOR_INVALID,
    ELEMENT_SEPARATOR_INVALID,
    GROUP_CONTROL_INVALID,
    GROUP_DATE_INVALID,
    GROUP_HEADER_INCOMPLETE,
    GROUP_TIME_INVALID,
    ISA_ACK_REQUESTED,
    ISA_AUTH_INFO,
    ISA_AUTH_QUALIFIER,
    ISA_CONTROL_NUMBER,
    ISA_DATE,
    ISA_RECEIVER_ID,
    ISA_RECEIVER_QUALIFIER,
    ISA_SECURITY_INFO,
    ISA_SECURITY_QUALIFIER,
    ISA_SENDER_ID,
    ISA_SENDER_QUALIFIER,
    ISA_STANDARDS_ID,
    ISA_TIME,
    ISA_USAGE_INDICATOR,
    ISA_VERSION,
    REPETITION_SEPARATOR_UNUSABLE,
    SEGMENT_TERMINATOR_INVALID,
    SYNTAX_ID_UNKNOWN,
    SYNTAX_VERSION_UNSUPPORTED,
    UNB_DATE_TIME_INVALID,
    UNB_INCOMPLETE,
)

Problem = tuple[str, str, int | None, int | None]  # code, message, element, component

_ISA_CODES = (
    ISA_AUTH_QUALIFIER,
    ISA_AUTH_INFO,
    ISA_SECURITY_QUALIFIER,
    ISA_SECURITY_INFO,
    ISA_SENDER_QUALIFIER,
    ISA_SENDER_ID,
    ISA_RECEIVER_QUALIFIER,
    ISA_RECEIVER_ID,
    ISA_DATE,
    ISA_TIME,
    ISA_STANDARDS_ID,
    ISA_VERSION,
    ISA_CONTROL_NUMBER,
    ISA_ACK_REQUESTED,
    ISA_USAGE_INDICATOR,
    COMPONENT_SEPARATOR_INVALID,
)
_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


_MONTH_DAYS = frozenset(
    f"{m:02d}{d:02d}" for m in range(1, 13) for d in range(1, _DAYS[m - 1] + 1) if (m, d) != (2, 29)
)  # every MMDD of a year but Feb 29
_HHMM = frozenset(f"{h:02d}{m:02d}" for h in range(24) for m in range(60))
_SECONDS = frozenset(f"{s:02d}" for s in range(60))


def valid_date(s: str) -> bool:
    """YYMMDD or CCYYMMDD with a real month and day (Feb 29 only in leap years).

    Month and day are one set lookup (the date checks run for every envelope header).
    """
    n = len(s)
    if (n != 6 and n != 8) or not (s.isdigit() and s.isascii()):
        return False
    md = s[n - 4 :]
    if md in _MONTH_DAYS:
        return True
    if md != "0229":
        return False
    y = int(s[: n - 4])
    if n == 6:
        return y % 4 == 0  # 00 is 2000, a leap year; 1900 is outside any EDI window
    return y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)


def valid_time(s: str) -> bool:
    """HHMM, HHMMSS or HHMMSSd[d] (X12 GS05) with real hours, minutes and seconds."""
    n = len(s)
    if n not in (4, 6, 7, 8) or not (s.isdigit() and s.isascii()):
        return False
    return s[:4] in _HHMM and (n == 4 or s[4:6] in _SECONDS)


def check_isa(els: Sequence[str], scanned: bool) -> list[Problem]:
    """ISA01-ISA16 widths and values (dates, times, version, control number, flags)."""
    out: list[Problem] = []
    if len(els) < 17:
        out.append(
            (ISA_STANDARDS_ID, f"ISA has {len(els) - 1} elements, expected 16", len(els), None)
        )
        return out
    for i, width in enumerate(ISA_WIDTHS, start=1):
        v = els[i]
        if len(v) != width:
            out.append(
                (_ISA_CODES[i - 1], f"ISA{i:02d} is {len(v)} characters, expected {width}", i, None)
            )
    if len(els) > 17:
        out.append((ISA_STANDARDS_ID, f"ISA has {len(els) - 1} elements, expected 16", 17, None))
    a01, a03 = els[1], els[3]
    if len(a01) == 2 and not isnum(a01):
        out.append((ISA_AUTH_QUALIFIER, f"ISA01 {a01!r} is not a numeric qualifier", 1, None))
    if len(a03) == 2 and not isnum(a03):
        out.append((ISA_SECURITY_QUALIFIER, f"ISA03 {a03!r} is not a numeric qualifier", 3, None))
    for i, code in ((5, ISA_SENDER_QUALIFIER), (7, ISA_RECEIVER_QUALIFIER)):
        q = els[i]
        if len(q) == 2 and not q.isalnum():
            out.append((code, f"ISA{i:02d} {q!r} is not an id qualifier", i, None))
    for i, code in ((6, ISA_SENDER_ID), (8, ISA_RECEIVER_ID)):
        if len(els[i]) == 15 and not els[i].strip():
            out.append((code, f"ISA{i:02d} is blank", i, None))
    if len(els[9]) == 6 and not valid_date(els[9]):
        out.append((ISA_DATE, f"ISA09 {els[9]!r} is not a valid YYMMDD date", 9, None))
    if len(els[10]) == 4 and not valid_time(els[10]):
        out.append((ISA_TIME, f"ISA10 {els[10]!r} is not a valid HHMM time", 10, None))
    version = els[12]
    if len(version) == 5 and not isnum(version):
        out.append((ISA_VERSION, f"ISA12 {version!r} is not a numeric version", 12, None))
    isa11 = els[11]
    if len(isa11) == 1 and len(version) == 5 and isnum(version):
        if version < "00402" and isa11 != "U":
            out.append(
                (ISA_STANDARDS_ID, f"ISA11 {isa11!r} must be 'U' before version 00402", 11, None)
            )
        elif version >= "00402" and isa11.isalnum():
            out.append(
                (
                    REPETITION_SEPARATOR_UNUSABLE,
                    f"ISA11 {isa11!r} is alphanumeric; no repetition separator",
                    11,
                    None,
                )
            )
    if len(els[13]) == 9 and not isnum(els[13]):
        out.append((ISA_CONTROL_NUMBER, f"ISA13 {els[13]!r} is not numeric", 13, None))
    if len(els[14]) == 1 and els[14] not in ("0", "1"):
        out.append((ISA_ACK_REQUESTED, f"ISA14 {els[14]!r} is not 0 or 1", 14, None))
    if len(els[15]) == 1 and els[15] not in ("P", "T", "I"):
        out.append((ISA_USAGE_INDICATOR, f"ISA15 {els[15]!r} is not P, T or I", 15, None))
    return out


def check_delimiters(
    elem: str, comp: str, term: str, rep: str | None, rel: str | None
) -> list[Problem]:
    """Delimiters must be distinct and neither letters, digits nor spaces."""
    out: list[Problem] = []
    if elem.isalnum() or elem in (" ", "\r", "\n"):
        out.append(
            (
                ELEMENT_SEPARATOR_INVALID,
                f"data element separator {elem!r} is not a valid delimiter",
                None,
                None,
            )
        )
    if comp.isalnum() or comp == " " or comp in (elem, term):
        out.append(
            (
                COMPONENT_SEPARATOR_INVALID,
                f"component separator {comp!r} is not a valid delimiter",
                16,
                None,
            )
        )
    if term.isalnum() or term in (" ", elem):
        out.append(
            (
                SEGMENT_TERMINATOR_INVALID,
                f"segment terminator {term!r} is not a valid delimiter",
                None,
                None,
            )
        )
    others = [d for d in (rep, rel) if d is not None]
    if any(d in (elem, comp, term) for d in others):
        out.append(
            (
                ELEMENT_SEPARATOR_INVALID,
                "repetition/release character repeats another delimiter",
                None,
                None,
            )
        )
    return out


def check_gs(els: Sequence[str]) -> list[Problem]:
    """GS01-GS08 present; GS04 date, GS05 time, GS06 control number (1-9 digits)."""
    out: list[Problem] = []
    if len(els) < 9 or not all(els[1:9]):
        missing = next((i for i in range(1, 9) if i >= len(els) or not els[i]), 8)
        out.append((GROUP_HEADER_INCOMPLETE, f"GS{missing:02d} is missing", missing, None))
    if len(els) > 4 and els[4] and not valid_date(els[4]):
        out.append((GROUP_DATE_INVALID, f"GS04 {els[4]!r} is not a valid date", 4, None))
    if len(els) > 5 and els[5] and not valid_time(els[5]):
        out.append((GROUP_TIME_INVALID, f"GS05 {els[5]!r} is not a valid time", 5, None))
    if len(els) > 6 and els[6] and not (isnum(els[6]) and len(els[6]) <= 9):
        out.append((GROUP_CONTROL_INVALID, f"GS06 {els[6]!r} is not a 1-9 digit number", 6, None))
    return out


def component(el: str | list[str] | list[list[str]], i: int) -> str:
    """Component ``i`` (0-based) of an element in the split shape, "" when absent."""
    if isinstance(el, str):
        return el if i == 0 else ""
    first = el[0] if el else ""
    comps: list[str] = first if isinstance(first, list) else el  # type: ignore[assignment]
    return comps[i] if i < len(comps) else ""


def check_unb(seg: Sequence[str | list[str] | list[list[str]]]) -> list[Problem]:
    """UNB S001-S004 and 0020 present; known syntax identifier and version; valid date/time."""
    out: list[Problem] = []
    if len(seg) < 6 or not all(component(seg[i], 0) for i in range(1, 6)):
        missing = next((i for i in range(1, 6) if i >= len(seg) or not component(seg[i], 0)), 5)
        out.append((UNB_INCOMPLETE, f"UNB element {missing} is missing", missing, 1))
    if len(seg) > 1:
        syntax = component(seg[1], 0)
        version = component(seg[1], 1)
        if syntax and syntax not in EDIFACT_CODECS:
            out.append((SYNTAX_ID_UNKNOWN, f"syntax identifier {syntax!r} is unknown", 1, 1))
        if version not in ("1", "2", "3", "4"):
            out.append((SYNTAX_VERSION_UNSUPPORTED, f"syntax version {version!r} is not 1-4", 1, 2))
    if len(seg) > 4 and component(seg[4], 0):
        date, time = component(seg[4], 0), component(seg[4], 1)
        if not valid_date(date):
            out.append((UNB_DATE_TIME_INVALID, f"UNB date {date!r} is not a valid date", 4, 1))
        if not (len(time) == 4 and valid_time(time)):
            out.append((UNB_DATE_TIME_INVALID, f"UNB time {time!r} is not a valid HHMM time", 4, 2))
    return out


def check_ung(seg: Sequence[str | list[str] | list[list[str]]]) -> list[Problem]:
    """UNG 0038, S006, S007, S004 and 0048 present with a valid date and time."""
    out: list[Problem] = []
    if len(seg) < 6 or not all(component(seg[i], 0) for i in (1, 5)):
        missing = next((i for i in (1, 5) if i >= len(seg) or not component(seg[i], 0)), 5)
        out.append((GROUP_HEADER_INCOMPLETE, f"UNG element {missing} is missing", missing, None))
    if len(seg) > 4 and component(seg[4], 0):
        date, time = component(seg[4], 0), component(seg[4], 1)
        if not valid_date(date):
            out.append((GROUP_DATE_INVALID, f"UNG date {date!r} is not a valid date", 4, 1))
        if time and not (len(time) == 4 and valid_time(time)):
            out.append((GROUP_TIME_INVALID, f"UNG time {time!r} is not a valid HHMM time", 4, 2))
    return out


class ControlSet:
    """Remembers control numbers to detect duplicates in bounded memory.

    Digit strings are kept as integer ranges per string length (sequential
    numbering, the common case, costs O(1) memory however many there are);
    anything else goes to a plain set. ``numeric=True`` compares N0 values
    (GS06) by value, ignoring leading zeros.
    """

    __slots__ = ("_his", "_last", "_last_his", "_last_key", "_los", "_numeric", "_other")

    def __init__(self, numeric: bool = False) -> None:
        """An empty set; ``numeric`` selects N0 comparison (leading zeros ignored)."""
        self._numeric = numeric
        self._los: dict[int, list[int]] = {}
        self._his: dict[int, list[int]] = {}
        self._other: set[str] = set()
        self._last = (
            -2
        )  # the highest value of the most recently extended range, when it is the top one
        self._last_key = -1
        self._last_his: list[int] = []

    def add(self, value: str) -> bool:
        """Add ``value``; return False when it was already present (a duplicate)."""
        if not (value.isdigit() and value.isascii()):
            if value in self._other:
                return False
            self._other.add(value)
            return True
        x = int(value)
        key = 0 if self._numeric else len(value)
        if x == self._last + 1 and key == self._last_key:  # the sequential fast path
            self._last = x
            self._last_his[-1] = x
            return True
        los = self._los.get(key)
        if los is None:
            self._los[key] = [x]
            his = self._his[key] = [x]
            self._remember(key, his)
            return True
        his = self._his[key]
        i = bisect_right(los, x) - 1
        if i >= 0 and x <= his[i]:
            return False
        joins_left = i >= 0 and his[i] + 1 == x
        joins_right = i + 1 < len(los) and los[i + 1] - 1 == x
        if joins_left and joins_right:
            his[i] = his[i + 1]
            del los[i + 1], his[i + 1]
        elif joins_left:
            his[i] = x
        elif joins_right:
            los[i + 1] = x
        else:
            los.insert(i + 1, x)
            his.insert(i + 1, x)
        self._remember(key, his)
        return True

    def _remember(self, key: int, his: list[int]) -> None:
        """Enable the fast path when the top range of ``key`` can grow by one."""
        self._last_key = key
        self._last_his = his
        self._last = his[-1]
