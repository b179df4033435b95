"""A/B of the parser implementations in one run: the compiled core against pure Python.

Same process, same generated inputs, runs interleaved (python, rust, python,
...) and the best of N kept per stage: tokenize + envelope (``parsers.parse``:
segments/s, MB/s), element splitting (``split_segments`` over every
transaction: segments/s) and to JSON with ``data`` (parse + render: documents/s,
segments/s), as process CPU time (the machine's cores are shared). Prints
one JSON object with both figures and ``ratio`` (the speed-up, python time /
rust time). Run ``python -m benchmarks.core_bench`` or ``edi-mesh bench core``.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import Any

import click

from benchmarks import common
from benchmarks.generate import generate_bytes, parse_size
from parsers import accel

_SOURCE = {"channel": "file", "filename": "b.edi", "sha256": "0" * 64, "ingest_id": "b"}
MIXES = ("850", "837", "edifact", "all")


def _stages(data: bytes) -> dict[str, Callable[[], int]]:
    """The timed stages on ``data``; each returns a count (segments or documents)."""
    import parsers
    from parsers.documents import render_documents, split_segments

    parsed = parsers.parse(data)

    def tokenize() -> int:
        return sum(len(t.segments) for t in parsers.parse(data).transactions)

    def split() -> int:
        n = 0
        for ic in parsed.interchanges:
            for g in ic.groups:
                for t in g.transactions:
                    n += len(split_segments(t.segments, ic.delimiters)[0])
        return n

    def to_json() -> int:
        docs = 0
        for ic in parsers.parse(data).interchanges:
            docs += len(render_documents(ic, partner=None, source=_SOURCE, with_data=True))
        return docs

    return {"tokenize_envelope": tokenize, "split": split, "to_json": to_json}


def _best(fn: Callable[[], int]) -> tuple[float, int]:
    """One call's CPU time (after a collection): steadier than wall time on a shared machine."""
    gc.collect()
    t0 = time.process_time()
    n = fn()
    return time.process_time() - t0, n


def measure(mix: str, size: int, repeats: int, seed: int = 0) -> dict[str, Any]:
    """Both implementations' figures on one generated input, with their ratio per stage."""
    data, st = generate_bytes(
        seed=seed, target_bytes=size, mix=mix, transactions_per_interchange=10, partners=5
    )
    segs, docs = st.segments, st.transactions
    best: dict[str, dict[str, float]] = {"python": {}, "rust": {}}
    for _ in range(repeats):
        for impl in ("python", "rust"):
            accel.set_core(impl == "rust")
            if accel.implementation() != impl:
                continue
            for name, fn in _stages(data).items():
                t, _n = _best(fn)
                best[impl][name] = min(best[impl].get(name, t), t)
    accel.set_core(True)
    out: dict[str, Any] = {"input": mix, "bytes": len(data), "segments": segs, "documents": docs}
    for name in ("tokenize_envelope", "split", "to_json"):
        row: dict[str, Any] = {}
        for impl, times in best.items():
            t = times.get(name)
            row[impl] = None if t is None else {
                "best_s": round(t, 6),
                "segments_per_s": round(segs / t),
                "mb_per_s": round(len(data) / t / 1e6, 2),
                **({"documents_per_s": round(docs / t)} if name == "to_json" else {}),
            }  # fmt: skip
        py, rs = best["python"].get(name), best["rust"].get(name)
        row["ratio"] = round(py / rs, 2) if py and rs else None  # speed-up: rust over python
        out[name] = row
    return out


def run(size: int, repeats: int, mixes: tuple[str, ...] = MIXES) -> dict[str, Any]:
    """The report: machine, implementation available, one entry per input."""
    accel.set_core(True)
    return {
        "benchmark": "core",
        "core": accel.describe(),
        "machine": common.machine_info(),
        "size": size,
        "repeats": repeats,
        "inputs": [measure(m, size, repeats) for m in mixes],
    }


@click.command("core")
@click.option("--size", default="2M", show_default=True, help="Size of each generated input.")
@click.option("-n", "--repeats", default=5, show_default=True, help="Best of N, interleaved.")
@click.option("--mix", "mixes", multiple=True, help=f"Inputs (default: {', '.join(MIXES)}).")
@click.option("--out", default=None, help="Also write the JSON here.")
def core_cmd(size: str, repeats: int, mixes: tuple[str, ...], out: str | None) -> None:
    """A/B the compiled parser core against pure Python; print one JSON object."""
    from pathlib import Path

    report = run(parse_size(size), repeats, mixes or MIXES)
    click.echo(common.write_report(report, Path(out) if out else None))


if __name__ == "__main__":
    core_cmd()
