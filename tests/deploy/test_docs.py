"""The docs stay current: README's generated settings table, and the metrics docs/production.md lists."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from prometheus_client.metrics import MetricWrapperBase

import pipeline.metrics
from pipeline.settings import Settings
from tests.deploy import _support as sup

DOC = sup.ROOT / "docs" / "production.md"
README = sup.ROOT / "README.md"


@pytest.fixture(scope="module")
def table_script() -> ModuleType:
    """scripts/settings_table.py, imported from its path."""
    path = sup.ROOT / "scripts" / "settings_table.py"
    spec = importlib.util.spec_from_file_location("settings_table", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_settings_table_is_current(table_script: ModuleType) -> None:
    """The table in README.md is exactly what the script generates from Settings."""
    doc = README.read_text(encoding="utf-8")
    assert table_script.current_block(doc) == table_script.block(), (
        "README.md's settings table is stale: run .venv/bin/python scripts/settings_table.py "
        "--write README.md"
    )


def test_settings_table_lists_every_field_with_a_meaning(table_script: ModuleType) -> None:
    """One row per EDI_MESH_* variable, each with a meaning; fallbacks name real fields."""
    rows = [r for r in table_script.table().splitlines()[2:] if r.startswith("| `")]
    assert {r.split("`")[1] for r in rows} == sup.settings_fields_env()
    for name, info in Settings.model_fields.items():
        assert info.description, f"{name} has no description"


def test_settings_table_check_detects_a_stale_doc(table_script: ModuleType, tmp_path: Path) -> None:
    """`--check` passes on the doc and fails on a copy whose table was edited."""
    assert table_script.main(["--check", str(README)]) == 0
    stale = tmp_path / "README.md"
    stale.write_text(README.read_text().replace("`EDI_MESH_BROKER`", "`EDI_MESH_BROKERS`", 1))
    assert table_script.main(["--check", str(stale)]) == 1
    assert table_script.main(["--write", str(stale)]) == 0
    assert table_script.main(["--check", str(stale)]) == 0


def test_every_metric_is_documented() -> None:
    """Each metric of pipeline.metrics appears, by the name queries use, in "What to monitor"."""
    doc = DOC.read_text(encoding="utf-8")
    section = doc[doc.index("## What to monitor") : doc.index("## Differences")]
    metrics = [v for v in vars(pipeline.metrics).values() if isinstance(v, MetricWrapperBase)]
    assert len(metrics) >= 10
    for metric in metrics:
        for family in metric.describe():
            name = family.name + ("_total" if family.type == "counter" else "")
            assert f"`{name}`" in section, f"{name} is not documented in docs/production.md"
