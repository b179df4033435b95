"""The JSON Schemas of edi-mesh's JSON topic values, by the file names ``TopicSpec.schema`` uses.

``document.schema.json`` here is a symbolic link to ``parsers/document.schema.json``
(the parsers own it; one source, and wheels get a copy of the file).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import orjson
from jsonschema import Draft202012Validator

SCHEMAS_DIR = Path(__file__).resolve().parent


def path(name: str) -> Path:
    """The file of schema ``name`` (``deadletter.schema.json``); raise FileNotFoundError if none."""
    p = SCHEMAS_DIR / name
    if not p.is_file():
        raise FileNotFoundError(f"no schema {name!r} in {SCHEMAS_DIR}")
    return p


@cache
def load(name: str) -> dict[str, Any]:
    """Schema ``name`` as a dict (cached: treat it as read-only)."""
    data: dict[str, Any] = orjson.loads(path(name).read_bytes())
    return data


@cache
def validator(name: str) -> Draft202012Validator:
    """A draft 2020-12 validator of schema ``name`` (cached; the schema itself is checked first)."""
    schema = load(name)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)
