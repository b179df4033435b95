"""The worker's hot path as a pure function: one inbound record in, the records to produce out.

No Kafka here: :class:`Processor` turns an :class:`~pipeline.worker.emitter.Inbound`
(raw interchange bytes and headers) into outgoing records (documents for agent
topics, dead letters, tracking events, acknowledgements) and
:class:`~pipeline.worker.state.StateWrites` (duplicate marks, control numbers).
Each interchange goes through the stages of the flow, one method each:
admit (partner, sender), parse, dedup, validate, enrich and route, acknowledge.
The Faust agent batches inbound records, calls :meth:`Processor.process` for
each and produces the outputs; tests and benchmarks call it directly.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from parsers import parse
from parsers.content import attach_content_errors
from parsers.documents import render_ta1, render_transaction
from parsers.errors import EdiError
from parsers.hipaa import attach_hipaa_errors, validate_hipaa
from parsers.model import Group, Interchange, Standard
from pipeline.contracts import errors as perr
from pipeline.contracts import headers as h
from pipeline.contracts import records
from pipeline.partners.profiles import Partner, PartnerRegistry, sender_key
from pipeline.worker.acking import carries_acks, reconcile
from pipeline.worker.emitter import Emitter, Inbound, Outcome
from pipeline.worker.outbound_state import acknowledged_records
from pipeline.worker.routing import Router, Rule, parse_rules
from pipeline.worker.state import MemoryState, State, dedup_key

__all__ = ["AckBuilder", "Inbound", "Outcome", "Processor"]

# (interchange, kinds, partner, state) -> list of ack dicts (see acking.build_for_partner)
AckBuilder = Callable[[Interchange, Sequence[str], Partner, State], list[dict[str, Any]]]


@dataclass(slots=True)
class Routing:
    """What routing one interchange's transactions made: documents per topic, rejections."""

    transactions: int = 0
    documents: int = 0
    routed: dict[str, list[str]] = field(default_factory=dict)
    rejected: list[dict[str, Any]] = field(default_factory=list)


def envelope_context(ic: Interchange) -> dict[str, Any]:
    """The envelope facts a dead letter or event about ``ic`` carries."""
    return {
        "standard": str(ic.standard),
        "interchange": ic.control,
        "sender": sender_key(ic.standard, ic.sender),
        "receiver": sender_key(ic.standard, ic.receiver),
    }


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
        emit = Emitter(msg)
        partner = self._admit_partner(emit)
        if partner is None:
            return emit.out
        parsed = self._parse(emit, partner)
        if parsed is None:
            return emit.out
        interchanges, warnings, garbage = parsed
        force = msg.header(h.FORCE) == "1"
        for ic in interchanges:
            emit.out.interchanges += 1
            self._interchange(emit, partner, ic, force, warnings)
        if garbage and emit.out.outcome == "routed":
            emit.out.outcome = "partial"
        return emit.out

    def internal_error(self, msg: Inbound) -> Outcome:
        """The outcome for a record whose processing raised: a dead letter, nothing lost."""
        emit = Emitter(msg)
        err = perr.error(perr.INTERNAL, "processing failed with an internal error; see worker log")
        emit.reject([err], {})
        return emit.out

    # -- stages of one record ----------------------------------------------------------------
    def _admit_partner(self, emit: Emitter) -> Partner | None:
        """The submitting partner's profile, or a rejection when it is not in the table."""
        partner = self.partners.get(emit.partner)
        if partner is None:
            msg = f"partner {emit.partner!r} is not in the partner table"
            emit.reject([perr.error(perr.UNKNOWN_PARTNER, msg)], {})
        return partner

    def _parse(
        self, emit: Emitter, partner: Partner
    ) -> tuple[list[Interchange], list[dict[str, Any]], bool] | None:
        """The interchanges, the input-level warnings, and whether garbage surrounded them."""
        result = parse(emit.msg.value, partner.tolerance)
        fatal = [e for e in result.errors if e.rejects]
        warnings = [e.to_dict() for e in result.errors if not e.rejects]
        if not result.interchanges:
            errs = fatal or [perr.error(perr.EMPTY_INPUT, "no interchange in the input")]
            emit.reject(errs, {})
            return None
        if fatal:
            # garbage around readable interchanges: keep the interchanges, report the rest
            emit.reject(fatal, {"scope": "input"}, track=False)
        return result.interchanges, warnings, bool(fatal)

    # -- stages of one interchange -----------------------------------------------------------
    def _interchange(
        self,
        emit: Emitter,
        partner: Partner,
        ic: Interchange,
        force: bool,
        warnings: list[dict[str, Any]],
    ) -> None:
        ctx = envelope_context(ic)
        if not self._admit_sender(emit, partner, ic, ctx):
            return
        dkey, prior = self._dedup(emit, partner, ic, force)
        if prior is not None and partner.duplicates == "suppress":
            return
        raw = emit.msg.value[ic.offset : ic.end]
        ic.test = ic.test or partner.test  # a sandbox partner's data is never production
        if not self._validate(emit, partner, ic, raw, ctx):
            self._acknowledge(emit, partner, ic)
            return
        routing = self._route(emit, partner, ic, raw, ctx, duplicate=prior is not None)
        self._report(emit, ic, routing, warnings)
        self._reconcile(emit, partner, ic, raw)
        acks = self._acknowledge(emit, partner, ic)
        if routing.routed:
            self._mark_seen(dkey, emit, acks)

    def _admit_sender(
        self, emit: Emitter, partner: Partner, ic: Interchange, ctx: dict[str, Any]
    ) -> bool:
        """False (and a rejection) when the envelope sender is not one of the partner's."""
        skey = ctx["sender"]
        if partner.admits(ic):
            return True
        msg = f"envelope sender {skey!r} is not one of partner {partner.id!r}'s senders"
        emit.reject([perr.error(perr.SENDER_NOT_ALLOWED, msg)], ctx)
        return False

    def _dedup(
        self, emit: Emitter, partner: Partner, ic: Interchange, force: bool
    ) -> tuple[bytes, dict[str, Any] | None]:
        """The interchange's dedup key and its first sighting (a ``duplicate`` event if suppressed)."""
        skey = sender_key(ic.standard, ic.sender)
        first_tx = next((f"{g.control}/{t.control}" for g in ic.groups for t in g.transactions), "")
        dkey = dedup_key(partner.id, skey, ic.control, first_tx)
        prior = None if force else self.state.seen(dkey)
        if prior is not None and partner.duplicates == "suppress":
            emit.out.duplicates += 1
            emit.out.outcome = "duplicate"
            emit.track(
                "duplicate",
                interchange=ic.control,
                sender=skey,
                original_ingest_id=prior.get("ingest_id"),
                first_seen_at=records.rfc3339(float(prior.get("at", 0))),
                reason="interchange control number already processed",
            )
            self._acknowledge_again(emit, ic, prior)
        return dkey, prior

    def _validate(
        self, emit: Emitter, partner: Partner, ic: Interchange, raw: bytes, ctx: dict[str, Any]
    ) -> bool:
        """Partner-level validation on top of the parser's; False rejects the interchange.

        ``standard``: content findings from the dictionary, on each transaction, judged by
        the partner's tolerance (a rejecting one rejects that transaction, and its ack says
        where: AK3/AK4, IK3/IK4, UCS/UCD). ``hipaa``: pyx12 implementation-guide findings.
        """
        if partner.validation == "standard":
            attach_content_errors(ic, partner.tolerance)
        elif partner.validation == "hipaa" and ic.standard is Standard.X12:
            attach_hipaa_errors(ic, validate_hipaa(raw))
        if ic.accepted:
            return True
        emit.reject(list(ic.errors), ctx)
        return False

    def _route(
        self,
        emit: Emitter,
        partner: Partner,
        ic: Interchange,
        raw: bytes,
        ctx: dict[str, Any],
        *,
        duplicate: bool,
    ) -> Routing:
        """Enrich (partner profile, source) and route every transaction's document."""
        public = partner.public()
        rules = self._rules_of(partner)
        shared = emit.shared_document_headers(duplicate)
        routing = Routing()
        for grp in ic.groups:
            for tx in grp.transactions:
                routing.transactions += 1
                if not grp.accepted or not tx.accepted:
                    self._reject_transaction(emit, grp, tx, ctx, routing)
                    continue
                rendered = render_transaction(
                    ic,
                    grp,
                    tx,
                    partner=public,
                    source=emit.source,
                    with_data=partner.data,
                    fragments=partner.fragments,
                )
                topics = self.router.route(
                    str(ic.standard), tx.type, tx.version, partner.id, ic.test, rules
                )
                routing.documents += emit.documents(
                    topics, tx.type, rendered, shared, routing.routed
                )
        if ic.standard is Standard.X12 and not routing.transactions:
            # TA1 (interchange acknowledgment) is not a transaction set: one document each
            rendered = render_ta1(ic, raw, partner=public, source=emit.source)
            topics = self.router.route(
                str(ic.standard), "TA1", ic.version, partner.id, ic.test, rules
            )
            routing.documents += emit.documents(topics, "TA1", rendered, shared, routing.routed)
        emit.out.documents += routing.documents
        return routing

    @staticmethod
    def _reject_transaction(
        emit: Emitter, grp: Group, tx: Any, ctx: dict[str, Any], routing: Routing
    ) -> None:
        """A dead letter for one rejected transaction (its own errors, else its group's)."""
        errs: list[EdiError] = [e for e in tx.errors if e.rejects] or [
            e for e in grp.errors if e.rejects
        ]
        where = {**ctx, "group": grp.control, "transaction": tx.control, "type": tx.type}
        emit.reject(errs, where, track=False)
        routing.rejected.append({"transaction": tx.control, "type": tx.type, "code": errs[0].code})

    @staticmethod
    def _report(
        emit: Emitter, ic: Interchange, routing: Routing, warnings: list[dict[str, Any]]
    ) -> None:
        """The ``parsed``, ``routed`` and ``rejected`` events of one interchange."""
        emit.track(
            "parsed",
            interchange=ic.control,
            standard=str(ic.standard),
            sender=sender_key(ic.standard, ic.sender),
            test=ic.test,
            transactions=routing.transactions,
            warnings=warnings + [e.to_dict() for e in ic.errors],
        )
        if routing.routed:
            emit.track(
                "routed",
                interchange=ic.control,
                topics={t: len(ids) for t, ids in routing.routed.items()},
                documents=[i for ids in routing.routed.values() for i in ids],
            )
        if routing.rejected:
            emit.track(
                "rejected",
                interchange=ic.control,
                code=routing.rejected[0]["code"],
                transactions=routing.rejected,
            )
            if emit.out.outcome != "rejected":
                emit.out.outcome = "partial" if routing.routed else "rejected"

    def _mark_seen(self, dkey: bytes, emit: Emitter, acks: list[dict[str, Any]]) -> None:
        """Remember the interchange in the dedup table (stored after its documents), with its acks.

        The acknowledgements are kept so a partner that re-sends because it lost
        our 997 gets the same one again (:meth:`_acknowledge_again`).
        """
        kept = [
            {
                "type": a["type"],
                "control": str(a["control"]),
                "filename": a["filename"],
                "status": a.get("status"),
                "data": base64.b64encode(a["bytes"]).decode("ascii"),
            }
            for a in acks
        ]
        self.state.writes.seen[dkey] = orjson.dumps(
            {
                "ingest_id": emit.ingest_id,
                "at": time.time(),
                "partition": emit.msg.partition,
                "acks": kept,
            }
        )

    @staticmethod
    def _acknowledge_again(emit: Emitter, ic: Interchange, prior: dict[str, Any]) -> None:
        """Re-send the acknowledgements of a suppressed duplicate's original (same bytes, same file)."""
        for a in prior.get("acks") or ():
            emit.out.resent += 1
            emit.sent_acknowledgement(
                ic.control,
                {**a, "bytes": base64.b64decode(a["data"])},
                resent=True,
                reason="duplicate interchange: the original acknowledgement again",
            )

    def _reconcile(self, emit: Emitter, partner: Partner, ic: Interchange, raw: bytes) -> None:
        """The partner's acknowledgements in ``ic``, matched against what we sent them."""
        if not carries_acks(ic):
            return
        matches = reconcile(ic, raw, partner, self.state)
        if matches:
            emit.track("acknowledged", direction="inbound", interchange=ic.control, acks=matches)
            writes = self.state.writes.sent_acks
            emit.out.outputs.extend(acknowledged_records(matches, partner.id, writes))

    def _acknowledge(
        self, emit: Emitter, partner: Partner, ic: Interchange
    ) -> list[dict[str, Any]]:
        """Acknowledgements the partner asked for, on edi.acks.outbound, with a tracking event each."""
        if self.ack_builder is None or not partner.acks:
            return []
        acks = self.ack_builder(ic, partner.acks, partner, self.state)
        for ack in acks:
            emit.sent_acknowledgement(ic.control, ack, summary=ack.get("summary", {}))
        return acks

    # -- per-partner routing rules -----------------------------------------------------------
    def _rules_of(self, partner: Partner) -> tuple[Rule, ...]:
        cached = self._partner_rules.get(partner.id)
        if cached is None:
            cached = parse_rules(partner.routes, f"partner {partner.id}") if partner.routes else ()
            self._partner_rules[partner.id] = cached
        return cached

    def forget_partner(self, partner_id: str) -> None:
        """Drop cached per-partner rules after a profile change."""
        self._partner_rules.pop(partner_id, None)
