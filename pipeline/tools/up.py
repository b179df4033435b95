"""``edi-mesh up``: the whole pipeline on one machine, on an embedded Tansu broker.

A small supervisor: it starts the broker, creates every topic, publishes the
partners file, starts worker(s) and the ingest process as children, waits
until they are ready, prints where everything is, and on Ctrl-C / SIGTERM
stops them in order (workers, ingest, broker). Children also get
PR_SET_PDEATHSIG, so even a SIGKILLed supervisor leaves no orphans.
"""

from __future__ import annotations

import asyncio
import signal
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.kafka import admin
from pipeline.partners.profiles import load_partners
from pipeline.settings import Settings
from pipeline.tools.broker import BrokerError, EmbeddedBroker, port_in_use
from pipeline.tools.children import Child, stop_all


class UpError(RuntimeError):
    """``up`` cannot start (one line for the user)."""


@dataclass
class Supervised:
    """One supervised child: the process, its readiness URL and its recent restarts."""

    name: str
    child: Child
    ready_url: str
    restarts: list[float] = field(default_factory=list)

    def exited(self) -> int | None:
        """The exit code once the process has exited, else None."""
        return self.child.proc.poll()


MAX_RESTARTS = 5  # per child within RESTART_WINDOW seconds; more means something is really wrong
RESTART_WINDOW = 300.0


def _restart(c: Supervised) -> bool:
    """Start an exited child again; False once it has crashed too often to keep trying."""
    now = time.monotonic()
    c.restarts = [t for t in c.restarts if now - t < RESTART_WINDOW] + [now]
    if len(c.restarts) > MAX_RESTARTS:
        return False
    c.child.stop(0.1)  # reaps it and closes its log handle
    c.child = Child(c.child.args, c.child.settings, c.child.log)
    return True


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1.0) as r:
            return bool(r.status == 200)
    except OSError:
        return False


def check_ports(settings: Settings, web_ports: list[int]) -> None:
    """Refuse to start when a port we need is taken (before anything is started)."""
    for what, port in [
        ("façade", settings.facade_port),
        ("ingest metrics", settings.ops_port),
        *([("sftp", settings.sftp_port)] if settings.sftp_port else []),
        *[(f"worker {i + 1} web", p) for i, p in enumerate(web_ports)],
    ]:
        if port_in_use("127.0.0.1", port):
            raise UpError(f"port {port} ({what}) is already in use")


def children_of(settings: Settings, web_ports: list[int], logs: Path) -> list[Supervised]:
    """The worker and ingest processes ``up`` runs, each with its log and readiness page."""
    workers = [
        Supervised(
            f"worker-{i + 1}",
            Child(["worker", "--web-port", str(port)], settings, logs / f"worker-{i + 1}.log"),
            f"http://127.0.0.1:{port}/readyz",
        )
        for i, port in enumerate(web_ports)
    ]
    ingest = Supervised(
        "ingest",
        Child(
            ["ingest", "--facade-port", str(settings.facade_port)], settings, logs / "ingest.log"
        ),
        f"http://127.0.0.1:{settings.facade_port}/readyz",
    )
    return [*workers, ingest]


def wait_ready(children: list[Supervised], stop: list[int], timeout: float, logs: Path) -> None:
    """Block until every child answers its readiness page (or a signal asks us to stop)."""
    pending = list(children)
    deadline = time.monotonic() + timeout
    while pending and not stop:
        for c in list(pending):
            if c.exited() is not None:
                raise UpError(
                    f"{c.name} exited at start (code {c.exited()}); see {logs}/{c.name}.log"
                )
            if _ready(c.ready_url):
                pending.remove(c)
        if time.monotonic() > deadline:
            raise UpError(
                f"{', '.join(c.name for c in pending)} not ready after {timeout:.0f} s; see {logs}"
            )
        time.sleep(0.2)


def supervise(children: list[Supervised], stop: list[int], logs: Path) -> int:
    """Restart children that exit (bounded) until a signal; return the exit code."""
    while not stop:
        for c in children:
            code = c.exited()
            if code is None:
                continue
            if not _restart(c):
                print(
                    f"edi-mesh: {c.name} keeps exiting (last code {code}); stopping. "
                    f"See {logs}/{c.name}.log",
                    file=sys.stderr,
                )
                return 1
            print(f"edi-mesh: {c.name} exited (code {code}); restarted it", file=sys.stderr)
        time.sleep(0.2)
    print("edi-mesh: stopping…", file=sys.stderr)
    return 0


def up(settings: Settings, workers: int = 1, ready_timeout: float = 90.0) -> int:
    """Run everything until a signal; return the exit code."""
    logs = settings.data_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    partners = load_partners(settings.partners)
    web_ports = [settings.worker_web_port + i for i in range(workers)]
    check_ports(settings, web_ports)
    broker = EmbeddedBroker(settings.broker_port, log_path=logs / "broker.log")
    try:
        broker.start()
    except BrokerError as exc:
        raise UpError(str(exc)) from None
    settings = settings.model_copy(update={"broker": broker.address})
    stop_requested: list[int] = []

    def on_signal(signum: int, frame: object) -> None:
        stop_requested.append(signum)

    old = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    children: list[Supervised] = []
    t0 = time.monotonic()
    try:
        asyncio.run(admin.ensure_topics(settings))
        from pipeline.partners.sync import sync
        from pipeline.tools.demo import with_demo_key

        asyncio.run(sync(settings, with_demo_key(settings, partners)))
        children = children_of(settings, web_ports, logs)
        wait_ready(children, stop_requested, ready_timeout, logs)
        if not stop_requested:
            _banner(settings, partners, web_ports, time.monotonic() - t0)
        return supervise(children, stop_requested, logs)
    finally:
        stop_all([c.child for c in children])
        broker.stop()
        for s, h in old.items():
            signal.signal(s, h)


def _banner(settings: Settings, partners: list, web_ports: list[int], took: float) -> None:  # type: ignore[type-arg]
    inbox = settings.inbox.resolve()
    lines = [
        f"edi-mesh is up ({took:.1f} s)",
        f"  broker     {settings.broker}   (Tansu, memory storage: data is gone when it stops)",
        f"  façade     http://{settings.facade_host}:{settings.facade_port}/v1/interchanges",
        f"  metrics    http://{settings.ops_host}:{settings.ops_port}/metrics   (ingest)",
        *[
            f"  metrics    http://{settings.worker_web_host}:{p}/metrics   (worker {i + 1})"
            for i, p in enumerate(web_ports)
        ],
        "  inboxes:",
        *[f"    {inbox / p.id}/   {p.name}" for p in partners],
        f"  archive    {settings.archive.resolve()}/",
        f"  quarantine {settings.quarantine.resolve()}/",
        f"  outbox     {settings.outbox.resolve()}/",
        f"  logs       {(settings.data_dir / 'logs').resolve()}/",
        *_sftp_lines(settings, partners),
        "",
        "  try:  cp ../shared/corpus/x12/staedi/src/test/resources/x12/invoice810_po850_dual.edi "
        f"{inbox / partners[0].id if partners else inbox}/",
        f"        edi-mesh tail agents.orders --broker {settings.broker} --from-beginning --max 1 --timeout 10",
        "  Ctrl-C stops everything.",
    ]
    print("\n".join(lines), flush=True)


def _sftp_lines(settings: Settings, partners: list) -> list[str]:  # type: ignore[type-arg]
    """The banner's SFTP lines: where it listens, its host key, the command a partner types."""
    if not settings.sftp_port:
        return []
    from pipeline.ingest.sftp import mount
    from pipeline.tools.demo import key_path

    user = partners[0].id if partners else "PARTNER"
    key = key_path(settings, user)
    return [
        f"  sftp       {settings.sftp_host}:{settings.sftp_port}   host key {mount.fingerprint(settings)}",
        f"  try:  sftp -P {settings.sftp_port} -i {key if key.exists() else 'KEY'} "
        f"{user}@{settings.sftp_host}",
    ]
