"""The SFTP channel: a built-in server per partner (inbox upload, outbox download) and push delivery.

``SftpServer`` is mounted by the ingest process; ``PushDelivery`` uploads outbox
files to partners' own servers. Both read partner profiles on every use, so a
reloaded partners file takes effect without restart.
"""

from __future__ import annotations

from pipeline.sftp.auth import hash_password, verify_password
from pipeline.sftp.fs import Submit
from pipeline.sftp.names import bad_name, is_temporary_name
from pipeline.sftp.push import PushDelivery, PushSettings
from pipeline.sftp.server import SftpConfig, SftpServer

__all__ = [
    "PushDelivery",
    "PushSettings",
    "SftpConfig",
    "SftpServer",
    "Submit",
    "bad_name",
    "hash_password",
    "is_temporary_name",
    "verify_password",
]
