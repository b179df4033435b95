"""Corpus access for the document-building tests: files, manifest and parsed interchanges."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import parsers
from parsers.model import Interchange

CORPUS = Path("/work/shared/corpus")


@dataclass(frozen=True)
class Entry:
    """One MANIFEST.tsv row."""

    path: Path
    standard: str
    sets: str
    valid: str
    notes: str


def manifest() -> list[Entry]:
    """Every corpus file with its manifest row."""
    with (CORPUS / "MANIFEST.tsv").open(newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    return [
        Entry(
            CORPUS / r["local_path"], r["standard"], r["transaction_sets"], r["valid"], r["notes"]
        )
        for r in rows
    ]


def valid_files() -> list[Path]:
    """The corpus files under x12/ and edifact/ (those the sources expect to parse)."""
    return [e.path for e in manifest() if e.path.relative_to(CORPUS).parts[0] in ("x12", "edifact")]


def interchanges(path: Path | str, data: bytes | None = None) -> list[Interchange]:
    """The interchanges ``parsers.parse`` reads from a corpus file (or from ``data`` given for it)."""
    raw = (CORPUS / path).read_bytes() if data is None else data
    return list(parsers.parse(raw).interchanges)
