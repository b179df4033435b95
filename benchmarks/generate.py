"""Deterministic load generator: realistic, seeded X12 and UN/EDIFACT interchanges.

Same arguments and seed give byte-identical output. Output is streamed to a
binary file object in ~1 MiB writes, so a 1 GB file needs bounded memory
whether it holds one interchange or a million. Envelopes are always exact
(ISA fixed widths, matching control numbers, SE01/GE01/IEA01 and UNT/UNZ
counts) unless a "bad" variant is asked for; content follows the X12
implementation guides (HIPAA 5010 837P/835/834/270/271, supply chain
850/810/856/855, 997) and EDIFACT D96A/D01B ORDERS/INVOIC/DESADV/ORDRSP.

    from benchmarks.generate import generate
    with open("load.x12", "wb") as f:
        stats = generate(f, seed=7, mix={"837": 0.5, "850": 0.5}, target_bytes=50_000_000)
"""

from __future__ import annotations

import io
import json
import random
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, BinaryIO

import click

__all__ = [
    "BAD_KINDS",
    "DELIMITER_PRESETS",
    "EDIFACT_TYPES",
    "MIX_PRESETS",
    "X12_TYPES",
    "GenerateStats",
    "generate",
    "generate_bytes",
    "generate_cmd",
    "parse_mix",
    "parse_size",
    "partner_id",
]

# ---------------------------------------------------------------------------
# Reference data: small static pools; every pick from them is seed-driven.
# ---------------------------------------------------------------------------

# fmt: off
_LAST = (
    "SMITH", "JOHNSON", "WILLIAMS", "BROWN", "JONES", "GARCIA", "MILLER", "DAVIS", "RODRIGUEZ",
    "MARTINEZ", "HERNANDEZ", "LOPEZ", "GONZALEZ", "WILSON", "ANDERSON", "THOMAS", "TAYLOR",
    "MOORE", "JACKSON", "MARTIN", "LEE", "PEREZ", "THOMPSON", "WHITE", "HARRIS", "SANCHEZ",
    "CLARK", "RAMIREZ", "LEWIS", "ROBINSON", "WALKER", "YOUNG", "ALLEN", "KING", "WRIGHT", "SCOTT",
    "TORRES", "NGUYEN", "HILL", "FLORES", "GREEN", "ADAMS", "NELSON", "BAKER", "HALL", "RIVERA",
    "CAMPBELL", "MITCHELL", "CARTER", "ROBERTS", "O'BRIEN", "MULLER", "SCHMIDT", "KOWALSKI",
    "ROSSI", "DUBOIS",
)
_FIRST = (
    "JAMES", "MARY", "ROBERT", "PATRICIA", "JOHN", "JENNIFER", "MICHAEL", "LINDA", "DAVID",
    "ELIZABETH", "WILLIAM", "BARBARA", "RICHARD", "SUSAN", "JOSEPH", "JESSICA", "THOMAS", "SARAH",
    "CHARLES", "KAREN", "DANIEL", "LISA", "MATTHEW", "NANCY", "ANTHONY", "BETTY", "MARK",
    "MARGARET", "STEVEN", "SANDRA", "PAUL", "ASHLEY", "ANDREW", "KIMBERLY", "JOSHUA", "EMILY",
    "KENNETH", "DONNA", "KEVIN", "MICHELLE",
)
# fmt: on
_MIDDLE = ("A", "B", "C", "D", "E", "J", "K", "L", "M", "R", "S", "T", "")
# fmt: off
_STREET = (
    "MAIN ST", "OAK AVE", "PINE ST", "MAPLE DR", "CEDAR LN", "ELM ST", "WASHINGTON BLVD",
    "LAKE SHORE DR", "PARK AVE", "HIGHLAND RD", "SUNSET BLVD", "RIVER RD", "MILL ST", "CHURCH ST",
    "BROADWAY", "MARKET ST", "SPRING ST", "CENTER ST", "HILLSIDE AVE", "INDUSTRIAL PKWY",
    "COMMERCE DR", "DISTRIBUTION WAY", "HARBOR BLVD", "AIRPORT RD",
)
# fmt: on
_SUITE = ("", "", "", "SUITE 100", "SUITE 210", "APT 4B", "UNIT 12", "FLOOR 3", "BLDG C")
# (city, state, zip5)
# fmt: off
_CITY = (
    ("MIAMI", "FL", "33111"), ("ORLANDO", "FL", "32801"), ("ATLANTA", "GA", "30303"),
    ("CHICAGO", "IL", "60601"), ("SPRINGFIELD", "IL", "62701"), ("DALLAS", "TX", "75201"),
    ("HOUSTON", "TX", "77002"), ("AUSTIN", "TX", "73301"), ("DENVER", "CO", "80202"),
    ("PHOENIX", "AZ", "85004"), ("SEATTLE", "WA", "98101"), ("PORTLAND", "OR", "97201"),
    ("SAN MATEO", "CA", "94401"), ("LOS ANGELES", "CA", "90012"), ("SAN DIEGO", "CA", "92101"),
    ("NEW YORK", "NY", "10001"), ("ALBANY", "NY", "12207"), ("BOSTON", "MA", "02108"),
    ("PHILADELPHIA", "PA", "19107"), ("PITTSBURGH", "PA", "15222"), ("COLUMBUS", "OH", "43215"),
    ("DETROIT", "MI", "48226"), ("MINNEAPOLIS", "MN", "55401"), ("NASHVILLE", "TN", "37203"),
    ("CHARLOTTE", "NC", "28202"), ("RICHMOND", "VA", "23219"), ("BALTIMORE", "MD", "21202"),
    ("SALT LAKE CITY", "UT", "84101"), ("KANSAS CITY", "MO", "64105"), ("OMAHA", "NE", "68102"),
)
_EU_CITY = (
    ("BERLIN", "10115", "DE"), ("HAMBURG", "20095", "DE"), ("MUENCHEN", "80331", "DE"),
    ("KOELN", "50667", "DE"), ("PARIS", "75001", "FR"), ("LYON", "69001", "FR"),
    ("AMSTERDAM", "1012", "NL"), ("ROTTERDAM", "3011", "NL"), ("BRUXELLES", "1000", "BE"),
    ("MILANO", "20121", "IT"), ("MADRID", "28001", "ES"), ("WIEN", "1010", "AT"),
    ("ZUERICH", "8001", "CH"), ("KOBENHAVN", "1050", "DK"), ("STOCKHOLM", "11120", "SE"),
)
_COMPANY = (
    "ACME FOODS", "GLOBEX SUPPLY", "INITECH RETAIL", "UMBRELLA WHOLESALE", "STARK INDUSTRIAL",
    "WAYNE DISTRIBUTION", "WONKA CONFECTIONS", "HOOLI MARKETS", "VANDELAY IMPORTS",
    "SOYLENT GROCERS", "TYRELL HARDWARE", "CYBERDYNE PARTS", "MASSIVE DYNAMIC", "PIED PIPER GOODS",
    "DUNDER MIFFLIN PAPER", "NORTHWIND TRADERS", "CONTOSO STORES", "FABRIKAM HOME",
    "BLUE YONDER OUTLET", "LITWARE OFFICE",
)
_EU_COMPANY = (
    "MUELLER HANDEL GMBH", "SCHMIDT LOGISTIK AG", "DUPONT DISTRIBUTION SA",
    "VAN DIJK GROOTHANDEL BV", "ROSSI ALIMENTARI SPA", "GARCIA SUMINISTROS SL", "NORDIC RETAIL AB",
    "ALPEN MARKT GMBH", "MARKS + PARTNERS LTD", "O'NEILL TRADING LTD",
)
_PAYER = (
    "KEY INSURANCE COMPANY", "BLUE SHIELD OF THE SOUTH", "RUSHMORE LIFE", "UNITED HEALTH PLAN",
    "MERIDIAN HEALTH", "CENTRAL STATES MUTUAL", "PACIFIC CARE ALLIANCE", "LIBERTY MEDICAL",
)
_PROVIDER_ORG = (
    "BEN KILDARE SERVICE", "PREMIER BILLING SERVICE", "SEAWAY FAMILY PRACTICE", "NORTHSIDE CLINIC",
    "LAKEVIEW MEDICAL GROUP", "RIVERBEND PEDIATRICS", "SUMMIT ORTHOPEDICS",
    "VALLEY CARDIOLOGY ASSOC", "HARBOR IMAGING CENTER",
)
# fmt: on
_PLAN = ("GOLD 123 PLAN", "SILVER PPO", "BRONZE HMO", "PLATINUM CHOICE", "BASIC CARE 500")
_TAXONOMY = ("207Q00000X", "208D00000X", "207R00000X", "207X00000X", "2084N0400X", "363LF0000X")
# CPT / HCPCS codes with a typical charge in cents
# fmt: off
_CPT = (
    ("99211", 4500), ("99212", 7500), ("99213", 11000), ("99214", 16500), ("99215", 22000),
    ("99203", 15000), ("99204", 23000), ("87070", 3500), ("86663", 2800), ("80053", 4200),
    ("85025", 2100), ("81002", 900), ("93000", 6000), ("71046", 9500), ("36415", 1200),
    ("90471", 2500), ("90686", 3800), ("97110", 6500), ("20610", 14000), ("J1100", 1800),
)
_ICD10 = (
    "E119", "I10", "J069", "M545", "Z0000", "R51", "K219", "E785", "F419", "J45909", "N390",
    "M170", "R0789", "Z23", "E039", "L309", "H6690", "J0190", "R109", "G4700",
)
_PRODUCT = (
    "CRUNCHY CHIPS 12OZ", "NACHO CHIPS 10OZ", "POTATO CHIPS 8OZ", "CORN CHIPS 9OZ",
    "BBQ CHIPS 8OZ", "PRETZEL TWISTS 16OZ", "ROASTED PEANUTS 1LB", "TRAIL MIX 24OZ",
    "SPARKLING WATER 12PK", "COLA 2L", "ORANGE JUICE 64OZ", "GREEN TEA 6PK", "COPY PAPER A4 500SH",
    "BALLPOINT PEN BLUE 12CT", "STAPLER HEAVY DUTY", "LED BULB 60W", "AA BATTERIES 24PK",
    "HAND SOAP 500ML", "PAPER TOWELS 6RL", "DISH DETERGENT 1L", "SCREW M6X20 100CT",
    "HEX BOLT M8 50CT", "WOOD GLUE 250ML", "SAFETY GLOVES L",
)
# fmt: on
_UOM = ("EA", "EA", "EA", "CA", "BX", "PK", "DZ")
_SCAC = (
    ("UPSN", "UPS GROUND"),
    ("FDEG", "FEDEX GROUND"),
    ("RDWY", "YRC FREIGHT"),
    ("ODFL", "OLD DOMINION"),
    ("SAIA", "SAIA MOTOR FREIGHT"),
    ("CNWY", "XPO LTL"),
)
_CURRENCY = ("EUR", "EUR", "EUR", "GBP", "CHF", "SEK", "DKK", "USD")


def _luhn_digit(digits: str) -> str:
    """Luhn check digit of ``digits`` (NPI uses the 80840 prefix)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def _gs1_digit(digits: str) -> str:
    """GS1 mod-10 check digit (UPC-A, EAN-13/GLN, SSCC-18)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        total += int(ch) * (3 if i % 2 == 0 else 1)
    return str((10 - total % 10) % 10)


def _make_pools() -> dict[str, tuple[str, ...]]:
    """Identifier pools with valid check digits, built once from a fixed seed."""
    r = random.Random(0x5EED)
    npis = []
    for _ in range(400):
        base = str(r.choice("12")) + "".join(r.choice("0123456789") for _ in range(8))
        npis.append(base + _luhn_digit("80840" + base))
    upcs = []
    for _ in range(600):
        base = "0" + "".join(r.choice("0123456789") for _ in range(10))
        upcs.append(base + _gs1_digit(base))
    glns = []
    for _ in range(300):
        base = r.choice(("400", "401", "540", "871", "376", "800")) + "".join(
            r.choice("0123456789") for _ in range(9)
        )
        glns.append(base + _gs1_digit(base))
    return {"npi": tuple(npis), "upc": tuple(upcs), "gln": tuple(glns)}


_POOLS = _make_pools()
_NPI = _POOLS["npi"]
_UPC = _POOLS["upc"]
_GLN = _POOLS["gln"]

# ---------------------------------------------------------------------------
# Delimiters
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class X12Delims:
    """X12 separators; ``suffix`` is written after each terminator (newline styles)."""

    element: str
    component: str
    repetition: str
    segment: str
    suffix: str = ""


@dataclass(frozen=True, slots=True)
class EdifactDelims:
    """EDIFACT service characters; ``una`` forces a UNA even for the defaults."""

    component: str = ":"
    element: str = "+"
    decimal: str = "."
    release: str = "?"
    segment: str = "'"
    suffix: str = ""
    una: bool = False

    @property
    def default(self) -> bool:
        """True when these are the ISO 9735 defaults (no UNA needed)."""
        return (self.component, self.element, self.decimal, self.release, self.segment) == (
            ":",
            "+",
            ".",
            "?",
            "'",
        )


X12_DELIMITERS: dict[str, X12Delims] = {
    "standard": X12Delims("*", ":", "^", "~"),
    "newline": X12Delims("*", ":", "^", "~", "\n"),
    "crlf": X12Delims("*", ":", "^", "~", "\r\n"),
    "alt": X12Delims("|", ">", "!", "~", "\n"),
    "lineterm": X12Delims("*", ">", "^", "\n"),
}
EDIFACT_DELIMITERS: dict[str, EdifactDelims] = {
    "standard": EdifactDelims(),
    "newline": EdifactDelims(suffix="\n"),
    "crlf": EdifactDelims(suffix="\r\n", una=True),
    "alt": EdifactDelims("=", "*", ".", "?", "~", "\n"),
    "lineterm": EdifactDelims(":", "+", ",", "?", "'", "\n", una=True),
}
DELIMITER_PRESETS: tuple[str, ...] = (*X12_DELIMITERS, "mixed")

# ---------------------------------------------------------------------------
# Bad variants
# ---------------------------------------------------------------------------

BAD_KINDS: dict[str, str] = {
    "segment_count": "SE01 / UNT01 off by one",
    "transaction_control": "SE02 != ST02 / UNT02 != UNH01",
    "group_control": "GE02 != GS06 (X12 only)",
    "interchange_control": "IEA02 != ISA13 / UNZ02 != UNB05",
    "transaction_count": "GE01 / UNZ01 off by one",
    "group_count": "IEA01 off by one (X12 only)",
    "no_transaction_trailer": "SE / UNT missing",
    "no_group_trailer": "GE missing (X12 only)",
    "no_interchange_trailer": "IEA / UNZ missing",
}
_TX_BAD = ("segment_count", "transaction_control", "no_transaction_trailer")
_GROUP_BAD = ("group_control", "transaction_count", "no_group_trailer")
_ICH_BAD = ("interchange_control", "group_count", "no_interchange_trailer")
# Each trailer's kinds: (left out, count off by one, wrong control reference).
_TX_TRAILER = ("no_transaction_trailer", "segment_count", "transaction_control")
_GROUP_TRAILER = ("no_group_trailer", "transaction_count", "group_control")
_X12_ICH_TRAILER = ("no_interchange_trailer", "group_count", "interchange_control")
_EDIFACT_ICH_TRAILER = ("no_interchange_trailer", "transaction_count", "interchange_control")

# ---------------------------------------------------------------------------
# The writing context
# ---------------------------------------------------------------------------

_DATE0 = date(2024, 1, 1).toordinal()


class _Ctx:
    """Per-run state: the random source, current delimiters, segment buffer and clock."""

    __slots__ = (
        "comp",
        "count",
        "d6",
        "d8",
        "dec",
        "el",
        "esc_table",
        "now",
        "r",
        "rep",
        "segs",
        "t4",
        "term",
        "today",
    )

    def __init__(self, rng: random.Random) -> None:
        self.r = rng.random
        self.segs: list[str] = []
        self.count = 0
        self.el = "*"
        self.comp = ":"
        self.rep: str | None = "^"
        self.term = "~"
        self.dec = "."
        self.esc_table: dict[int, str] | None = None
        self.now = datetime(2024, 1, 1, 8, 0)
        self.today = _DATE0
        self.d8 = "20240101"
        self.d6 = "240101"
        self.t4 = "0800"

    # -- delimiters ---------------------------------------------------------
    def use_x12(self, d: X12Delims, version5: bool) -> None:
        """Switch to an X12 interchange's separators."""
        self.el, self.comp, self.term = d.element, d.component, d.segment + d.suffix
        self.rep = d.repetition if version5 else None
        self.dec = "."
        self.esc_table = None

    def use_edifact(self, d: EdifactDelims) -> None:
        """Switch to an EDIFACT interchange's service characters."""
        self.el, self.comp, self.term = d.element, d.component, d.segment + d.suffix
        self.rep = None
        self.dec = d.decimal
        specials = {d.component, d.element, d.release, d.segment}
        self.esc_table = {ord(ch): d.release + ch for ch in specials}

    # -- clock --------------------------------------------------------------
    def tick(self) -> None:
        """Advance the interchange clock by up to ~40 minutes."""
        self.now += timedelta(seconds=30 + int(self.r() * 2400))
        n = self.now
        self.today = n.toordinal()
        self.d8 = f"{n.year:04d}{n.month:02d}{n.day:02d}"
        self.d6 = self.d8[2:]
        self.t4 = f"{n.hour:02d}{n.minute:02d}"

    def days(self, offset: int) -> str:
        """CCYYMMDD of today + offset days."""
        return _ymd(self.today + offset)

    def dob(self) -> str:
        """A birth date between 1940 and 2020."""
        return _ymd(_DOB0 + int(self.r() * 29200))

    # -- random helpers -----------------------------------------------------
    def pick(self, seq: Sequence[Any]) -> Any:
        """Uniform choice (cheaper than random.choice)."""
        return seq[int(self.r() * len(seq))]

    def num(self, lo: int, hi: int) -> int:
        """Uniform integer in [lo, hi]."""
        return lo + int(self.r() * (hi - lo + 1))

    def digits(self, n: int) -> str:
        """n random decimal digits, first one non-zero."""
        lo = 10 ** (n - 1)
        return str(lo + int(self.r() * (9 * lo)))

    def money(self, cents: int) -> str:
        """Amount with two decimals using the interchange's decimal mark."""
        s = f"{cents // 100}{self.dec}{cents % 100:02d}"
        return s if cents >= 0 else "-" + f"{-cents // 100}{self.dec}{-cents % 100:02d}"

    def esc(self, text: str) -> str:
        """Release (escape) EDIFACT service characters inside free text."""
        t = self.esc_table
        return text.translate(t) if t else text

    # -- segments -----------------------------------------------------------
    def seg(self, *parts: str) -> None:
        """Append one segment; trailing empty elements are dropped as the standards require."""
        n = len(parts)
        while n > 1 and not parts[n - 1]:
            n -= 1
        self.segs.append(self.el.join(parts[:n] if n < len(parts) else parts) + self.term)
        self.count += 1

    def c(self, *parts: str) -> str:
        """A composite element (trailing empty components dropped)."""
        n = len(parts)
        while n > 1 and not parts[n - 1]:
            n -= 1
        return self.comp.join(parts[:n])

    def reps(self, values: Sequence[str]) -> str:
        """A repeated element (first value only when the version has no repetition separator)."""
        return self.rep.join(values) if self.rep else values[0]


def _ymd(ordinal: int) -> str:
    d = date.fromordinal(ordinal)
    return f"{d.year:04d}{d.month:02d}{d.day:02d}"


_DOB0 = date(1940, 1, 1).toordinal()

# ---------------------------------------------------------------------------
# X12 transaction set builders: each writes the segments between ST and SE.
# ---------------------------------------------------------------------------


def _person(c: _Ctx) -> tuple[str, str, str]:
    return c.pick(_LAST), c.pick(_FIRST), c.pick(_MIDDLE)


def _addr(c: _Ctx) -> None:
    """N3 + N4 with a US address."""
    suite = c.pick(_SUITE)
    c.seg("N3", f"{c.num(1, 9899)} {c.pick(_STREET)}", suite)
    city, st, z = c.pick(_CITY)
    c.seg("N4", city, st, z + (c.digits(4) if c.r() < 0.5 else ""))


def _x850(c: _Ctx, lines: int, version: str) -> None:
    """850 Purchase Order: BEG, REF, PER, FOB, ITD, DTM, TD5, N1 loops, PO1/PID lines, CTT, AMT."""
    po = f"PO{c.digits(8)}"
    c.seg("BEG", "00", c.pick(("SA", "SA", "NE", "DS")), po, "", c.d8)
    c.seg("CUR", "BY", "USD")
    c.seg("REF", "DP", str(c.num(1, 99)).zfill(3))
    c.seg("REF", "IA", c.digits(7))
    c.seg("PER", "BD", f"{c.pick(_FIRST)} {c.pick(_LAST)}", "TE", c.digits(10))
    c.seg("FOB", c.pick(("PP", "CC", "PB")))
    c.seg("ITD", "01", "3", "2", "", "10", "", "30", "", "", "", "", "2% 10 NET 30")
    c.seg("DTM", "002", c.days(c.num(5, 30)))
    c.seg("DTM", "010", c.days(c.num(1, 4)))
    scac, carrier = c.pick(_SCAC)
    c.seg("TD5", "", "2", scac, "M", carrier)
    c.seg("N1", "ST", c.pick(_COMPANY) + f" DC {c.num(1, 99)}", "92", c.digits(4))
    _addr(c)
    c.seg("N1", "BT", c.pick(_COMPANY), "1", c.digits(9))
    _addr(c)
    total = 0
    qty_sum = 0
    for i in range(1, lines + 1):
        qty = c.num(1, 500)
        price = c.num(99, 25000)
        total += qty * price
        qty_sum += qty
        c.seg(
            "PO1",
            str(i),
            str(qty),
            c.pick(_UOM),
            c.money(price),
            "PE",
            "UP",
            c.pick(_UPC),
            "VN",
            f"V{c.digits(6)}",
        )
        c.seg("PID", "F", "", "", "", c.pick(_PRODUCT))
        if c.r() < 0.2:
            c.seg("SCH", str(qty), "EA", "", "", "002", c.days(c.num(5, 40)))
    c.seg("CTT", str(lines), str(qty_sum))
    c.seg("AMT", "TT", c.money(total))


def _x810(c: _Ctx, lines: int, version: str) -> None:
    """810 Invoice: BIG, CUR, REF, N1 loops, ITD, DTM, IT1/PID lines, TDS, CAD, ISS, CTT."""
    c.seg("BIG", c.d8, f"INV{c.digits(7)}", c.days(-c.num(3, 20)), f"PO{c.digits(8)}")
    c.seg("CUR", "SE", "USD")
    c.seg("REF", "DP", str(c.num(1, 99)).zfill(3))
    c.seg("REF", "VN", c.digits(8))
    for code in ("ST", "BT", "RE"):
        c.seg("N1", code, c.pick(_COMPANY), "9", c.digits(9))
        _addr(c)
    c.seg("ITD", "01", "3", "1", "", "15", "", "30", "", "", "", "", "1% 15 NET 30")
    c.seg("DTM", "011", c.days(-c.num(1, 5)))
    c.seg("FOB", "PP")
    total = 0
    cases = 0
    for i in range(1, lines + 1):
        qty = c.num(1, 120)
        price = c.num(99, 25000)
        total += qty * price
        cases += qty
        c.seg(
            "IT1",
            str(i),
            str(qty),
            "CA",
            c.money(price),
            "",
            "UP",
            c.pick(_UPC),
            "VN",
            f"V{c.digits(6)}",
        )
        c.seg("PID", "F", "", "", "", c.pick(_PRODUCT))
    c.seg("TDS", str(total))
    scac, carrier = c.pick(_SCAC)
    c.seg("CAD", "M", "", "", scac, carrier)
    c.seg("ISS", str(cases), "CA")
    c.seg("CTT", str(lines))


def _x855(c: _Ctx, lines: int, version: str) -> None:
    """855 Purchase Order Acknowledgment: BAK, REF, DTM, N1, PO1 + ACK per line, CTT."""
    c.seg(
        "BAK",
        "00",
        c.pick(("AC", "AD", "AK")),
        f"PO{c.digits(8)}",
        c.days(-c.num(1, 5)),
        "",
        "",
        "",
        f"SO{c.digits(7)}",
        c.d8,
    )
    c.seg("REF", "VR", c.digits(7))
    c.seg("DTM", "067", c.days(c.num(3, 21)))
    c.seg("N1", "ST", c.pick(_COMPANY), "92", c.digits(4))
    c.seg("N1", "SU", c.pick(_COMPANY), "1", c.digits(9))
    for i in range(1, lines + 1):
        qty = c.num(1, 500)
        c.seg(
            "PO1",
            str(i),
            str(qty),
            "EA",
            c.money(c.num(99, 25000)),
            "PE",
            "UP",
            c.pick(_UPC),
            "VN",
            f"V{c.digits(6)}",
        )
        status = "IA" if c.r() < 0.85 else c.pick(("IB", "IQ", "IR"))
        c.seg("ACK", status, str(qty if status != "IR" else 0), "EA", "068", c.days(c.num(3, 21)))
    c.seg("CTT", str(lines))


def _x856(c: _Ctx, lines: int, version: str) -> None:
    """856 Ship Notice: BSN, shipment/order/pack/item HL hierarchy (S/O/P/I), CTT = HL count."""
    c.seg("BSN", "00", f"SH{c.digits(8)}", c.d8, c.t4, "0001")
    hl = 1
    c.seg("HL", "1", "", "S")
    packs = max(1, (lines + 2) // 3)
    c.seg("TD1", "CTN25", str(packs), "", "", "", "G", str(c.num(5, 900)), "LB")
    scac, carrier = c.pick(_SCAC)
    c.seg("TD5", "B", "2", scac, "M", carrier)
    c.seg("REF", "BM", c.digits(10))
    c.seg("REF", "CN", f"1Z{c.digits(16)}")
    c.seg("DTM", "011", c.d8)
    c.seg("DTM", "017", c.days(c.num(1, 5)))
    c.seg("N1", "ST", c.pick(_COMPANY) + f" STORE {c.num(1, 999)}", "92", c.digits(4))
    _addr(c)
    c.seg("N1", "SF", c.pick(_COMPANY), "1", c.digits(9))
    _addr(c)
    hl += 1
    order_hl = hl
    c.seg("HL", str(hl), "1", "O")
    c.seg("PRF", f"PO{c.digits(8)}", "", "", c.days(-c.num(3, 20)))
    c.seg("REF", "DP", str(c.num(1, 99)).zfill(3))
    item = 0
    while item < lines:
        hl += 1
        pack_hl = hl
        c.seg("HL", str(hl), str(order_hl), "P")
        sscc = "00" + "0" + c.digits(16)
        c.seg("MAN", "GM", sscc + _gs1_digit(sscc[2:]))
        for _ in range(min(3, lines - item)):
            item += 1
            hl += 1
            c.seg("HL", str(hl), str(pack_hl), "I")
            c.seg("LIN", str(item), "UP", c.pick(_UPC), "VN", f"V{c.digits(6)}")
            c.seg("SN1", str(item), str(c.num(1, 48)), "EA")
            c.seg("PID", "F", "", "", "", c.pick(_PRODUCT))
    c.seg("CTT", str(hl))


def _x837(c: _Ctx, lines: int, version: str) -> None:
    """837P (005010X222A1): BHT, 1000A/B, 2000A billing provider, 2000B/2000C HL, 2300 CLM/HI, 2400 LX/SV1/DTP."""
    c.seg("BHT", "0019", "00", c.digits(9), c.d8, c.t4, "CH")
    c.seg("NM1", "41", "2", c.pick(_PROVIDER_ORG), "", "", "", "", "46", c.digits(9))
    c.seg("PER", "IC", f"{c.pick(_FIRST)} {c.pick(_LAST)}", "TE", c.digits(10), "EX", c.digits(3))
    c.seg("NM1", "40", "2", c.pick(_PAYER), "", "", "", "", "46", c.digits(9))
    c.seg("HL", "1", "", "20", "1")
    c.seg("PRV", "BI", "PXC", c.pick(_TAXONOMY))
    c.seg("NM1", "85", "2", c.pick(_PROVIDER_ORG), "", "", "", "", "XX", c.pick(_NPI))
    c.seg("N3", f"{c.num(1, 9899)} {c.pick(_STREET)}")
    city, st, z = c.pick(_CITY)
    c.seg("N4", city, st, z + c.digits(4))
    c.seg("REF", "EI", c.digits(9))
    hl = 1
    payer = c.pick(_PAYER)
    payer_id = c.digits(5)
    for _ in range(c.num(1, 3)):
        hl += 1
        sub_hl = hl
        dependent = c.r() < 0.35
        c.seg("HL", str(hl), "1", "22", "1" if dependent else "0")
        c.seg(
            "SBR",
            "P",
            "" if dependent else "18",
            f"GRP{c.digits(6)}",
            "",
            "",
            "",
            "",
            "",
            c.pick(("CI", "BL", "HM", "MB", "MC")),
        )
        last, first, mid = _person(c)
        c.seg("NM1", "IL", "1", last, first, mid, "", "", "MI", f"{c.pick('ABHJKW')}{c.digits(9)}")
        if not dependent:
            _addr(c)
            c.seg("DMG", "D8", c.dob(), c.pick("MF"))
        c.seg("NM1", "PR", "2", payer, "", "", "", "", "PI", payer_id)
        if dependent:
            hl += 1
            c.seg("HL", str(hl), str(sub_hl), "23", "0")
            c.seg("PAT", c.pick(("01", "19", "19", "20")))
            c.seg("NM1", "QC", "1", last, c.pick(_FIRST))
            _addr(c)
            c.seg("DMG", "D8", c.dob(), c.pick("MF"))
        _claim_837(c, lines)


def _claim_837(c: _Ctx, lines: int) -> None:
    n = min(lines, 50)
    charges = []
    for _ in range(n):
        code, cents = c.pick(_CPT)
        units = c.num(1, 3) if c.r() < 0.2 else 1
        charges.append((code, cents * units, units))
    total = sum(ch for _, ch, _ in charges)
    c.seg(
        "CLM", f"PCN{c.digits(8)}", c.money(total), "", "", c.c("11", "B", "1"), "Y", "A", "Y", "Y"
    )
    svc_date = c.num(3, 45)
    c.seg("DTP", "431", "D8", c.days(-svc_date - c.num(1, 30)))
    if c.r() < 0.3:
        c.seg("REF", "G1", c.digits(10))
    diags = [c.pick(_ICD10) for _ in range(c.num(1, 4))]
    his = [c.c("ABK", diags[0])] + [c.c("ABF", d) for d in diags[1:]]
    c.seg("HI", *his)
    if c.r() < 0.5:
        last, first, mid = _person(c)
        c.seg("NM1", "82", "1", last, first, mid, "", "", "XX", c.pick(_NPI))
        c.seg("PRV", "PE", "PXC", c.pick(_TAXONOMY))
    for i, (code, cents, units) in enumerate(charges, 1):
        c.seg("LX", str(i))
        pointers = c.c(*[str(k) for k in range(1, min(len(diags), 4) + 1)])
        c.seg("SV1", c.c("HC", code), c.money(cents), "UN", str(units), "", "", pointers)
        c.seg("DTP", "472", "D8", c.days(-svc_date + (i % 3)))
        if c.r() < 0.25:
            c.seg("REF", "6R", c.digits(10))


def _x835(c: _Ctx, lines: int, version: str) -> None:
    """835 (005010X221A1): BPR, TRN, DTM, 1000A/B N1 loops, LX, CLP/CAS/NM1/DTM, SVC/DTM/CAS/AMT."""
    claims: list[tuple[str, list[tuple[str, int, int, int, int]]]] = []
    paid_total = 0
    for _ in range(c.num(1, 4)):
        svcs = []
        for _ in range(min(lines, 99)):
            code, charge = c.pick(_CPT)
            allowed = charge * c.num(55, 95) // 100
            patresp = allowed * c.pick((0, 0, 10, 20)) // 100
            svcs.append((code, charge, allowed - patresp, charge - allowed, patresp))
            paid_total += allowed - patresp
        claims.append((f"PCN{c.digits(8)}", svcs))
    payer_ein = c.digits(9)
    trace = c.digits(10)
    method = c.pick(("ACH", "ACH", "CHK"))
    if method == "ACH":
        c.seg(
            "BPR",
            "I",
            c.money(paid_total),
            "C",
            "ACH",
            "CCP",
            "01",
            c.digits(9),
            "DA",
            c.digits(10),
            "1" + payer_ein,
            "",
            "01",
            c.digits(9),
            "DA",
            c.digits(8),
            c.days(c.num(1, 5)),
        )
    else:
        c.seg(
            "BPR",
            "C",
            c.money(paid_total),
            "C",
            "CHK",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            c.days(c.num(1, 5)),
        )
    c.seg("TRN", "1", trace, "1" + payer_ein)
    c.seg("DTM", "405", c.d8)
    c.seg("N1", "PR", c.pick(_PAYER))
    c.seg("N3", f"{c.num(1, 9899)} {c.pick(_STREET)}")
    city, st, z = c.pick(_CITY)
    c.seg("N4", city, st, z)
    c.seg("PER", "BL", "PROVIDER SERVICES", "TE", c.digits(10))
    c.seg("N1", "PE", c.pick(_PROVIDER_ORG), "XX", c.pick(_NPI))
    c.seg("REF", "TJ", c.digits(9))
    c.seg("LX", "1")
    for pcn, svcs in claims:
        charge = sum(s[1] for s in svcs)
        paid = sum(s[2] for s in svcs)
        patresp = sum(s[4] for s in svcs)
        c.seg(
            "CLP",
            pcn,
            "1",
            c.money(charge),
            c.money(paid),
            c.money(patresp),
            "12",
            c.digits(14),
            "11",
            "1",
        )
        last, first, mid = _person(c)
        c.seg("NM1", "QC", "1", last, first, mid, "", "", "MI", f"{c.pick('ABHJKW')}{c.digits(9)}")
        c.seg("DTM", "232", c.days(-c.num(20, 60)))
        for code, ch, pd, co, pr in svcs:
            c.seg("SVC", c.c("HC", code), c.money(ch), c.money(pd), "", "1")
            c.seg("DTM", "472", c.days(-c.num(20, 60)))
            if co and pr:
                c.seg("CAS", "CO", "45", c.money(co), "", "PR", "2", c.money(pr))
            elif co:
                c.seg("CAS", "CO", "45", c.money(co))
            elif pr:
                c.seg("CAS", "PR", "2", c.money(pr))
            c.seg("AMT", "B6", c.money(ch - co))


def _x834(c: _Ctx, lines: int, version: str) -> None:
    """834 (005010X220A1): BGN, REF, DTP, N1 sponsor/payer, INS member loops with REF/NM1/DMG/HD/DTP."""
    c.seg("BGN", "00", c.digits(8), c.d8, c.t4, "", "", "", c.pick(("2", "4")))
    c.seg("REF", "38", f"POL{c.digits(7)}")
    c.seg("DTP", "007", "D8", c.days(c.num(0, 30)))
    c.seg("N1", "P5", c.pick(_COMPANY), "FI", c.digits(9))
    c.seg("N1", "IN", c.pick(_PAYER), "FI", c.digits(9))
    group = f"GRP{c.digits(6)}"
    plan = c.pick(("HLT", "HMO", "PPO", "DEN", "VIS"))
    members = max(1, lines)
    k = 0
    while k < members:
        sub_id = c.digits(9)
        last = c.pick(_LAST)
        family = min(members - k, c.num(1, 4))
        for j in range(family):
            k += 1
            if j == 0:
                c.seg("INS", "Y", "18", "021", "28", "A", "", "", "FT")
            else:
                c.seg("INS", "N", c.pick(("01", "19", "19")), "021", "28", "A")
            c.seg("REF", "0F", sub_id)
            c.seg("REF", "1L", group)
            c.seg("DTP", "356", "D8", c.days(c.num(0, 30)))
            c.seg(
                "NM1", "IL", "1", last, c.pick(_FIRST), c.pick(_MIDDLE), "", "", "34", c.digits(9)
            )
            if j == 0:
                c.seg("PER", "IP", "", "HP", c.digits(10))
                _addr(c)
            c.seg("DMG", "D8", c.dob(), c.pick("MF"))
            c.seg("HD", "021", "", plan, c.pick(_PLAN), "FAM" if family > 1 else "EMP")
            c.seg("DTP", "348", "D8", c.days(c.num(0, 30)))


def _eligibility_head(c: _Ctx, purpose: str) -> None:
    """BHT (``purpose`` 13 = request, 11 = response), HL 20 payer and HL 21 provider of a 270/271."""
    c.seg("BHT", "0022", purpose, c.digits(8), c.d8, c.t4)
    c.seg("HL", "1", "", "20", "1")
    c.seg("NM1", "PR", "2", c.pick(_PAYER), "", "", "", "", "PI", c.digits(5))
    c.seg("HL", "2", "1", "21", "1")
    last, first, mid = _person(c)
    c.seg("NM1", "1P", "1", last, first, mid, "", "", "XX", c.pick(_NPI))


def _x270(c: _Ctx, lines: int, version: str) -> None:
    """270 eligibility inquiry (005010X279A1 or 004010X092A1): BHT, HL 20/21/22, TRN, NM1, DMG, DTP, EQ."""
    v4 = version.startswith("004010")
    _eligibility_head(c, "13")
    hl = 2
    for _ in range(max(1, lines)):
        hl += 1
        c.seg("HL", str(hl), "2", "22", "0")
        c.seg("TRN", "1", c.digits(12), "9" + c.digits(9))
        last, first, mid = _person(c)
        c.seg("NM1", "IL", "1", last, first, mid, "", "", "MI", f"{c.pick('ABHJKW')}{c.digits(9)}")
        c.seg("DMG", "D8", c.dob(), c.pick("MF"))
        c.seg("DTP", "307" if v4 else "291", "D8", c.d8)
        for stc in ("30",) if c.r() < 0.7 else ("30", c.pick(("1", "33", "35", "47", "98", "AL"))):
            c.seg("EQ", stc)


def _x271(c: _Ctx, lines: int, version: str) -> None:
    """271 eligibility response: BHT, HL 20/21/22, TRN, NM1, N3/N4, DMG, DTP, EB benefits."""
    v4 = version.startswith("004010")
    _eligibility_head(c, "11")
    hl = 2
    plan = c.pick(_PLAN)
    for _ in range(max(1, lines)):
        hl += 1
        c.seg("HL", str(hl), "2", "22", "0")
        c.seg("TRN", "2", c.digits(12), "9" + c.digits(9))
        last, first, mid = _person(c)
        c.seg("NM1", "IL", "1", last, first, mid, "", "", "MI", f"{c.pick('ABHJKW')}{c.digits(9)}")
        _addr(c)
        c.seg("DMG", "D8", c.dob(), c.pick("MF"))
        c.seg("DTP", "307" if v4 else "346", "D8", c.days(-c.num(30, 700)))
        c.seg("EB", "1", "IND", "30", "", plan)
        stcs = c.reps(("1", "33", "35", "47", "86", "88", "98", "AL", "MH", "UC"))
        c.seg("EB", "C", "IND", "30", "", "", "23", c.money(c.pick((50000, 100000, 250000))))
        c.seg(
            "EB",
            "B",
            "IND",
            stcs,
            "HM",
            plan,
            "27",
            c.money(c.pick((1000, 2500, 3000))),
            "",
            "",
            "",
            "",
            "Y",
        )
        c.seg("EB", "A", "IND", "30", "", "", "", "", c.pick(("0.1", "0.2", "0.3")))


_ACKABLE = (("HC", "837"), ("HP", "835"), ("BE", "834"), ("HS", "270"), ("HB", "271"))


def _x997(c: _Ctx, lines: int, version: str, acked: Sequence[tuple[str, str]] = _ACKABLE) -> None:
    """997 Functional Acknowledgment: AK1, AK2/AK5 per acknowledged set, AK9."""
    fid, ts = c.pick(acked)
    c.seg("AK1", fid, str(c.num(1, 99999)))
    n = max(1, lines)
    accepted = 0
    for i in range(n):
        c.seg("AK2", ts, f"{i + 1:04d}")
        ok = c.r() < 0.9
        accepted += ok
        if not ok:
            c.seg("AK3", c.pick(("NM1", "CLM", "N4", "REF")), str(c.num(3, 60)), "", "8")
            c.seg("AK5", "R", "5")
        else:
            c.seg("AK5", "A")
    code = "A" if accepted == n else ("P" if accepted else "R")
    c.seg("AK9", code, str(n), str(n), str(accepted))


# ---------------------------------------------------------------------------
# EDIFACT message builders: each writes the segments between UNH and UNT.
# ---------------------------------------------------------------------------


def _nad(c: _Ctx, qual: str) -> None:
    city, pc, country = c.pick(_EU_CITY)
    c.seg(
        "NAD",
        qual,
        c.c(c.pick(_GLN), "", "9"),
        "",
        c.esc(c.pick(_EU_COMPANY)),
        f"{c.pick(('HAUPTSTRASSE', 'RUE DE LA PAIX', 'KERKSTRAAT', 'VIA ROMA', 'MAIN ROAD'))} {c.num(1, 200)}",
        city,
        "",
        pc,
        country,
    )


def _e_orders(c: _Ctx, lines: int, version: str) -> None:
    """ORDERS: BGM 220, DTM 137/2, RFF, NAD BY/SU/DP, CUX, LIN/PIA/IMD/QTY/PRI, UNS, CNT."""
    c.seg("BGM", "220", f"PO{c.digits(8)}", "9")
    c.seg("DTM", c.c("137", c.d8, "102"))
    c.seg("DTM", c.c("2", c.days(c.num(3, 30)), "102"))
    c.seg("RFF", c.c("CT", f"K{c.digits(6)}"))
    for q in ("BY", "SU", "DP"):
        _nad(c, q)
    c.seg("CUX", c.c("2", c.pick(_CURRENCY), "9"))
    for i in range(1, lines + 1):
        c.seg("LIN", str(i), "", c.c(c.pick(_GLN)[:12] + "5", "EN"))
        c.seg("PIA", "1", c.c(f"A{c.digits(6)}", "SA"))
        c.seg("IMD", "F", "", c.c("", "", "", c.pick(_PRODUCT)))
        c.seg("QTY", c.c("21", str(c.num(1, 500))))
        c.seg("PRI", c.c("AAA", c.money(c.num(50, 50000))))
    c.seg("UNS", "S")
    c.seg("CNT", c.c("2", str(lines)))


def _e_invoic(c: _Ctx, lines: int, version: str) -> None:
    """INVOIC: BGM 380, DTM, RFF ON, NAD, CUX, LIN/QTY/MOA/PRI, UNS, CNT, MOA totals, TAX."""
    c.seg("BGM", "380", f"INV{c.digits(7)}", "9")
    c.seg("DTM", c.c("137", c.d8, "102"))
    c.seg("DTM", c.c("35", c.days(-c.num(1, 5)), "102"))
    c.seg("RFF", c.c("ON", f"PO{c.digits(8)}"))
    for q in ("SU", "BY", "IV"):
        _nad(c, q)
    c.seg("RFF", c.c("VA", f"DE{c.digits(9)}"))
    c.seg("CUX", c.c("2", c.pick(_CURRENCY), "4"))
    c.seg("PAT", "1", "", c.c("5", "3", "D", "30"))
    total = 0
    for i in range(1, lines + 1):
        qty = c.num(1, 500)
        price = c.num(50, 50000)
        amount = qty * price // 100
        total += amount
        c.seg("LIN", str(i), "", c.c(c.pick(_GLN)[:12] + "5", "EN"))
        c.seg("IMD", "F", "", c.c("", "", "", c.pick(_PRODUCT)))
        c.seg("QTY", c.c("47", str(qty), "PCE"))
        c.seg("MOA", c.c("203", c.money(amount)))
        c.seg("PRI", c.c("AAA", c.money(price)))
    tax = total * 19 // 100
    c.seg("UNS", "S")
    c.seg("CNT", c.c("2", str(lines)))
    c.seg("MOA", c.c("79", c.money(total)))
    c.seg("MOA", c.c("77", c.money(total + tax)))
    c.seg("MOA", c.c("124", c.money(tax)))
    c.seg("TAX", "7", "VAT", "", "", c.c("", "", "", "19"), "S")
    c.seg("MOA", c.c("124", c.money(tax)))


def _e_desadv(c: _Ctx, lines: int, version: str) -> None:
    """DESADV: BGM 351, DTM, RFF ON, NAD, CPS hierarchy with PAC/PCI/GIN (SSCC), LIN/QTY, CNT."""
    c.seg("BGM", "351", f"DA{c.digits(8)}", "9")
    c.seg("DTM", c.c("137", c.d8, "102"))
    c.seg("DTM", c.c("11", c.d8, "102"))
    c.seg("DTM", c.c("132", c.days(c.num(1, 3)), "102"))
    c.seg("RFF", c.c("ON", f"PO{c.digits(8)}"))
    for q in ("SU", "BY", "DP"):
        _nad(c, q)
    packs = max(1, (lines + 3) // 4)
    c.seg("CPS", "1")
    c.seg("PAC", str(packs), "", "201")
    item = 0
    for p in range(packs):
        c.seg("CPS", str(p + 2), "1")
        c.seg("PAC", "1", "", "201")
        c.seg("PCI", "33E")
        sscc = "3" + c.pick(_GLN)[:7] + c.digits(9)
        c.seg("GIN", "BJ", sscc + _gs1_digit(sscc))
        for _ in range(min(4, lines - item)):
            item += 1
            c.seg("LIN", str(item), "", c.c(c.pick(_GLN)[:12] + "5", "EN"))
            c.seg("QTY", c.c("12", str(c.num(1, 96))))
    c.seg("CNT", c.c("2", str(lines)))


def _e_ordrsp(c: _Ctx, lines: int, version: str) -> None:
    """ORDRSP: BGM 231, DTM, RFF ON, NAD, LIN with action code, QTY, PRI, UNS, CNT."""
    c.seg("BGM", "231", f"OR{c.digits(8)}", c.pick(("29", "29", "4")))
    c.seg("DTM", c.c("137", c.d8, "102"))
    c.seg("RFF", c.c("ON", f"PO{c.digits(8)}"))
    c.seg("DTM", c.c("171", c.days(-c.num(1, 5)), "102"))
    for q in ("BY", "SU"):
        _nad(c, q)
    for i in range(1, lines + 1):
        action = "5" if c.r() < 0.8 else c.pick(("3", "7"))
        c.seg("LIN", str(i), action, c.c(c.pick(_GLN)[:12] + "5", "EN"))
        qty = c.num(1, 500)
        c.seg("QTY", c.c("21", str(qty)))
        if action != "5":
            c.seg("QTY", c.c("113", str(c.num(0, qty))))
        c.seg("PRI", c.c("AAA", c.money(c.num(50, 50000))))
        c.seg("DTM", c.c("2", c.days(c.num(3, 30)), "102"))
    c.seg("UNS", "S")
    c.seg("CNT", c.c("2", str(lines)))


# ---------------------------------------------------------------------------
# Type registry
# ---------------------------------------------------------------------------

Builder = Callable[[_Ctx, int, str], None]


@dataclass(frozen=True, slots=True)
class TypeSpec:
    """One generatable transaction type: how to build it and how to envelope it."""

    name: str
    standard: str  # "x12" | "edifact"
    builder: Builder
    versions: tuple[str, ...]  # first = default
    functional_id: str = ""  # X12 GS01
    max_lines: int = 100_000
    per_partner_version: bool = False  # alternate the versions across partners


X12_TYPES: dict[str, TypeSpec] = {
    "850": TypeSpec("850", "x12", _x850, ("004010", "005010"), "PO"),
    "810": TypeSpec("810", "x12", _x810, ("004010", "005010"), "IN"),
    "855": TypeSpec("855", "x12", _x855, ("004010", "005010"), "PR"),
    "856": TypeSpec("856", "x12", _x856, ("004010", "005010"), "SH"),
    "837": TypeSpec("837", "x12", _x837, ("005010X222A1",), "HC", max_lines=50),
    "835": TypeSpec("835", "x12", _x835, ("005010X221A1",), "HP", max_lines=99),
    "834": TypeSpec("834", "x12", _x834, ("005010X220A1",), "BE"),
    "270": TypeSpec("270", "x12", _x270, ("005010X279A1", "004010X092A1"), "HS"),
    "271": TypeSpec("271", "x12", _x271, ("005010X279A1", "004010X092A1"), "HB"),
    "997": TypeSpec("997", "x12", _x997, ("004010", "005010"), "FA"),
}
EDIFACT_TYPES: dict[str, TypeSpec] = {
    t.name: t
    for t in (
        TypeSpec("ORDERS", "edifact", _e_orders, ("D96A", "D01B"), per_partner_version=True),
        TypeSpec("INVOIC", "edifact", _e_invoic, ("D96A", "D01B"), per_partner_version=True),
        TypeSpec("DESADV", "edifact", _e_desadv, ("D96A", "D01B"), per_partner_version=True),
        TypeSpec("ORDRSP", "edifact", _e_ordrsp, ("D96A", "D01B"), per_partner_version=True),
    )
}
ALL_TYPES: dict[str, TypeSpec] = {**X12_TYPES, **EDIFACT_TYPES}
# Which X12 sets a 997 acknowledges when they are in the mix.
_X12_ACK_OF = {
    "850": "PO",
    "810": "IN",
    "855": "PR",
    "856": "SH",
    "837": "HC",
    "835": "HP",
    "834": "BE",
    "270": "HS",
    "271": "HB",
}

MIX_PRESETS: dict[str, dict[str, float]] = {
    "all": {t: 1.0 for t in ALL_TYPES},
    "x12": {t: 1.0 for t in X12_TYPES},
    "edifact": {t: 1.0 for t in EDIFACT_TYPES},
    "hipaa": {"837": 4.0, "835": 2.0, "834": 1.0, "270": 1.0, "271": 1.0},
    "supply": {"850": 3.0, "810": 2.0, "856": 2.0, "855": 1.0, "997": 1.0},
    "pyx12": {"837": 2.0, "835": 1.0, "834": 1.0},
}


def parse_mix(text: str | Mapping[str, float]) -> dict[str, float]:
    """``"837=0.5,850=0.3"`` or a preset name (``MIX_PRESETS``) to a weight per type."""
    if not isinstance(text, str):
        mix = {str(k).upper(): float(v) for k, v in text.items()}
    elif text in MIX_PRESETS:
        mix = dict(MIX_PRESETS[text])
    else:
        mix = {}
        for part in filter(None, (p.strip() for p in text.split(","))):
            name, _, weight = part.partition("=")
            mix[name.strip().upper()] = float(weight) if weight else 1.0
    unknown = sorted(set(mix) - set(ALL_TYPES))
    if unknown:
        raise ValueError(f"unknown transaction type(s) {unknown}; known: {sorted(ALL_TYPES)}")
    mix = {k: v for k, v in mix.items() if v > 0}
    if not mix:
        raise ValueError("the mix has no type with a positive weight")
    return mix


_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(I?B?)\s*$", re.IGNORECASE)


def parse_size(text: str | int) -> int:
    """``"1G"``, ``"50M"``, ``"200k"``, ``"1GiB"`` or a plain byte count to bytes (powers of 1024)."""
    if isinstance(text, int):
        return text
    m = _SIZE_RE.match(text)
    if not m:
        raise ValueError(f"not a size: {text!r} (use e.g. 1G, 50M, 200K or a byte count)")
    mult = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}[m.group(2).upper()]
    return int(float(m.group(1)) * mult)


def partner_id(index: int) -> str:
    """The partner id of 0-based partner ``index``: ``PARTNER001``, ``PARTNER002``, ..."""
    return f"PARTNER{index + 1:03d}"


# ---------------------------------------------------------------------------
# Stats
# ---------------------------------------------------------------------------


@dataclass
class GenerateStats:
    """What was generated: counts per type and envelope level, bytes, injected faults."""

    seed: int
    bytes: int = 0
    interchanges: int = 0
    groups: int = 0
    transactions: int = 0
    segments: int = 0  # every segment including envelopes; UNA (a service string advice) excluded
    by_type: dict[str, int] = field(default_factory=dict)  # transaction sets per type
    segments_by_standard: dict[str, int] = field(default_factory=dict)
    interchanges_by_standard: dict[str, int] = field(default_factory=dict)
    senders: dict[str, int] = field(default_factory=dict)  # interchanges per "QUALIFIER:ID"
    bad: list[dict[str, Any]] = field(default_factory=list)  # one record per injected fault

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON."""
        return asdict(self)


# ---------------------------------------------------------------------------
# The generator
# ---------------------------------------------------------------------------


class _Writer:
    """Buffers text and writes ASCII bytes in ~1 MiB chunks; tracks the byte count."""

    __slots__ = ("fp", "pending", "pending_len", "total")

    def __init__(self, fp: BinaryIO) -> None:
        self.fp = fp
        self.pending: list[str] = []
        self.pending_len = 0
        self.total = 0

    def add(self, text: str) -> None:
        n = len(text)
        self.pending.append(text)
        self.pending_len += n
        self.total += n
        if self.pending_len >= 1 << 20:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self.fp.write("".join(self.pending).encode("latin-1"))
            self.pending.clear()
            self.pending_len = 0


@dataclass(slots=True)
class _Partner:
    index: int
    id: str
    x12: X12Delims
    edifact: EdifactDelims
    ack: bool


class _Gen:
    """One generate() run."""

    def __init__(
        self,
        fp: BinaryIO,
        *,
        seed: int,
        mix: dict[str, float],
        lines: tuple[int, int],
        partners: int,
        delimiters: str,
        versions: Mapping[str, str],
        bad: Sequence[str],
        bad_rate: float,
        test: bool,
        receiver: str,
    ) -> None:
        self.rng = random.Random(seed)
        self.bad_rng = random.Random(seed * 7919 + 17)
        self.c = _Ctx(self.rng)
        self.out = _Writer(fp)
        self.stats = GenerateStats(seed=seed)
        self.lines = lines
        self.test = test
        self.bad = tuple(bad)
        self.bad_rate = bad_rate
        rq, _, rid = receiver.rpartition(":")
        self.receiver = (rq or "ZZ", rid)
        names = list(X12_DELIMITERS)
        self.partners = []
        for i in range(max(1, partners)):
            preset = names[i % len(names)] if delimiters == "mixed" else delimiters
            self.partners.append(
                _Partner(
                    i, partner_id(i), X12_DELIMITERS[preset], EDIFACT_DELIMITERS[preset], i % 3 == 0
                )
            )
        self.versions = dict(versions)
        for name, v in self.versions.items():
            spec = ALL_TYPES.get(name)
            if spec is None or v not in spec.versions:
                allowed = spec.versions if spec else ()
                raise ValueError(f"version {v!r} not supported for {name!r}: {allowed}")
        # Split the mix by standard; interchanges pick a standard by total weight.
        self.by_std: dict[str, tuple[list[str], list[float]]] = {}
        for std in ("x12", "edifact"):
            names_ = [t for t in mix if ALL_TYPES[t].standard == std]
            if names_:
                acc: list[float] = []
                s = 0.0
                for t in names_:
                    s += mix[t]
                    acc.append(s)
                self.by_std[std] = (names_, acc)
        self.std_names = list(self.by_std)
        self.std_acc: list[float] = []
        s = 0.0
        for std in self.std_names:
            s += self.by_std[std][1][-1]
            self.std_acc.append(s)
        acked = [(_X12_ACK_OF[t], t) for t in mix if t in _X12_ACK_OF]
        self.acked = tuple(acked) or _ACKABLE
        self.isa_ctl = 1 + self.rng.randrange(10**8)
        self.gs_ctl = 1 + self.rng.randrange(10**6)
        self.c.now = datetime(2024, 1, 1) + timedelta(minutes=self.rng.randrange(365 * 24 * 60))

    # -- helpers ------------------------------------------------------------
    def _weighted(self, names: list[str], acc: list[float]) -> str:
        x = self.rng.random() * acc[-1]
        for name, a in zip(names, acc, strict=True):
            if x < a:
                return name
        return names[-1]

    def _lines(self, spec: TypeSpec) -> int:
        lo, hi = self.lines
        return min(spec.max_lines, lo + int(self.rng.random() * (hi - lo + 1)))

    def _version(self, spec: TypeSpec, partner: _Partner) -> str:
        v = self.versions.get(spec.name)
        if v:
            return v
        if spec.per_partner_version:
            return spec.versions[partner.index % len(spec.versions)]
        return spec.versions[0]

    def _bad(self, kinds: Sequence[str]) -> list[str]:
        return [k for k in kinds if k in self.bad and self.bad_rng.random() < self.bad_rate]

    def _record_bad(
        self, kind: str, std: str, ich: str, grp: str | None, tx: str | None, type_: str | None
    ) -> None:
        self.stats.bad.append(
            {
                "kind": kind,
                "standard": std,
                "interchange": ich,
                "group": grp,
                "transaction": tx,
                "type": type_,
                "offset": self.out.total,
            }
        )

    def _trailer(
        self,
        tag: str,
        count: int,
        ctl: str,
        bad: Sequence[str],
        kinds: tuple[str, str, str],
        wrong_ctl: str,
        where: tuple[str, str, str | None, str | None, str | None],
    ) -> None:
        """Write trailer ``tag`` (``count``, ``ctl``) spoilt by the ``bad`` kinds drawn for it.

        ``kinds`` (left out, count off by one, control ``wrong_ctl``) as in
        ``_TX_TRAILER``; ``where`` is what ``_record_bad`` records after the kind.
        """
        missing, wrong_count, wrong_control = kinds
        if missing in bad:
            self._record_bad(missing, *where)
            return
        if wrong_count in bad:
            count += 1
            self._record_bad(wrong_count, *where)
        if wrong_control in bad:
            ctl = wrong_ctl
            self._record_bad(wrong_control, *where)
        self.c.seg(tag, str(count), ctl)

    def _emit(self) -> None:
        """Move the context's finished segments to the writer."""
        c = self.c
        if c.segs:
            self.out.add("".join(c.segs))
            self.stats.segments += len(c.segs)
            c.segs.clear()

    # -- run ----------------------------------------------------------------
    def run(self, interchanges: int | None, per_ich: int, target: int | None) -> GenerateStats:
        per_ich = max(1, per_ich)
        if interchanges is None and target is None:
            interchanges = 1
        i = 0
        while True:
            if interchanges is not None and i >= interchanges:
                break
            if interchanges is None and target is not None and self.out.total >= target:
                break
            if interchanges is not None and target is not None:
                budget: int | None = target * (i + 1) // interchanges
                chunk_repeat = True
            else:
                budget = target
                chunk_repeat = False
            std = self._weighted(self.std_names, self.std_acc)
            partner = self.partners[int(self.rng.random() * len(self.partners))]
            if std == "x12":
                self._x12_interchange(partner, per_ich, budget, chunk_repeat)
            else:
                self._edifact_interchange(partner, per_ich, budget, chunk_repeat)
            i += 1
        self.out.flush()
        self.stats.bytes = self.out.total
        return self.stats

    def _draw_types(self, std: str, n: int) -> list[str]:
        names, acc = self.by_std[std]
        return [self._weighted(names, acc) for _ in range(n)]

    def _over(self, budget: int | None) -> bool:
        return budget is not None and self.out.total >= budget

    # -- X12 ----------------------------------------------------------------
    def _x12_interchange(self, p: _Partner, per_ich: int, budget: int | None, repeat: bool) -> None:
        c = self.c
        c.tick()
        st = self.stats
        seg_base = st.segments
        self.isa_ctl = self.isa_ctl % 999_999_999 + 1
        ctl = f"{self.isa_ctl:09d}"
        ich_bad = self._bad(_ICH_BAD)
        # Draw the first chunk up front: its versions decide ISA12.
        first = self._draw_types("x12", per_ich)
        version5 = any(not self._version(X12_TYPES[t], p).startswith("004010") for t in first)
        d = p.x12
        c.use_x12(d, version5)
        e = d.element
        isa11 = d.repetition if version5 else "U"
        sender = p.id.ljust(15)
        rq, rid = self.receiver
        isa = (
            e.join(
                (
                    "ISA",
                    "00",
                    " " * 10,
                    "00",
                    " " * 10,
                    "ZZ",
                    sender,
                    rq.ljust(2)[:2],
                    rid.ljust(15)[:15],
                    c.d6,
                    c.t4,
                    isa11,
                    "00501" if version5 else "00401",
                    ctl,
                    "1" if p.ack else "0",
                    "T" if self.test else "P",
                    d.component,
                )
            )
            + c.term
        )
        c.segs.append(isa)
        self._emit()
        key = f"ZZ:{p.id}"
        st.senders[key] = st.senders.get(key, 0) + 1
        st.interchanges += 1
        st.interchanges_by_standard["x12"] = st.interchanges_by_standard.get("x12", 0) + 1
        groups = 0
        chunk = first
        while True:
            order: list[tuple[str, str]] = []
            buckets: dict[tuple[str, str], int] = {}
            for t in chunk:
                k = (t, self._version(X12_TYPES[t], p))
                if k not in buckets:
                    buckets[k] = 0
                    order.append(k)
                buckets[k] += 1
            stop = False
            for t, v in order:
                groups += 1
                if self._x12_group(p, ctl, t, v, buckets[(t, v)], budget):
                    stop = True
                    break
            if stop or not repeat or self._over(budget):
                break
            chunk = self._draw_types("x12", per_ich)
        wrong_ctl = f"{(self.isa_ctl + 500) % 999_999_999:09d}"
        where = ("x12", ctl, None, None, None)
        self._trailer("IEA", groups, ctl, ich_bad, _X12_ICH_TRAILER, wrong_ctl, where)
        self._emit()
        st.segments_by_standard["x12"] = (
            st.segments_by_standard.get("x12", 0) + st.segments - seg_base
        )

    def _x12_group(
        self, p: _Partner, ich: str, t: str, version: str, n: int, budget: int | None
    ) -> bool:
        """Write one GS..GE group of ``n`` sets of type ``t``; True when the budget ran out."""
        c = self.c
        spec = X12_TYPES[t]
        self.gs_ctl = self.gs_ctl % 999_999_999 + 1
        gctl = str(self.gs_ctl)
        g_bad = self._bad(_GROUP_BAD)
        c.seg("GS", spec.functional_id, p.id, self.receiver[1], c.d8, c.t4, gctl, "X", version)
        self._emit()
        self.stats.groups += 1
        # "005010X222A1": ST03 repeats the implementation guide (the 835 guide marks it not used)
        st03 = version if len(version) > 6 and version.startswith("005010") and t != "835" else ""
        done = 0
        out_of_budget = False
        for k in range(1, n + 1):
            stctl = f"{k:04d}"
            c.count = 0
            c.seg("ST", t, stctl, st03)
            lines = self._lines(spec)
            if t == "997":
                _x997(c, lines, version, self.acked)
            else:
                spec.builder(c, lines, version)
            tx_bad = self._bad(_TX_BAD)
            wrong = f"{k + 5000:04d}"
            where = ("x12", ich, gctl, stctl, t)
            self._trailer("SE", c.count + 1, stctl, tx_bad, _TX_TRAILER, wrong, where)
            self._emit()
            done += 1
            self.stats.transactions += 1
            self.stats.by_type[t] = self.stats.by_type.get(t, 0) + 1
            if self._over(budget):
                out_of_budget = True
                break
        wrong_ctl = str(self.gs_ctl + 500)
        group = ("x12", ich, gctl, None, None)
        self._trailer("GE", done, gctl, g_bad, _GROUP_TRAILER, wrong_ctl, group)
        self._emit()
        return out_of_budget

    # -- EDIFACT ------------------------------------------------------------
    def _edifact_interchange(
        self, p: _Partner, per_ich: int, budget: int | None, repeat: bool
    ) -> None:
        c = self.c
        c.tick()
        st = self.stats
        seg_base = st.segments
        d = p.edifact
        c.use_edifact(d)
        self.isa_ctl = self.isa_ctl % 999_999_999 + 1
        ref = f"{self.isa_ctl:09d}"
        ich_bad = self._bad(_ICH_BAD)
        chunk = self._draw_types("edifact", per_ich)
        v4 = any(int(self._version(EDIFACT_TYPES[t], p)[1:3]) < 90 for t in chunk)
        if d.una or not d.default:
            self.out.add(f"UNA{d.component}{d.element}{d.decimal}{d.release} {d.segment}{d.suffix}")
        syntax = c.c("UNOC", "4") if v4 else c.c("UNOA", "3")
        stamp = c.c(c.d8 if v4 else c.d6, c.t4)
        rq, rid = self.receiver
        c.seg(
            "UNB",
            syntax,
            c.c(p.id, "ZZZ"),
            c.c(rid, "ZZZ" if rq == "ZZ" else rq),
            stamp,
            ref,
            "",
            "",
            "",
            "1" if p.ack else "",
            "",
            "1" if self.test else "",
        )
        self._emit()
        key = f"ZZZ:{p.id}"
        st.senders[key] = st.senders.get(key, 0) + 1
        st.interchanges += 1
        st.interchanges_by_standard["edifact"] = st.interchanges_by_standard.get("edifact", 0) + 1
        msgs = 0
        while True:
            stop = False
            for t in chunk:
                spec = EDIFACT_TYPES[t]
                version = self._version(spec, p)
                msgs += 1
                mref = str(msgs)
                c.count = 0
                c.seg("UNH", mref, c.c(t, "D", version[1:], "UN"))
                spec.builder(c, self._lines(spec), version)
                tx_bad = self._bad(_TX_BAD)
                where = ("edifact", ref, None, mref, t)
                wrong = str(msgs + 5000)
                self._trailer("UNT", c.count + 1, mref, tx_bad, _TX_TRAILER, wrong, where)
                self._emit()
                st.transactions += 1
                st.by_type[t] = st.by_type.get(t, 0) + 1
                if self._over(budget):
                    stop = True
                    break
            if stop or not repeat or self._over(budget):
                break
            chunk = self._draw_types("edifact", per_ich)
        if "no_interchange_trailer" not in ich_bad:  # no group: UNZ01 draws transaction_count
            ich_bad += self._bad(("transaction_count",))
        wrong_ctl = f"{(self.isa_ctl + 500) % 999_999_999:09d}"
        interchange = ("edifact", ref, None, None, None)
        self._trailer("UNZ", msgs, ref, ich_bad, _EDIFACT_ICH_TRAILER, wrong_ctl, interchange)
        self._emit()
        st.segments_by_standard["edifact"] = (
            st.segments_by_standard.get("edifact", 0) + st.segments - seg_base
        )


def generate(
    fp: BinaryIO,
    *,
    seed: int = 0,
    mix: Mapping[str, float] | str = "all",
    interchanges: int | None = None,
    transactions_per_interchange: int = 10,
    target_bytes: int | None = None,
    partners: int = 5,
    lines: int | tuple[int, int] = (1, 10),
    delimiters: str = "standard",
    versions: Mapping[str, str] | None = None,
    bad: Sequence[str] = (),
    bad_rate: float = 1.0,
    test: bool = False,
    receiver: str = "ZZ:EDIMESH",
) -> GenerateStats:
    """Write seeded interchanges to ``fp`` (binary) and return what was written.

    Sizing: ``interchanges`` alone gives exactly interchanges x
    ``transactions_per_interchange`` sets; ``target_bytes`` alone writes
    interchanges of that many sets until the size is reached (the last one is
    cut short and properly closed); both split ``target_bytes`` evenly over
    that many interchanges (``interchanges=1`` makes one huge interchange).
    ``mix`` weighs the types (``X12_TYPES``/``EDIFACT_TYPES`` keys or a
    ``MIX_PRESETS`` name); each interchange is X12 or EDIFACT, its sets drawn
    by weight and grouped one GS per (type, version). ``lines`` is the line
    items per document (range). ``delimiters`` is a preset name or "mixed"
    (one preset per partner). ``versions`` overrides a type's version
    (e.g. ``{"270": "004010X092A1"}``). ``bad`` lists ``BAD_KINDS`` to inject,
    each eligible envelope getting it with probability ``bad_rate``.
    """
    unknown = sorted(set(bad) - set(BAD_KINDS))
    if unknown:
        raise ValueError(f"unknown bad kind(s) {unknown}; known: {sorted(BAD_KINDS)}")
    if delimiters not in DELIMITER_PRESETS:
        raise ValueError(f"unknown delimiters {delimiters!r}; known: {DELIMITER_PRESETS}")
    rng_lines = (lines, lines) if isinstance(lines, int) else (int(lines[0]), int(lines[1]))
    if rng_lines[0] < 1 or rng_lines[1] < rng_lines[0]:
        raise ValueError(f"lines must be >= 1 and lo <= hi, got {lines!r}")
    if target_bytes is not None and target_bytes <= 0:
        raise ValueError("target_bytes must be positive")
    if interchanges is not None and interchanges < 0:
        raise ValueError("interchanges must be >= 0")
    gen = _Gen(
        fp,
        seed=seed,
        mix=parse_mix(mix),
        lines=rng_lines,
        partners=partners,
        delimiters=delimiters,
        versions=versions or {},
        bad=bad,
        bad_rate=bad_rate,
        test=test,
        receiver=receiver,
    )
    return gen.run(interchanges, transactions_per_interchange, target_bytes)


def generate_bytes(**kwargs: Any) -> tuple[bytes, GenerateStats]:
    """``generate`` into memory, for tests and small benchmark inputs."""
    buf = io.BytesIO()
    stats = generate(buf, **kwargs)
    return buf.getvalue(), stats


# ---------------------------------------------------------------------------
# Command line (mounted later as `edi-mesh bench generate`)
# ---------------------------------------------------------------------------


def _parse_versions(values: Sequence[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for v in values:
        name, sep, ver = v.partition("=")
        if not sep:
            raise click.BadParameter(f"expected TYPE=VERSION, got {v!r}")
        out[name.strip().upper()] = ver.strip()
    return out


@click.command("generate")
@click.option("--out", "-o", default="-", show_default=True, help="Output file ('-' = stdout).")
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same bytes.")
@click.option(
    "--mix",
    default="all",
    show_default=True,
    help=f"Preset ({', '.join(MIX_PRESETS)}) or TYPE=WEIGHT,... e.g. 837=0.5,850=0.3,ORDERS=0.2",
)
@click.option("--size", default=None, help="Target size, e.g. 1G, 50M, 200K.")
@click.option("--interchanges", type=int, default=None, help="Number of interchanges.")
@click.option(
    "--per-interchange",
    type=int,
    default=10,
    show_default=True,
    help="Transaction sets / messages per interchange.",
)
@click.option(
    "--partners",
    type=int,
    default=5,
    show_default=True,
    help="Distinct senders (ZZ:PARTNER001, ...).",
)
@click.option(
    "--lines", default="1-10", show_default=True, help="Line items per document: N or LO-HI."
)
@click.option(
    "--delimiters", type=click.Choice(DELIMITER_PRESETS), default="standard", show_default=True
)
@click.option(
    "--version",
    "versions",
    multiple=True,
    metavar="TYPE=VERSION",
    help="Override a type's version, e.g. 270=004010X092A1 (repeatable).",
)
@click.option(
    "--bad",
    multiple=True,
    type=click.Choice(sorted(BAD_KINDS)),
    help="Inject this fault (repeatable).",
)
@click.option(
    "--bad-rate",
    type=float,
    default=1.0,
    show_default=True,
    help="Probability per eligible envelope.",
)
@click.option("--test", "test_flag", is_flag=True, help="Mark interchanges as test (ISA15=T).")
def generate_cmd(
    out: str,
    seed: int,
    mix: str,
    size: str | None,
    interchanges: int | None,
    per_interchange: int,
    partners: int,
    lines: str,
    delimiters: str,
    versions: tuple[str, ...],
    bad: tuple[str, ...],
    bad_rate: float,
    test_flag: bool,
) -> None:
    """Generate seeded X12 / EDIFACT load; prints the stats as JSON (to stderr when --out is -)."""
    lo, _, hi = lines.partition("-")
    try:
        line_range = (int(lo), int(hi or lo))
        kwargs: dict[str, Any] = dict(
            seed=seed,
            mix=parse_mix(mix),
            interchanges=interchanges,
            transactions_per_interchange=per_interchange,
            target_bytes=parse_size(size) if size else None,
            partners=partners,
            lines=line_range,
            delimiters=delimiters,
            versions=_parse_versions(versions),
            bad=bad,
            bad_rate=bad_rate,
            test=test_flag,
        )
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    if out == "-":
        stats = generate(sys.stdout.buffer, **kwargs)
        sys.stdout.buffer.flush()
        click.echo(json.dumps(stats.to_dict()), err=True)
    else:
        with open(out, "wb") as f:
            stats = generate(f, **kwargs)
        click.echo(json.dumps(stats.to_dict()))


if __name__ == "__main__":
    generate_cmd()
