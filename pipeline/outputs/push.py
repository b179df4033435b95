"""Push delivery: outbox files uploaded to a partner's own SFTP server (``outbound_sftp``).

Each file goes to a temporary name and is renamed once complete, so the
partner never picks up half a file; then it moves to ``outbox/<partner>/sent/``.
A server that is down is retried with exponential backoff; the host key is
always checked against the profile's ``known_host_key`` (never skipped).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import posixpath
import secrets
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import asyncssh

from pipeline import metrics
from pipeline.contracts import errors as perr
from pipeline.contracts.names import bad_name
from pipeline.partners.profiles import Partner

log = logging.getLogger(__name__)

FIELD = "outbound_sftp"
SENT = "sent"
Emit = Callable[[dict[str, Any]], Awaitable[None]]
PartnerList = Callable[[], Iterable[Partner]]


class PushConfigError(ValueError):
    """A partner's ``outbound_sftp`` table is missing a field or has a wrong one."""


@dataclass(frozen=True, slots=True)
class OutboundSftp:
    """A partner's SFTP server, from ``outbound_sftp = {host, port, user, key_file, path, known_host_key}``."""

    host: str
    port: int
    user: str
    key_file: Path
    path: str
    known_host_key: asyncssh.SSHKey

    @classmethod
    def parse(cls, raw: Any) -> OutboundSftp:
        """Check and convert the profile table; ``PushConfigError`` names the bad field."""
        if not isinstance(raw, Mapping):
            raise PushConfigError(f"{FIELD} must be a table")
        for name in ("host", "user", "key_file", "known_host_key"):
            if not isinstance(raw.get(name), str) or not raw[name]:
                raise PushConfigError(f"{FIELD}.{name} must be a non-empty string")
        port = raw.get("port", 22)
        if not isinstance(port, int) or not 0 < port < 65536:
            raise PushConfigError(f"{FIELD}.port must be a port number")
        path = raw.get("path", ".")
        if not isinstance(path, str):
            raise PushConfigError(f"{FIELD}.path must be a string")
        return cls(
            host=raw["host"],
            port=port,
            user=raw["user"],
            key_file=Path(raw["key_file"]),
            path=path or ".",
            known_host_key=parse_host_key(raw["known_host_key"]),
        )


def parse_host_key(text: str) -> asyncssh.SSHKey:
    """A host public key from an OpenSSH key line or a known_hosts line (host name first)."""
    line = text.strip()
    for candidate in (line, line.partition(" ")[2].strip()):
        if candidate:
            with contextlib.suppress(asyncssh.KeyImportError, ValueError):
                return asyncssh.import_public_key(candidate)
    raise PushConfigError(f"{FIELD}.known_host_key is not an OpenSSH public key")


@dataclass(frozen=True, slots=True)
class PushSettings:
    """Timing of push delivery."""

    scan_seconds: float = 1.0  # how often outboxes are looked at
    backoff_initial: float = 1.0  # first wait after a failed attempt; doubles each time
    backoff_max: float = 300.0
    connect_timeout: float = 15.0
    alert_after: int = 5  # unreachable this many times in a row: one delivery_failed event


@dataclass
class _State:
    """Failures in a row for one partner and when the next attempt may start."""

    attempts: int = 0
    next_at: float = 0.0
    alerted: bool = False


def pending(folder: Path) -> list[Path]:
    """Files waiting in one partner outbox: regular, visible, well named; oldest first."""
    if folder.is_symlink():
        return []
    try:
        with os.scandir(folder) as it:
            entries = [
                e
                for e in it
                if e.is_file(follow_symlinks=False)
                and not e.name.startswith(".")
                and not bad_name(e.name)
            ]
    except OSError:
        return []
    entries.sort(key=lambda e: (e.stat(follow_symlinks=False).st_mtime_ns, e.name))
    return [Path(e.path) for e in entries]


class PushDelivery:
    """Uploads ``outbox/<partner>/`` files for partners with ``outbound_sftp``, until stopped.

    ``partners()`` is called at every scan (profiles reload without restart);
    ``emit`` receives ``delivered`` / ``delivery_failed`` tracking events.
    """

    def __init__(
        self,
        outbox_root: Path,
        partners: PartnerList,
        emit: Emit,
        settings: PushSettings | None = None,
    ) -> None:
        self.outbox_root = outbox_root
        self.partners = partners
        self.emit = emit
        self.settings = settings or PushSettings()
        self._state: dict[str, _State] = {}
        self._tasks: dict[str, asyncio.Task[int]] = {}

    async def run(self, stop: asyncio.Event) -> None:
        """Scan outboxes and start one delivery task per due partner, until ``stop``."""
        try:
            while not stop.is_set():
                self.scan()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.settings.scan_seconds)
        finally:
            for task in self._tasks.values():
                task.cancel()
            await asyncio.gather(*self._tasks.values(), return_exceptions=True)
            self._tasks.clear()

    def scan(self) -> None:
        """Start a delivery pass for each partner with files waiting and no wait pending."""
        now = time.monotonic()
        for partner in self.partners():
            if FIELD not in partner.attributes:
                continue
            task = self._tasks.get(partner.id)
            if task is not None and not task.done():
                continue
            state = self._state.setdefault(partner.id, _State())
            if now < state.next_at or not pending(self.outbox_root / partner.id):
                continue
            self._tasks[partner.id] = asyncio.get_running_loop().create_task(self.deliver(partner))

    async def deliver(self, partner: Partner) -> int:
        """One pass for one partner: every waiting file, over one connection. Returns files sent."""
        state = self._state.setdefault(partner.id, _State())
        files = pending(self.outbox_root / partner.id)
        sent = 0
        try:
            target = OutboundSftp.parse(partner.attributes.get(FIELD))
            async with (
                self._connect(target) as conn,
                conn.start_sftp_client() as sftp,
            ):
                for local in files:
                    await self._upload(sftp, target, local)
                    await self._done(partner.id, local, state.attempts + 1)
                    sent += 1
        except PushConfigError as exc:
            await self._failed(partner.id, files[sent:], perr.DELIVERY_CONFIG, str(exc), False)
        except asyncssh.HostKeyNotVerifiable:
            await self._failed(partner.id, files[sent:], perr.DELIVERY_HOST_KEY, "", False)
        except (asyncssh.PermissionDenied, asyncssh.SFTPError) as exc:
            reason = type(exc).__name__
            await self._failed(partner.id, files[sent:], perr.DELIVERY_REFUSED, reason, False)
        except (OSError, asyncssh.Error, TimeoutError) as exc:
            reason = type(exc).__name__
            await self._failed(partner.id, files[sent:], perr.DELIVERY_UNREACHABLE, reason, True)
        else:
            self._state[partner.id] = _State()
        return sent

    def _connect(
        self, target: OutboundSftp
    ) -> contextlib.AbstractAsyncContextManager[asyncssh.SSHClientConnection]:
        """A connection that trusts exactly ``known_host_key`` and logs in with ``key_file``."""
        conn = asyncssh.connect(
            target.host,
            target.port,
            username=target.user,
            client_keys=[str(target.key_file)],
            known_hosts=([target.known_host_key], [], []),
            agent_path=None,
            password=None,
            kbdint_auth=False,
            preferred_auth="publickey",
            config=None,
            connect_timeout=self.settings.connect_timeout,
        )
        return cast(contextlib.AbstractAsyncContextManager[asyncssh.SSHClientConnection], conn)

    async def _upload(self, sftp: asyncssh.SFTPClient, target: OutboundSftp, local: Path) -> None:
        """Put ``local`` under a temporary name in ``target.path``, then rename it to its own."""
        tmp = posixpath.join(target.path, f".edi-mesh-{secrets.token_hex(8)}.part")
        final = posixpath.join(target.path, local.name)
        try:
            await sftp.put(str(local), tmp)
            try:
                await sftp.posix_rename(tmp, final)
            except asyncssh.SFTPOpUnsupported:
                await sftp.rename(tmp, final)
        except BaseException:
            with contextlib.suppress(asyncssh.Error, OSError):
                await sftp.remove(tmp)
            raise

    async def _done(self, partner_id: str, local: Path, attempts: int) -> None:
        """Move a delivered file to ``sent/`` and say so."""
        size = local.stat().st_size
        sent_dir = self.outbox_root / partner_id / SENT
        sent_dir.mkdir(exist_ok=True)
        dest = sent_dir / local.name
        if dest.exists():
            dest = (
                sent_dir / f"{time.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(3)}-{local.name}"
            )
        os.replace(local, dest)
        metrics.PUSH_DELIVERED.labels(partner_id).inc()
        await self._event("delivered", partner_id, local.name, attempts=attempts, bytes=size)

    async def _failed(
        self, partner_id: str, files: list[Path], code: str, detail: str, retriable: bool
    ) -> None:
        """Count a failed attempt, schedule the next one, and report it once per failure streak.

        A retriable failure (server down) is reported after ``alert_after`` attempts
        in a row; a permanent one (host key, refused login, bad profile) at once.
        """
        cfg = self.settings
        state = self._state.setdefault(partner_id, _State())
        state.attempts += 1
        wait = min(cfg.backoff_max, cfg.backoff_initial * 2 ** min(state.attempts - 1, 30))
        state.next_at = time.monotonic() + wait
        metrics.PUSH_FAILURES.labels(partner_id, code).inc()
        due = not retriable or state.attempts >= cfg.alert_after
        if state.alerted or not due:
            return
        state.alerted = True
        log.warning(
            "sftp push: partner %s not delivered (%s %s), retrying every %.0f s at most",
            partner_id,
            code,
            perr.title(code),
            cfg.backoff_max,
        )
        for local in files:
            await self._event(
                "delivery_failed",
                partner_id,
                local.name,
                attempts=state.attempts,
                code=code,
                reason=f"{perr.title(code)}{': ' + detail if detail else ''}",
                retriable=retriable,
            )

    async def _event(self, kind: str, partner_id: str, filename: str, **extra: Any) -> None:
        """Send one tracking event; a failing callback is logged, never fatal."""
        event = {
            "event": kind,
            "channel": "sftp",
            "partner": partner_id,
            "filename": filename,
            "at": time.time(),
            **extra,
        }
        try:
            await self.emit(event)
        except Exception as exc:
            log.warning("sftp push: tracking event not sent (%s)", type(exc).__name__)
