"""A partner's ``data`` and ``validation = "standard"`` settings, end to end through the broker.

Real ingest and worker processes on the session's broker: an 850 for a partner with
``data = true`` comes out on ``agents.orders`` with its PO number named in ``data``;
an 810 with an invalid code for a partner with ``validation = "standard"`` is
rejected, and its 997 in the outbox says where (AK3/AK4).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import orjson
import pytest

from pipeline.settings import Settings
from tests.pipeline.worker.test_processor_data import bad810
from tests.pipeline.worker.test_state_e2e import DUAL, _ack_files, docs, values
from tests.procs import running, start_ingest, start_worker, wait_until

pytestmark = pytest.mark.slow

PARTNERS = """
[[partners]]
id = "rich"
name = "Rich Data Ltd"
senders = ["ZZ:SENDERISA", "ZZ:ACMEFOODS"]
acks = ["997"]
data = true

[[partners]]
id = "checked"
name = "Checked Inc"
senders = ["ZZ:SENDERISA", "ZZ:ACMEFOODS"]
acks = ["997"]
validation = "standard"
"""


def test_data_partner_gets_named_data_and_standard_partner_gets_ak3_ak4(
    make_settings: Callable[..., Settings], corpus: Path, tmp_path: Path
) -> None:
    partners = tmp_path / "partners.toml"
    partners.write_text(PARTNERS)
    s = make_settings(partners=partners)
    with running(start_ingest(s, tmp_path)), running(start_worker(s, tmp_path)):
        for pid in ("rich", "checked"):
            (s.inbox / pid).mkdir(parents=True, exist_ok=True)
        (s.inbox / "rich" / "po.edi").write_bytes((corpus / DUAL).read_bytes())
        (s.inbox / "checked" / "invoices.edi").write_bytes(bad810(corpus))
        wait_until(
            lambda: len(_ack_files(s, "rich")) == 2 and len(_ack_files(s, "checked")) == 1,
            90,
            "two 997 files for rich, one for checked",
        )
        (po,) = [d for d in docs(s, "agents.orders") if d["partner"]["id"] == "rich"]
        beg = po["data"]["beginning_segment_for_purchase_order_BEG"]
        assert beg["purchase_order_number_03"] == "S115921858"
        assert po["dictionary"]["name"] == "x12-004010"
        assert not [d for d in docs(s, "agents.invoices") if d["partner"]["id"] == "checked"]

        (ack,) = _ack_files(s, "checked").values()
        assert "AK2*810*000000001~AK3*FOB*13**8~AK4*1**7*Q9~AK5*R*5~" in ack
        assert "AK9*R*2*2*0~" in ack
        dead = [orjson.loads(r.value) for r in values(s, "edi.deadletter")]
        assert {d["error"]["code"] for d in dead if d["partner"] == "checked"} == {"EDI099"}
