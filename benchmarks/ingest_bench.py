"""File-drop ingest benchmark: files/s and MB/s from inbox to archive, checked on edi.inbound.

Starts a broker (or uses ``--broker``) and one real ``edi-mesh ingest``
process, generates K seeded files (each ``--file-size`` of interchanges) in a
staging folder, renames them all into ``inbox/sandbox/`` at once, and times
until every file is archived. The rate counts from the first claim (the
``--stable-seconds`` wait before a file is taken is reported separately).
Then every record on ``edi.inbound`` is read back: one per interchange, with
the six inbound headers and the file's name.

    edi-mesh bench ingest --files 200 --file-size 64K
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from benchmarks import common
from benchmarks.generate import generate, parse_size
from pipeline.settings import Settings

__all__ = ["DEFAULT_OUT", "Params", "ingest_cmd", "run"]

DEFAULT_OUT = common.RESULTS / "ingest.json"
PARTNER = "sandbox"


@dataclass
class Params:
    """What an ingest benchmark run depends on (echoed in the report)."""

    broker: str | None = None
    files: int = 200
    file_size: str = "64K"
    per_interchange: int = 5
    mix: str = "all"
    seed: int = 0
    stable_seconds: float = 0.1
    poll_seconds: float = 0.05
    timeout: float = 600.0
    progress: bool = True
    keep: bool = False


def _count_files(root: Path) -> int:
    """Regular files under ``root`` (ignoring ``.error.json`` reports)."""
    n = 0
    for _dir, _subdirs, names in os.walk(root):
        n += sum(1 for f in names if not f.endswith(".error.json"))
    return n


async def read_inbound(settings: Settings, expected: int, timeout: float = 120.0) -> dict[str, Any]:
    """Every record of edi.inbound: count, distinct files, header completeness, bytes."""
    from pipeline.contracts import headers
    from pipeline.contracts.headers import INBOUND_HEADERS
    from pipeline.contracts.topics import INBOUND
    from pipeline.kafka import clients

    consumer = clients.consumer(settings, clients.topic(settings, INBOUND))
    await consumer.start()
    n = size = bad_headers = 0
    files: Counter[str] = Counter()
    try:
        deadline = time.monotonic() + timeout
        quiet = time.monotonic()
        while time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=200, max_records=10_000)
            got = 0
            for msgs in batch.values():
                for m in msgs:
                    h = dict(m.headers or ())
                    got += 1
                    size += len(m.value or b"")
                    files[headers.text(h, headers.FILENAME)] += 1
                    if any(not h.get(k) for k in INBOUND_HEADERS):
                        bad_headers += 1
            n += got
            if got:
                quiet = time.monotonic()
            if time.monotonic() - quiet > (0.5 if n >= expected else 5.0):
                break
    finally:
        await consumer.stop()
    return {
        "records": n,
        "bytes": size,
        "files": len(files),
        "records_missing_headers": bad_headers,
    }


async def _main(
    p: Params, bar: Any, tmp: Path, broker: str, broker_pid: int | None
) -> dict[str, Any]:
    s = common.bench_settings(
        broker,
        tmp,
        "ingest",
        stable_seconds=p.stable_seconds,
        poll_seconds=p.poll_seconds,
    )
    await common.ensure_topics(s)
    stage = tmp / "stage"
    stage.mkdir(parents=True)
    size = parse_size(p.file_size)
    gen = bar.add_task("generate files", total=p.files)
    total_bytes = interchanges = transactions = 0
    names: list[Path] = []
    for i in range(p.files):
        path = stage / f"load-{p.seed}-{i:05d}.edi"
        with open(path, "wb") as f:
            st = generate(
                f,
                seed=p.seed * 100_000 + i,
                mix=p.mix,
                target_bytes=size,
                transactions_per_interchange=p.per_interchange,
            )
        total_bytes += st.bytes
        interchanges += st.interchanges
        transactions += st.transactions
        names.append(path)
        bar.update(gen, completed=i + 1)

    proc = common.edi_mesh("ingest", s, tmp / "logs" / "ingest.log")
    try:
        await asyncio.to_thread(
            common.wait_http, f"http://127.0.0.1:{s.facade_port}/healthz", 90.0, proc
        )
        inbox = s.inbox / PARTNER
        inbox.mkdir(parents=True, exist_ok=True)
        task = bar.add_task("ingest: archived files", total=p.files)
        with (
            common.CpuSampler({"ingest": proc.pid, "broker": broker_pid}) as cpu,
            common.RssSampler({"ingest": proc.pid}) as rss,
        ):
            t_drop = time.time()
            for path in names:
                os.rename(path, inbox / path.name)
            t_dropped = time.time()
            t_claim: float | None = None
            deadline = time.monotonic() + p.timeout
            archived = quarantined = 0
            while time.monotonic() < deadline:
                if t_claim is None and len(os.listdir(inbox)) < p.files:
                    t_claim = time.time()
                archived = _count_files(s.archive)
                quarantined = _count_files(s.quarantine)
                bar.update(task, completed=archived + quarantined)
                if archived + quarantined >= p.files:
                    break
                if not proc.alive():
                    raise RuntimeError(f"ingest exited:\n{proc.tail()}")
                await asyncio.sleep(0.02)
            t_done = time.time()
        inbound = await read_inbound(s, interchanges)
    finally:
        proc.stop()
    t_claim = t_claim or t_drop
    span = t_done - t_claim
    ingest_cpu = cpu.used("ingest", t_claim, t_done)
    return {
        "files": {
            "count": p.files,
            "bytes": total_bytes,
            "mean_bytes": round(total_bytes / p.files),
            "interchanges": interchanges,
            "transactions": transactions,
        },
        "result": {
            "archived": archived,
            "quarantined": quarantined,
            "complete": archived == p.files,
            "seconds": round(span, 3),
            "files_per_s": round(p.files / span, 1) if span > 0 else None,
            "mb_per_s": round(total_bytes / span / 1e6, 2) if span > 0 else None,
            "interchanges_per_s": round(interchanges / span) if span > 0 else None,
            "drop_to_all_archived_s": round(t_done - t_drop, 3),
            "drop_seconds": round(t_dropped - t_drop, 3),
            "ingest_cpu_cores_busy": round(ingest_cpu / span, 2) if ingest_cpu and span else None,
            "broker_cpu_cores_busy": (
                round(b / span, 2) if (b := cpu.used("broker", t_claim, t_done)) and span else None
            ),
            "ingest_peak_rss_mb": round(rss.peak["ingest"] / 1e6, 1),
        },
        "inbound": inbound
        | {
            "expected_records": interchanges,
            "ok": inbound["records"] == interchanges
            and inbound["files"] == p.files
            and inbound["records_missing_headers"] == 0,
        },
    }


def run(
    params: Params | None = None, *, reproduce: str | None = None, out: Path | None = None
) -> dict[str, Any]:
    """Run the ingest benchmark; return the report (also written to ``out``)."""
    p = params or Params()
    return common.run_report(
        "ingest",
        ingest_cmd,
        p,
        functools.partial(_main, p),
        method="one edi-mesh ingest process; K files renamed into inbox/sandbox/ at once; "
        "rate = files / (all archived - first claim); edi.inbound read back and checked",
        reproduce=reproduce,
        out=out,
    )


@click.command("ingest")
@common.broker_option
@click.option(
    "--files", "-k", type=click.IntRange(1), default=200, show_default=True, help="Files to drop."
)
@click.option(
    "--file-size", default="64K", show_default=True, help="Size of each file (e.g. 64K, 1M)."
)
@click.option(
    "--per-interchange",
    type=click.IntRange(1),
    default=5,
    show_default=True,
    help="Transaction sets per interchange.",
)
@click.option("--mix", default="all", show_default=True, help="Generator mix.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--stable-seconds",
    type=click.FloatRange(0),
    default=0.1,
    show_default=True,
    help="EDI_MESH_STABLE_SECONDS of the ingest process.",
)
@click.option(
    "--poll-seconds",
    type=click.FloatRange(0.01),
    default=0.05,
    show_default=True,
    help="EDI_MESH_POLL_SECONDS of the ingest process.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(1),
    default=600.0,
    show_default=True,
    help="Give up after SECONDS.",
)
@common.run_options(DEFAULT_OUT)
def ingest_cmd(out: Path, **kw: Any) -> None:
    """File-drop ingest throughput (files/s, MB/s) with one ingest process; prints JSON."""
    report = run(Params(**kw), reproduce=common.current_command_line(), out=out)
    click.echo(json.dumps(report, indent=2))


if __name__ == "__main__":
    ingest_cmd()
