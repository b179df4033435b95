"""`edi-mesh tail` against the real broker: from the beginning, from a time, by partner, --max."""

from __future__ import annotations

import asyncio
import io
import time

import orjson

from pipeline.kafka import admin, clients
from pipeline.tools.tail import tail


async def _produce(settings, topic: str, items: list[tuple[bytes, bytes]]) -> None:  # type: ignore[no-untyped-def]
    p = clients.producer(settings)
    await p.start()
    try:
        futures = [await p.send(clients.topic(settings, topic), v, key=k) for k, v in items]
        await asyncio.gather(*futures)
    finally:
        await p.stop()


def test_tail_filters_and_stops(make_settings) -> None:  # type: ignore[no-untyped-def]
    s = make_settings(partitions=2)
    asyncio.run(admin.ensure_topics(s))
    early = [(b"acme", orjson.dumps({"n": i})) for i in range(3)] + [
        (b"globex", orjson.dumps({"n": 9}))
    ]
    asyncio.run(_produce(s, "agents.orders", early))
    time.sleep(1.2)
    cut = time.time()
    time.sleep(0.3)
    asyncio.run(_produce(s, "agents.orders", [(b"acme", orjson.dumps({"n": 100}))]))

    def run(**kw):  # type: ignore[no-untyped-def]
        out = io.BytesIO()
        n = asyncio.run(tail(s, "agents.orders", out=out, timeout=2.0, **kw))
        lines = [orjson.loads(x) for x in out.getvalue().splitlines()]
        assert n == len(lines)
        return lines

    everything = run(from_beginning=True)
    assert sorted(d["n"] for d in everything) == [0, 1, 2, 9, 100]
    assert sorted(d["n"] for d in run(from_beginning=True, partner="acme")) == [0, 1, 2, 100]
    assert [d["n"] for d in run(from_time=cut)] == [100]
    assert len(run(from_beginning=True, max_records=2)) == 2
    # not JSON (raw EDI on edi.inbound): printed with its coordinates and text
    asyncio.run(_produce(s, "edi.inbound", [(b"acme", b"ISA*00*~")]))
    raw = asyncio.run(
        tail(
            s,
            "edi.inbound",
            out=(buf := io.BytesIO()),
            from_beginning=True,
            max_records=1,
            timeout=5,
        )
    )
    rec = orjson.loads(buf.getvalue())
    assert (
        raw == 1
        and rec["key"] == "acme"
        and rec["value"] == "ISA*00*~"
        and rec["topic"].endswith("edi.inbound")
    )
