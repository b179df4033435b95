"""Prune the official AsyncAPI 3.0.0 JSON Schema to its Kafka bindings (see README.md beside it)."""

from __future__ import annotations

import json
import sys
from typing import Any

BINDINGS = (
    "serverBindingsObject",
    "channelBindingsObject",
    "messageBindingsObject",
    "operationBindingsObject",
)


def refs(node: Any, out: set[str]) -> None:
    """Collect the #/definitions/<name> targets referenced under node."""
    if isinstance(node, dict):
        r = node.get("$ref")
        if isinstance(r, str) and r.startswith("#/definitions/"):
            out.add(r.split("/")[2])
        for v in node.values():
            refs(v, out)
    elif isinstance(node, list):
        for v in node:
            refs(v, out)


def prune(schema: dict[str, Any]) -> dict[str, Any]:
    """Other protocols' bindings become {} (anything); unreachable definitions are dropped."""
    defs = schema["definitions"]
    for name in BINDINGS:
        props = defs[name]["properties"]
        for proto in props:
            if proto != "kafka":
                props[proto] = {}
    keep: set[str] = set()
    todo: set[str] = set()
    refs({k: v for k, v in schema.items() if k != "definitions"}, todo)
    while todo:
        name = todo.pop()
        if name in keep:
            continue
        keep.add(name)
        found: set[str] = set()
        refs(defs[name], found)
        todo |= found - keep
    schema["definitions"] = {k: v for k, v in defs.items() if k in keep}
    return schema


if __name__ == "__main__":
    src, dst = sys.argv[1], sys.argv[2]
    with open(src, encoding="utf-8") as f:
        data = prune(json.load(f))
    with open(dst, "w", encoding="utf-8") as f:
        json.dump(data, f, separators=(",", ":"), ensure_ascii=False)
        f.write("\n")
