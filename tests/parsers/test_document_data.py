"""Documents with ``data``: the named tree and its dictionary on each document, when asked.

Also: ``docs/schemas/`` is current, and every good corpus document of a common type,
rendered with data, validates against the document schema of its type and version.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import orjson
import pytest

import parsers
from parsers.data import segments_from_data
from parsers.documents import build_documents, render_documents
from parsers.schema import COMMON_TYPES, document_schema, schema_files
from tests.parsers.conftest import CorpusFile, manifest

SCHEMAS = Path(__file__).resolve().parents[2] / "docs" / "schemas"
COMMON = {t for _s, t in COMMON_TYPES}
GOOD = [f for f in manifest() if not f.path.startswith("bad/")]
DUAL = "x12/staedi/src/test/resources/x12/invoice810_po850_dual.edi"


@cache
def _validator(standard: str, version: str, type: str) -> Any:
    """A validator of the document schema with data of one type and version.

    Not meta-checked here (4 s for an 837): tests/parsers/test_schema.py checks every
    data schema, and :func:`test_the_wrapper_is_a_valid_schema` the document around it.
    """
    return jsonschema.Draft202012Validator(document_schema(standard, version, type))


def test_the_wrapper_is_a_valid_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(document_schema("x12", "004010", "997"))


def _corpus(path: str) -> bytes:
    return next(f for f in manifest() if f.path.endswith(path)).read()


def test_the_generated_schemas_are_current() -> None:
    expected = schema_files()
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in SCHEMAS.glob("*.schema.json")}
    assert sorted(on_disk) == sorted(expected), "python -m parsers.schema --write docs/schemas"
    for name, text in expected.items():
        assert on_disk[name] == text, (
            f"{name} is stale: python -m parsers.schema --write docs/schemas"
        )


def test_data_is_rendered_only_when_asked() -> None:
    ic = parsers.parse(_corpus(DUAL)).interchanges[0]
    plain = build_documents(ic, partner=None, source={})
    assert all("data" not in d and "dictionary" not in d for d in plain)
    rich = build_documents(ic, partner=None, source={}, with_data=True)
    po = next(d for d in rich if d["type"] == "850")
    beg = po["data"]["beginning_segment_for_purchase_order_BEG"]
    assert beg["purchase_order_number_03"] == po["keys"]["po_number"]
    assert po["dictionary"]["name"] == "x12-004010"
    for a, b in zip(plain, rich, strict=True):  # the compatible contract is untouched
        assert {k: v for k, v in b.items() if k not in ("data", "dictionary")} == a
        assert segments_from_data(b["data"]) == b["segments"]
    encoded = render_documents(ic, partner=None, source={}, with_data=True)
    assert [orjson.loads(x) for x in encoded] == rich


def test_a_size_fragment_names_its_dictionary_but_has_no_data() -> None:
    ic = parsers.parse(_corpus(DUAL)).interchanges[0]
    docs = build_documents(ic, partner=None, source={}, max_segments=5, with_data=True)
    frags = [d for d in docs if d["fragment"] is not None]
    assert frags and all(d["data"] is None and d["dictionary"] is not None for d in frags)


@pytest.mark.parametrize("f", GOOD, ids=lambda f: f.path.split("/", 1)[1])
def test_good_documents_with_data_validate(f: CorpusFile) -> None:
    for ic in parsers.parse(f.read()).interchanges:
        for d in build_documents(ic, partner=None, source={}, only_accepted=False, with_data=True):
            if d["type"] not in COMMON or len(d["segments"]) > 3000:
                continue  # other types: tests/parsers/test_schema.py checks their data
            v = _validator(d["standard"], d["version"], d["type"])
            errors = list(v.iter_errors(d))
            assert errors == [], (f.path, errors[0].message, list(errors[0].absolute_path))
