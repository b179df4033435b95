"""The HTTP façade of the real ``edi-mesh ingest`` process, with a real worker behind it.

Every bad request has its answer checked (status and body); accepted bodies
are followed through ``GET /v1/interchanges/{id}`` as the worker routes them.
The broker-down test starts ingest against an address where no broker runs
yet, then starts one there.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from pipeline.settings import Settings
from pipeline.tools.broker import EmbeddedBroker, free_port
from tests.faultkit import expected_ids, seen_ids, x12_file
from tests.procs import Proc, http, start_ingest, start_worker, wait_http, wait_until

BODY_CAP = 64 * 1024
SANDBOX = {"Authorization": "Bearer sandbox-demo-key"}
ACME = {"X-API-Key": "acme-demo-key"}
_n = itertools.count(1)


class Service:
    """An ingest process and a worker on the session broker, and how to talk to the façade."""

    def __init__(self, settings: Settings, ingest: Proc, worker: Proc) -> None:
        self.settings = settings
        self.ingest = ingest
        self.worker = worker
        self.base = f"http://127.0.0.1:{settings.facade_port}"

    def post(self, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        return http("POST", f"{self.base}/v1/interchanges", body, headers)

    def get(self, ingest_id: str, headers: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        return http("GET", f"{self.base}/v1/interchanges/{ingest_id}", None, headers)

    def status_becomes(self, ingest_id: str, headers: dict[str, str], status: str) -> Any:
        def check() -> Any:
            code, _, body = self.get(ingest_id, headers)
            return body if code == 200 and body["status"] == status else None

        return wait_until(check, 90, f"{ingest_id} {status}", interval=0.3, proc=self.ingest)


def module_settings(broker: EmbeddedBroker, data_dir: Path, **overrides: Any) -> Settings:
    """Isolated settings (own prefix, group, data dir, ports), like conftest's make_settings."""
    n = next(_n)
    base: dict[str, Any] = {
        "broker": broker.address,
        "data_dir": data_dir,
        "topic_prefix": f"f{os.getpid()}x{n}.",
        "app_id": f"edi-mesh-facade-{os.getpid()}-{n}",
        "worker_web_port": free_port(),
        "facade_port": free_port(),
        "ops_port": free_port(),
        "stable_seconds": 0.2,
        "poll_seconds": 0.1,
        "partitions": 2,
        "max_body_bytes": BODY_CAP,
        **overrides,
    }
    return Settings(**base)


@pytest.fixture(scope="module")
def svc(broker: EmbeddedBroker, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    tmp = tmp_path_factory.mktemp("facade")
    s = module_settings(broker, tmp / "var")
    ingest = start_ingest(s, tmp)
    wait_http(f"http://127.0.0.1:{s.facade_port}/readyz", 60, ingest)
    worker = start_worker(s, tmp)
    yield Service(s, ingest, worker)
    worker.stop()
    ingest.stop()


def test_healthz_and_readyz(svc: Service) -> None:
    assert http("GET", f"{svc.base}/healthz")[::2] == (200, {"ok": True})
    status, _, body = http("GET", f"{svc.base}/readyz")
    assert status == 200
    assert body == {"ready": True, "connected": True, "broker": True, "tracking": True}


UNAUTHORIZED = {"error": {"code": "unauthorized", "message": "missing or unknown API key"}}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer nobody-demo-key"},
        {"X-API-Key": "sandbox-demo-kez"},  # close is not equal
        {"Authorization": "Basic c2FuZGJveC1kZW1vLWtleQ=="},
    ],
    ids=["none", "unknown-bearer", "near-miss", "basic"],
)
def test_post_without_a_known_key_is_401(svc: Service, headers: dict[str, str]) -> None:
    status, hdrs, body = svc.post(x12_file(1), headers)
    assert (status, body) == (401, UNAUTHORIZED)
    assert hdrs["WWW-Authenticate"] == "Bearer"
    assert svc.get("0190aabbccdd0011223344", headers)[::2] == (401, UNAUTHORIZED)


def test_post_202_with_summary_then_routed_and_private(svc: Service) -> None:
    """202: ingest id and per-interchange summary; GET follows it to routed; other partners: 404."""
    data = x12_file(2, interchanges=2, per=3)
    status, _, body = svc.post(data, {**SANDBOX, "X-Filename": "po-batch.x12"})
    assert status == 202, body
    from parsers import parse

    ics = parse(data).interchanges
    assert body["status"] == "received" and body["messages"] == 2
    assert body["interchange_count"] == 2 and body["transaction_count"] == 6
    assert [(i["control"], i["transactions"], i["groups"]) for i in body["interchanges"]] == [
        (x.control, 3, len(x.groups)) for x in ics
    ]
    assert body["interchanges"][0]["sender"] == "ZZ:PARTNER001"
    assert body["status_url"] == f"/v1/interchanges/{body['ingest_id']}"
    iid = body["ingest_id"]
    routed = svc.status_becomes(iid, {"X-API-Key": "sandbox-demo-key"}, "routed")
    kinds = [e["event"] for e in routed["events"]]
    assert kinds.count("received") == 1 and kinds.count("routed") == 2
    assert routed["partner"] == "sandbox"
    want = expected_ids(svc.settings, data)
    seen = asyncio.run(seen_ids(svc.settings, want, timeout=60, settle=0))
    assert want <= set(seen)
    # another partner's id and an unknown id: the same 404, nothing learned
    other = svc.get(iid, ACME)
    unknown = svc.get("0190aabbccdd0011223344", ACME)
    assert other[0] == unknown[0] == 404
    assert (
        other[2] == unknown[2] == {"error": {"code": "not_found", "message": "no such ingest id"}}
    )


def test_post_as_another_partner_is_403_and_rejected(svc: Service) -> None:
    """acme's key with an envelope sender that is not acme's: 403 EDI102, tracked as rejected."""
    status, _, body = svc.post(x12_file(3, 1, 1), ACME)
    assert status == 403
    assert body["status"] == "rejected" and body["error"]["code"] == "EDI102"
    assert body["error"]["message"] == (
        "envelope sender 'ZZ:PARTNER001' does not belong to the submitting partner"
    )
    assert set(body["error"]) == {"code", "message", "location", "level", "rejects"}
    tracked = svc.status_becomes(body["ingest_id"], ACME, "rejected")
    assert tracked["events"][0]["code"] == "EDI102"


def test_post_unreadable_envelope_is_400_with_the_coded_error(svc: Service) -> None:
    status, _, body = svc.post(b"this is not EDI", SANDBOX)
    assert status == 400
    err = body["error"]
    assert err["code"] == "EDI001" and err["message"] and err["location"]["offset"] == 0
    assert body["errors"][0] == err
    svc.status_becomes(body["ingest_id"], SANDBOX, "rejected")
    status, _, body = svc.post(b"ISA*00*  ", SANDBOX)  # cut inside the header
    assert status == 400 and body["error"]["code"] == "EDI008"
    status, _, body = svc.post(b"  \n", SANDBOX)
    assert status == 400 and body["error"]["code"] == "EDI106"


def test_a_partner_supplied_file_name_follows_the_file_drop_rule(svc: Service) -> None:
    """X-Filename with a path or 8,000 characters: 400 EDI105, never copied into source.filename."""
    for name in ("../../../../tmp/pwned.edi", "x" * 8000):
        status, _, body = svc.post(x12_file(9, 1, 1), {**SANDBOX, "X-Filename": name})
        assert status == 400 and body["error"]["code"] == "EDI105"
        tracked = svc.status_becomes(body["ingest_id"], SANDBOX, "rejected")
        shown = tracked["events"][0]["source"]["filename"]
        assert "/" not in shown and len(shown.encode()) <= 180
    status, _, body = svc.post(x12_file(9, 1, 1), {**SANDBOX, "X-Filename": "po-9.edi"})
    assert status == 202


def test_post_over_the_body_cap_is_413(svc: Service) -> None:
    too_big = x12_file(4, 30, 5)
    assert len(too_big) > BODY_CAP
    status, _, body = svc.post(too_big, SANDBOX)
    assert status == 413
    assert body == {"error": {"code": "too_large", "message": f"body larger than {BODY_CAP} bytes"}}
    # chunked upload (no Content-Length): cut off at the cap as well
    pieces = iter([too_big[i : i + 16384] for i in range(0, len(too_big), 16384)])
    status, _, body = http(
        "POST",
        f"{svc.base}/v1/interchanges",
        pieces,  # type: ignore[arg-type]
        {**SANDBOX, "Transfer-Encoding": "chunked"},
    )
    assert status == 413 and body["error"]["code"] == "too_large"


def test_same_interchange_twice_is_tracked_duplicate(svc: Service) -> None:
    data = x12_file(5, 1, 2)
    first = svc.post(data, SANDBOX)
    assert first[0] == 202
    svc.status_becomes(first[2]["ingest_id"], SANDBOX, "routed")
    second = svc.post(data, SANDBOX)
    assert second[0] == 202  # accepted and stored; the worker does not route it again
    dup = svc.status_becomes(second[2]["ingest_id"], SANDBOX, "duplicate")
    [event] = [e for e in dup["events"] if e["event"] == "duplicate"]
    assert event["original_ingest_id"] == first[2]["ingest_id"]


def test_broker_unreachable_503_and_files_wait_then_flow(
    broker_factory: Callable[..., EmbeddedBroker], tmp_path: Path
) -> None:
    """No broker: façade up, 503 + Retry-After, readyz 503, files stay in the inbox.
    A broker comes up at that address: ready, 202, the waiting file is archived."""
    port = free_port()
    ghost = EmbeddedBroker(port)  # not started: nothing listens there yet
    s = module_settings(ghost, tmp_path / "var", retry_max_seconds=2.0)
    ingest = Proc(["ingest"], s, tmp_path / "ingest.log")
    try:
        base = f"http://127.0.0.1:{s.facade_port}"
        wait_http(f"{base}/healthz", 60, ingest)
        status, hdrs, body = http("GET", f"{base}/readyz")
        assert status == 503 and body["ready"] is False and body["connected"] is False
        status, hdrs, body = http("POST", f"{base}/v1/interchanges", x12_file(6), SANDBOX)
        assert status == 503 and hdrs["Retry-After"] == "5"
        assert body["error"]["code"] == "unavailable"
        # the façade still authenticates first: no information to strangers
        assert http("POST", f"{base}/v1/interchanges", x12_file(6), {})[0] == 401
        inbox = s.inbox / "sandbox"
        wait_until(inbox.exists, 30, "inbox created")
        waiting = x12_file(7)
        (inbox / "waiting.x12").write_bytes(waiting)
        for _ in range(5):  # many scan periods (stable 0.2 s, poll 0.1 s): still not taken
            time.sleep(0.3)
            assert (inbox / "waiting.x12").exists()
            assert not list((s.data_dir / "claimed").rglob("*.x12"))
        broker_factory(port=port)
        wait_http(f"{base}/readyz", 60, ingest)
        status, _, body = http("POST", f"{base}/v1/interchanges", x12_file(6), SANDBOX)
        assert status == 202, body
        wait_until(
            lambda: list((s.archive / "sandbox").rglob("waiting.x12")), 60, "archived", proc=ingest
        )
        assert not (inbox / "waiting.x12").exists()
    finally:
        ingest.stop()


def test_post_outbound_publishes_the_partners_request(svc: Service) -> None:
    """POST /v1/outbound with acme's key: 202, then the 855 lands in outbox/acme/."""
    body = {
        "partner": "acme",
        "standard": "x12",
        "type": "855",
        "idempotency_key": "facade-1",
        "segments": [["BAK", "00", "AC", "PO-1", "20240304"], ["CTT", "0"]],
    }
    url = f"{svc.base}/v1/outbound"
    status, _, answer = http("POST", url, orjson.dumps(body), ACME)
    assert status == 202 and answer == {
        "status": "accepted",
        "partner": "acme",
        "idempotency_key": "facade-1",
    }
    assert http("POST", url, orjson.dumps(body), {})[0] == 401
    status, _, answer = http("POST", url, orjson.dumps(body), SANDBOX)
    assert status == 403 and answer["error"]["code"] == "EDI303"
    status, _, answer = http("POST", url, b"{not json", ACME)
    assert status == 400 and answer["error"]["code"] == "EDI301"
    folder = svc.settings.outbox / "acme"
    files = wait_until(lambda: list(folder.glob("855_*.edi")), 60, "855 file", proc=svc.worker)
    assert b"ZZ*SENDERISA" in files[0].read_bytes()
