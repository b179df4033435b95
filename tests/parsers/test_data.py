"""The named ``data`` tree (parsers.data): named values of real files, exact round trips.

Round trip: for every transaction of every corpus file (good and bad), and for
hypothesis-generated segments, ``segments_from_data(build_data(...))`` gives
back exactly the documents' ``segments``.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import parsers
from parsers.data import build_data, data_for_transaction, segments_from_data
from parsers.dictionary import lookup
from parsers.documents import build_documents
from tests.parsers.conftest import CorpusFile, manifest

FILES = manifest()
BY_PATH = {f.path: f for f in FILES}


def _docs(f: CorpusFile) -> list[dict[str, Any]]:
    """Every whole-transaction document of a corpus file (rejected ones included)."""
    out = []
    for ic in parsers.parse(f.read()).interchanges:
        out += build_documents(ic, partner=None, source={}, only_accepted=False, max_segments=10**9)
    return out


def _data(path: str, type: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The data tree and dictionary descriptor of the first ``type`` transaction of a file."""
    d = next(d for d in _docs(BY_PATH[path]) if d["type"] == type)
    data, desc, _ = data_for_transaction(d["standard"], d["version"], d["type"], d["segments"])
    return data, desc


def _values(node: Any, key: str) -> list[Any]:
    """Every value under ``key`` anywhere in a tree, in order."""
    out: list[Any] = []
    if isinstance(node, dict):
        for k, v in node.items():
            if k == key:
                out.append(v)
            out += _values(v, key)
    elif isinstance(node, list):
        for v in node:
            out += _values(v, key)
    return out


@pytest.mark.parametrize("f", FILES, ids=lambda f: f.path.split("/", 1)[1])
def test_data_round_trips_to_the_segments(f: CorpusFile) -> None:
    for d in _docs(f):
        data, _, _ = data_for_transaction(d["standard"], d["version"], d["type"], d["segments"])
        assert segments_from_data(data) == d["segments"], (f.path, d["control"])
        assert segments_from_data(build_data(None, d["segments"])) == d["segments"]


def test_an_850_names_its_po_number_and_parties() -> None:
    data, desc = _data("x12/staedi/src/test/resources/x12/invoice810_po850_dual.edi", "850")
    assert desc == {"name": "x12-004010", "requested": "003010", "exact": False}
    beg = data["beginning_segment_for_purchase_order_BEG"]
    assert beg["purchase_order_number_03"] == "S115921858"
    assert beg["transaction_set_purpose_code_01"] == {"code": "00", "description": "Original"}
    assert beg["date_05"] == {"value": "040317", "iso": "2004-03-17"}
    parties = [n["name_N1"]["entity_identifier_code_01"]["code"] for n in data["name_N1_loop"]]
    assert parties == ["BY", "ST"]
    assert (
        data["baseline_item_data_PO1_loop"][0]["baseline_item_data_PO1"]["quantity_ordered_02"]
        == "150"
    )


def test_an_837_names_its_claim_ids_in_loop_2300() -> None:
    data, desc = _data("x12/pyx12/test/files/simple_837p.txt", "837")
    assert desc is not None and desc["name"] == "hipaa-004010X098A1" and desc["exact"]
    claims = _values(data, "claim_information_2300_loop")
    assert claims, "no 2300 loop"
    ids = [c["claim_information_CLM"]["patient_account_number_01"] for loop in claims for c in loop]
    assert ids and all(isinstance(i, str) and i for i in ids)


def test_a_5010_837_reads_with_its_exact_guide() -> None:
    data, desc = _data("x12/staedi/src/test/resources/x12/sample837-original.edi", "837")
    assert desc == {"name": "hipaa-005010X222A1", "requested": "005010X222", "exact": False}
    assert (
        data["submitter_name_1000A_loop"][0]["submitter_name_NM1"]["submitter_identifier_09"]
        == "496103"
    )
    assert _values(data, "billing_provider_hierarchical_level_2000A_loop")


def test_an_orders_names_its_document_number() -> None:
    data, desc = _data("edifact/staedi/src/test/resources/EDIFACT/orders-with-group.edi", "ORDERS")
    assert desc == {"name": "edifact-d21a", "requested": "D96B", "exact": False}
    bgm = data["beginning_of_message_BGM"]
    assert bgm["document_or_message_identification_02"]["document_identifier_01"] == "C1441747"
    assert bgm["document_or_message_name_01"]["document_name_code_01"] == {
        "code": "220",
        "description": "Order",
    }
    dtm = data["date_or_time_or_period_DTM"][0]["date_or_time_or_period_01"]
    assert dtm["date_or_time_or_period_text_02"] == {
        "value": "200105022200",
        "iso": "2001-05-02T22:00",
    }
    assert (
        data["name_and_address_SG2_loop"][0]["name_and_address_NAD"][
            "party_function_code_qualifier_01"
        ]["code"]
        == "BY"
    )


def test_unknown_types_and_segments_use_tags_and_positions() -> None:
    segs: list[Any] = [["ST", "999X", "1"], ["ZZ1", "a", "", "b:c"], ["SE", "3", "1"]]
    data, desc, errors = data_for_transaction("x12", "004010", "999X", segs)
    assert desc is None and errors == []
    assert data["ZZ1"] == [{"element_01": "a", "element_03": "b:c"}]
    assert segments_from_data(data) == segs
    d = lookup("x12", "004010", "850")
    data = build_data(
        d, [["ST", "850", "1"], ["ZZ1", "x"], ["BEG", "00"], ["ZZ1", "y"], ["SE", "5", "1"]]
    )
    assert list(data) == [
        "transaction_set_header_ST",
        "ZZ1",
        "beginning_segment_for_purchase_order_BEG",
        "ZZ1_2",
        "transaction_set_trailer_SE",
    ]


def test_trailing_empties_and_composites_are_kept() -> None:
    d = lookup("x12", "004010", "850")
    segs: list[Any] = [
        ["ST", "850", "1"],
        ["PO1", "1", "5", "EA", "", "", "IN", "X", "", ""],
        ["SE", "3", "1"],
    ]
    segs.insert(2, ["PO4", ["1", "", ""], "2"])
    data = build_data(d, segs)
    po1 = data["baseline_item_data_PO1_loop"][0]["baseline_item_data_PO1"]
    assert po1["_elements"] == 9
    assert segments_from_data(data) == segs


_TAGS = ["ST", "BEG", "N1", "N3", "N4", "REF", "PO1", "PID", "CTT", "SE", "ZZZ", "DTM", "HL"]
_text = st.text(alphabet="AB1 -.", max_size=4)
_component_list = st.lists(_text, min_size=2, max_size=4)
_element = st.one_of(
    _text,
    _component_list,
    st.lists(
        st.one_of(st.lists(_text, min_size=1, max_size=1), _component_list), min_size=2, max_size=3
    ),
)
_segment = st.tuples(st.sampled_from(_TAGS), st.lists(_element, max_size=8)).map(
    lambda t: [t[0], *t[1]]
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(_segment, max_size=25), st.sampled_from(["850", "856", "810", "837", "ORDERS", "none"])
)
def test_round_trip_on_generated_segments(segments: list[Any], type: str) -> None:
    standard = "edifact" if type == "ORDERS" else "x12"
    version = "D96A" if type == "ORDERS" else "005010X222A1" if type == "837" else "004010"
    data, _, _ = data_for_transaction(standard, version, type, segments)
    assert segments_from_data(data) == segments
