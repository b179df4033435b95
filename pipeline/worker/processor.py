"""The worker's hot path as a pure function: one inbound record in, the records to produce out.

No Kafka here: :class:`Processor` turns an :class:`Inbound` (raw interchange
bytes and headers) into :class:`Output` records (documents for agent topics,
dead letters, tracking events, acknowledgements) and :class:`~pipeline.worker.state.StateWrites`
(duplicate marks, control numbers). The Faust agent batches inbound records,
calls :meth:`Processor.process` for each and produces the outputs; tests and
benchmarks call it directly.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from parsers import parse
from parsers.documents import render_ta1, render_transaction
from parsers.errors import EdiError
from parsers.hipaa import attach_hipaa_errors, validate_hipaa
from parsers.model import Group, Interchange, Standard
from pipeline.contracts import errors as perr
from pipeline.contracts import records
from pipeline.contracts.topics import ACKS_OUTBOUND, DEADLETTER, TRACKING
from pipeline.partners.profiles import Partner, PartnerRegistry, sender_key
from pipeline.worker.acking import carries_acks, reconcile
from pipeline.worker.routing import Router, Rule, parse_rules
from pipeline.worker.state import MemoryState, State, dedup_key

FORCE_HEADER = "edi-force"  # "1": bypass the duplicate table (edi-mesh replay --force)
REPLAY_HEADER = "edi-replay"  # set on records re-driven by edi-mesh replay


@dataclass(slots=True)
class Inbound:
    """One record of ``edi.inbound`` as the worker sees it."""

    value: bytes
    headers: Mapping[str, bytes]
    key: bytes | None = None
    partition: int = 0
    offset: int = -1
    topic: str = "edi.inbound"

    def header(self, name: str) -> str:
        """A header as text ("" when absent)."""
        v = self.headers.get(name)
        return v.decode("utf-8", "replace") if v is not None else ""

    @property
    def partner_id(self) -> str:
        """The submitting partner: the ``edi-partner`` header, else the record key."""
        return self.header("edi-partner") or (self.key or b"").decode("utf-8", "replace")

    def source(self) -> dict[str, Any]:
        """The ``source`` field of documents and records (DESIGN.md)."""
        return {
            "channel": self.header("edi-source") or "kafka",
            "filename": self.header("edi-filename") or None,
            "sha256": self.header("edi-sha256") or None,
            "ingest_id": self.header("edi-ingest-id") or None,
            "received_at": self.header("edi-received-at") or None,
        }


@dataclass(slots=True)
class Output:
    """One record to produce: topic (unprefixed), key, value and headers."""

    topic: str
    key: bytes
    value: bytes
    headers: list[tuple[str, bytes]] = field(default_factory=list)
    document: bool = False  # True for agent-topic documents (latency and routing metrics)


@dataclass(slots=True)
class Outcome:
    """Everything one inbound record produced, and how it ended."""

    outputs: list[Output] = field(default_factory=list)
    outcome: str = "routed"  # routed | rejected | partial | duplicate
    documents: int = 0
    interchanges: int = 0
    duplicates: int = 0
    acks: list[str] = field(default_factory=list)  # ack types produced
    errors: list[EdiError] = field(default_factory=list)
    partner: str = ""


# (interchange, kinds, partner, state, now) -> list of (ack type, control, bytes, summary)
AckBuilder = Callable[[Interchange, Sequence[str], Partner, State], list[dict[str, Any]]]


def _json(value: Any) -> bytes:
    return orjson.dumps(value)


class Processor:
    """Parse, check, deduplicate, route, render and acknowledge one inbound record at a time."""

    def __init__(
        self,
        partners: PartnerRegistry,
        router: Router,
        state: State | None = None,
        ack_builder: AckBuilder | None = None,
    ) -> None:
        self.partners = partners
        self.router = router
        self.state: State = state if state is not None else MemoryState()
        self.ack_builder = ack_builder
        self._partner_rules: dict[str, tuple[Rule, ...]] = {}

    def process(self, msg: Inbound) -> Outcome:
        """Everything to produce for one inbound record; never raises for bad EDI."""
        partner_id = msg.partner_id
        out = Outcome(partner=partner_id)
        key = partner_id.encode()
        source = msg.source()
        ingest_id = source["ingest_id"] or f"{msg.topic}:{msg.partition}:{msg.offset}"
        partner = self.partners.get(partner_id)
        if partner is None:
            err = perr.error(
                perr.UNKNOWN_PARTNER, f"partner {partner_id!r} is not in the partner table"
            )
            self._reject(out, msg, key, partner_id, ingest_id, source, [err], {})
            return out

        result = parse(msg.value)
        fatal = [e for e in result.errors if e.rejects]
        warnings = [e.to_dict() for e in result.errors if not e.rejects]
        if not result.interchanges:
            errs = fatal or [perr.error(perr.EMPTY_INPUT, "no interchange in the input")]
            self._reject(out, msg, key, partner_id, ingest_id, source, errs, {})
            return out
        if fatal:
            # garbage around readable interchanges: keep the interchanges, report the rest
            self._reject(
                out, msg, key, partner_id, ingest_id, source, fatal, {"scope": "input"}, track=False
            )
        force = msg.header(FORCE_HEADER) == "1"
        for ic in result.interchanges:
            out.interchanges += 1
            self._interchange(out, msg, key, partner, ic, ingest_id, source, force, warnings)
        if fatal and out.outcome == "routed":
            out.outcome = "partial"
        return out

    # -- one interchange -------------------------------------------------------------
    def _interchange(
        self,
        out: Outcome,
        msg: Inbound,
        key: bytes,
        partner: Partner,
        ic: Interchange,
        ingest_id: str,
        source: dict[str, Any],
        force: bool,
        warnings: list[dict[str, Any]],
    ) -> None:
        skey = sender_key(ic.standard, ic.sender)
        ctx: dict[str, Any] = {
            "standard": str(ic.standard),
            "interchange": ic.control,
            "sender": skey,
            "receiver": sender_key(ic.standard, ic.receiver),
        }
        if not partner.accepts_sender(skey):
            err = perr.error(
                perr.SENDER_NOT_ALLOWED,
                f"envelope sender {skey!r} is not one of partner {partner.id!r}'s senders",
            )
            self._reject(out, msg, key, partner.id, ingest_id, source, [err], ctx)
            return
        first_tx = next((f"{g.control}/{t.control}" for g in ic.groups for t in g.transactions), "")
        dkey = dedup_key(partner.id, skey, ic.control, first_tx)
        prior = None if force else self.state.seen(dkey)
        if prior is not None and partner.duplicates == "suppress":
            out.duplicates += 1
            out.outcome = "duplicate"
            out.outputs.append(
                self._track(
                    "duplicate",
                    key,
                    partner.id,
                    ingest_id,
                    interchange=ic.control,
                    sender=skey,
                    original_ingest_id=prior.get("ingest_id"),
                    first_seen_at=records.rfc3339(float(prior.get("at", 0))),
                    reason="interchange control number already processed",
                )
            )
            return
        raw = msg.value[ic.offset : ic.end]
        if partner.validation == "hipaa" and ic.standard is Standard.X12:
            attach_hipaa_errors(ic, validate_hipaa(raw))
        if not ic.accepted:
            self._reject(out, msg, key, partner.id, ingest_id, source, list(ic.errors), ctx)
            self._acknowledge(out, key, partner, ic, ingest_id)
            return

        public = partner.public()
        rules = self._rules_of(partner)
        # the headers every document of this interchange carries (after its id and type)
        shared_headers = [("edi-ingest-id", ingest_id.encode())]
        if prior is not None:
            shared_headers.append(("edi-duplicate", b"1"))
        if msg.header(REPLAY_HEADER):
            shared_headers.append(("edi-replay", msg.header(REPLAY_HEADER).encode()))
        routed: dict[str, list[str]] = {}
        n_tx = n_docs = 0
        rejected: list[dict[str, Any]] = []
        for grp in ic.groups:
            grp_rejected = group_rejected(grp)
            for tx in grp.transactions:
                n_tx += 1
                if grp_rejected or not tx.accepted:
                    errs = [e for e in tx.errors if e.rejects] or [
                        e for e in grp.errors if e.rejects
                    ]
                    self._reject(
                        out,
                        msg,
                        key,
                        partner.id,
                        ingest_id,
                        source,
                        errs,
                        {**ctx, "group": grp.control, "transaction": tx.control, "type": tx.type},
                        track=False,
                    )
                    rejected.append(
                        {"transaction": tx.control, "type": tx.type, "code": errs[0].code}
                    )
                    continue
                rendered = render_transaction(ic, grp, tx, partner=public, source=source)
                n_docs += self._route(
                    out,
                    key,
                    ic,
                    tx.type,
                    tx.version,
                    partner.id,
                    rules,
                    rendered,
                    shared_headers,
                    routed,
                )
        if ic.standard is Standard.X12 and not n_tx:
            # TA1 (interchange acknowledgment) is not a transaction set: one document each
            rendered = render_ta1(ic, raw, partner=public, source=source)
            n_docs += self._route(
                out,
                key,
                ic,
                "TA1",
                ic.version,
                partner.id,
                rules,
                rendered,
                shared_headers,
                routed,
            )
        out.documents += n_docs
        out.outputs.append(
            self._track(
                "parsed",
                key,
                partner.id,
                ingest_id,
                interchange=ic.control,
                standard=str(ic.standard),
                sender=skey,
                test=ic.test,
                transactions=n_tx,
                warnings=warnings + [e.to_dict() for e in ic.errors],
            )
        )
        if routed:
            self.state.writes.seen[dkey] = _json(
                {"ingest_id": ingest_id, "at": time.time(), "partition": msg.partition}
            )
            out.outputs.append(
                self._track(
                    "routed",
                    key,
                    partner.id,
                    ingest_id,
                    interchange=ic.control,
                    topics={t: len(ids) for t, ids in routed.items()},
                    documents=[i for ids in routed.values() for i in ids],
                )
            )
        if rejected:
            out.outputs.append(
                self._track(
                    "rejected",
                    key,
                    partner.id,
                    ingest_id,
                    interchange=ic.control,
                    code=rejected[0]["code"],
                    transactions=rejected,
                )
            )
            if out.outcome != "rejected":
                out.outcome = "partial" if routed else "rejected"
        if carries_acks(ic):
            matches = reconcile(ic, raw, partner, self.state)
            if matches:
                out.outputs.append(
                    self._track(
                        "acknowledged",
                        key,
                        partner.id,
                        ingest_id,
                        direction="inbound",
                        interchange=ic.control,
                        acks=matches,
                    )
                )
        self._acknowledge(out, key, partner, ic, ingest_id)

    def _route(
        self,
        out: Outcome,
        key: bytes,
        ic: Interchange,
        type_: str,
        version: str,
        partner_id: str,
        rules: tuple[Rule, ...],
        rendered: list[tuple[str, bytes]],
        headers: list[tuple[str, bytes]],
        routed: dict[str, list[str]],
    ) -> int:
        """Append one output per (document, topic) the rules name; return the documents."""
        topics = self.router.route(str(ic.standard), type_, version, partner_id, ic.test, rules)
        type_header = type_.encode()
        for doc_id, value in rendered:
            doc_headers = [
                ("edi-document-id", doc_id.encode()),
                ("edi-type", type_header),
                *headers,
            ]
            for t in topics:
                out.outputs.append(Output(t, key, value, doc_headers, document=True))
                routed.setdefault(t, []).append(doc_id)
        return len(rendered)

    def _acknowledge(
        self, out: Outcome, key: bytes, partner: Partner, ic: Interchange, ingest_id: str
    ) -> None:
        """Acknowledgements the partner asked for, on edi.acks.outbound, with a tracking event each."""
        if self.ack_builder is None or not partner.acks:
            return
        for ack in self.ack_builder(ic, partner.acks, partner, self.state):
            control = str(ack["control"])
            out.outputs.append(
                Output(
                    ACKS_OUTBOUND,
                    key,
                    ack["bytes"],
                    [
                        ("edi-ack-type", ack["type"].encode()),
                        ("edi-ack-control", control.encode()),
                        ("edi-ingest-id", ingest_id.encode()),
                        ("edi-filename", ack["filename"].encode()),
                    ],
                )
            )
            out.acks.append(ack["type"])
            out.outputs.append(
                self._track(
                    "acknowledged",
                    key,
                    partner.id,
                    ingest_id,
                    direction="outbound",
                    interchange=ic.control,
                    ack_type=ack["type"],
                    control=control,
                    status=ack.get("status"),
                    summary=ack.get("summary", {}),
                )
            )

    def _rules_of(self, partner: Partner) -> tuple[Rule, ...]:
        cached = self._partner_rules.get(partner.id)
        if cached is None:
            cached = parse_rules(partner.routes, f"partner {partner.id}") if partner.routes else ()
            self._partner_rules[partner.id] = cached
        return cached

    def forget_partner(self, partner_id: str) -> None:
        """Drop cached per-partner rules after a profile change."""
        self._partner_rules.pop(partner_id, None)

    def internal_error(self, msg: Inbound) -> Outcome:
        """The outcome for a record whose processing raised: a dead letter, nothing lost."""
        out = Outcome(partner=msg.partner_id)
        source = msg.source()
        ingest_id = source["ingest_id"] or f"{msg.topic}:{msg.partition}:{msg.offset}"
        err = perr.error(perr.INTERNAL, "processing failed with an internal error; see worker log")
        self._reject(
            out, msg, msg.partner_id.encode(), msg.partner_id, ingest_id, source, [err], {}
        )
        return out

    # -- records ---------------------------------------------------------------------
    @staticmethod
    def _track(event: str, key: bytes, partner: str, ingest_id: str, **details: Any) -> Output:
        return Output(
            TRACKING,
            key,
            _json(records.tracking(event, partner=partner, ingest_id=ingest_id, **details)),
        )

    def _reject(
        self,
        out: Outcome,
        msg: Inbound,
        key: bytes,
        partner_id: str,
        ingest_id: str,
        source: dict[str, Any],
        errs: list[EdiError],
        context: dict[str, Any],
        *,
        track: bool = True,
    ) -> None:
        out.errors.extend(errs)
        ref = {"topic": msg.topic, "partition": msg.partition, "offset": msg.offset}
        record = records.deadletter(
            errors=errs,
            partner=partner_id,
            source=source,
            raw=msg.value,
            stage="worker",
            reference=ref,
            context=context,
        )
        out.outputs.append(
            Output(DEADLETTER, key, _json(record), [("edi-error-code", errs[0].code.encode())])
        )
        if track:
            out.outcome = "rejected"
            out.outputs.append(
                self._track(
                    "rejected",
                    key,
                    partner_id,
                    ingest_id,
                    code=errs[0].code,
                    message=errs[0].message,
                    **context,
                )
            )


def group_rejected(grp: Group) -> bool:
    """True when an error of the group itself rejects all its transactions."""
    return any(e.rejects for e in grp.errors)
