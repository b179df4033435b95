"""The SFTP server over real loopback sockets: uploads, isolation, refusals, authentication."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path
from typing import Any

import asyncssh
import pytest

from pipeline.ingest.sftp import SftpServer
from pipeline.partners.profiles import PartnerRegistry
from tests.pipeline.ingest.sftp.conftest import (
    PASSWORD_A,
    Keys,
    MakeServer,
    Recorder,
    connect,
    partner,
)

EDI = b"ISA*00*          *00*          *ZZ*ACMEFOODS      *ZZ*RECEIVER       *" + b"x" * 4000


async def upload(server: SftpServer, key: asyncssh.SSHKey, name: str, data: bytes) -> None:
    async with (
        connect(server, key=key) as conn,
        conn.start_sftp_client() as sftp,
        sftp.open(f"/inbox/{name}", "wb") as f,
    ):
        await f.write(data)


async def test_upload_is_submitted_whole_with_who_and_where(
    server: SftpServer, keys: Keys, recorder: Recorder, tmp_path: Path
) -> None:
    await upload(server, keys.a, "po-850.edi", EDI)
    assert len(recorder.calls) == 1
    call = recorder.calls[0]
    assert (call.partner_id, call.filename, call.user) == ("acme", "po-850.edi", "acme")
    assert call.data == EDI
    assert call.remote_addr == "127.0.0.1"
    staging = server.config.staging / "acme"
    assert list(staging.iterdir()) == []  # handed over, nothing left behind


async def test_put_with_client_helper_and_password(
    server: SftpServer, recorder: Recorder, tmp_path: Path
) -> None:
    src = tmp_path / "invoice.edi"
    src.write_bytes(EDI * 3)
    async with connect(server, password=PASSWORD_A) as conn, conn.start_sftp_client() as sftp:
        await sftp.put(str(src), "/inbox/invoice.edi")
        assert await sftp.realpath(".") == "/"
        assert sorted(await sftp.listdir("/")) == [".", "..", "inbox", "outbox"]
    assert [c.data for c in recorder.calls] == [EDI * 3]


async def test_other_partner_cannot_list_read_or_guess(
    server: SftpServer, keys: Keys, recorder: Recorder, tmp_path: Path
) -> None:
    (tmp_path / "outbox" / "acme").mkdir(parents=True)
    (tmp_path / "outbox" / "acme" / "997-acme.edi").write_bytes(b"ack for acme")
    async with connect(server, key=keys.a) as ca, ca.start_sftp_client() as sa:
        held = await sa.open("/inbox/held.part", "wb")  # a temporary name: held, not submitted
        await held.write(b"secret")
        await held.close()
        assert await sa.listdir("/inbox") == [".", "..", "held.part"]
        async with connect(server, user="beta", key=keys.b) as cb, cb.start_sftp_client() as sb:
            assert await sb.listdir("/inbox") == [".", ".."]
            assert await sb.listdir("/outbox") == [".", ".."]
            for guess in ("/inbox/held.part", "/outbox/997-acme.edi", "/acme/inbox/held.part"):
                with pytest.raises(asyncssh.SFTPError):
                    await sb.stat(guess)
                with pytest.raises(asyncssh.SFTPError):
                    await sb.open(guess, "rb")
            with pytest.raises(asyncssh.SFTPError):
                await sb.rename("/inbox/held.part", "/inbox/stolen.edi")
            with pytest.raises(asyncssh.SFTPError):
                await sb.remove("/outbox/997-acme.edi")
    assert recorder.calls == []
    assert (tmp_path / "outbox" / "acme" / "997-acme.edi").exists()


async def test_paths_never_leave_the_root(
    server: SftpServer, keys: Keys, recorder: Recorder, tmp_path: Path
) -> None:
    outbox = tmp_path / "outbox" / "acme"
    outbox.mkdir(parents=True)
    (tmp_path / "secret.txt").write_text("host file")
    os.symlink(tmp_path / "secret.txt", outbox / "link.edi")  # planted on disk: still invisible
    async with connect(server, key=keys.a) as conn, conn.start_sftp_client() as sftp:
        assert await sftp.realpath("/inbox/../../..") == "/"
        for path in (
            "/inbox/../../secret.txt",
            "../outbox/x",
            "/etc/passwd",
            str(tmp_path / "secret.txt"),
            "/outbox/link.edi",
            "/inbox/a\\b",
        ):
            with pytest.raises(asyncssh.SFTPError):
                await sftp.open(path, "rb")
            with pytest.raises(asyncssh.SFTPError):
                await sftp.open(path, "wb")
        assert await sftp.listdir("/outbox") == [".", ".."]
        with pytest.raises(asyncssh.SFTPError):
            await sftp.listdir("/inbox/..")
        refused = [
            sftp.symlink("/outbox/link.edi", "/inbox/l.edi"),
            sftp.link("/outbox/link.edi", "/inbox/h.edi"),
            sftp.chmod("/inbox", 0o777),
            sftp.setstat("/outbox", asyncssh.SFTPAttrs(permissions=0o777)),
            sftp.mkdir("/inbox/sub"),
            sftp.rmdir("/inbox"),
            sftp.rename("/outbox/link.edi", "/inbox/x.edi"),
            sftp.remove("/outbox/link.edi"),
            sftp.readlink("/outbox/link.edi"),
            sftp.statvfs("/"),
        ]
        for op in refused:
            with pytest.raises(asyncssh.SFTPError):
                await op
        async with sftp.open("/inbox/up.part", "wb") as f:
            with pytest.raises(asyncssh.SFTPError):
                await f.chmod(0o777)
            with pytest.raises(asyncssh.SFTPError):
                await f.read(10, 0)  # the inbox is write-only
    assert os.path.islink(outbox / "link.edi")
    assert recorder.calls == []


async def test_wrong_key_password_or_user_are_refused_alike(server: SftpServer, keys: Keys) -> None:
    attempts: list[dict[str, Any]] = [
        {"user": "acme", "key": keys.stranger},
        {"user": "acme", "password": "wrong"},
        {"user": "beta", "password": PASSWORD_A},  # beta has no password at all
        {"user": "nobody", "key": keys.a},
        {"user": "nobody", "password": PASSWORD_A},
    ]
    reasons = set()
    for kw in attempts:
        with pytest.raises(asyncssh.PermissionDenied) as err:
            async with connect(server, **kw):
                pass
        reason = err.value.reason.replace(f"user {kw['user']} ", "user USER ")
        reasons.add((type(err.value), err.value.code, reason))
    assert len(reasons) == 1  # the client's message only repeats the user name it sent


async def test_failures_slow_down_the_next_attempts(server: SftpServer, keys: Keys) -> None:
    durations = []
    for _ in range(4):
        start = time.monotonic()
        with pytest.raises(asyncssh.PermissionDenied):
            async with connect(server, password="wrong"):
                pass
        durations.append(time.monotonic() - start)
    # auth_delay 0.05 doubling: each attempt waits before and after its failure
    assert durations[3] > durations[0] + 0.25
    assert server._shared.throttle.failures("127.0.0.1") >= 4


async def test_removed_key_stops_working_without_restart(
    server: SftpServer, keys: Keys, registry: PartnerRegistry
) -> None:
    async with connect(server, key=keys.a):
        pass
    registry.put(partner("acme", [keys.b]))  # key rotated: a's key removed
    with pytest.raises(asyncssh.PermissionDenied):
        async with connect(server, key=keys.a):
            pass
    async with connect(server, key=keys.b):
        pass


async def test_slow_upload_arrives_whole_and_is_submitted_once_after_close(
    server: SftpServer, keys: Keys, recorder: Recorder
) -> None:
    chunk = b"S" * 1024
    async with connect(server, key=keys.a) as conn, conn.start_sftp_client() as sftp:
        f = await sftp.open("/inbox/slow.edi", "wb")
        for i in range(4):  # 1 KB/s with pauses longer than half a second
            await f.write(chunk, i * 1024)
            await asyncio.sleep(0.6)
            assert recorder.calls == []
        await f.close()
        assert len(recorder.calls) == 1
    assert recorder.calls[0].data == chunk * 4
    assert len(recorder.calls) == 1


@pytest.mark.parametrize("how", ["connection lost", "session closed"])
async def test_interrupted_upload_is_never_submitted(
    server: SftpServer, keys: Keys, recorder: Recorder, how: str
) -> None:
    async with connect(server, key=keys.a) as conn:
        sftp = await conn.start_sftp_client()
        f = await sftp.open("/inbox/partial.edi", "wb")
        await f.write(b"half an interchange")
        if how == "connection lost":
            conn.abort()  # client vanishes with the file open
        else:
            sftp.exit()  # SFTP channel closed with the file open
            await sftp.wait_closed()
    for _ in range(50):
        await asyncio.sleep(0.02)
        if not any((server.config.staging / "acme").iterdir()):
            break
    assert recorder.calls == []
    assert list((server.config.staging / "acme").iterdir()) == []


async def test_temporary_name_is_submitted_on_rename(
    server: SftpServer, keys: Keys, recorder: Recorder
) -> None:
    async with connect(server, key=keys.a) as conn, conn.start_sftp_client() as sftp:
        async with sftp.open("/inbox/po.edi.filepart", "wb") as f:
            await f.write(EDI)
        assert recorder.calls == []
        await sftp.posix_rename("/inbox/po.edi.filepart", "/inbox/po.edi")
    assert [(c.filename, c.data) for c in recorder.calls] == [("po.edi", EDI)]


async def test_refused_submission_fails_the_close(
    server: SftpServer, keys: Keys, recorder: Recorder
) -> None:
    recorder.fail = True
    async with connect(server, key=keys.a) as conn, conn.start_sftp_client() as sftp:
        f = await sftp.open("/inbox/po.edi", "wb")
        await f.write(EDI)
        with pytest.raises(asyncssh.SFTPFailure, match="EDI114"):
            await f.close()
    assert list((server.config.staging / "acme").iterdir()) == []


async def test_outbox_list_download_delete(server: SftpServer, keys: Keys, tmp_path: Path) -> None:
    folder = tmp_path / "outbox" / "acme"
    folder.mkdir(parents=True)
    (folder / "997-0001.edi").write_bytes(b"ISA*997 ack")
    (folder / ".997-0002.edi.tmp").write_bytes(b"being written")  # outbox writer in progress
    async with connect(server, key=keys.a) as conn, conn.start_sftp_client() as sftp:
        assert await sftp.listdir("/outbox") == [".", "..", "997-0001.edi"]
        async with sftp.open("/outbox/997-0001.edi", "rb") as f:
            data: Any = await f.read()
            assert data == b"ISA*997 ack"
        with pytest.raises(asyncssh.SFTPError):
            await sftp.open("/outbox/997-0001.edi", "wb")  # read-only
        with pytest.raises(asyncssh.SFTPError):
            await sftp.open("/outbox/.997-0002.edi.tmp", "rb")
        await sftp.remove("/outbox/997-0001.edi")
        assert await sftp.listdir("/outbox") == [".", ".."]
    assert sorted(p.name for p in folder.iterdir()) == [".997-0002.edi.tmp"]


async def test_host_key_made_once_and_reused(make_server: MakeServer, tmp_path: Path) -> None:
    first = await make_server(data_dir=tmp_path / "keep")
    again = await make_server(data_dir=tmp_path / "keep")
    assert first.fingerprint == again.fingerprint
    assert first.fingerprint.startswith("SHA256:")
    assert (first.config.host_key_path.stat().st_mode & 0o777) == 0o600
