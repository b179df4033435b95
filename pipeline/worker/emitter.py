"""What one inbound record produces, written in one place: documents, dead letters, tracking, acks.

:class:`Inbound` is a record of ``edi.inbound`` as the worker reads it;
:class:`Emitter` holds its key, partner, ingest id and ``source`` once and
appends the outgoing :class:`~pipeline.kafka.producing.Record` s to an
:class:`Outcome`, so the processor's stages say *what* happens, not how a
record is spelled.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from parsers.errors import EdiError
from pipeline.contracts import headers as h
from pipeline.contracts import records
from pipeline.contracts.headers import Provenance
from pipeline.contracts.topics import ACKS_OUTBOUND, DEADLETTER, INBOUND, TRACKING
from pipeline.kafka.producing import Record


@dataclass(slots=True)
class Inbound:
    """One record of ``edi.inbound`` as the worker sees it."""

    value: bytes
    headers: Mapping[str, bytes]
    key: bytes | None = None
    partition: int = 0
    offset: int = -1
    topic: str = INBOUND

    def header(self, name: str) -> str:
        """A header as text ("" when absent)."""
        return h.text(self.headers, name)

    @property
    def partner_id(self) -> str:
        """The submitting partner: the ``edi-partner`` header, else the record key."""
        return self.header(h.PARTNER) or (self.key or b"").decode("utf-8", "replace")

    def source(self) -> dict[str, Any]:
        """The ``source`` field of documents and records (DESIGN.md)."""
        return Provenance.from_headers(self.header).source()

    @property
    def reference(self) -> dict[str, Any]:
        """Where the record is on the broker (dead letters point back to it)."""
        return {"topic": self.topic, "partition": self.partition, "offset": self.offset}


@dataclass(slots=True)
class Outcome:
    """Everything one inbound record produced, and how it ended."""

    outputs: list[Record] = field(default_factory=list)
    outcome: str = "routed"  # routed | rejected | partial | duplicate
    documents: int = 0
    interchanges: int = 0
    duplicates: int = 0
    acks: list[str] = field(default_factory=list)  # ack types produced
    resent: int = 0  # acknowledgements of duplicates sent again
    errors: list[EdiError] = field(default_factory=list)
    partner: str = ""


class Emitter:
    """The outgoing records of one inbound record, with its key, partner and source held once."""

    __slots__ = ("ingest_id", "key", "msg", "out", "partner", "source")

    def __init__(self, msg: Inbound) -> None:
        self.msg = msg
        self.partner = msg.partner_id
        self.out = Outcome(partner=self.partner)
        self.key = self.partner.encode()
        self.source = msg.source()
        self.ingest_id: str = (
            self.source["ingest_id"] or f"{msg.topic}:{msg.partition}:{msg.offset}"
        )

    def track(self, event: str, **details: Any) -> None:
        """A lifecycle event of this input on ``edi.tracking``."""
        value = records.tracking(event, partner=self.partner, ingest_id=self.ingest_id, **details)
        self.out.outputs.append(Record(TRACKING, self.key, orjson.dumps(value)))

    def reject(self, errs: list[EdiError], context: dict[str, Any], *, track: bool = True) -> None:
        """A dead letter with the raw input (and, unless ``track`` is off, a ``rejected`` event)."""
        self.out.errors.extend(errs)
        record = records.deadletter(
            errors=errs,
            partner=self.partner,
            source=self.source,
            raw=self.msg.value,
            stage="worker",
            reference=self.msg.reference,
            context=context,
        )
        self.out.outputs.append(
            Record(
                DEADLETTER, self.key, orjson.dumps(record), [(h.ERROR_CODE, errs[0].code.encode())]
            )
        )
        if track:
            self.out.outcome = "rejected"
            self.track("rejected", code=errs[0].code, message=errs[0].message, **context)

    def documents(
        self,
        topics: Sequence[str],
        type_: str,
        rendered: list[tuple[str, bytes]],
        shared: list[tuple[str, bytes]],
        routed: dict[str, list[str]],
    ) -> int:
        """One record per (document, topic); ``routed`` collects the ids per topic."""
        type_header = type_.encode()
        for doc_id, value in rendered:
            doc_headers = [(h.DOCUMENT_ID, doc_id.encode()), (h.TYPE, type_header), *shared]
            for t in topics:
                self.out.outputs.append(Record(t, self.key, value, doc_headers))
                routed.setdefault(t, []).append(doc_id)
        return len(rendered)

    def acknowledgement(self, ack: Mapping[str, Any]) -> str:
        """An acknowledgement for the partner on ``edi.acks.outbound``; returns its control."""
        control = str(ack["control"])
        self.out.outputs.append(
            Record(
                ACKS_OUTBOUND,
                self.key,
                ack["bytes"],
                [
                    (h.ACK_TYPE, ack["type"].encode()),
                    (h.ACK_CONTROL, control.encode()),
                    (h.INGEST_ID, self.ingest_id.encode()),
                    (h.FILENAME, ack["filename"].encode()),
                ],
            )
        )
        self.out.acks.append(ack["type"])
        return control

    def sent_acknowledgement(
        self, interchange: str, ack: Mapping[str, Any], **details: Any
    ) -> None:
        """An acknowledgement for the partner and its ``acknowledged`` (outbound) event."""
        control = self.acknowledgement(ack)
        self.track(
            "acknowledged",
            direction="outbound",
            interchange=interchange,
            ack_type=ack["type"],
            control=control,
            status=ack.get("status"),
            **details,
        )

    def shared_document_headers(self, duplicate: bool) -> list[tuple[str, bytes]]:
        """The headers every document of an interchange carries after its id and type."""
        shared = [(h.INGEST_ID, self.ingest_id.encode())]
        if duplicate:
            shared.append((h.DUPLICATE, b"1"))
        replay = self.msg.header(h.REPLAY)
        if replay:
            shared.append((h.REPLAY, replay.encode()))
        return shared
