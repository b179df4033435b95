"""``edi_mesh_core.render_body`` against the pure-Python reference: byte-identical JSON.

For the whole corpus (with each transaction's dictionary, or none) and for
hypothesis-generated segment texts (any delimiters; tag sequences drawn from a
shipped dictionary, so loop entry, qualifiers and key suffixes are exercised;
released pairs and lone release characters inserted anywhere, the tag included):
whenever the core does not decline, its ``segments`` bytes, per-segment
``ends``, tags and ``data`` bytes equal ``orjson.dumps`` of ``split_segment``
and ``build_data``. Skipped only on a machine without cargo; where cargo is, a
missing core (or a core without ``render_body``) fails.
"""

from __future__ import annotations

import importlib.util
import shutil
from functools import cache
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import parsers
from parsers.data import build_data
from parsers.dictionary import Dictionary, ElementSpec, LoopSpec, SegmentSpec, lookup
from parsers.keys_common import el
from parsers.model import Delimiters
from parsers.segments import _SENTINELS, split_segment
from tests.parsers.conftest import manifest
from tests.parsers.test_properties import delimiters

if shutil.which("cargo") is None:  # a machine that cannot build the core runs pure Python only
    pytest.skip("no cargo: the compiled core cannot be built here", allow_module_level=True)
# Where cargo is, the install builds the core: a missing core is a broken build, not a skip.
assert importlib.util.find_spec("edi_mesh_core") is not None, "edi_mesh_core is not installed"
import edi_mesh_core as core  # noqa: E402

assert hasattr(core, "render_body"), "edi_mesh_core has no render_body: rebuild the core"

SHIPPED = [("x12", "004010", "850"), ("x12", "005010X222A1", "837"), ("edifact", "D96A", "ORDERS")]


_CORE_DICTS: dict[int, tuple[Dictionary, core.CoreDictionary]] = {}


def _core_dict(d: Dictionary) -> core.CoreDictionary:
    """The core's copy of a dictionary (once per dictionary; they are not hashable)."""
    if id(d) not in _CORE_DICTS:
        _CORE_DICTS[id(d)] = (d, core.CoreDictionary(d))  # keeps d alive: its id stays its own
    return _CORE_DICTS[id(d)][1]


def _fragment(segments_json: bytes, ends: list[int], a: int, b: int) -> bytes:
    """Segments ``[a, b)`` as a JSON array, sliced out of the whole (as documented)."""
    start = ends[a - 1] + 1 if a else 1
    return b"[" + segments_json[start : ends[b - 1]] + b"]"


def check(texts: list[str], d: Delimiters, dictionary: Dictionary | None) -> bool:
    """Compare the core with Python on one transaction; False when the core declined."""
    cd = _core_dict(dictionary) if dictionary is not None else None
    got = core.render_body(texts, d.element, d.component, d.repetition, d.release, cd, True)
    if got is None:
        return False
    tags, segments_json, ends_raw, data_json = got
    segs = [split_segment(t, d) for t in texts]
    assert segments_json == orjson.dumps(segs)
    ends = list(memoryview(ends_raw).cast("I"))
    assert len(ends) == len(segs)
    for i, seg in enumerate(segs):
        assert _fragment(segments_json, ends, i, i + 1) == orjson.dumps([seg])
        start = ends[i - 1] + 1 if i else 1
        assert segments_json[start : ends[i]] == orjson.dumps(seg)
    if len(segs) > 2:
        assert _fragment(segments_json, ends, 1, len(segs) - 1) == orjson.dumps(segs[1:-1])
    assert tags == [s[0] for s in segs]
    assert data_json == orjson.dumps(build_data(dictionary, segs))
    # Without data: the same segments and no data bytes.
    plain = core.render_body(texts, d.element, d.component, d.repetition, d.release, cd, False)
    assert plain is not None and plain[1] == segments_json and plain[3] is None
    return True


def _may_decline(texts: list[str], d: Delimiters) -> bool:
    """The documented reasons to decline: a text with the release character and a stand-in
    (``_SENTINELS``), a lone surrogate, a non-ASCII date or time value."""
    return any(
        (d.release and d.release in t and any(c in _SENTINELS for c in t)) or not t.isascii()
        for t in texts
    )


def test_corpus_identical() -> None:
    taken = declined = released = 0
    for f in manifest():
        res = parsers.parse(f.read())
        for ic in res.interchanges:
            for g in ic.groups:
                for tx in g.transactions:
                    dictionary = lookup(str(ic.standard), tx.version, tx.type)
                    rel = ic.delimiters.release
                    has_release = bool(rel) and any(rel in t for t in tx.segments)
                    for dic in [None] if dictionary is None else [None, dictionary]:
                        if check(tx.segments, ic.delimiters, dic):
                            taken += 1
                            released += has_release
                        else:
                            declined += 1
    # 565 transactions, each without and (when one is shipped) with its dictionary: 1121
    # bodies, all on the Rust path. 7 of them (4 EDIFACT transactions) hold a release
    # character: declined before render_body handled released pairs (1114 / 1121 then).
    assert (taken, declined, released) == (1121, 0, 7)


def test_shipped_dictionaries_supported() -> None:
    for spec in SHIPPED:
        d = lookup(*spec)
        assert d is not None
        assert _core_dict(d).supported


def test_declines() -> None:
    d = Delimiters("*", ":", "~", "^", "?")
    assert core.render_body(["A*?*\x00"], "*", ":", "^", "?", None, True) is None  # a stand-in
    assert core.render_body(["A*?*\U000f00ff"], "*", ":", "^", "?", None, True) is None
    assert check(["A*?*", "B*\x00"], d, None)  # a stand-in without a release character
    assert core.render_body(["A*\ud800"], "*", ":", None, None, None, True) is None
    assert core.render_body(["A*B"], "*", "", None, None, None, True) is None
    assert core.render_body(["A*B"], "", ":", None, None, None, True) is None
    assert core.render_body(["A*B"], "**", ":", None, None, None, True) is None
    assert core.render_body(["A*B"], "*", "\udc80", None, None, None, True) is None
    assert core.render_body(["A*B"], "*", ":", "\udc80", None, None, True) is None
    assert check(["A*B", "C"], d, None)
    assert core.render_body([], "*", ":", None, None, None, True) == ([], b"[]", b"", b"{}")
    edifact = lookup("edifact", "D96A", "ORDERS")
    assert edifact is not None
    # A non-ASCII date value: Python's isdigit / int accept other digits, so decline.
    texts = [
        "UNH+1+ORDERS:D:96A:UN",
        "DTM+137:\u0662\u0660\u0662\u0664\u0660\u0661\u0660\u0661:102",
    ]
    assert core.render_body(texts, "+", ":", None, None, _core_dict(edifact), True) is None
    assert core.render_body(texts, "+", ":", None, None, _core_dict(edifact), False) is not None
    assert check([*texts[:1], "DTM+137:20240101:102", "DTM+137:202401011230:203"], d, edifact)


# Generated inputs: a small alphabet with delimiters, controls, quotes, non-ASCII, digits.
ALPHABET = "AZ019*:^+~'\"\\/?\x00\x01\x1f\x7f\t\n é€😀"
VALUES = ["", "1", "00", "20240229", "20230229", "240101", "1230", "2400", "123059", "1230599",
          "102", "203", "204", "ZZ", "ON", "BY", "ST", "\u0662\u0660"]  # fmt: skip


def _specs(loop: LoopSpec, out: dict[str, list[SegmentSpec]]) -> dict[str, list[SegmentSpec]]:
    """Every segment spec of a loop tree, by tag."""
    for c in loop.children:
        if isinstance(c, SegmentSpec):
            out.setdefault(c.tag, []).append(c)
        else:
            _specs(c, out)
    return out


@cache
def _pools(spec: tuple[str, str, str]) -> tuple[Dictionary, dict[str, list[SegmentSpec]]]:
    """A shipped dictionary with its segment specs by tag."""
    d = lookup(*spec)
    assert d is not None
    return d, _specs(d.root, {})


def _sample(codes: Any) -> list[str]:
    """A few codes of a code list (sorted, so draws shrink well)."""
    return sorted(codes)[:8] if codes else []


def _simple_value(es: ElementSpec | None) -> st.SearchStrategy[str]:
    """A value that suits an element spec: its codes, dates, times, or any text."""
    noise = st.sampled_from(VALUES) | st.text(ALPHABET, max_size=6)
    if es is None:
        return noise
    fit = _sample(es.codes) or _sample(es.descriptions)
    if es.render == 2:
        fit = ["20240229", "20230229", "240101", "991231", "00000101"]
    elif es.render == 3:
        fit = ["1230", "2400", "123059", "1230599", "12305"]
    return st.sampled_from(fit) | noise if fit else noise


@st.composite
def element_text(draw: Any, es: ElementSpec | None, d: Delimiters) -> str:
    """One element's text: simple, composite (per its components) or repeated."""
    if es is not None and es.components:
        if es.ref == "C507" and draw(st.booleans()):
            fmt = draw(st.sampled_from(["102", "101", "203", "204", "999"]))
            val = draw(
                st.sampled_from(["20240229", "240101", "202402291230", "20240229123059", "x"])
            )
            return d.component.join(["137", val, fmt])
        n = draw(st.integers(1, len(es.components) + 1))
        comps = [
            draw(_simple_value(es.components[i] if i < len(es.components) else None))
            for i in range(n)
        ]
        one = d.component.join(comps)
    else:
        parts = draw(st.lists(_simple_value(es), min_size=1, max_size=3))
        one = d.component.join(parts)
    if d.repetition and draw(st.integers(0, 5)) == 0:
        return d.repetition.join([one, draw(_simple_value(es))])
    return one


@st.composite
def spec_text(draw: Any, spec: SegmentSpec | None, tag: str, d: Delimiters) -> str:
    """A segment's text for a spec: elements suiting it, its qualifier mostly a right code."""
    elements = spec.elements if spec is not None else ()
    n = draw(st.integers(0, len(elements) + 2))
    texts = [draw(element_text(elements[i] if i < len(elements) else None, d)) for i in range(n)]
    if draw(st.integers(0, 3)) == 0 and texts:
        texts[draw(st.integers(0, len(texts) - 1))] = ""
    q = spec.qualifier if spec is not None else None
    if q is not None and draw(st.integers(0, 4)) > 0:
        pos, comp, codes = q
        texts += [""] * max(0, pos - len(texts))
        code = draw(st.sampled_from(_sample(codes)))
        texts[pos - 1] = d.component.join([code, "x"]) if comp else code
    return str(tag + "".join(d.element + e for e in texts))


@st.composite
def segment_text(draw: Any, specs: dict[str, list[SegmentSpec]], d: Delimiters) -> str:
    """A segment text: a dictionary tag (or noise) then elements suiting its spec."""
    if draw(st.integers(0, 9)) == 0:
        return str(draw(spec_text(None, draw(st.text(ALPHABET, max_size=4)), d)))
    tag = draw(st.sampled_from(sorted(specs)))
    return str(draw(spec_text(draw(st.sampled_from(specs[tag])), tag, d)))


@st.composite
def walk(draw: Any, loop: LoopSpec, d: Delimiters, depth: int = 0) -> list[str]:
    """Segment texts following a loop's structure: children in order, some skipped or repeated."""
    out: list[str] = []
    for i, c in enumerate(loop.children):
        times = 1 if i == 0 and depth else draw(st.sampled_from([0, 0, 1, 1, 2]))
        for _ in range(times):
            if isinstance(c, SegmentSpec):
                out.append(draw(spec_text(c, c.tag, d)))
            elif depth < 8 and len(out) < 60:
                out += draw(walk(c, d, depth + 1))
    return out


@st.composite
def released(draw: Any, texts: list[str], d: Delimiters) -> list[str]:
    """Texts with released pairs (a delimiter, the release character or any character
    escaped) and lone release characters inserted anywhere, the tag and the end included."""
    if not d.release or not texts or draw(st.integers(0, 2)) == 0:
        return texts
    out = list(texts)
    delims = "".join(c for c in (d.element, d.component, d.repetition, d.release) if c)
    for _ in range(draw(st.integers(1, 6))):
        i = draw(st.integers(0, len(out) - 1))
        at = draw(st.integers(0, len(out[i])))
        kind = draw(st.integers(0, 3))
        if kind == 0:  # a lone release character (escaping whatever follows, or trailing)
            ins = d.release
        elif kind == 1:  # an escaped delimiter or release character
            ins = d.release + draw(st.sampled_from(delims))
        else:  # any escaped character
            ins = d.release + draw(st.text(ALPHABET, min_size=1, max_size=1))
        out[i] = out[i][:at] + ins + out[i][at:]
    if draw(st.integers(0, 3)):  # mostly no stand-in (NUL) left, else the core declines
        out = [t.replace("\x00", "\x01") for t in out]
    return out


@st.composite
def transaction(draw: Any) -> tuple[list[str], Delimiters, Dictionary | None]:
    """Segment texts with a shipped dictionary (or none) and X12 / EDIFACT-like delimiters."""
    spec = draw(st.sampled_from(SHIPPED))
    d, specs = _pools(spec)
    delims = draw(
        st.sampled_from(
            [
                Delimiters("*", ":", "~", "^"),
                Delimiters("*", ":", "~", None),
                Delimiters("+", ":", "'", "*", "?"),
                Delimiters("+", ":", "'", None, "?"),
                Delimiters("*", ":", "~", "^", "?"),
                Delimiters("+", ":", "'", None, None),
                Delimiters("*", ">", "~", "^"),
            ]
        )
    )
    head: dict[str, list[SegmentSpec]] = {
        t: specs[t] for t in ("ST", "UNH", "BHT", "BEG", "BGM") if t in specs
    }
    texts = draw(st.lists(segment_text(head, delims), max_size=2))
    if draw(st.booleans()):
        texts += draw(walk(d.root, delims))
        for _ in range(draw(st.integers(0, 3))):  # noise: a segment anywhere
            at = draw(st.integers(0, len(texts)))
            texts.insert(at, draw(segment_text(specs, delims)))
    else:
        texts += draw(st.lists(segment_text(specs, delims), max_size=40))
    texts = draw(released(texts, delims))
    return texts, delims, draw(st.sampled_from([d, d, d, None]))


@settings(deadline=None, max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(transaction())
def test_generated_transactions_identical(
    tx: tuple[list[str], Delimiters, Dictionary | None],
) -> None:
    texts, d, dictionary = tx
    assert check(texts, d, dictionary) or _may_decline(texts, d)


@st.composite
def any_texts(draw: Any) -> tuple[list[str], Delimiters]:
    """Any delimiters, and texts of the alphabet plus those delimiters (release included)."""
    d = draw(delimiters(edifact=True))
    extra = "".join(c for c in (d.element, d.component, d.repetition, d.release) if c)
    texts = draw(st.lists(st.text(ALPHABET + "ABC:*?" + extra * 2, max_size=30), max_size=12))
    return draw(released(texts, d)), d


@settings(deadline=None, max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(any_texts())
def test_any_text_any_delimiters_identical(tx: tuple[list[str], Delimiters]) -> None:
    texts, d = tx
    assert check(texts, d, None) or _may_decline(texts, d)


def test_released_pairs() -> None:
    """Released pairs take the Rust path, byte-identical (texts as in body.rs's tests)."""
    e = Delimiters("+", ":", "'", "*", "?")
    texts = ["FTX+AAA+?+1?:2", "A+x?:y:z", "A+??", "A+x?", "?", "A?+B+c", "ISA+a:b", "IS?A+a:b",
             "ISA?+x:y", "A+a*b?*c:d", "A+?", "A+x?:", "A+?x?y", "A+é?😀:€", "A+???", "A+?\n",
             "?U?N?H+1", "UNH+1+ORDERS?:D:96A:UN", "DTM+137:2024?0101:102", "\ue009?+"]  # fmt: skip
    assert check(texts, e, None)
    for t in texts:
        assert check([t], e, None), t
    edifact = lookup("edifact", "D96A", "ORDERS")
    assert edifact is not None
    body = ["UNH+1+ORDERS:D:96A:UN", "BGM+220+P?+O 1?:2+9", "DTM+137:20240101:102",
            "FTX+AAA+++Text with ?' and ?? and ?+", "NAD+B?Y+1", "NAD+BY+?:1::9", "UNS+S",
            "UNT+8+1"]  # fmt: skip
    assert check(body, e, edifact)
    assert check(body, Delimiters("+", ":", "'", None, "?"), edifact)
    for rel in ["+", ":", "x", "A"]:  # the release character is also a delimiter, or a letter
        d = Delimiters("+", ":", "'", "*", rel)
        assert check([*body, "A+B++C", "A+", "A:B+:C", "AxB+x:c", "xx", "AA"], d, edifact), rel


@settings(deadline=None, max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.text(ALPHABET + "ABC:*?", min_size=1, max_size=30), min_size=1, max_size=8),
    delimiters(edifact=True),
    st.lists(st.integers(1, 6), min_size=1, max_size=4),
)
def test_element_values_are_el_of_the_split_segment(
    texts: list[str], d: Delimiters, indexes: list[int]
) -> None:
    """element_values (keys without splitting) == keys_common.el of split_segment, or declines."""
    texts = [t if k % 2 else "ISA" + d.element + t for k, t in enumerate(texts)]  # ISA: uncut
    positions = list(range(len(texts)))[::-1]
    got = core.element_values(
        texts, positions, indexes, d.element, d.component, d.repetition, d.release
    )
    if got is None:  # only for texts with the release character
        assert d.release is not None and any(d.release in t for t in texts)
        return
    want = [tuple(el(split_segment(texts[p], d), i) for i in indexes) for p in positions]
    assert got == want


def test_element_values_decline_what_python_reads() -> None:
    """Out-of-range positions, index 0 (the tag) and released text are left to Python."""
    args = ("*", ":", "^", None)
    assert core.element_values(["REF*0F*1"], [1], [1], *args) is None
    assert core.element_values(["REF*0F*1"], [0], [0], *args) is None
    assert core.element_values(["REF*0F?*1"], [0], [1], "*", ":", "^", "?") is None
    assert core.element_values(["REF*0F*1"], [0], [1, 2, 3], *args) == [("0F", "1", None)]
