"""Getting partners' interchanges onto ``edi.inbound`` without ever losing one.

:class:`Ingestor` is shared by the file drop and the HTTP façade: it reads the
envelope, checks that the sender belongs to the submitting partner, cuts the
input into one message per interchange (splitting interchanges above the
message limit on transaction-set boundaries, each chunk with its envelope),
and produces them with ``acks=all``. It returns only after the broker
acknowledged every part; a caller that gets an exception still owns the input.

:class:`FileDrop` watches ``inbox/<partner>/``: a file is taken only once its
size and mtime are stable, claimed by an atomic rename into ``claimed/``,
produced, recorded in the sha256 index, then moved to
``archive/<partner>/YYYY/MM/DD/``. Files left in ``claimed/`` by a crash are
re-driven at start with the same ingest id. Files that cannot be accepted go
to ``quarantine/<partner>/`` with ``<name>.error.json`` and a dead letter.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from parsers import parse
from parsers.chunking import split_interchange
from parsers.errors import EdiError
from pipeline import errors as perr
from pipeline import kafka, metrics, records
from pipeline.partners import Partner, PartnerRegistry, load_partners, sender_key
from pipeline.settings import Settings
from pipeline.topics import DEADLETTER, INBOUND, TRACKING

log = logging.getLogger(__name__)

IGNORED_SUFFIXES = (".tmp", ".part", ".partial", ".filepart", ".crdownload")


def new_ingest_id() -> str:
    """A time-ordered unique id: 12 hex digits of milliseconds, 10 of randomness."""
    return f"{int(time.time() * 1000):012x}{secrets.token_hex(5)}"


class Rejected(Exception):
    """The input cannot be accepted; ``errors`` say why (never retriable)."""

    def __init__(self, errors: Sequence[EdiError], status: int = 400) -> None:
        super().__init__(errors[0].message)
        self.errors = list(errors)
        self.status = status


class BrokerUnavailable(Exception):
    """The broker did not acknowledge in time; the caller keeps the input and retries."""


@dataclass(slots=True)
class Accepted:
    """What an accepted input became on ``edi.inbound``."""

    ingest_id: str
    partner: str
    sha256: str
    messages: int
    interchanges: list[dict[str, Any]] = field(default_factory=list)


class Ingestor:
    """Envelope check, sender check, chunking and acknowledged produce, for any channel."""

    def __init__(
        self, settings: Settings, partners: PartnerRegistry, producer: AIOKafkaProducer
    ) -> None:
        self.settings = settings
        self.partners = partners
        self.producer = producer
        self.last_failure = 0.0  # monotonic time of the last failed produce

    def prepare(self, partner: Partner, data: bytes) -> tuple[list[bytes], list[dict[str, Any]]]:
        """The messages to produce and a summary per interchange; raise Rejected when unreadable."""
        if not data.strip():
            raise Rejected([perr.error(perr.EMPTY_INPUT, "the input is empty")])
        result = parse(data)
        if not result.interchanges:
            raise Rejected(
                list(result.errors) or [perr.error(perr.EMPTY_INPUT, "no interchange found")]
            )
        fatal = [e for e in result.errors if e.rejects]
        if fatal:
            raise Rejected(fatal)
        messages: list[bytes] = []
        summary: list[dict[str, Any]] = []
        for ic in result.interchanges:
            skey = sender_key(ic.standard, ic.sender)
            if not partner.accepts_sender(skey):
                raise Rejected(
                    [
                        perr.error(
                            perr.SENDER_NOT_ALLOWED,
                            f"envelope sender {skey!r} does not belong to the submitting partner",
                        )
                    ],
                    status=403,
                )
            raw = data[ic.offset : ic.end]
            parts = (
                split_interchange(raw, self.settings.max_message_bytes)
                if len(raw) > self.settings.max_message_bytes
                else [raw]
            )
            messages.extend(parts)
            summary.append(
                {
                    "standard": str(ic.standard),
                    "control": ic.control,
                    "sender": skey,
                    "test": ic.test,
                    "groups": len(ic.groups),
                    "transactions": sum(len(g.transactions) for g in ic.groups),
                    "messages": len(parts),
                    "errors": [e.to_dict() for e in ic.errors],
                }
            )
        return messages, summary

    async def submit(
        self,
        partner: Partner,
        data: bytes,
        *,
        channel: str,
        filename: str,
        ingest_id: str,
        received_at: str | None = None,
        timeout: float | None = None,
    ) -> Accepted:
        """Produce ``data`` as inbound messages and return once the broker acknowledged all."""
        messages, summary = self.prepare(partner, data)
        sha = hashlib.sha256(data).hexdigest()
        received_at = received_at or records.now_rfc3339()
        topic = kafka.topic(self.settings, INBOUND)
        base = [
            ("edi-partner", partner.id.encode()),
            ("edi-source", channel.encode()),
            ("edi-filename", filename.encode()),
            ("edi-sha256", sha.encode()),
            ("edi-received-at", received_at.encode()),
            ("edi-ingest-id", ingest_id.encode()),
        ]
        key = partner.id.encode()
        n = len(messages)
        tracking = records.tracking(
            "received",
            partner=partner.id,
            ingest_id=ingest_id,
            source={
                "channel": channel,
                "filename": filename,
                "sha256": sha,
                "ingest_id": ingest_id,
                "received_at": received_at,
            },
            interchanges=summary,
            messages=n,
            bytes=len(data),
        )
        try:
            futures = [
                await self.producer.send(
                    topic, m, key=key, headers=[*base, ("edi-chunk", f"{i + 1}/{n}".encode())]
                )
                for i, m in enumerate(messages)
            ]
            futures.append(
                await self.producer.send(
                    kafka.topic(self.settings, TRACKING), orjson.dumps(tracking), key=key
                )
            )
            await asyncio.wait_for(asyncio.gather(*futures), timeout)
        except (KafkaError, TimeoutError) as exc:
            self.last_failure = time.monotonic()
            metrics.BROKER_RETRIES.inc()
            raise BrokerUnavailable(str(exc) or type(exc).__name__) from None
        metrics.INTERCHANGES_RECEIVED.labels(partner.id, channel).inc(len(summary))
        metrics.INGEST_BYTES.labels(partner.id, channel).inc(len(data))
        return Accepted(ingest_id, partner.id, sha, n, summary)

    async def deadletter(
        self,
        partner_id: str,
        errors: Sequence[EdiError],
        raw: bytes,
        source: dict[str, Any],
        reference: dict[str, Any] | None = None,
    ) -> None:
        """Write a dead letter and a ``rejected`` tracking event for input refused at ingest."""
        key = partner_id.encode()
        record = records.deadletter(
            errors=errors,
            partner=partner_id,
            source=source,
            raw=raw,
            stage="ingest",
            reference=reference,
        )
        event = records.tracking(
            "rejected",
            partner=partner_id,
            ingest_id=str(source.get("ingest_id") or ""),
            source=source,
            code=errors[0].code,
            message=errors[0].message,
        )
        f1 = await self.producer.send(
            kafka.topic(self.settings, DEADLETTER),
            orjson.dumps(record),
            key=key,
            headers=[("edi-error-code", errors[0].code.encode())],
        )
        f2 = await self.producer.send(
            kafka.topic(self.settings, TRACKING), orjson.dumps(event), key=key
        )
        await asyncio.gather(f1, f2)
        metrics.DEADLETTERS.labels(errors[0].code).inc()


class ShaIndex:
    """sha256 of every file already ingested, per partner, persisted as an append-only log.

    Lines are ``partner sha256 ingest_id``; an entry is written (and fsynced)
    after the broker acknowledged the file, before it is archived.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._seen: dict[tuple[str, str], str] = {}
        if path.exists():
            for line in path.read_text().splitlines():
                parts = line.split()
                if len(parts) == 3:
                    self._seen[(parts[0], parts[1])] = parts[2]

    def get(self, partner: str, sha: str) -> str | None:
        """The ingest id that first ingested this content, if any."""
        return self._seen.get((partner, sha))

    def add(self, partner: str, sha: str, ingest_id: str) -> None:
        """Record an ingested file durably."""
        self._seen[(partner, sha)] = ingest_id
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="ascii") as f:
            f.write(f"{partner} {sha} {ingest_id}\n")
            f.flush()
            os.fsync(f.fileno())


class FileDrop:
    """The inbox watcher: stable files claimed, produced, archived or quarantined."""

    def __init__(self, settings: Settings, ingestor: Ingestor) -> None:
        self.settings = settings
        self.ingestor = ingestor
        self.sha_index = ShaIndex(settings.data_dir / "state" / "ingested.log")
        self._seen: dict[
            Path, tuple[int, int, float]
        ] = {}  # path -> (size, mtime_ns, first seen so)
        self._backoff_until = 0.0
        self._backoff = 0.5
        self.wakeup = asyncio.Event()

    def ensure_dirs(self) -> None:
        """Create inbox/<partner>/ for every partner, and the other data folders."""
        s = self.settings
        for d in (s.inbox, s.claimed, s.archive, s.quarantine, s.outbox):
            d.mkdir(parents=True, exist_ok=True)
        for p in self.ingestor.partners.all():
            (s.inbox / p.id).mkdir(exist_ok=True)
            (s.outbox / p.id).mkdir(exist_ok=True)

    # -- scanning ---------------------------------------------------------------------
    def ready_files(self) -> list[tuple[str, Path]]:
        """(partner folder, path) of inbox files whose size and mtime have been stable long enough."""
        now = time.monotonic()
        out: list[tuple[str, Path]] = []
        alive: set[Path] = set()
        try:
            folders = sorted(os.scandir(self.settings.inbox), key=lambda e: e.name)
        except FileNotFoundError:
            return out
        for folder in folders:
            if folder.name.startswith(".") or not folder.is_dir(follow_symlinks=False):
                continue
            for entry in sorted(os.scandir(folder.path), key=lambda e: e.name):
                name = entry.name
                if name.startswith(".") or name.lower().endswith(IGNORED_SUFFIXES):
                    continue
                path = Path(entry.path)
                alive.add(path)
                if entry.is_symlink():
                    out.append((folder.name, path))  # rejected right away, never read
                    continue
                if not entry.is_file(follow_symlinks=False):
                    continue
                st = entry.stat(follow_symlinks=False)
                sig = (st.st_size, st.st_mtime_ns)
                prev = self._seen.get(path)
                if prev is None or prev[:2] != sig:
                    self._seen[path] = (*sig, now)
                    if self.settings.stable_seconds > 0:
                        continue
                    prev = self._seen[path]
                if now - prev[2] >= self.settings.stable_seconds:
                    out.append((folder.name, path))
        for gone in set(self._seen) - alive:
            del self._seen[gone]
        return out

    # -- one file ---------------------------------------------------------------------
    async def handle(self, folder: str, path: Path) -> bool:
        """Take one ready inbox file through claim → produce → archive; False to retry later."""
        s = self.settings
        if path.is_symlink():
            await self._quarantine_unread(
                folder, path, perr.error(perr.SYMLINK, "symbolic links are not accepted")
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

    async def process_claimed(self, partner: Partner, claimed: Path) -> bool:
        """Produce a claimed file (first time or re-driven); archive, quarantine or leave for retry."""
        s = self.settings
        ingest_id, _, name = claimed.name.partition("__")
        try:
            size = claimed.stat().st_size
            if size > s.max_file_bytes:
                err = perr.error(
                    perr.FILE_TOO_LARGE, f"file is {size} bytes; the cap is {s.max_file_bytes}"
                )
                return await self._quarantine(partner.id, claimed, name, ingest_id, [err])
            data = claimed.read_bytes()
        except OSError as exc:
            log.warning("cannot read %s: %s", claimed, exc)
            return False
        sha = hashlib.sha256(data).hexdigest()
        first = self.sha_index.get(partner.id, sha)
        if first is not None and first != ingest_id:
            await self._duplicate(partner, claimed, name, ingest_id, sha, first)
            return True
        if first is None:
            try:
                await self.ingestor.submit(
                    partner, data, channel="file", filename=name, ingest_id=ingest_id
                )
            except Rejected as rej:
                return await self._quarantine(
                    partner.id, claimed, name, ingest_id, rej.errors, data
                )
            except BrokerUnavailable as exc:
                log.warning("broker unavailable, %s stays claimed for retry: %s", name, exc)
                return False
            self.sha_index.add(partner.id, sha, ingest_id)
        self._archive(partner.id, claimed, name, ingest_id)
        metrics.FILES_ARCHIVED.labels(partner.id).inc()
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
        self, partner: Partner, claimed: Path, name: str, ingest_id: str, sha: str, first: str
    ) -> None:
        metrics.INGEST_DUPLICATES.labels(partner.id).inc()
        event = records.tracking(
            "duplicate",
            partner=partner.id,
            ingest_id=ingest_id,
            source={"channel": "file", "filename": name, "sha256": sha, "ingest_id": ingest_id},
            original_ingest_id=first,
            reason="same sha256 already ingested",
        )
        try:
            fut = await self.ingestor.producer.send(
                kafka.topic(self.settings, TRACKING), orjson.dumps(event), key=partner.id.encode()
            )
            await fut
        except KafkaError as exc:  # the file is safe in the archive either way
            log.warning("could not record duplicate %s: %s", name, exc)
        self._archive(partner.id, claimed, name, ingest_id)

    async def _quarantine_unread(self, folder: str, path: Path, err: EdiError) -> None:
        ingest_id = new_ingest_id()
        qdir = self.settings.quarantine / folder
        qdir.mkdir(parents=True, exist_ok=True)
        dest = qdir / f"{ingest_id}__{path.name}"
        os.rename(path, dest)  # renames the link itself, never follows it
        self._seen.pop(path, None)
        await self._report(folder, dest, path.name, ingest_id, [err], b"")

    async def _quarantine(
        self,
        partner_id: str,
        claimed: Path,
        name: str,
        ingest_id: str,
        errs: Sequence[EdiError],
        data: bytes | None = None,
    ) -> bool:
        qdir = self.settings.quarantine / partner_id
        qdir.mkdir(parents=True, exist_ok=True)
        dest = qdir / name
        if dest.exists() or dest.with_name(dest.name + ".error.json").exists():
            dest = qdir / f"{ingest_id}__{name}"
        os.replace(claimed, dest)
        raw = data if data is not None and len(data) <= records.RAW_INLINE_LIMIT else b""
        await self._report(partner_id, dest, name, ingest_id, errs, raw)
        return True

    async def _report(
        self,
        partner_id: str,
        dest: Path,
        name: str,
        ingest_id: str,
        errs: Sequence[EdiError],
        raw: bytes,
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
        tmp = dest.with_name(dest.name + ".error.json.tmp")
        tmp.write_bytes(orjson.dumps(report, option=orjson.OPT_INDENT_2))
        os.replace(tmp, dest.with_name(dest.name + ".error.json"))
        source = {"channel": "file", "filename": name, "ingest_id": ingest_id}
        try:
            await self.ingestor.deadletter(
                partner_id, errs, raw, source, reference={"quarantine": str(dest)}
            )
        except KafkaError as exc:  # the quarantine file and report are the durable record
            log.warning("dead letter for %s not written (broker): %s", name, exc)

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
        return n

    async def scan_once(self) -> int:
        """Handle every ready file once; return how many were finished."""
        if time.monotonic() < self._backoff_until:
            return 0
        done = 0
        pending = await self._pending_claimed()
        for folder, path in self.ready_files():
            if pending:
                break  # the broker is down: leave new files in the inbox
            ok = await self.handle(folder, path)
            if not ok:
                pending = True
            else:
                done += 1
        if pending:
            self._backoff_until = time.monotonic() + self._backoff
            self._backoff = min(self._backoff * 2, self.settings.retry_max_seconds)
        else:
            self._backoff = 0.5
        return done

    async def _pending_claimed(self) -> bool:
        """Retry claimed files first; True while any is still waiting for the broker."""
        claimed_root = self.settings.claimed
        if not claimed_root.exists():
            return False
        stuck = False
        for folder in sorted(claimed_root.iterdir()):
            partner = self.ingestor.partners.get(folder.name)
            if partner is None or not folder.is_dir():
                continue
            for f in sorted(folder.iterdir()):
                if not await self.process_claimed(partner, f):
                    stuck = True
                    break
        return stuck

    async def run(self, stop: asyncio.Event) -> None:
        """Scan until ``stop`` is set; watch events wake the loop early."""
        self.ensure_dirs()
        watcher = asyncio.create_task(self._watch(stop))
        try:
            while not stop.is_set():
                await self.scan_once()
                self.wakeup.clear()
                sleep = self.settings.poll_seconds
                if self._seen:
                    sleep = min(sleep, max(0.05, self.settings.stable_seconds / 2))
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


def load_registry(settings: Settings) -> PartnerRegistry:
    """The partners file as a registry."""
    return PartnerRegistry(load_partners(settings.partners))
