"""The SFTP channel and push delivery as parts of the ingest process.

``server(settings, drop)`` builds the SFTP server whose uploads are claimed by
the file drop (``FileDrop.take_upload``: one path for both channels, so the
sender check, caps, quarantine and dead letters are the same), with
``Origin("sftp", user, remote address)`` for the tracking events.
``push(settings, ingestor)`` builds push delivery for partners with
``outbound_sftp``; its ``delivered`` / ``delivery_failed`` events go to
``edi.tracking`` through the ingestor. ``host_key(settings)`` is what the ``up``
banner shows: the key is generated once into the data directory and reused.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import asyncssh
import orjson

from pipeline.contracts import records
from pipeline.contracts.topics import TRACKING
from pipeline.ingest.filedrop import FileDrop, Origin
from pipeline.ingest.producer import Ingestor
from pipeline.ingest.results import new_ingest_id
from pipeline.ingest.sftp.fs import Submit
from pipeline.ingest.sftp.server import SftpConfig, SftpServer, load_host_key
from pipeline.kafka.producing import Record
from pipeline.outputs.push import PushDelivery, PushSettings
from pipeline.settings import Settings

log = logging.getLogger(__name__)

CHANNEL = "sftp"
_PUSH_OWN = ("event", "channel", "partner", "filename", "at")


def config(settings: Settings, **overrides: Any) -> SftpConfig:
    """The server's config from Settings (``sftp_host``, ``sftp_port``, limits, data dir)."""
    return SftpConfig.from_settings(settings, **overrides)


def host_key(settings: Settings) -> asyncssh.SSHKey:
    """The host key in the data directory (generated there on first use)."""
    return load_host_key(config(settings).host_key_path)


def fingerprint(settings: Settings) -> str:
    """The host key's SHA256 fingerprint, as ``ssh`` prints it."""
    return str(host_key(settings).get_fingerprint("sha256"))


def submitter(drop: FileDrop) -> Submit:
    """The server's submit callback: the upload claimed and taken by the file drop."""

    async def submit(
        partner_id: str, filename: str, local_path: Path, remote_addr: str, user: str
    ) -> None:
        """Claim the upload (raises for an unknown partner: the client is told to resend)."""
        await drop.take_upload(partner_id, local_path, filename, Origin(CHANNEL, user, remote_addr))

    return submit


def server(settings: Settings, drop: FileDrop) -> SftpServer:
    """The SFTP server of the ingest process (partners looked up at every login)."""
    return SftpServer(
        config(settings), drop.ingestor.partners.get, submitter(drop), settings.outbox
    )


def tracking_event(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A push delivery event as an ``edi.tracking`` event (``delivered`` / ``delivery_failed``).

    The outbox file has no ingest id of its own: ``outbox:<partner>/<file>``
    names it, and ``source`` says where it went.
    """
    partner = str(raw["partner"])
    filename = str(raw["filename"])
    details = {k: v for k, v in raw.items() if k not in _PUSH_OWN}
    return records.tracking(
        str(raw["event"]),
        partner=partner,
        ingest_id=f"outbox:{partner}/{filename}",
        source={"channel": CHANNEL, "filename": filename},
        **details,
    )


def push(settings: Settings, ingestor: Ingestor) -> PushDelivery:
    """Push delivery for partners with ``outbound_sftp``, reporting to ``edi.tracking``."""

    async def emit(raw: dict[str, Any]) -> None:
        """Produce one tracking event (kept in state/pending/ while the broker is away)."""
        event = tracking_event(raw)
        record = Record(TRACKING, str(raw["partner"]).encode(), orjson.dumps(event))
        await ingestor.emit([record], name=f"{new_ingest_id()}-push")

    cfg = PushSettings(
        scan_seconds=settings.push_scan_seconds, backoff_max=settings.push_backoff_max
    )
    return PushDelivery(settings.outbox, ingestor.partners.all, emit, cfg)
