"""Smoke test of the parser benchmark: it runs on tiny inputs and reports the agreed JSON shape.

No timing assertions: the machine is shared and noisy; only shapes and sanity.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from benchmarks import parser_bench
from benchmarks.parser_bench import GOALS, parser_cmd, run

IMPLS = ("ours_parse", "ours_json", "pyx12_reader", "pyx12_full", "pydifact")
ROW_KEYS = {"input", "bytes", "segments", "best_s", "median_s", "runs_s"}
RATE_KEYS = {"segments_per_s", "mb_per_s"}


def _check_shape(report: dict[str, Any]) -> None:
    assert json.loads(json.dumps(report)) == report  # plain JSON
    m = report["machine"]
    assert m["cpu_count"] >= 1 and m["python"].startswith("3.")
    assert m["packages"]["pyx12"] == "4.0.0" and m["packages"]["pydifact"] == "0.2.3"
    names = {i["name"] for i in report["inputs"]}
    assert {"x12_837", "x12_850", "x12_835", "edifact_orders_invoic"} <= names
    assert {"x12_837_small", "x12_835_small"} <= names
    assert set(report["results"]) == set(IMPLS)
    for impl in IMPLS:
        entry = report["results"][impl]
        assert isinstance(entry["available"], bool)
        if not entry["available"]:
            assert entry["reason"]
        for row in entry["results"]:
            assert set(row) >= ROW_KEYS | RATE_KEYS, (impl, row)
            assert row["segments"] > 0 and row["best_s"] > 0
            assert row["segments_per_s"] > 0 and row["mb_per_s"] > 0
    assert report["results"]["pyx12_reader"]["available"]
    assert report["results"]["pyx12_full"]["available"]
    assert report["results"]["pydifact"]["available"]
    # pyx12 reader sees exactly the generator's segments; full validation finds them valid
    for row in report["results"]["pyx12_reader"]["results"]:
        assert row["segments_seen"] == row["segments"]
    for row in report["results"]["pyx12_full"]["results"]:
        assert row["valid"] is True
    ratios = report["ratios"]
    for key in ("ours_parse/pyx12_reader", "ours_parse/pyx12_full", "ours_parse/pydifact"):
        assert key in ratios
    assert set(report["goals"]) == set(GOALS)
    for g in report["goals"].values():
        assert {"target", "measured", "met"} <= set(g)


def test_run_on_tiny_inputs_with_corpus(corpus: Path) -> None:
    report = run(size="24K", full_size="12K", repeats=1, corpus=corpus, corpus_max_file_bytes=4000)
    _check_shape(report)
    names = {i["name"] for i in report["inputs"]}
    assert {"corpus_x12", "corpus_edifact"} <= names


def test_our_implementations_are_wired(monkeypatch: pytest.MonkeyPatch) -> None:
    """With a stand-in parse() (until the real one lands) rows appear for ours_parse/ours_json."""
    import parsers

    if getattr(parsers, "parse", None) is None:
        monkeypatch.setattr(parsers, "parse", lambda data: [], raising=False)
    report = run(size="16K", full_size="8K", repeats=1, corpus=None)
    _check_shape(report)
    assert report["results"]["ours_parse"]["available"]
    assert len(report["results"]["ours_parse"]["results"]) == 4
    assert report["ratios"]["ours_parse/pyx12_reader"] is not None
    assert report["goals"]["ours_parse_segments_per_s"]["measured"] is not None


def test_cli_prints_json_and_writes_out(tmp_path: Path) -> None:
    out = tmp_path / "results" / "parser.json"
    res = CliRunner().invoke(
        parser_cmd,
        ["--size", "16K", "--full-size", "8K", "-n", "1", "--no-corpus", "--out", str(out)],
    )
    assert res.exit_code == 0, res.output
    printed = json.loads(res.output)
    assert json.loads(out.read_text()) == printed
    _check_shape(printed)


def test_default_out_path_is_in_results() -> None:
    assert parser_bench.DEFAULT_OUT.parts[-3:] == ("benchmarks", "results", "parser.json")
