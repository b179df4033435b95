"""All runtime settings in one frozen object, read from ``EDI_MESH_*`` environment variables.

Command-line options override the environment (the CLI builds a Settings with
explicit values). Nothing else in the pipeline reads ``os.environ``.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PACKAGE_DIR = Path(__file__).resolve().parent


class Settings(BaseSettings):
    """edi-mesh settings; every field is also ``EDI_MESH_<FIELD>`` in the environment."""

    model_config = SettingsConfigDict(env_prefix="EDI_MESH_", frozen=True, extra="ignore")

    # -- where things are -------------------------------------------------------
    broker: str = Field(
        "127.0.0.1:9092", description="Kafka bootstrap servers, HOST:PORT[,HOST:PORT]"
    )
    data_dir: Path = Field(
        Path("var"), description="inbox/, archive/, quarantine/, outbox/ live here"
    )
    partners: Path = Field(
        PACKAGE_DIR / "config" / "partners.toml", description="the partners file (TOML)"
    )
    routing: Path = Field(
        PACKAGE_DIR / "config" / "routing.toml", description="the routing rules file (TOML)"
    )
    topic_prefix: str = Field("", description="prefix for every topic name (e.g. 'prod.')")

    # -- Kafka ------------------------------------------------------------------
    partitions: int = Field(4, ge=1, description="partitions of edi.inbound and agent topics")
    replication: int = Field(1, ge=1, description="replication factor for topics we create")
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = Field(
        "PLAINTEXT", description="Kafka security protocol of every client (workers, ingest, CLI)"
    )
    sasl_mechanism: str = Field("PLAIN", description="PLAIN, SCRAM-SHA-256, SCRAM-SHA-512")
    sasl_username: str = Field("", description="SASL user name (SASL_PLAINTEXT, SASL_SSL)")
    sasl_password: str = Field(
        "", description="SASL password (SASL_PLAINTEXT, SASL_SSL); pass it as a secret"
    )
    ssl_cafile: Path | None = Field(
        None,
        description="CA bundle (PEM) that signed the brokers' certificates; unset = system CAs",
    )
    ssl_certfile: Path | None = Field(None, description="client certificate (PEM) for mutual TLS")
    ssl_keyfile: Path | None = Field(
        None, description="private key (PEM) of the client certificate"
    )
    max_message_bytes: int = Field(
        1_048_576, ge=1024, description="inbound message limit; bigger interchanges are split"
    )
    producer_max_request_bytes: int = Field(
        16 * 1_048_576, description="hard cap of one produced record (oversize transactions)"
    )
    fetch_max_wait_ms: int = Field(
        25,
        ge=1,
        description="longest a fetch waits for data; Tansu does not answer early, so this bounds latency",
    )
    producer_linger_ms: int = Field(
        5,
        description="producer linger: milliseconds to wait to fill a batch (Faust, replay, "
        "partners sync; ingest sends at once and the worker's batches go out closed)",
    )
    producer_acks: Literal["all", "1", "0"] = Field(
        "all", description="producer acks: all = every in-sync replica stored the record"
    )

    # -- worker (Faust) ---------------------------------------------------------
    app_id: str = Field("edi-mesh", description="Faust app id = consumer group id")
    worker_web_port: int = Field(6066, description="worker web server (tables, stats, metrics)")
    worker_web_host: str = Field(
        "127.0.0.1",
        description="interface the worker web server binds (/metrics, debug pages); "
        "unset = ops_host, loopback by default (0.0.0.0 in the image)",
    )
    batch_size: int = Field(
        64,
        ge=1,
        description="inbound messages processed per batch (bounds memory: messages reach 1 MB)",
    )
    wave_bytes: int = Field(
        8 * 1_048_576,
        ge=65_536,
        description="produce a batch's outputs in waves of about this many bytes",
    )
    batch_within: float = Field(0.01, gt=0, description="max seconds to wait to fill a batch")
    session_timeout: float = Field(6.0, description="broker session timeout (see TANSU.md)")
    heartbeat_interval: float = Field(1.5, description="consumer group heartbeat interval, seconds")
    rebalance_timeout: float = Field(6.0, description="consumer group rebalance timeout, seconds")
    commit_interval: float = Field(1.0, description="seconds between offset commits of a worker")
    store: str = Field("memory://", description="Faust table store (memory:// or rocksdb://)")
    stall_seconds: float = Field(
        5.0,
        gt=0,
        description="re-read a partition whose next record was read but not processed this long",
    )
    watchdog_seconds: float = Field(
        120.0,
        gt=0,
        description="a worker with inbound records waiting and no batch done this long exits (to be restarted)",
    )
    dedup_retention_seconds: float = Field(
        7 * 86400.0,
        gt=0,
        description="how long a seen interchange control number counts as duplicate",
    )
    our_id: str = Field(
        "ZZ:EDIMESH", description="our X12 envelope id (ISA05:ISA06) on interchanges we send"
    )
    our_edifact_id: str = Field(
        "EDIMESH", description="our EDIFACT envelope id (UNB02 id:qualifier, or the bare id)"
    )
    outbox_group: str = Field("edi-mesh-outbox", description="consumer group of the outbox writer")

    # -- ingest and façade -------------------------------------------------------
    facade_host: str = Field(
        "127.0.0.1", description="interface the HTTP façade binds (0.0.0.0 in the image)"
    )
    facade_port: int = Field(8080, description="HTTP façade port (partners: no /metrics here)")
    ops_host: str = Field(
        "127.0.0.1", description="interface of ingest's operators' listener (/metrics, health)"
    )
    ops_port: int = Field(
        8081, ge=0, le=65535, description="ingest's operators' listener port (/metrics, health)"
    )
    stable_seconds: float = Field(0.5, ge=0, description="a file is ready once unchanged this long")
    poll_seconds: float = Field(
        0.25, gt=0, description="inbox scan interval (besides watch events)"
    )
    max_file_bytes: int = Field(2 * 1024**3, description="files bigger than this are quarantined")
    max_body_bytes: int = Field(64 * 1_048_576, description="façade request body cap (413 above)")
    facade_max_uploads: int = Field(
        16, ge=1, description="request bodies the façade receives at once, all partners (503 above)"
    )
    facade_max_uploads_per_partner: int = Field(
        8, ge=1, description="request bodies the façade receives at once from one partner (503)"
    )
    facade_rate: float = Field(
        50.0, gt=0, description="façade requests per second per partner, sustained (429 above)"
    )
    facade_burst: int = Field(
        200,
        ge=1,
        description="façade requests one partner may make at once before the rate applies",
    )
    facade_header_timeout: float = Field(
        10.0,
        gt=0,
        description="seconds a request's headers may take once its first byte came (408)",
    )
    facade_body_timeout: float = Field(
        30.0,
        gt=0,
        description="seconds of grace a request body may take, plus its size / facade_min_body_rate (408)",
    )
    facade_min_body_rate: int = Field(
        65_536, ge=1, description="bytes per second a request body must average after the grace"
    )
    facade_idle_timeout: float = Field(
        15.0, gt=0, description="seconds a connection may sit without a request before it is closed"
    )
    facade_max_connections: int = Field(
        1024, ge=1, description="open façade connections; above it the longest-idle one is closed"
    )
    facade_max_header_bytes: int = Field(
        8190, ge=1024, description="longest request line or header field of the façade (400 above)"
    )
    retry_max_seconds: float = Field(30.0, description="cap of the broker-retry backoff")
    broker_timeout: float = Field(
        10.0, gt=0, description="seconds a command waits to reach the broker before giving up"
    )
    check_writers: bool = Field(
        True,
        description="take an inbox file only when no process has it open for writing (/proc; Linux)",
    )
    incomplete_wait_seconds: float = Field(
        30.0,
        ge=0,
        description="a file ending in an incomplete interchange waits this long after its last change before quarantine",
    )

    # -- SFTP channel (pipeline/ingest/sftp; docs/sftp.md) -------------------------------
    sftp_port: int = Field(
        0, ge=0, le=65535, description="SFTP server port of the ingest process (0 = no SFTP server)"
    )
    sftp_host: str = Field(
        "127.0.0.1", description="interface the SFTP server binds (0.0.0.0 in the image)"
    )
    sftp_max_sessions: int = Field(
        4, ge=1, description="concurrent logged-in SFTP connections per partner"
    )
    sftp_idle_timeout: float = Field(
        300.0, gt=0, description="seconds without an SFTP request before a session is closed"
    )
    push_scan_seconds: float = Field(
        1.0, gt=0, description="how often outboxes of partners with outbound_sftp are looked at"
    )
    push_backoff_max: float = Field(
        300.0, gt=0, description="cap of the retry backoff while a partner's SFTP server is down"
    )

    # -- embedded broker (edi-mesh up) -----------------------------------------------
    broker_port: int = Field(9092, description="port of the embedded Tansu broker")

    log_level: str = Field("WARNING", description="log level of edi-mesh processes")
    debug_loggers: str = Field(
        "", description="comma-separated logger names to log at DEBUG (diagnosis)"
    )

    @model_validator(mode="before")
    @classmethod
    def _operators_host(cls, data: Any) -> Any:
        """The worker's web server (metrics, debug pages) listens where ingest's operators' one does."""
        if isinstance(data, dict) and data.get("worker_web_host") is None and data.get("ops_host"):
            return {**data, "worker_web_host": data["ops_host"]}
        return data

    @property
    def bootstrap(self) -> list[str]:
        """Bootstrap servers as a list."""
        return [b.strip() for b in self.broker.split(",") if b.strip()]

    def kafka_security(self) -> dict[str, Any]:
        """aiokafka client keyword arguments for SASL/SSL (empty for PLAINTEXT)."""
        import ssl

        out: dict[str, Any] = {"security_protocol": self.security_protocol}
        if self.security_protocol.startswith("SASL"):
            out.update(
                sasl_mechanism=self.sasl_mechanism,
                sasl_plain_username=self.sasl_username,
                sasl_plain_password=self.sasl_password,
            )
        if self.security_protocol.endswith("SSL"):
            ctx = ssl.create_default_context(
                cafile=str(self.ssl_cafile) if self.ssl_cafile else None
            )
            if self.ssl_certfile:
                ctx.load_cert_chain(
                    str(self.ssl_certfile), str(self.ssl_keyfile) if self.ssl_keyfile else None
                )
            out["ssl_context"] = ctx
        return out

    # -- data directory layout ---------------------------------------------------------
    @property
    def inbox(self) -> Path:
        return self.data_dir / "inbox"

    @property
    def claimed(self) -> Path:
        return self.data_dir / "claimed"

    @property
    def archive(self) -> Path:
        return self.data_dir / "archive"

    @property
    def quarantine(self) -> Path:
        return self.data_dir / "quarantine"

    @property
    def outbox(self) -> Path:
        return self.data_dir / "outbox"


def load(**overrides: Any) -> Settings:
    """Settings from the environment, with explicit (non-None) overrides from the CLI."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})


def read_tables(path: Path, table: str, what: str, error: type[Exception]) -> list[Any]:
    """The ``[[table]]`` entries of a TOML configuration file; ``error`` with a one-line reason."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise error(f"{what} file {path} does not exist") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise error(f"{what} file {path}: {exc}") from None
    tables = raw.get(table, [])
    if not isinstance(tables, list):
        raise error(f"{what} file {path}: use [[{table}]] tables")
    return tables
