"""End-to-end pipeline benchmark: documents/s and latency of real workers vs a raw-Kafka ceiling.

One run, one broker (its own Tansu unless ``--broker``), and for each worker
count (``--workers 1,2``), interleaved over ``--repeats``:

* **passthrough baseline**: k plain aiokafka processes (consumer group, manual
  commit per batch) that consume the same inbound records and produce, for
  each, exactly the records the pipeline produces for it (documents and
  tracking events, rendered beforehand by :class:`~pipeline.worker.processor.Processor`,
  byte for byte): the ceiling of a Python consume-produce process here;
* **pipeline**: k ``edi-mesh worker`` processes (same app id, own web ports).

Each run gets its own topic prefix and consumer group with N interchanges on
``edi.inbound`` (``--load preload``: loaded before the processes start;
``burst``: loaded in one burst once they joined). Throughput is documents on the
agent topics over the window from the moment every process was assigned (and
the first document was written) to the last document, by record timestamps;
every run checks document ids (missing, duplicated). Then, on the same
workers, a feeder offers interchanges at fixed fractions of the measured
maximum (``--rates``) with ``edi-received-at`` = send time, and the latency of
each document is its record timestamp minus ``edi-received-at``; the
passthrough is then fed the same records at the same rates (its latency is the
floor on this broker; its consumer uses ``fetch_max_wait_ms`` =
``$EDI_BENCH_FETCH_MAX_WAIT_MS``, default 10). ``--profile S`` records the
1-worker throughput run with py-spy (speedscope file next to the JSON) and
summarizes the top costs in the report.

    edi-mesh bench pipeline --interchanges 4000 --workers 1,2 --rates 0.25,0.5,0.75,1
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import json
import os
import pickle
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from benchmarks import common
from benchmarks.common import Collector, Doc, LoadBuilder, Msg, Proc
from pipeline.contracts import headers as h
from pipeline.kafka.producing import Record
from pipeline.settings import Settings

__all__ = [
    "DEFAULT_OUT",
    "DEFAULT_PLOT",
    "GOALS",
    "Params",
    "pipeline_cmd",
    "run",
    "summarize_speedscope",
]

DEFAULT_OUT = common.RESULTS / "pipeline.json"
DEFAULT_PLOT = common.RESULTS / "pipeline.png"
PROFILE_NAME = "worker-profile.speedscope.json"
GOALS = {"throughput_vs_passthrough": 0.5, "p99_ms_at_50pct": 100.0}
PASSTHROUGH_MODULE = "benchmarks.pipeline_bench"


@dataclass
class Params:
    """Everything a pipeline benchmark run depends on (echoed in the report)."""

    broker: str | None = None
    interchanges: int = 4000
    per_interchange: int = 5
    mix: str = "all"
    seed: int = 0
    partitions: int = 4
    partners: int = 4
    workers: list[int] = field(default_factory=lambda: [1, 2])
    rates: list[float] = field(default_factory=lambda: [0.25, 0.5, 0.75, 1.0])
    latency_seconds: float = 10.0
    warmup_seconds: float = 1.0
    repeats: int = 2
    load: str = "preload"
    profile: float = 0.0
    max_rate: float = 0.0  # documents/s taken as 100% for the latency runs (0 = measured max)
    baseline_latency: bool = True
    data: bool = True  # the benchmark partners render `data` (the named tree), as agents want
    progress: bool = True
    keep: bool = False


# ---------------------------------------------------------------------------
# Readiness of the consuming processes (window start)
# ---------------------------------------------------------------------------


class ReadyLog:
    """When each consuming process was (last) assigned partitions, from /readyz or its stdout."""

    def __init__(self) -> None:
        self.events: dict[str, list[tuple[float, bool]]] = defaultdict(list)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def note(self, name: str, ready: bool, at: float | None = None) -> None:
        """Record a transition (only changes are kept)."""
        ev = self.events[name]
        if not ev or ev[-1][1] != ready:
            ev.append((time.time() if at is None else at, ready))

    def watch_http(self, name: str, url: str) -> None:
        """Poll a worker's /readyz every 100 ms in a thread."""

        def loop() -> None:
            while not self._stop.is_set():
                ok = False
                with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=1.0) as r:
                    ok = r.status == 200
                self.note(name, ok)
                self._stop.wait(0.1)

        self._start(loop)

    def watch_stdout(self, name: str, proc: Proc) -> None:
        """Follow a passthrough process's JSON event lines in a thread."""

        def loop() -> None:
            assert proc.proc.stdout is not None
            for line in proc.proc.stdout:
                with contextlib.suppress(ValueError):
                    ev = json.loads(line)
                    if ev.get("event") == "assigned":
                        self.note(name, ev["partitions"] > 0, ev["t"])
                    elif ev.get("event") == "revoked":
                        self.note(name, False, ev["t"])

        self._start(loop)

    def _start(self, fn: Any) -> None:
        t = threading.Thread(target=fn, daemon=True)
        t.start()
        self._threads.append(t)

    def all_ready(self, names: Sequence[str]) -> bool:
        """True when every process's latest state is ready."""
        return all(self.events[n] and self.events[n][-1][1] for n in names)

    def window_start(self, names: Sequence[str], before: float) -> float | None:
        """The last time (before ``before``) at which every process became ready."""
        starts = []
        for n in names:
            ups = [t for t, ok in self.events[n] if ok and t <= before]
            if not ups:
                return None
            starts.append(ups[-1])
        return max(starts)

    def close(self) -> None:
        """Stop the polling threads."""
        self._stop.set()


# ---------------------------------------------------------------------------
# The passthrough baseline process
# ---------------------------------------------------------------------------


FETCH_WAIT_ENV = "EDI_BENCH_FETCH_MAX_WAIT_MS"  # the baseline consumer's fetch_max_wait_ms
Table = dict[str, list[Record]]


class OutputTables:
    """Pre-rendered outputs per ingest id, from ``*.pickle`` tables in a folder.

    ``names`` are loaded at start (None: all); any other table is loaded on the
    first unknown ingest id (the bench adds one before each latency feed).
    Loaded objects are moved out of the garbage collector's way (``gc.freeze``):
    hundreds of thousands of tuples would otherwise make every full collection
    slow and tax the baseline for holding its data.
    """

    def __init__(self, folder: Path, prefix: str, names: Sequence[str] | None = None) -> None:
        self.folder = folder
        self.prefix = prefix
        self.loaded: set[str] = set()
        self.table: Table = {}
        self.reload(names)

    def reload(self, names: Sequence[str] | None = None) -> None:
        """Load the tables named (default: every one not loaded yet)."""
        paths = (
            sorted(self.folder.glob("*.pickle"))
            if names is None
            else [self.folder / f"{n}.pickle" for n in names]
        )
        for path in paths:
            if path.name in self.loaded or not path.exists():
                continue
            with open(path, "rb") as f:
                raw: Table = pickle.load(f)
            pre = self.prefix
            self.table.update(
                {
                    iid: [Record(pre + o.topic, o.key, o.value, o.headers) for o in outs]
                    for iid, outs in raw.items()
                }
            )
            self.loaded.add(path.name)
        gc.collect()
        gc.freeze()

    def get(self, ingest_id: str) -> list[Record]:
        """The outputs of one inbound record (reloading once when unknown)."""
        outs = self.table.get(ingest_id)
        if outs is None:
            self.reload()
            outs = self.table.setdefault(ingest_id, [])
        return outs


async def _passthrough(outputs: Path, names: Sequence[str] | None) -> None:
    """Consume edi.inbound in a group; per batch produce the pre-rendered outputs, then commit."""
    from aiokafka import ConsumerRebalanceListener

    from pipeline.contracts.topics import INBOUND
    from pipeline.kafka import clients

    settings = Settings()
    table = OutputTables(outputs, settings.topic_prefix, names)

    def event(name: str, **kw: Any) -> None:
        print(json.dumps({"event": name, "t": time.time(), **kw}), flush=True)

    class Listener(ConsumerRebalanceListener):  # type: ignore[misc]
        async def on_partitions_revoked(self, revoked: Any) -> None:
            event("revoked", partitions=len(revoked))

        async def on_partitions_assigned(self, assigned: Any) -> None:
            event("assigned", partitions=len(assigned))

    consumer = clients.consumer(
        settings,
        group_id=settings.app_id,
        session_timeout_ms=int(settings.session_timeout * 1000),
        heartbeat_interval_ms=int(settings.heartbeat_interval * 1000),
        rebalance_timeout_ms=int(settings.rebalance_timeout * 1000),
        max_poll_records=settings.batch_size,
        fetch_max_wait_ms=int(os.environ.get(FETCH_WAIT_ENV, "10")),
    )
    producer = clients.producer(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await producer.start()
    await consumer.start()
    consumer.subscribe([settings.topic_prefix + INBOUND], listener=Listener())
    within = int(settings.batch_within * 1000)
    try:
        while not stop.is_set():
            batch = await consumer.getmany(timeout_ms=within, max_records=settings.batch_size)
            if not batch:
                continue
            futures = []
            for msgs in batch.values():
                for m in msgs:
                    iid = h.text(dict(m.headers or ()), h.INGEST_ID)
                    for r in table.get(iid):
                        futures.append(
                            await producer.send(r.topic, r.value, key=r.key, headers=r.headers)
                        )
            await asyncio.gather(*futures)
            await consumer.commit({tp: msgs[-1].offset + 1 for tp, msgs in batch.items()})
    finally:
        await consumer.stop()
        await producer.stop()


def passthrough_main(argv: Sequence[str]) -> None:
    """A baseline process: ``python -m benchmarks.pipeline_bench passthrough DIR [TABLE...]``."""
    if len(argv) < 2 or argv[0] != "passthrough":
        sys.exit("usage: python -m benchmarks.pipeline_bench passthrough OUTPUTS_DIR [TABLE...]")
    common.run_async(_passthrough(Path(argv[1]), argv[2:] or None))


# ---------------------------------------------------------------------------
# Profiling (py-spy)
# ---------------------------------------------------------------------------


def _py_spy() -> str | None:
    exe = Path(sys.executable).with_name("py-spy")
    return str(exe) if exe.exists() else shutil.which("py-spy")


def _package(file: str) -> str:
    """A coarse owner of a source file: site-packages distribution, stdlib module or our package."""
    file = file.replace("\\", "/")
    if "site-packages/" in file:
        return file.split("site-packages/", 1)[1].split("/", 1)[0].removesuffix(".py")
    for local in ("parsers", "pipeline", "benchmarks"):
        if f"/{local}/" in file or file.startswith(f"{local}/"):
            return local
    if "/lib/python3" in file:
        rest = file.split("/lib/python3", 1)[1].split("/", 2)
        return "stdlib:" + (rest[1].removesuffix(".py") if len(rest) > 1 else "?")
    return file.split("/", 1)[0] or "?"


# Where a worker sample's time goes: the first rule (in this order) matching a frame of its stack.
_BREAKDOWN: tuple[tuple[str, Any], ...] = (
    ("parse: parsers.parse (tokenize, envelopes)", lambda n, f: n == "parse" and "/parsers/" in f),
    ("render: parsers.documents (JSON documents)", lambda n, f: f.endswith("parsers/documents.py")),
    (
        "process: rest of Processor.process (routing, tracking JSON, dedup)",
        lambda n, f: f.endswith(("pipeline/worker/processor.py", "pipeline/worker/emitter.py")),
    ),
    ("produce outputs: WorkerContext.produce_all", lambda n, f: n.endswith("produce_all")),
    ("persist table writes: TableState.persist", lambda n, f: n == "TableState.persist"),
    (
        "checkpoint rest (acks, stats, metrics)",
        lambda n, f: f.endswith("pipeline/worker/checkpoint.py"),
    ),
    (
        "event loop, native (uvloop: epoll, socket I/O in C)",
        lambda n, f: n in ("Worker.execute_from_commandline", "ServiceThread._start_thread"),
    ),
    ("aiokafka (fetch, produce, protocol)", lambda n, f: "/aiokafka/" in f),
    (
        "Faust / mode machinery (streams, agents, consumer)",
        lambda n, f: "/faust/" in f or "/mode/" in f,
    ),
)


def summarize_speedscope(path: Path, top: int = 15) -> dict[str, Any]:
    """Top functions by self and by inclusive samples, a breakdown by hot-path stage, per package."""
    data = json.loads(path.read_text())
    frames = data["shared"]["frames"]
    # aggregate by function (py-spy records one frame per line)
    keys = [(f.get("name") or "?", f.get("file") or "") for f in frames]
    fn_of = {i: k for i, k in enumerate(keys)}
    self_n: Counter[tuple[str, str]] = Counter()
    incl_n: Counter[tuple[str, str]] = Counter()
    threads: Counter[str] = Counter()
    stages: Counter[str] = Counter()
    by_pkg: Counter[str] = Counter()
    total = 0
    for prof in data["profiles"]:
        for stack in prof["samples"]:  # root first, leaf last
            if not stack:
                continue
            total += 1
            threads[prof.get("name", "?")] += 1
            leaf = fn_of[stack[-1]]
            self_n[leaf] += 1
            by_pkg[_package(leaf[1])] += 1
            fns = [fn_of[i] for i in stack]
            for fn in set(fns):
                incl_n[fn] += 1
            for label, rule in _BREAKDOWN:
                if any(rule(n, f) for n, f in fns):
                    stages[label] += 1
                    break
            else:
                stages["other"] += 1

    def pct(n: int) -> float:
        return round(100.0 * n / total, 1) if total else 0.0

    def name(k: tuple[str, str]) -> str:
        return f"{k[0]} ({k[1]})"

    chain = max(incl_n.values(), default=0)  # main(), run(), click...: the call chain all share
    inclusive = [
        {"function": name(k), "pct": pct(n)} for k, n in incl_n.most_common() if n < 0.98 * chain
    ]
    return {
        "samples": total,
        "note": (
            "py-spy samples at 100 Hz of non-idle stacks, aggregated by function; % of samples. "
            "Self time in Worker.execute_from_commandline / ServiceThread._start_thread is time "
            "inside uvloop's native loop (epoll wait, socket I/O in C)."
        ),
        "threads_pct": {k: pct(v) for k, v in threads.most_common()},
        "breakdown_pct": {k: pct(v) for k, v in stages.most_common()},
        "self_by_package_pct": {k: pct(v) for k, v in by_pkg.most_common(12)},
        "top_self": [{"function": name(k), "pct": pct(n)} for k, n in self_n.most_common(top)],
        "top_inclusive": inclusive[: top + 5],
    }


# ---------------------------------------------------------------------------
# One run
# ---------------------------------------------------------------------------


class Bench:
    """State shared by the runs of one benchmark invocation."""

    def __init__(
        self,
        p: Params,
        tmp: Path,
        broker: str,
        broker_pid: int | None,
        bar: Any,
        profile_out: Path | None,
    ) -> None:
        self.p = p
        self.tmp = tmp
        self.broker = broker
        self.broker_pid = broker_pid
        self.bar = bar
        self.profile_out = profile_out or tmp / "worker-profile.speedscope.json"
        self.logs = tmp / "logs"
        self.partners_path, self.partner_ids = common.partners_file(
            tmp / "partners.toml",
            p.partners,
            p.partitions,
            base=Settings().partners,
            data=p.data,
        )
        self.n_runs = 0
        self.builder = LoadBuilder(
            self.settings("gen"),
            self.partner_ids,
            mix=p.mix,
            per_interchange=p.per_interchange,
            seed=p.seed,
        )
        self.load: list[Msg] = []
        self.pool: list[Msg] = []  # latency feed, shared by every run (own prefix each)
        self.processor_only: dict[str, Any] = {}
        self.outputs = tmp / "outputs"  # pre-rendered outputs for the passthrough processes
        self.outputs.mkdir(parents=True, exist_ok=True)

    def settings(self, tag: str) -> Settings:
        """Isolated settings (prefix, group, ports) for one run."""
        return common.bench_settings(
            self.broker,
            self.tmp,
            tag,
            partners=self.partners_path,
            partitions=self.p.partitions,
        )

    def _write_outputs(self, name: str, msgs: Sequence[Msg]) -> None:
        table: Table = {m.ingest_id: m.outputs for m in msgs}
        tmp = self.outputs / f"{name}.tmp"
        with open(tmp, "wb") as f:
            pickle.dump(table, f, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(self.outputs / f"{name}.pickle")

    def prepare(self) -> None:
        """Generate the throughput load and write the pre-rendered outputs for the baseline."""
        task = self.bar.add_task("generate load", total=self.p.interchanges)
        while len(self.load) < self.p.interchanges:
            n = min(250, self.p.interchanges - len(self.load))
            self.load += self.builder.build(n, f"tp{len(self.load)}")
            self.bar.update(task, completed=len(self.load))
        self._write_outputs("load", self.load)
        self.processor_only = _processor_only(self.builder)

    def latency_msgs(self, start: int, count: int) -> list[Msg]:
        """``count`` pool records from ``start``, generating (and publishing outputs) as needed."""
        if len(self.pool) < start + count:
            more = self.builder.build(start + count - len(self.pool), f"lat{len(self.pool)}")
            self._write_outputs(f"pool{len(self.pool)}", more)
            self.pool += more
        return self.pool[start : start + count]

    # -- processes -----------------------------------------------------------------------
    def start_procs(
        self, kind: str, k: int, s: Settings, ready: ReadyLog, tables: Sequence[str] = ()
    ) -> tuple[list[Proc], list[str]]:
        """Start k baseline or worker processes; returns them and their ready-log names."""
        procs: list[Proc] = []
        names: list[str] = []
        for i in range(k):
            name = f"{kind}{i}"
            log = self.logs / f"{s.topic_prefix}{name}.log"
            if kind == "pipeline":
                ws = s.model_copy(update={"worker_web_port": common.free_port()})
                proc = common.edi_mesh("worker", ws, log)
                ready.watch_http(name, f"http://127.0.0.1:{ws.worker_web_port}/readyz")
            else:
                proc = Proc(
                    PASSTHROUGH_MODULE,
                    ["passthrough", str(self.outputs), *tables],
                    s,
                    log,
                    stdout_pipe=True,
                )
                ready.watch_stdout(name, proc)
            procs.append(proc)
            names.append(name)
        return procs, names

    async def wait_ready(
        self, procs: Sequence[Proc], names: Sequence[str], ready: ReadyLog, timeout: float = 120.0
    ) -> None:
        """Wait until every process is assigned partitions."""
        deadline = time.monotonic() + timeout
        while not ready.all_ready(names):
            for p in procs:
                if not p.alive():
                    raise RuntimeError(f"{p.name} exited:\n{p.tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"processes not ready in {timeout:.0f} s: {procs[0].tail()}")
            await asyncio.sleep(0.1)

    # -- one session: processes on a fresh prefix, a throughput run and/or latency runs -----------
    async def session(
        self,
        kind: str,
        k: int,
        rep: int,
        *,
        throughput: bool = True,
        plan: Sequence[tuple[float, float]] | None = None,
        latency_after: bool = False,
    ) -> dict[str, Any]:
        """k processes of ``kind`` (baseline | pipeline) on their own prefix and group.

        ``throughput``: the load (preloaded or in a burst) and documents/s over the
        window. ``plan``: latency runs at (fraction, interchanges/s); with
        ``latency_after`` the plan is derived from the throughput just measured.
        """
        self.n_runs += 1
        t_session = time.monotonic()
        tag = f"{kind[0]}{k}r{rep}n{self.n_runs}"
        s = self.settings(tag)
        await common.ensure_topics(s)
        ready = ReadyLog()
        collector = await Collector(s).start()
        label = f"{kind} x{k}" + (f" #{rep + 1}" if self.p.repeats > 1 else "")
        task = self.bar.add_task(f"{label}: start", total=len(self.load))
        procs: list[Proc] = []
        profiler: subprocess.Popen[bytes] | None = None
        sampler: common.CpuSampler | None = None
        result: dict[str, Any] = {
            "kind": kind,
            "workers": k,
            "repeat": rep,
            "prefix": s.topic_prefix,
        }
        if not throughput:
            result["latency_only"] = True
        try:
            if throughput and self.p.load == "preload":
                ends, _ = await common.produce(s, self.load)
                t_load = time.time()
            # a throughput run's passthrough loads only the load's outputs; a latency run's all
            procs, names = self.start_procs(kind, k, s, ready, ["load"] if throughput else [])
            sampler = common.CpuSampler(
                {**{n: p.pid for n, p in zip(names, procs, strict=True)}, **self._others()},
                self_only={"bench"},
            ).__enter__()
            await self.wait_ready(procs, names, ready)
            if throughput:
                if self.p.load == "burst":
                    await asyncio.sleep(1.0)
                    t_load = time.time()
                    ends, _ = await common.produce(s, self.load)
                if kind == "pipeline" and rep == 0 and k == 1 and self.p.profile > 0:
                    profiler = self._start_profiler(procs[0].pid)
                self.bar.update(task, description=f"{label}: interchanges")
                done = await common.wait_committed(
                    s,
                    s.app_id,
                    ends,
                    timeout=max(180.0, len(self.load) / 20),
                    on_progress=lambda n: self.bar.update(task, completed=n),
                    alive=lambda: all(p.alive() for p in procs),
                )
                self.bar.update(task, description=f"{label}: read documents")
                docs = await collector.drain(sum(m.documents for m in self.load))
                result.update(self._rates(docs, ready, names, t_load, sampler))
                result["committed_all"] = done
                result["documents"] = common.check_documents(self.load, docs)
                if profiler is not None:
                    result["profile"] = self._finish_profiler(profiler)
                    profiler = None
            if latency_after and (self.p.max_rate or result.get("documents_per_s")):
                plan = self.plan(self.p.max_rate or float(result["documents_per_s"]))
            if plan:
                result["latency"] = await self.latency_runs(
                    s, collector, procs, names, sampler, label, task, plan
                )
        finally:
            if profiler is not None:
                profiler.terminate()
            for p in procs:
                p.stop()
            if sampler is not None:
                sampler.__exit__()
            ready.close()
            await collector.stop()
            self.bar.update(task, description=f"{label}: done")
        result["session_s"] = round(time.monotonic() - t_session, 1)
        return result

    def documents_per_interchange(self) -> float:
        """Documents per record of the throughput load."""
        return sum(m.documents for m in self.load) / len(self.load)

    def plan(self, max_docs_per_s: float) -> list[tuple[float, float]]:
        """(fraction, interchanges/s) of each offered rate, from a measured max documents/s."""
        dpi = self.documents_per_interchange()
        return [(f, f * max_docs_per_s / dpi) for f in self.p.rates]

    def _others(self) -> dict[str, int | None]:
        """The broker (when embedded) and this process, for CPU accounting."""
        return {"broker": self.broker_pid, "bench": os.getpid()}

    @staticmethod
    def _cpu(
        sampler: common.CpuSampler, names: Sequence[str], t0: float, t1: float, docs: int
    ) -> dict[str, Any]:
        """CPU seconds used in [t0, t1] by the consuming processes, the broker and the bench."""
        span = t1 - t0
        own = [sampler.used(n, t0, t1) for n in names]
        procs = sum(x for x in own if x is not None)
        out: dict[str, Any] = {
            "cpu_seconds": round(procs, 2),
            "cpu_cores_busy": round(procs / span, 2) if span > 0 else None,
            "documents_per_cpu_second": round(docs / procs) if procs > 0 else None,
        }
        for other in ("broker", "bench"):
            used = sampler.used(other, t0, t1)
            if used is not None:
                out[f"{other}_cpu_cores_busy"] = round(used / span, 2) if span > 0 else None
        return out

    def _rates(
        self,
        docs: Sequence[Doc],
        ready: ReadyLog,
        names: Sequence[str],
        t_load: float,
        sampler: common.CpuSampler,
    ) -> dict[str, Any]:
        """documents/s over the window (all processes assigned, first document) to the last document."""
        if not docs:
            return {"documents_per_s": None}
        ts = sorted(d.timestamp_ms for d in docs)
        first, last = ts[0] / 1000, ts[-1] / 1000
        start = ready.window_start(names, last) or first
        start = max(start, first)
        in_window = [d for d in docs if d.timestamp_ms / 1000 >= start]
        span = last - start
        out: dict[str, Any] = {
            "window_s": round(span, 3),
            "documents_in_window": len(in_window),
            "documents_per_s": round(len(in_window) / span) if span > 0 else None,
            "document_mb_per_s": round(sum(d.size for d in in_window) / span / 1e6, 2)
            if span > 0
            else None,
            "first_to_last_document_s": round(last - first, 3),
            "load_to_last_document_s": round(last - t_load, 3),
            **self._cpu(sampler, names, start, last, len(in_window)),
        }
        if len(in_window) < 0.5 * len(docs):
            out["warning"] = (
                "less than half the documents fell in the window (late join or rebalance)"
            )
        return out

    # -- latency runs -------------------------------------------------------------------------
    async def latency_runs(
        self,
        s: Settings,
        collector: Collector,
        procs: Sequence[Proc],
        names: Sequence[str],
        sampler: common.CpuSampler,
        label: str,
        task: Any,
        plan: Sequence[tuple[float, float]],
    ) -> list[dict[str, Any]]:
        """For each (fraction, rate): feed at that rate, then measure latency per document."""
        from aiokafka import TopicPartition

        from pipeline.contracts.topics import INBOUND
        from pipeline.kafka import clients

        dpi = self.documents_per_interchange()
        out: list[dict[str, Any]] = []
        cursor = 0
        probe = clients.consumer(s, group_id=s.app_id)  # where the previous run's commits ended
        await probe.start()
        try:
            begin = {
                p: (await probe.committed(TopicPartition(clients.topic(s, INBOUND), p)) or 0)
                for p in range(self.p.partitions)
            }
        finally:
            await probe.stop()
        for frac, ich_rate in plan:
            n = max(20, round(ich_rate * self.p.latency_seconds))
            msgs = await asyncio.to_thread(self.latency_msgs, cursor, n)
            cursor += n
            self.bar.update(
                task, description=f"{label}: latency at {frac:.0%}", completed=0, total=n
            )
            await asyncio.sleep(1.0)  # idle workers between runs
            sent: Counter[str] = Counter()
            feed = asyncio.create_task(
                common.produce(
                    s,
                    msgs,
                    rate=ich_rate,
                    stamp=True,
                    on_sent=functools.partial(sent.__setitem__, "n"),
                )
            )
            while not feed.done():
                self.bar.update(task, completed=sent["n"])
                await asyncio.sleep(0.2)
            ends, sent_ms = await feed
            ends = {p: max(e, begin.get(p, 0)) for p, e in {**begin, **ends}.items()}
            done = await common.wait_committed(
                s,
                s.app_id,
                ends,
                timeout=max(120.0, n / 10),
                alive=lambda: all(p.alive() for p in procs),
            )
            begin = ends
            docs = await collector.drain(sum(m.documents for m in msgs))
            row = self._latency_row(frac, ich_rate, dpi, msgs, docs, sent_ms, done)
            if docs:
                t0 = min(sent_ms.values()) / 1000
                t1 = max(d.timestamp_ms for d in docs) / 1000
                if t1 > t0:
                    row.update(self._cpu(sampler, names, t0, t1, len(docs)))
            out.append(row)
        return out

    def _latency_row(
        self,
        frac: float,
        ich_rate: float,
        dpi: float,
        msgs: Sequence[Msg],
        docs: Sequence[Doc],
        sent_ms: dict[str, int],
        done: bool,
    ) -> dict[str, Any]:
        t0 = min(sent_ms.values())
        warm = t0 + self.p.warmup_seconds * 1000
        lat = [
            d.timestamp_ms - sent_ms[d.ingest_id]
            for d in docs
            if d.ingest_id in sent_ms and sent_ms[d.ingest_id] >= warm
        ]
        ts = sorted(d.timestamp_ms for d in docs)
        span = (ts[-1] - ts[0]) / 1000 if len(ts) > 1 else 0.0
        sent_span = (max(sent_ms.values()) - t0) / 1000
        row: dict[str, Any] = {
            "fraction_of_max": frac,
            "offered_interchanges_per_s": round(ich_rate, 1),
            "offered_documents_per_s": round(ich_rate * dpi),
            "sent_interchanges": len(msgs),
            "achieved_send_interchanges_per_s": round(len(msgs) / sent_span, 1)
            if sent_span > 0
            else None,
            "achieved_documents_per_s": round(len(docs) / span) if span > 0 else None,
            "committed_all": done,
            "documents": common.check_documents(msgs, docs),
            "latency_samples": len(lat),
            "latency_ms": common.percentiles(lat),
        }
        return row

    # -- profiler -----------------------------------------------------------------------------
    def _start_profiler(self, pid: int) -> subprocess.Popen[bytes] | None:
        exe = _py_spy()
        if exe is None:
            return None
        self.profile_out.parent.mkdir(parents=True, exist_ok=True)
        self._profile_log = self.logs / "py-spy.log"
        cmd = [
            exe,
            "record",
            "--pid",
            str(pid),
            "--format",
            "speedscope",
            "--rate",
            "100",
            "--nonblocking",
            "--duration",
            str(int(self.p.profile)),
            "--output",
            str(self.profile_out),
        ]
        with open(self._profile_log, "wb") as log:
            return subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)

    def _finish_profiler(self, proc: subprocess.Popen[bytes]) -> dict[str, Any]:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)  # py-spy writes what it has on Ctrl-C
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        out: dict[str, Any] = {"tool": "py-spy record --nonblocking --rate 100 (speedscope)"}
        if not self.profile_out.exists():
            out["error"] = self._profile_log.read_text(errors="replace")[-2000:]
            return out
        out["file"] = common.display_path(self.profile_out)
        out.update(summarize_speedscope(self.profile_out))
        return out


# ---------------------------------------------------------------------------
# The whole benchmark
# ---------------------------------------------------------------------------


def _median(xs: Sequence[float | None]) -> float | None:
    vals = [x for x in xs if x is not None]
    return round(statistics.median(vals)) if vals else None


def _summarize(runs: list[dict[str, Any]], p: Params) -> tuple[dict[str, Any], dict[str, Any]]:
    """Per worker count: median documents/s of each kind, ratio, scaling; and the goals."""
    thr: dict[str, Any] = {}
    tput = [r for r in runs if not r.get("latency_only")]
    for k in p.workers:
        base = [
            r.get("documents_per_s") for r in tput if r["kind"] == "baseline" and r["workers"] == k
        ]
        pipe = [
            r.get("documents_per_s") for r in tput if r["kind"] == "pipeline" and r["workers"] == k
        ]
        b, q = _median(base), _median(pipe)
        cpu = {
            kind: _median(
                [
                    r.get("documents_per_cpu_second")
                    for r in tput
                    if r["kind"] == kind and r["workers"] == k
                ]
            )
            for kind in ("baseline", "pipeline")
        }
        paired = [round(x / y, 3) for x, y in zip(pipe, base, strict=False) if x and y]
        thr[str(k)] = {
            "baseline_documents_per_s": b,
            "pipeline_documents_per_s": q,
            "ratio_pipeline_to_baseline": round(q / b, 3) if q and b else None,
            "paired_ratios": paired,  # run i of the pipeline / run i of the baseline (interleaved)
            "baseline_documents_per_cpu_second": cpu["baseline"],
            "pipeline_documents_per_cpu_second": cpu["pipeline"],
            "pipeline_runs": pipe,
            "baseline_runs": base,
        }
    ks = [str(k) for k in p.workers]
    if "1" in thr and len(ks) > 1:
        one, b1 = thr["1"]["pipeline_documents_per_s"], thr["1"]["baseline_documents_per_s"]
        for key in ks[1:]:
            kk, bb = thr[key]["pipeline_documents_per_s"], thr[key]["baseline_documents_per_s"]
            thr[key]["pipeline_scaling_vs_1"] = round(kk / one, 2) if kk and one else None
            thr[key]["baseline_scaling_vs_1"] = round(bb / b1, 2) if bb and b1 else None

    ratio_by = {k: thr[k]["ratio_pipeline_to_baseline"] for k in ks}
    p99_by: dict[str, float | None] = {}
    base_p99_by: dict[str, float | None] = {}
    for r in runs:
        for row in r.get("latency", []):
            if abs(row["fraction_of_max"] - 0.5) < 1e-9:
                into = p99_by if r["kind"] == "pipeline" else base_p99_by
                into[str(r["workers"])] = row["latency_ms"].get("p99")

    def goal(target: float, by: dict[str, Any], ok: Any) -> dict[str, Any]:
        vals = [v for v in by.values() if v is not None]
        return {
            "target": target,
            "by_workers": by,
            "met": all(ok(v) for v in vals) if vals else None,
        }

    t_goal, l_goal = GOALS["throughput_vs_passthrough"], GOALS["p99_ms_at_50pct"]
    goals = {
        "throughput_vs_passthrough": goal(t_goal, ratio_by, lambda v: v >= t_goal)
        | {"rule": "pipeline documents/s >= 0.5 x passthrough, same run, same process count"},
        "p99_ms_at_50pct": goal(l_goal, p99_by, lambda v: v <= l_goal)
        | {
            "rule": "p99 edi-received-at -> agent-topic record timestamp <= 100 ms at 50% of max",
            "passthrough_p99_ms_same_rate": base_p99_by,
        },
    }
    return thr, goals


async def _main(
    p: Params,
    bar: Any,
    tmp: Path,
    broker: str,
    broker_pid: int | None,
    profile_out: Path | None,
) -> dict[str, Any]:
    bench = Bench(p, tmp, broker, broker_pid, bar, profile_out)
    await asyncio.to_thread(bench.prepare)
    runs: list[dict[str, Any]] = []
    for rep in range(p.repeats):
        for k in p.workers:
            runs.append(await bench.session("baseline", k, rep))
            latency = rep == 0 and bool(p.rates)
            pipe = await bench.session("pipeline", k, rep, latency_after=latency)
            runs.append(pipe)
            if latency and p.baseline_latency and (p.max_rate or pipe.get("documents_per_s")):
                plan = bench.plan(p.max_rate or float(pipe["documents_per_s"]))
                runs.append(await bench.session("baseline", k, rep, throughput=False, plan=plan))
    n_docs = sum(m.documents for m in bench.load)
    load = {
        "interchanges": len(bench.load),
        "documents": n_docs,
        "documents_per_interchange": round(n_docs / len(bench.load), 2),
        "outputs": sum(len(m.outputs) for m in bench.load),
        "inbound_bytes": sum(len(m.value) for m in bench.load),
        "document_bytes": sum(o.size for m in bench.load for o in m.outputs if o.document),
        "output_topics": dict(
            Counter(o.topic for m in bench.load for o in m.outputs).most_common()
        ),
        "partners": bench.partner_ids,
        "processor_only": bench.processor_only,
    }
    thr, goals = _summarize(runs, p)
    return {"load": load, "runs": runs, "throughput": thr, "goals": goals}


def _processor_only(builder: LoadBuilder) -> dict[str, Any]:
    """The EDI work alone (Processor.process in this process, no Kafka): the cost floor per document."""
    s, n = builder.process_seconds, builder.process_documents
    return {
        "documents": n,
        "seconds": round(s, 3),
        "us_per_document": round(s / n * 1e6, 1) if n else None,
        "documents_per_s_one_core": round(n / s) if s else None,
        "note": "Processor.process on the throughput load in the bench process, before any "
        "process starts: the EDI work alone, no Kafka; the pipeline cannot beat it per core",
    }


def _problems(runs: Sequence[dict[str, Any]]) -> list[str]:
    """Runs that did not complete or lost documents (one line each)."""
    out = []
    for r in runs:
        name = f"{r['kind']} x{r['workers']} #{r['repeat'] + 1}"
        if not r.get("latency_only"):
            d = r.get("documents", {})
            if not r.get("committed_all") or d.get("missing") or not r.get("documents_per_s"):
                out.append(f"{name}: committed_all={r.get('committed_all')}, documents={d}")
        for row in r.get("latency", []):
            d = row["documents"]
            if not row["committed_all"] or d["missing"]:
                out.append(f"{name} at {row['fraction_of_max']:.0%}: documents={d}")
    return out


def run(
    params: Params | None = None,
    *,
    reproduce: str | None = None,
    out: Path | None = None,
    plot: Path | None = None,
) -> dict[str, Any]:
    """Run the benchmark; return the report (also written to ``out`` and plotted to ``plot``)."""
    p = params or Params()
    if p.load not in ("preload", "burst"):
        raise ValueError("load must be 'preload' or 'burst'")
    tmp = Path(tempfile.mkdtemp(prefix="edi-mesh-bench-pipeline-"))
    profile_out = out.with_name(PROFILE_NAME) if out is not None else None
    t0 = time.time()
    body = common.run_on_broker(
        "pipeline", p, tmp, functools.partial(_main, p, profile_out=profile_out)
    )
    problems = _problems(body["runs"])
    if problems:  # keep the process logs of a run that lost documents or never finished
        click.echo(f"pipeline benchmark: {'; '.join(problems)}; logs kept in {tmp}", err=True)
    elif not p.keep:
        shutil.rmtree(tmp, ignore_errors=True)
    report = common.bench_report(
        "pipeline",
        pipeline_cmd,
        p,
        body,
        reproduce=reproduce,
        head={"problems": problems, "logs": str(tmp) if problems or p.keep else None},
        settings={"baseline_fetch_max_wait_ms": int(os.environ.get(FETCH_WAIT_ENV, "10"))},
        t0=t0,
        method={
            "throughput": "documents on agent topics / (last document timestamp - max(all processes assigned, first document)); record timestamps",
            "baseline": "k plain aiokafka processes (passthrough): consumer group, getmany(batch_size), produce the pipeline's pre-rendered outputs (documents + tracking events) byte for byte, await all, commit per batch",
            "latency": "agent-topic record timestamp - edi-received-at (set just before each send); feeder in the bench process at a fixed rate; records sent in the first warmup_seconds excluded; the passthrough is fed the same records at the same rates",
            "load": "seeded interchanges keyed by benchmark partners (any sender) whose ids hash evenly onto the inbound partitions",
            "cpu": "cpu_cores_busy: CPU seconds of the consuming processes / window seconds (psutil); broker and bench process alongside",
        },
    )
    if plot is not None:
        from benchmarks.plot import plot_pipeline

        plot_pipeline(report, plot)
        report["plot"] = common.display_path(plot)
    common.write_report(report, out)
    return report


def _int_list(_ctx: Any, _param: Any, value: str | Sequence[int]) -> list[int]:
    if not isinstance(value, str):
        return [int(v) for v in value]
    try:
        out = [int(v) for v in value.split(",") if v.strip()]
    except ValueError:
        raise click.BadParameter(f"{value!r}: use comma-separated integers, e.g. 1,2") from None
    if not out or any(v < 1 for v in out):
        raise click.BadParameter("give at least one positive count")
    return out


def _float_list(_ctx: Any, _param: Any, value: str | Sequence[float]) -> list[float]:
    if not isinstance(value, str):
        return [float(v) for v in value]
    try:
        out = [float(v) for v in value.split(",") if v.strip()]
    except ValueError:
        raise click.BadParameter(f"{value!r}: use fractions, e.g. 0.25,0.5,0.75") from None
    if any(v <= 0 for v in out):
        raise click.BadParameter("fractions must be positive")
    return out


@click.command("pipeline")
@common.broker_option
@click.option(
    "--interchanges",
    "-n",
    type=click.IntRange(1),
    default=4000,
    show_default=True,
    help="Interchanges per throughput run.",
)
@click.option(
    "--per-interchange",
    type=click.IntRange(1),
    default=5,
    show_default=True,
    help="Transaction sets per interchange.",
)
@click.option(
    "--mix", default="all", show_default=True, help="Generator mix: preset or TYPE=WEIGHT,..."
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--partitions",
    type=click.IntRange(1),
    default=4,
    show_default=True,
    help="Partitions of edi.inbound and agent topics.",
)
@click.option(
    "--partners",
    type=click.IntRange(1),
    default=4,
    show_default=True,
    help="Benchmark partners (spread evenly over partitions).",
)
@click.option(
    "--workers",
    default="1,2",
    show_default=True,
    callback=_int_list,
    help="Worker process counts to measure.",
)
@click.option(
    "--rates",
    default="0.25,0.5,0.75,1.0",
    show_default=True,
    callback=_float_list,
    help="Offered load as fractions of the measured max ('' = no latency runs).",
)
@click.option(
    "--latency-seconds",
    type=click.FloatRange(1),
    default=10.0,
    show_default=True,
    help="Feed duration per offered rate.",
)
@click.option(
    "--warmup-seconds",
    type=click.FloatRange(0),
    default=1.0,
    show_default=True,
    help="Latency samples of this first part are dropped.",
)
@click.option(
    "--repeats",
    type=click.IntRange(1),
    default=2,
    show_default=True,
    help="Interleaved baseline/pipeline repetitions.",
)
@click.option(
    "--load",
    type=click.Choice(["preload", "burst"]),
    default="preload",
    show_default=True,
    help="Load inbound before starting the processes, or in one burst after they joined.",
)
@click.option(
    "--profile",
    type=click.FloatRange(0),
    default=0.0,
    show_default=True,
    help="py-spy the 1-worker run for up to SECONDS (0 = off).",
)
@click.option(
    "--max-rate",
    type=click.FloatRange(0),
    default=0.0,
    show_default=True,
    help="Documents/s taken as 100% for --rates (0 = the max just measured); fixes the offered load across runs.",
)
@click.option(
    "--baseline-latency/--no-baseline-latency",
    default=True,
    show_default=True,
    help="Also feed the passthrough at the same offered rates (its latency floor).",
)
@click.option(
    "--data/--no-data",
    default=True,
    show_default=True,
    help="Benchmark partners render the named `data` tree (partner setting data = true).",
)
@common.run_options(DEFAULT_OUT, DEFAULT_PLOT)
def pipeline_cmd(out: Path, plot: Path, **kw: Any) -> None:
    """Pipeline documents/s and latency vs a passthrough aiokafka baseline; prints JSON."""
    report = run(Params(**kw), reproduce=common.current_command_line(), out=out, plot=plot)
    click.echo(json.dumps(report, indent=2))


if __name__ == "__main__":
    if sys.argv[1:2] == ["passthrough"]:
        passthrough_main(sys.argv[1:])
    else:
        pipeline_cmd()
