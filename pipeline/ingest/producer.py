"""The ingestor: partners' inputs onto ``edi.inbound`` with ``acks=all``, for every channel.

:class:`Ingestor` is shared by the file drop, the HTTP façade (and SFTP): it
plans the input (:mod:`.plan`: envelopes read, senders checked against the
submitting partner, big interchanges cut into self-contained chunks) and
produces its messages in waves: at most 16 full-size messages (32 MiB at most)
wait for their acknowledgement at any time. It returns only after the broker
acknowledged every part; a caller that gets an exception still owns the input.
Dead letters and events that must not be lost while the broker is away are
spooled to disk (:mod:`.spool`) and sent when it is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import orjson
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from parsers.errors import EdiError
from pipeline import metrics
from pipeline.contracts import errors as perr
from pipeline.contracts import headers as h
from pipeline.contracts import records
from pipeline.contracts.headers import Provenance
from pipeline.contracts.topics import DEADLETTER, INBOUND, TRACKING, registry
from pipeline.ingest.plan import Plan, iter_messages, plan_input
from pipeline.ingest.results import (
    Accepted,
    BrokerUnavailable,
    IncompleteTail,
    Rejected,
    TryLater,
    new_ingest_id,
)
from pipeline.ingest.source import Job, Source
from pipeline.ingest.spool import Spool
from pipeline.kafka import admin, clients
from pipeline.kafka.producing import Record
from pipeline.partners.profiles import Partner, PartnerRegistry
from pipeline.settings import Settings

log = logging.getLogger(__name__)

RECORD_OVERHEAD = 64 * 1024  # headers and batch framing, kept free under the request cap
WINDOW_MESSAGES = 16  # a produce wave: this many full-size messages await their acks at most
WINDOW_CAP = 32 * 1_048_576  # ... and never more bytes than this
WAVE_TIMEOUT = 60.0  # seconds one wave may wait for the broker before we call it down
BROKER_DOWN_GRACE = 5.0  # unavailable for this long after a failed produce
RETRIABLE: tuple[type[BaseException], ...] = (KafkaError, TimeoutError, BrokerUnavailable)


class Ingestor:
    """Envelope check, sender check, chunking and acknowledged produce, for any channel."""

    def __init__(
        self,
        settings: Settings,
        partners: PartnerRegistry,
        producer: AIOKafkaProducer | None,
    ) -> None:
        self.settings = settings
        self.partners = partners
        self.producer = producer
        self.last_failure: float | None = None  # monotonic time of the last failed produce
        self.broker_ok = True  # the last broker probe (``watch_broker``) succeeded
        self.spool = Spool(settings.data_dir / "state" / "pending")
        self._topics_checked = True  # False after a failure: re-create missing topics first
        self.on_fresh_broker: list[Callable[[str], None]] = []  # e.g. the file drop's sha index

    @property
    def record_limit(self) -> int:
        """The biggest inbound record we can produce."""
        return max(
            self.settings.max_message_bytes,
            self.settings.producer_max_request_bytes - RECORD_OVERHEAD,
        )

    def available(self) -> bool:
        """True when producing is worth trying (connected, probe fine, no failure just now)."""
        return self.producer is not None and self.broker_ok and not self.failed_recently()

    def failed_recently(self) -> bool:
        """True for ``BROKER_DOWN_GRACE`` seconds after a failed produce."""
        return (
            self.last_failure is not None
            and time.monotonic() - self.last_failure < BROKER_DOWN_GRACE
        )

    # -- planning ---------------------------------------------------------------------------
    def plan(self, partner: Partner, src: Source, cancel: threading.Event | None = None) -> Plan:
        """Pass 1 over ``src`` (blocking: call it from a thread for big inputs)."""
        if _blank(src):
            p = Plan(size=src.size, sha256=hashlib.sha256(src.pread(0, src.size)).hexdigest())
            p.reject([perr.error(perr.EMPTY_INPUT, "the input is empty")])
            return p
        return plan_input(src, partner, self.settings.max_message_bytes, self.record_limit, cancel)

    def prepare(self, partner: Partner, data: bytes) -> tuple[list[bytes], list[dict[str, Any]]]:
        """The messages of ``data`` and a summary per interchange; raise Rejected when refused."""
        src = Source(data=data)
        plan = self.plan(partner, src)
        if plan.errors:
            raise Rejected(plan.errors, plan.status)
        messages = [
            m for batch in iter_messages(src, plan, self.settings.max_message_bytes) for m in batch
        ]
        return messages, plan.summary

    # -- producing --------------------------------------------------------------------------
    async def submit(
        self,
        partner: Partner,
        data: bytes,
        *,
        channel: str,
        filename: str,
        ingest_id: str,
        received_at: str | None = None,
        timeout: float | None = None,
    ) -> Accepted:
        """Produce ``data`` as inbound messages and return once the broker acknowledged all."""
        acc = await self.submit_source(
            partner,
            Source(data=data),
            channel=channel,
            filename=filename,
            ingest_id=ingest_id,
            received_at=received_at,
            timeout=timeout,
        )
        assert isinstance(acc, Accepted)
        return acc

    async def submit_file(
        self,
        partner: Partner,
        path: Path,
        *,
        filename: str,
        ingest_id: str,
        received_at: str | None = None,
        known: Callable[[str], bool] | None = None,
        channel: str = "file",
        client: Mapping[str, str] | None = None,
        wait_incomplete: bool = False,
        timeout: float | None = None,
    ) -> Accepted | str:
        """Produce a file in bounded memory; return the sha256 instead when ``known(sha)`` says so.

        ``known`` is asked after pass 1 (when the sha256 is known) and before
        anything is produced: the file drop uses it for its duplicate check.
        ``channel`` is "file" or "sftp" (an upload claimed through the file drop);
        ``client`` (SFTP user and remote address) goes into the tracking event.
        ``wait_incomplete``: raise ``IncompleteTail`` (nothing produced) when the
        file ends inside an interchange, for a young file that may still grow.
        ``timeout``: seconds one produce wave may wait for the broker.
        """
        src = Source(path=path)
        return await self.submit_source(
            partner,
            src,
            channel=channel,
            filename=filename,
            ingest_id=ingest_id,
            received_at=received_at,
            known=known,
            client=client,
            wait_incomplete=wait_incomplete,
            timeout=timeout,
        )

    async def submit_source(
        self,
        partner: Partner,
        src: Source,
        *,
        channel: str,
        filename: str,
        ingest_id: str,
        received_at: str | None = None,
        timeout: float | None = None,
        known: Callable[[str], bool] | None = None,
        client: Mapping[str, str] | None = None,
        wait_incomplete: bool = False,
    ) -> Accepted | str:
        """Plan, then produce ``src`` in acknowledged waves; always frees ``src``."""
        job = Job(src)
        try:
            plan: Plan = await asyncio.to_thread(
                job.call, lambda: self.plan(partner, src, job.cancel)
            )
            if known is not None and known(plan.sha256):
                return plan.sha256
            if wait_incomplete and plan.incomplete_tail and plan.status != 403:
                raise IncompleteTail("the input ends inside an interchange")
            if plan.errors:
                raise Rejected(plan.errors, plan.status)
            if src.changed():
                raise TryLater("the file changed while it was read")
            job.it = iter_messages(src, plan, self.settings.max_message_bytes, job.cancel)
            await self._produce(
                partner,
                plan,
                job,
                channel=channel,
                filename=filename,
                ingest_id=ingest_id,
                received_at=received_at or records.now_rfc3339(),
                timeout=timeout or WAVE_TIMEOUT,
                client=client,
            )
        finally:
            job.close()
        metrics.INTERCHANGES_RECEIVED.labels(partner.id, channel).inc(plan.interchanges)
        metrics.INGEST_BYTES.labels(partner.id, channel).inc(plan.size)
        return Accepted(
            ingest_id,
            partner.id,
            plan.sha256,
            plan.messages,
            plan.summary,
            plan.interchanges,
            plan.transactions,
            plan.size,
        )

    async def _produce(
        self,
        partner: Partner,
        plan: Plan,
        job: Job,
        *,
        channel: str,
        filename: str,
        ingest_id: str,
        received_at: str,
        timeout: float,
        client: Mapping[str, str] | None = None,
    ) -> None:
        producer = self.producer
        if producer is None:
            raise BrokerUnavailable("not connected to the broker yet")
        await self._check_topics()
        topic = clients.topic(self.settings, INBOUND)
        key = partner.id.encode()
        provenance = Provenance(channel, filename, plan.sha256, ingest_id, received_at)
        base = provenance.inbound_headers(partner.id)
        n = plan.messages
        tracking = records.tracking(
            "received",
            partner=partner.id,
            ingest_id=ingest_id,
            source=provenance.source(known_only=True),
            interchanges=plan.summary,
            interchange_count=plan.interchanges,
            transaction_count=plan.transactions,
            messages=n,
            bytes=plan.size,
            **({"client": dict(client)} if client else {}),
        )
        window = min(WINDOW_MESSAGES * self.settings.max_message_bytes, WINDOW_CAP)
        pending: list[asyncio.Future[Any]] = []
        pending_bytes = 0
        i = 0
        try:
            while True:
                batch = await asyncio.to_thread(job.next_batch)
                if batch is None:
                    break
                async with asyncio.timeout(timeout):
                    for m in batch:
                        i += 1
                        pending.append(
                            await producer.send(
                                topic,
                                m,
                                key=key,
                                headers=[*base, (h.CHUNK, f"{i}/{n}".encode())],
                            )
                        )
                        pending_bytes += len(m)
                        if pending_bytes >= window:  # a wave: wait for the acknowledgements
                            await asyncio.gather(*pending)
                            pending.clear()
                            pending_bytes = 0
            if i != n:
                raise RuntimeError(f"produced {i} messages, planned {n}")
            async with asyncio.timeout(timeout):
                pending.append(
                    await producer.send(
                        clients.topic(self.settings, TRACKING), orjson.dumps(tracking), key=key
                    )
                )
                await asyncio.gather(*pending)
        except (KafkaError, TimeoutError) as exc:
            for f in pending:  # nobody will look at them again
                f.add_done_callback(_swallow)
            self._failed()
            raise BrokerUnavailable(str(exc) or type(exc).__name__) from None

    def _failed(self) -> None:
        self.last_failure = time.monotonic()
        self._topics_checked = False
        metrics.BROKER_RETRIES.inc()

    async def _check_topics(self) -> None:
        """After a failure the broker may have restarted empty: re-create missing topics first."""
        if self._topics_checked:
            return
        try:
            self.topics_created(await admin.ensure_topics(self.settings, timeout=5.0))
        except (KafkaError, OSError, TimeoutError) as exc:
            self._failed()
            raise BrokerUnavailable(f"cannot check topics: {exc}") from None
        self._topics_checked = True

    def topics_created(self, created: list[str]) -> None:
        """Tell ``on_fresh_broker`` when edi.inbound itself had to be created: a fresh broker."""
        if clients.topic(self.settings, INBOUND) in created:
            for forget in self.on_fresh_broker:
                forget("edi.inbound did not exist on the broker (a fresh or emptied broker)")

    async def watch_broker(self, stop: asyncio.Event, every: float = 1.0) -> None:
        """Probe the broker until ``stop``: sets ``broker_ok``; re-creates topics a restart lost."""
        wanted = {s.full_name(self.settings) for s in registry()}
        while not stop.is_set():
            producer = self.producer
            if producer is not None:
                try:
                    md = await asyncio.wait_for(producer.client.fetch_all_metadata(), 5.0)
                    if wanted - set(md.topics()):
                        log.warning("topics missing on the broker (restarted?); creating them")
                        created = await admin.ensure_topics(self.settings, timeout=10.0)
                        self.topics_created(created)
                    if not self.broker_ok:
                        log.warning("broker %s reachable again", self.settings.broker)
                    self.broker_ok = True
                    self._topics_checked = True
                    await self.flush_pending()
                except (KafkaError, OSError, TimeoutError) as exc:
                    if self.broker_ok:
                        log.warning("broker %s unreachable: %s", self.settings.broker, exc)
                    self.broker_ok = False
                    self._topics_checked = False
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), every)

    # -- dead letters and other records that must not be lost -----------------------------------
    async def deadletter(
        self,
        partner_id: str,
        errors: Sequence[EdiError],
        raw: bytes,
        source: dict[str, Any],
        reference: dict[str, Any] | None = None,
        size: int | None = None,
        client: Mapping[str, str] | None = None,
    ) -> bool:
        """Write a dead letter and a ``rejected`` tracking event for input refused at ingest.

        ``raw`` is left empty for inputs too large to copy (``size`` then says
        how large, ``reference`` where they are). When the broker cannot take
        the records now they are kept in ``state/pending/`` and sent later
        (False is returned).
        """
        key = partner_id.encode()
        record = records.deadletter(
            errors=errors,
            partner=partner_id,
            source=source,
            raw=raw,
            stage="ingest",
            reference=reference,
        )
        if size is not None and size != len(raw):  # not copied: the reference says where it is
            record["raw"] = {k: v for k, v in record["raw"].items() if k in ("ref",)}
            record["raw"]["size"] = size
        event = records.tracking(
            "rejected",
            partner=partner_id,
            ingest_id=str(source.get("ingest_id") or ""),
            source=source,
            code=errors[0].code,
            message=errors[0].message,
            **({"client": dict(client)} if client else {}),
        )
        metrics.DEADLETTERS.labels(errors[0].code).inc()
        return await self.emit(
            [
                Record(
                    DEADLETTER,
                    key,
                    orjson.dumps(record),
                    [(h.ERROR_CODE, errors[0].code.encode())],
                ),
                Record(TRACKING, key, orjson.dumps(event)),
            ],
            name=f"{source.get('ingest_id') or new_ingest_id()}-deadletter",
        )

    async def emit(self, recs: Sequence[Record], *, name: str, timeout: float = 15.0) -> bool:
        """Produce small records; keep them in the spool when the broker is away (False then)."""
        if self.available():
            try:
                await self._send_records(recs, timeout)
                return True
            except RETRIABLE as exc:
                self._failed()
                log.warning("records %s spooled (broker: %s)", name, exc)
        self.spool.keep(recs, name)
        return False

    async def _send_records(self, recs: Sequence[Record], timeout: float = 15.0) -> None:
        producer = self.producer
        if producer is None:
            raise BrokerUnavailable("not connected")
        await self._check_topics()
        async with asyncio.timeout(timeout):
            futs = [
                await producer.send(
                    clients.topic(self.settings, r.topic), r.value, key=r.key, headers=r.headers
                )
                for r in recs
            ]
            await asyncio.gather(*futs)

    async def flush_pending(self) -> int:
        """Send spooled records in order; return how many groups were sent."""
        if not self.available():
            return 0
        n, error = await self.spool.flush(self._send_records, RETRIABLE)
        if error is not None:
            self._failed()
            log.warning("spooled records still waiting for the broker: %s", error)
        return n


BLANK_CHECK_BYTES = 65_536  # inputs up to this size are read whole to see they are only blanks


def _blank(src: Source) -> bool:
    """True for an empty input or one of white space only (the same for every channel)."""
    if src.data is not None:
        return not src.data.strip()
    return src.size <= BLANK_CHECK_BYTES and not src.pread(0, src.size).strip()


def _swallow(fut: asyncio.Future[Any]) -> None:
    if not fut.cancelled():
        fut.exception()
