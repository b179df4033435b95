"""docs/asyncapi.json: current with the topic registry, valid AsyncAPI 3.0, every reference resolves.

The document is validated against the official AsyncAPI 3.0.0 JSON Schema
(vendored, pruned to Kafka bindings: tests/pipeline/contracts/data/asyncapi/README.md).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator, Draft202012Validator

from pipeline.contracts import asyncapi
from pipeline.contracts.topics import AGENT_PREFIX, DOMAINS, INBOUND, TopicSpec, registry
from pipeline.settings import Settings

OFFICIAL_SCHEMA = Path(__file__).parent / "data" / "asyncapi" / "asyncapi-3.0.0.schema.json"


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    """The checked-in document."""
    return dict(json.loads(asyncapi.DOC_PATH.read_text(encoding="utf-8")))


def resolve(doc: dict[str, Any], ref: str) -> Any:
    """A local ``#/a/b`` JSON pointer of the document."""
    assert ref.startswith("#/"), ref
    node: Any = doc
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def deref(doc: dict[str, Any], node: Any) -> Any:
    """Follow local $refs until a node that is not one."""
    while isinstance(node, dict) and set(node) == {"$ref"} and node["$ref"].startswith("#/"):
        node = resolve(doc, node["$ref"])
    return node


def test_checked_in_document_is_current(doc: dict[str, Any]) -> None:
    """Regenerating gives the checked-in file byte for byte (run python -m pipeline.contracts.asyncapi --write)."""
    assert asyncapi.DOC_PATH.read_text(encoding="utf-8") == asyncapi.render(asyncapi.build()), (
        "docs/asyncapi.json is stale: run .venv/bin/python -m pipeline.contracts.asyncapi --write"
    )


def test_check_command_exits_nonzero_when_stale(tmp_path: Path) -> None:
    """``--check`` passes on the checked-in file and fails on a stale one."""
    run = [sys.executable, "-m", "pipeline.contracts.asyncapi", "--check"]
    assert subprocess.run(run, capture_output=True, check=False).returncode == 0
    stale = tmp_path / "asyncapi.json"
    stale.write_text(asyncapi.render(asyncapi.build()).replace("edi.inbound", "edi.in"))
    res = subprocess.run(
        [*run, "--output", str(stale)], capture_output=True, text=True, check=False
    )
    assert res.returncode == 1 and "stale" in res.stderr


def test_build_ignores_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The document does not depend on EDI_MESH_* variables of whoever regenerates it."""
    monkeypatch.setenv("EDI_MESH_PARTITIONS", "17")
    monkeypatch.setenv("EDI_MESH_TOPIC_PREFIX", "prod.")
    doc = asyncapi.build()
    assert (
        doc["channels"][INBOUND]["bindings"]["kafka"]["partitions"]
        == Settings.model_fields["partitions"].default
    )
    assert doc["channels"][INBOUND]["address"] == INBOUND


def test_valid_against_the_official_asyncapi_schema(doc: dict[str, Any]) -> None:
    """The official AsyncAPI 3.0.0 JSON Schema accepts the document, and rejects a broken one."""
    schema = json.loads(OFFICIAL_SCHEMA.read_text(encoding="utf-8"))
    validator = Draft7Validator(schema)
    errors = sorted(validator.iter_errors(doc), key=str)
    assert not errors, f"{errors[0].message[:300]} at {list(errors[0].absolute_path)}"
    broken = json.loads(json.dumps(doc))
    broken["channels"][INBOUND]["bindings"]["kafka"]["partitions"] = "four"
    assert not validator.is_valid(broken)
    broken = json.loads(json.dumps(doc))
    broken["operations"]["send.edi.inbound"]["action"] = "publish"  # AsyncAPI 2 wording
    assert not validator.is_valid(broken)


def test_top_level_fields(doc: dict[str, Any]) -> None:
    """asyncapi 3.0.0 with info, channels, operations and components."""
    assert doc["asyncapi"] == "3.0.0"
    assert doc["info"]["title"] == "edi-mesh" and doc["info"]["version"]
    for key in ("channels", "operations", "components"):
        assert doc[key], key


def test_every_topic_has_a_channel(doc: dict[str, Any]) -> None:
    """One channel per registry topic (addressed by its name), with its Kafka topic binding."""
    specs = registry()
    assert set(doc["channels"]) == {s.name for s in specs}
    assert {AGENT_PREFIX + d for d in DOMAINS} <= set(doc["channels"])
    defaults = Settings.model_construct()
    for spec in specs:
        ch = doc["channels"][spec.name]
        kafka = ch["bindings"]["kafka"]
        assert ch["address"] == kafka["topic"] == spec.name
        assert kafka["partitions"] == (spec.partitions or defaults.partitions)
        assert kafka["replicas"] == defaults.replication
        config = kafka.get("topicConfiguration", {})
        assert {
            k: ",".join(v) if isinstance(v, list) else str(v) for k, v in config.items()
        } == spec.config


def _message_of(doc: dict[str, Any], spec: TopicSpec) -> dict[str, Any]:
    """The (single) message of a topic's channel, dereferenced."""
    messages = doc["channels"][spec.name]["messages"]
    assert len(messages) == 1
    return dict(deref(doc, next(iter(messages.values()))))


def test_messages_describe_key_headers_and_payload(doc: dict[str, Any]) -> None:
    """Key schema, every TopicSpec header as a documented string, and the payload kind."""
    for spec in registry():
        msg = _message_of(doc, spec)
        assert msg["bindings"]["kafka"]["key"]["type"] == "string"
        headers = msg.get("headers", {"properties": {}})["properties"]
        assert list(headers) == list(spec.headers), spec.name
        for name, h in headers.items():
            assert h["type"] == "string"
            assert h["description"] != asyncapi.UNDOCUMENTED_HEADER, f"header {name} undocumented"
        payload = deref(doc, msg["payload"])
        if spec.schema is None:
            assert payload == {
                "type": "string",
                "format": "binary",
                "description": payload["description"],
            }
            assert msg["contentType"] == "application/octet-stream"
        else:
            payload = dict(payload)
            extra = payload.pop("x-edi-data-schemas", None)
            assert payload == {"$ref": asyncapi.SCHEMA_REF_BASE + spec.schema}
            assert msg.get("contentType", doc["defaultContentType"]) == "application/json"
            if extra is not None:  # documents: the per-type schemas with data, all existing
                assert spec.schema == asyncapi.DOCUMENT_SCHEMA and "850" in extra
                assert all((asyncapi.DOC_PATH.parent / f).is_file() for f in extra.values())


def test_every_payload_schema_resolves(doc: dict[str, Any]) -> None:
    """File $refs (relative to docs/) name draft 2020-12 schemas that exist."""
    base = asyncapi.DOC_PATH.parent
    refs = [
        s["$ref"]
        for s in doc["components"]["schemas"].values()
        if "$ref" in s and not s["$ref"].startswith("#")
    ]
    assert len(refs) == 5
    for ref in refs:
        target = (base / ref).resolve()
        assert target.is_file(), ref
        Draft202012Validator.check_schema(json.loads(target.read_text(encoding="utf-8")))


def test_every_local_ref_resolves(doc: dict[str, Any]) -> None:
    """Every ``#/...`` $ref in the document points at something."""

    def walk(node: Any) -> None:
        """Resolve the $refs under ``node``."""
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/"):
                resolve(doc, ref)
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(doc)


def test_operations(doc: dict[str, Any]) -> None:
    """edi-mesh's point of view: it sends to every agent topic and receives edi.inbound."""
    ops = doc["operations"]
    for name, op in ops.items():
        assert op["action"] in ("send", "receive")
        channel = op["channel"]["$ref"]
        assert name == f"{op['action']}.{channel.removeprefix('#/channels/')}"
        for m in op["messages"]:
            assert m["$ref"].startswith(channel + "/messages/")
    covered = {op["channel"]["$ref"].removeprefix("#/channels/") for op in ops.values()}
    assert covered == set(doc["channels"])
    for d in DOMAINS:
        assert ops[f"send.{AGENT_PREFIX}{d}"]["action"] == "send"
    assert f"receive.{AGENT_PREFIX}orders" not in ops
    assert "receive.edi.inbound" in ops


def test_a_topic_without_a_role_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """A new registry topic must be given a role before the document can be built."""
    extra = TopicSpec("edi.mystery", key="partner id", value="?")
    monkeypatch.setattr(asyncapi, "registry", lambda: [*registry(), extra])
    with pytest.raises(KeyError, match=r"edi\.mystery"):
        asyncapi.build()
