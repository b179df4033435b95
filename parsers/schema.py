"""The JSON Schema of a type's document ``data``, generated from its dictionary.

Known keys are described precisely (titles are the standard's names, with the
tag and position); keys the matcher may add for segments a dictionary does not
expect (bare tags, ``_n`` suffixes) are allowed by ``additionalProperties``
with the generic segment / loop shape, so every document ``parsers.data``
builds validates, even one with findings. ``edi-mesh schema TYPE`` prints it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from parsers.dictionary import Dictionary, ElementSpec, LoopSpec, SegmentSpec, lookup

__all__ = [
    "COMMON_TYPES",
    "data_schema",
    "default_version",
    "document_schema",
    "render_schema",
    "schema_files",
]

_DEFS: dict[str, Any] = {
    "text": {"type": "string"},
    "coded": {
        "type": "object",
        "required": ["code"],
        "properties": {"code": {"type": "string"}, "description": {"type": "string"}},
        "additionalProperties": False,
    },
    "dated": {
        "type": "object",
        "required": ["value", "iso"],
        "properties": {"value": {"type": "string"}, "iso": {"type": "string"}},
        "additionalProperties": False,
    },
    "simple": {
        "anyOf": [{"$ref": "#/$defs/text"}, {"$ref": "#/$defs/coded"}, {"$ref": "#/$defs/dated"}]
    },
    "composite": {
        "type": "object",
        "properties": {"_components": {"type": "integer", "minimum": 1}},
        "patternProperties": {"^[a-z0-9_]*_[0-9]{2}$": {"$ref": "#/$defs/simple"}},
        "additionalProperties": False,
    },
    "coded_value": {
        "anyOf": [
            {"$ref": "#/$defs/coded"},
            {"$ref": "#/$defs/composite"},
            {
                "type": "array",
                "items": {"anyOf": [{"$ref": "#/$defs/simple"}, {"$ref": "#/$defs/composite"}]},
            },
            {"$ref": "#/$defs/text"},
        ]
    },
    "dated_value": {
        "anyOf": [
            {"$ref": "#/$defs/dated"},
            {"$ref": "#/$defs/text"},
            {"$ref": "#/$defs/composite"},
            {
                "type": "array",
                "items": {"anyOf": [{"$ref": "#/$defs/simple"}, {"$ref": "#/$defs/composite"}]},
            },
        ]
    },
    "value": {
        "anyOf": [
            {"$ref": "#/$defs/simple"},
            {"$ref": "#/$defs/composite"},
            {
                "type": "array",
                "items": {"anyOf": [{"$ref": "#/$defs/simple"}, {"$ref": "#/$defs/composite"}]},
            },
        ]
    },
    "segment": {
        "type": "object",
        "properties": {"_elements": {"type": "integer", "minimum": 1}, "_tag": {"type": "string"}},
        "patternProperties": {"^[a-z0-9_]*_[0-9]{2}$": {"$ref": "#/$defs/value"}},
        "additionalProperties": False,
    },
    "any_loop": {
        "type": "object",
        "additionalProperties": {"$ref": "#/$defs/member"},
    },
    "member": {
        "anyOf": [
            {"$ref": "#/$defs/segment"},
            {
                "type": "array",
                "items": {"anyOf": [{"$ref": "#/$defs/segment"}, {"$ref": "#/$defs/any_loop"}]},
            },
        ]
    },
}


def _kind(e: ElementSpec) -> str:
    """Which value shape the builder renders for a simple element."""
    if e.codes is not None or e.descriptions is not None or e.type == "ID":
        return "coded_value"
    return "dated_value" if e.type in ("DT", "TM") else "value"


def _element_schema(tag: str, e: ElementSpec) -> dict[str, Any]:
    """One element key: its title, position and value shape (components titled in x-components)."""
    out: dict[str, Any] = {"title": e.name, "description": f"{tag}{e.pos:02d} ({e.ref})"}
    if e.components is not None:
        out["$ref"] = "#/$defs/value"
        out["x-components"] = {c.key: c.name for c in e.components}
    else:
        out["$ref"] = f"#/$defs/{_kind(e)}"
    return out


def _segment_schema(s: SegmentSpec) -> dict[str, Any]:
    """A segment object: its named elements (extra ones positional)."""
    props: dict[str, Any] = {"_elements": {"type": "integer", "minimum": 1}}
    for e in s.elements:
        props[e.key] = _element_schema(s.tag, e)
    return {
        "type": "object",
        "title": s.name or s.tag,
        "description": f"segment {s.tag}",
        "properties": props,
        "patternProperties": {"^element_[0-9]{2}$": {"$ref": "#/$defs/value"}},
        "additionalProperties": False,
    }


def _loop_schema(loop: LoopSpec) -> dict[str, Any]:
    """A loop instance object: one property per child, in dictionary order."""
    props: dict[str, Any] = {}
    required: list[str] = []
    for c in loop.children:
        if isinstance(c, SegmentSpec):
            seg = _segment_schema(c)
            many = {"type": "array", "items": seg, "x-max-use": c.max}  # over-use is a finding
            # a max-use-1 segment repeated (a finding too) becomes an array of its objects
            props[c.key] = {"anyOf": [seg, many]} if c.max == 1 else many
        else:
            props[c.key] = {
                "type": "array",
                "title": c.name,
                "description": f"loop {c.id}",
                "items": _loop_schema(c),
            }
        if c.req:
            required.append(c.key)
    return {
        "type": "object",
        "properties": props,
        "x-required-by-dictionary": required,
        "additionalProperties": {"$ref": "#/$defs/member"},
    }


def schema_of(d: Dictionary | None, type: str) -> dict[str, Any]:
    """The schema of ``data`` read with ``d`` (the generic tree when None)."""
    root: dict[str, Any] = _loop_schema(d.root) if d is not None else {"$ref": "#/$defs/any_loop"}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"{type} data",
        "description": (
            f"edi-mesh document data of {type}, read with {d.name} (requested {d.requested!r}, exact: {d.exact})"
            if d is not None
            else f"edi-mesh document data of {type}: no dictionary, positional keys"
        ),
        "x-edi-dictionary": d.descriptor() if d is not None else None,
        **root,
        "$defs": _DEFS,
    }


def data_schema(standard: str, version: str, type: str) -> dict[str, Any]:
    """The JSON Schema of the ``data`` of a ``standard`` / ``version`` / ``type`` document."""
    return schema_of(lookup(standard, version, type), type)


# The types whose schemas are generated into docs/schemas/ (standard, type).
COMMON_TYPES: tuple[tuple[str, str], ...] = (
    *(("x12", t) for t in ("850", "855", "856", "810", "837", "835", "834", "270", "271")),
    ("x12", "997"),
    ("x12", "999"),
    *(("edifact", t) for t in ("ORDERS", "INVOIC", "DESADV", "ORDRSP")),
)
# HIPAA types are read with their 5010 guide by default; the rest with 004010 / D21A.
_HIPAA_DEFAULTS = {
    "837": "005010X222A1",
    "835": "005010X221A1",
    "834": "005010X220A1",
    "270": "005010X279A1",
    "271": "005010X279A1",
    "276": "005010X212",
    "277": "005010X212",
    "278": "005010X217",
    "820": "005010X218",
    "999": "005010X231A1",
}
_DOCUMENT_SCHEMA = Path(__file__).with_name("document.schema.json")


def default_version(standard: str, type: str) -> str:
    """The version ``edi-mesh schema`` reads a type with when none is given."""
    if standard == "edifact":
        return "D21A"
    return _HIPAA_DEFAULTS.get(type, "004010")


def document_schema(standard: str, version: str, type: str) -> dict[str, Any]:
    """The document schema with ``data`` required and described by the type's dictionary.

    The envelope fields are ``parsers/document.schema.json``'s; the data tree's
    definitions join its ``$defs`` (their names do not clash).
    """
    doc: dict[str, Any] = json.loads(_DOCUMENT_SCHEMA.read_text(encoding="utf-8"))
    data = data_schema(standard, version, type)
    defs = data.pop("$defs")
    for k in ("$schema", "title"):
        data.pop(k, None)
    doc["$id"] = f"urn:edi-mesh:document:1:{standard}:{version}:{type}"
    doc["title"] = f"edi-mesh agent document: {standard} {type} {version} with data"
    doc["required"] = [*doc["required"], "data", "dictionary"]
    doc["properties"]["type"] = {"const": type}
    doc["properties"]["data"] = {"oneOf": [{"type": "null"}, data]}
    doc["$defs"] = {**doc["$defs"], **defs}
    return doc


def render_schema(schema: dict[str, Any]) -> str:
    """A schema as the files under docs/schemas/ hold it: compact (they are large), stable."""
    return json.dumps(schema, ensure_ascii=False, separators=(",", ":")) + "\n"


def schema_files() -> dict[str, str]:
    """``{file name: text}`` of the generated schemas of :data:`COMMON_TYPES` (docs/schemas/)."""
    out: dict[str, str] = {}
    for standard, type in COMMON_TYPES:
        version = default_version(standard, type)
        name = f"{standard}-{type}-{version}.schema.json"
        out[name] = render_schema(document_schema(standard, version, type))
    return out


if __name__ == "__main__":  # python -m parsers.schema --write docs/schemas
    import sys

    if sys.argv[1:2] != ["--write"] or len(sys.argv) != 3:
        sys.exit("usage: python -m parsers.schema --write DIR")
    target = Path(sys.argv[2])
    target.mkdir(parents=True, exist_ok=True)
    for fname, text in schema_files().items():
        (target / fname).write_text(text, encoding="utf-8")
