"""A partner's tolerance, end to end: the same off-by-one file routed for one partner, rejected for another.

Real ingest and worker processes on the session's broker: the file goes in
through the file drop, the documents come out on ``agents.invoices``, the 997
in the partner's outbox.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import orjson
import pytest

from pipeline.settings import Settings
from tests.pipeline.worker.test_state_e2e import (
    DUAL,
    _ack_files,
    _bad_first_810,
    docs,
    values,
)
from tests.procs import running, start_ingest, start_worker, wait_until

pytestmark = pytest.mark.slow

PARTNERS = """
[[partners]]
id = "loose"
name = "Loose Ltd"
senders = ["ZZ:SENDERISA", "ZZ:ACMEFOODS"]
acks = ["997"]
tolerance = "lenient"

[[partners]]
id = "tight"
name = "Tight Inc"
senders = ["ZZ:SENDERISA", "ZZ:ACMEFOODS"]
acks = ["997"]
tolerance = "strict"
"""


def test_lenient_partner_gets_its_off_by_one_file_routed_with_a_warning_and_997_e(
    make_settings: Callable[..., Settings], corpus: Path, tmp_path: Path
) -> None:
    partners = tmp_path / "partners.toml"
    partners.write_text(PARTNERS)
    s = make_settings(partners=partners)
    data = _bad_first_810((corpus / DUAL).read_bytes())
    with running(start_ingest(s, tmp_path)), running(start_worker(s, tmp_path)):
        for pid in ("loose", "tight"):
            (s.inbox / pid).mkdir(parents=True, exist_ok=True)
            (s.inbox / pid / "invoices.edi").write_bytes(data)
        wait_until(
            lambda: len(_ack_files(s, "loose")) == 2 and len(_ack_files(s, "tight")) == 2,
            90,
            "two 997 files for each partner",
        )
        invoices = docs(s, "agents.invoices")
        loose = [d for d in invoices if d["partner"]["id"] == "loose"]
        tight = [d for d in invoices if d["partner"]["id"] == "tight"]
        assert sorted(d["control"]["transaction"] for d in loose) == ["000000001", "000000002"]
        warned = next(d for d in loose if d["control"]["transaction"] == "000000001")
        assert [(e["code"], e["rejects"]) for e in warned["errors"]] == [("EDI052", False)]
        assert [d["control"]["transaction"] for d in tight] == ["000000002"]

        loose_ack = next(t for t in _ack_files(s, "loose").values() if "AK1*IN" in t)
        assert "AK2*810*000000001~AK5*E*4~" in loose_ack and "AK9*E*2*2*2~" in loose_ack
        tight_ack = next(t for t in _ack_files(s, "tight").values() if "AK1*IN" in t)
        assert "AK2*810*000000001~AK5*R*4~" in tight_ack and "AK9*P*2*2*1~" in tight_ack

        dead = [orjson.loads(r.value) for r in values(s, "edi.deadletter")]
        assert [d["partner"] for d in dead if d["error"]["code"] == "EDI052"] == ["tight"]
