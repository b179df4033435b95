"""Outbound requests rendered to interchanges: our parser and pyx12 read them back; bad ones are coded errors."""

from __future__ import annotations

import datetime as dt
import re
import string
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

import parsers
from parsers.errors import CATALOGUE
from parsers.functional import FUNCTIONAL_IDS
from parsers.hipaa import validate_hipaa
from parsers.model import Interchange, ParseResult, Segment, Standard
from parsers.outbound import (
    Controls,
    Envelope,
    OutboundRequest,
    Rendered,
    RequestError,
    check,
    decode_request,
    parse_request,
    render,
    render_batch,
)
from parsers.outbound_envelope import CODES, resolve
from parsers.outbound_rules import Structure
from pipeline.contracts.schemas import load, validator

NOW = dt.datetime(2024, 3, 5, 14, 30, tzinfo=dt.UTC)
US = Envelope("OURCO", "ACMEBUYER", "ZZ", "01", application_sender="OURAPP")

BODY_855: list[Segment] = [
    ["BAK", "00", "AC", "PO-4711", "20240304"],
    ["REF", "VN", "SO-99"],
    ["N1", "ST", "ACME DC 7", "92", "0007"],
    ["PO1", "1", "12", "EA", "4.25", "", "BP", "WIDGET-1", "VP", "W1"],
    ["ACK", "IA", "12", "EA", "068", "20240310"],
    ["PO1", "2", "3", "CA", "19.99", "", "BP", "GADGET-2"],
    ["ACK", "IR", "3", "CA"],
    ["CTT", "2"],
]
BODY_810: list[Segment] = [
    ["BIG", "20240305", "INV-1001", "20240304", "PO-4711"],
    ["N1", "BT", "ACME BUYER"],
    ["IT1", "1", "12", "EA", "4.25", "", "BP", "WIDGET-1"],
    ["TDS", "5100"],
    ["CTT", "1"],
]
BODY_997: list[Segment] = [
    ["AK1", "HC", "1"],  # pyx12's 997 map is HIPAA's: AK101 a health-care group
    ["AK2", "837", "0001"],
    ["AK5", "A"],
    ["AK9", "A", "1", "1", "1"],
]
BODY_ORDRSP: list[Segment] = [
    ["BGM", "231", "RSP 1+2", "29"],
    ["DTM", ["137", "20240305", "102"]],
    ["RFF", ["ON", "PO'4711"]],
    ["NAD", "BY", ["5412345000013", "", "9"]],
    ["LIN", "1", "", ["4000862141404", "SRS"]],
    ["QTY", ["21", "12", "PCE"]],
]


def request(type: str, body: list[Segment], **fields: Any) -> OutboundRequest:
    """A request decoded the way the worker will: from JSON bytes."""
    std = "edifact" if type.isalpha() else "x12"
    obj = {"partner": "acme", "standard": std, "type": type, "segments": body, **fields}
    out = decode_request(orjson.dumps(obj))
    assert isinstance(out, OutboundRequest), out
    return out


def rendered(out: Rendered | list[RequestError]) -> Rendered:
    """The interchange, failing the test with the errors when there are some."""
    assert isinstance(out, Rendered), [e.to_dict() for e in out]
    return out


def parsed(data: bytes) -> tuple[ParseResult, Interchange]:
    """Our parser's reading of ``data``: valid, exactly one interchange."""
    res = parsers.parse(data)
    assert res.valid, [e.line("out") for e in res.all_errors()]
    assert len(res.interchanges) == 1
    return res, res.interchanges[0]


def bodies(ic: Interchange) -> list[list[Segment]]:
    """Each transaction's body segments (header and trailer dropped), split."""
    return [
        [parsers.split_segment(s, ic.delimiters) for s in t.segments[1:-1]] for t in ic.transactions
    ]


def texts(data: bytes, terminator: str = "~") -> list[str]:
    """The segment texts of an X12 interchange."""
    return [s for s in data.decode().split(terminator) if s]


# -- rendering X12 -----------------------------------------------------------------------


def test_855_renders_and_parses_with_counts_controls_and_addressing() -> None:
    out = rendered(
        render(request("855", BODY_855, reply_to="doc-1"), US, Controls(41, 7, 3), now=NOW)
    )
    res, ic = parsed(out.data)
    assert (ic.sender.qualifier, ic.sender.id.strip()) == ("ZZ", "OURCO")
    assert (ic.receiver.qualifier, ic.receiver.id.strip()) == ("01", "ACMEBUYER")
    assert ic.control == "000000041" == out.interchange_control
    assert (ic.version, ic.test, ic.ack_requested) == ("00401", False, False)
    g = ic.groups[0]
    assert (g.functional_id, g.control, g.sender, g.receiver, g.version) == (
        "PR", "7", "OURAPP", "ACMEBUYER", "004010",
    )  # fmt: skip
    t = res.transactions[0]
    assert (t.type, t.control) == ("855", "0003")
    assert bodies(ic) == [BODY_855]
    segs = texts(out.data)
    assert f"SE*{len(BODY_855) + 2}*0003" in segs and "GE*1*7" in segs
    assert segs[-1] == "IEA*1*000000041"
    assert (out.group_control, out.functional_id, out.transaction_controls) == (
        "7",
        "PR",
        ("0003",),
    )
    assert out.reply_to == ("doc-1",) and out.receiver.id == "ACMEBUYER"


def test_810_renders_with_5010_envelope_test_flag_and_ta1_request() -> None:
    env = Envelope("OURCO", "ACMEBUYER", version="005010", test=False, ta1_requested=True)
    out = rendered(render(request("810", BODY_810, test=True), env, Controls(9, 9, 9), now=NOW))
    _, ic = parsed(out.data)
    assert (ic.version, ic.test, ic.ack_requested) == ("00501", True, True)
    assert ic.delimiters.repetition == "^"
    assert ic.groups[0].functional_id == "IN" and ic.groups[0].version == "005010"
    assert bodies(ic) == [BODY_810]
    assert out.data.startswith(b"ISA*00*          *00*          *ZZ*OURCO          *ZZ*ACMEBUYER")


def test_x12_repetitions_need_00402() -> None:
    body: list[Segment] = [*BODY_855[:1], ["REF", "ZZ", "A", [["X", "1"], ["Y", "2"]]]]
    env5010 = Envelope("OURCO", "ACMEBUYER", version="005010")
    out = rendered(render(request("855", body), env5010, Controls(1), now=NOW))
    _, ic = parsed(out.data)
    assert bodies(ic) == [body]
    errors = render(request("855", body), US, Controls(1))
    assert isinstance(errors, list) and [(e.code, e.pointer) for e in errors] == [
        ("EDI309", "/segments/1/3")
    ]


def test_997_is_read_by_pyx12() -> None:
    out = rendered(render(request("997", BODY_997), US, Controls(5, 5, 1), now=NOW))
    parsed(out.data)
    result = validate_hipaa(out.data)
    assert result.validated and result.ok, [e.line("997") for e in result.errors]
    assert result.guides == ("004010",)


def test_855_is_not_known_to_pyx12_and_says_so() -> None:
    """pyx12 has no 855 map: the validator reports EDI080 (not performed), never an error."""
    out = rendered(render(request("855", BODY_855), US, Controls(5), now=NOW))
    result = validate_hipaa(out.data)
    assert not result.validated and [e.code for e in result.errors] == ["EDI080"]


def test_batch_of_three_in_one_group() -> None:
    reqs = [request("855", BODY_855, idempotency_key=f"k{i}", reply_to=f"d{i}") for i in range(3)]
    out = rendered(render_batch(reqs, US, Controls(100, 20, 5), now=NOW))
    res, ic = parsed(out.data)
    assert len(ic.groups) == 1 and [t.control for t in res.transactions] == ["0005", "0006", "0007"]
    segs = texts(out.data)
    assert [s for s in segs if s.startswith("SE*")] == [
        f"SE*{len(BODY_855) + 2}*000{n}" for n in (5, 6, 7)
    ]
    assert "GE*3*20" in segs and segs[-1] == "IEA*1*000000100"
    assert out.idempotency_keys == ("k0", "k1", "k2") and out.reply_to == ("d0", "d1", "d2")
    assert bodies(ic) == [BODY_855] * 3


def test_batch_refuses_mixed_types_with_the_index() -> None:
    reqs = [request("855", BODY_855), request("810", BODY_810)]
    errors = render_batch(reqs, US, Controls(1))
    assert isinstance(errors, list)
    assert [(e.code, e.pointer, e.index) for e in errors] == [("EDI310", "/type", 1)]


# -- rendering EDIFACT -------------------------------------------------------------------


def test_ordrsp_with_custom_una_and_unb_round_trips() -> None:
    env = Envelope(
        "5412345000013", "5498765000019", "14", "ZZZ",
        element_separator="|", component_separator="^", segment_terminator="!",
        release_character="\\", decimal_mark=",", syntax="UNOC", syntax_version="4",
        contrl_requested=True, test=True, application_reference="ORDRSP", line_break="\n",
        version="D:01B:UN:EAN010",
    )  # fmt: skip
    out = rendered(render(request("ORDRSP", BODY_ORDRSP), env, Controls(77, 1, 12), now=NOW))
    assert out.data.startswith(b"UNA^|,\\*!\nUNB|UNOC^4|5412345000013^14|5498765000019^ZZZ|")
    res, ic = parsed(out.data)
    d = ic.delimiters
    assert (d.element, d.component, d.segment, d.release, d.decimal, d.repetition) == (
        "|", "^", "!", "\\", ",", "*",
    )  # fmt: skip
    assert (ic.syntax, ic.version, ic.control, ic.test, ic.ack_requested) == (
        "UNOC", "4", "77", True, True,
    )  # fmt: skip
    assert (ic.sender.id, ic.sender.qualifier, ic.receiver.qualifier) == (
        "5412345000013", "14", "ZZZ",
    )  # fmt: skip
    t = res.transactions[0]
    assert (t.type, t.control, t.version) == ("ORDRSP", "12", "D01B")
    assert bodies(ic) == [BODY_ORDRSP]
    assert out.group_control is None and out.transaction_controls == ("12",)


def test_edifact_delimiters_in_values_are_released_by_default() -> None:
    out = rendered(render(request("ORDRSP", BODY_ORDRSP), Envelope("US", "THEM"), Controls(3)))
    assert b"RSP 1?+2" in out.data and b"PO?'4711" in out.data
    _, ic = parsed(out.data)
    assert bodies(ic) == [BODY_ORDRSP]


def test_edifact_batch_counts_messages() -> None:
    reqs = [request("ORDRSP", BODY_ORDRSP) for _ in range(3)]
    out = rendered(render_batch(reqs, Envelope("US", "THEM"), Controls(8, 1, 1), now=NOW))
    res, _ = parsed(out.data)
    assert [t.control for t in res.transactions] == ["1", "2", "3"]
    assert out.data.endswith(b"UNZ+3+8'")


# -- bad requests: coded errors, no bytes -------------------------------------------------

BAD: dict[str, tuple[object, str, str]] = {
    "not an object": ([1, 2], "EDI301", ""),
    "not JSON": (b"{partner:", "EDI301", ""),
    "missing partner": (
        {"standard": "x12", "type": "855", "segments": BODY_855},
        "EDI302",
        "/partner",
    ),
    "unknown standard": (
        {"partner": "a", "standard": "tradacoms", "type": "855", "segments": BODY_855},
        "EDI304",
        "/standard",
    ),
    "unknown type": (
        {"partner": "a", "standard": "x12", "type": "8555", "segments": BODY_855},
        "EDI304",
        "/type",
    ),
    "missing mandatory segment": (
        {"partner": "a", "standard": "x12", "type": "855", "segments": BODY_855[1:]},
        "EDI306",
        "/segments",
    ),
    "element too long": (
        {
            "partner": "a",
            "standard": "x12",
            "type": "855",
            "segments": [["BAK", "00", "AC", "P" * 23, "20240304"]],
        },
        "EDI307",
        "/segments/0/3",
    ),
    "value with the element separator": (
        {
            "partner": "a",
            "standard": "x12",
            "type": "855",
            "segments": [BODY_855[0], ["N1", "ST", "ACME*DC"]],
        },
        "EDI308",
        "/segments/1/2",
    ),
    "value with the component separator": (
        {
            "partner": "a",
            "standard": "x12",
            "type": "855",
            "segments": [BODY_855[0], ["N1", "ST", ["ACME", "DC:7"]]],
        },
        "EDI308",
        "/segments/1/2/1",
    ),
    "control character": (
        {
            "partner": "a",
            "standard": "x12",
            "type": "855",
            "segments": [BODY_855[0], ["N1", "ST", "ACME\nDC"]],
        },
        "EDI308",
        "/segments/1/2",
    ),
    "non-ascii in an ascii interchange": (
        {
            "partner": "a",
            "standard": "x12",
            "type": "855",
            "segments": [BODY_855[0], ["N1", "ST", "Café"]],
        },
        "EDI308",
        "/segments/1/2",
    ),
    "envelope segment in the body": (
        {"partner": "a", "standard": "x12", "type": "855", "segments": [["SE", "2", "0001"]]},
        "EDI309",
        "/segments/0/0",
    ),
    "bad element shape": (
        {"partner": "a", "standard": "x12", "type": "855", "segments": [["BAK", "00", {"x": 1}]]},
        "EDI309",
        "/segments/0/2",
    ),
    "unknown field": (
        {"partner": "a", "standard": "x12", "type": "855", "segments": BODY_855, "idem_key": "1"},
        "EDI303",
        "/idem_key",
    ),
    "no body": ({"partner": "a", "standard": "x12", "type": "855"}, "EDI302", "/segments"),
    "data form without dictionary": (
        {"partner": "a", "standard": "x12", "type": "855", "data": {"po": "1"}},
        "EDI305",
        "/data",
    ),
    "test not a boolean": (
        {"partner": "a", "standard": "x12", "type": "855", "segments": BODY_855, "test": "yes"},
        "EDI303",
        "/test",
    ),
}


# What the JSON Schema alone already refuses (the rest needs the envelope or the structure).
SCHEMA_REJECTS = {
    "not an object", "missing partner", "unknown standard", "bad element shape",
    "unknown field", "no body", "test not a boolean",
}  # fmt: skip


def _attempt(raw: object, env: Envelope = US) -> Rendered | list[RequestError]:
    """The worker's path: decode, then render (which checks)."""
    req = decode_request(raw) if isinstance(raw, bytes) else parse_request(raw)
    if isinstance(req, list):
        return req
    return render(req, env, Controls(1))


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_request_gives_a_coded_error_naming_the_field_and_no_bytes(name: str) -> None:
    raw, code, pointer = BAD[name]
    out = _attempt(raw)
    assert isinstance(out, list) and out, name
    assert (out[0].code, out[0].pointer) == (code, pointer), [e.to_dict() for e in out]
    first = out[0].error
    assert first.code in CATALOGUE and first.rejects
    assert pointer in first.message
    Draft202012Validator(load("deadletter.schema.json")["$defs"]["error"]).validate(first.to_dict())
    if not isinstance(raw, bytes):
        schema_ok = validator("outbound-request.schema.json").is_valid(raw)
        assert schema_ok == (name not in SCHEMA_REJECTS), name


def test_errors_locate_the_element_like_an_acknowledgement_would() -> None:
    out = _attempt(BAD["element too long"][0])
    assert isinstance(out, list)
    loc = out[0].error.location
    assert (loc.tag, loc.element, loc.ts_segment) == ("BAK", 3, 2)
    assert out[0].to_dict()["pointer"] == "/segments/0/3"


def test_x12_delimiter_collision_is_never_written_even_with_other_delimiters() -> None:
    """The writer would raise; check() refuses first and names the field, for every delimiter."""
    env = Envelope("OURCO", "ACME", version="005010", element_separator="|",
                   component_separator=">", repetition_separator="{", segment_terminator="\n")  # fmt: skip
    for ch, where in (("|", "/segments/0/3"), (">", "/segments/0/3"), ("{", "/segments/0/3")):
        out = _attempt({"partner": "a", "standard": "x12", "type": "855",
                        "segments": [["BAK", "00", "AC", f"P{ch}O", "20240101"]]}, env)  # fmt: skip
        assert isinstance(out, list) and (out[0].code, out[0].pointer) == ("EDI308", where)
    ok = _attempt({"partner": "a", "standard": "x12", "type": "855",
                   "segments": [["BAK", "00", "AC", "P*O:~^", "20240101"]]}, env)  # fmt: skip
    assert isinstance(ok, Rendered)
    _, ic = parsed(ok.data)
    assert bodies(ic)[0][0][3] == "P*O:~^"


def test_edifact_without_release_refuses_delimiters_in_values() -> None:
    env = Envelope("US", "THEM", release_character="", una=True, syntax="UNOB")
    syn = resolve(env, Standard.EDIFACT)
    assert not isinstance(syn, tuple) and syn.delimiters.release == "?"
    level_b = Envelope("US", "THEM", element_separator="\x1d", component_separator="\x1f",
                       segment_terminator="\x1c", release_character="?")  # fmt: skip
    out = _attempt({"partner": "a", "standard": "edifact", "type": "ORDRSP",
                    "segments": [["BGM", "231", "A\x1dB"], ["DTM", "137"]]}, level_b)  # fmt: skip
    assert isinstance(out, list) and out[0].code == "EDI308"


def test_unoa_repertoire_is_enforced() -> None:
    env = Envelope("US", "THEM", syntax="UNOA")
    out = _attempt({"partner": "a", "standard": "edifact", "type": "ORDRSP",
                    "segments": [["BGM", "231", "lower case"], ["DTM", "137"]]}, env)  # fmt: skip
    assert isinstance(out, list) and (out[0].code, out[0].pointer) == ("EDI308", "/segments/0/2")


@pytest.mark.parametrize(
    ("env", "pointer", "code"),
    [
        (Envelope("A" * 16, "ACME"), "envelope.sender_id", "EDI307"),
        (Envelope("OURCO", "AC*ME"), "envelope.receiver_id", "EDI308"),
        (Envelope("OURCO", "ACME", element_separator=":"), "envelope.component_separator", "EDI310"),
        (Envelope("OURCO", "ACME", version="4010"), "envelope.version", "EDI310"),
        (Envelope("OURCO", "ACME", application_sender="X" * 16), "envelope.application_sender", "EDI307"),
        (Envelope("OURCO", "ACME", release_character="?"), "envelope.release_character", "EDI310"),
    ],
)  # fmt: skip
def test_bad_envelope_settings_name_the_setting(env: Envelope, pointer: str, code: str) -> None:
    out = render(request("855", BODY_855), env, Controls(1))
    assert isinstance(out, list) and (out[0].code, out[0].pointer) == (code, pointer)


def test_control_numbers_out_of_range() -> None:
    out = render(request("855", BODY_855), US, Controls(1_000_000_000))
    assert isinstance(out, list) and out[0].pointer == "controls.interchange"
    reqs = [request("855", BODY_855)] * 2
    out = render_batch(reqs, US, Controls(1, 1, 999_999_999))
    assert isinstance(out, list) and out[0].pointer == "controls.transaction"


def test_check_takes_no_control_number_and_matches_render() -> None:
    good, bad = request("855", BODY_855), request("855", BODY_855[1:])
    assert check(good, US) == []
    assert [e.code for e in check(bad, US)] == ["EDI306"]


# -- catalogue, mapping, schema ------------------------------------------------------------


def test_codes_are_registered_at_the_end_of_the_parser_range() -> None:
    assert [c.code for c in CODES] == [f"EDI3{i:02d}" for i in range(1, 11)]
    for c in CODES:
        assert CATALOGUE[c.code] is c and c.rejects


def test_functional_ids_agree_with_pyx12_maps() -> None:
    import pyx12

    maps = (Path(pyx12.__file__).parent / "map" / "maps.xml").read_text()
    pairs = set(re.findall(r'fic="(\w+)" abbr="(\d{3})\w*"', maps))
    assert pairs and all(FUNCTIONAL_IDS[abbr] == fic for fic, abbr in pairs)


def test_schema_accepts_the_examples() -> None:
    v = validator("outbound-request.schema.json")
    for body, typ in ((BODY_855, "855"), (BODY_810, "810"), (BODY_ORDRSP, "ORDRSP")):
        std = "edifact" if typ.isalpha() else "x12"
        v.validate({"partner": "a", "standard": std, "type": typ, "segments": body,
                    "version": "004010" if std == "x12" else "D:96A:UN", "test": True,
                    "idempotency_key": "k", "reply_to": "d"})  # fmt: skip


# -- property: random values round-trip ----------------------------------------------------

TEXT = string.ascii_letters + string.digits + " .,-()/&#@!%=+?'\"$;<>[]{}|`_*:^~"
X12_ENV = Envelope("OURCO", "ACME", version="005010", line_break="\n")
ANY = Structure()  # random tags may be known ones: no sizes, no mandatory segments
EDIFACT_ENV = Envelope("US", "THEM", syntax="UNOC", syntax_version="4")


def _values(banned: str) -> st.SearchStrategy[str]:
    return st.text("".join(c for c in TEXT if c not in banned), min_size=1, max_size=12)


@st.composite
def bodies_of(draw: Any, edifact: bool) -> list[Segment]:
    """Random body segments in the canonical split shape (no trailing empties)."""
    banned = "" if edifact else "*:^~"
    tag = st.from_regex(r"\A[A-T][A-Z0-9]{2}\Z" if edifact else r"\A[A-Z][A-Z0-9]{1,2}\Z")
    tags = tag.filter(lambda t: not t.startswith("UN") and t not in {"ISA", "IEA", "GS", "GE",
                      "ST", "SE", "TA1", "ISB", "ISE", "BIN", "BAK", "BGM", "DTM"})  # fmt: skip
    out: list[Segment] = []
    for _ in range(draw(st.integers(1, 6))):
        seg: Segment = [draw(tags)]
        for _ in range(draw(st.integers(1, 5))):
            kind = draw(st.sampled_from("ssscr"))
            if kind == "s":
                seg.append(draw(_values(banned) | st.just("")))
            elif kind == "c":
                seg.append(draw(st.lists(_values(banned), min_size=2, max_size=3)))
            else:
                seg.append([[draw(_values(banned))] for _ in range(draw(st.integers(2, 3)))])
        if seg[-1] == "":
            seg[-1] = "Z"
        out.append(seg)
    return out


@settings(deadline=None, max_examples=120, suppress_health_check=[HealthCheck.too_slow])
@given(bodies_of(edifact=False), st.booleans())
def test_random_x12_values_render_and_reparse_to_the_same_segments(
    body: list[Segment], batch: bool
) -> None:
    reqs = [request("855", [BODY_855[0], *body])] * (3 if batch else 1)
    out = rendered(render_batch(reqs, X12_ENV, Controls(1, 1, 1), now=NOW, structure=ANY))
    _, ic = parsed(out.data)
    assert bodies(ic) == [[BODY_855[0], *body]] * len(reqs)


@settings(deadline=None, max_examples=120, suppress_health_check=[HealthCheck.too_slow])
@given(bodies_of(edifact=True))
def test_random_edifact_values_render_and_reparse_to_the_same_segments(body: list[Segment]) -> None:
    full: list[Segment] = [["BGM", "231"], ["DTM", ["137", "20240101", "102"]], *body]
    out = rendered(
        render(request("ORDRSP", full), EDIFACT_ENV, Controls(1), now=NOW, structure=ANY)
    )
    _, ic = parsed(out.data)
    assert bodies(ic) == [full]


def test_envelope_from_partner_keys_and_a_utf8_interchange() -> None:
    env = Envelope.from_keys("ZZ:OURCO", "01:ACME", encoding="utf-8")
    assert (env.sender_qualifier, env.sender_id, env.receiver_qualifier) == ("ZZ", "OURCO", "01")
    body: list[Segment] = [BODY_855[0], ["N1", "ST", "Café Ärger"]]
    out = rendered(render(request("855", body), env, Controls(2), now=NOW))
    _, ic = parsed(out.data)
    assert bodies(ic) == [body]


@settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.text(TEXT + "\n\x1d", min_size=1, max_size=10), min_size=1, max_size=5))
def test_any_x12_value_is_written_faithfully_or_refused(values: list[str]) -> None:
    """No value ever changes on the way out: either it reads back identical or it is EDI308."""
    body: list[Segment] = [BODY_855[0], ["REF", "ZZ", *values]]
    out = render(request("855", body), X12_ENV, Controls(1), now=NOW)
    if isinstance(out, list):
        assert {e.code for e in out} == {"EDI308"}
        assert any(c in v for v in values for c in "*:^~\n\x1d")
    else:
        _, ic = parsed(out.data)
        assert bodies(ic) == [body]
