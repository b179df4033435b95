"""Test helpers: run edi-mesh processes for real and read topics through the broker."""

from __future__ import annotations

import asyncio
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson

from pipeline.kafka import clients
from pipeline.settings import Settings
from pipeline.tools.children import REPO as ROOT
from pipeline.tools.children import Child, settings_env

__all__ = [
    "ROOT",
    "Proc",
    "read_json",
    "read_topic",
    "running",
    "settings_env",
    "start_ingest",
    "start_worker",
    "wait_http",
]


class Proc(Child):
    """One edi-mesh child process (``worker``, ``ingest``, ``up``...) with its log file."""

    def __init__(self, args: list[str], settings: Settings, log: Path) -> None:
        super().__init__(args, settings, log)


@contextmanager
def running(proc: Proc, *, kill: bool = False) -> Iterator[Proc]:
    """``proc`` for the ``with`` block, then stopped (``kill``: SIGKILLed, no clean shutdown)."""
    try:
        yield proc
    finally:
        if kill:
            proc.kill()
        else:
            proc.stop()


def wait_http(url: str, timeout: float = 60.0, proc: Proc | None = None) -> None:
    """Wait until ``url`` answers 200 (fail early if ``proc`` died)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and not proc.alive():
            raise AssertionError(f"{proc.args[0]} died:\n{proc.output()[-4000:]}")
        try:
            with urllib.request.urlopen(url, timeout=1.0) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(
        f"{url} not ready in {timeout} s" + (f"\n{proc.output()[-4000:]}" if proc else "")
    )


def start_worker(settings: Settings, log_dir: Path, name: str = "worker") -> Proc:
    """A worker process, returned once it has joined its group."""
    p = Proc(["worker"], settings, log_dir / f"{name}.log")
    wait_http(f"http://127.0.0.1:{settings.worker_web_port}/readyz", 90, p)
    return p


def start_ingest(settings: Settings, log_dir: Path, name: str = "ingest") -> Proc:
    """An ingest process (file drop + façade), returned once the façade is ready."""
    p = Proc(["ingest"], settings, log_dir / f"{name}.log")
    wait_http(f"http://127.0.0.1:{settings.facade_port}/healthz", 60, p)
    return p


async def read_topic(
    settings: Settings,
    topic: str,
    *,
    until: Callable[[list[Any]], bool],
    timeout: float = 30.0,
) -> list[Any]:
    """Every record of ``topic`` from the beginning, until ``until(records)`` or ``timeout``."""
    consumer = clients.consumer(settings, clients.topic(settings, topic))
    await consumer.start()
    out: list[Any] = []
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not until(out):
            batch = await consumer.getmany(timeout_ms=200)
            for tp in sorted(batch, key=lambda t: t.partition):
                out.extend(batch[tp])
    finally:
        await consumer.stop()
    return out


def read_json(
    settings: Settings, topic: str, n: int, timeout: float = 30.0
) -> list[dict[str, Any]]:
    """At least ``n`` JSON values of ``topic`` (fewer if the timeout passes)."""
    recs = asyncio.run(read_topic(settings, topic, until=lambda r: len(r) >= n, timeout=timeout))
    return [orjson.loads(r.value) for r in recs if r.value is not None]


def wait_until(
    cond: Callable[[], Any],
    timeout: float,
    what: str,
    *,
    interval: float = 0.2,
    proc: Proc | None = None,
) -> Any:
    """Poll ``cond()`` until it returns something truthy (returned); fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = cond()
        if value:
            return value
        if proc is not None and not proc.alive():
            raise AssertionError(
                f"{proc.args[0]} died while waiting for {what}:\n{proc.output()[-4000:]}"
            )
        if time.monotonic() > deadline:
            tail = f"\n{proc.output()[-4000:]}" if proc is not None else ""
            raise AssertionError(f"not within {timeout} s: {what}{tail}")
        time.sleep(interval)


def peak_rss_mb(pid: int) -> float:
    """Peak resident set size (VmHWM) of a running process, in MiB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmHWM for pid {pid}")


def http(
    method: str,
    url: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 60.0,
) -> tuple[int, dict[str, str], Any]:
    """One HTTP request; (status, headers, JSON body or raw bytes), 4xx/5xx included."""
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            status, hdrs, raw = r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        status, hdrs, raw = e.code, dict(e.headers), e.read()
    try:
        return status, hdrs, orjson.loads(raw)
    except orjson.JSONDecodeError:
        return status, hdrs, raw
