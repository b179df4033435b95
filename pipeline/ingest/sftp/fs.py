"""The virtual file system one partner sees over SFTP: ``/inbox`` (upload) and ``/outbox`` (fetch).

Nothing maps a client path onto the disk directly: every path is parsed into
one of five shapes (root, the two folders, a file in either), and only names
that pass ``bad_name`` reach ``os`` calls, inside the partner's own staging or
outbox folder. Links, ``..``, attribute changes and writes outside the inbox
are refused.
"""

from __future__ import annotations

import logging
import os
import secrets
import stat
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import asyncssh
from asyncssh import SFTPAttrs, SFTPName

from pipeline import metrics
from pipeline.contracts import errors as perr
from pipeline.contracts.names import bad_name, decode_name, is_temporary_name

log = logging.getLogger(__name__)

INBOX = "inbox"
OUTBOX = "outbox"
_SEP = "__"  # staged files are "<token>__<name>"
_DIR_MODE = stat.S_IFDIR | 0o755
_FILE_MODE = stat.S_IFREG | 0o644


class Submit(Protocol):
    """The ingest side's entry point for a completely uploaded file.

    It may move ``local_path`` away (rename into its own folders); whatever is
    left there when it returns is removed. Raising refuses the upload: the
    client's close fails and it can send the file again.
    """

    def __call__(
        self, partner_id: str, filename: str, local_path: Path, remote_addr: str, user: str
    ) -> Awaitable[None]: ...


@dataclass
class Session:
    """What one logged-in connection shares with its SFTP file system."""

    partner_id: str
    user: str
    remote_addr: str
    staging: Path  # staging_root/<partner>: uploads in progress or held under temporary names
    outbox: Path  # outbox_root/<partner>
    max_file_bytes: int
    submit: Submit
    max_open_files: int = 64  # open handles per connection (uploads and downloads)
    max_channels: int = 2  # SFTP sessions per connection
    open_files: int = 0
    channels: int = 0
    last_activity: float = field(default_factory=time.monotonic)
    writing: set[Path] = field(default_factory=set)  # staged files open for writing

    def touch(self) -> None:
        """Mark activity (the idle timeout counts from the last request)."""
        self.last_activity = time.monotonic()


@dataclass
class _Upload:
    """An open inbox file: written at client offsets, submitted on close."""

    fd: int
    local: Path
    name: str
    aborted: bool = False
    closed: bool = False


@dataclass
class _Download:
    """An open outbox file, read-only."""

    fd: int


def _denied(op: str, why: str = "permission denied") -> asyncssh.SFTPError:
    """A refusal (counted by operation in ``edi_sftp_refused_total``)."""
    metrics.SFTP_REFUSED.labels(op).inc()
    return asyncssh.SFTPPermissionDenied(why)


def _missing() -> asyncssh.SFTPError:
    """The one answer for anything outside the partner's view: it does not exist."""
    return asyncssh.SFTPNoSuchFile("no such file")


def parse(path: bytes) -> tuple[str, ...]:
    """The components of a client path, relative to the partner's root.

    ``.`` and empty components are dropped; any ``..`` is refused outright, as
    is a component that is not UTF-8. No component is ever joined to a disk path
    here: callers check names with ``bad_name`` first.
    """
    parts: list[str] = []
    for raw in path.split(b"/"):
        if raw in (b"", b"."):
            continue
        if raw == b"..":
            raise _denied("dotdot", "'..' is not allowed")
        text = decode_name(raw)
        if text is None:
            raise _missing()
        parts.append(text)
    return tuple(parts)


def _dir_attrs() -> SFTPAttrs:
    """Attributes of the root and the two folders (no owner, no real times)."""
    return SFTPAttrs(type=asyncssh.FILEXFER_TYPE_DIRECTORY, permissions=_DIR_MODE)


def _file_attrs(st: os.stat_result) -> SFTPAttrs:
    """Attributes of a file: size and time only (never the server's owner or mode)."""
    return SFTPAttrs(
        type=asyncssh.FILEXFER_TYPE_REGULAR,
        size=st.st_size,
        permissions=_FILE_MODE,
        atime=int(st.st_mtime),
        mtime=int(st.st_mtime),
    )


def realpath(path: bytes) -> bytes:
    """The normalised absolute form of ``path``, ``..`` clamped at the root (for ``cd ..``)."""
    parts: list[bytes] = []
    for raw in path.split(b"/"):
        if raw in (b"", b"."):
            continue
        if raw == b"..":
            if parts:
                parts.pop()
            continue
        parts.append(raw)
    return b"/" + b"/".join(parts)


class PartnerFS(asyncssh.SFTPServer):
    """One SFTP session's file system: the partner's inbox and outbox, nothing else."""

    def __init__(
        self, chan: asyncssh.SSHServerChannel[bytes], session: Session, refused: str = ""
    ) -> None:
        super().__init__(chan)
        self.s = session
        self.refused = refused  # set: a session over a limit, every request answered with it

    def _begin(self) -> None:
        """Start a request: count it as activity, or refuse it when this session is over a limit."""
        if self.refused:
            raise asyncssh.SFTPFailure(self.refused)
        self.s.touch()

    # -- resolving ----------------------------------------------------------------
    def _file(self, path: bytes, op: str) -> tuple[str, str]:
        """``(folder, name)`` of a path naming a file in /inbox or /outbox."""
        self._begin()
        parts = parse(path)
        if len(parts) != 2 or parts[0] not in (INBOX, OUTBOX):
            if len(parts) <= 1 and (not parts or parts[0] in (INBOX, OUTBOX)):
                raise _denied(op, "not a file")
            raise _missing()
        why = bad_name(parts[1])
        if why:
            metrics.SFTP_REFUSED.labels("bad_name").inc()
            raise asyncssh.SFTPFailure(f"{perr.BAD_NAME} {why}")
        return parts[0], parts[1]

    def _staged(self, name: str) -> Path | None:
        """The newest staged file of this partner with client name ``name`` (not being written)."""
        best: tuple[float, Path] | None = None
        for entry in self._scan(self.s.staging):
            token, sep, client = entry.name.partition(_SEP)
            path = Path(entry.path)
            if sep and client == name and token and path not in self.s.writing:
                mtime = entry.stat(follow_symlinks=False).st_mtime
                if best is None or mtime > best[0]:
                    best = (mtime, path)
        return best[1] if best else None

    @staticmethod
    def _scan(folder: Path) -> list[os.DirEntry[str]]:
        """Regular files directly in ``folder`` (never links); empty when it does not exist."""
        if folder.is_symlink():
            return []
        try:
            with os.scandir(folder) as it:
                return [e for e in it if e.is_file(follow_symlinks=False)]
        except OSError:
            return []

    def _outbox_file(self, name: str) -> Path:
        """The outbox file ``name`` after checking it is a visible regular file."""
        if self.s.outbox.is_symlink() or name.startswith("."):
            raise _missing()
        path = self.s.outbox / name
        try:
            st = os.lstat(path)
        except OSError:
            raise _missing() from None
        if not stat.S_ISREG(st.st_mode):
            raise _missing()
        return path

    # -- opening, reading, writing -----------------------------------------------------
    def open(self, path: bytes, pflags: int, attrs: SFTPAttrs) -> object:
        """Open an inbox file for writing (always a new staged file) or an outbox file to read."""
        folder, name = self._file(path, "open")
        if self.s.open_files >= self.s.max_open_files:
            metrics.SFTP_LIMITS.labels("open_files").inc()
            raise asyncssh.SFTPFailure(f"too many open files (limit {self.s.max_open_files})")
        writing = bool(pflags & (asyncssh.FXF_WRITE | asyncssh.FXF_APPEND | asyncssh.FXF_CREAT))
        if folder == OUTBOX:
            if writing:
                raise _denied("outbox_write", "the outbox is read-only")
            try:
                fd = os.open(self._outbox_file(name), os.O_RDONLY | os.O_NOFOLLOW)
            except OSError:
                raise _missing() from None
            metrics.SFTP_DOWNLOADS.labels(self.s.partner_id).inc()
            self.s.open_files += 1
            return _Download(fd)
        if not writing:
            raise _denied("inbox_read", "the inbox is write-only")
        self.s.staging.mkdir(parents=True, exist_ok=True, mode=0o700)
        local = self.s.staging / f"{secrets.token_hex(8)}{_SEP}{name}"
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
        try:
            fd = os.open(local, flags, 0o600)
        except OSError as exc:
            log.warning("sftp: partner %s cannot stage an upload (%s)", self.s.partner_id, exc)
            raise asyncssh.SFTPFailure("cannot store the file now") from None
        self.s.writing.add(local)
        self.s.open_files += 1
        return _Upload(fd, local, name)

    def open56(self, path: bytes, desired_access: int, flags: int, attrs: SFTPAttrs) -> object:
        """SFTP v5/v6 opens are not offered (the server speaks v3)."""
        raise asyncssh.SFTPOpUnsupported("SFTP v3 only")

    def read(self, file_obj: object, offset: int, size: int) -> bytes:
        """Read from an outbox file."""
        self._begin()
        if not isinstance(file_obj, _Download):
            raise _denied("inbox_read", "the inbox is write-only")
        return os.pread(file_obj.fd, size, offset)

    def write(self, file_obj: object, offset: int, data: bytes) -> int:
        """Write to an upload, aborting it (once, with EDI103) past the size limit."""
        self._begin()
        if not isinstance(file_obj, _Upload):
            raise _denied("outbox_write", "the outbox is read-only")
        limit = self.s.max_file_bytes
        if file_obj.aborted:
            raise asyncssh.SFTPFailure(f"{perr.FILE_TOO_LARGE} file larger than {limit} bytes")
        if offset + len(data) > limit:
            self._abort(file_obj)
            metrics.SFTP_LIMITS.labels("file_size").inc()
            log.warning(
                "sftp: partner %s upload over the %d-byte limit, aborted (%s)",
                self.s.partner_id,
                limit,
                perr.FILE_TOO_LARGE,
            )
            raise asyncssh.SFTPFailure(f"{perr.FILE_TOO_LARGE} file larger than {limit} bytes")
        try:
            return os.pwrite(file_obj.fd, data, offset)
        except OSError as exc:
            log.warning("sftp: partner %s upload write failed (%s)", self.s.partner_id, exc)
            self._abort(file_obj)
            raise asyncssh.SFTPFailure("cannot store the file now") from None

    def _abort(self, up: _Upload) -> None:
        """Drop an upload: its descriptor closed, its staged file removed."""
        up.aborted = True
        self._release(up)
        up.local.unlink(missing_ok=True)

    def _release(self, up: _Upload) -> None:
        """Close an upload's descriptor once and free its open-file slot."""
        if not up.closed:
            up.closed = True
            os.close(up.fd)
            self.s.writing.discard(up.local)
            self.s.open_files -= 1

    def _client_closed(self) -> bool:
        """True when a close came from the client, not from asyncssh ending the session.

        asyncssh closes every open handle when a session ends (client gone,
        channel closed); those uploads are incomplete and must not be submitted.
        At that point the channel has stopped receiving (EOF or close from the
        client) or sending (connection lost). ``_recv_state`` is asyncssh's own
        (pinned version; tests cover both ends).
        """
        chan = self.channel
        return getattr(chan, "_recv_state", "open") == "open" and not chan.is_closing()

    async def close(self, file_obj: object) -> None:
        """Close a handle; a complete upload with a final name is submitted to ingest here."""
        self._begin()
        if isinstance(file_obj, _Download):
            os.close(file_obj.fd)
            self.s.open_files -= 1
            return
        if not isinstance(file_obj, _Upload) or file_obj.closed:
            return
        if file_obj.aborted or not self._client_closed():
            self._abort(file_obj)
            return
        self._release(file_obj)
        if not is_temporary_name(file_obj.name):
            await self._submit(file_obj.local, file_obj.name)

    async def _submit(self, local: Path, name: str) -> None:
        """Hand a complete file to ingest; its failure fails the client's request."""
        s = self.s
        size = local.stat().st_size
        try:
            await s.submit(s.partner_id, name, local, s.remote_addr, s.user)
        except Exception as exc:
            metrics.SFTP_SUBMIT_FAILURES.labels(s.partner_id).inc()
            log.warning(
                "sftp: partner %s upload not accepted (%s: %s)",
                s.partner_id,
                perr.SUBMIT_FAILED,
                type(exc).__name__,
            )
            raise asyncssh.SFTPFailure(
                f"{perr.SUBMIT_FAILED} upload not accepted; send it again"
            ) from None
        finally:
            local.unlink(missing_ok=True)
        metrics.SFTP_UPLOADS.labels(s.partner_id).inc()
        metrics.SFTP_UPLOAD_BYTES.labels(s.partner_id).inc(size)

    def fsync(self, file_obj: object) -> None:
        """Flush an upload to disk (``fsync@openssh.com``)."""
        if isinstance(file_obj, _Upload) and not file_obj.closed:
            os.fsync(file_obj.fd)

    # -- attributes ---------------------------------------------------------------
    def stat(self, path: bytes) -> SFTPAttrs:
        """Attributes of the root, a folder, or a visible file (links are never followed)."""
        self._begin()
        parts = parse(path)
        if not parts or (len(parts) == 1 and parts[0] in (INBOX, OUTBOX)):
            return _dir_attrs()
        folder, name = self._file(path, "stat")
        local = self._staged(name) if folder == INBOX else self._outbox_file(name)
        if local is None:
            raise _missing()
        try:
            return _file_attrs(os.lstat(local))
        except OSError:
            raise _missing() from None

    def lstat(self, path: bytes) -> SFTPAttrs:
        """Same as ``stat``: there are no links in this file system."""
        return self.stat(path)

    def fstat(self, file_obj: object) -> SFTPAttrs:
        """Attributes of an open handle."""
        if isinstance(file_obj, _Upload) and not file_obj.closed:
            return _file_attrs(os.fstat(file_obj.fd))
        if isinstance(file_obj, _Download):
            return _file_attrs(os.fstat(file_obj.fd))
        raise asyncssh.SFTPInvalidHandle("closed handle")

    def setstat(self, path: bytes, attrs: SFTPAttrs) -> None:
        """Refused: partners cannot change modes, owners or times."""
        raise _denied("setstat")

    def lsetstat(self, path: bytes, attrs: SFTPAttrs) -> None:
        """Refused, like ``setstat``."""
        raise _denied("setstat")

    def fsetstat(self, file_obj: object, attrs: SFTPAttrs) -> None:
        """Refused, like ``setstat``."""
        raise _denied("setstat")

    # -- folders ----------------------------------------------------------------
    async def scandir(self, path: bytes) -> AsyncIterator[SFTPName]:
        """List the root (two folders), the inbox (held uploads) or the outbox (files to fetch)."""
        self._begin()
        parts = parse(path)
        if len(parts) > 1 or (parts and parts[0] not in (INBOX, OUTBOX)):
            raise _missing()
        for dot in (b".", b".."):
            yield SFTPName(dot, attrs=_dir_attrs())
        if not parts:
            for folder in (INBOX, OUTBOX):
                yield SFTPName(folder.encode(), attrs=_dir_attrs())
            return
        for name, st in self._listing(parts[0]):
            yield SFTPName(name.encode("utf-8"), attrs=_file_attrs(st))

    def _listing(self, folder: str) -> list[tuple[str, os.stat_result]]:
        """``(name, stat)`` of the visible files of one folder."""
        out: list[tuple[str, os.stat_result]] = []
        base = self.s.staging if folder == INBOX else self.s.outbox
        for entry in sorted(self._scan(base), key=lambda e: e.name):
            name = entry.name
            if folder == INBOX:
                _, sep, name = name.partition(_SEP)
                if not sep or Path(entry.path) in self.s.writing:
                    continue
            if (name.startswith(".") and folder == OUTBOX) or bad_name(name):
                continue
            try:
                out.append((name, entry.stat(follow_symlinks=False)))
            except OSError:
                continue
        return out

    def realpath(self, path: bytes) -> bytes:
        """Normalised path (``..`` clamped at the root), for clients' ``cd`` and ``pwd``."""
        self._begin()
        return realpath(path)

    def mkdir(self, path: bytes, attrs: SFTPAttrs) -> None:
        """Refused: the tree is fixed."""
        raise _denied("mkdir")

    def rmdir(self, path: bytes) -> None:
        """Refused: the tree is fixed."""
        raise _denied("rmdir")

    # -- removing and renaming ------------------------------------------------------
    def remove(self, path: bytes) -> None:
        """Delete an outbox file (after download) or a held inbox upload."""
        folder, name = self._file(path, "remove")
        local = self._staged(name) if folder == INBOX else self._outbox_file(name)
        if local is None:
            raise _missing()
        try:
            os.unlink(local)
        except OSError:
            raise _missing() from None
        if folder == OUTBOX:
            metrics.SFTP_OUTBOX_DELETES.labels(self.s.partner_id).inc()

    async def rename(self, oldpath: bytes, newpath: bytes) -> None:
        """Rename a held inbox upload; a final name submits it. Nothing else can be renamed."""
        old_folder, old = self._file(oldpath, "rename")
        new_folder, new = self._file(newpath, "rename")
        if old_folder != INBOX or new_folder != INBOX:
            raise _denied("rename", "only uploads in /inbox can be renamed")
        local = self._staged(old)
        if local is None:
            raise _missing()
        target = self.s.staging / f"{secrets.token_hex(8)}{_SEP}{new}"
        os.rename(local, target)
        if not is_temporary_name(new):
            await self._submit(target, new)

    async def posix_rename(self, oldpath: bytes, newpath: bytes) -> None:
        """Same as ``rename`` (``posix-rename@openssh.com``)."""
        await self.rename(oldpath, newpath)

    def readlink(self, path: bytes) -> bytes:
        """There are no links."""
        raise _missing()

    def symlink(self, oldpath: bytes, newpath: bytes) -> None:
        """Refused: no links."""
        raise _denied("symlink")

    def link(self, oldpath: bytes, newpath: bytes) -> None:
        """Refused: no hard links."""
        raise _denied("link")

    def statvfs(self, path: bytes) -> asyncssh.SFTPVFSAttrs:
        """Not offered: it would describe the server's disk."""
        raise asyncssh.SFTPOpUnsupported("statvfs not supported")

    def fstatvfs(self, file_obj: object) -> asyncssh.SFTPVFSAttrs:
        """Not offered, like ``statvfs``."""
        raise asyncssh.SFTPOpUnsupported("statvfs not supported")

    def exit(self) -> None:
        """Session ended (uploads still open were aborted by ``close``): free its slot."""
        if not self.refused:
            self.s.channels = max(0, self.s.channels - 1)


SessionFactory = Callable[[asyncssh.SSHServerChannel[bytes]], PartnerFS]
