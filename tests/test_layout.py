"""The code map's rules, checked: small modules and functions, one place per contract name.

The README's "Code map" promises these; a change that breaks one fails here
with the place to look.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("parsers", "pipeline")
MAX_MODULE_LINES = 700
MAX_FUNCTION_LINES = 80


def sources(*packages: str) -> list[Path]:
    return sorted(p for pkg in packages for p in (ROOT / pkg).rglob("*.py"))


def test_no_module_is_over_the_limit() -> None:
    big = {
        str(p.relative_to(ROOT)): n
        for p in sources(*PACKAGES)
        if (n := p.read_text(encoding="utf-8").count("\n")) > MAX_MODULE_LINES
    }
    assert big == {}, f"modules over {MAX_MODULE_LINES} lines: split them by concern"


def test_no_function_is_over_the_limit() -> None:
    long: dict[str, int] = {}
    for p in sources(*PACKAGES):
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                n = (node.end_lineno or node.lineno) - node.lineno + 1
                if n > MAX_FUNCTION_LINES:
                    long[f"{p.relative_to(ROOT)}:{node.lineno} {node.name}"] = n
    assert long == {}, f"functions over {MAX_FUNCTION_LINES} lines"


def _literals(paths: list[Path], pattern: re.Pattern[str]) -> list[str]:
    found = []
    for p in paths:
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and pattern.fullmatch(node.value)
            ):
                found.append(f"{p.relative_to(ROOT)}:{node.lineno} {node.value!r}")
    return found


@pytest.mark.parametrize(
    ("owner", "pattern"),
    [
        ("pipeline/contracts/topics.py", re.compile(r"(edi|agents)\.[a-z.-]+")),
        ("pipeline/contracts/headers.py", re.compile(r"edi-[a-z0-9-]+")),
    ],
    ids=["topic names", "header names"],
)
def test_contract_names_are_spelled_in_one_place(owner: str, pattern: re.Pattern[str]) -> None:
    """Topic and header names appear as string literals only in their registry."""
    others = [
        p
        for p in sources("pipeline", "benchmarks")
        if str(p.relative_to(ROOT)) != owner and p.name != "asyncapi.py"
    ]
    # the product's name (edi-mesh, edi-mesh-outbox, ...) and the Faust agent's are not headers
    hits = [h for h in _literals(others, pattern) if not re.search(r"'edi-(mesh|inbound)", h)]
    assert hits == [], f"spell these with the constants of {owner}"


def test_the_cli_does_not_load_the_benchmarks() -> None:
    """Every worker process imports the CLI module; the benchmarks load only for ``bench``."""
    code = "import sys, pipeline.tools.cli; print(any(m.startswith('benchmarks') for m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "False"
