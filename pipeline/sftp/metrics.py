"""Prometheus metrics of the SFTP channel (to move into ``pipeline/metrics.py``).

No label carries partner-supplied data: ``partner`` is a configured id, never a
user name typed by a client.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge

LOGINS = Counter("edi_sftp_logins_total", "Successful SFTP logins", ["partner", "method"])
AUTH_FAILURES = Counter(
    "edi_sftp_auth_failures_total",
    "Refused SFTP authentications (wrong password, or a connection that never logged in)",
    ["kind"],
)
SESSIONS = Gauge("edi_sftp_sessions", "Open SFTP sessions", ["partner"])
LIMITS = Counter(
    "edi_sftp_limit_hits_total", "SFTP limits reached", ["limit"]
)  # limit: file_size, sessions, idle
UPLOADS = Counter("edi_sftp_uploads_total", "Files uploaded and submitted", ["partner"])
UPLOAD_BYTES = Counter("edi_sftp_upload_bytes_total", "Bytes uploaded and submitted", ["partner"])
SUBMIT_FAILURES = Counter(
    "edi_sftp_submit_failures_total", "Uploads that ingest did not accept", ["partner"]
)
DOWNLOADS = Counter("edi_sftp_downloads_total", "Outbox files opened for download", ["partner"])
OUTBOX_DELETES = Counter("edi_sftp_outbox_deletes_total", "Outbox files deleted", ["partner"])
REFUSED = Counter(
    "edi_sftp_refused_total", "SFTP requests refused by the virtual file system", ["op"]
)
PUSH_DELIVERED = Counter(
    "edi_sftp_push_delivered_total", "Outbox files pushed to partner servers", ["partner"]
)
PUSH_FAILURES = Counter(
    "edi_sftp_push_failures_total", "Failed push attempts, by error code", ["partner", "code"]
)
