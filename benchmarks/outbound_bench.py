"""Outbound rendering benchmark: edi.outbound JSON requests to enveloped interchanges, per core.

Times the worker's pure path (``decode_request`` from JSON bytes, then
``render`` / ``render_batch``, which check every value) for single 855s, for
batches of 855s in one group, and for single EDIFACT ORDRSPs, and, in the same
run as a baseline, ``parsers.parse`` of the very bytes rendered (one 855
interchange). Best of N repeats; prints one JSON object.

    .venv/bin/python -m benchmarks.outbound_bench --requests 5000 --batch 50 --repeats 5
"""

from __future__ import annotations

import json
import platform
import time
from collections.abc import Callable
from typing import Any

import click
import orjson

import parsers
from parsers.outbound import (
    Controls,
    Envelope,
    OutboundRequest,
    Rendered,
    decode_request,
    render,
    render_batch,
)

X12_ENV = Envelope("OURCO", "ACMEBUYER", "ZZ", "01", version="005010")
EDIFACT_ENV = Envelope("5412345000013", "5498765000019", "14", "14", syntax="UNOC")


def _855(i: int) -> bytes:
    """A realistic 855 request (acknowledgement with 5 lines) as the agent sends it."""
    lines: list[list[Any]] = []
    for n in range(1, 6):
        lines += [
            ["PO1", str(n), str(n * 3), "EA", f"{n}.25", "", "BP", f"SKU-{n:05d}", "VP", f"V{n}"],
            ["ACK", "IA", str(n * 3), "EA", "068", "20240310"],
        ]
    segs = [["BAK", "00", "AC", f"PO-{i}", "20240304"], ["N1", "ST", "ACME DC 7", "92", "0007"]]
    req = {"partner": "acme", "standard": "x12", "type": "855", "idempotency_key": f"k{i}",
           "reply_to": f"doc-{i}", "segments": [*segs, *lines, ["CTT", "5"]]}  # fmt: skip
    return orjson.dumps(req)


def _ordrsp(i: int) -> bytes:
    """An ORDRSP request with 5 lines."""
    segs: list[list[Any]] = [["BGM", "231", f"RSP{i}", "29"], ["DTM", ["137", "20240305", "102"]]]
    for n in range(1, 6):
        segs += [["LIN", str(n), "", [f"40008621414{n:02d}", "SRS"]], ["QTY", ["21", str(n)]]]
    return orjson.dumps({"partner": "acme", "standard": "edifact", "type": "ORDRSP",
                         "segments": segs})  # fmt: skip


def _best(fn: Callable[[], int], repeats: int) -> tuple[float, int]:
    """Best wall time of ``fn`` over ``repeats`` runs, and its item count."""
    best, n = float("inf"), 0
    for _ in range(repeats):
        t0 = time.perf_counter()
        n = fn()
        best = min(best, time.perf_counter() - t0)
    return best, n


def _singles(raws: list[bytes], env: Envelope) -> Callable[[], int]:
    """Decode and render each request as its own interchange."""

    def run() -> int:
        for i, raw in enumerate(raws):
            req = decode_request(raw)
            assert isinstance(req, OutboundRequest)
            out = render(req, env, Controls(i + 1, i + 1, 1))
            assert isinstance(out, Rendered)
        return len(raws)

    return run


def _batches(raws: list[bytes], size: int) -> Callable[[], int]:
    """Decode every request and render them ``size`` at a time into one group each."""

    def run() -> int:
        reqs = [decode_request(r) for r in raws]
        for k in range(0, len(reqs), size):
            chunk = [r for r in reqs[k : k + size] if isinstance(r, OutboundRequest)]
            out = render_batch(chunk, X12_ENV, Controls(k + 1, k + 1, 1))
            assert isinstance(out, Rendered)
        return len(raws)

    return run


def _parse(data: list[bytes]) -> Callable[[], int]:
    """The baseline: parse each rendered interchange with our parser."""

    def run() -> int:
        for d in data:
            assert parsers.parse(d).valid
        return len(data)

    return run


def _rate(name: str, fn: Callable[[], int], repeats: int) -> dict[str, Any]:
    """One measurement as requests (or interchanges) per second."""
    s, n = _best(fn, repeats)
    return {"name": name, "items": n, "best_s": round(s, 6), "per_s": round(n / s)}


def run(requests: int, batch: int, repeats: int) -> dict[str, Any]:
    """Every measurement; the JSON-ready result."""
    x12 = [_855(i) for i in range(requests)]
    edi = [_ordrsp(i) for i in range(requests)]
    first = decode_request(x12[0])
    assert isinstance(first, OutboundRequest)
    rendered = [render(first, X12_ENV, Controls(i + 1)) for i in range(requests)]
    data = [r.data for r in rendered if isinstance(r, Rendered)]
    results = {
        "x12_855_single": _rate("decode+render 855", _singles(x12, X12_ENV), repeats),
        "x12_855_batch": _rate(f"decode+render_batch 855 x{batch}", _batches(x12, batch), repeats),
        "edifact_ordrsp_single": _rate("decode+render ORDRSP", _singles(edi, EDIFACT_ENV), repeats),
        "baseline_parse_855": _rate("parsers.parse of one rendered 855", _parse(data), repeats),
    }
    base = results["baseline_parse_855"]["per_s"]
    for r in results.values():
        r["ratio_to_parse"] = round(r["per_s"] / base, 2)
    return {
        "benchmark": "outbound",
        "machine": {"python": platform.python_version(), "processor": platform.processor()},
        "repeats": repeats,
        "request_bytes": len(x12[0]),
        "interchange_bytes": len(data[0]),
        "segments_per_855": len(first.segments or []) + 6,
        "results": results,
    }


@click.command("outbound")
@click.option("--requests", default=5000, show_default=True, type=int)
@click.option("--batch", default=50, show_default=True, type=int, help="Requests per group.")
@click.option("--repeats", default=5, show_default=True, type=int)
def main(requests: int, batch: int, repeats: int) -> None:
    """Print the outbound rendering benchmark's JSON."""
    print(json.dumps(run(requests, batch, repeats), indent=2))


if __name__ == "__main__":
    main()
