"""Dialect detection, ISA/UNA delimiter discovery and encoding sniffing."""

from __future__ import annotations

import pytest

import parsers
from parsers.delimiters import ISA_SEPARATORS, read_isa, read_una, sniff_tag
from parsers.encoding import sniff
from parsers.model import Standard
from tests.parsers.conftest import CORPUS, X12_HEAD, codes, x12_doc


def isa(
    elem: str = "*", comp: str = ":", term: str = "~", rep: str = "^", version: str = "00501"
) -> bytes:
    """A 106-character ISA with the given delimiters."""
    fields = [
        "ISA", "00", " " * 10, "00", " " * 10, "ZZ", "SENDER".ljust(15), "ZZ", "RECEIVER".ljust(15),
        "240101", "1200", rep, version, "000000001", "0", "P", comp,
    ]  # fmt: skip
    return (elem.join(fields) + term).encode("latin-1")


def test_isa_fixed_layout_is_106_characters() -> None:
    raw = isa()
    assert len(raw) == 106
    assert all(raw[i : i + 1] == b"*" for i in ISA_SEPARATORS)


@pytest.mark.parametrize(
    ("elem", "comp", "term", "rep"),
    [
        ("*", ":", "~", "^"),
        ("|", ">", "'", "`"),
        ("~", "^", "_", "!"),
        ("\x1d", "\x1f", "\x1c", "\x1e"),
        ("*", ">", "\n", "^"),
    ],
)
def test_isa_delimiters_from_fixed_offsets(elem: str, comp: str, term: str, rep: str) -> None:
    lay = read_isa(isa(elem, comp, term, rep) + b"GS", 0, eof=True)
    assert not isinstance(lay, str) and lay is not None
    d = lay.delimiters
    assert (d.element, d.component, d.segment, d.repetition) == (elem, comp, term, rep)
    assert lay.end == 106 and not lay.scanned


def test_isa11_is_a_repetition_separator_only_from_00402() -> None:
    lay = read_isa(isa(rep="U", version="00401"), 0, eof=True)
    assert not isinstance(lay, str) and lay is not None and lay.delimiters.repetition is None
    lay = read_isa(isa(rep="^", version="00402"), 0, eof=True)
    assert not isinstance(lay, str) and lay is not None and lay.delimiters.repetition == "^"
    # alphanumeric ISA11 in 5010: no repetition separator, and a (non-rejecting) warning
    res = parsers.parse(x12_doc().replace(b"*^*00501*", b"*U*00501*"))
    assert res.interchanges[0].delimiters.repetition is None
    assert codes(res) == ["EDI030"] and res.valid


def test_isa_shorter_than_106_is_recovered_by_scanning_and_reported() -> None:
    data = x12_doc().replace(b"*00*          *00*", b"*00*         *00*", 1)  # ISA02 9 characters
    res = parsers.parse(data)
    assert len(res.transactions) == 1
    found = {e.code: e for e in res.interchanges[0].errors}
    assert "EDI011" in found and not found["EDI011"].rejects
    assert found["EDI013"].location.element == 2 and found["EDI013"].rejects


def test_wrapped_isa_80_columns_is_read_with_the_fixed_layout() -> None:
    data = (CORPUS / "x12/staedi/src/test/resources/x12/issue128/ts210_80char.edi").read_bytes()
    assert b"\n" in data[:106]
    res = parsers.parse(data)
    ic = res.interchanges[0]
    assert (ic.delimiters.element, ic.delimiters.segment, ic.delimiters.component) == (
        "*",
        "~",
        ">",
    )
    assert ic.time == "0224" and res.valid
    assert len(res.transactions) == 1 and "\n" not in "".join(res.transactions[0].segments)


def test_multibyte_utf8_segment_terminator() -> None:
    data = (
        CORPUS / "x12/staedi/src/test/resources/x12/issue109/ts214_ellipses_segterm.edi"
    ).read_bytes()
    res = parsers.parse(data)
    assert res.interchanges[0].delimiters.segment == "\u2026"
    assert res.valid and len(res.transactions[0].segments) == 20


def test_newline_is_a_segment_terminator_and_crlf_is_tolerated() -> None:
    text = x12_doc().decode().replace("~\n", "\n")
    res = parsers.parse(text.encode())
    assert res.interchanges[0].delimiters.segment == "\n" and res.valid
    res = parsers.parse(text.replace("\n", "\r\n").encode())
    assert res.interchanges[0].delimiters.segment == "\r" and res.valid
    assert res.transactions[0].segments[0] == "ST*850*0001"


def test_truncated_isa_is_a_coded_error() -> None:
    res = parsers.parse(X12_HEAD[:60].encode())
    assert codes(res) == ["EDI008"] and not res.valid


def test_isa_without_16_separators_is_unreadable() -> None:
    res = parsers.parse(b"ISA*00*" + b"x" * 600)
    assert codes(res) == ["EDI010"] and not res.interchanges
    res = parsers.parse(b"ISA*00*" + b"x" * 100)  # ends before ISA16: truncated
    assert codes(res) == ["EDI008"]


def test_isa_with_clashing_delimiters_is_rejected() -> None:
    raw = isa(elem="*", comp=":", term="*")
    res = parsers.parse(raw + b"GS*PO~")
    assert codes(res)[0] in ("EDI028", "EDI029") and not res.interchanges


def test_una_gives_all_service_characters() -> None:
    lay = read_una(b"UNA=*,\\!~UNB*UNOA=4", 0, eof=True)
    assert not isinstance(lay, str) and lay is not None
    d = lay.delimiters
    assert (d.component, d.element, d.decimal, d.release, d.repetition, d.segment) == (
        "=",
        "*",
        ",",
        "\\",
        "!",
        "~",
    )
    assert lay.una and lay.unb == 9


def test_una_space_means_no_release_or_repetition() -> None:
    lay = read_una(b"UNA:+.  'UNB+", 0, eof=True)
    assert not isinstance(lay, str) and lay is not None
    assert lay.delimiters.release is None and lay.delimiters.repetition is None


def test_edifact_defaults_level_a_and_b() -> None:
    a = read_una(b"UNB+UNOA:3+", 0, eof=True)
    b = read_una(b"UNB\x1dUNOB\x1f3\x1d", 0, eof=True)
    assert (
        not isinstance(a, str)
        and a is not None
        and a.delimiters.segment == "'"
        and a.delimiters.release == "?"
    )
    assert (
        not isinstance(b, str)
        and b is not None
        and b.delimiters.segment == "\x1c"
        and b.delimiters.release is None
    )


def test_una_with_duplicate_characters_is_an_error() -> None:
    res = parsers.parse(b"UNA::.? 'UNB:UNOA'")
    assert codes(res) == ["EDI070"] and not res.valid


def test_syntax_4_without_una_uses_star_repetition() -> None:
    data = b"UNB+UNOA:4+S+R+20240101:1200+1'UNH+1+ORDERS:D:96A:UN'BGM+220+A*B'UNT+3+1'UNZ+1+1'"
    res = parsers.parse(data)
    assert res.interchanges[0].delimiters.repetition == "*" and res.valid


@pytest.mark.parametrize(
    ("head", "std"),
    [
        (b"ISA*00", Standard.X12),
        (b"ISA|00", Standard.X12),
        (b"UNA:+.", Standard.EDIFACT),
        (b"UNB+UN", Standard.EDIFACT),
    ],
)
def test_dialect_from_first_tag(head: bytes, std: Standard) -> None:
    assert sniff_tag(head, 0) is std


@pytest.mark.parametrize("head", [b"UNBOUND", b"ISAAC", b"ISA 00", b"HELLO"])
def test_words_are_not_headers(head: bytes) -> None:
    assert sniff_tag(head, 0) is None


def test_utf8_bom_is_skipped() -> None:
    res = parsers.parse(b"\xef\xbb\xbf" + x12_doc())
    assert res.valid and res.interchanges[0].offset == 3


@pytest.mark.parametrize("enc", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_wide_encodings_are_rejected_with_a_code(enc: str) -> None:
    data = x12_doc().decode().encode(enc)
    assert sniff(data[:64]).wide
    res = parsers.parse(data)
    assert codes(res) == ["EDI005"] and not res.valid


@pytest.mark.parametrize(("codec", "doc"), [("cp037", "x12"), ("cp500", "edifact")])
def test_ebcdic_is_converted(codec: str, doc: str) -> None:
    from tests.parsers.conftest import edifact_doc

    text = x12_doc().decode() if doc == "x12" else edifact_doc().decode("latin-1")
    res = parsers.parse(text.encode(codec))
    assert codes(res) == ["EDI006"] and res.valid
    assert res.interchanges[0].encoding == codec
    assert res.transactions[0].segments[1] in ("BEG*00*SA*PO1**20240101", "BGM+220+PO1+9")
