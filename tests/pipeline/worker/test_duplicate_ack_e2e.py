"""A re-sent interchange is acknowledged again, through the broker, into the partner's outbox."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from pipeline.settings import Settings
from tests.pipeline.worker.test_state_e2e import DUAL, _ack_files, feed, metric, wait_event
from tests.procs import running, start_ingest, start_worker, wait_until

pytestmark = pytest.mark.slow


def test_the_partner_gets_its_lost_997_again_when_it_resends(
    make_settings: Callable[..., Settings], corpus: Path, tmp_path: Path
) -> None:
    s = make_settings()
    dual = (corpus / DUAL).read_bytes()
    with running(start_ingest(s, tmp_path)), running(start_worker(s, tmp_path)):
        feed(s, dual, "acme", "first")
        acks = wait_until(
            lambda: len(_ack_files(s, "acme")) == 2 and _ack_files(s, "acme"), 60, "997s"
        )
        for name in acks:  # the partner fetched and lost them
            (s.outbox / "acme" / name).unlink()
        feed(s, dual, "acme", "again")
        wait_event(s, "again", "duplicate")
        again = wait_until(
            lambda: len(_ack_files(s, "acme")) == 2 and _ack_files(s, "acme"), 60, "997s again"
        )
        assert again == acks  # the same files, byte for byte: same control numbers
        assert metric(s, "edi_acks_resent_total", partner="acme") == 2
