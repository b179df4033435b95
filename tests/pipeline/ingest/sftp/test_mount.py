"""The SFTP channel mounted in ingest: push events on edi.tracking, uploads through the file drop."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import orjson

from pipeline.contracts import schemas
from pipeline.contracts.topics import TRACKING
from pipeline.ingest.filedrop import FileDrop
from pipeline.ingest.producer import Ingestor
from pipeline.ingest.sftp import mount
from pipeline.kafka import admin, clients
from pipeline.partners.profiles import PartnerRegistry
from pipeline.settings import Settings
from tests.pipeline.ingest.sftp.conftest import Keys, MakeServer, Recorder, partner
from tests.pipeline.ingest.sftp.test_push import pushing_partner
from tests.procs import read_topic


async def test_push_events_are_tracking_events_on_the_broker(
    make_server: MakeServer,
    make_settings: Callable[..., Settings],
    keys: Keys,
    recorder: Recorder,
    tmp_path: Path,
) -> None:
    theirs = PartnerRegistry([partner("edimesh", [keys.a])])
    server = await make_server(partners=theirs.get)  # the partner's own server
    s = make_settings(push_scan_seconds=0.05)
    await admin.ensure_topics(s)
    producer = clients.producer(s)
    await producer.start()
    try:
        ours = PartnerRegistry([pushing_partner(server.port, keys, server.public_host_key)])
        folder = s.outbox / "acme"
        folder.mkdir(parents=True)
        (folder / "997-1.edi").write_bytes(b"ISA*997~")
        stop = asyncio.Event()
        runner = asyncio.create_task(mount.push(s, Ingestor(s, ours, producer)).run(stop))
        try:
            recs = await read_topic(s, TRACKING, until=lambda r: len(r) >= 1, timeout=20)
        finally:
            stop.set()
            await runner
    finally:
        await producer.stop()
    [event] = [orjson.loads(r.value) for r in recs]
    schemas.validator("tracking.schema.json").validate(event)
    assert event["event"] == "delivered" and event["partner"] == "acme"
    assert event["source"] == {"channel": "sftp", "filename": "997-1.edi"}
    assert [c.data for c in recorder.calls] == [b"ISA*997~"]
    assert (folder / "sent" / "997-1.edi").exists()


async def test_an_upload_for_an_unknown_partner_is_refused_and_left_alone(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    s = make_settings()
    drop = FileDrop(s, Ingestor(s, PartnerRegistry(), None))
    staged = tmp_path / "staged"
    staged.write_bytes(b"ISA")
    submit = mount.submitter(drop)
    try:
        await submit("ghost", "po.edi", staged, "127.0.0.1", "ghost")
    except LookupError:
        pass
    else:
        raise AssertionError("an unknown partner's upload was taken")
    assert staged.exists() and not s.claimed.exists()
