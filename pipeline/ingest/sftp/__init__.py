"""The SFTP ingest channel: a built-in server per partner (upload to /inbox, fetch from /outbox).

``SftpServer`` is mounted by the ingest process (``pipeline.ingest.service``);
uploads go through the file drop's claim path, so the sender check, size caps,
quarantine and dead letters are the same. Push delivery to partners' own servers
is an output: ``pipeline.outputs.push``.
"""

from __future__ import annotations

from pipeline.ingest.sftp.auth import hash_password, verify_password
from pipeline.ingest.sftp.fs import Submit
from pipeline.ingest.sftp.server import SftpConfig, SftpServer

__all__ = ["SftpConfig", "SftpServer", "Submit", "hash_password", "verify_password"]
