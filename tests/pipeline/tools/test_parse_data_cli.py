"""``edi-mesh parse`` with data and ``--validation``; ``edi-mesh schema TYPE``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson

from parsers.schema import document_schema, render_schema

SIMPLE810 = "x12/staedi/src/test/resources/x12/simple810.edi"


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    code = "from pipeline.tools.cli import main; main()"
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120
    )


def test_parse_renders_data_unless_told_not_to(corpus: Path) -> None:
    path = str(corpus / SIMPLE810)
    docs = [orjson.loads(line) for line in cli("parse", path).stdout.splitlines()]
    big = docs[0]["data"]["beginning_segment_for_invoice_BIG"]
    assert big["invoice_number_02"] == docs[0]["keys"]["invoice_number"]
    plain = [orjson.loads(line) for line in cli("parse", "--no-data", path).stdout.splitlines()]
    assert plain and all("data" not in d for d in plain)


def test_validation_standard_rejects_a_content_fault(corpus: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad810.edi"
    bad.write_bytes((corpus / SIMPLE810).read_bytes().replace(b"FOB*PP~", b"FOB*Q9~"))
    assert cli("parse", str(bad)).returncode == 0  # envelope: the default
    out = cli("parse", "--validation", "standard", str(bad))
    assert out.returncode == 1 and out.stdout == ""
    assert "EDI099 at segment 15 (FOB) element 1" in out.stderr
    acks = cli("parse", "--validation", "standard", "--acks", str(bad))
    assert "AK3*FOB*13**8~AK4*1**7*Q9~AK5*R*5~" in acks.stdout
    lenient = cli("parse", "--validation", "standard", "--accept", "EDI099", str(bad))
    assert lenient.returncode == 0 and "(tolerated" in lenient.stderr


def test_schema_prints_the_document_schema_of_a_type() -> None:
    out = cli("schema", "850")
    assert out.returncode == 0
    assert out.stdout == render_schema(document_schema("x12", "004010", "850"))
    orders = orjson.loads(cli("schema", "ORDERS", "--version", "D96A").stdout)
    assert orders["properties"]["type"] == {"const": "ORDERS"}
    assert orders["properties"]["data"]["oneOf"][1]["x-edi-dictionary"]["exact"] is False


def test_validation_hipaa_reads_the_file_whole_and_acks_the_guide_finding(corpus: Path) -> None:
    path = str(corpus / "bad/pyx12/test/files/per_repeat.txt")
    assert cli("parse", "--no-data", path).returncode == 0  # envelope: fine
    out = cli("parse", "--validation", "hipaa", "--no-data", path)
    assert out.returncode == 1 and "EDI085 at segment 9 (PER)" in out.stderr
    acks = cli("parse", "--validation", "hipaa", "--acks", path)
    assert "AK3*PER*7**5~AK5*R*5~" in acks.stdout
