"""What the façade allows a partner at once and over time: upload slots and request rates.

:class:`UploadSlots` bounds the request bodies being received at once (per
partner and overall): over it the façade answers 503 with ``Retry-After``.
:class:`RateLimiter` is a token bucket per partner: over its rate the façade
answers 429 with ``Retry-After``. Both are plain state of one event loop.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from pipeline.settings import Settings


class UploadSlots:
    """Counts of request bodies being received, per partner and overall, with their caps."""

    def __init__(self, total: int, per_partner: int) -> None:
        self.total = total
        self.per_partner = per_partner
        self.busy: dict[str, int] = {}
        self.in_use = 0

    @classmethod
    def from_settings(cls, settings: Settings) -> UploadSlots:
        """The slots of ``facade_max_uploads`` and ``facade_max_uploads_per_partner``."""
        return cls(settings.facade_max_uploads, settings.facade_max_uploads_per_partner)

    def acquire(self, partner: str) -> bool:
        """Take a slot for ``partner``; False (nothing taken) when either cap is reached."""
        if self.in_use >= self.total or self.busy.get(partner, 0) >= self.per_partner:
            return False
        self.busy[partner] = self.busy.get(partner, 0) + 1
        self.in_use += 1
        return True

    def release(self, partner: str) -> None:
        """Give back a slot taken by :meth:`acquire`."""
        left = self.busy.get(partner, 0) - 1
        if left > 0:
            self.busy[partner] = left
        else:
            self.busy.pop(partner, None)
        self.in_use -= 1

    @contextmanager
    def hold(self, partner: str) -> Iterator[bool]:
        """A slot for the ``with`` block: yields False (and holds nothing) when none is free."""
        got = self.acquire(partner)
        try:
            yield got
        finally:
            if got:
                self.release(partner)


class RateLimiter:
    """A token bucket per key: ``burst`` requests at once, then ``rate`` per second."""

    def __init__(
        self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.burst = float(burst)
        self.clock = clock
        self.buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)

    @classmethod
    def from_settings(cls, settings: Settings) -> RateLimiter:
        """The limiter of ``facade_rate`` and ``facade_burst``."""
        return cls(settings.facade_rate, settings.facade_burst)

    def take(self, key: str) -> float:
        """Spend one token of ``key``: 0.0 when allowed, else the seconds until one is back."""
        now = self.clock()
        tokens, at = self.buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - at) * self.rate)
        if tokens >= 1.0:
            self.buckets[key] = (tokens - 1.0, now)
            return 0.0
        self.buckets[key] = (tokens, now)
        return (1.0 - tokens) / self.rate

    @staticmethod
    def retry_after(wait: float) -> str:
        """A ``Retry-After`` value (whole seconds, at least 1) for a wait of ``wait`` seconds."""
        return str(max(1, math.ceil(wait)))
