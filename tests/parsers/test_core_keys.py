"""The core's keys and HL tree (``component_values``, ``hl_tree``, ``keys_json``) against Python.

Hypothesis-generated segment texts (any delimiters; released pairs and lone release
characters anywhere) and the whole corpus: whenever the core does not decline, its values
equal ``keys_common.comp`` of ``split_segment``, and its JSON bytes equal ``orjson.dumps``
of ``build_hl_tree`` / ``extract_keys`` over the split segments. Skipped only on a machine
without cargo (as tests/parsers/test_core_body.py).
"""

from __future__ import annotations

import importlib.util
import shutil
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import parsers
from parsers.core_documents import LazySegments
from parsers.keys import (
    CPS_LEVELS,
    HL_LEVELS,
    MAX_TREE_DEPTH,
    build_hl_tree,
    encoded_hl_tree,
    encoded_keys,
    extract_keys,
)
from parsers.keys_common import TRAILERS, comp
from parsers.keys_edifact import EDIFACT_EXTRACTORS
from parsers.keys_x12 import X12_EXTRACTORS
from parsers.model import Delimiters
from parsers.segments import _SENTINELS, split_segment
from tests.parsers.conftest import CORPUS, manifest
from tests.parsers.test_properties import delimiters

if shutil.which("cargo") is None:
    pytest.skip("no cargo: the compiled core cannot be built here", allow_module_level=True)
assert importlib.util.find_spec("edi_mesh_core") is not None, "edi_mesh_core is not installed"
import edi_mesh_core as core  # noqa: E402

assert hasattr(core, "keys_json"), "edi_mesh_core has no keys_json: rebuild the core"

VALUES = "AZ019 é€😀\x00"
_SETTINGS = settings(deadline=None, max_examples=200, suppress_health_check=[HealthCheck.too_slow])


def _args(d: Delimiters) -> tuple[str, str, str | None, str | None]:
    """The delimiter arguments of the core's functions."""
    return d.element, d.component, d.repetition, d.release


@st.composite
def segment_texts(draw: Any, d: Delimiters, tags: list[str]) -> list[str]:
    """Segment texts with tags drawn from ``tags``, values holding any delimiter or release."""
    alphabet = VALUES + "".join(c for c in (d.component, d.repetition, d.release) if c)
    out = []
    for _ in range(draw(st.integers(1, 12))):
        tag = draw(st.sampled_from(tags))
        els = draw(st.lists(st.text(alphabet, max_size=6), max_size=7))
        if els and draw(st.booleans()):  # a qualifier the extractors look for
            els[0] = draw(st.sampled_from(["41", "40", "85", "IL", "EJ", "1K", "0F", "PR", "PE",
                                           "P5", "IN", "PO", "BY", "SU", "SE", "DP", "ON",
                                           "137", "2", "3", "11", "77", "86", "39", "128", "PT"]))  # fmt: skip
        out.append(d.element.join([tag, *els]))
    return out


def _split(texts: list[str], d: Delimiters) -> list[Any]:
    """Python's split segments of ``texts``."""
    return [split_segment(t, d) for t in texts]


def _released_sentinel(texts: list[str], d: Delimiters) -> bool:
    """A text with the release character and a stand-in (the documented decline)."""
    return d.release is not None and any(
        d.release in t and any(c in _SENTINELS for c in t) for t in texts
    )


@_SETTINGS
@given(st.data(), delimiters(edifact=True), st.lists(st.integers(1, 6), min_size=1, max_size=4))
def test_component_values_are_comp_of_the_split_segment(
    data: st.DataObject, d: Delimiters, idx: list[int]
) -> None:
    """component_values == keys_common.comp of split_segment, or declines a released stand-in."""
    texts = data.draw(segment_texts(d, ["DTM", "NAD", "ISA", "A"]))
    specs = [(i, data.draw(st.integers(1, 4))) for i in idx]
    positions = list(range(len(texts)))[::-1]
    got = core.component_values(texts, positions, specs, *_args(d))
    if got is None:
        assert _released_sentinel(texts, d)
        return
    segs = _split(texts, d)
    assert got == [tuple(comp(segs[p], i, j) for i, j in specs) for p in positions]


def test_component_values_decline_what_python_reads() -> None:
    """Out-of-range positions and index 0 are left to Python; released text is read."""
    args = ("+", ":", "*", "?")
    assert core.component_values(["RFF+ON"], [1], [(1, 1)], *args) is None
    assert core.component_values(["RFF+ON"], [0], [(0, 1)], *args) is None
    assert core.component_values(["RFF+ON"], [0], [(1, 0)], *args) is None
    assert core.component_values(["RFF+ON:A?:B"], [0], [(1, 2)], *args) == [("A:B",)]


@st.composite
def hl_texts(draw: Any, d: Delimiters, tag: str) -> list[str]:
    """A header, HL / CPS segments with small ids and parents (cycles, gaps), a trailer."""
    out = ["ST" + d.element + "1"]
    for _ in range(draw(st.integers(0, 12))):
        ids = st.sampled_from(["", "1", "2", "3", "4", "5"])
        codes = st.sampled_from(["", "20", "22", "S", "I", "3", "XX"])
        hl = [tag, draw(ids), draw(ids), draw(codes), draw(st.sampled_from(["", "0", "1"]))]
        out.append(d.element.join(hl))
        out.extend(draw(st.lists(st.sampled_from(["N1", "LIN"]), max_size=2)))
    if draw(st.booleans()):
        out.append(draw(st.sampled_from(sorted(TRAILERS))) + d.element + "1")
    return out


@_SETTINGS
@given(st.data(), delimiters(edifact=True), st.sampled_from(["x12", "edifact"]))
def test_hl_tree_is_build_hl_tree(data: st.DataObject, d: Delimiters, standard: str) -> None:
    """hl_tree's bytes == orjson.dumps(build_hl_tree(...)), through encoded_hl_tree too."""
    tag = "HL" if standard == "x12" else "CPS"
    texts = data.draw(hl_texts(d, tag))
    if data.draw(st.booleans()):  # release characters and values with delimiters
        texts = [*texts, *data.draw(segment_texts(d, [tag]))]
    segs = _split(texts, d)
    want = orjson.dumps(build_hl_tree(standard, segs))
    assert orjson.dumps(encoded_hl_tree(standard, LazySegments(texts, d))) == want
    starts = [i for i, s in enumerate(segs) if s[0] == tag]
    if not starts:
        return
    n = len(segs)
    end = n - 1 if segs[-1][0] in TRAILERS else n
    levels = HL_LEVELS if standard == "x12" else CPS_LEVELS
    got = core.hl_tree(texts, starts, end, levels, MAX_TREE_DEPTH, *_args(d))
    if got is None:
        assert _released_sentinel(texts, d)
    else:
        assert got == want


def test_hl_tree_detaches_deep_chains_as_python() -> None:
    """A chain deeper than MAX_TREE_DEPTH: the same orphans and bytes as Python."""
    d = Delimiters("*", ":", "~", "^")
    texts = ["ST*856*1", *(f"HL*{i}*{i - 1 if i else ''}*I" for i in range(80)), "SE*82*1"]
    got = core.hl_tree(texts, list(range(1, 81)), 81, HL_LEVELS, MAX_TREE_DEPTH, *_args(d))
    tree = build_hl_tree("x12", _split(texts, d))
    assert tree is not None and tree["orphans"]
    assert got == orjson.dumps(tree)


_X12_TAGS = ["BEG", "PO1", "CTT", "BIG", "TDS", "IT1", "BSN", "PRF", "BHT", "NM1", "HL", "CLM",
             "BPR", "TRN", "N1", "CLP", "RMR", "BGN", "INS", "REF", "AK1", "AK2", "AK5", "IK5",
             "AK9", "BIA", "LIN", "W05", "W06", "B2A", "B2", "B10", "AT7", "B3", "N9", "B1",
             "TA1", "BCH", "BAK", "BCA", "STC"]  # fmt: skip
_EDIFACT_TAGS = ["BGM", "DTM", "NAD", "RFF", "LIN", "CUX", "MOA", "UCI", "UCM", "ERC", "FTX"]


_KINDS = [("x12", t) for t in X12_EXTRACTORS] + [("edifact", t) for t in EDIFACT_EXTRACTORS]
_KINDS += [("x12", "123"), ("edifact", "IFTSTA")]  # the fallback keys (beginning / BGM)


@_SETTINGS
@given(st.data(), delimiters(edifact=True), st.sampled_from(_KINDS))
def test_keys_json_is_extract_keys(
    data: st.DataObject, d: Delimiters, kind: tuple[str, str]
) -> None:
    """keys_json's bytes == orjson.dumps(extract_keys(...)) of the split segments, or declines."""
    standard, type_ = kind
    tags = _X12_TAGS if standard == "x12" else _EDIFACT_TAGS
    head = "ST" if standard == "x12" else "UNH"
    texts = [head + d.element + "1", *data.draw(segment_texts(d, tags)), "SE" + d.element + "1"]
    want = orjson.dumps(extract_keys(standard, type_, _split(texts, d)))
    got = core.keys_json(texts, standard == "x12", type_, *_args(d))
    assert orjson.dumps(encoded_keys(standard, type_, LazySegments(texts, d))) == want
    if got is not None:
        assert got == want
        return
    allowed = (  # the tags drawn hold no release character: only these decline
        type_ in ("277", "123")
        or (standard == "edifact" and "BGM" not in [s[0] for s in _split(texts, d)])
        or _released_sentinel(texts, d)
    )
    assert allowed, (type_, texts)


def test_keys_and_tree_of_the_corpus() -> None:
    """Every corpus transaction: the core's keys and tree, where given, are Python's bytes."""
    written = 0
    for f in manifest():
        res = parsers.parse((CORPUS / f.path).read_bytes())
        for ic in res.interchanges:
            std = str(ic.standard)
            for g in ic.groups:
                for tx in g.transactions:
                    segs = _split(tx.segments, ic.delimiters)
                    lazy = LazySegments(tx.segments, ic.delimiters)
                    keys = orjson.dumps(extract_keys(std, tx.type, segs))
                    assert orjson.dumps(encoded_keys(std, tx.type, lazy)) == keys
                    tree = orjson.dumps(build_hl_tree(std, segs))
                    assert orjson.dumps(encoded_hl_tree(std, lazy)) == tree
                    written += lazy.keys_json(std == "x12", tx.type) is not None
    assert written > 100  # the core wrote most of them
