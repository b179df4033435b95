"""The load generator: deterministic, correctly enveloped, valid for pyx12 and for our parser."""

from __future__ import annotations

import io
import json
import logging
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, cast

import pytest
from click.testing import CliRunner

from benchmarks.generate import (
    BAD_KINDS,
    DELIMITER_PRESETS,
    EDIFACT_TYPES,
    X12_TYPES,
    GenerateStats,
    generate,
    generate_bytes,
    generate_cmd,
    parse_mix,
    parse_size,
)
from tests.benchmarks.envelopes import scan

# ---------------------------------------------------------------------------
# determinism, sizing, streaming
# ---------------------------------------------------------------------------


def test_same_seed_same_bytes_other_seed_other_bytes() -> None:
    kw: dict[str, Any] = dict(mix="all", interchanges=12, transactions_per_interchange=5)
    a, sa = generate_bytes(seed=42, delimiters="mixed", **kw)
    b, sb = generate_bytes(seed=42, delimiters="mixed", **kw)
    c, _ = generate_bytes(seed=43, delimiters="mixed", **kw)
    assert a == b and sa == sb
    assert a != c
    assert sa.bytes == len(a)


def test_interchange_count_mode_is_exact() -> None:
    data, st = generate_bytes(seed=1, mix="x12", interchanges=7, transactions_per_interchange=4)
    assert st.interchanges == 7 and st.transactions == 28
    assert len(re.findall(rb"(?:^|~)ISA\*", data)) == 7


def test_target_bytes_reached_with_bounded_overshoot() -> None:
    target = 300_000
    data, st = generate_bytes(seed=2, mix="all", target_bytes=target, lines=(1, 5))
    assert st.bytes == len(data) >= target
    # at most one transaction plus trailers past the target
    assert len(data) - target < 40_000
    assert scan(data).problems == []


def test_single_huge_interchange_streams_in_bounded_writes() -> None:
    """interchanges=1 + target_bytes: one interchange, written in ~1 MiB pieces."""

    class Recorder(io.RawIOBase):
        def __init__(self) -> None:
            self.sizes: list[int] = []
            self.chunks: list[bytes] = []

        def writable(self) -> bool:
            return True

        def write(self, b: Any) -> int:
            self.sizes.append(len(b))
            self.chunks.append(bytes(b))
            return len(b)

    rec = Recorder()
    st = generate(
        cast(BinaryIO, rec), seed=3, mix="837", interchanges=1, target_bytes=3 << 20, lines=(1, 8)
    )
    assert st.interchanges == 1 and st.bytes >= 3 << 20
    assert len(rec.sizes) >= 3 and max(rec.sizes) < (1 << 20) + 200_000
    data = b"".join(rec.chunks)
    s = scan(data)
    assert s.problems == [] and s.interchanges == 1 and s.transactions == st.transactions


def test_interchanges_and_size_split_the_budget() -> None:
    data, st = generate_bytes(
        seed=4, mix="edifact", interchanges=3, target_bytes=200_000, transactions_per_interchange=2
    )
    s = scan(data)
    assert s.problems == [] and s.interchanges == st.interchanges == 3
    assert st.bytes >= 200_000


def test_partners_are_distinct_senders() -> None:
    _, st = generate_bytes(seed=5, mix="all", interchanges=60, partners=4)
    x12 = {k for k in st.senders if k.startswith("ZZ:")}
    edi = {k for k in st.senders if k.startswith("ZZZ:")}
    assert x12 == {f"ZZ:PARTNER00{i}" for i in range(1, 5)}
    assert edi <= {f"ZZZ:PARTNER00{i}" for i in range(1, 5)} and edi


def test_mix_weights_are_respected() -> None:
    _, st = generate_bytes(
        seed=6, mix={"850": 3, "810": 1}, interchanges=100, transactions_per_interchange=10
    )
    assert set(st.by_type) == {"850", "810"}
    assert 2.3 < st.by_type["850"] / st.by_type["810"] < 3.9


def test_parse_helpers() -> None:
    assert parse_size("1G") == 1 << 30 and parse_size("50M") == 50 << 20
    assert parse_size("200k") == 200 << 10 and parse_size("1234") == 1234
    assert parse_mix("837=0.5,ORDERS=0.5") == {"837": 0.5, "ORDERS": 0.5}
    assert set(parse_mix("all")) == set(X12_TYPES) | set(EDIFACT_TYPES)
    with pytest.raises(ValueError):
        parse_mix("999=1")
    with pytest.raises(ValueError):
        parse_size("lots")
    with pytest.raises(ValueError):
        generate(io.BytesIO(), seed=0, bad=["nope"])


# ---------------------------------------------------------------------------
# envelopes: every preset, both standards, and the bad variants
# ---------------------------------------------------------------------------


def _same_counts(data: bytes, st: GenerateStats) -> None:
    s = scan(data)
    assert s.problems == []
    assert (s.interchanges, s.groups, s.transactions, s.segments) == (
        st.interchanges,
        st.groups,
        st.transactions,
        st.segments,
    )
    assert dict(s.by_type) == st.by_type
    assert sum(st.segments_by_standard.values()) == st.segments


@pytest.mark.parametrize("delimiters", DELIMITER_PRESETS)
def test_envelopes_exact_for_every_delimiter_preset(delimiters: str) -> None:
    data, st = generate_bytes(
        seed=7, mix="all", interchanges=40, transactions_per_interchange=6, delimiters=delimiters
    )
    assert set(st.by_type) == set(X12_TYPES) | set(EDIFACT_TYPES)
    _same_counts(data, st)


def test_edifact_una_only_when_needed_and_release_characters() -> None:
    std, _ = generate_bytes(seed=8, mix="edifact", interchanges=20, delimiters="standard")
    assert b"UNA" not in std and b"?'" in std  # O'NEILL TRADING LTD is released
    alt, _ = generate_bytes(seed=8, mix="edifact", interchanges=5, delimiters="alt")
    assert alt.startswith(b"UNA=*.? ~")
    assert b"UNH*1*" in alt


def test_isa_is_fixed_width_and_versions_follow_groups() -> None:
    data, _ = generate_bytes(seed=9, mix="850", interchanges=1)
    assert data[:106].decode().split("*")[12] == "00401" and data[105:106] == b"~"
    data, _ = generate_bytes(seed=9, mix="837", interchanges=1)
    isa = data[:106].decode().split("*")
    assert isa[12] == "00501" and isa[11] == "^" and b"ST*837*0001*005010X222A1~" in data


@pytest.mark.parametrize("kind", sorted(BAD_KINDS))
@pytest.mark.parametrize("mix", ["x12", "edifact"])
def test_bad_variants_are_detectable(kind: str, mix: str) -> None:
    data, st = generate_bytes(
        seed=10, mix=mix, interchanges=4, transactions_per_interchange=3, bad=[kind]
    )
    x12_only = kind in ("group_control", "group_count", "no_group_trailer")
    if mix == "edifact" and x12_only:
        assert st.bad == [] and scan(data).problems == []
        return
    assert st.bad and all(b["kind"] == kind for b in st.bad)
    assert len(scan(data).problems) >= len(st.bad)
    good, _ = generate_bytes(seed=10, mix=mix, interchanges=4, transactions_per_interchange=3)
    assert scan(good).problems == []


# ---------------------------------------------------------------------------
# pyx12: every generated set that pyx12 4.0.0 has a map for validates clean
# ---------------------------------------------------------------------------

_ISA = re.compile(r"ISA([^A-Za-z0-9 ])\d\d\1.{10}\1\d\d\1")


def _interchanges(data: bytes) -> Iterator[str]:
    """pyx12 reads delimiters from the first ISA only: hand it one interchange at a time."""
    text = data.decode("latin-1")
    starts = [m.start() for m in _ISA.finditer(text)]
    for a, b in zip(starts, [*starts[1:], len(text)], strict=True):
        yield text[a:b]


@pytest.fixture()
def pyx12_validate(monkeypatch: pytest.MonkeyPatch) -> Any:
    """x12n_document with an error handler that records every error it is told about."""
    import pyx12.error_handler
    import pyx12.params
    import pyx12.x12n_document

    errors: list[tuple[str, str, str]] = []
    base = pyx12.error_handler.err_handler

    class Counting(base):  # type: ignore[misc, valid-type]
        def isa_error(self, code: str, text: str) -> None:
            errors.append(("isa", code, text))
            super().isa_error(code, text)

        def gs_error(self, code: str, text: str) -> None:
            errors.append(("gs", code, text))
            super().gs_error(code, text)

        def st_error(self, code: str, text: str) -> None:
            errors.append(("st", code, text))
            super().st_error(code, text)

        def seg_error(self, code: str, text: str, *a: Any, **k: Any) -> None:
            errors.append(("seg", code, text))
            super().seg_error(code, text, *a, **k)

        def ele_error(self, code: str, text: str, *a: Any, **k: Any) -> None:
            errors.append(("ele", code, text))
            super().ele_error(code, text, *a, **k)

    monkeypatch.setattr(pyx12.error_handler, "err_handler", Counting)
    logging.getLogger("pyx12").setLevel(logging.CRITICAL)

    def validate(data: bytes) -> tuple[bool, list[tuple[str, str, str]], int]:
        errors.clear()
        ok, n = True, 0
        for one in _interchanges(data):
            n += 1
            ok &= pyx12.x12n_document.x12n_document(
                pyx12.params.params(), io.StringIO(one), None, None, None, None
            )
        return ok, list(errors), n

    return validate


# type -> versions pyx12 4.0.0 has a map for (maps.xml); 270/271 only as 4010 X092A1,
# the 997 only as 4010 and only acknowledging HIPAA groups.
PYX12_CASES = {
    "837": {},
    "835": {},
    "834": {},
    "270": {"270": "004010X092A1"},
    "271": {"271": "004010X092A1"},
    "997": {"997": "004010"},
    "837=2,835=1,834=1": {},
}


@pytest.mark.parametrize("mix", list(PYX12_CASES))
def test_pyx12_validates_generated_sets(mix: str, pyx12_validate: Any) -> None:
    for seed, delimiters in ((11, "mixed"), (12, "standard")):
        data, st = generate_bytes(
            seed=seed,
            mix=mix,
            versions=PYX12_CASES[mix],
            interchanges=5,
            transactions_per_interchange=4,
            lines=(1, 25),
            partners=5,
            delimiters=delimiters,
        )
        ok, errors, n = pyx12_validate(data)
        assert n == st.interchanges == 5
        assert errors == [], Counter(e[2] for e in errors).most_common(5)
        assert ok


def test_pyx12_sees_the_bad_variants(pyx12_validate: Any) -> None:
    """The fault injection is visible to an independent validator too."""
    data, _ = generate_bytes(
        seed=13, mix="837", interchanges=2, transactions_per_interchange=2, bad=["segment_count"]
    )
    ok, errors, _ = pyx12_validate(data)
    assert not ok and any("SE count" in e[2] or e[1] == "4" for e in errors)


# ---------------------------------------------------------------------------
# our parser: zero errors and exact counts
# ---------------------------------------------------------------------------


def _our_parse() -> Any:
    """The project's parser entry point (``parsers.parse``)."""
    import parsers

    return parsers.parse


def _walk_errors(result: Any) -> tuple[list[Any], Counter[str], int]:
    """All errors at every level, transactions per type, interchanges, of a parse result."""
    interchanges = list(getattr(result, "interchanges", result))
    errors = list(getattr(result, "errors", []) or [])
    types: Counter[str] = Counter()
    for ich in interchanges:
        errors += ich.errors
        for g in ich.groups:
            errors += g.errors
            for t in g.transactions:
                errors += t.errors
                types[t.type] += 1
    return errors, types, len(interchanges)


@pytest.mark.parametrize("delimiters", DELIMITER_PRESETS)
def test_our_parser_reports_no_errors_and_exact_counts(delimiters: str) -> None:
    parse = _our_parse()
    data, st = generate_bytes(
        seed=14, mix="all", interchanges=30, transactions_per_interchange=5, delimiters=delimiters
    )
    errors, types, n = _walk_errors(parse(data))
    assert errors == []
    assert n == st.interchanges
    assert dict(types) == st.by_type


@pytest.mark.parametrize("kind", ["segment_count", "transaction_control", "no_transaction_trailer"])
def test_our_parser_reports_bad_variants(kind: str) -> None:
    parse = _our_parse()
    data, st = generate_bytes(
        seed=15, mix="all", interchanges=6, transactions_per_interchange=3, bad=[kind]
    )
    errors, _, _ = _walk_errors(parse(data))
    assert len(errors) >= 1 and st.bad


# ---------------------------------------------------------------------------
# command line
# ---------------------------------------------------------------------------


def test_cli_writes_file_and_prints_stats(tmp_path: Path) -> None:
    out = tmp_path / "load.edi"
    res = CliRunner().invoke(
        generate_cmd,
        ["--out", str(out), "--seed", "3", "--mix", "837=0.5,ORDERS=0.5", "--size", "100K",
         "--per-interchange", "4", "--partners", "3", "--lines", "2-6", "--delimiters", "newline"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    stats = json.loads(res.output)
    data = out.read_bytes()
    assert stats["bytes"] == len(data) >= 100 << 10
    assert set(stats["by_type"]) <= {"837", "ORDERS"}
    assert scan(data).problems == []
    again = tmp_path / "again.edi"
    CliRunner().invoke(
        generate_cmd,
        ["--out", str(again), "--seed", "3", "--mix", "837=0.5,ORDERS=0.5", "--size", "100K",
         "--per-interchange", "4", "--partners", "3", "--lines", "2-6", "--delimiters", "newline"],
    )  # fmt: skip
    assert again.read_bytes() == data


def test_cli_rejects_bad_options() -> None:
    res = CliRunner().invoke(generate_cmd, ["--mix", "123=1", "--interchanges", "1"])
    assert res.exit_code != 0
