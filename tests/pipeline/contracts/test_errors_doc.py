"""docs/errors.md lists every stable error code as the catalogue defines it."""

from __future__ import annotations

from pathlib import Path

from pipeline.contracts.errors import catalogue_markdown

DOC = Path(__file__).resolve().parents[3] / "docs" / "errors.md"


def test_errors_doc_is_current() -> None:
    assert DOC.read_text(encoding="utf-8") == catalogue_markdown(), (
        "regenerate: python -m pipeline.contracts.errors --write docs/errors.md"
    )


def test_every_code_is_documented_once() -> None:
    from parsers.errors import CATALOGUE

    text = DOC.read_text(encoding="utf-8")
    for code in CATALOGUE:
        assert text.count(f"| {code} |") == 1, code
    assert "EDI001" in CATALOGUE and "EDI101" in CATALOGUE and "EDI083" in CATALOGUE
