"""The AsyncAPI 3.0 document of every edi-mesh topic, generated from the topic registry.

``build()`` turns :func:`pipeline.contracts.topics.registry` into an AsyncAPI document
(one channel per topic, its messages, key and header schemas, Kafka bindings);
``python -m pipeline.contracts.asyncapi --write`` refreshes the checked-in
``docs/asyncapi.json`` and ``--check`` fails when it is stale. Payload schemas
are ``$ref`` s to the JSON Schema files of ``pipeline/contracts/schemas/``.

Point of view: the document describes the **edi-mesh application** (all of
its processes: ingest, workers, façade, ``partners sync``), as AsyncAPI 3.0
intends: ``send`` = edi-mesh produces to the channel (an agent consumes it),
``receive`` = edi-mesh consumes it.
"""

from __future__ import annotations

import argparse
import json
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

from pipeline.contracts import headers
from pipeline.contracts.topics import (
    ACKS_OUTBOUND,
    AGENT_PREFIX,
    DEADLETTER,
    INBOUND,
    OUTBOUND,
    OUTBOUND_INTERCHANGES,
    PARTNERS,
    TRACKING,
    TopicSpec,
    registry,
)
from pipeline.settings import Settings

ASYNCAPI_VERSION = "3.0.0"
KAFKA_BINDING_VERSION = "0.5.0"
REPO_ROOT = Path(__file__).resolve().parents[2]
DOC_PATH = REPO_ROOT / "docs" / "asyncapi.json"
# Payload $refs are relative to the document, which lives in docs/.
SCHEMA_REF_BASE = "../pipeline/contracts/schemas/"

# What edi-mesh does with each topic: (action, who, what), from edi-mesh's point of view.
# Every registry topic must be here (agent topics by prefix): build() refuses a topic it
# cannot describe, so a new topic forces a decision.
AGENT_ROLES: tuple[tuple[str, str], ...] = (
    (
        "send",
        "Workers produce one document per transaction set / message (or fragment) to each agent "
        "topic the routing rules name. Agents consume in their own consumer group; delivery is at "
        "least once, so deduplicate on the document id (same id = same document).",
    ),
)
ROLES: dict[str, tuple[tuple[str, str], ...]] = {
    INBOUND: (
        (
            "send",
            "Ingest (file drop, HTTP façade) produces each accepted interchange, or each chunk of "
            "a split one, with acks=all, before it archives the file or answers the request.",
        ),
        (
            "receive",
            "Workers consume in the consumer group named by the app id (EDI_MESH_APP_ID, default "
            "edi-mesh) to parse, validate, deduplicate, route and acknowledge.",
        ),
    ),
    DEADLETTER: (
        (
            "send",
            "Ingest and workers produce one dead letter per refused input, interchange or "
            "transaction set, with the raw bytes or a reference to them.",
        ),
    ),
    ACKS_OUTBOUND: (
        (
            "send",
            "Workers produce the acknowledgements the partner profile asks for (TA1, 997, 999, "
            "CONTRL); they are delivered to outbox/<partner>/.",
        ),
    ),
    PARTNERS: (
        (
            "send",
            "`edi-mesh partners sync` publishes the partners file (a null value deletes a partner).",
        ),
        (
            "receive",
            "Workers follow the topic from the beginning and apply profile changes without restart.",
        ),
    ),
    TRACKING: (
        (
            "send",
            "Ingest and workers record each lifecycle step of an input, keyed by partner and "
            "correlated by ingest_id.",
        ),
        (
            "receive",
            "The façade follows the topic (no consumer group) to answer status queries.",
        ),
    ),
    OUTBOUND: (
        (
            "send",
            "Agents (or `edi-mesh send`, or the façade's POST /v1/outbound) publish a request to "
            "send one transaction set / message to a partner.",
        ),
        (
            "receive",
            "Workers check each request against the partner profile, render the interchange "
            "exactly once per (partner, idempotency_key), or dead-letter it with an EDI3xx code.",
        ),
    ),
    OUTBOUND_INTERCHANGES: (
        (
            "send",
            "Workers produce each interchange built from requests, control numbers from the "
            "partner's sequence; a repeated idempotency key re-produces the same bytes.",
        ),
        (
            "receive",
            "Ingest writes each to outbox/<partner>/ under a name made of its control numbers.",
        ),
    ),
}

UNDOCUMENTED_HEADER = "(not documented yet: add it to pipeline.contracts.headers.DOCS)"

PARTNER_ID_SCHEMA: dict[str, Any] = {
    "type": "string",
    "description": "The partner id (the partners file's id): every topic's record key, so one "
    "partner's records stay in order on one partition.",
}

# Topic configuration keys whose AsyncAPI Kafka binding value is an integer or a list.
_INT_CONFIGS = frozenset(
    {"retention.ms", "retention.bytes", "delete.retention.ms", "max.message.bytes"}
)
_LIST_CONFIGS = frozenset({"cleanup.policy"})


def roles(spec: TopicSpec) -> tuple[tuple[str, str], ...]:
    """What edi-mesh does with ``spec``'s topic: (action, description) pairs."""
    if spec.name.startswith(AGENT_PREFIX):
        return AGENT_ROLES
    try:
        return ROLES[spec.name]
    except KeyError:
        raise KeyError(
            f"topic {spec.name!r} has no role in pipeline.contracts.asyncapi.ROLES"
        ) from None


def topic_configuration(config: dict[str, str]) -> dict[str, Any]:
    """TopicSpec.config (strings, as the admin client takes them) typed for the Kafka binding."""
    out: dict[str, Any] = {}
    for k, v in sorted(config.items()):
        if k in _INT_CONFIGS:
            out[k] = int(v)
        elif k in _LIST_CONFIGS:
            out[k] = [p.strip() for p in v.split(",") if p.strip()]
        else:
            out[k] = v
    return out


def _camel(name: str) -> str:
    """``edi.acks.outbound`` -> ``ediAcksOutbound``; ``deadletter.schema.json`` -> ``deadletter``."""
    parts = name.removesuffix(".schema.json").replace("-", ".").split(".")
    return parts[0] + "".join(p[:1].upper() + p[1:] for p in parts[1:])


DOCUMENT_SCHEMA = "document.schema.json"


def _data_schemas() -> dict[str, str]:
    """Type -> the generated schema of its document with ``data`` (docs/schemas/, relative)."""
    from parsers.schema import COMMON_TYPES, default_version

    return {t: f"schemas/{st}-{t}-{default_version(st, t)}.schema.json" for st, t in COMMON_TYPES}


def _payload_schema(spec: TopicSpec) -> tuple[str, dict[str, Any]]:
    """The components.schemas entry of a topic's value: a $ref to its JSON Schema, or raw bytes."""
    if spec.schema == DOCUMENT_SCHEMA:
        return _camel(spec.schema), {
            "$ref": SCHEMA_REF_BASE + spec.schema,
            "x-edi-data-schemas": _data_schemas(),
        }
    if spec.schema is not None:
        return _camel(spec.schema), {"$ref": SCHEMA_REF_BASE + spec.schema}
    return _camel(spec.name), {
        "type": "string",
        "format": "binary",
        "description": f"Raw bytes, not JSON: {spec.value}.",
    }


def _headers_schema(spec: TopicSpec, required: bool) -> dict[str, Any]:
    """Kafka record headers as an object of UTF-8 strings."""
    schema: dict[str, Any] = {
        "type": "object",
        "description": "Kafka record headers (values are UTF-8 strings).",
        "properties": {
            h: {"type": "string", "description": headers.DOCS.get(h, UNDOCUMENTED_HEADER)}
            for h in spec.headers
        },
    }
    if required:
        schema["required"] = list(spec.headers)
    return schema


def _message(spec: TopicSpec, payload_ref: str) -> dict[str, Any]:
    """One AsyncAPI message for the records of ``spec``."""
    sends_only = all(action == "send" for action, _ in roles(spec))
    msg: dict[str, Any] = {
        "title": spec.value.split(":")[0].split(" (")[0],
        "summary": spec.value,
        "contentType": "application/json" if spec.schema else "application/octet-stream",
    }
    if spec.headers:
        # edi-mesh always sets the headers of what it produces; producers of the topics it
        # consumes (edi.inbound) should, and the workers fall back when one is missing.
        msg["headers"] = _headers_schema(spec, required=sends_only)
    msg["payload"] = {"$ref": f"#/components/schemas/{payload_ref}"}
    msg["bindings"] = {
        "kafka": {
            # inline, not a $ref: the official 3.0.0 schema's key oneOf(Reference, Schema)
            # matches a bare $ref twice and so rejects it
            "key": PARTNER_ID_SCHEMA,
            "bindingVersion": KAFKA_BINDING_VERSION,
        }
    }
    return msg


def _channel(spec: TopicSpec, message_id: str, defaults: Settings) -> dict[str, Any]:
    """The AsyncAPI channel of one topic, with its Kafka topic binding."""
    partitions = spec.partitions or defaults.partitions
    where = f"{partitions} partition" + ("" if partitions == 1 else "s")
    if not spec.partitions:
        where += " by default (EDI_MESH_PARTITIONS)"
    binding: dict[str, Any] = {
        "topic": spec.name,
        "partitions": partitions,
        "replicas": defaults.replication,
    }
    if spec.config:
        binding["topicConfiguration"] = topic_configuration(spec.config)
    binding["bindingVersion"] = KAFKA_BINDING_VERSION
    return {
        "address": spec.name,
        "title": spec.name,
        "description": (
            f"Key: {spec.key}. Value: {spec.value}. Created with {where} and replication "
            f"EDI_MESH_REPLICATION (default {defaults.replication}); the address is prefixed with "
            "EDI_MESH_TOPIC_PREFIX when one is configured."
        ),
        "messages": {message_id: {"$ref": f"#/components/messages/{message_id}"}},
        "bindings": {"kafka": binding},
    }


def _defaults() -> Settings:
    """Settings with the field defaults only (never the environment), so output is stable."""
    return Settings.model_construct()


def _version() -> str:
    """The edi-mesh distribution version (0.0.0 when not installed)."""
    try:
        return metadata.version("edi-mesh")
    except metadata.PackageNotFoundError:
        return "0.0.0"


def build() -> dict[str, Any]:
    """The AsyncAPI 3.0 document of :func:`pipeline.contracts.topics.registry`, as a JSON-ready dict."""
    defaults = _defaults()
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    schemas: dict[str, Any] = {"partnerId": PARTNER_ID_SCHEMA}
    messages: dict[str, Any] = {}
    for spec in registry():
        schema_id, payload = _payload_schema(spec)
        schemas.setdefault(schema_id, payload)
        msg = _message(spec, schema_id)
        message_id = schema_id
        if messages.get(message_id, msg) != msg:  # same payload, other headers: own message
            message_id = _camel(spec.name)
        messages.setdefault(message_id, msg)
        channels[spec.name] = _channel(spec, message_id, defaults)
        for action, what in roles(spec):
            operations[f"{action}.{spec.name}"] = {
                "action": action,
                "channel": {"$ref": f"#/channels/{spec.name}"},
                "summary": f"edi-mesh {'produces to' if action == 'send' else 'consumes'} {spec.name}.",
                "description": what,
                "messages": [{"$ref": f"#/channels/{spec.name}/messages/{message_id}"}],
            }
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {
            "title": "edi-mesh",
            "version": _version(),
            "description": (
                "Kafka topics of edi-mesh: EDI (X12, UN/EDIFACT) ingested onto edi.inbound, "
                "one JSON document per transaction set routed to agents.<domain>, dead letters, "
                "acknowledgements, partner profiles and lifecycle tracking.\n\n"
                "Operations are edi-mesh's point of view: send = edi-mesh produces to the "
                "channel (agents consume it), receive = edi-mesh consumes it. Every record key "
                "is the partner id. JSON payloads are described by the JSON Schema (draft "
                "2020-12) files they reference; consumers must ignore fields they do not know.\n\n"
                "Generated by `python -m pipeline.contracts.asyncapi --write` from pipeline/contracts/topics.py; "
                "do not edit by hand."
            ),
            "license": {"name": "Apache-2.0", "url": "https://www.apache.org/licenses/LICENSE-2.0"},
        },
        "defaultContentType": "application/json",
        "servers": {
            "local": {
                "host": "127.0.0.1:9092",
                "protocol": "kafka",
                "description": "`edi-mesh up`: the embedded broker (--port); any Kafka cluster "
                "is given with --broker / EDI_MESH_BROKER.",
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {
            "schemas": schemas,
            "messages": {mid: {"name": mid, **m} for mid, m in messages.items()},
        },
    }


def render(doc: dict[str, Any]) -> str:
    """The document as the checked-in text: indented JSON, UTF-8, trailing newline."""
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    """CLI: print the document, ``--write`` it, or ``--check`` the checked-in one is current."""
    parser = argparse.ArgumentParser(
        prog="python -m pipeline.contracts.asyncapi", description=__doc__
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help="write the document to --output")
    mode.add_argument("--check", action="store_true", help="exit 1 when --output is not current")
    parser.add_argument("--output", type=Path, default=DOC_PATH, help=f"default {DOC_PATH}")
    args = parser.parse_args(argv)
    text = render(build())
    if args.write:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {args.output}")
        return 0
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(
                f"{args.output} is stale: run python -m pipeline.contracts.asyncapi --write",
                file=sys.stderr,
            )
            return 1
        return 0
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
