"""Compressed inputs get their own code (EDI131) in every channel: one rule in ``plan_input``.

The file drop (which SFTP uploads go through) quarantines each format with
EDI131; the façade's answer is in ``test_facade_hardening``.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import zipfile

import orjson
import pytest

from pipeline.ingest.plan import compression
from tests.faultkit import x12_file
from tests.pipeline.ingest.conftest import MakeDrop

EDI = x12_file(51, 1, 1)


def _zip(data: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("po.x12", data)
    return buf.getvalue()


FORMATS = {
    "gzip": gzip.compress(EDI),
    "zip": _zip(EDI),
    "bzip2": bz2.compress(EDI),
    "xz": lzma.compress(EDI),
    "zstd": b"\x28\xb5\x2f\xfd" + EDI[:50],  # the frame magic is what counts
}


@pytest.mark.parametrize(("kind", "data"), FORMATS.items(), ids=FORMATS.keys())
def test_magic_bytes_name_the_format(kind: str, data: bytes) -> None:
    assert compression(data[:8]) == kind


def test_edi_and_look_alikes_are_not_compressed() -> None:
    assert compression(EDI[:8]) is None
    assert compression(b"BZh") is None and compression(b"BZhx") is None
    assert compression(b"") is None


async def test_file_drop_quarantines_every_format_with_edi131(make_drop: MakeDrop) -> None:
    drop = await make_drop()
    s = drop.settings
    for kind, data in FORMATS.items():
        (s.inbox / "sandbox" / f"po.{kind}").write_bytes(data)
    assert await drop.scan_once() == len(FORMATS)
    for kind in FORMATS:
        report = orjson.loads((s.quarantine / "sandbox" / f"po.{kind}.error.json").read_bytes())
        assert report["error"]["code"] == "EDI131", report
        assert kind in report["error"]["message"]
