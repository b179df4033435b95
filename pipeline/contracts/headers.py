"""Every Kafka header edi-mesh writes or reads, and the one builder of a record's provenance.

Header names are part of the public contract (DESIGN.md, the AsyncAPI
document): they are spelled here and nowhere else. :class:`Provenance` is
where an input came from (channel, file name, sha256, ingest id, arrival
time); it becomes the ``edi-*`` inbound headers at ingest and the ``source``
field of documents, dead letters and tracking events everywhere else.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

# -- edi.inbound: where the interchange came from --------------------------------------------
PARTNER = "edi-partner"
SOURCE = "edi-source"
FILENAME = "edi-filename"
SHA256 = "edi-sha256"
RECEIVED_AT = "edi-received-at"
INGEST_ID = "edi-ingest-id"
CHUNK = "edi-chunk"  # "i/n": the i-th of n messages one input became
REPLAY = "edi-replay"  # set on records re-driven by edi-mesh replay (the replay id)
FORCE = "edi-force"  # "1": bypass the duplicate table (edi-mesh replay --force)

# -- agents.*: documents -----------------------------------------------------------------------
DOCUMENT_ID = "edi-document-id"
TYPE = "edi-type"
DUPLICATE = "edi-duplicate"  # "1": a document of an interchange seen before (duplicates=route)

# -- edi.deadletter and edi.acks.outbound ------------------------------------------------------
ERROR_CODE = "edi-error-code"
ACK_TYPE = "edi-ack-type"
ACK_CONTROL = "edi-ack-control"

# -- edi.outbound.interchanges: an interchange we built from agents' requests -----------------
INTERCHANGE_CONTROL = "edi-interchange-control"  # ISA13 / UNB05 as written
GROUP_CONTROL = "edi-group-control"  # GS06 (X12 only)
STANDARD = "edi-standard"  # x12 or edifact
IDEMPOTENCY_KEYS = "edi-idempotency-keys"  # JSON list, one per set, null where absent
REPLY_TO = "edi-reply-to"  # JSON list of the inbound document ids answered

OUTBOUND_INTERCHANGE_HEADERS: tuple[str, ...] = (
    PARTNER,
    TYPE,
    STANDARD,
    INTERCHANGE_CONTROL,
    GROUP_CONTROL,
    FILENAME,
    IDEMPOTENCY_KEYS,
    REPLY_TO,
)
"""The headers the worker sets on every ``edi.outbound.interchanges`` record."""

INBOUND_HEADERS: tuple[str, ...] = (PARTNER, SOURCE, FILENAME, SHA256, RECEIVED_AT, INGEST_ID)
"""The headers ingest sets on every ``edi.inbound`` record (besides ``edi-chunk``)."""

# What each header means, for the AsyncAPI document (every header above has an entry).
DOCS: dict[str, str] = {
    PARTNER: "Submitting partner id (also the record key).",
    SOURCE: "Ingest channel: file or http.",
    FILENAME: "Name of the dropped file or of the façade upload; for acknowledgements, "
    "the file name written to outbox/<partner>/.",
    SHA256: "sha256 (hex) of the whole submitted input.",
    RECEIVED_AT: "When ingest received the input, RFC 3339 UTC.",
    INGEST_ID: "Id of the submitted input, shared by every record it leads to (tracking "
    "events, documents, dead letters, acknowledgements).",
    CHUNK: "i/n: this record is message i of the n the input became (one per interchange; "
    "an interchange above the message limit is split on transaction-set boundaries).",
    DOCUMENT_ID: "The document's id (the payload's id): the deduplication key.",
    TYPE: "Transaction set / message type (850, ORDERS, ...), to filter without parsing.",
    ACK_TYPE: "TA1, 997, 999 or CONTRL.",
    ACK_CONTROL: "Interchange control number of the acknowledgement.",
    ERROR_CODE: "error.code of the dead letter (EDI0xx parser, EDI1xx pipeline, EDI3xx outbound requests).",
    DUPLICATE: "1 when the document comes from an interchange already processed "
    "(partners with duplicates = route).",
    REPLAY: "Set on records re-driven by edi-mesh replay.",
    FORCE: "1: bypass the duplicate check (edi-mesh replay --force).",
    INTERCHANGE_CONTROL: "Our interchange control number (ISA13 / UNB05) of an outbound interchange.",
    GROUP_CONTROL: "Our group control number (GS06) of an outbound X12 interchange (empty for "
    "EDIFACT).",
    STANDARD: "x12 or edifact.",
    IDEMPOTENCY_KEYS: "JSON list of the requests' idempotency keys, one per transaction set / "
    "message (null where a request had none).",
    REPLY_TO: "JSON list of the inbound document ids the interchange answers (null where none).",
}

DEFAULT_CHANNEL = "kafka"  # a record produced to edi.inbound by someone else, without edi-source


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where an input came from: the ``source`` of DESIGN.md, as one value for every channel."""

    channel: str
    filename: str | None = None
    sha256: str | None = None
    ingest_id: str | None = None
    received_at: str | None = None

    def source(self, known_only: bool = False) -> dict[str, Any]:
        """The ``source`` field of documents, dead letters and tracking events.

        Workers write all five fields (null where the inbound header was
        absent); ingest, which knows what it set, writes ``known_only``.
        """
        out = {
            "channel": self.channel,
            "filename": self.filename,
            "sha256": self.sha256,
            "ingest_id": self.ingest_id,
            "received_at": self.received_at,
        }
        if known_only:
            return {k: v for k, v in out.items() if v is not None}
        return out

    def inbound_headers(self, partner: str) -> list[tuple[str, bytes]]:
        """The ``edi-*`` headers of an ``edi.inbound`` record of ``partner``."""
        return [
            (PARTNER, partner.encode()),
            (SOURCE, self.channel.encode()),
            (FILENAME, (self.filename or "").encode("utf-8", "replace")),
            (SHA256, (self.sha256 or "").encode()),
            (RECEIVED_AT, (self.received_at or "").encode()),
            (INGEST_ID, (self.ingest_id or "").encode()),
        ]

    @classmethod
    def from_headers(cls, header: Callable[[str], str]) -> Provenance:
        """Read back what :meth:`inbound_headers` wrote (``header`` gives "" when absent)."""
        return cls(
            channel=header(SOURCE) or DEFAULT_CHANNEL,
            filename=header(FILENAME) or None,
            sha256=header(SHA256) or None,
            ingest_id=header(INGEST_ID) or None,
            received_at=header(RECEIVED_AT) or None,
        )


def text(headers: Mapping[str, bytes], name: str) -> str:
    """A header as text ("" when absent; undecodable bytes replaced)."""
    v = headers.get(name)
    return v.decode("utf-8", "replace") if v is not None else ""
