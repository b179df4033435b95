"""Faust's aiokafka transport with two correctness fixes edi-mesh depends on.

1. **Commit only what was processed.** faust-streaming 0.15.3 computes the
   offset to commit from the acked offsets with two flaws: a committed offset
   of 0 (or none yet) skips the gap check entirely, and the check lets a gap of
   exactly one offset through (``min(acked) - committed > 1``), and its "gap"
   bookkeeping (meant for compacted topics) marks offsets as done when a stale
   record arrives after a rebalance's seek. Each can commit past a record that
   was never processed: that record is lost for whichever worker owns the
   partition next (TANSU.md saw "a few events" lost right after a rebalance).
   :class:`StrictConsumer` commits the longest run of acked offsets that
   starts exactly at the committed position (or, before the first commit, at
   the position the consumer started from), and never invents gaps. Our
   inbound topic is neither compacted nor transactional, so offsets are dense.

   Faust also *skips* records it has already read when they reach a stream
   while flow control is paused or from an older generation (around a
   rebalance and table recovery), trusting a later seek to re-read them; when
   that seek came first, the records are never delivered. With strict commits
   such a record can no longer be lost, but the partition would stall:
   :meth:`StrictConsumer.heal_stalled` notices a partition whose first
   unprocessed offset was read but has not been processed for a while, and
   seeks back to it so it is delivered again (processing is idempotent: same
   document ids, and the duplicate table).

2. **True log-end offsets for table recovery.** Tansu answers ListOffsets
   (LATEST) with the base offset of the last batch + 1, so Faust's recovery
   can stop short of a changelog's end and lose table updates. The fetch
   response's high-water mark is right on every broker, so
   :class:`ProbingConsumerThread` confirms each end offset with a fetch.
"""

from __future__ import annotations

import logging
import time
from typing import Any, ClassVar

import aiokafka
from faust.transport.drivers import aiokafka as faust_aiokafka
from faust.types import TP
from faust.utils.functional import consecutive_numbers

from pipeline.kafka.offsets import probe_highwaters

log = logging.getLogger(__name__)


class ProbingConsumerThread(faust_aiokafka.AIOKafkaConsumerThread):
    """Consumer thread whose ``highwaters`` come from a fetch, not from ListOffsets.

    It also applies ``fetch_max_wait_ms`` (Faust hard-codes 1500 ms): a broker
    that does not answer a fetch as soon as data arrives, like Tansu, would
    otherwise add up to 1.5 s of latency to every quiet-then-busy partition.
    """

    def _create_worker_consumer(self, transport: Any) -> aiokafka.AIOKafkaConsumer:
        consumer = super()._create_worker_consumer(transport)
        wait = getattr(self.app, "fetch_max_wait_ms", None)
        if wait is not None:
            consumer._fetch_max_wait_ms = int(wait)  # read by AIOKafkaConsumer.start()
        return consumer

    async def _highwaters(self, partitions: list[TP]) -> dict[TP, int]:
        listed = dict(await super()._highwaters(partitions))
        if not partitions:
            return listed
        return await probe_highwaters(self._ensure_consumer(), partitions, listed)


class StrictConsumer(faust_aiokafka.Consumer):
    """Faust consumer that commits only a contiguous run of processed offsets."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self._start_position: dict[TP, int] = {}
        self._stall: dict[TP, tuple[int, float]] = {}  # first unprocessed offset, seen since
        self.healed = 0

    def _new_consumer_thread(self) -> faust_aiokafka.AIOKafkaConsumerThread:
        return ProbingConsumerThread(self, loop=self.loop, beacon=self.beacon)

    async def perform_seek(self) -> None:
        """Seek to committed offsets, and remember where partitions without a commit start."""
        await super().perform_seek()
        for tp in self.assignment():
            if self._committed_offset.get(tp) is None:
                pos = await self.position(tp)
                if pos is not None:
                    self._start_position[tp] = pos

    def _new_offset(self, tp: TP) -> int | None:
        acked = self._acked[tp]
        if not acked:
            return None
        acked.sort()
        committed = self._committed_offset.get(tp)
        start = committed if committed is not None else self._start_position.get(tp)
        if start is None or acked[0] != start:
            return None  # something before the first acked offset is still in flight
        run = next(consecutive_numbers(acked))
        acked[: len(run)] = []
        self._acked_index[tp].difference_update(run)
        self._start_position.pop(tp, None)
        return int(run[-1]) + 1

    def first_unprocessed(self, tp: TP) -> int | None:
        """The offset a commit would start from: the committed offset, or where we started."""
        committed = self._committed_offset.get(tp)
        return committed if committed is not None else self._start_position.get(tp)

    async def heal_stalled(self, min_age: float, topics: set[str]) -> list[TP]:
        """Seek back partitions of ``topics`` whose first unprocessed record was read but not
        processed for ``min_age`` s (only stream topics: changelogs are read by recovery, not acked)."""
        now = time.monotonic()
        healed: list[TP] = []
        for tp in self.assignment():
            if tp.topic not in topics:
                continue
            start = self.first_unprocessed(tp)
            read = self._read_offset.get(tp)
            acked = self._acked.get(tp)
            end = self.highwater(tp)
            stuck = (
                start is not None
                and read is not None
                and read >= start
                and end is not None
                and end > start  # a record waits beyond the committed offset
                and not (acked and min(acked) == start)
            )
            if not stuck:
                self._stall.pop(tp, None)
                continue
            assert start is not None
            first = self._stall.get(tp)
            if first is None or first[0] != start:
                self._stall[tp] = (start, now)
                continue
            if now - first[1] >= min_age:
                log.warning(
                    "re-reading %s from offset %d: read up to %s but not processed", tp, start, read
                )
                await self.seek(tp, start)
                self._stall[tp] = (start, now)
                self.healed += 1
                healed.append(tp)
        return healed

    async def _add_gap(self, tp: TP, offset_from: int, offset_to: int) -> None:
        """Never treat unread offsets as done (the inbound topic has no real gaps)."""
        return None

    async def on_partitions_revoked(self, revoked: set[TP]) -> None:
        for tp in revoked:
            self._start_position.pop(tp, None)
            self._stall.pop(tp, None)
        await super().on_partitions_revoked(revoked)


class Transport(faust_aiokafka.Transport):
    """The aiokafka transport with :class:`StrictConsumer`."""

    Consumer: ClassVar[type[Any]] = StrictConsumer
