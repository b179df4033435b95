"""Every client command against a broker it cannot reach: one line, exit 1, in bounded time.

Two kinds of absent broker, on real sockets: a port nobody listens on
(connection refused) and a listener that accepts but never answers (the
connect timeout, ``EDI_MESH_BROKER_TIMEOUT``, ends the wait).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest

from pipeline.tools.broker import free_port
from tests.procs import ROOT

COMMANDS = [
    ["tail", "edi.tracking", "--max", "1"],
    ["replay", "--from", "2026-01-01T00:00:00Z"],
    ["partners", "sync", "pipeline/config/partners.toml"],
    ["topics", "create", "--timeout", "2"],
]


@pytest.fixture()
def silent_broker() -> Iterator[str]:
    """A TCP listener that accepts connections and never says a word."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    try:
        yield f"127.0.0.1:{sock.getsockname()[1]}"
    finally:
        sock.close()


def run_cli(args: list[str], broker: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "EDI_MESH_BROKER_TIMEOUT": "2"}
    code = "from pipeline.tools.cli import main; main()"
    return subprocess.run(
        [sys.executable, "-c", code, *args, "--broker", broker],
        capture_output=True,
        text=True,
        timeout=60,  # the bound: a hang fails here
        cwd=ROOT,
        env=env,
    )


@pytest.mark.parametrize("args", COMMANDS, ids=[" ".join(c[:2]) for c in COMMANDS])
@pytest.mark.parametrize("kind", ["refused", "silent"])
def test_one_line_and_exit_1(args: list[str], kind: str, silent_broker: str) -> None:
    broker = f"127.0.0.1:{free_port()}" if kind == "refused" else silent_broker
    out = run_cli(args, broker)
    assert out.returncode == 1, out.stderr
    assert out.stderr.splitlines() == [out.stderr.strip()], out.stderr  # exactly one line
    assert out.stderr.startswith(f"edi-mesh: cannot reach the broker at {broker} (")
    assert "Traceback" not in out.stderr and "Unclosed" not in out.stderr
