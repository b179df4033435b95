"""Every good corpus file's document data validates against the schema of its type."""

from __future__ import annotations

from functools import cache
from typing import Any

import jsonschema
import pytest

import parsers
from parsers.data import data_for_transaction
from parsers.documents import build_documents
from parsers.schema import data_schema
from tests.parsers.conftest import CorpusFile, manifest

GOOD = [f for f in manifest() if not f.path.startswith("bad/")]


@cache
def _validator(standard: str, version: str, type: str) -> Any:
    """A checked validator of the type's data schema."""
    schema = data_schema(standard, version, type)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("f", GOOD, ids=lambda f: f.path.split("/", 1)[1])
def test_good_documents_validate_against_their_schema(f: CorpusFile) -> None:
    for ic in parsers.parse(f.read()).interchanges:
        for d in build_documents(
            ic, partner=None, source={}, only_accepted=False, max_segments=10**9
        ):
            if len(d["segments"]) > 3000:
                d["segments"] = d["segments"][:3000]  # big 837s and huge_file2: repeated shapes
            data, _, _ = data_for_transaction(d["standard"], d["version"], d["type"], d["segments"])
            errors = list(_validator(d["standard"], d["version"], d["type"]).iter_errors(data))
            assert errors == [], (f.path, errors[0].message, list(errors[0].absolute_path))


def test_the_schema_rejects_what_the_builder_never_makes() -> None:
    v = _validator("x12", "004010", "850")
    good = {"beginning_segment_for_purchase_order_BEG": {"purchase_order_number_03": "PO1"}}
    assert v.is_valid(good)
    assert not v.is_valid(
        {"beginning_segment_for_purchase_order_BEG": {"purchase_order_number_03": 5}}
    )
    assert not v.is_valid({"beginning_segment_for_purchase_order_BEG": {"po": "x"}})
    assert not v.is_valid({"name_N1_loop": {"name_N1": {}}})  # loops are arrays
    schema = data_schema("x12", "004010", "850")
    beg = schema["properties"]["beginning_segment_for_purchase_order_BEG"]["anyOf"][0]
    assert beg["properties"]["purchase_order_number_03"]["title"] == "Purchase Order Number"
    assert schema["x-edi-dictionary"] == {
        "name": "x12-004010",
        "requested": "004010",
        "exact": True,
    }
