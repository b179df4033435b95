"""Smoke tests of the end-to-end benchmarks: tiny sizes, real broker and processes, JSON shapes.

No timing assertions (the machine is shared and noisy): only that each
benchmark runs, reports the agreed shape, says how to reproduce it, and that
real documents / records / files arrived.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from benchmarks import common, ingest_bench, memory_bench, pipeline_bench
from benchmarks.cli import bench, readme_table
from pipeline.tools.broker import EmbeddedBroker

PNG = b"\x89PNG\r\n\x1a\n"


def _plain_json(report: dict[str, Any]) -> None:
    assert json.loads(json.dumps(report)) == report
    m = report["machine"]
    assert m["cpu_count"] >= 1 and m["python"].startswith("3.")
    for dist in ("faust-streaming", "aiokafka", "orjson", "uvloop"):
        assert m["packages"][dist], dist
    assert f"edi-mesh bench {report['benchmark']} " in report["reproduce"]


def _no_loss(counts: dict[str, int]) -> None:
    assert counts["expected"] > 0
    assert counts["seen"] == counts["expected"], counts
    assert counts["missing"] == 0 and counts["unexpected"] == 0, counts


def test_bench_group_has_every_command() -> None:
    result = CliRunner().invoke(bench, ["--help"])
    assert result.exit_code == 0, result.output
    for name in ("generate", "parser", "pipeline", "ingest", "memory", "all"):
        assert name in bench.commands and name in result.output


def test_command_line_lists_options_but_not_output_paths(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for key in list(common.env_overrides()):
        monkeypatch.delenv(key)
    line = common.command_line(
        pipeline_bench.pipeline_cmd,
        {"interchanges": 10, "workers": [1, 2], "keep": True, "out": "x", "load": "burst"},
    )
    assert line == "edi-mesh bench pipeline --interchanges 10 --workers 1,2 --load burst"
    monkeypatch.setenv("EDI_MESH_BATCH_SIZE", "50")
    line = common.command_line(pipeline_bench.pipeline_cmd, {"interchanges": 10})
    assert line == "EDI_MESH_BATCH_SIZE=50 edi-mesh bench pipeline --interchanges 10"


def test_percentiles_nearest_rank() -> None:
    p = common.percentiles(list(range(1, 101)))
    assert (p["p50"], p["p95"], p["p99"], p["max"]) == (50, 95, 99, 100)
    assert common.percentiles([]) == {}


def test_summarize_speedscope(tmp_path: Path) -> None:
    frames = [
        {"name": "main", "file": "/x/pipeline/worker.py", "line": 1},
        {"name": "parse", "file": "/x/parsers/tokenizer.py", "line": 2},
        {"name": "send", "file": "/v/site-packages/aiokafka/producer.py", "line": 3},
    ]
    doc = {
        "shared": {"frames": frames},
        "profiles": [
            {"name": "MainThread", "type": "sampled", "samples": [[0, 1], [0, 1], [0, 2], [0]]}
        ],
    }
    path = tmp_path / "p.json"
    path.write_text(json.dumps(doc))
    s = pipeline_bench.summarize_speedscope(path)
    assert s["samples"] == 4
    assert s["top_self"][0] == {"function": "parse (/x/parsers/tokenizer.py)", "pct": 50.0}
    assert s["breakdown_pct"]["parse: parsers.parse (tokenize, envelopes)"] == 50.0
    assert s["self_by_package_pct"] == {"parsers": 50.0, "aiokafka": 25.0, "pipeline": 25.0}
    assert all("main" not in f["function"] for f in s["top_inclusive"])  # in every sample


@pytest.mark.slow
def test_pipeline_bench_tiny(broker: EmbeddedBroker, tmp_path: Path) -> None:
    p = pipeline_bench.Params(
        broker=broker.address,
        interchanges=120,
        per_interchange=2,
        workers=[1],
        repeats=1,
        rates=[0.5],
        max_rate=400.0,  # a tiny load's "max" is noise; offer a fixed 200 documents/s
        latency_seconds=2.0,
        warmup_seconds=0.0,
        progress=False,
    )
    out, plot = tmp_path / "pipeline.json", tmp_path / "pipeline.png"
    report = pipeline_bench.run(p, out=out, plot=plot)
    _plain_json(report)
    assert json.loads(out.read_text()) == report
    assert plot.read_bytes().startswith(PNG)
    assert report["load"]["interchanges"] == 120 and report["load"]["documents"] == 240
    assert report["problems"] == [] and report["logs"] is None
    kinds = [(r["kind"], r["workers"], bool(r.get("latency_only"))) for r in report["runs"]]
    assert kinds == [("baseline", 1, False), ("pipeline", 1, False), ("baseline", 1, True)]
    for run in report["runs"]:
        if not run.get("latency_only"):
            _no_loss(run["documents"])
            assert run["documents_per_s"] > 0 and run["committed_all"]
        for row in run.get("latency", []):
            assert row["fraction_of_max"] == 0.5 and row["offered_documents_per_s"] == 200
            _no_loss(row["documents"])
            assert {"p50", "p95", "p99", "max"} <= set(row["latency_ms"])
            assert row["latency_ms"]["p50"] >= 0
    t = report["throughput"]["1"]
    assert t["pipeline_documents_per_s"] > 0 and t["baseline_documents_per_s"] > 0
    assert t["ratio_pipeline_to_baseline"] > 0
    goals = report["goals"]
    assert set(goals) == {"throughput_vs_passthrough", "p99_ms_at_50pct"}
    assert goals["throughput_vs_passthrough"]["target"] == 0.5
    assert goals["p99_ms_at_50pct"]["target"] == 100.0
    for g in goals.values():
        assert isinstance(g["met"], bool) and "1" in g["by_workers"]
    table = readme_table({"pipeline": report})
    assert "| pipeline |" in table and report["reproduce"] in table


def test_ingest_bench_tiny(broker: EmbeddedBroker, tmp_path: Path) -> None:
    p = ingest_bench.Params(broker=broker.address, files=6, file_size="8K", progress=False)
    report = ingest_bench.run(p, out=tmp_path / "ingest.json")
    _plain_json(report)
    r = report["result"]
    assert r["complete"] and r["archived"] == 6 and r["quarantined"] == 0
    assert r["files_per_s"] > 0 and r["mb_per_s"] > 0
    inbound = report["inbound"]
    assert inbound["ok"], inbound
    assert inbound["records"] == report["files"]["interchanges"] and inbound["files"] == 6


def test_memory_bench_tiny(broker: EmbeddedBroker, tmp_path: Path) -> None:
    p = memory_bench.Params(broker=broker.address, size="2M", stall=30.0, progress=False)
    report = memory_bench.run(p, out=tmp_path / "memory.json", plot=tmp_path / "memory.png")
    _plain_json(report)
    assert report["outcome"] == "complete", report["outcome"]
    assert report["ingest"]["archived"]
    w = report["worker"]
    assert w["documents_routed"] == w["expected_documents"] == report["file"]["transactions"]
    assert report["peak_rss_mb"]["ingest"] > 10 and report["peak_rss_mb"]["worker"] > 10
    g = report["goals"]["peak_rss_mb"]
    assert g["target"] == 256.0 and isinstance(g["met"], bool)
    assert (tmp_path / "memory.png").read_bytes().startswith(PNG)
