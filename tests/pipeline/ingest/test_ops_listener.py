"""Ingest's /metrics is on the operators' listener (loopback by default), never the partners' port."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from pipeline.settings import Settings
from tests.procs import running, start_ingest, wait_http


def test_metrics_only_on_the_operators_listener(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    s = make_settings()
    assert s.ops_host == "127.0.0.1"  # the default: not reachable from outside the host
    with running(start_ingest(s, tmp_path)):
        with pytest.raises(urllib.error.HTTPError) as on_facade:
            urllib.request.urlopen(f"http://127.0.0.1:{s.facade_port}/metrics", timeout=5)
        assert on_facade.value.code == 404
        wait_http(f"http://127.0.0.1:{s.ops_port}/healthz", 30)
        body = urllib.request.urlopen(f"http://127.0.0.1:{s.ops_port}/metrics", timeout=5).read()
        assert b"edi_facade_requests_total" in body or b"edi_ingest" in body
