"""Every Prometheus metric edi-mesh exports, declared once.

Workers serve them on their web server (``/metrics``), ingest on the façade
port. Names are public (dashboards and alerts use them): add, never rename.
"""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

# -- ingest ----------------------------------------------------------------------
INTERCHANGES_RECEIVED = Counter(
    "edi_interchanges_received_total",
    "Interchanges accepted onto edi.inbound (after the broker acknowledged them)",
    ["partner", "channel"],
)
INGEST_BYTES = Counter(
    "edi_ingest_bytes_total", "Bytes of EDI accepted onto edi.inbound", ["partner", "channel"]
)
FILES_ARCHIVED = Counter("edi_files_archived_total", "Inbox files archived", ["partner"])
INBOX_UNEXPECTED = Counter(
    "edi_inbox_unexpected_total", "Sub-folders found in inboxes (reported once each)", ["partner"]
)
QUARANTINED = Counter(
    "edi_quarantined_total", "Files or requests rejected before Kafka, by error code", ["code"]
)
INGEST_DUPLICATES = Counter(
    "edi_ingest_duplicate_files_total", "Files whose sha256 was already ingested", ["partner"]
)
BROKER_RETRIES = Counter(
    "edi_ingest_broker_retries_total", "Produce attempts that failed and will be retried"
)
HTTP_REQUESTS = Counter(
    "edi_facade_requests_total", "Façade requests by route and status", ["route", "status"]
)
FACADE_CONNECTIONS_CLOSED = Counter(
    "edi_facade_connections_closed_total",
    "Façade connections closed by a limit (evicted idle, refused, header-timeout)",
    ["reason"],
)
FACADE_LIMITED = Counter(
    "edi_facade_limited_total",
    "Façade requests refused by a limit, by partner and code (rate, uploads, timeouts)",
    ["partner", "code"],
)

# -- worker ---------------------------------------------------------------------------
INTERCHANGES_PROCESSED = Counter(
    "edi_interchanges_processed_total",
    "Inbound interchanges processed by workers, by outcome",
    ["partner", "outcome"],
)
DOCUMENTS_ROUTED = Counter(
    "edi_documents_routed_total", "Documents produced to agent topics", ["topic"]
)
DEADLETTERS = Counter(
    "edi_deadletters_total", "Dead-letter records written, by error code", ["code"]
)
DUPLICATES = Counter(
    "edi_duplicates_total", "Re-sent interchanges suppressed by the duplicate table", ["partner"]
)
ACKS_SENT = Counter("edi_acks_sent_total", "Acknowledgements produced, by type", ["type"])
ACKS_RESENT = Counter(
    "edi_acks_resent_total",
    "Original acknowledgements sent again for a re-sent (duplicate) interchange",
    ["partner"],
)
INBOX_TO_TOPIC = Histogram(
    "edi_inbox_to_topic_seconds",
    "From edi-received-at (ingest) to the document's append on its agent topic",
    buckets=LATENCY_BUCKETS,
)
BATCH_SECONDS = Histogram(
    "edi_worker_batch_seconds",
    "Wall time to process one inbound batch, produce included",
    buckets=LATENCY_BUCKETS,
)
BATCH_SIZE = Histogram(
    "edi_worker_batch_messages",
    "Inbound messages per processed batch",
    buckets=(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000),
)
PARTNER_WINDOW = Gauge(
    "edi_partner_window",
    "Per-partner counts in the current one-minute window (interchanges, documents, errors, bytes)",
    ["partner", "measure"],
)
ROUTING_RELOADS = Counter("edi_routing_reloads_total", "Routing file reloads", ["result"])
PARTNER_UPDATES = Counter("edi_partner_updates_total", "Partner profiles applied from edi.partners")
OUTBOUND_UNACKNOWLEDGED = Gauge(
    "edi_outbound_unacknowledged",
    "Outbound interchanges this worker's partitions hold that the partner has not acknowledged",
    ["partner"],
)
OUTBOUND_SENT = Counter(
    "edi_outbound_interchanges_total",
    "Outbound interchanges produced from edi.outbound requests (repeat: re-produced for a "
    "repeated idempotency key)",
    ["partner", "repeat"],
)
OUTBOX_FILES = Counter(
    "edi_outbox_files_total", "Acknowledgement files written to outboxes", ["partner"]
)


# -- sftp (no label carries client-typed data: partner is a configured id) ------
SFTP_LOGINS = Counter("edi_sftp_logins_total", "Successful SFTP logins", ["partner", "method"])
SFTP_AUTH_FAILURES = Counter(
    "edi_sftp_auth_failures_total",
    "Refused SFTP authentications (wrong password, or a connection that never logged in)",
    ["kind"],
)
SFTP_SESSIONS = Gauge("edi_sftp_sessions", "Open SFTP sessions", ["partner"])
SFTP_LIMITS = Counter(
    "edi_sftp_limit_hits_total", "SFTP limits reached", ["limit"]
)  # limit: file_size, sessions, idle
SFTP_UPLOADS = Counter("edi_sftp_uploads_total", "Files uploaded and submitted", ["partner"])
SFTP_UPLOAD_BYTES = Counter(
    "edi_sftp_upload_bytes_total", "Bytes uploaded and submitted", ["partner"]
)
SFTP_SUBMIT_FAILURES = Counter(
    "edi_sftp_submit_failures_total", "Uploads that ingest did not accept", ["partner"]
)
SFTP_DOWNLOADS = Counter(
    "edi_sftp_downloads_total", "Outbox files opened for download", ["partner"]
)
SFTP_OUTBOX_DELETES = Counter("edi_sftp_outbox_deletes_total", "Outbox files deleted", ["partner"])
SFTP_REFUSED = Counter(
    "edi_sftp_refused_total", "SFTP requests refused by the virtual file system", ["op"]
)
PUSH_DELIVERED = Counter(
    "edi_sftp_push_delivered_total", "Outbox files pushed to partner servers", ["partner"]
)
PUSH_FAILURES = Counter(
    "edi_sftp_push_failures_total", "Failed push attempts, by error code", ["partner", "code"]
)


def exposition() -> tuple[bytes, str]:
    """The Prometheus text exposition of this process's metrics and its content type."""
    return generate_latest(), CONTENT_TYPE_LATEST
