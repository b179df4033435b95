"""Smoke test of ``edi-mesh bench abuse``: tiny sizes, real broker and ingest, the JSON shape.

No timing or memory assertion: only that every probe ran with the expected
answers, that idle connections were closed by the server, and that no probe
body byte and no traceback reached ingest's log.
"""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks import abuse_bench
from benchmarks.cli import bench
from pipeline.tools.broker import EmbeddedBroker


def test_bench_abuse_tiny(broker: EmbeddedBroker, tmp_path: Path) -> None:
    assert "abuse" in bench.commands
    p = abuse_bench.Params(
        broker=broker.address,
        uploads=2,
        size_mb=1,
        idle=10,
        legit=5,
        idle_timeout=1.0,
        header_timeout=1.0,
        progress=False,
    )
    report = abuse_bench.run(p, out=tmp_path / "abuse.json")
    assert json.loads((tmp_path / "abuse.json").read_text()) == report
    assert "edi-mesh bench abuse " in report["reproduce"]
    assert set(report["goals"]) == {"rss_peak_mb", "legit_p99_ms", "body_bytes_in_logs"}
    assert report["uploads"]["statuses"] == {"400": 2}  # received whole, refused as not EDI
    assert report["uploads"]["rss_peak_mb"] > 0
    assert report["idle"]["legit_statuses"] == {"202": 5}
    assert report["idle"]["idle_closed_by_server"] == 10
    assert report["probes"] == {
        "bad_chunking": "400",
        "te_and_cl": "400",
        "duplicate_cl": "400",
        "huge_headers": "400",
        "over_cap_chunked": "413",
        "trickled_body": "408",
    }
    logs = report["logs"]
    assert logs["log_bytes"] > 0
    assert logs["body_bytes_in_logs"] == 0 and logs["tracebacks_in_logs"] == 0
