"""``up``'s demo SFTP key: generated once into the data directory, only when SFTP is on."""

from __future__ import annotations

import stat
from pathlib import Path

from pipeline.ingest.sftp.auth import key_matches, partner_keys
from pipeline.partners.profiles import Partner
from pipeline.settings import Settings
from pipeline.tools.demo import demo_key, key_path, with_demo_key


def _partners() -> list[Partner]:
    return [
        Partner.from_json({"id": "acme", "senders": ["*"]}),
        Partner.from_json({"id": "beta", "senders": ["*"]}),
    ]


def test_no_key_when_sftp_is_off(tmp_path: Path) -> None:
    s = Settings(data_dir=tmp_path)
    assert with_demo_key(s, _partners()) == _partners()
    assert not (tmp_path / "demo").exists()


def test_first_partner_gets_a_private_key_in_the_data_dir_once(tmp_path: Path) -> None:
    s = Settings(data_dir=tmp_path, sftp_port=2222)
    first, second = with_demo_key(s, _partners())
    path = key_path(s, "acme")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.with_name("acme_key.pub").exists()
    assert key_matches(demo_key(path), partner_keys(first))  # the same key, reused
    assert "sftp_public_keys" not in first.public() and second == _partners()[1]
    assert with_demo_key(s, [first]) == [first]  # a partner with a credential is left alone
