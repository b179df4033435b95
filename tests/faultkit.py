"""Fault-test helpers: feed edi.inbound, compute the expected document ids, count what arrived.

Expected ids come from the same pure Processor the worker runs (document ids
are deterministic), so a fault test compares *by id*: missing = expected -
seen, duplicates = records seen more than once.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from benchmarks.generate import generate_bytes
from parsers import parse
from pipeline.contracts.topics import AGENT_PREFIX, DOMAINS, INBOUND
from pipeline.kafka import clients
from pipeline.partners.profiles import PartnerRegistry, load_partners
from pipeline.settings import Settings
from pipeline.worker.processor import Inbound, Processor
from pipeline.worker.routing import Router


@dataclass
class Load:
    """Interchanges to feed, with their headers and the document ids they must produce."""

    messages: list[tuple[bytes, list[tuple[str, bytes]]]]
    expected: set[str]

    @property
    def transactions(self) -> int:
        return len(self.expected)


def x12_file(seed: int, interchanges: int = 2, per: int = 3) -> bytes:
    """A generated X12 file: ``interchanges`` interchanges of ``per`` sets, sender ZZ:PARTNER001."""
    data, _ = generate_bytes(
        seed=seed,
        mix="x12",
        interchanges=interchanges,
        transactions_per_interchange=per,
        partners=1,
    )
    return data


def make_load(
    settings: Settings,
    *,
    interchanges: int,
    per_interchange: int,
    seed: int = 7,
    partner: str = "sandbox",
    mix: str = "x12",
) -> Load:
    """Generated interchanges as inbound records for ``partner``, and their expected document ids."""
    data, _ = generate_bytes(
        seed=seed,
        mix=mix,
        interchanges=interchanges,
        transactions_per_interchange=per_interchange,
        partners=3,
    )
    processor = Processor(
        PartnerRegistry(load_partners(settings.partners)), Router.from_file(settings.routing)
    )
    messages = []
    expected: set[str] = set()
    for i, ic in enumerate(data[x.offset : x.end] for x in parse(data).interchanges):
        headers = [
            ("edi-partner", partner.encode()),
            ("edi-source", b"file"),
            ("edi-filename", f"load-{seed}.edi".encode()),
            ("edi-sha256", b"0" * 64),
            ("edi-received-at", b"2026-11-26T00:00:00.000Z"),
            ("edi-ingest-id", f"load{seed}-{i}".encode()),
        ]
        messages.append((ic, headers))
        out = processor.process(Inbound(value=ic, headers=dict(headers), key=partner.encode()))
        expected.update(
            dict(o.headers)["edi-document-id"].decode() for o in out.outputs if o.document
        )
    return Load(messages, expected)


async def produce(
    settings: Settings,
    messages: Iterable[tuple[bytes, list[tuple[str, bytes]]]],
    *,
    rate: float | None = None,
    partner: str = "sandbox",
) -> int:
    """Produce inbound records (optionally at ``rate`` per second); return how many."""
    producer = clients.producer(settings)
    await producer.start()
    n = 0
    t0 = time.monotonic()
    try:
        futures = []
        for value, headers in messages:
            futures.append(
                await producer.send(
                    clients.topic(settings, INBOUND), value, key=partner.encode(), headers=headers
                )
            )
            n += 1
            if rate:
                delay = t0 + n / rate - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
        await asyncio.gather(*futures)
    finally:
        await producer.stop()
    return n


def agent_topics(settings: Settings) -> list[str]:
    return [clients.topic(settings, AGENT_PREFIX + d) for d in DOMAINS]


async def seen_ids(
    settings: Settings, expected: set[str], timeout: float, settle: float = 2.0
) -> Counter[str]:
    """Count document ids on every agent topic until all expected arrived (plus ``settle`` s) or timeout."""
    consumer = clients.consumer(settings, *agent_topics(settings))
    await consumer.start()
    counts: Counter[str] = Counter()
    try:
        deadline = time.monotonic() + timeout
        complete_at: float | None = None
        while time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=200)
            for msgs in batch.values():
                for m in msgs:
                    doc_id = dict(m.headers or ()).get("edi-document-id", b"").decode()
                    counts[doc_id] += 1
            if complete_at is None and expected <= set(counts):
                complete_at = time.monotonic()
            if complete_at is not None and time.monotonic() - complete_at >= settle:
                break
    finally:
        await consumer.stop()
    return counts


def tally(expected: set[str], counts: Counter[str]) -> dict[str, int]:
    """sent / missing / duplicated (extra copies) / unexpected, for the closing note."""
    return {
        "sent": len(expected),
        "missing": len(expected - set(counts)),
        "duplicated": sum(c - 1 for i, c in counts.items() if i in expected and c > 1),
        "unexpected": sum(1 for i in counts if i not in expected),
    }


def expected_ids(settings: Settings, data: bytes, partner: str = "sandbox") -> set[str]:
    """The document ids a worker must route for ``data`` submitted by ``partner`` (by id)."""
    processor = Processor(
        PartnerRegistry(load_partners(settings.partners)), Router.from_file(settings.routing)
    )
    ids: set[str] = set()
    for x in parse(data).interchanges:
        headers = {"edi-partner": partner.encode(), "edi-ingest-id": b"expected"}
        out = processor.process(
            Inbound(value=data[x.offset : x.end], headers=headers, key=partner.encode())
        )
        ids.update(dict(o.headers)["edi-document-id"].decode() for o in out.outputs if o.document)
    return ids


async def inbound(settings: Settings, n: int, timeout: float = 30.0) -> list[Any]:
    """At least ``n`` records of edi.inbound (values and headers), fewer after ``timeout``."""
    from tests.procs import read_topic

    return await read_topic(settings, INBOUND, until=lambda r: len(r) >= n, timeout=timeout)
