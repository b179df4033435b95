"""The file drop and slow writers: pauses longer than the quiet period never split a file.

Two writers that pause for 0.8 s (the quiet period is 0.5 s): one keeps the
file open between its writes (seen through ``/proc/<pid>/fd``), one closes and
re-opens it for each piece (only the incomplete-tail rule can tell it is not
done: the file ends inside an interchange). Both files arrive whole, once.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from pathlib import Path

from parsers import parse
from pipeline.contracts.topics import INBOUND
from pipeline.ingest.filedrop import FileDrop
from pipeline.ingest.writers import open_for_writing
from tests.faultkit import x12_file
from tests.pipeline.ingest.conftest import MakeDrop
from tests.pipeline.ingest.test_filedrop import archived, listing, records

PAUSE = 0.8  # longer than the quiet period (stable_seconds = 0.5)


def _write_slowly(path: Path, data: bytes, pieces: int, *, reopen: bool) -> threading.Thread:
    """Write ``data`` in ``pieces`` with a pause after each, in a thread (a real open file)."""

    def run() -> None:
        step = len(data) // pieces + 1
        parts = [data[i : i + step] for i in range(0, len(data), step)]
        if reopen:
            for part in parts:
                with open(path, "ab") as f:
                    f.write(part)
                time.sleep(PAUSE)
            return
        with open(path, "wb") as f:
            for part in parts:
                f.write(part)
                f.flush()
                time.sleep(PAUSE)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


async def _take(drop: FileDrop, done: Callable[[], bool], timeout: float = 30.0) -> None:
    """Scan until ``done()`` holds (the file drop's own loop, one scan at a time)."""
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, "file not taken in time"
        await drop.scan_once()
        await asyncio.sleep(0.1)


def test_open_for_writing_sees_our_own_descriptor(tmp_path: Path) -> None:
    path = tmp_path / "f.edi"
    path.write_bytes(b"ISA")
    assert open_for_writing([path]) == set()
    with open(path, "rb"):
        assert open_for_writing([path]) == set()  # reading does not count
    with open(path, "ab"):
        assert open_for_writing([path]) == {path}


async def test_a_writer_that_keeps_the_file_open_is_waited_for(make_drop: MakeDrop) -> None:
    drop = await make_drop(stable_seconds=0.5, incomplete_wait_seconds=0.0)  # only /proc helps
    data = x12_file(3, 2, 3)
    path = drop.settings.inbox / "sandbox" / "slow-open.x12"
    writer = _write_slowly(path, data, 4, reopen=False)
    await _take(drop, lambda: not writer.is_alive() and not path.exists())
    assert listing(drop.settings.quarantine / "sandbox") == []
    [kept] = archived(drop.settings, "sandbox")
    assert kept.read_bytes() == data
    inbound = await records(drop.settings, INBOUND, 3)
    assert [r.value for r in inbound] == [data[x.offset : x.end] for x in parse(data).interchanges]


async def test_a_writer_that_reopens_between_pieces_is_waited_for(make_drop: MakeDrop) -> None:
    drop = await make_drop(stable_seconds=0.5, incomplete_wait_seconds=20.0)
    data = x12_file(1, 1, 12)  # one interchange: every cut ends inside it
    path = drop.settings.inbox / "sandbox" / "slow-append.x12"
    writer = _write_slowly(path, data, 4, reopen=True)
    await _take(drop, lambda: not writer.is_alive() and bool(archived(drop.settings, "sandbox")))
    assert listing(drop.settings.quarantine / "sandbox") == []
    [kept] = archived(drop.settings, "sandbox")
    assert kept.read_bytes() == data
    [rec] = await records(drop.settings, INBOUND, 1)
    assert rec.value == data
