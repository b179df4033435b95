"""``python -m pipeline.sftp``: the partners file re-read on change, uploads renamed into the file drop."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import pytest

from pipeline.sftp import verify_password
from pipeline.sftp.__main__ import ReloadingPartners, filedrop_submit
from pipeline.sftp.auth import hash_password, main


def test_partners_file_is_reread_when_it_changes(tmp_path: Path) -> None:
    path = tmp_path / "partners.toml"
    path.write_text('[[partners]]\nid = "acme"\nsenders = ["*"]\n')
    lookup = ReloadingPartners(path)
    assert lookup("acme") is not None and lookup("beta") is None
    path.write_text('[[partners]]\nid = "beta"\nsenders = ["*"]\n')
    os.utime(path, ns=(1, 1))
    assert lookup("acme") is None and lookup("beta") is not None
    path.write_text("not toml [[")
    os.utime(path, ns=(2, 2))
    assert lookup("beta") is not None  # the last good table stays


async def test_filedrop_submit_renames_into_the_partner_inbox(tmp_path: Path) -> None:
    submit = filedrop_submit(tmp_path / "inbox")
    for n in range(2):
        staged = tmp_path / f"staged{n}"
        staged.write_bytes(b"ISA")
        await submit("acme", "po.edi", staged, "127.0.0.1", "acme")
        assert not staged.exists()
    names = sorted(p.name for p in (tmp_path / "inbox" / "acme").iterdir())
    assert names[-1] == "po.edi" and names[0].endswith("-po.edi") and len(names) == 2


def test_password_hashes_are_salted_and_checked() -> None:
    one, two = hash_password("pw", n=1024), hash_password("pw", n=1024)
    assert one != two and one.startswith("scrypt$1024$8$1$")
    assert verify_password("pw", one) and verify_password("pw", two)
    assert not verify_password("pw ", one)
    for broken in (
        "",
        "sha256$abc",
        "scrypt$3$8$1$AAAA$AAAA",
        "scrypt$1073741824$8$1$AAAAAAAAAAA=$AA==",
    ):
        assert not verify_password("pw", broken)


def test_hash_password_cli_reads_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("s3cret\n"))
    assert main() == 0
    out = capsys.readouterr().out
    assert out.startswith("sftp_password_hash = ")
    assert verify_password("s3cret", out.split('"')[1])


def test_config_from_settings(tmp_path: Path) -> None:
    from pipeline.settings import Settings
    from pipeline.sftp import SftpConfig

    settings = Settings(data_dir=tmp_path, max_file_bytes=1234)
    config = SftpConfig.from_settings(settings, port=0)
    assert (config.data_dir, config.max_file_bytes, config.port) == (tmp_path, 1234, 0)
    assert config.host_key_path == tmp_path / "sftp" / "ssh_host_ed25519_key"
