"""The worker's web server (/metrics, debug pages) listens on the operators' interface only."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import psutil

from pipeline.settings import Settings
from tests.procs import running, start_worker


def test_worker_web_server_binds_the_operators_host(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    s = make_settings()
    assert s.ops_host == s.worker_web_host == "127.0.0.1"  # follows ops_host unless set
    assert Settings(ops_host="10.9.8.7").worker_web_host == "10.9.8.7"
    with running(start_worker(s, tmp_path)) as worker:
        proc = psutil.Process(worker.pid)
        listening = {
            c.laddr
            for p in (proc, *proc.children(recursive=True))
            for c in p.net_connections(kind="tcp")
            if c.status == psutil.CONN_LISTEN
        }
    on_port = {addr.ip for addr in listening if addr.port == s.worker_web_port}
    assert on_port == {"127.0.0.1"}, listening
