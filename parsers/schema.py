"""The JSON Schema of a type's document ``data``, generated from its dictionary.

Known keys are described precisely (titles are the standard's names, with the
tag and position); keys the matcher may add for segments a dictionary does not
expect (bare tags, ``_n`` suffixes) are allowed by ``additionalProperties``
with the generic segment / loop shape, so every document ``parsers.data``
builds validates, even one with findings. ``edi-mesh schema TYPE`` prints it.
"""

from __future__ import annotations

from typing import Any

from parsers.dictionary import Dictionary, ElementSpec, LoopSpec, SegmentSpec, lookup

__all__ = ["data_schema"]

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
