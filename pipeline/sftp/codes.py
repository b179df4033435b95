"""Stable error codes of the SFTP channel, proposed for the end of the EDI1xx range.

Not yet registered in the catalogue (``pipeline/errors.py``, ``docs/errors.md``);
the file-size limit reuses EDI103 (FILE_TOO_LARGE) of the file drop.
"""

from __future__ import annotations

FILE_TOO_LARGE = "EDI103"  # existing: input larger than the configured cap
BAD_NAME = "EDI105"  # existing: file name not acceptable (the shared rule in names.py)
SESSION_LIMIT = "EDI112"  # too many concurrent SFTP sessions for one partner
IDLE_TIMEOUT = "EDI113"  # an SFTP session idle longer than the limit was closed
SUBMIT_FAILED = "EDI114"  # an uploaded file was not accepted by ingest (retriable)
DELIVERY_HOST_KEY = "EDI115"  # partner's SFTP host key does not match known_host_key
DELIVERY_UNREACHABLE = "EDI116"  # partner's SFTP server unreachable (retriable)
DELIVERY_REFUSED = "EDI117"  # partner's SFTP server refused our login or upload
DELIVERY_CONFIG = "EDI118"  # outbound_sftp profile missing or invalid

TITLES = {
    SESSION_LIMIT: "too many concurrent SFTP sessions for this partner",
    IDLE_TIMEOUT: "SFTP session idle too long",
    SUBMIT_FAILED: "upload not accepted by ingest; send it again",
    DELIVERY_HOST_KEY: "partner SFTP host key does not match known_host_key",
    DELIVERY_UNREACHABLE: "partner SFTP server unreachable",
    DELIVERY_REFUSED: "partner SFTP server refused login or upload",
    DELIVERY_CONFIG: "outbound_sftp profile invalid",
}
