"""``edi-mesh parse --tolerance``: the same real file rejected at strict, read at lenient."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson

from tests.parsers.test_corpus import TRULY_INVALID

X270 = "x12/imsweb-x12-parser/src/test/resources/x270_271/x270.txt"


def parse_cli(*args: str) -> subprocess.CompletedProcess[str]:
    code = "from pipeline.tools.cli import main; main()"
    return subprocess.run(
        [sys.executable, "-c", code, "parse", *args], capture_output=True, text=True, timeout=60
    )


def test_strict_rejects_lenient_reads_with_warnings(corpus: Path) -> None:
    path = str(corpus / X270)
    strict = parse_cli("--tolerance", "strict", path)
    assert strict.returncode == 1 and strict.stdout == ""
    assert {line.split()[1] for line in strict.stderr.splitlines()} >= TRULY_INVALID[X270][0]
    lenient = parse_cli("--tolerance", "lenient", path)
    assert lenient.returncode == 0, lenient.stderr
    docs = [orjson.loads(line) for line in lenient.stdout.splitlines()]
    assert len(docs) == 1 and docs[0]["type"] == "270"
    assert all("(tolerated" in line for line in lenient.stderr.splitlines())
    assert parse_cli("--tolerance", "lenient", "--reject", "EDI052", path).returncode == 1


def test_bad_codes_are_a_usage_error(corpus: Path) -> None:
    out = parse_cli("--accept", "EDI999", str(corpus / X270))
    assert out.returncode == 2 and "EDI999" in out.stderr and "Traceback" not in out.stderr
