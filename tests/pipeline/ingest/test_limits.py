"""The façade's limit state: upload slots (per partner and overall) and per-partner token buckets."""

from __future__ import annotations

from pipeline.ingest.limits import RateLimiter, UploadSlots


def test_upload_slots_cap_each_partner_and_everyone() -> None:
    slots = UploadSlots(total=3, per_partner=2)
    assert slots.acquire("a") and slots.acquire("a")
    assert not slots.acquire("a")  # the partner's cap
    assert slots.acquire("b")
    assert not slots.acquire("c")  # the overall cap
    slots.release("a")
    with slots.hold("c") as got:
        assert got and slots.in_use == 3
    with slots.hold("c") as got:
        assert got
        with slots.hold("d") as other:
            assert not other
    assert slots.in_use == 2 and slots.busy == {"a": 1, "b": 1}


def test_token_bucket_burst_then_rate_and_retry_after() -> None:
    now = [100.0]
    limiter = RateLimiter(rate=2.0, burst=3, clock=lambda: now[0])
    assert [limiter.take("p") for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = limiter.take("p")
    assert wait == 0.5 and RateLimiter.retry_after(wait) == "1"
    assert limiter.take("q") == 0.0  # another partner: its own bucket
    now[0] += 0.5
    assert limiter.take("p") == 0.0  # one token back after 1 / rate seconds
    assert limiter.take("p") > 0
    now[0] += 60
    assert [limiter.take("p") for _ in range(4)][:3] == [0.0, 0.0, 0.0]  # refilled to the burst
    assert RateLimiter.retry_after(2.2) == "3"
