"""The stall detector warns only when records wait beyond the committed offset.

After a restart on a fully committed, quiet partition nothing waits: no
``re-reading`` warning, no healing. Records that do arrive are still processed.
"""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from pipeline.settings import Settings
from pipeline.tools.broker import free_port
from tests.pipeline.worker.test_state_e2e import DUAL, feed, wait_event, with_control
from tests.procs import running, start_worker

pytestmark = pytest.mark.slow


def healed(settings: Settings) -> int:
    url = f"http://127.0.0.1:{settings.worker_web_port}/debug/consumer"
    with urllib.request.urlopen(url, timeout=5) as r:
        return int(json.loads(r.read())["healed"])


def test_no_false_stall_warning_after_a_restart_on_a_committed_quiet_partition(
    make_settings: Callable[..., Settings], corpus: Path, tmp_path: Path
) -> None:
    s = make_settings(stall_seconds=1.0, partitions=1)
    dual = (corpus / DUAL).read_bytes()
    with running(start_worker(s, tmp_path)):
        feed(s, dual, "acme", "stall-1")
        wait_event(s, "stall-1", "routed")
        time.sleep(2 * s.commit_interval + 1)  # let the commit of that batch happen
    s2 = s.model_copy(update={"worker_web_port": free_port()})
    with running(start_worker(s2, tmp_path, "worker-2")) as w:
        time.sleep(6 * s2.stall_seconds)  # several detector rounds on the quiet partition
        assert healed(s2) == 0
        assert "re-reading" not in w.output()
        assert "\x1b" not in w.output()  # no terminal escape codes in a log file
        feed(s2, with_control(dual, "000000077"), "acme", "stall-2")
        wait_event(s2, "stall-2", "routed")
