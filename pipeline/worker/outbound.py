"""The reply path's worker room: ``edi.outbound`` requests -> interchanges on ``edi.outbound.interchanges``.

A second Faust agent takes batches of requests. Each is decoded and checked
against its partner's envelope (:mod:`parsers.outbound`); a bad one becomes a
dead letter with its EDI3xx / EDI1xx code and a ``rejected`` tracking event,
never a file. Good ones are rendered with control numbers from the same
per-partner ``controls`` table the acknowledgements use, one interchange per
request, or one per partner and type in a worker batch when the partner's
``outbound_batch_seconds`` is set.

Exactly once per (partner, idempotency key; or the record's offset when the
request has none): a batch is made durable in this order, each step awaited:

1. the control numbers it took (``controls``),
2. the idempotency marks, *with the rendered bytes* (``outbound-keys``),
3. the interchanges, their ``sent`` events and the dead letters,
4. the sent records the partner's acknowledgements are matched against (``acks-sent``),

then its events are acked. The marks go before the interchanges (not after,
as dedup marks do) because a replayed request must find its interchange: a
crash after step 2 re-produces the remembered bytes (same control numbers,
same file name) instead of rendering a second interchange.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import faust
import orjson
from aiokafka.partitioner import murmur2

from parsers.errors import EdiError
from parsers.model import Standard
from parsers.outbound import OutboundRequest, check, decode_request, render_batch
from parsers.outbound_envelope import BAD_FIELD, Controls, Envelope, request_error
from pipeline import metrics
from pipeline.contracts import headers as h
from pipeline.contracts import records
from pipeline.contracts.errors import UNKNOWN_PARTNER, WRONG_PARTITION, error
from pipeline.contracts.topics import DEADLETTER, OUTBOUND, OUTBOUND_INTERCHANGES, TRACKING
from pipeline.kafka.producing import Record
from pipeline.partners.outbound_profile import envelope_for
from pipeline.partners.profiles import Partner
from pipeline.worker.context import WorkerContext, fatal, retrying
from pipeline.worker.emitter import Inbound
from pipeline.worker.outbound_state import Sent, mark_key, overdue, tracking_id

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Accepted:
    """A request that passed its checks, waiting to be rendered."""

    msg: Inbound
    request: OutboundRequest
    partner: Partner
    envelope: Envelope
    mark: bytes  # its outbound-keys key


@dataclass(slots=True)
class OutboundBatch:
    """One batch of requests: processed at once, then stored in the order of the module docstring."""

    ctx: WorkerContext
    outputs: list[Record] = field(default_factory=list)
    marks: dict[bytes, bytes] = field(default_factory=dict)
    sent: dict[bytes, bytes] = field(default_factory=dict)
    partitions: dict[str, int] = field(default_factory=dict)
    repeats: list[tuple[Inbound, bytes]] = field(default_factory=list)
    rendered: int = 0

    # -- processing (synchronous: control numbers are taken without an await in between) -------
    def process(self, messages: Sequence[Inbound]) -> dict[bytes, bytes | None]:
        """Check and render every request; return the control numbers to persist first."""
        groups: dict[tuple[Any, ...], list[Accepted]] = {}
        claimed: set[bytes] = set()
        for msg in messages:
            ok = self._admit(msg, claimed)
            if ok is not None:
                claimed.add(ok.mark)
                groups.setdefault(self._group_of(ok, len(groups)), []).append(ok)
        for group in groups.values():
            self._render(group)
        for msg, mark in self.repeats:
            self._repeat(msg, mark)
        return self.ctx.state.take_controls()

    def _admit(self, msg: Inbound, claimed: set[bytes]) -> Accepted | None:
        """The request checked, or None (dead-lettered, or a repeat of a known key)."""
        self.partitions.setdefault(msg.partner_id, msg.partition)
        if msg.partition != home_partition(msg.key or b"", self.ctx.settings.partitions):
            # the partner's control numbers live in its key's partition: another worker may own it
            err = error(WRONG_PARTITION, f"partition {msg.partition} is not its key's partition")
            self._reject(msg, [err], "", None)
            return None
        req = decode_request(msg.value)
        if isinstance(req, list):
            self._reject(msg, [e.error for e in req], req[0].pointer, None)
            return None
        if req.partner != msg.partner_id:
            bad = request_error(BAD_FIELD, "/partner", "is not the record key (the partner id)")
            self._reject(msg, [bad.error], bad.pointer, req.idempotency_key)
            return None
        partner = self.ctx.partners.get(req.partner)
        if partner is None:
            err = error(UNKNOWN_PARTNER, f"/partner: unknown partner {req.partner!r}")
            self._reject(msg, [err], "/partner", req.idempotency_key)
            return None
        mark = mark_key(partner.id, req.idempotency_key or f"@{msg.partition}:{msg.offset}")
        if mark in claimed or self.ctx.outbound.get(mark, self.marks) is not None:
            self.repeats.append((msg, mark))
            return None
        s = self.ctx.settings
        env = envelope_for(
            partner.outbound, partner.senders, req.standard, s.our_id, s.our_edifact_id
        )
        errors = check(req, env)
        if errors:
            self._reject(msg, [e.error for e in errors], errors[0].pointer, req.idempotency_key)
            return None
        return Accepted(msg, req, partner, env, mark)

    @staticmethod
    def _group_of(a: Accepted, n: int) -> tuple[Any, ...]:
        """Requests that share an interchange: same partner, standard, type, version, test."""
        if a.partner.outbound.batch_seconds <= 0:
            return ("single", n)
        r = a.request
        return (a.partner.id, r.standard, r.type, r.version, r.test)

    def _render(self, group: list[Accepted]) -> None:
        """One interchange for ``group``: control numbers taken, rendered, remembered."""
        first, state = group[0], self.ctx.state
        pid = first.partner.id
        interchange = state.next_control(pid, "interchange")
        grp = state.next_control(pid, "group") if first.request.standard is Standard.X12 else 1
        out = render_batch([a.request for a in group], first.envelope, Controls(interchange, grp))
        if isinstance(out, list):  # checked above: a bug or a batch-level limit
            for a in group:
                errs = [e.error for e in out]
                self._reject(a.msg, errs, out[0].pointer, a.request.idempotency_key)
            return
        sent = Sent.of(out, time.time())
        for a in group:
            self.marks[a.mark] = sent.to_bytes()
        partition = self.partitions[pid]
        for k in sent.sent_keys():
            self.sent[k] = sent.sent_record(first.partner.outbound.ack_timeout, partition)
        self._emit(sent, repeat=False)
        self.rendered += 1

    def _repeat(self, msg: Inbound, mark: bytes) -> None:
        """A request whose key was rendered before: the same bytes again, never new numbers."""
        sent = self.ctx.outbound.get(mark, self.marks)
        if sent is None:  # its first request was rejected in this batch: nothing was sent
            bad = request_error(BAD_FIELD, "/idempotency_key", "its first request was rejected")
            self._reject(msg, [bad.error], bad.pointer, None)
            return
        self._emit(sent, repeat=True)

    # -- outputs --------------------------------------------------------------------------------
    def _emit(self, sent: Sent, *, repeat: bool) -> None:
        """The interchange record and its ``sent`` tracking event."""
        key = sent.partner.encode()
        headers = [
            (h.PARTNER, key),
            (h.TYPE, sent.type.encode()),
            (h.STANDARD, sent.standard.encode()),
            (h.INTERCHANGE_CONTROL, sent.interchange.encode()),
            (h.GROUP_CONTROL, (sent.group or "").encode()),
            (h.FILENAME, sent.filename.encode()),
            (h.IDEMPOTENCY_KEYS, orjson.dumps(list(sent.idempotency_keys))),
            (h.REPLY_TO, orjson.dumps(list(sent.reply_to))),
        ]
        self.outputs.append(Record(OUTBOUND_INTERCHANGES, key, sent.data, headers))
        group: dict[str, Any] = {"group": sent.group} if sent.group else {}
        event = records.tracking(
            "sent",
            partner=sent.partner,
            ingest_id=tracking_id(sent.partner, sent.interchange),
            interchange=sent.interchange,
            **group,
            transactions=list(sent.transactions),
            type=sent.type,
            standard=sent.standard,
            filename=sent.filename,
            reply_to=list(sent.reply_to),
            idempotency_keys=list(sent.idempotency_keys),
            sha256=sent.sha256,
            repeat=repeat,
        )
        self.outputs.append(Record(TRACKING, key, orjson.dumps(event)))
        metrics.OUTBOUND_SENT.labels(sent.partner, "yes" if repeat else "no").inc()

    def _reject(
        self, msg: Inbound, errs: list[EdiError], pointer: str, idempotency_key: str | None
    ) -> None:
        """A dead letter naming the field, and a ``rejected`` event; never a file."""
        partner, key = msg.partner_id, msg.partner_id.encode()
        dead = records.deadletter(
            errors=errs,
            partner=partner,
            source=msg.source(),
            raw=msg.value,
            stage="worker",
            reference=msg.reference,
            context={"pointer": pointer, "idempotency_key": idempotency_key},
        )
        self.outputs.append(
            Record(DEADLETTER, key, orjson.dumps(dead), [(h.ERROR_CODE, errs[0].code.encode())])
        )
        event = records.tracking(
            "rejected",
            partner=partner,
            ingest_id=f"{OUTBOUND}:{msg.partition}:{msg.offset}",
            code=errs[0].code,
            message=errs[0].message,
            pointer=pointer,
            idempotency_key=idempotency_key,
        )
        self.outputs.append(Record(TRACKING, key, orjson.dumps(event)))
        metrics.DEADLETTERS.labels(errs[0].code).inc()

    # -- storing ---------------------------------------------------------------------------------
    async def store(self, controls: dict[bytes, bytes | None]) -> None:
        """Controls, marks, outputs, sent records: each awaited before the next."""
        ctx, state, cap = self.ctx, self.ctx.state, self.ctx.settings.retry_max_seconds
        parts = self.partitions
        if controls:
            await retrying("controls", lambda: state.persist(state.controls, controls, parts), cap)
        if self.marks:
            marks = dict(self.marks)
            table = ctx.outbound.marks
            await retrying("outbound-keys", lambda: state.persist(table, marks, parts), cap)
        await retrying("produce", lambda: ctx.produce_all(self.outputs), cap)
        if self.sent:
            sent = dict(self.sent)
            await retrying("acks-sent", lambda: state.persist(state.acks, sent, parts), cap)


def home_partition(key: bytes, partitions: int) -> int:
    """The partition the default (murmur2) partitioner puts ``key`` on, as ingest and agents do."""
    return int(murmur2(key) & 0x7FFFFFFF) % partitions


def to_inbound(ev: Any) -> Inbound:
    """A Faust event of edi.outbound as the worker's record view."""
    m = ev.message
    return Inbound(
        value=m.value or b"",
        headers=dict(m.headers or ()),
        key=m.key,
        partition=m.partition,
        offset=m.offset,
        topic=OUTBOUND,
    )


async def take_outbound(ctx: WorkerContext, stream: Any, events: Sequence[Any]) -> None:
    """Process, store and ack one batch of requests (a failure here is a bug: stop hard)."""
    ctx.outbound_busy = True
    try:
        batch = OutboundBatch(ctx)
        controls = batch.process([to_inbound(ev) for ev in events])
        await batch.store(controls)
        for ev in events:
            await stream.ack(ev)
    except BaseException as exc:
        if isinstance(exc, asyncio.CancelledError):
            raise
        fatal("unexpected failure in the outbound agent")
    finally:
        ctx.outbound_busy = False


async def report_overdue(ctx: WorkerContext, reported: set[str]) -> None:
    """``ack_overdue`` once per interchange past its partner's ack_timeout; the gauge per partner."""
    state = ctx.state
    fresher = state.pending_keys(state.acks)
    data = {k: v for k, v in state.acks.data.items() if k not in fresher}
    out, writes, parts, waiting = overdue(data, state.active_partitions(), time.time())
    for partner in reported | set(waiting):
        metrics.OUTBOUND_UNACKNOWLEDGED.labels(partner).set(waiting.get(partner, 0))
    reported |= set(waiting)
    if out:
        cap = ctx.settings.retry_max_seconds
        await retrying("produce", lambda: ctx.produce_all(out), cap)
        await retrying("acks-sent", lambda: state.persist(state.acks, writes, parts), cap)


def register(app: faust.App, ctx: WorkerContext) -> None:
    """Declare the outbound agent and the overdue timer on ``app``."""
    settings = ctx.settings
    topic = app.topic(
        settings.topic_prefix + OUTBOUND,
        key_type=bytes,
        value_type=bytes,
        partitions=settings.partitions,
        acks=True,
    )
    reported: set[str] = set()

    @app.agent(topic, name="outbound-requests")
    async def process_outbound(stream: Any) -> None:
        await ctx.feed.ready.wait()  # the partner table decides who may be sent to
        async for events in stream.noack_take(settings.batch_size, within=settings.batch_within):
            await take_outbound(ctx, stream, events)

    @app.timer(interval=1.0)
    async def outbound_overdue() -> None:
        if ctx.assigned:
            await report_overdue(ctx, reported)
