"""Parser benchmark: our parser vs pyx12 and pydifact on the same inputs, in one process.

Implementations (each fed bytes, timed end to end, best of N repeats):

    ours_parse        parsers.parse(data): tokenize + envelope validation
    ours_json         parsers.parse + parsers.documents.render_documents: JSON bytes
    pyx12_reader      pyx12.x12file.X12Reader: tokenizing only
    pyx12_full        pyx12.x12n_document.x12n_document: map-driven full validation
    pydifact          pydifact Interchange.from_str + get_messages, per interchange

Inputs: generated X12 837, 850 and 835 files and an EDIFACT ORDERS/INVOIC
file of ``size`` bytes (pyx12 full validation gets ``full_size`` inputs: it is
slow, and its per-segment rate is what is compared), plus the real corpus
(``shared/corpus``) X12 and EDIFACT files that every tokenizer accepts.
Prints one JSON object: machine, inputs, results, ratios, goals.

    python -m benchmarks.parser_bench --size 4M --repeats 3 --out
"""

from __future__ import annotations

import contextlib
import csv
import gc
import io
import logging
import os
import platform
import re
import statistics
import sys
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import click

from benchmarks import common
from benchmarks.generate import GenerateStats, generate_bytes, parse_size

__all__ = ["GOALS", "default_corpus", "machine_info", "parser_cmd", "run"]

DEFAULT_OUT = common.RESULTS / "parser.json"

# The goals, per core (one process, one thread).
GOALS: dict[str, float] = {
    "ours_parse_segments_per_s": 2_000_000.0,
    "ours_json_segments_per_s": 400_000.0,
    "ours_vs_pyx12_reader": 8.0,
    "ours_vs_pyx12_full": 150.0,
}

# Generated inputs: name -> generator arguments (same seed for every implementation).
GENERATED: dict[str, dict[str, Any]] = {
    "x12_837": {"mix": "837", "lines": (1, 12)},
    "x12_850": {"mix": "850", "lines": (1, 30)},
    "x12_835": {"mix": "835", "lines": (1, 12)},
    "edifact_orders_invoic": {"mix": "ORDERS=1,INVOIC=1", "lines": (1, 30)},
}
# pyx12 full validation has maps for these (837 X222A1, 835 X221A1).
FULL_INPUTS = ("x12_837", "x12_835")


@dataclass
class Input:
    """One benchmark input: a list of byte strings handed to each implementation in turn."""

    name: str
    standard: str  # "x12" | "edifact"
    parts: list[bytes]  # one element for generated files; one per file for the corpus
    segments: int  # exact (generator) or counted by the reference tokenizer (corpus)
    transactions: int
    source: str  # "generated" | "corpus"
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def bytes(self) -> int:
        """Total size in bytes."""
        return sum(len(p) for p in self.parts)

    def describe(self) -> dict[str, Any]:
        """JSON description for the report."""
        return {
            "name": self.name,
            "standard": self.standard,
            "source": self.source,
            "bytes": self.bytes,
            "files": len(self.parts),
            "segments": self.segments,
            "transactions": self.transactions,
            **self.meta,
        }


# ---------------------------------------------------------------------------
# Implementations: each returns (segments seen, extra info) for one input part.
# ---------------------------------------------------------------------------


def _pyx12_reader(data: bytes) -> int:
    """Tokenize with pyx12's X12Reader; returns the number of segments it yielded."""
    from pyx12.x12file import X12Reader

    n = 0
    reader = X12Reader(io.StringIO(data.decode("latin-1")))
    for _ in reader:
        n += 1
    return n


def _pyx12_reader_all(parts: Sequence[bytes]) -> int:
    """X12Reader over each file in turn (it reads one delimiter set per stream)."""
    return sum(_pyx12_reader(p) for p in parts)


def _pyx12_count(data: bytes) -> tuple[int, int]:
    """(segments, transaction sets) as pyx12's X12Reader sees them."""
    from pyx12.x12file import X12Reader

    n = st = 0
    for seg in X12Reader(io.StringIO(data.decode("latin-1"))):
        n += 1
        st += seg.get_seg_id() == "ST"
    return n, st


def _pyx12_full(data: bytes) -> int:
    """Full pyx12 validation (maps, codes, loop counting); returns 1 when valid."""
    import pyx12.params
    import pyx12.x12n_document

    ok = pyx12.x12n_document.x12n_document(
        pyx12.params.params(), io.StringIO(data.decode("latin-1")), None, None, None, None
    )
    return int(bool(ok))


_EDIFACT_START = re.compile(rb"(?<![A-Za-z0-9])(?:UNA.{6}\s*)?UNB(?![A-Za-z0-9])", re.DOTALL)


def _edifact_interchanges(data: bytes) -> list[str]:
    """Split EDIFACT text into interchanges (UNA?UNB...) for pydifact, which takes one at a time."""
    text = data.decode("latin-1")
    starts = [m.start() for m in _EDIFACT_START.finditer(data)]
    if not starts or starts[0] != 0:
        starts = [0, *starts]
    ends = [*starts[1:], len(text)]
    return [text[a:b] for a, b in zip(starts, ends, strict=True) if text[a:b].strip()]


def _pydifact(chunks: Sequence[str]) -> int:
    """pydifact: Interchange.from_str + every message of each interchange; returns messages."""
    from pydifact.segmentcollection import Interchange

    n = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # it warns per segment tag that it has no XML spec for
        for text in chunks:
            for _ in Interchange.from_str(text).get_messages():
                n += 1
    return n


def _pydifact_count(data: bytes) -> tuple[int, int]:
    """(segments, messages) as pydifact's tokenizer sees them (UNA not counted)."""
    from pydifact.parser import Parser

    n = msgs = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for seg in Parser().parse(data.decode("latin-1")):
            n += seg.tag != "UNA"
            msgs += seg.tag == "UNH"
    return n, msgs


def _our_parse_fn() -> tuple[Callable[[bytes], Any] | None, str]:
    """``parsers.parse`` when it exists, else None and why."""
    try:
        import parsers
    except Exception as exc:  # pragma: no cover - parsers is part of this repo
        return None, f"import parsers failed: {exc!r}"
    fn = getattr(parsers, "parse", None)
    if fn is None:
        return None, "parsers.parse is not available yet"
    return fn, ""


def _render_fn() -> tuple[Callable[..., list[bytes]] | None, str]:
    """``parsers.documents.render_documents`` when it exists, else None and why."""
    try:
        from parsers.documents import render_documents
    except Exception as exc:
        return None, f"parsers.documents.render_documents unavailable: {exc!r}"
    return render_documents, ""


def _interchanges_of(result: Any) -> list[Any]:
    """The Interchange list of a parse result (a list, or an object with ``.interchanges``)."""
    ichs = getattr(result, "interchanges", result)
    return list(ichs)


_SOURCE = {
    "channel": "file",
    "filename": "bench.edi",
    "sha256": "0" * 64,
    "ingest_id": "bench",
    "received_at": "2024-01-01T00:00:00Z",
}

# ---------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------


@dataclass
class Timing:
    """Best and median wall time of N runs of one implementation on one input."""

    best: float
    median: float
    runs: list[float]
    out: Any = None


@dataclass
class _Job:
    """One implementation on one input; ``run_once`` adds one timed run."""

    impl: str
    input: Input
    fn: Callable[[], Any]
    runs: list[float] = field(default_factory=list)
    out: Any = None

    def run_once(self) -> None:
        """Collect garbage, then time one call."""
        gc.collect()
        t0 = time.perf_counter()
        self.out = self.fn()
        self.runs.append(time.perf_counter() - t0)

    def timing(self) -> Timing:
        """Best and median of the runs so far."""
        return Timing(min(self.runs), statistics.median(self.runs), self.runs, self.out)


def _to_json(parse: Callable[[bytes], Any], render: Callable[..., list[bytes]], data: bytes) -> int:
    """Parse, then render every accepted transaction to JSON bytes; returns the bytes produced."""
    n = 0
    for ich in _interchanges_of(parse(data)):
        for doc in render(ich, partner=None, source=_SOURCE):
            n += len(doc)
    return n


def _rates(inp: Input, t: Timing, segments: int | None = None) -> dict[str, Any]:
    segs = inp.segments if segments is None else segments
    return {
        "input": inp.name,
        "bytes": inp.bytes,
        "segments": segs,
        "best_s": round(t.best, 6),
        "median_s": round(t.median, 6),
        "runs_s": [round(r, 6) for r in t.runs],
        "segments_per_s": round(segs / t.best) if t.best > 0 else None,
        "mb_per_s": round(inp.bytes / t.best / 1e6, 3) if t.best > 0 else None,
    }


@contextlib.contextmanager
def _quiet_pyx12() -> Iterator[None]:
    """pyx12 logs every finding; silence it so logging cost and noise stay out of timings."""
    log = logging.getLogger("pyx12")
    old, old_prop = log.level, log.propagate
    log.setLevel(logging.CRITICAL + 1)
    log.propagate = False
    try:
        yield
    finally:
        log.setLevel(old)
        log.propagate = old_prop


# ---------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------


def default_corpus() -> Path | None:
    """``shared/corpus`` beside the repository, ``$EDI_MESH_CORPUS``, or /work/shared/corpus."""
    for p in (
        os.environ.get("EDI_MESH_CORPUS"),
        common.REPO.parent / "shared" / "corpus",
        "/work/shared/corpus",
    ):
        if p and Path(p).is_dir():
            return Path(p)
    return None


def _generated(name: str, size: int, seed: int, **kw: Any) -> tuple[Input, GenerateStats]:
    data, st = generate_bytes(
        seed=seed, target_bytes=size, transactions_per_interchange=20, partners=5, **kw
    )
    std = "edifact" if name.startswith("edifact") else "x12"
    inp = Input(
        name,
        std,
        [data],
        st.segments,
        st.transactions,
        "generated",
        {"by_type": st.by_type, "seed": seed},
    )
    return inp, st


def _corpus_inputs(
    corpus: Path, max_file_bytes: int | None
) -> tuple[list[Input], list[dict[str, str]]]:
    """Valid corpus files that the reference tokenizers accept, one input per standard."""
    rows: list[dict[str, str]] = []
    with open(corpus / "MANIFEST.tsv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    x12: list[bytes] = []
    edi: list[bytes] = []
    x12_segs = edi_segs = x12_tx = edi_tx = 0
    excluded: list[dict[str, str]] = []
    with _quiet_pyx12():
        for row in rows:
            if row.get("valid") != "yes" or row["standard"] not in ("x12", "edifact"):
                continue
            path = corpus / row["local_path"]
            data = path.read_bytes()
            if max_file_bytes is not None and len(data) > max_file_bytes:
                excluded.append({"file": row["local_path"], "reason": "larger than max_file_bytes"})
                continue
            try:
                if row["standard"] == "x12":
                    n, tx = _pyx12_count(data)
                    x12.append(data)
                    x12_segs += n
                    x12_tx += tx
                else:
                    _pydifact(_edifact_interchanges(data))
                    n, tx = _pydifact_count(data)
                    edi.append(data)
                    edi_segs += n
                    edi_tx += tx
            except Exception as exc:  # the reference tokenizer rejects it: leave it out for all
                excluded.append(
                    {"file": row["local_path"], "reason": f"{type(exc).__name__}: {exc}"[:160]}
                )
    out = []
    if x12:
        out.append(
            Input(
                "corpus_x12",
                "x12",
                x12,
                x12_segs,
                x12_tx,
                "corpus",
                {"segments_counted_by": "pyx12_reader"},
            )
        )
    if edi:
        out.append(
            Input(
                "corpus_edifact",
                "edifact",
                edi,
                edi_segs,
                edi_tx,
                "corpus",
                {"segments_counted_by": "pydifact (UNA excluded)"},
            )
        )
    return out, excluded


# ---------------------------------------------------------------------------
# Machine info
# ---------------------------------------------------------------------------


def machine_info() -> dict[str, Any]:
    """CPU, memory, load, Python and package versions: what the numbers were measured on."""
    info: dict[str, Any] = {
        "cpu_count": os.cpu_count(),
        "cpu_model": common.cpu_model(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "python_implementation": platform.python_implementation(),
        "packages": {
            d: common.package_version(d)
            for d in ("edi-mesh", "pyx12", "pydifact", "orjson", "psutil", "click")
        },
    }
    with contextlib.suppress(OSError):
        info["loadavg_1m_5m_15m"] = [round(x, 2) for x in os.getloadavg()]
    try:
        import psutil

        info["cpu_count_physical"] = psutil.cpu_count(logical=False)
        info["memory_total_bytes"] = psutil.virtual_memory().total
        freq = psutil.cpu_freq()
        if freq is not None:
            info["cpu_mhz"] = round(freq.current)
    except Exception:
        pass
    with contextlib.suppress(Exception):
        info["git_commit"] = common.git_commit()
    return info


# ---------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------


def _aggregate(results: list[dict[str, Any]], names: Sequence[str]) -> dict[str, Any] | None:
    """Total segments / total best time over the given inputs (a size-weighted rate)."""
    rows = [r for r in results if r["input"] in names and r.get("best_s")]
    if not rows:
        return None
    segs = sum(r["segments"] for r in rows)
    secs = sum(r["best_s"] for r in rows)
    byts = sum(r["bytes"] for r in rows)
    return {
        "inputs": [r["input"] for r in rows],
        "segments": segs,
        "best_s": round(secs, 6),
        "segments_per_s": round(segs / secs),
        "mb_per_s": round(byts / secs / 1e6, 3),
    }


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a and b else None


def run(
    *,
    size: int | str = "4M",
    full_size: int | str = "256K",
    repeats: int = 3,
    seed: int = 0,
    corpus: Path | str | None = "auto",
    corpus_max_file_bytes: int | None = None,
    log: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Run every implementation on every input; return the report (see module docstring)."""
    say = log or (lambda _msg: None)
    size_b, full_b = parse_size(size), parse_size(full_size)
    parse, parse_why = _our_parse_fn()
    render, render_why = _render_fn()
    inputs: list[Input] = []
    for name, kw in GENERATED.items():
        inputs.append(_generated(name, size_b, seed, **kw)[0])
    full_inputs = [_generated(f"{n}_small", full_b, seed, **GENERATED[n])[0] for n in FULL_INPUTS]
    # marginal pyx12 full rate: the same transactions, one interchange of 1 set vs many
    full_tiny = {
        n: _generated(f"{n}_tiny", 1, seed, **GENERATED[n])[0] for n in FULL_INPUTS
    }  # target 1 byte: exactly one transaction
    excluded: list[dict[str, str]] = []
    corpus_path = default_corpus() if corpus == "auto" else (Path(corpus) if corpus else None)
    if corpus_path is not None:
        cin, excluded = _corpus_inputs(corpus_path, corpus_max_file_bytes)
        inputs.extend(cin)

    # One job per (implementation, input); the repeats are interleaved round-robin over all
    # jobs so that load from other processes on a shared machine hits every one alike.
    jobs: list[_Job] = []
    for inp in inputs:
        joined = b"\n".join(inp.parts) if len(inp.parts) > 1 else inp.parts[0]
        if parse is not None:  # (a) ours: tokenize + envelope validation
            jobs.append(_Job("ours_parse", inp, partial(parse, joined)))
            if render is not None:  # (b) ours to JSON document bytes
                jobs.append(_Job("ours_json", inp, partial(_to_json, parse, render, joined)))
        if inp.standard == "x12":  # (c) pyx12 X12Reader, one stream per file
            jobs.append(_Job("pyx12_reader", inp, partial(_pyx12_reader_all, inp.parts)))
        else:  # (e) pydifact, interchanges split outside the timed region
            chunks = [c for p in inp.parts for c in _edifact_interchanges(p)]
            jobs.append(_Job("pydifact", inp, partial(_pydifact, chunks)))
    for inp in full_inputs:  # (d) pyx12 full validation, plus its one-transaction baseline
        jobs.append(_Job("pyx12_full", inp, partial(_pyx12_full, inp.parts[0])))
        base = full_tiny[inp.name.removesuffix("_small")]
        jobs.append(_Job("pyx12_full_baseline", base, partial(_pyx12_full, base.parts[0])))
    with _quiet_pyx12():
        for r in range(max(1, repeats)):
            say(f"round {r + 1}/{repeats}: {len(jobs)} jobs")
            for job in jobs:
                job.run_once()

    ours_parse = [_rates(j.input, j.timing()) for j in jobs if j.impl == "ours_parse"]
    ours_json = []
    for j in (j for j in jobs if j.impl == "ours_json"):
        row = _rates(j.input, j.timing())
        row["json_bytes"] = j.out
        ours_json.append(row)
    reader = []
    for j in (j for j in jobs if j.impl == "pyx12_reader"):
        row = _rates(j.input, j.timing())
        row["segments_seen"] = j.out
        reader.append(row)
    difact = []
    for j in (j for j in jobs if j.impl == "pydifact"):
        row = _rates(j.input, j.timing())
        row["messages_seen"] = j.out
        difact.append(row)
    baselines = {j.input.name: j.timing() for j in jobs if j.impl == "pyx12_full_baseline"}
    full = []
    for j in (j for j in jobs if j.impl == "pyx12_full"):
        t = j.timing()
        row = _rates(j.input, t)
        row["valid"] = bool(j.out)
        base_name = j.input.name.removesuffix("_small") + "_tiny"
        tb = baselines[base_name]
        extra_segs = j.input.segments - full_tiny[j.input.name.removesuffix("_small")].segments
        extra_s = t.best - tb.best
        row["fixed_cost_s"] = round(tb.best, 6)  # map loading etc.: a one-transaction file
        row["marginal_segments_per_s"] = round(extra_segs / extra_s) if extra_s > 0 else None
        full.append(row)

    def impl(rows: list[dict[str, Any]], why: str = "") -> dict[str, Any]:
        if not rows and why:
            return {"available": False, "reason": why, "results": []}
        return {"available": True, "results": rows}

    gen_x12 = [n for n in GENERATED if not n.startswith("edifact")]
    gen_edi = [n for n in GENERATED if n.startswith("edifact")]
    results = {
        "ours_parse": impl(ours_parse, parse_why),
        "ours_json": impl(
            ours_json,
            parse_why or render_why,
        ),
        "pyx12_reader": impl(reader),
        "pyx12_full": impl(full),
        "pydifact": impl(difact),
    }
    agg = {
        "ours_parse_x12": _aggregate(ours_parse, gen_x12),
        "ours_parse_edifact": _aggregate(ours_parse, gen_edi),
        "ours_json_x12": _aggregate(ours_json, gen_x12),
        "ours_json_edifact": _aggregate(ours_json, gen_edi),
        "pyx12_reader": _aggregate(reader, gen_x12),
        "pydifact": _aggregate(difact, gen_edi),
    }

    def rate(key: str) -> float | None:
        a = agg.get(key)
        return a["segments_per_s"] if a else None

    # ours vs pyx12 full: our rate on the same kinds of input (837, 835) vs pyx12's marginal rate
    ours_full_kind = _aggregate(ours_parse, list(FULL_INPUTS))
    ours_json_full_kind = _aggregate(ours_json, list(FULL_INPUTS))
    full_marginal = [r["marginal_segments_per_s"] for r in full if r.get("marginal_segments_per_s")]
    full_rate = sum(r["segments"] for r in full) / sum(r["best_s"] for r in full) if full else None
    full_marg = statistics.fmean(full_marginal) if full_marginal else None
    per_input_reader = {
        r["input"]: _ratio(o["segments_per_s"], r["segments_per_s"])
        for r in reader
        for o in ours_parse
        if o["input"] == r["input"]
    }
    per_input_pydifact = {
        r["input"]: _ratio(o["segments_per_s"], r["segments_per_s"])
        for r in difact
        for o in ours_parse
        if o["input"] == r["input"]
    }
    ratios = {
        "ours_parse/pyx12_reader": _ratio(rate("ours_parse_x12"), rate("pyx12_reader")),
        "ours_parse/pyx12_reader_per_input": per_input_reader,
        "ours_parse/pyx12_full": _ratio(
            ours_full_kind["segments_per_s"] if ours_full_kind else None, full_marg
        ),
        "ours_parse/pyx12_full_incl_fixed_cost": _ratio(
            ours_full_kind["segments_per_s"] if ours_full_kind else None, full_rate
        ),
        "ours_json/pyx12_full": _ratio(
            ours_json_full_kind["segments_per_s"] if ours_json_full_kind else None, full_marg
        ),
        "ours_parse/pydifact": _ratio(rate("ours_parse_edifact"), rate("pydifact")),
        "ours_parse/pydifact_per_input": per_input_pydifact,
        "pyx12_full_rate_basis": "marginal segments/s (fixed map-loading cost of a one-transaction file subtracted)",
    }
    ratio_reader = ratios["ours_parse/pyx12_reader"]
    ratio_full = ratios["ours_parse/pyx12_full"]
    measured: dict[str, float | None] = {
        "ours_parse_segments_per_s": rate("ours_parse_x12"),
        "ours_json_segments_per_s": rate("ours_json_x12"),
        "ours_vs_pyx12_reader": ratio_reader if isinstance(ratio_reader, float) else None,
        "ours_vs_pyx12_full": ratio_full if isinstance(ratio_full, float) else None,
    }
    goals: dict[str, dict[str, Any]] = {}
    for k, target in GOALS.items():
        got = measured[k]
        goals[k] = {
            "target": target,
            "measured": got,
            "met": None if got is None else got >= target,
        }
    return {
        "benchmark": "parser",
        "unit_notes": "MB = 10^6 bytes; rates from the best of N runs; one process, one core",
        "config": {
            "size": size_b,
            "full_size": full_b,
            "repeats": repeats,
            "seed": seed,
            "corpus": str(corpus_path) if corpus_path else None,
        },
        "machine": machine_info(),
        "inputs": [i.describe() for i in inputs]
        + [i.describe() | {"used_by": ["pyx12_full"]} for i in full_inputs],
        "corpus_excluded": excluded,
        "results": results,
        "aggregates": agg,
        "ratios": ratios,
        "goals": goals,
        # ours_json renders accepted transactions only (render_documents' default), so an input
        # our parser rejects (e.g. the corpus EDIFACT file without UNZ) yields fewer JSON bytes.
    }


@click.command("parser")
@click.option("--size", default="4M", show_default=True, help="Size of each generated input.")
@click.option(
    "--full-size",
    default="256K",
    show_default=True,
    help="Size of the inputs for pyx12 full validation.",
)
@click.option("--repeats", "-n", type=int, default=3, show_default=True, help="Best of N.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--corpus",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Corpus folder (default: shared/corpus when found).",
)
@click.option("--no-corpus", is_flag=True, help="Generated inputs only.")
@click.option(
    "--corpus-max-file", type=int, default=None, help="Skip corpus files larger than this."
)
@click.option(
    "--out",
    "out",
    is_flag=False,
    flag_value=str(DEFAULT_OUT),
    default=None,
    help=f"Also write the JSON here (--out alone: {common.display_path(DEFAULT_OUT)}).",
)
@click.option("--verbose", "-v", is_flag=True, help="Progress on stderr.")
def parser_cmd(
    size: str,
    full_size: str,
    repeats: int,
    seed: int,
    corpus: Path | None,
    no_corpus: bool,
    corpus_max_file: int | None,
    out: str | None,
    verbose: bool,
) -> None:
    """Benchmark our parser against pyx12 and pydifact; print one JSON object."""
    report = run(
        size=size,
        full_size=full_size,
        repeats=repeats,
        seed=seed,
        corpus=None if no_corpus else (corpus or "auto"),
        corpus_max_file_bytes=corpus_max_file,
        log=(lambda m: click.echo(m, err=True)) if verbose else None,
    )
    click.echo(common.write_report(report, Path(out) if out else None))


if __name__ == "__main__":
    parser_cmd()
