"""Peak memory benchmark: RSS of ingest and of a worker while they take one big file.

Generates a seeded file of ``--size`` (default 1G; by default one huge
interchange, the hard case: ingest must split it into ~1 MB messages) in a
temporary folder with bounded memory, starts a broker (or uses ``--broker``),
one ``edi-mesh worker`` and one ``edi-mesh ingest``, drops the file into
``inbox/bench-memory/`` (any sender; re-sent interchanges routed, not suppressed)
and samples each process's resident set size (psutil, every ``--interval``
seconds) until the file is archived and the worker has routed every document
(by its ``/metrics``). Reports peak RSS in MB against
the 256 MB goal. A process above ``--rss-limit`` MB is killed (the machine is
shared) and reported as such.

    edi-mesh bench memory --size 1G
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import shutil
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from benchmarks import common
from benchmarks.generate import generate, parse_size
from pipeline.settings import Settings

__all__ = ["DEFAULT_OUT", "DEFAULT_PLOT", "GOAL_MB", "Params", "memory_cmd", "run"]

DEFAULT_OUT = common.RESULTS / "memory.json"
DEFAULT_PLOT = common.RESULTS / "memory.png"
GOAL_MB = 256.0
PARTNER = "bench-memory"
# Any sender like sandbox, but re-sent interchanges are routed (marked) instead of suppressed:
# the chunks of one split interchange share ISA13 and often the first ST02, and the worker's
# duplicate table would otherwise drop most of them (reported as duplicates_suppressed).
PARTNER_TOML = f"""
[[partners]]
id = "{PARTNER}"
name = "Memory benchmark (any sender)"
senders = ["*"]
acks = []
duplicates = "route"
"""


@dataclass
class Params:
    """What a memory benchmark run depends on (echoed in the report)."""

    broker: str | None = None
    size: str = "1G"
    interchanges: int = 1
    per_interchange: int = 10
    mix: str = "x12"
    seed: int = 0
    interval: float = 0.05
    rss_limit: float = 6000.0
    stall: float = 60.0
    timeout: float = 3600.0
    progress: bool = True
    keep: bool = False


def metric_sum(url: str, name: str) -> float | None:
    """The sum over all label sets of metric ``name`` at a Prometheus ``url`` (None if unreachable)."""
    try:
        with urllib.request.urlopen(url, timeout=2.0) as r:
            text = r.read().decode()
    except OSError:
        return None
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name) and line[len(name) : len(name) + 1] in ("{", " "):
            total += float(line.rsplit(" ", 1)[1])
    return total


def _files(root: Path) -> list[Path]:
    return [Path(d) / f for d, _, fs in os.walk(root) for f in fs] if root.exists() else []


async def _main(
    p: Params, bar: Any, tmp: Path, broker: str, broker_pid: int | None
) -> dict[str, Any]:
    size = parse_size(p.size)
    stage = tmp / "stage"
    stage.mkdir(parents=True)
    big = stage / f"big-{p.seed}.edi"
    gen = bar.add_task(f"generate {size / 1e6:.0f} MB file", total=1)
    t = time.time()

    def _generate() -> Any:
        with open(big, "wb") as f:
            return generate(
                f,
                seed=p.seed,
                mix=p.mix,
                target_bytes=size,
                interchanges=p.interchanges or None,
                transactions_per_interchange=p.per_interchange,
            )

    stats = await asyncio.to_thread(_generate)
    gen_s = time.time() - t
    bar.update(gen, completed=1)

    partners = tmp / "partners.toml"
    partners.write_text(Settings().partners.read_text() + PARTNER_TOML)
    s = common.bench_settings(
        broker, tmp, "memory", stable_seconds=0.5, poll_seconds=0.1, partners=partners
    )
    await common.ensure_topics(s)
    worker = common.edi_mesh("worker", s, tmp / "logs" / "worker.log")
    ingest = common.edi_mesh("ingest", s, tmp / "logs" / "ingest.log")
    procs = {"ingest": ingest, "worker": worker}
    killed: dict[str, float] = {}
    try:
        await asyncio.to_thread(
            common.wait_http, f"http://127.0.0.1:{s.worker_web_port}/readyz", 120.0, worker
        )
        await asyncio.to_thread(
            common.wait_http, f"http://127.0.0.1:{s.facade_port}/healthz", 90.0, ingest
        )
        inbox = s.inbox / PARTNER
        inbox.mkdir(parents=True, exist_ok=True)
        wurl = f"http://127.0.0.1:{s.worker_web_port}/metrics"
        base_rss = {}
        import psutil

        for name, pr in procs.items():
            base_rss[name] = round(psutil.Process(pr.pid).memory_info().rss / 1e6, 1)
        pids: dict[str, int] = {n: pr.pid for n, pr in procs.items()}
        if broker_pid:
            pids["broker"] = broker_pid
        task = bar.add_task("documents routed", total=stats.transactions)
        with common.RssSampler(pids, interval=p.interval) as rss:
            t0 = time.time()
            os.rename(big, inbox / big.name)
            t_ingested: float | None = None
            outcome = "timeout"
            docs = 0.0
            last_change, last_docs = time.monotonic(), -1.0
            deadline = time.monotonic() + p.timeout
            while time.monotonic() < deadline:
                for name, pr in procs.items():
                    if rss.last.get(name, 0) > p.rss_limit * 1e6 and pr.alive():
                        pr.proc.kill()  # our own child: protect the shared machine
                        killed[name] = round(rss.last[name] / 1e6, 1)
                if killed:
                    outcome = "killed over --rss-limit"
                    break
                if t_ingested is None and (_files(s.archive) or _files(s.quarantine)):
                    t_ingested = time.time()
                got = await asyncio.to_thread(metric_sum, wurl, "edi_documents_routed_total")
                docs = got if got is not None else docs
                bar.update(task, completed=docs)
                if docs >= stats.transactions and t_ingested is not None:
                    outcome = "complete"
                    break
                if docs != last_docs:
                    last_docs, last_change = docs, time.monotonic()
                elif t_ingested is not None and time.monotonic() - last_change > p.stall:
                    outcome = f"stalled (no new document for {p.stall:.0f} s)"
                    break
                for name, pr in procs.items():
                    if not pr.alive():
                        outcome = f"{name} exited"
                if outcome.endswith("exited"):
                    break
                await asyncio.sleep(0.5)
            t_end = time.time()
            final = {
                name: await asyncio.to_thread(metric_sum, wurl, f"edi_{name}_total")
                for name in ("duplicates", "interchanges_processed", "deadletters")
            }
    finally:
        for pr in procs.values():
            pr.stop()
    archived = bool(_files(s.archive))
    quarantined = [str(f.name) for f in _files(s.quarantine)]
    peak = {n: round(v / 1e6, 1) for n, v in rss.peak.items()}
    # the file drop alone: the peak until the file was archived (later growth is other work,
    # e.g. ingest's tracking reader folding the worker's events)
    until = (t_ingested or t_end) - t0
    peak_archived = {
        n: round(max((v for ts, v in ser if ts <= until), default=0) / 1e6, 1)
        for n, ser in rss.series.items()
    }
    mb = stats.bytes / 1e6
    return {
        "file": {
            "bytes": stats.bytes,
            "mb": round(mb, 1),
            "interchanges": stats.interchanges,
            "transactions": stats.transactions,
            "generate_seconds": round(gen_s, 1),
        },
        "outcome": outcome,
        "killed_over_limit_mb": killed,
        "ingest": {
            "archived": archived,
            "quarantined": quarantined,
            "seconds": round(t_ingested - t0, 2) if t_ingested else None,
            "mb_per_s": round(mb / (t_ingested - t0), 2) if t_ingested else None,
        },
        "worker": {
            "documents_routed": int(docs),
            "expected_documents": stats.transactions,
            "duplicates_suppressed": int(final["duplicates"] or 0),
            "inbound_messages_processed": int(final["interchanges_processed"] or 0),
            "deadletters": int(final["deadletters"] or 0),
            "seconds": round(t_end - t0, 2),
        },
        "rss_before_mb": base_rss,
        "peak_rss_mb": peak,
        "peak_rss_mb_until_archived": peak_archived,
        "rss_samples": rss.samples,
        "rss_series": {n: [[t, v] for t, v in ser] for n, ser in rss.series.items()},
        "goals": {
            "peak_rss_mb": {
                "target": GOAL_MB,
                "rule": "peak RSS of ingest and of the worker < 256 MB on the big file",
                "by_process": {n: peak.get(n) for n in ("ingest", "worker")},
                "met": all((peak.get(n) or 0) < GOAL_MB for n in ("ingest", "worker"))
                and outcome == "complete",
            }
        },
    }


def run(
    params: Params | None = None,
    *,
    reproduce: str | None = None,
    out: Path | None = None,
    plot: Path | None = None,
) -> dict[str, Any]:
    """Run the memory benchmark; return the report (also written to ``out``, plotted to ``plot``)."""
    p = params or Params()
    tmp = Path(tempfile.mkdtemp(prefix="edi-mesh-bench-memory-"))
    free = shutil.disk_usage(tmp).free
    if free < parse_size(p.size) * 2.2:
        raise click.ClickException(f"{tmp} has {free / 1e9:.1f} GB free; need ~2x --size")
    t0 = time.time()
    try:
        body = common.run_on_broker("memory", p, tmp, functools.partial(_main, p))
    finally:
        for f in (tmp / "stage").glob("*.edi"):
            f.unlink(missing_ok=True)
    if not p.keep:
        shutil.rmtree(tmp, ignore_errors=True)
    report = common.bench_report(
        "memory",
        memory_cmd,
        p,
        body,
        reproduce=reproduce,
        method="RSS (psutil, process + children) sampled every interval s from the drop until "
        "the file is archived and the worker routed every document",
        t0=t0,
    )
    if plot is not None:
        from benchmarks.plot import plot_memory

        plot_memory(report, plot)
        report["plot"] = common.display_path(plot)
    common.write_report(report, out)
    return report


@click.command("memory")
@common.broker_option
@click.option("--size", default="1G", show_default=True, help="Size of the file (1G, 200M...).")
@click.option(
    "--interchanges",
    type=click.IntRange(0),
    default=1,
    show_default=True,
    help="Interchanges in the file (1 = one huge interchange; 0 = as many as the size needs).",
)
@click.option(
    "--per-interchange",
    type=click.IntRange(1),
    default=10,
    show_default=True,
    help="Transaction sets per interchange (or per chunk of the huge one).",
)
@click.option("--mix", default="x12", show_default=True, help="Generator mix.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--interval",
    type=click.FloatRange(0.01, 1),
    default=0.05,
    show_default=True,
    help="RSS sampling interval, seconds.",
)
@click.option(
    "--rss-limit",
    type=click.FloatRange(100),
    default=6000.0,
    show_default=True,
    help="Kill a process above this many MB (shared machine).",
)
@click.option(
    "--stall",
    type=click.FloatRange(1),
    default=60.0,
    show_default=True,
    help="Stop when no document was routed for SECONDS.",
)
@click.option("--timeout", type=click.FloatRange(1), default=3600.0, show_default=True)
@common.run_options(DEFAULT_OUT, DEFAULT_PLOT)
def memory_cmd(out: Path, plot: Path, **kw: Any) -> None:
    """Peak RSS of ingest and worker on one big file (goal < 256 MB); prints JSON."""
    report = run(Params(**kw), reproduce=common.current_command_line(), out=out, plot=plot)
    click.echo(json.dumps({k: v for k, v in report.items() if k != "rss_series"}, indent=2))


if __name__ == "__main__":
    memory_cmd()
