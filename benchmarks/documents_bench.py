"""Document-stage benchmark: parsed interchanges to agent-document JSON bytes, per core.

Times ``parsers.documents.render_documents`` alone (parsing is done before the
clock starts) on generated inputs (benchmarks.generate, one per mix) and on the
corpus's valid files, best of N repeats, and prints one JSON object with
segments/s and bytes/segment per input plus the total. Every transaction is
rendered (``only_accepted=False``): some corpus fixtures carry wrong counts.

    .venv/bin/python -m benchmarks.documents_bench --size 4M --repeats 5
"""

from __future__ import annotations

import json
import platform
import time
from pathlib import Path
from typing import Any

import click

import parsers
from benchmarks.generate import generate_bytes, parse_size
from parsers.documents import DEFAULT_MAX_SEGMENTS, render_documents
from parsers.model import Interchange

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
MIXES = {
    "x12_supply": "supply",
    "x12_hipaa": "hipaa",
    "x12_856": "856=1",
    "edifact": "edifact",
}
SOURCE = {"channel": "file", "filename": "bench.edi", "sha256": "0" * 64, "ingest_id": "bench"}
PARTNER = {"id": "bench", "name": "Bench"}


def _segments(ics: list[Interchange]) -> int:
    return sum(len(tx.segments) for ic in ics for tx in ic.transactions)


def _time(ics: list[Interchange], repeats: int, max_segments: int) -> dict[str, Any]:
    best = float("inf")
    out: list[list[bytes]] = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = [
            render_documents(
                ic, partner=PARTNER, source=SOURCE, max_segments=max_segments, only_accepted=False
            )
            for ic in ics
        ]
        best = min(best, time.perf_counter() - t0)
    n = _segments(ics)
    size = sum(len(b) for docs in out for b in docs)
    return {
        "segments": n,
        "documents": sum(len(d) for d in out),
        "best_s": round(best, 6),
        "segments_per_s": round(n / best),
        "json_bytes_per_segment": round(size / n, 1),
    }


def run(size: int, repeats: int, seed: int, max_segments: int) -> dict[str, Any]:
    """Measure every input; return the JSON-ready result."""
    inputs: dict[str, list[Interchange]] = {}
    for name, mix in MIXES.items():
        data, _ = generate_bytes(seed=seed, mix=mix, target_bytes=size, lines=(1, 20))
        inputs[name] = list(parsers.parse(data).interchanges)
    corpus = [
        p for sub in ("x12", "edifact") for p in sorted((CORPUS / sub).rglob("*")) if p.is_file()
    ]
    inputs["corpus"] = [ic for p in corpus for ic in parsers.parse(p.read_bytes()).interchanges]
    results = {name: _time(ics, repeats, max_segments) for name, ics in inputs.items()}
    total_n = sum(r["segments"] for r in results.values())
    total_s = sum(r["best_s"] for r in results.values())
    return {
        "benchmark": "documents",
        "machine": {"python": platform.python_version(), "processor": platform.processor()},
        "repeats": repeats,
        "max_segments": max_segments,
        "inputs": results,
        "total_segments_per_s": round(total_n / total_s),
        "goal_segments_per_s": 400_000,
    }


@click.command("documents")
@click.option("--size", default="4M", show_default=True, help="Size of each generated input.")
@click.option("--repeats", default=5, show_default=True, type=int)
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--max-segments", default=DEFAULT_MAX_SEGMENTS, show_default=True, type=int)
def main(size: str, repeats: int, seed: int, max_segments: int) -> None:
    """Print the document benchmark's JSON."""
    print(json.dumps(run(parse_size(size), repeats, seed, max_segments), indent=2))


if __name__ == "__main__":
    main()
