"""Fixtures of the ingest tests: a real file drop on the session's broker."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from pipeline.ingest.filedrop import FileDrop
from pipeline.ingest.producer import Ingestor
from pipeline.kafka import admin, clients
from pipeline.partners.profiles import load_registry
from pipeline.settings import Settings

MakeDrop = Callable[..., Awaitable[FileDrop]]


@pytest.fixture()
async def make_drop(make_settings: Callable[..., Settings]) -> AsyncIterator[MakeDrop]:
    """A FileDrop with a real producer; ``make_drop(**settings overrides)``."""
    producers = []

    async def make(producer_options: dict[str, Any] | None = None, **overrides: Any) -> FileDrop:
        s = make_settings(**{"stable_seconds": 0.0, **overrides})
        await admin.ensure_topics(s)
        producer = clients.producer(s, **(producer_options or {}))
        await producer.start()
        producers.append(producer)
        drop = FileDrop(s, Ingestor(s, load_registry(s), producer))
        drop.ensure_dirs()
        return drop

    yield make
    for p in producers:
        await p.stop()
