"""True log-end offsets on every broker: confirmed by a fetch, not only by ListOffsets.

Tansu answers ListOffsets(LATEST) with the base offset of the last batch + 1
(TANSU.md, limit 1); the fetch response's high-water mark is right on every
broker. Table recovery, the watchdog and ``replay`` all read ends from here.
"""

from __future__ import annotations

import asyncio

import aiokafka
from faust.types import TP


async def probe_highwaters(
    consumer: aiokafka.AIOKafkaConsumer,
    partitions: list[TP],
    listed: dict[TP, int],
    timeout: float = 5.0,
) -> dict[TP, int]:
    """Log-end offsets confirmed by fetching at the listed end (works around Tansu's ListOffsets)."""
    cfg = consumer._client  # the bootstrap and security config of the real consumer
    probe = aiokafka.AIOKafkaConsumer(
        bootstrap_servers=cfg._bootstrap_servers,
        security_protocol=cfg._security_protocol,
        ssl_context=cfg._ssl_context,
        sasl_mechanism=cfg._sasl_mechanism,
        sasl_plain_username=cfg._sasl_plain_username,
        sasl_plain_password=cfg._sasl_plain_password,
        enable_auto_commit=False,
        group_id=None,
        max_partition_fetch_bytes=64 * 1024,
    )
    await probe.start()
    try:
        found = await fetch_highwaters(
            probe, [(tp.topic, tp.partition) for tp in partitions], timeout
        )
    finally:
        await probe.stop()
    out = dict(listed)
    for tp in partitions:
        hw = found.get((tp.topic, tp.partition))
        if hw is not None:
            out[tp] = max(int(out.get(tp, 0)), hw)
    return out


async def fetch_highwaters(
    probe: aiokafka.AIOKafkaConsumer, partitions: list[tuple[str, int]], timeout: float = 5.0
) -> dict[tuple[str, int], int]:
    """The log-end offset of each partition as a fetch response reports it.

    ``probe`` is a started, group-less consumer that this call reassigns.
    ListOffsets(LATEST) is only a starting point here: on Tansu it is the
    base offset of the last batch + 1, so the probe fetches from there.
    """
    tps = [aiokafka.TopicPartition(t, p) for t, p in partitions]
    probe.assign(tps)
    listed = await probe.end_offsets(tps)
    for tp in tps:
        probe.seek(tp, max(int(listed.get(tp, 0)) - 1, 0))
    out: dict[tuple[str, int], int] = {}
    pending = set(tps)
    deadline = asyncio.get_running_loop().time() + timeout
    while pending and asyncio.get_running_loop().time() < deadline:
        await probe.getmany(*pending, timeout_ms=200, max_records=1)
        for tp in list(pending):
            hw = probe.highwater(tp)
            if hw is not None:
                out[(tp.topic, tp.partition)] = max(hw, int(listed.get(tp, 0)))
                pending.discard(tp)
    for tp in pending:  # no fetch answer in time: the listed end is the best we know
        out[(tp.topic, tp.partition)] = int(listed.get(tp, 0))
    return out
