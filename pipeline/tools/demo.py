"""A demo SFTP key pair for ``edi-mesh up`` (``make run``): generated into the data directory.

When the SFTP server is on and the first partner of the partners file has no
SFTP credential, ``up`` generates ``<data dir>/demo/<id>_key`` (private, mode
0600, never in the repository) once, and publishes that partner with the
public key on ``edi.partners`` (the partners file is not changed). The banner
then shows ``sftp -P PORT -i <data dir>/demo/<id>_key <id>@127.0.0.1``.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import asyncssh

from pipeline.partners.profiles import Partner
from pipeline.settings import Settings

CREDENTIALS = ("sftp_public_keys", "sftp_password_hash")


def key_path(settings: Settings, partner_id: str) -> Path:
    """Where the demo private key of ``partner_id`` is kept."""
    return settings.data_dir / "demo" / f"{partner_id}_key"


def demo_key(path: Path) -> asyncssh.SSHKey:
    """The key pair at ``path`` (``path.pub`` beside it), generated once."""
    if path.exists():
        return asyncssh.read_private_key(path)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = asyncssh.generate_private_key("ssh-ed25519", comment=path.stem)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(key.export_private_key())
    path.with_name(path.name + ".pub").write_bytes(key.export_public_key())
    return key


def with_demo_key(settings: Settings, partners: list[Partner]) -> list[Partner]:
    """``partners`` with a demo key for the first one, when SFTP is on and it has no credential."""
    if not settings.sftp_port or not partners:
        return partners
    first = partners[0]
    if any(first.attributes.get(c) for c in CREDENTIALS):
        return partners
    key = demo_key(key_path(settings, first.id))
    line = key.export_public_key("openssh").decode("ascii").strip()
    attrs = {**first.attributes, "sftp_public_keys": [line]}
    return [dataclasses.replace(first, attributes=attrs), *partners[1:]]
