"""Push delivery against a second instance of our own SFTP server acting as the partner's."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import asyncssh

from pipeline.outputs.push import OutboundSftp, PushConfigError, PushDelivery, PushSettings
from pipeline.partners.profiles import Partner, PartnerRegistry
from pipeline.tools.broker import free_port
from tests.pipeline.ingest.sftp.conftest import Keys, MakeServer, Recorder, partner, public_line

FAST = PushSettings(scan_seconds=0.05, backoff_initial=0.1, backoff_max=0.4, alert_after=3)


def pushing_partner(port: int, keys: Keys, known_host_key: str) -> Partner:
    """Our profile of acme, whose own server (user "edimesh" there) takes our files."""
    return Partner.from_json(
        {
            "id": "acme",
            "senders": ["*"],
            "outbound_sftp": {
                "host": "127.0.0.1",
                "port": port,
                "user": "edimesh",
                "key_file": str(keys.a_file),
                "path": "/inbox",
                "known_host_key": known_host_key,
            },
        }
    )


class Events:
    """A tracking-event sink for PushDelivery."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self.changed = asyncio.Event()

    async def __call__(self, event: dict[str, Any]) -> None:
        self.items.append(event)
        self.changed.set()

    async def wait_for(self, kind: str, timeout: float = 10.0) -> dict[str, Any]:
        async def seek() -> dict[str, Any]:
            while True:
                for e in self.items:
                    if e["event"] == kind:
                        return e
                self.changed.clear()
                await self.changed.wait()

        return await asyncio.wait_for(seek(), timeout)


def outbox_with(tmp_path: Path, *names: str) -> Path:
    folder = tmp_path / "ours" / "acme"
    folder.mkdir(parents=True)
    for name in names:
        (folder / name).write_bytes(f"ISA*997 for {name}~".encode())
    return folder


async def test_push_retries_while_the_partner_is_down_then_delivers(
    make_server: MakeServer, keys: Keys, recorder: Recorder, tmp_path: Path
) -> None:
    port = free_port()
    theirs = PartnerRegistry([partner("edimesh", [keys.a])])  # the partner's own user table
    host_key_dir = tmp_path / "their-data"
    # learn their host key first (as an operator would), then take the server away
    probe = await make_server(data_dir=host_key_dir, partners=theirs.get)
    known = probe.public_host_key
    await probe.stop()

    folder = outbox_with(tmp_path, "997-1.edi", "997-2.edi")
    events = Events()
    push = PushDelivery(
        tmp_path / "ours", lambda: [pushing_partner(port, keys, known)], events, FAST
    )
    stop = asyncio.Event()
    runner = asyncio.create_task(push.run(stop))
    try:
        await asyncio.sleep(1.2)  # down: several attempts with growing waits
        assert push._state["acme"].attempts >= 3
        failed = await events.wait_for("delivery_failed")
        assert failed["code"] == "EDI116" and failed["retriable"] is True
        assert sorted(p.name for p in folder.iterdir()) == ["997-1.edi", "997-2.edi"]

        await make_server(data_dir=host_key_dir, partners=theirs.get, port=port)  # up, late
        delivered = await events.wait_for("delivered")
        assert delivered["partner"] == "acme" and delivered["attempts"] > 1
        for _ in range(100):
            if len(recorder.calls) == 2:
                break
            await asyncio.sleep(0.05)
    finally:
        stop.set()
        await runner
    assert sorted((c.partner_id, c.filename) for c in recorder.calls) == [
        ("edimesh", "997-1.edi"),
        ("edimesh", "997-2.edi"),
    ]
    assert {c.data for c in recorder.calls} == {
        b"ISA*997 for 997-1.edi~",
        b"ISA*997 for 997-2.edi~",
    }
    assert sorted(p.name for p in (folder / "sent").iterdir()) == ["997-1.edi", "997-2.edi"]
    assert sorted(p.name for p in folder.iterdir()) == ["sent"]
    assert push._state["acme"].attempts == 0


async def test_wrong_known_host_key_means_delivery_failed_and_no_upload(
    make_server: MakeServer, keys: Keys, recorder: Recorder, tmp_path: Path
) -> None:
    theirs = PartnerRegistry([partner("edimesh", [keys.a])])
    server = await make_server(partners=theirs.get)
    impostor = public_line(asyncssh.generate_private_key("ssh-ed25519"))
    folder = outbox_with(tmp_path, "997-1.edi")
    events = Events()
    push = PushDelivery(
        tmp_path / "ours", lambda: [pushing_partner(server.port, keys, impostor)], events, FAST
    )
    assert await push.deliver(pushing_partner(server.port, keys, impostor)) == 0
    failed = await events.wait_for("delivery_failed", 1.0)
    assert (failed["code"], failed["retriable"], failed["filename"]) == (
        "EDI115",
        False,
        "997-1.edi",
    )
    assert recorder.calls == []
    assert [p.name for p in folder.iterdir()] == ["997-1.edi"]
    assert server._shared.sessions.get("edimesh", 0) == 0


async def test_known_hosts_line_form_and_bad_profiles(keys: Keys, tmp_path: Path) -> None:
    key = public_line(asyncssh.generate_private_key("ssh-ed25519"))
    base = {"host": "h", "user": "u", "key_file": "k", "known_host_key": f"[h]:22 {key}"}
    assert OutboundSftp.parse(base).port == 22
    for bad in ({**base, "known_host_key": ""}, {**base, "port": "22"}, {**base, "host": 1}, "x"):
        try:
            OutboundSftp.parse(bad)
        except PushConfigError:
            continue
        raise AssertionError(f"accepted {bad!r}")
    events = Events()
    folder = outbox_with(tmp_path, "997-1.edi")
    broken = Partner.from_json({"id": "acme", "senders": ["*"], "outbound_sftp": {"host": "h"}})
    push = PushDelivery(tmp_path / "ours", lambda: [broken], events, FAST)
    await push.deliver(broken)
    assert events.items[0]["code"] == "EDI118"
    assert [p.name for p in folder.iterdir()] == ["997-1.edi"]
