"""SFTP limits: file size, concurrent sessions per partner, idle timeout; each with a clear answer."""

from __future__ import annotations

import asyncio

import asyncssh
import pytest

from pipeline import metrics
from tests.pipeline.ingest.sftp.conftest import Keys, MakeServer, Recorder, connect


class LostReason(asyncssh.SSHClient):
    """Keeps the reason the server gave when it closed the connection."""

    exc: Exception | None = None

    def connection_lost(self, exc: Exception | None) -> None:
        self.exc = exc


def hits(limit: str) -> float:
    """The current value of ``edi_sftp_limit_hits_total{limit=...}``."""
    value: float = metrics.SFTP_LIMITS.labels(limit)._value.get()
    return value


async def test_file_over_the_size_limit_is_aborted_with_edi103(
    make_server: MakeServer, keys: Keys, recorder: Recorder
) -> None:
    server = await make_server(max_file_bytes=10_000)
    before = hits("file_size")
    async with connect(server, key=keys.a) as conn, conn.start_sftp_client() as sftp:
        async with sftp.open("/inbox/exact.edi", "wb") as f:
            await f.write(b"x" * 10_000)  # at the limit: fine
        f = await sftp.open("/inbox/big.edi", "wb")
        await f.write(b"y" * 8_000)
        with pytest.raises(asyncssh.SFTPFailure, match="EDI103") as err:
            await f.write(b"y" * 8_000, 8_000)
        assert "10000 bytes" in err.value.reason
        with pytest.raises(asyncssh.SFTPFailure, match="EDI103"):
            await f.write(b"y", 16_000)  # the handle stays refused
        await f.close()
        sparse = await sftp.open("/inbox/sparse.edi", "wb")
        with pytest.raises(asyncssh.SFTPFailure, match="EDI103"):
            await sparse.write(b"z", 50_000)  # a far offset counts, not the bytes sent
        await sparse.close()
    assert [c.filename for c in recorder.calls] == ["exact.edi"]
    assert hits("file_size") == before + 2
    assert list((server.config.staging / "acme").iterdir()) == []


async def test_sessions_over_the_partner_limit_are_refused_with_edi112(
    make_server: MakeServer, keys: Keys
) -> None:
    server = await make_server(max_sessions=2)
    before = hits("sessions")
    async with connect(server, key=keys.a) as c1, connect(server, key=keys.a) as c2:
        lost = LostReason()
        async with connect(server, key=keys.a, client_factory=lambda: lost) as c3:
            await asyncio.wait_for(c3.wait_closed(), 3.0)
        assert isinstance(lost.exc, asyncssh.DisconnectError)
        assert lost.exc.code == asyncssh.DISC_TOO_MANY_CONNECTIONS
        assert lost.exc.reason.startswith("EDI112 too many concurrent sessions")
        async with connect(server, user="beta", key=keys.b) as other:  # another partner: own limit
            await other.start_sftp_client()
        for c in (c1, c2):
            async with c.start_sftp_client() as sftp:
                assert "inbox" in await sftp.listdir("/")
    assert hits("sessions") == before + 1
    async with connect(server, key=keys.a) as again:  # the slots are free again
        await again.start_sftp_client()


async def test_idle_session_is_closed_with_edi113(make_server: MakeServer, keys: Keys) -> None:
    server = await make_server(idle_timeout=0.5)
    before = hits("idle")
    async with connect(server, key=keys.a) as conn, conn.start_sftp_client() as sftp:
        for _ in range(4):  # activity keeps it open
            await asyncio.sleep(0.3)
            await sftp.listdir("/outbox")
        await asyncio.wait_for(conn.wait_closed(), 3.0)
        with pytest.raises((asyncssh.Error, OSError)):
            await sftp.listdir("/")
    assert hits("idle") == before + 1
    assert server._shared.sessions["acme"] == 0


async def test_open_files_and_sftp_sessions_per_connection_are_capped(
    make_server: MakeServer, keys: Keys, recorder: Recorder
) -> None:
    server = await make_server(max_open_files=3, max_channels=1)
    async with connect(server, key=keys.a) as conn:
        async with conn.start_sftp_client() as sftp:
            files = [await sftp.open(f"/inbox/f{i}.edi", "wb") for i in range(3)]
            with pytest.raises(asyncssh.SFTPFailure, match="too many open files"):
                await sftp.open("/inbox/f3.edi", "wb")
            await files[0].close()
            files[0] = await sftp.open("/inbox/f3.edi", "wb")  # a slot was freed
            async with conn.start_sftp_client() as second:
                with pytest.raises(asyncssh.SFTPFailure, match="EDI112"):
                    await second.listdir("/")
                with pytest.raises(asyncssh.SFTPFailure, match="EDI112"):
                    await second.open("/inbox/x.edi", "wb")
            for f in files:
                await f.close()
        async with conn.start_sftp_client() as again:  # the first session ended: allowed
            assert "outbox" in await again.listdir("/")
    assert sorted(c.filename for c in recorder.calls) == ["f0.edi", "f1.edi", "f2.edi", "f3.edi"]
