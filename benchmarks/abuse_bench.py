"""Abuse benchmark: what the façade's limits hold against, on loopback, with a real ingest process.

Starts a broker (or uses ``--broker``) and one ``edi-mesh ingest``, then runs
its probes against the façade on 127.0.0.1 only:

1. *uploads*: ``--uploads`` concurrent chunked POSTs of ``--size-mb`` MB each
   (not EDI by default: received, spooled, scanned and refused; ``--edi``
   sends a generated valid file, produced to the broker); the ingest
   process's peak RSS is sampled meanwhile (goal: < 256 MB);
2. *idle*: ``--idle`` connections opened and held (half send nothing, half a
   request line that never ends), then ``--legit`` small valid POSTs one after
   another: their latency p99 (goal: <= 200 ms); then how many of the idle
   ones the server closed within its idle/header limits;
3. *malformed*: bad chunking, Transfer-Encoding with Content-Length,
   duplicate Content-Length, huge headers, over-cap body, trickled body;
4. every probe body holds a marker: its bytes found in ingest's log
   (goal: 0), and tracebacks counted.

    edi-mesh bench abuse --uploads 8 --size-mb 60 --idle 500
"""

from __future__ import annotations

import asyncio
import functools
import json
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import click

from benchmarks import common
from benchmarks.generate import generate, generate_bytes

__all__ = ["DEFAULT_OUT", "GOALS", "Params", "abuse_cmd", "run"]

DEFAULT_OUT = common.RESULTS / "abuse.json"
GOALS = {"rss_peak_mb": 256.0, "legit_p99_ms": 200.0, "body_bytes_in_logs": 0}
MARKER = b"ABUSE-PROBE-BODY-9c41e2"  # in every probe body: must never show in a log
AUTH = {"Authorization": "Bearer sandbox-demo-key"}
CHUNK = 1 << 20


@dataclass
class Params:
    """What an abuse benchmark run depends on (echoed in the report)."""

    broker: str | None = None
    uploads: int = 8
    size_mb: int = 60
    edi: bool = False
    idle: int = 500
    legit: int = 200
    idle_timeout: float = 10.0
    header_timeout: float = 5.0
    progress: bool = True
    keep: bool = False


async def _body(size: int, source: Path | None) -> AsyncIterator[bytes]:
    """``size`` bytes in 1 MiB chunks: the file ``source``, or filler starting with the marker."""
    if source is not None:
        with open(source, "rb") as f:
            while chunk := f.read(CHUNK):
                yield chunk
        return
    filler = (MARKER + b" not EDI at all \x00\xff" * 64) * (CHUNK // 1200 + 1)
    sent = 0
    while sent < size:
        chunk = filler[: min(CHUNK, size - sent)]
        sent += len(chunk)
        yield chunk


async def _uploads(p: Params, base: str, pid: int, tmp: Path) -> dict[str, Any]:
    """``p.uploads`` concurrent max-size uploads while the ingest process's RSS is sampled."""
    size = p.size_mb * 1_000_000
    source = None
    if p.edi:
        source = tmp / "upload.edi"
        with open(source, "wb") as f:
            generate(f, seed=1, mix="x12", target_bytes=size)
        size = source.stat().st_size
    timeout = aiohttp.ClientTimeout(total=900)
    async with aiohttp.ClientSession(timeout=timeout) as http:

        async def one(i: int) -> int:
            headers = {**AUTH, "X-Filename": f"upload-{i}.edi"}
            async with http.post(
                f"{base}/v1/interchanges", data=_body(size, source), headers=headers
            ) as r:
                await r.read()
                return r.status

        with common.RssSampler({"ingest": pid}, interval=0.05) as rss:
            t0 = time.monotonic()
            statuses = await asyncio.gather(*(one(i) for i in range(p.uploads)))
            took = time.monotonic() - t0
    return {
        "uploads": p.uploads,
        "upload_bytes": size,
        "content": "generated X12" if p.edi else "not EDI (refused after the scan)",
        "seconds": round(took, 2),
        "rss_peak_mb": round(rss.peak["ingest"] / 1e6, 1),
        "statuses": dict(Counter(str(s) for s in statuses)),
    }


async def _hold_idle(port: int, n: int) -> list[tuple[asyncio.StreamReader, asyncio.StreamWriter]]:
    """``n`` connections: even ones send nothing, odd ones a request line that never ends."""
    conns = []
    for i in range(n):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        if i % 2:
            writer.write(b"POST /v1/interchanges HTTP/1.1\r\nX-Probe: " + MARKER)
        conns.append((reader, writer))
    return conns


async def _closed_by_server(
    conns: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]], within: float
) -> int:
    """How many of ``conns`` the server closed (answered or not) within ``within`` seconds."""

    async def closed(reader: asyncio.StreamReader) -> bool:
        try:
            async with asyncio.timeout(within):
                while await reader.read(65536):
                    pass
            return True
        except TimeoutError:
            return False
        except ConnectionError:
            return True

    results = await asyncio.gather(*(closed(r) for r, _ in conns))
    return sum(results)


async def _idle_and_legit(p: Params, base: str, port: int) -> dict[str, Any]:
    """Legit POST latency while ``p.idle`` idle connections are held; then their fate."""
    t0 = time.monotonic()
    conns = await _hold_idle(port, p.idle)
    opened_s = time.monotonic() - t0
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    async with aiohttp.ClientSession() as http:
        for i in range(p.legit):
            data, _ = generate_bytes(
                seed=1000 + i, mix="x12", interchanges=1, transactions_per_interchange=1
            )
            start = time.perf_counter()
            async with http.post(f"{base}/v1/interchanges", data=data, headers=AUTH) as r:
                await r.read()
                statuses[str(r.status)] += 1
            latencies.append((time.perf_counter() - start) * 1000)
    held_s = time.monotonic() - t0
    wait = max(p.idle_timeout, p.header_timeout) + 3.0 - held_s
    closed = await _closed_by_server(conns, max(wait, 1.0))
    for _, w in conns:
        w.close()
    return {
        "idle_connections": p.idle,
        "idle_open_seconds": round(opened_s, 2),
        "legit_requests": p.legit,
        "legit_statuses": dict(statuses),
        "legit_latency_ms": common.percentiles(latencies),
        "idle_closed_by_server": closed,
        "idle_closed_within_s": round(max(p.idle_timeout, p.header_timeout) + 3.0, 1),
    }


def _malformed(cap: int) -> dict[str, bytes]:
    """Raw requests that break HTTP framing or limits, each carrying the marker."""
    head = (
        b"POST /v1/interchanges HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sandbox-demo-key\r\n"
    )
    chunk = MARKER * 40
    big = b"%x\r\n" % len(chunk) + chunk + b"\r\n"
    return {
        "bad_chunking": head + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n" + MARKER + b"\r\n",
        "te_and_cl": head
        + b"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n"
        + big
        + b"0\r\n\r\n",
        "duplicate_cl": head + b"Content-Length: 23\r\nContent-Length: 24\r\n\r\n" + MARKER,
        "huge_headers": head + b"X-Big: " + MARKER * 2000 + b"\r\n\r\n",
        "over_cap_chunked": head
        + b"Transfer-Encoding: chunked\r\n\r\n"
        + big * (cap // len(chunk) + 2)
        + b"0\r\n\r\n",
    }


async def _raw(port: int, data: bytes, trickle: bool = False) -> str:
    """Send ``data`` (a byte every 0.2 s with ``trickle``); the status the server answered."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        if trickle:
            writer.write(data[: data.index(b"\r\n\r\n") + 4])
            for b in data[data.index(b"\r\n\r\n") + 4 :]:
                if reader.at_eof() or writer.is_closing():
                    break
                writer.write(bytes([b]))
                try:
                    async with asyncio.timeout(0.2):
                        if await reader.read(1):
                            return (b"H" + await reader.read(11)).split()[1].decode()
                except TimeoutError:
                    continue
        else:
            writer.write(data)
        async with asyncio.timeout(60):
            line = await reader.readline()
        return line.split()[1].decode() if line else "closed"
    except (ConnectionError, IndexError):
        return "reset"
    finally:
        writer.close()


async def _probes(port: int, cap: int) -> dict[str, str]:
    """The status of each malformed or slow probe."""
    out = {name: await _raw(port, data) for name, data in _malformed(cap).items()}
    head = (
        b"POST /v1/interchanges HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sandbox-demo-key\r\n"
    )
    body = MARKER * 20
    trickled = head + b"Content-Length: %d\r\n\r\n" % len(body) + body
    out["trickled_body"] = await _raw(port, trickled, trickle=True)
    return out


def _log_findings(log: Path) -> dict[str, int]:
    """Marker bytes (request bodies) and tracebacks found in ingest's log."""
    text = log.read_bytes() if log.exists() else b""
    hits = text.count(MARKER)
    return {
        "log_bytes": len(text),
        "marker_hits_in_logs": hits,
        "body_bytes_in_logs": hits * len(MARKER),
        "tracebacks_in_logs": text.count(b"Traceback"),
    }


async def _main(
    p: Params, bar: Any, tmp: Path, broker: str, broker_pid: int | None
) -> dict[str, Any]:
    s = common.bench_settings(
        broker,
        tmp,
        "abuse",
        log_level="INFO",
        facade_idle_timeout=p.idle_timeout,
        facade_header_timeout=p.header_timeout,
        facade_body_timeout=3.0,
        max_body_bytes=max(64 * 1_048_576, p.size_mb * 1_000_000 + 1_048_576),
    )
    await common.ensure_topics(s)
    log = tmp / "logs" / "ingest.log"
    ingest = common.edi_mesh("ingest", s, log)
    base = f"http://127.0.0.1:{s.facade_port}"
    try:
        await asyncio.to_thread(common.wait_http, f"{base}/readyz", 90.0, ingest)
        task = bar.add_task("probes", total=3)
        uploads = await _uploads(p, base, ingest.pid, tmp)
        bar.update(task, advance=1)
        idle = await _idle_and_legit(p, base, s.facade_port)
        bar.update(task, advance=1)
        probes = await _probes(s.facade_port, s.max_body_bytes)
        bar.update(task, advance=1)
        await asyncio.sleep(0.5)  # the last log lines
    finally:
        ingest.stop()
    logs = _log_findings(log)
    measured = {
        "rss_peak_mb": uploads["rss_peak_mb"],
        "legit_p99_ms": idle["legit_latency_ms"].get("p99"),
        "body_bytes_in_logs": logs["body_bytes_in_logs"],
    }
    goals = {
        k: {"goal": g, "value": measured[k], "met": measured[k] is not None and measured[k] <= g}
        for k, g in GOALS.items()
    }
    return {
        "goals": goals,
        "uploads": uploads,
        "idle": idle,
        "probes": probes,
        "logs": logs,
        "limits": {k: v for k, v in s.model_dump().items() if k.startswith("facade_")}
        | {"max_body_bytes": s.max_body_bytes},
    }


def run(
    params: Params | None = None, *, reproduce: str | None = None, out: Path | None = None
) -> dict[str, Any]:
    """Run the abuse benchmark; return the report (also written to ``out``)."""
    p = params or Params()
    return common.run_report(
        "abuse",
        abuse_cmd,
        p,
        functools.partial(_main, p),
        method="one edi-mesh ingest on loopback; concurrent chunked max-size uploads with ingest "
        "RSS sampled (psutil, 50 ms); sequential small valid POSTs while idle connections are "
        "held; raw malformed requests; probe bodies carry a marker searched in ingest's log",
        reproduce=reproduce,
        out=out,
    )


@click.command("abuse")
@common.broker_option
@click.option("--uploads", type=click.IntRange(1), default=8, show_default=True)
@click.option("--size-mb", type=click.IntRange(1), default=60, show_default=True)
@click.option("--edi", is_flag=True, help="Upload a generated valid X12 file (produced).")
@click.option("--idle", type=click.IntRange(0), default=500, show_default=True)
@click.option("--legit", type=click.IntRange(1), default=200, show_default=True)
@click.option("--idle-timeout", type=click.FloatRange(0.5), default=10.0, show_default=True)
@click.option("--header-timeout", type=click.FloatRange(0.5), default=5.0, show_default=True)
@common.run_options(DEFAULT_OUT)
def abuse_cmd(out: Path, **kw: Any) -> None:
    """Façade limits under abuse (RSS, latency with idle connections, data in logs); prints JSON."""
    report = run(Params(**kw), reproduce=common.current_command_line(), out=out)
    click.echo(json.dumps(report, indent=2))


if __name__ == "__main__":
    abuse_cmd()
