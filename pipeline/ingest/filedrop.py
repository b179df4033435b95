"""The file drop: ``inbox/<partner>/`` watched, stable files claimed, produced, archived.

A file is taken only once its size and mtime are stable, claimed by an
atomic rename into ``claimed/``, produced, recorded in the sha256 index, then
moved to ``archive/<partner>/YYYY/MM/DD/``. Files left in ``claimed/`` by a
crash are re-driven at start with the same ingest id. Files that cannot be
accepted go to ``quarantine/<partner>/`` with ``<name>.error.json`` and a
dead letter. While the broker is unreachable nothing is claimed: files wait
in the inbox and the scan backs off.

Uploads of other channels (SFTP) enter the same path: ``take_upload`` claims
them into ``claimed/`` and ``process_claimed`` does the rest, so the sender
check, size caps, quarantine and dead letters are the file drop's. Their
``Origin`` (channel, user, remote address) is kept for the tracking events.
"""

from __future__ import annotations

import asyncio
import logging
import os
import stat
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import orjson

from parsers.errors import EdiError
from pipeline import metrics
from pipeline.contracts import errors as perr
from pipeline.contracts import records
from pipeline.contracts.headers import Provenance
from pipeline.contracts.names import IGNORED_SUFFIXES, bad_name, safe_name
from pipeline.contracts.topics import TRACKING
from pipeline.ingest.producer import Ingestor
from pipeline.ingest.results import (
    BrokerUnavailable,
    Cancelled,
    IncompleteTail,
    Rejected,
    ingest_time,
    new_ingest_id,
)
from pipeline.ingest.writers import open_for_writing
from pipeline.kafka.producing import Record
from pipeline.partners.profiles import Partner
from pipeline.settings import Settings

log = logging.getLogger(__name__)


class ShaIndex:
    """sha256 of every file already ingested, per partner, persisted as an append-only log.

    Lines are ``partner sha256 ingest_id``; an entry is written (and fsynced)
    after the broker acknowledged the file, before it is archived. Entries
    expire with the duplicate table's retention (an ingest id starts with its
    time), and the whole index is forgotten when the broker turns out to be a
    fresh one (:meth:`forget_all`): it describes data that broker never had, and
    would otherwise swallow every re-sent file without a trace.
    """

    def __init__(self, path: Path, retention_seconds: float) -> None:
        self.path = path
        self.retention = retention_seconds
        self._seen: dict[tuple[str, str], str] = {}
        expired = 0
        if path.exists():
            for line in path.read_text().splitlines():
                parts = line.split()
                if len(parts) != 3:
                    continue
                if self._expired(parts[2]):
                    expired += 1
                    continue
                self._seen[(parts[0], parts[1])] = parts[2]
        if expired:
            self._rewrite()
            log.info("sha256 index: %d expired entries dropped", expired)

    def _expired(self, ingest_id: str, now: float | None = None) -> bool:
        born = ingest_time(ingest_id)
        return born is not None and (now or time.time()) - born > self.retention

    def get(self, partner: str, sha: str, own: str | None = None) -> str | None:
        """The ingest id that first ingested this content within the retention, if any.

        ``own`` is the asking file's ingest id: a file re-driven after a crash
        finds its own entry however old it is.
        """
        first = self._seen.get((partner, sha))
        if first is not None and first != own and self._expired(first):
            del self._seen[(partner, sha)]
            return None
        return first

    def add(self, partner: str, sha: str, ingest_id: str) -> None:
        """Record an ingested file durably."""
        self._seen[(partner, sha)] = ingest_id
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="ascii") as f:
            f.write(f"{partner} {sha} {ingest_id}\n")
            f.flush()
            os.fsync(f.fileno())

    def forget_all(self, reason: str) -> None:
        """Start empty (the broker holds none of what the index describes)."""
        if self._seen or self.path.exists():
            log.warning("sha256 index of %d files forgotten: %s", len(self._seen), reason)
        self._seen.clear()
        self._rewrite()

    def __len__(self) -> int:
        return len(self._seen)

    def _rewrite(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text("".join(f"{p} {s} {i}\n" for (p, s), i in self._seen.items()), "ascii")
        os.replace(tmp, self.path)


@dataclass(frozen=True, slots=True)
class Origin:
    """How a claimed file arrived: its channel and, for SFTP, who uploaded it from where."""

    channel: str = "file"
    user: str | None = None
    remote_addr: str | None = None

    def client(self) -> dict[str, str] | None:
        """The ``client`` field of tracking events (None for the file drop)."""
        out = {k: v for k, v in (("user", self.user), ("remote_addr", self.remote_addr)) if v}
        return out or None


FILE_ORIGIN = Origin()


class FileDrop:
    """The inbox watcher: stable files claimed, produced, archived or quarantined."""

    def __init__(self, settings: Settings, ingestor: Ingestor) -> None:
        self.settings = settings
        self.ingestor = ingestor
        self.sha_index = ShaIndex(
            settings.data_dir / "state" / "ingested.log", settings.dedup_retention_seconds
        )
        ingestor.on_fresh_broker.append(self.sha_index.forget_all)
        self._seen: dict[
            Path, tuple[int, int, float]
        ] = {}  # path -> (size, mtime_ns, first seen so)
        self._backoff_until = 0.0
        self._backoff = 0.5
        self.wakeup = asyncio.Event()
        self._reported: set[Path] = set()  # sub-folders already reported
        self._to_report: list[tuple[str, Path]] = []
        self._origins: dict[Path, Origin] = {}  # claimed uploads of other channels (in memory)
        self._busy: set[Path] = set()  # claimed files being processed right now

    def ensure_dirs(self) -> None:
        """Create inbox/<partner>/ for every partner, and the other data folders."""
        s = self.settings
        for d in (s.inbox, s.claimed, s.archive, s.quarantine, s.outbox):
            d.mkdir(parents=True, exist_ok=True)
        for p in self.ingestor.partners.all():
            if not (s.inbox / p.id).is_symlink():
                (s.inbox / p.id).mkdir(exist_ok=True)
            (s.outbox / p.id).mkdir(exist_ok=True)

    # -- scanning ---------------------------------------------------------------------
    def ready_files(self) -> list[tuple[str, Path]]:
        """(partner folder, path) of inbox entries ready to take.

        Regular files are ready once their size and mtime have been stable for
        ``stable_seconds`` and no process has them open for writing; symlinks,
        non-regular files and refused names are returned at once (they are
        quarantined without being read).
        """
        now = time.monotonic()
        out: list[tuple[str, Path]] = []  # refused entries: ready at once
        quiet: list[tuple[str, Path]] = []  # regular files unchanged for stable_seconds
        alive: set[Path] = set()
        try:
            folders = sorted(os.scandir(self.settings.inbox), key=lambda e: e.name)
        except FileNotFoundError:
            return out
        for folder in folders:
            if folder.name.startswith("."):
                continue
            if folder.is_symlink():
                out.append(("", Path(folder.path)))  # a linked partner folder: quarantined
                continue
            if not folder.is_dir(follow_symlinks=False):
                continue
            try:
                entries = sorted(os.scandir(folder.path), key=lambda e: e.name)
            except OSError as exc:
                log.warning("cannot list %s: %s", folder.path, exc)
                continue
            for entry in entries:
                name = entry.name
                if name.startswith(".") or name.lower().endswith(IGNORED_SUFFIXES):
                    continue
                path = Path(entry.path)
                alive.add(path)
                if entry.is_symlink() or bad_name(name):
                    out.append((folder.name, path))  # refused right away, never read
                    continue
                if entry.is_dir(follow_symlinks=False):
                    self._unexpected(folder.name, path)  # never descended into; reported once
                    continue
                st = entry.stat(follow_symlinks=False)
                if not stat.S_ISREG(st.st_mode):
                    out.append((folder.name, path))  # FIFO, socket, device: refused
                    continue
                sig = (st.st_size, st.st_mtime_ns)
                prev = self._seen.get(path)
                if prev is None or prev[:2] != sig:
                    self._seen[path] = (*sig, now)
                    if self.settings.stable_seconds > 0:
                        continue
                    prev = self._seen[path]
                if now - prev[2] >= self.settings.stable_seconds:
                    quiet.append((folder.name, path))
        for gone in set(self._seen) - alive:
            del self._seen[gone]
        return out + self._not_being_written(quiet)

    def _not_being_written(self, quiet: list[tuple[str, Path]]) -> list[tuple[str, Path]]:
        """Quiet files that no process has open for writing (``check_writers``; see writers.py)."""
        if not quiet or not self.settings.check_writers:
            return quiet
        busy = open_for_writing(path for _, path in quiet)
        for path in busy:
            self._seen.pop(path, None)  # quiet again from the writer's close on
        return [(folder, path) for folder, path in quiet if path not in busy]

    # -- one file ---------------------------------------------------------------------
    async def handle(self, folder: str, path: Path) -> bool:
        """Take one ready inbox entry through claim → produce → archive; False to retry later."""
        s = self.settings
        if not folder:  # the partner folder itself is a symlink
            await self._quarantine_unread(
                path.name,
                path,
                perr.error(
                    perr.SYMLINK, f"inbox folder {path.name!r} is a symbolic link; not followed"
                ),
            )
            return True
        if path.is_symlink():
            await self._quarantine_unread(
                folder, path, perr.error(perr.SYMLINK, "symbolic links are not accepted")
            )
            return True
        why = bad_name(path.name)
        if why:
            await self._quarantine_unread(folder, path, perr.error(perr.BAD_NAME, why))
            return True
        try:
            st = path.lstat()
        except FileNotFoundError:
            return True
        if not stat.S_ISREG(st.st_mode):
            await self._quarantine_unread(
                folder,
                path,
                perr.error(perr.NOT_A_FILE, "not a regular file (FIFO, socket or device)"),
            )
            return True
        partner = self.ingestor.partners.get(folder)
        ingest_id = new_ingest_id()
        claimed_dir = s.claimed / folder
        claimed_dir.mkdir(parents=True, exist_ok=True)
        claimed = claimed_dir / f"{ingest_id}__{path.name}"
        try:
            os.rename(path, claimed)  # atomic claim: a second ingest process cannot take it too
        except FileNotFoundError:
            return True  # someone else claimed it
        self._seen.pop(path, None)
        if partner is None:
            err = perr.error(
                perr.UNKNOWN_PARTNER, f"inbox folder {folder!r} is not a known partner"
            )
            return await self._quarantine(folder, claimed, path.name, ingest_id, [err])
        return await self.process_claimed(partner, claimed)

    async def take_upload(
        self, partner_id: str, local: Path, filename: str, origin: Origin
    ) -> None:
        """Claim a complete upload of another channel (SFTP) and take it like a dropped file.

        The upload is renamed into ``claimed/`` (same file system: one atomic
        step), so from here on it is as durable as a dropped file: if the broker
        is away it stays claimed and the scan loop retries it. Raises
        ``LookupError`` for an unknown partner (the client is told to resend).
        """
        partner = self.ingestor.partners.get(partner_id)
        why = bad_name(filename)
        if partner is None or why:
            raise LookupError(why or "unknown partner")
        ingest_id = new_ingest_id()
        claimed_dir = self.settings.claimed / partner.id
        claimed_dir.mkdir(parents=True, exist_ok=True)
        claimed = claimed_dir / f"{ingest_id}__{filename}"
        os.rename(local, claimed)
        self._origins[claimed] = origin
        if not await self.process_claimed(partner, claimed):
            self.wakeup.set()  # left claimed for the broker: the scan loop retries it

    async def process_claimed(self, partner: Partner, claimed: Path) -> bool:
        """Produce a claimed file (first time or re-driven); archive, quarantine or leave for retry."""
        if claimed in self._busy:
            return True  # an upload being taken right now: not this caller's to retry
        self._busy.add(claimed)
        try:
            done = await self._process_claimed(partner, claimed)
        finally:
            self._busy.discard(claimed)
        if done:
            self._origins.pop(claimed, None)
        return done

    async def _process_claimed(self, partner: Partner, claimed: Path) -> bool:
        s = self.settings
        origin = self._origins.get(claimed, FILE_ORIGIN)
        ingest_id, _, name = claimed.name.partition("__")
        try:
            st = claimed.lstat()
        except FileNotFoundError:
            return True
        except OSError as exc:
            log.warning("cannot stat %s: %s", claimed, exc)
            return False
        if stat.S_ISLNK(st.st_mode):  # swapped for a link between the check and the claim
            err = perr.error(perr.SYMLINK, "symbolic links are not accepted")
            return await self._quarantine(partner.id, claimed, name, ingest_id, [err])
        if st.st_size > s.max_file_bytes:
            err = perr.error(
                perr.FILE_TOO_LARGE, f"file is {st.st_size} bytes; the cap is {s.max_file_bytes}"
            )
            return await self._quarantine(partner.id, claimed, name, ingest_id, [err])
        dup: dict[str, str] = {}

        def known(sha: str) -> bool:
            first = self.sha_index.get(partner.id, sha, own=ingest_id)
            if first is None:
                return False
            dup["first"] = first
            return True

        try:
            result = await self.ingestor.submit_file(
                partner,
                claimed,
                filename=name,
                ingest_id=ingest_id,
                known=known,
                channel=origin.channel,
                client=origin.client(),
                wait_incomplete=origin is FILE_ORIGIN
                and time.time() - st.st_mtime < s.incomplete_wait_seconds,
            )
        except IncompleteTail:
            return self._unclaim(partner.id, claimed, name)
        except Rejected as rej:
            return await self._quarantine(partner.id, claimed, name, ingest_id, rej.errors)
        except BrokerUnavailable as exc:
            log.warning("broker unavailable, %s stays claimed for retry: %s", name, exc)
            return False
        except OSError as exc:
            log.warning("cannot read %s: %s", claimed, exc)
            return False
        except Cancelled:
            return False
        except Exception as exc:  # a bug: keep the file, with the reason, out of the loop
            log.exception("internal error on %s", claimed)
            err = perr.error(perr.INTERNAL, f"{type(exc).__name__}: {exc}")
            return await self._quarantine(partner.id, claimed, name, ingest_id, [err])
        if isinstance(result, str):  # the sha256 is in the index
            first = dup["first"]
            if first != ingest_id:
                await self._duplicate(partner, claimed, name, ingest_id, result, first, origin)
                return True
        else:
            self.sha_index.add(partner.id, result.sha256, ingest_id)
        self._archive(partner.id, claimed, name, ingest_id)
        metrics.FILES_ARCHIVED.labels(partner.id).inc()
        return True

    def _unclaim(self, partner_id: str, claimed: Path, name: str) -> bool:
        """Put a young file that ends inside an interchange back in the inbox, to wait for the rest.

        Its writer may still be appending (same inode: the rename back keeps its
        data together). If a new file took the name meanwhile it stays claimed
        and is retried (False) until ``incomplete_wait_seconds`` have passed.
        """
        back = self.settings.inbox / partner_id / name
        if back.exists():
            return False
        os.rename(claimed, back)
        log.info("file drop: a file of %s ends inside an interchange; waiting", partner_id)
        return True

    def _archive(self, partner_id: str, claimed: Path, name: str, ingest_id: str) -> Path:
        day = datetime.now(UTC)
        dest_dir = self.settings.archive / partner_id / f"{day:%Y}" / f"{day:%m}" / f"{day:%d}"
        dest_dir.mkdir(parents=True, exist_ok=True)
        dest = dest_dir / name
        if dest.exists():
            dest = dest_dir / f"{ingest_id}__{name}"
        os.replace(claimed, dest)
        return dest

    async def _duplicate(
        self,
        partner: Partner,
        claimed: Path,
        name: str,
        ingest_id: str,
        sha: str,
        first: str,
        origin: Origin = FILE_ORIGIN,
    ) -> None:
        metrics.INGEST_DUPLICATES.labels(partner.id).inc()
        event = records.tracking(
            "duplicate",
            partner=partner.id,
            ingest_id=ingest_id,
            source=Provenance(origin.channel, name, sha, ingest_id).source(known_only=True),
            original_ingest_id=first,
            reason="same sha256 already ingested",
            **({"client": client} if (client := origin.client()) else {}),
        )
        await self.ingestor.emit(
            [Record(TRACKING, partner.id.encode(), orjson.dumps(event))],
            name=f"{ingest_id}-duplicate",
        )
        self._archive(partner.id, claimed, name, ingest_id)

    async def _quarantine_unread(self, folder: str, path: Path, err: EdiError) -> None:
        ingest_id = new_ingest_id()
        qdir = self.settings.quarantine / (folder or "_inbox")
        qdir.mkdir(parents=True, exist_ok=True)
        shown = safe_name(path.name)
        dest = qdir / f"{ingest_id}__{shown}"
        try:
            os.rename(path, dest)  # renames the link itself, never follows it
        except FileNotFoundError:
            return
        self._seen.pop(path, None)
        await self._report(
            folder or "_inbox", dest, shown, ingest_id, [err], b"", original=path.name
        )

    async def _quarantine(
        self,
        partner_id: str,
        claimed: Path,
        name: str,
        ingest_id: str,
        errs: Sequence[EdiError],
    ) -> bool:
        qdir = self.settings.quarantine / partner_id
        qdir.mkdir(parents=True, exist_ok=True)
        dest = qdir / name
        if dest.exists() or dest.with_name(dest.name + ".error.json").exists():
            dest = qdir / f"{ingest_id}__{name}"
        os.replace(claimed, dest)
        raw = b""
        size = 0
        try:
            st = dest.lstat()
            if stat.S_ISREG(st.st_mode):
                size = st.st_size
                if size <= records.RAW_INLINE_LIMIT:
                    with open(dest, "rb") as f:
                        raw = f.read(records.RAW_INLINE_LIMIT + 1)
        except OSError:
            raw = b""
        origin = self._origins.get(claimed, FILE_ORIGIN)
        await self._report(partner_id, dest, name, ingest_id, errs, raw, size=size, origin=origin)
        return True

    async def _report(
        self,
        partner_id: str,
        dest: Path,
        name: str,
        ingest_id: str,
        errs: Sequence[EdiError],
        raw: bytes,
        original: str | None = None,
        size: int | None = None,
        origin: Origin = FILE_ORIGIN,
    ) -> None:
        metrics.QUARANTINED.labels(errs[0].code).inc()
        report = {
            "file": name,
            "quarantined_as": str(dest),
            "partner": partner_id,
            "ingest_id": ingest_id,
            "error": errs[0].to_dict(),
            "errors": [e.to_dict() for e in errs],
            "at": records.now_rfc3339(),
        }
        if original is not None and original != name:
            report["original_name"] = original.encode("utf-8", "surrogateescape").decode(
                "utf-8", "backslashreplace"
            )
        tmp = dest.with_name("." + dest.name + ".error.json.tmp")
        tmp.write_bytes(orjson.dumps(report, option=orjson.OPT_INDENT_2))
        os.replace(tmp, dest.with_name(dest.name + ".error.json"))
        source = Provenance(origin.channel, name, ingest_id=ingest_id).source(known_only=True)
        await self.ingestor.deadletter(
            partner_id,
            errs,
            raw,
            source,
            reference={"quarantine": str(dest)},
            size=size,
            client=origin.client(),
        )

    # -- the loop --------------------------------------------------------------------------
    async def redrive(self) -> int:
        """Re-drive files a previous run claimed but did not finish; return how many."""
        n = 0
        claimed_root = self.settings.claimed
        if not claimed_root.exists():
            return 0
        for folder in sorted(claimed_root.iterdir()):
            if not folder.is_dir():
                continue
            for f in sorted(folder.iterdir()):
                partner = self.ingestor.partners.get(folder.name)
                if partner is None:
                    ingest_id, _, name = f.name.partition("__")
                    err = perr.error(
                        perr.UNKNOWN_PARTNER, f"inbox folder {folder.name!r} is not a known partner"
                    )
                    await self._quarantine(folder.name, f, name, ingest_id, [err])
                elif await self.process_claimed(partner, f):
                    n += 1
                else:
                    return n  # the broker is away: the scan loop retries with backoff
        return n

    def _unexpected(self, folder: str, path: Path) -> None:
        """Note a sub-folder of an inbox once: it is never read, and must not sit there silently."""
        if path not in self._reported:
            self._reported.add(path)
            self._to_report.append((folder, path))

    async def _report_unexpected(self) -> None:
        """A log line, a metric and a dead letter for each newly seen sub-folder."""
        while self._to_report:
            folder, path = self._to_report.pop(0)
            metrics.INBOX_UNEXPECTED.labels(folder).inc()
            log.warning("inbox of partner %s holds a sub-folder; it is not read", folder)
            err = perr.error(
                perr.UNEXPECTED_ENTRY,
                "a sub-folder in the inbox is not read: put files directly in the inbox",
            )
            source = Provenance("file", safe_name(path.name), ingest_id=new_ingest_id())
            await self.ingestor.deadletter(
                folder, [err], b"", source.source(known_only=True), reference={"inbox": str(path)}
            )

    async def scan_once(self) -> int:
        """Handle every ready file once; return how many were finished."""
        if time.monotonic() < self._backoff_until:
            return 0
        if not self.ingestor.available():
            self._wait_longer()  # the broker is away: files stay in the inbox
            return 0
        await self.ingestor.flush_pending()
        done = 0
        pending = await self._pending_claimed()
        ready = [] if pending else self.ready_files()
        await self._report_unexpected()
        for folder, path in ready:
            ok = await self.handle(folder, path)
            if not ok:
                pending = True
                break  # the broker is down: leave the other files in the inbox
            done += 1
        if pending:
            self._wait_longer()
        else:
            self._backoff = 0.5
        return done

    def _wait_longer(self) -> None:
        self._backoff_until = time.monotonic() + self._backoff
        self._backoff = min(self._backoff * 2, self.settings.retry_max_seconds)

    async def _pending_claimed(self) -> bool:
        """Retry claimed files first; True while any is still waiting for the broker."""
        claimed_root = self.settings.claimed
        if not claimed_root.exists():
            return False
        for folder in sorted(claimed_root.iterdir()):
            partner = self.ingestor.partners.get(folder.name)
            if partner is None or not folder.is_dir():
                continue
            for f in sorted(folder.iterdir()):
                if not await self.process_claimed(partner, f):
                    return True
        return False

    async def run(self, stop: asyncio.Event) -> None:
        """Scan until ``stop`` is set; watch events wake the loop early."""
        self.ensure_dirs()
        watcher = asyncio.create_task(self._watch(stop))
        try:
            while not stop.is_set():
                try:
                    await self.scan_once()
                except OSError as exc:  # a full disk, a permission: report and keep going
                    log.error("file drop: %s", exc)
                    self._wait_longer()
                self.wakeup.clear()
                sleep = self.settings.poll_seconds
                if self._seen:
                    sleep = min(sleep, max(0.05, self.settings.stable_seconds / 2))
                sleep = max(sleep, self._backoff_until - time.monotonic())
                waiter = asyncio.create_task(self.wakeup.wait())
                stopper = asyncio.create_task(stop.wait())
                await asyncio.wait(
                    {waiter, stopper}, timeout=sleep, return_when=asyncio.FIRST_COMPLETED
                )
                waiter.cancel()
                stopper.cancel()
        finally:
            watcher.cancel()

    async def _watch(self, stop: asyncio.Event) -> None:
        """Wake the scan loop on filesystem events (polling still covers anything missed)."""
        try:
            from watchfiles import awatch

            async for _ in awatch(self.settings.inbox, stop_event=stop, debounce=50, step=20):
                self.wakeup.set()
        except Exception as exc:  # pragma: no cover - polling alone is still correct
            log.info("file watching unavailable (%s); polling only", exc)
