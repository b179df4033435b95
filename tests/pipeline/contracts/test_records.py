"""Record helpers of pipeline.contracts.records: timestamps."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from pipeline.contracts.records import _SecondCache, now_rfc3339, parse_rfc3339


def _isoformat(ns: int) -> str:
    """What ``datetime.isoformat(timespec="milliseconds")`` writes for epoch nanoseconds."""
    us = ns // 1000
    moment = datetime.fromtimestamp(us // 1_000_000, UTC).replace(microsecond=us % 1_000_000)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


@given(st.lists(st.integers(0, 4_102_444_800 * 10**9), min_size=1, max_size=20))
def test_stamps_are_isoformat_with_the_second_cached(times: list[int]) -> None:
    """The cached second never leaks into another second (sorted or not)."""
    cache = _SecondCache()
    for ns in [*times, *sorted(times)]:
        assert cache.stamp(ns) == _isoformat(ns)


def test_now_is_rfc3339_utc_milliseconds() -> None:
    stamp = now_rfc3339()
    assert len(stamp) == 24 and stamp.endswith("Z") and stamp[19] == "."
    assert parse_rfc3339(stamp) is not None
