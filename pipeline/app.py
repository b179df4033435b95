"""The Faust App, and only the App (agents live in ``pipeline.worker.agents``).

Settings that matter on the local Tansu broker (TANSU.md): a short session
timeout so a worker joins its group in seconds, raw serializers so the hot
path never runs a Faust codec, and explicit partition counts.
"""

from __future__ import annotations

import socket
from pathlib import Path

import faust
from faust.types import TransportT

from pipeline.kafka.security import faust_credentials
from pipeline.kafka.transport import Transport
from pipeline.settings import Settings


class App(faust.App):
    """faust.App on :mod:`pipeline.kafka.transport` (strict commits, probed end offsets)."""

    fetch_max_wait_ms: int | None = None  # applied to the worker's consumer by the transport

    def _new_transport(self) -> TransportT:
        return Transport(self.conf.broker_consumer, self)

    def _new_producer_transport(self) -> TransportT:
        return Transport(self.conf.broker_producer, self)


def faust_datadir(settings: Settings) -> Path:
    """Faust's own directory (created), under the data directory, not the working directory.

    One per host and web port, so workers that share a data volume never share
    it (a RocksDB store locks its files).
    """
    path = settings.data_dir / "faust" / f"{socket.gethostname()}-{settings.worker_web_port}"
    path.mkdir(parents=True, exist_ok=True)
    return path


def create_app(settings: Settings) -> App:
    """A Faust App configured from ``settings``."""
    credentials = faust_credentials(settings)
    app = App(
        settings.app_id,
        broker=[f"kafka://{b}" for b in settings.bootstrap],
        broker_credentials=credentials,
        store=settings.store,
        key_serializer="raw",
        value_serializer="raw",
        topic_partitions=settings.partitions,
        topic_replication_factor=settings.replication,
        topic_allow_declare=True,
        broker_session_timeout=settings.session_timeout,
        broker_heartbeat_interval=settings.heartbeat_interval,
        broker_rebalance_timeout=settings.rebalance_timeout,
        broker_commit_interval=settings.commit_interval,
        broker_max_poll_records=settings.batch_size,
        consumer_max_fetch_size=settings.max_message_bytes + 65_536,
        consumer_auto_offset_reset="earliest",
        producer_acks=-1 if settings.producer_acks == "all" else int(settings.producer_acks),
        producer_linger=settings.producer_linger_ms / 1000.0,
        producer_max_request_size=settings.producer_max_request_bytes,
        producer_compression_type=None,
        stream_wait_empty=False,
        stream_buffer_maxsize=max(16, settings.batch_size // 2),  # memory: messages reach 1 MB
        web_enabled=True,
        web_port=settings.worker_web_port,
        web_bind=settings.worker_web_host,
        web_host=settings.worker_web_host,
        table_cleanup_interval=30.0,
        worker_redirect_stdouts=False,
        datadir=str(faust_datadir(settings)),
    )
    app.fetch_max_wait_ms = settings.fetch_max_wait_ms
    return app
