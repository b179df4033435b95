"""Child processes of edi-mesh: one way to start, watch and stop them.

``edi-mesh up`` supervises its worker and ingest with it; the tests and the
benchmarks start real processes with it. A child gets exactly the parent's
Settings through ``EDI_MESH_*`` variables, writes to a log file, runs in its
own session (Ctrl-C reaches the supervisor, which stops children in order)
and dies with its parent (PR_SET_PDEATHSIG), so nothing is ever orphaned.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO

from pipeline.settings import Settings
from pipeline.tools.broker import die_with_parent

REPO = Path(__file__).resolve().parents[2]


def settings_env(settings: Settings, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This environment plus ``EDI_MESH_*`` for every field of ``settings`` (what a child must see)."""
    env = dict(os.environ)
    for name, value in settings.model_dump().items():
        if value is not None:
            env[f"EDI_MESH_{name.upper()}"] = str(value)
    env["PYTHONUNBUFFERED"] = "1"
    env.pop("RUST_LOG", None)
    env.update(extra or {})
    return env


class Child:
    """``python -m MODULE ARGS`` (default module: the edi-mesh CLI) with its output in ``log``."""

    def __init__(
        self,
        args: Sequence[str],
        settings: Settings,
        log: Path,
        *,
        module: str = "pipeline.tools.cli",
        stdout_pipe: bool = False,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.args = list(args)
        self.module = module
        self.settings = settings
        self.log = log
        self.name = " ".join(self.args[:1]) or module
        log.parent.mkdir(parents=True, exist_ok=True)
        self._fh: IO[bytes] = open(log, "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", module, *self.args],
            env=settings_env(settings, env),
            cwd=REPO,
            stdout=subprocess.PIPE if stdout_pipe else self._fh,
            stderr=self._fh if stdout_pipe else subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=die_with_parent,
        )

    @property
    def pid(self) -> int:
        """The child's process id."""
        return self.proc.pid

    def alive(self) -> bool:
        """True while the child runs."""
        return self.proc.poll() is None

    def signal(self, signum: int) -> None:
        """Send a signal if the child still runs."""
        if self.alive():
            self.proc.send_signal(signum)

    def kill(self) -> None:
        """SIGKILL and reap (fault tests)."""
        if self.alive():
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def wait(self, timeout: float) -> int | None:
        """Wait up to ``timeout`` s for the child to exit; its exit code, or None if it still runs."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, timeout: float = 20.0) -> int:
        """SIGTERM, wait, SIGKILL if needed; return the exit code."""
        self.signal(signal.SIGTERM)
        if self.wait(timeout) is None:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self._fh.close()
        return int(self.proc.returncode)

    def output(self, last: int | None = None) -> str:
        """The log so far (the last ``last`` characters)."""
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return ""
        return text[-last:] if last else text


def stop_all(children: Sequence[Child], timeout: float = 15.0) -> None:
    """SIGTERM every child at once, then wait for each (SIGKILL whoever outlives ``timeout``)."""
    for c in children:
        c.signal(signal.SIGTERM)
    for c in children:
        c.stop(timeout)
