"""The single registry of every topic edi-mesh reads or writes.

Topic creation (``admin.ensure_topics``), the docker-compose topic job, the
AsyncAPI document and the tests all read this module; nothing else spells a
topic name.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.contracts import headers as h
from pipeline.contracts.headers import INBOUND_HEADERS, OUTBOUND_INTERCHANGE_HEADERS
from pipeline.settings import Settings

INBOUND = "edi.inbound"
DEADLETTER = "edi.deadletter"
ACKS_OUTBOUND = "edi.acks.outbound"
PARTNERS = "edi.partners"
TRACKING = "edi.tracking"
OUTBOUND = "edi.outbound"
OUTBOUND_INTERCHANGES = "edi.outbound.interchanges"
AGENT_PREFIX = "agents."

# Domains of DESIGN.md: the agent topics are agents.<domain>.
DOMAINS: tuple[str, ...] = (
    "orders",
    "order-responses",
    "invoices",
    "shipments",
    "claims",
    "remittances",
    "eligibility",
    "claim-status",
    "enrollment",
    "authorizations",
    "logistics",
    "warehouse",
    "inventory",
    "catalog",
    "acknowledgements",
    "unrouted",
)

DAY_MS = 86_400_000


@dataclass(frozen=True, slots=True)
class TopicSpec:
    """One topic: its name, what its key and value are, and how it is created."""

    name: str
    key: str
    value: str
    schema: str | None = (
        None  # JSON Schema file (pipeline/contracts/schemas/) of the value, if JSON
    )
    headers: tuple[str, ...] = ()
    partitions: int | None = None  # None = Settings.partitions
    config: dict[str, str] = field(default_factory=dict)

    def full_name(self, settings: Settings) -> str:
        """The topic name with the configured prefix."""
        return settings.topic_prefix + self.name

    def partition_count(self, settings: Settings) -> int:
        """Partitions to create this topic with."""
        return self.partitions or settings.partitions


def agent_topic(domain: str) -> str:
    """``agents.<domain>`` (unprefixed)."""
    return AGENT_PREFIX + domain


def registry() -> list[TopicSpec]:
    """Every topic of the pipeline, in the order of DESIGN.md."""
    specs = [
        TopicSpec(
            INBOUND,
            key="partner id",
            value="one raw interchange (bytes), or one self-contained chunk of a split one",
            headers=(*INBOUND_HEADERS, h.CHUNK, h.REPLAY, h.FORCE),
            config={"retention.ms": str(7 * DAY_MS)},
        ),
    ]
    specs += [
        TopicSpec(
            agent_topic(d),
            key="partner id",
            value="one JSON document per transaction set / message (or fragment)",
            schema="document.schema.json",
            headers=(h.DOCUMENT_ID, h.TYPE, h.INGEST_ID, h.DUPLICATE, h.REPLAY),
            config={"retention.ms": str(7 * DAY_MS)},
        )
        for d in DOMAINS
    ]
    specs += [
        TopicSpec(
            DEADLETTER,
            key="partner id",
            value="JSON error record: error.code, error.message, error.location, source, raw payload",
            schema="deadletter.schema.json",
            headers=(h.ERROR_CODE,),
            partitions=1,
            config={"retention.ms": str(30 * DAY_MS)},
        ),
        TopicSpec(
            ACKS_OUTBOUND,
            key="partner id",
            value="a 997 / 999 / TA1 / CONTRL interchange for the partner (bytes)",
            headers=(h.ACK_TYPE, h.ACK_CONTROL, h.INGEST_ID, h.FILENAME),
            partitions=1,
        ),
        TopicSpec(
            PARTNERS,
            key="partner id",
            value="partner profile JSON (compacted; null value deletes)",
            schema="partner.schema.json",
            partitions=1,
            config={"cleanup.policy": "compact"},
        ),
        TopicSpec(
            TRACKING,
            key="partner id",
            value="lifecycle event JSON: received, parsed, routed, acknowledged, rejected, "
            "duplicate, sent, ack_overdue",
            schema="tracking.schema.json",
            partitions=1,
            config={"retention.ms": str(30 * DAY_MS)},
        ),
        TopicSpec(
            OUTBOUND,
            key="partner id",
            value="an agent's request to send one transaction set / message to the partner (JSON)",
            schema="outbound-request.schema.json",
            config={"retention.ms": str(7 * DAY_MS)},
        ),
        TopicSpec(
            OUTBOUND_INTERCHANGES,
            key="partner id",
            value="an enveloped X12 / EDIFACT interchange built from requests, for the partner "
            "(bytes)",
            headers=OUTBOUND_INTERCHANGE_HEADERS,
            config={"retention.ms": str(30 * DAY_MS)},
        ),
    ]
    return specs


def by_name() -> dict[str, TopicSpec]:
    """The registry indexed by unprefixed topic name."""
    return {s.name: s for s in registry()}
