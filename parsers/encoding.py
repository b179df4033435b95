"""Character encodings: file-level sniffing (BOM, UTF-16/32, EBCDIC) and interchange codecs.

The parser scans *bytes* (so every offset it reports is a byte offset) and
decodes text one transaction at a time with the interchange's codec. Every
codec used here is ASCII-compatible, which is what lets the scanner look for
tags and delimiters at the byte level. Two encodings are not: UTF-16/UTF-32
are detected and rejected with EDI005 (EDI is an 8-bit syntax; converting
would make byte offsets meaningless), and EBCDIC (IBM037 for X12, IBM500
for EDIFACT) is converted byte-for-byte to Latin-1 with a translation table,
which keeps every offset valid, and reported with the warning EDI006.
"""

from __future__ import annotations

from dataclasses import dataclass

UTF8_BOM = b"\xef\xbb\xbf"

# UN/EDIFACT syntax identifiers (data element 0001) and how their text is decoded.
# UNOA/UNOB (ISO 646 subsets) and the IATA levels are ASCII repertoires: decoded as
# UTF-8 so stray non-ASCII text is still read, with the warning EDI063.
EDIFACT_CODECS: dict[str, str] = {
    "UNOA": "utf-8",
    "UNOB": "utf-8",
    "UNOC": "latin-1",
    "UNOD": "iso8859-2",
    "UNOE": "iso8859-5",
    "UNOF": "iso8859-7",
    "UNOG": "iso8859-3",
    "UNOH": "iso8859-4",
    "UNOI": "iso8859-6",
    "UNOJ": "iso8859-8",
    "UNOK": "iso8859-9",
    "UNOL": "iso8859-15",
    "UNOW": "utf-8",
    "UNOX": "iso2022-jp-2",
    "UNOY": "utf-8",
    "KECA": "euc-kr",
    "IATA": "utf-8",
    "IATB": "utf-8",
}
ASCII_REPERTOIRES = frozenset({"UNOA", "UNOB", "IATA", "IATB"})

_EBCDIC_WS = b"\x40\x15\x25\x0d\x05"


def _ebcdic_table(codec: str) -> bytes:
    """A 256-byte table mapping EBCDIC bytes to the Latin-1 byte of the same character."""
    out = bytearray(bytes(range(256)).decode(codec).encode("latin-1"))
    out[0x15] = 0x0A  # EBCDIC NL (U+0085 in the codec) is the line end partners mean
    return bytes(out)


EBCDIC_TABLES: dict[str, bytes] = {"cp037": _ebcdic_table("cp037"), "cp500": _ebcdic_table("cp500")}


@dataclass(frozen=True, slots=True)
class Sniff:
    """What the first bytes of an input say about its encoding."""

    bom: int = 0  # bytes of UTF-8 byte-order mark to skip
    wide: str = ""  # "utf-16" / "utf-32" when the input is a wide encoding (rejected)
    ebcdic: str = ""  # "cp037" / "cp500" when the input is EBCDIC (converted)


def sniff(head: bytes) -> Sniff:
    """Classify the start of an input: UTF-8 BOM, UTF-16/32 (BOM or NUL pattern), EBCDIC."""
    if head.startswith(UTF8_BOM):
        return Sniff(bom=3)
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return Sniff(wide="utf-32")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return Sniff(wide="utf-16")
    sample = head[:64]
    if len(sample) >= 4 and sample.count(0) * 4 >= len(sample):
        return Sniff(wide="utf-32" if sample.count(0) * 4 >= len(sample) * 3 else "utf-16")
    body = head.lstrip(_EBCDIC_WS)
    if body[:3] == b"\xc9\xe2\xc1":  # "ISA" in IBM037/IBM500
        return Sniff(ebcdic="cp037")
    if body[:3] in (b"\xe4\xd5\xc1", b"\xe4\xd5\xc2"):  # "UNA" / "UNB"
        return Sniff(ebcdic="cp500")
    return Sniff()


def edifact_codec(syntax: str) -> str | None:
    """The Python codec for an EDIFACT syntax identifier, or None when it is unknown."""
    return EDIFACT_CODECS.get(syntax)


def decode(data: bytes, codec: str) -> tuple[str, bool]:
    """Decode ``data`` with ``codec``; on failure fall back to Latin-1 and say so (second item)."""
    try:
        return data.decode(codec), False
    except UnicodeDecodeError:
        return data.decode("latin-1"), True
