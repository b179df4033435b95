"""Fixtures of the SFTP tests: real servers on loopback, partner keys, a recording submit callback.

No mock of SSH or SFTP: every test talks to a real ``SftpServer`` over a real
socket with asyncssh's client.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import asyncssh
import pytest

from pipeline.ingest.sftp import SftpConfig, SftpServer, hash_password
from pipeline.partners.profiles import Partner, PartnerRegistry

PASSWORD_A = "correct horse battery staple"
_n = itertools.count(1)


@dataclass
class Submitted:
    """What the submit callback received (the file's bytes read at call time)."""

    partner_id: str
    filename: str
    data: bytes
    remote_addr: str
    user: str


@dataclass
class Recorder:
    """A submit callback that records each call; ``fail`` makes it refuse uploads."""

    calls: list[Submitted] = field(default_factory=list)
    fail: bool = False

    async def __call__(
        self, partner_id: str, filename: str, local_path: Path, remote_addr: str, user: str
    ) -> None:
        if self.fail:
            raise RuntimeError("ingest refused")
        self.calls.append(
            Submitted(partner_id, filename, local_path.read_bytes(), remote_addr, user)
        )


@dataclass
class Keys:
    """Client key pairs: a and b belong to partners, stranger to nobody; files hold the private keys."""

    a: asyncssh.SSHKey
    b: asyncssh.SSHKey
    stranger: asyncssh.SSHKey
    a_file: Path


def public_line(key: asyncssh.SSHKey) -> str:
    return key.export_public_key("openssh").decode("ascii").strip()


@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Keys:
    folder = tmp_path_factory.mktemp("keys")
    a = asyncssh.generate_private_key("ssh-ed25519")
    a_file = folder / "acme_key"
    a.write_private_key(a_file)
    a_file.chmod(0o600)
    return Keys(
        a,
        asyncssh.generate_private_key("ssh-ed25519"),
        asyncssh.generate_private_key("ssh-ed25519"),
        a_file,
    )


def partner(pid: str, keys: list[asyncssh.SSHKey], password: str | None = None) -> Partner:
    data: dict[str, Any] = {
        "id": pid,
        "senders": ["*"],
        "sftp_public_keys": [public_line(k) for k in keys],
    }
    if password:
        data["sftp_password_hash"] = hash_password(password)
    return Partner.from_json(data)


@pytest.fixture()
def registry(keys: Keys) -> PartnerRegistry:
    return PartnerRegistry([partner("acme", [keys.a], PASSWORD_A), partner("beta", [keys.b])])


@pytest.fixture()
def recorder() -> Recorder:
    return Recorder()


MakeServer = Callable[..., Awaitable[SftpServer]]


@pytest.fixture()
async def make_server(
    tmp_path: Path, registry: PartnerRegistry, recorder: Recorder
) -> AsyncIterator[MakeServer]:
    """Start servers (port 0, own data dir unless given); all stopped at the end."""
    started: list[SftpServer] = []

    async def make(**overrides: Any) -> SftpServer:
        n = next(_n)
        values: dict[str, Any] = {
            "port": 0,
            "data_dir": tmp_path / f"data{n}",
            "auth_delay": 0.05,
            "auth_delay_max": 0.4,
        }
        values.update(overrides)
        submit = values.pop("submit", recorder)
        partners = values.pop("partners", registry.get)
        outbox = values.pop("outbox_root", tmp_path / "outbox")
        server = SftpServer(SftpConfig(**values), partners, submit, outbox)
        await server.start()
        started.append(server)
        return server

    yield make
    for s in started:
        await s.stop()


@pytest.fixture()
async def server(make_server: MakeServer) -> SftpServer:
    return await make_server()


def connect(
    server: SftpServer | int,
    user: str = "acme",
    key: asyncssh.SSHKey | None = None,
    password: str | None = None,
    client_factory: Callable[[], asyncssh.SSHClient] | None = None,
) -> AbstractAsyncContextManager[asyncssh.SSHClientConnection]:
    """A client connection to ``server`` on loopback (host key checked) with one credential."""
    port = server if isinstance(server, int) else server.port
    known: Any = (
        None if isinstance(server, int) else ([server.host_key.convert_to_public()], [], [])
    )
    conn = asyncssh.connect(
        "127.0.0.1",
        port,
        username=user,
        client_keys=[key] if key is not None else None,
        password=password,
        known_hosts=known,
        agent_path=None,
        config=None,
        preferred_auth="publickey,password" if password is None else "password",
        client_factory=client_factory,
    )
    return cast(AbstractAsyncContextManager[asyncssh.SSHClientConnection], conn)
