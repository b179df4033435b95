"""The built-in SFTP server: partners log in with their own key or password and see only their folders.

``SftpServer`` owns the listening socket, the host key (made once, reused) and
the per-partner limits. The ingest process mounts it with a partner lookup, a
``submit`` callback and the outbox root; nothing here knows about Kafka.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import asyncssh

from pipeline import metrics
from pipeline.contracts import errors as perr
from pipeline.ingest.sftp.auth import (
    Throttle,
    key_matches,
    partner_keys,
    password_hash,
    verify_password,
)
from pipeline.ingest.sftp.fs import PartnerFS, Session, Submit
from pipeline.partners.profiles import Partner

log = logging.getLogger(__name__)

HOST_KEY_NAME = "ssh_host_ed25519_key"
PartnerLookup = Callable[[str], Partner | None]


@dataclass(frozen=True, slots=True)
class SftpConfig:
    """Settings of the SFTP server (proposed ``EDI_MESH_SFTP_*`` settings)."""

    host: str = "127.0.0.1"
    port: int = 2222  # 0 = any free port (tests)
    data_dir: Path = Path("var")  # sftp/ssh_host_ed25519_key and sftp/staging/<partner>/ live here
    max_file_bytes: int = 2 * 1024**3
    max_sessions: int = 4  # concurrent logged-in connections per partner
    max_channels: int = 2  # SFTP sessions (channels) on one connection
    max_open_files: int = 64  # open file handles on one connection
    idle_timeout: float = 300.0  # seconds without an SFTP request before the session is closed
    login_timeout: float = 30.0  # seconds to complete authentication
    auth_delay: float = 0.25  # first delay after a failure; doubles with each further one
    auth_delay_max: float = 10.0
    auth_forget: float = 900.0  # an address's failures are forgotten after this long

    @property
    def host_key_path(self) -> Path:
        """Where the host key is kept."""
        return self.data_dir / "sftp" / HOST_KEY_NAME

    @property
    def staging(self) -> Path:
        """Root of the per-partner staging folders (uploads until close)."""
        return self.data_dir / "sftp" / "staging"

    @classmethod
    def from_settings(cls, settings: Any, **overrides: Any) -> SftpConfig:
        """A config from a Settings-like object: ``data_dir``, ``max_file_bytes``, ``sftp_*``."""
        values: dict[str, Any] = {}
        for name in ("data_dir", "max_file_bytes"):
            if hasattr(settings, name):
                values[name] = getattr(settings, name)
        for name in cls.__dataclass_fields__:
            if hasattr(settings, f"sftp_{name}"):
                values[name] = getattr(settings, f"sftp_{name}")
        values.update(overrides)
        return cls(**values)


def load_host_key(path: Path) -> asyncssh.SSHKey:
    """The server's host key: read from ``path``, or generated there once (mode 0600)."""
    if path.exists():
        return asyncssh.read_private_key(path)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = asyncssh.generate_private_key("ssh-ed25519")
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(key.export_private_key())
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    return key


@dataclass
class _Shared:
    """State shared by every connection of one server."""

    config: SftpConfig
    partners: PartnerLookup
    submit: Submit
    outbox_root: Path
    throttle: Throttle
    sessions: dict[str, int] = field(default_factory=dict)


class _Connection(asyncssh.SSHServer):
    """One client connection: authentication, the session limit and the idle timer."""

    def __init__(self, shared: _Shared) -> None:
        self.sh = shared
        self.conn: asyncssh.SSHServerConnection | None = None
        self.addr = "unknown"
        self.session: Session | None = None
        self.method = ""
        self.counted = False  # a failure was already counted for this connection
        self._idle: asyncio.Task[None] | None = None

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        """Remember the connection and its source address (for throttling and submit)."""
        self.conn = conn
        peer = conn.get_extra_info("peername")
        self.addr = str(peer[0]) if peer else "unknown"

    def connection_lost(self, exc: Exception | None) -> None:
        """Free the session slot; a connection that never logged in counts as one failure."""
        if self._idle is not None:
            self._idle.cancel()
        if self.session is not None:
            pid = self.session.partner_id
            self.sh.sessions[pid] = max(0, self.sh.sessions.get(pid, 1) - 1)
            metrics.SFTP_SESSIONS.labels(pid).set(self.sh.sessions[pid])
        elif not self.counted:
            self._fail("connection")

    def _fail(self, kind: str) -> None:
        """Count one refused authentication for this connection's address."""
        self.counted = True
        n = self.sh.throttle.fail(self.addr)
        metrics.SFTP_AUTH_FAILURES.labels(kind).inc()
        if n in (5, 25, 125, 625):
            log.warning("sftp: %d failed logins from one address; answers slowed", n)

    async def begin_auth(self, username: str) -> bool:
        """Every user must authenticate; an address with failures waits first."""
        delay = self.sh.throttle.delay(self.addr)
        if delay:
            await asyncio.sleep(delay)
        return True

    def public_key_auth_supported(self) -> bool:
        """Public keys are offered to every user."""
        return True

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        """True when ``key`` is in the partner's ``sftp_public_keys`` (read now, not cached)."""
        ok = key_matches(key, partner_keys(self.sh.partners(username)))
        if ok:
            self.method = "publickey"
        return ok

    def password_auth_supported(self) -> bool:
        """Passwords are offered to every user, with or without a hash: the list reveals nothing."""
        return True

    async def validate_password(self, username: str, password: str) -> bool:
        """Check against ``sftp_password_hash`` (scrypt in a thread); failures are slowed."""
        stored = password_hash(self.sh.partners(username))
        ok = await asyncio.to_thread(verify_password, password, stored)
        if ok:
            self.method = "password"
            return True
        self._fail("password")
        await asyncio.sleep(self.sh.throttle.delay(self.addr))
        return False

    def auth_completed(self) -> None:
        """Logged in: enforce the session limit, then start the idle timer."""
        assert self.conn is not None
        user = self.conn.get_extra_info("username") or ""
        partner = self.sh.partners(user)
        cfg = self.sh.config
        if partner is None:  # removed between the key check and now
            self.conn.disconnect(asyncssh.DISC_NO_MORE_AUTH_METHODS_AVAILABLE, "Permission denied")
            return
        if self.sh.sessions.get(partner.id, 0) >= cfg.max_sessions:
            metrics.SFTP_LIMITS.labels("sessions").inc()
            log.warning(
                "sftp: partner %s at its limit of %d sessions; refused (%s)",
                partner.id,
                cfg.max_sessions,
                perr.SESSION_LIMIT,
            )
            self.counted = True
            self.conn.disconnect(
                asyncssh.DISC_TOO_MANY_CONNECTIONS,
                f"{perr.SESSION_LIMIT} too many concurrent sessions (limit {cfg.max_sessions})",
            )
            return
        self.session = Session(
            partner_id=partner.id,
            user=user,
            remote_addr=self.addr,
            staging=cfg.staging / partner.id,
            outbox=self.sh.outbox_root / partner.id,
            max_file_bytes=cfg.max_file_bytes,
            submit=self.sh.submit,
            max_open_files=cfg.max_open_files,
            max_channels=cfg.max_channels,
        )
        self.sh.sessions[partner.id] = self.sh.sessions.get(partner.id, 0) + 1
        metrics.SFTP_SESSIONS.labels(partner.id).set(self.sh.sessions[partner.id])
        metrics.SFTP_LOGINS.labels(partner.id, self.method or "unknown").inc()
        self._idle = asyncio.get_running_loop().create_task(self._watch_idle())

    async def _watch_idle(self) -> None:
        """Close the connection once no SFTP request came for ``idle_timeout`` seconds."""
        limit = self.sh.config.idle_timeout
        while self.session is not None and self.conn is not None:
            quiet = time.monotonic() - self.session.last_activity
            if quiet >= limit:
                metrics.SFTP_LIMITS.labels("idle").inc()
                log.info(
                    "sftp: partner %s idle for %.0f s; closed (%s)",
                    self.session.partner_id,
                    limit,
                    perr.IDLE_TIMEOUT,
                )
                self.conn.disconnect(
                    asyncssh.DISC_BY_APPLICATION, f"{perr.IDLE_TIMEOUT} idle timeout"
                )
                return
            await asyncio.sleep(min(limit - quiet, max(limit / 4, 0.05)))


class SftpServer:
    """The SFTP listener of the ingest process.

    ``partners(user)`` is called at every authentication and login (a removed
    key or partner stops working at once); ``submit`` receives each complete
    upload; ``outbox_root/<partner>/`` backs each partner's ``/outbox``.
    """

    def __init__(
        self,
        config: SftpConfig,
        partners: PartnerLookup,
        submit: Submit,
        outbox_root: Path,
    ) -> None:
        self.config = config
        self.host_key = load_host_key(config.host_key_path)
        throttle = Throttle(config.auth_delay, config.auth_delay_max, config.auth_forget)
        self._shared = _Shared(config, partners, submit, outbox_root, throttle)
        self._acceptor: asyncssh.SSHAcceptor | None = None

    @property
    def fingerprint(self) -> str:
        """The host key's SHA256 fingerprint, as ``ssh`` shows it (for the banner)."""
        return str(self.host_key.get_fingerprint("sha256"))

    @property
    def public_host_key(self) -> str:
        """The host key as one OpenSSH public key line (a partner's known_hosts entry)."""
        return self.host_key.export_public_key("openssh").decode("ascii").strip()

    @property
    def port(self) -> int:
        """The port listened on (after ``start``; useful with ``port=0``)."""
        if self._acceptor is None:
            raise RuntimeError("the SFTP server is not started")
        return int(self._acceptor.get_port())

    async def start(self) -> None:
        """Listen; leftover staged files of a previous run (never submitted) are removed."""
        self._clear_staging()
        cfg = self.config
        self._acceptor = await asyncssh.create_server(
            lambda: _Connection(self._shared),
            cfg.host,
            cfg.port,
            server_host_keys=[self.host_key],
            sftp_factory=self._sftp_session,
            allow_scp=False,
            allow_pty=False,
            agent_forwarding=False,
            x11_forwarding=False,
            login_timeout=cfg.login_timeout,
            keepalive_interval=30,
            keepalive_count_max=4,
        )

    def _sftp_session(self, chan: asyncssh.SSHServerChannel[bytes]) -> PartnerFS:
        """The file system of a new SFTP channel, bound to its connection's partner."""
        owner = chan.get_connection().get_owner()
        if not isinstance(owner, _Connection) or owner.session is None:
            raise asyncssh.ChannelOpenError(asyncssh.OPEN_ADMINISTRATIVELY_PROHIBITED, "refused")
        session = owner.session
        if session.channels >= session.max_channels:
            metrics.SFTP_LIMITS.labels("channels").inc()
            log.warning(
                "sftp: partner %s opened more than %d SFTP sessions on one connection; refused (%s)",
                session.partner_id,
                session.max_channels,
                perr.SESSION_LIMIT,
            )
            why = f"{perr.SESSION_LIMIT} too many SFTP sessions on one connection"
            return PartnerFS(chan, session, refused=why)
        session.channels += 1
        return PartnerFS(chan, session)

    def _clear_staging(self) -> None:
        """Remove staged files of a previous run: none was submitted, no client got an OK."""
        root = self.config.staging
        if not root.is_dir() or root.is_symlink():
            return
        for folder in root.iterdir():
            if folder.is_dir() and not folder.is_symlink():
                for f in folder.iterdir():
                    with contextlib.suppress(OSError):
                        f.unlink()

    async def stop(self) -> None:
        """Stop listening and close every connection."""
        if self._acceptor is not None:
            self._acceptor.close()
            await self._acceptor.wait_closed()
            self._acceptor = None

    async def __aenter__(self) -> SftpServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()
