"""What ``data`` costs: build_data (and content validation) vs today's to-JSON, same run.

For generated 850, 837 and ORDERS inputs (benchmarks.generate, fixed seed) it
times, best of ``repeats``, in one process:

    json        parsers.parse + render_documents (today's documents, orjson bytes)
    data        build_data over every transaction's segments (no validation)
    data_valid  build_data with content validation (level ``standard``)
    json_data   json + data + orjson of the data trees: the document with ``data``
    documents   parsers.parse + render_documents(with_data=True): the path the
                pipeline and ``edi-mesh parse`` take (``documents_data_ratio``)

and prints JSON: segments/s of each and ``data_json_ratio`` = json_data rate /
json rate (the issue's goal: ``data`` costs no more than 40%, i.e. ratio >= 0.6).

    .venv/bin/python -m benchmarks.data_bench --size 2M --repeats 3
"""

from __future__ import annotations

import gc
import json
import time
from collections.abc import Callable
from typing import Any

import click
import orjson

import parsers
from benchmarks.generate import generate_bytes, parse_size
from parsers.content import checker_for
from parsers.data import build_data
from parsers.dictionary import lookup
from parsers.documents import render_documents, split_segments

__all__ = ["run"]

INPUTS: dict[str, dict[str, Any]] = {
    "x12_850": {"mix": "850", "lines": (1, 30)},
    "x12_837": {"mix": "837", "lines": (1, 12)},
    "edifact_orders": {"mix": "ORDERS", "lines": (1, 30)},
}


def _best(fn: Callable[[], object], repeats: int) -> float:
    """Best wall time of ``fn`` over ``repeats`` runs, with the GC collected first."""
    best = float("inf")
    for _ in range(repeats):
        gc.collect()
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def _transactions(data: bytes) -> list[tuple[str, str, str, list[Any]]]:
    """(standard, version, type, segments) of every transaction, split once."""
    out = []
    for ic in parsers.parse(data).interchanges:
        for g in ic.groups:
            for tx in g.transactions:
                split, _ = split_segments(tx.segments, ic.delimiters, "\n".join(tx.segments))
                out.append((str(ic.standard), tx.version, tx.type, split))
    return out


def _data_all(txs: list[tuple[str, str, str, list[Any]]], validate: bool) -> list[dict[str, Any]]:
    """build_data over every transaction (optionally with content validation)."""
    out = []
    for std, ver, typ, segs in txs:
        d = lookup(std, ver, typ)
        errors: list[Any] | None = [] if validate and d is not None else None
        check = checker_for(d) if errors is not None and d is not None else None
        out.append(build_data(d, segs, errors, check))
    return out


def _json(data: bytes, with_data: bool = False) -> int:
    """Today's documents (or, ``with_data``, the documents with ``data``) as JSON bytes."""
    res = parsers.parse(data)
    return sum(
        len(b)
        for ic in res.interchanges
        for b in render_documents(ic, partner=None, source={}, with_data=with_data)
    )


def _one(name: str, size: int, repeats: int, seed: int) -> dict[str, Any]:
    """Rates of one input."""
    raw, _ = generate_bytes(
        seed=seed, target_bytes=size, transactions_per_interchange=20, partners=5, **INPUTS[name]
    )
    txs = _transactions(raw)
    n = sum(len(t[3]) for t in txs)
    lookup(*txs[0][:3])  # compile the dictionary outside the timings (once per process)
    t_json = _best(lambda: _json(raw), repeats)
    t_data = _best(lambda: _data_all(txs, False), repeats)
    t_valid = _best(lambda: _data_all(txs, True), repeats)
    t_dump = _best(lambda: [orjson.dumps(d) for d in _data_all(txs, False)], repeats)
    t_both = t_json + t_dump
    t_docs = _best(lambda: _json(raw, with_data=True), repeats)
    return {
        "bytes": len(raw),
        "segments": n,
        "transactions": len(txs),
        "json_segments_per_s": round(n / t_json),
        "data_segments_per_s": round(n / t_data),
        "data_validated_segments_per_s": round(n / t_valid),
        "json_with_data_segments_per_s": round(n / t_both),
        "data_json_ratio": round(t_json / t_both, 3),
        "documents_with_data_segments_per_s": round(n / t_docs),
        "documents_data_ratio": round(t_json / t_docs, 3),
        "dictionary": lookup(*txs[0][:3]).descriptor(),  # type: ignore[union-attr]
    }


def run(size: int, repeats: int, seed: int) -> dict[str, Any]:
    """Every input's rates, as one JSON-able object."""
    return {
        "benchmark": "data",
        "size": size,
        "repeats": repeats,
        "results": {name: _one(name, size, repeats, seed) for name in INPUTS},
        "goal": {"data_json_ratio_min": 0.6},
    }


@click.command("data")
@click.option("--size", default="1M", show_default=True, help="Bytes per generated input.")
@click.option("--repeats", default=3, show_default=True)
@click.option("--seed", default=0, show_default=True)
def main(size: str, repeats: int, seed: int) -> None:
    """Print the data benchmark as JSON."""
    print(json.dumps(run(parse_size(size), repeats, seed), indent=1))


if __name__ == "__main__":
    main()
