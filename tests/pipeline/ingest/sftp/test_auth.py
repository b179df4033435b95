"""Password hashes (scrypt, salted), the ``sftp_password_hash`` helper, config from Settings."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from pipeline.ingest.sftp import verify_password
from pipeline.ingest.sftp.auth import hash_password, main


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
    from pipeline.ingest.sftp import SftpConfig
    from pipeline.settings import Settings

    settings = Settings(data_dir=tmp_path, max_file_bytes=1234)
    config = SftpConfig.from_settings(settings, port=0)
    assert (config.data_dir, config.max_file_bytes, config.port) == (tmp_path, 1234, 0)
    assert config.host_key_path == tmp_path / "sftp" / "ssh_host_ed25519_key"


def test_sftp_settings_reach_the_server_config(tmp_path: Path) -> None:
    from pipeline.ingest.sftp import mount
    from pipeline.settings import Settings

    settings = Settings(
        data_dir=tmp_path, sftp_port=2222, sftp_host="0.0.0.0", sftp_max_sessions=2,
        sftp_idle_timeout=9.0,
    )  # fmt: skip
    config = mount.config(settings)
    assert (config.port, config.host, config.max_sessions, config.idle_timeout) == (
        2222, "0.0.0.0", 2, 9.0,
    )  # fmt: skip
    assert mount.fingerprint(settings).startswith("SHA256:")
    assert mount.fingerprint(settings) == mount.fingerprint(settings)  # generated once, reused
