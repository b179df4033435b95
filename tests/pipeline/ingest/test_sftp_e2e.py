"""SFTP end to end through the broker: a real worker and ingest, asyncssh's real client.

Partner A (acme) uploads an 850 to ``/inbox`` → its documents arrive on
``agents.orders`` with ``source.channel == "sftp"`` and the tracking event
names A's user and address → the 997 the worker writes is downloadable from
A's ``/outbox``; partner B (beta) can neither list nor open it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import asyncssh
import orjson

from pipeline.contracts.topics import TRACKING, agent_topic
from pipeline.ingest.sftp import mount
from pipeline.settings import Settings
from pipeline.tools.broker import free_port
from tests.pipeline.ingest.sftp.conftest import Keys, public_line
from tests.pipeline.ingest.sftp.conftest import keys as keys  # the session fixture
from tests.procs import read_topic, running, start_ingest, start_worker, wait_until

CORPUS_850 = "x12/staedi/src/test/resources/x12/invoice810_po850_dual.edi"  # ZZ:SENDERISA = acme


def _partners_file(path: Path, keys: Keys) -> Path:
    """acme (850 sender, acks 997) with key A; beta with key B."""
    path.write_text(
        "[[partners]]\n"
        'id = "acme"\n'
        'senders = ["ZZ:SENDERISA"]\n'
        'acks = ["997"]\n'
        f'sftp_public_keys = ["{public_line(keys.a)}"]\n'
        "[[partners]]\n"
        'id = "beta"\n'
        'senders = ["ZZ:BETA"]\n'
        f'sftp_public_keys = ["{public_line(keys.b)}"]\n',
        encoding="utf-8",
    )
    return path


def _connect(s: Settings, user: str, key: asyncssh.SSHKey) -> Any:
    """A client connection that checks the server's host key (from the data directory)."""
    known = ([mount.host_key(s).convert_to_public()], [], [])
    return asyncssh.connect(
        "127.0.0.1",
        s.sftp_port,
        username=user,
        client_keys=[key],
        known_hosts=known,
        agent_path=None,
        config=None,
        preferred_auth="publickey",
    )


async def _upload(s: Settings, keys: Keys, data: bytes) -> None:
    async with (
        _connect(s, "acme", keys.a) as conn,
        conn.start_sftp_client() as sftp,
        sftp.open("/inbox/po-850.edi", "wb") as f,
    ):
        await f.write(data)


async def _outbox(s: Settings, user: str, key: asyncssh.SSHKey) -> list[str]:
    async with _connect(s, user, key) as conn, conn.start_sftp_client() as sftp:
        return [n for n in await sftp.listdir("/outbox") if n not in (".", "..")]


async def _download(s: Settings, keys: Keys, name: str) -> bytes:
    async with (
        _connect(s, "acme", keys.a) as conn,
        conn.start_sftp_client() as sftp,
        sftp.open(f"/outbox/{name}", "rb") as f,
    ):
        return bytes(await f.read())


async def _beta_cannot_open(s: Settings, keys: Keys, name: str) -> None:
    async with _connect(s, "beta", keys.b) as conn, conn.start_sftp_client() as sftp:
        for path in (f"/outbox/{name}", f"/outbox/../../acme/{name}", f"/../outbox/acme/{name}"):
            try:
                async with sftp.open(path, "rb"):
                    raise AssertionError(f"beta opened {path}")
            except asyncssh.SFTPError:
                pass


def test_upload_over_sftp_to_documents_and_997_in_the_outbox(
    make_settings: Callable[..., Settings], tmp_path: Path, keys: Keys, corpus: Path
) -> None:
    s = make_settings(
        partners=_partners_file(tmp_path / "partners.toml", keys), sftp_port=free_port()
    )
    data = (corpus / CORPUS_850).read_bytes()
    logs = tmp_path / "logs"
    logs.mkdir()
    with (
        running(start_worker(s, logs)) as worker,
        running(start_ingest(s, logs)) as ingest,
    ):
        wait_until(lambda: mount.config(s).host_key_path.exists(), 30, "host key", proc=ingest)
        wait_until(lambda: _port_open(s.sftp_port), 30, "sftp port", proc=ingest)
        asyncio.run(_upload(s, keys, data))

        def orders() -> list[dict[str, Any]]:
            recs = asyncio.run(
                read_topic(s, agent_topic("orders"), until=lambda r: len(r) >= 1, timeout=5)
            )
            return [orjson.loads(r.value) for r in recs]

        docs = wait_until(orders, 60, "documents on agents.orders", proc=worker)
        assert {d["source"]["channel"] for d in docs} == {"sftp"}
        assert docs[0]["source"]["filename"] == "po-850.edi"
        assert "sftp_public_keys" not in orjson.dumps(docs[0]["partner"]).decode()

        tracking = asyncio.run(read_topic(s, TRACKING, until=lambda r: len(r) >= 1, timeout=10))
        received = [e for e in map(lambda r: orjson.loads(r.value), tracking)
                    if e["event"] == "received"]  # fmt: skip
        assert received and received[0]["source"]["channel"] == "sftp"
        assert received[0]["client"]["user"] == "acme"
        assert received[0]["client"]["remote_addr"] == "127.0.0.1"

        names = wait_until(lambda: asyncio.run(_outbox(s, "acme", keys.a)), 60, "997", proc=worker)
        ack = asyncio.run(_download(s, keys, names[0]))
        assert b"ST*997*" in ack
        assert asyncio.run(_outbox(s, "beta", keys.b)) == []
        asyncio.run(_beta_cannot_open(s, keys, names[0]))


def _port_open(port: int) -> bool:
    """True once something listens on ``127.0.0.1:port``."""
    import socket

    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0
