"""The worker's hot path as a pure function: one inbound record in, the records to produce out.

No Kafka here: :class:`Processor` turns an :class:`Inbound` (raw interchange
bytes and headers) into :class:`Output` records (documents for agent topics,
dead letters, tracking events, acknowledgements). The Faust agent batches
inbound records, calls :meth:`Processor.process` for each and produces the
outputs; tests and benchmarks call it directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from parsers import parse
from parsers.documents import render_transaction
from parsers.errors import EdiError
from parsers.model import Interchange
from pipeline import errors as perr
from pipeline import records
from pipeline.partners import Partner, PartnerRegistry, sender_key
from pipeline.routing import Router, parse_rules
from pipeline.topics import DEADLETTER, TRACKING


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
    errors: list[EdiError] = field(default_factory=list)


def _json(value: Any) -> bytes:
    return orjson.dumps(value)


class Processor:
    """Parse, check, route and render one inbound interchange (or chunk) at a time."""

    def __init__(self, partners: PartnerRegistry, router: Router) -> None:
        self.partners = partners
        self.router = router
        self._partner_rules: dict[str, tuple[Any, ...]] = {}

    def process(self, msg: Inbound) -> Outcome:
        """Everything to produce for one inbound record; never raises for bad EDI."""
        out = Outcome()
        partner_id = msg.partner_id
        key = partner_id.encode()
        source = msg.source()
        ingest_id = source["ingest_id"] or f"{msg.topic}:{msg.partition}:{msg.offset}"
        partner = self.partners.get(partner_id)
        if partner is None:
            err = perr.error(perr.UNKNOWN_PARTNER, f"partner {partner_id!r} is not in the partner table")
            self._reject(out, msg, key, partner_id, ingest_id, source, [err], {})
            return out

        result = parse(msg.value)
        file_errors = list(result.errors)
        if not result.interchanges:
            errs = file_errors or [perr.error(perr.EMPTY_INPUT, "no interchange in the input")]
            self._reject(out, msg, key, partner_id, ingest_id, source, errs, {})
            return out
        if file_errors:
            # garbage around readable interchanges: keep the interchanges, report the rest
            self._reject(out, msg, key, partner_id, ingest_id, source, file_errors, {"scope": "input"})
            out.outcome = "partial"

        for ic in result.interchanges:
            self._interchange(out, msg, key, partner, ic, ingest_id, source)
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
    ) -> None:
        ctx = {
            "standard": str(ic.standard),
            "interchange": ic.control,
            "sender": {"qualifier": ic.sender.qualifier, "id": ic.sender.id},
            "receiver": {"qualifier": ic.receiver.qualifier, "id": ic.receiver.id},
        }
        skey = sender_key(ic.standard, ic.sender)
        if not partner.accepts_sender(skey):
            err = perr.error(
                perr.SENDER_NOT_ALLOWED,
                f"envelope sender {skey!r} is not one of partner {partner.id!r}'s senders",
            )
            self._reject(out, msg, key, partner.id, ingest_id, source, [err], ctx)
            return
        if not ic.accepted:
            self._reject(out, msg, key, partner.id, ingest_id, source, list(ic.errors), ctx)
            return

        public = partner.public()
        ingest_bytes = ingest_id.encode()
        rules = self._rules_of(partner)
        routed: dict[str, list[str]] = {}
        n_tx = n_docs = 0
        rejected: list[dict[str, Any]] = []
        for grp in ic.groups:
            for tx in grp.transactions:
                n_tx += 1
                if not tx.accepted or not _group_ok(grp):
                    errs = list(tx.errors) or list(grp.errors)
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
                    rejected.append({"transaction": tx.control, "type": tx.type, "code": errs[0].code})
                    continue
                topics = self.router.route(
                    str(ic.standard), tx.type, tx.version, partner.id, ic.test, rules
                )
                type_header = tx.type.encode()
                for doc_id, value in render_transaction(ic, grp, tx, partner=public, source=source):
                    headers = [
                        ("edi-document-id", doc_id.encode()),
                        ("edi-type", type_header),
                        ("edi-ingest-id", ingest_bytes),
                    ]
                    for t in topics:
                        out.outputs.append(Output(t, key, value, headers, document=True))
                        routed.setdefault(t, []).append(doc_id)
                    n_docs += 1
        out.documents += n_docs
        out.outputs.append(
            Output(
                TRACKING,
                key,
                _json(
                    records.tracking(
                        "parsed",
                        partner=partner.id,
                        ingest_id=ingest_id,
                        interchange=ic.control,
                        transactions=n_tx,
                        warnings=[e.to_dict() for e in ic.errors],
                    )
                ),
            )
        )
        if routed:
            out.outputs.append(
                Output(
                    TRACKING,
                    key,
                    _json(
                        records.tracking(
                            "routed",
                            partner=partner.id,
                            ingest_id=ingest_id,
                            interchange=ic.control,
                            topics={t: len(ids) for t, ids in routed.items()},
                            documents=[i for ids in routed.values() for i in ids],
                        )
                    ),
                )
            )
        if rejected:
            out.outputs.append(
                Output(
                    TRACKING,
                    key,
                    _json(
                        records.tracking(
                            "rejected",
                            partner=partner.id,
                            ingest_id=ingest_id,
                            interchange=ic.control,
                            transactions=rejected,
                        )
                    ),
                )
            )
            out.outcome = "partial" if routed else "rejected"

    def internal_error(self, msg: Inbound) -> Outcome:
        """The outcome for a record whose processing raised: a dead letter, nothing lost."""
        out = Outcome()
        source = msg.source()
        ingest_id = source["ingest_id"] or f"{msg.topic}:{msg.partition}:{msg.offset}"
        err = perr.error(perr.INTERNAL, "processing failed with an internal error; see worker log")
        self._reject(out, msg, msg.partner_id.encode(), msg.partner_id, ingest_id, source, [err], {})
        return out

    def _rules_of(self, partner: Partner) -> tuple[Any, ...]:
        cached = self._partner_rules.get(partner.id)
        if cached is None:
            cached = parse_rules(partner.routes, f"partner {partner.id}") if partner.routes else ()
            self._partner_rules[partner.id] = cached
        return cached

    def forget_partner(self, partner_id: str) -> None:
        """Drop cached per-partner rules after a profile change."""
        self._partner_rules.pop(partner_id, None)

    # -- rejection -------------------------------------------------------------------
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
        out.outputs.append(Output(DEADLETTER, key, _json(record), [("edi-error-code", errs[0].code.encode())]))
        if track:
            out.outcome = "rejected"
            out.outputs.append(
                Output(
                    TRACKING,
                    key,
                    _json(
                        records.tracking(
                            "rejected",
                            partner=partner_id,
                            ingest_id=ingest_id,
                            code=errs[0].code,
                            message=errs[0].message,
                            **context,
                        )
                    ),
                )
            )


def _group_ok(grp: Any) -> bool:
    return not any(e.rejects for e in grp.errors)
