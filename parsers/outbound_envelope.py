"""Envelope settings of outbound interchanges, control numbers, and their checks.

:class:`Envelope` is what a partner profile says about the interchanges we send
it (our ids, its ids, version, delimiters, GS codes, test and acknowledgement
flags); :class:`Controls` are the control numbers the caller took from its
monotonic per-partner counter. :func:`resolve` checks an envelope for one
standard once (cached: envelopes are frozen) and returns the delimiters and
character rules every value of a request is checked against, or coded errors
naming the ``envelope.<field>`` at fault. Pure: no Kafka, no I/O.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final

from parsers.delimiters import EDIFACT_LEVEL_A, ISA_WIDTHS
from parsers.encoding import ASCII_REPERTOIRES, EDIFACT_CODECS
from parsers.errors import EdiError, ErrorCode, Level, Location, register
from parsers.model import Delimiters, Standard

__all__ = [
    "CODES",
    "Controls",
    "Envelope",
    "RequestError",
    "Syntax",
    "edifact_version",
    "request_error",
    "resolve",
    "x12_version_ok",
]

# -- the outbound request codes (EDI301-EDI310, the EDI3xx range) --------------------
NOT_AN_OBJECT: Final = "EDI301"
MISSING_FIELD: Final = "EDI302"
BAD_FIELD: Final = "EDI303"
UNKNOWN_TYPE: Final = "EDI304"
NEEDS_DICTIONARY: Final = "EDI305"
MISSING_SEGMENT: Final = "EDI306"
TOO_LONG: Final = "EDI307"
BAD_CHARACTERS: Final = "EDI308"
BAD_SEGMENT: Final = "EDI309"
BAD_ENVELOPE: Final = "EDI310"

_T, _S, _E, _I = Level.TRANSACTION, Level.SEGMENT, Level.ELEMENT, Level.INTERCHANGE
CODES: Final = (
    ErrorCode(NOT_AN_OBJECT, "outbound request is not a JSON object", _T, ta1="024", contrl="12"),
    ErrorCode(MISSING_FIELD, "outbound request field missing", _T, ta1="024", contrl="13"),
    ErrorCode(
        BAD_FIELD, "outbound request field has a wrong type or value", _T, ta1="024", contrl="12"
    ),
    ErrorCode(
        UNKNOWN_TYPE,
        "unknown standard, transaction set or message type in an outbound request",
        _T,
        ak5="1",
        contrl="14",
    ),
    ErrorCode(
        NEEDS_DICTIONARY,
        "outbound request in the data form needs a document dictionary for its type",
        _T,
        ak5="1",
        contrl="17",
    ),
    ErrorCode(
        MISSING_SEGMENT,
        "mandatory segment missing from an outbound transaction",
        _S,
        ak5="5",
        ak3="3",
        contrl="13",
    ),
    ErrorCode(
        TOO_LONG,
        "outbound value longer than the dictionary or the envelope field allows",
        _E,
        ak5="5",
        ak3="8",
        ak4="5",
        contrl="39",
    ),
    ErrorCode(
        BAD_CHARACTERS,
        "outbound value contains a delimiter, a control character or a character "
        "outside the interchange's repertoire",
        _E,
        ak5="5",
        ak3="8",
        ak4="6",
        contrl="21",
    ),
    ErrorCode(
        BAD_SEGMENT,
        "malformed outbound segment (bad tag, envelope segment in the body, bad element shape)",
        _S,
        ak5="5",
        ak3="2",
        contrl="15",
    ),
    ErrorCode(
        BAD_ENVELOPE,
        "outbound envelope settings, control numbers or batch invalid",
        _I,
        ta1="024",
        contrl="18",
    ),
)
register(*CODES)


@dataclass(frozen=True, slots=True)
class RequestError:
    """A coded error of an outbound request and the field it names.

    ``pointer`` is a JSON pointer into the request (``/segments/3/2``: body segment
    3, element 2; ``""`` the whole request) or ``envelope.<field>`` /
    ``controls.<field>`` for settings; ``index`` is the request's position in a
    batch. The message starts with the pointer, so the dead-letter error shape
    (``error.to_dict()``) names the field too.
    """

    error: EdiError
    pointer: str
    index: int | None = None

    @property
    def code(self) -> str:
        """The error's stable code."""
        return self.error.code

    def to_dict(self) -> dict[str, object]:
        """The EdiError's dict plus ``pointer`` (and ``index`` in a batch)."""
        out: dict[str, object] = {**self.error.to_dict(), "pointer": self.pointer}
        if self.index is not None:
            out["index"] = self.index
        return out


def request_error(
    code: str, pointer: str, message: str, location: Location | None = None
) -> RequestError:
    """A RequestError whose message is prefixed with the pointer it names."""
    text = f"{pointer}: {message}" if pointer else message
    return RequestError(EdiError(code, text, location or Location()), pointer)


@dataclass(frozen=True, slots=True)
class Envelope:
    """How interchanges to one partner are enveloped (partner-profile fields map onto these).

    Empty strings mean "the standard's default": X12 ``* : ^ ~`` (no repetition
    separator before ISA12 00402), EDIFACT ``+ : ' ?`` and ``.`` (repetition
    ``*`` in syntax 4).
    """

    sender_id: str  # ours: ISA06 / UNB02-1
    receiver_id: str  # the partner's: ISA08 / UNB03-1 (default: its first `senders` entry)
    sender_qualifier: str = "ZZ"  # ISA05 / UNB02-2 ("" writes no qualifier in EDIFACT)
    receiver_qualifier: str = "ZZ"  # ISA07 / UNB03-2
    version: str = ""  # default GS08 ("004010") / UNH S009 ("D96A", "D:01B:UN:EAN010")
    isa_version: str = ""  # ISA12; "" = from the version ("004010" -> "00401")
    element_separator: str = ""
    component_separator: str = ""  # ISA16 / UNA1
    repetition_separator: str = ""  # ISA11 (00402+) / UNA5
    segment_terminator: str = ""
    release_character: str = ""  # EDIFACT UNA4 only (X12 has none)
    decimal_mark: str = ""  # EDIFACT UNA3
    line_break: str = ""  # written after each terminator: "", "\n" or "\r\n"
    application_sender: str = ""  # GS02; "" = sender_id
    application_receiver: str = ""  # GS03; "" = receiver_id
    functional_id: str = ""  # GS01; "" = from the set (parsers.functional)
    agency: str = "X"  # GS07
    test: bool = False  # ISA15 "T" / UNB11 "1" (a request's "test": true also sets it)
    ta1_requested: bool = False  # ISA14 "1"
    authorization_qualifier: str = "00"  # ISA01
    authorization: str = ""  # ISA02
    security_qualifier: str = "00"  # ISA03
    security: str = ""  # ISA04
    encoding: str = ""  # X12 codec; "" = ascii (EDIFACT: from the syntax identifier)
    syntax: str = "UNOC"  # UNB01-1
    syntax_version: str = "3"  # UNB01-2
    contrl_requested: bool = False  # UNB09 "1"
    application_reference: str = ""  # UNB07
    una: bool = True  # write UNA (False only with the default level-A delimiters)

    @classmethod
    def from_keys(cls, ours: str, theirs: str, **settings: Any) -> Envelope:
        """An envelope from ``QUALIFIER:ID`` keys (the partners file's ``senders`` form)."""
        sq, _, sid = ours.rpartition(":")
        rq, _, rid = theirs.rpartition(":")
        return cls(sid, rid, sq, rq, **settings)


@dataclass(frozen=True, slots=True)
class Controls:
    """Control numbers taken by the caller: ISA13/UNB05, GS06, and the first ST02/UNH01."""

    interchange: int
    group: int = 1
    transaction: int = 1  # a batch numbers its sets from here, one by one


@dataclass(frozen=True, slots=True)
class Syntax:
    """An envelope resolved for one standard: delimiters and the per-value character rule."""

    standard: Standard
    delimiters: Delimiters
    bad: re.Pattern[str]  # a match is a character a value must not contain
    codec: str  # how the interchange is encoded
    isa_version: str  # X12 ISA12 ("" for EDIFACT)


_CONTROL: Final = "\x00-\x1f\x7f"
_UNOA: Final = re.compile(r"[^A-Z0-9 .,\-()/='+:?!\"%&*;<>]")  # level A repertoire
_X12_VERSION: Final = re.compile(r"\A[0-9]{6}[A-Z0-9]{0,6}\Z")
_EDIFACT_VERSION: Final = re.compile(r"\A([A-Z])([0-9]{2}[A-Z])\Z")


def x12_version_ok(version: str) -> bool:
    """True for a GS08 release like ``004010`` or ``005010X222A1``."""
    return bool(_X12_VERSION.match(version))


def edifact_version(version: str) -> list[str] | None:
    """UNH S009 components after the type: ``D96A`` -> D, 96A, UN; ``D:01B:UN:EAN010`` as given."""
    m = _EDIFACT_VERSION.match(version)
    if m:
        return [m.group(1), m.group(2), "UN"]
    parts = version.split(":")
    if 3 <= len(parts) <= 4 and all(p and p.isalnum() and len(p) <= 6 for p in parts):
        return parts
    return None


def _err(field: str, code: str, message: str) -> RequestError:
    """An envelope error naming ``envelope.<field>``."""
    return request_error(code, f"envelope.{field}", message)


def _delimiters(env: Envelope, standard: Standard, isa12: str) -> Delimiters:
    """The envelope's delimiters with the standard's defaults filled in."""
    if standard is Standard.X12:
        rep = (env.repetition_separator or "^") if isa12 >= "00402" else None
        return Delimiters(
            env.element_separator or "*",
            env.component_separator or ":",
            env.segment_terminator or "~",
            rep,
        )
    a = EDIFACT_LEVEL_A
    rep = env.repetition_separator or ("*" if env.syntax_version == "4" else None)
    return Delimiters(
        env.element_separator or a.element,
        env.component_separator or a.component,
        env.segment_terminator or a.segment,
        rep,
        env.release_character or a.release,
        env.decimal_mark or a.decimal,
    )


def _delimiter_errors(env: Envelope, d: Delimiters) -> list[RequestError]:
    """Delimiters must be single, distinct characters that are not letters, digits or spaces."""
    named = {
        "element_separator": d.element,
        "component_separator": d.component,
        "segment_terminator": d.segment,
        "repetition_separator": d.repetition,
        "release_character": d.release,
    }
    seen: set[str] = set()
    for name, ch in named.items():
        if ch is None:
            continue
        if len(ch) != 1 or ch.isalnum() or ch == " " or ch in seen:
            return [_err(name, BAD_ENVELOPE, f"{ch!r} is not a usable, distinct delimiter")]
        seen.add(ch)
    if env.line_break not in ("", "\n", "\r\n"):
        return [_err("line_break", BAD_ENVELOPE, "must be empty, \\n or \\r\\n")]
    return []


def _bad_pattern(d: Delimiters, unoa: bool) -> re.Pattern[str]:
    """Control characters, plus the delimiters when nothing can release them."""
    chars = _CONTROL
    if d.release is None:
        chars += "".join(
            re.escape(c) for c in (d.element, d.component, d.segment, d.repetition) if c
        )
    if unoa:
        return re.compile(f"[{chars}]|{_UNOA.pattern}")
    return re.compile(f"[{chars}]")


def _field_errors(
    d: Delimiters, fields: list[tuple[str, str, int]], bad: re.Pattern[str]
) -> list[RequestError]:
    """Envelope values (``name``, value, maximum length): too long or with bad characters."""
    out: list[RequestError] = []
    for name, value, width in fields:
        if len(value) > width:
            out.append(_err(name, TOO_LONG, f"{value!r} is longer than {width}"))
        elif bad.search(value) or (d.release is None and d.repetition and d.repetition in value):
            out.append(_err(name, BAD_CHARACTERS, f"{value!r} contains a delimiter or control"))
    return out


def _x12(env: Envelope) -> Syntax | list[RequestError]:
    """Resolve ``env`` for X12: ISA12, delimiters, ISA/GS field widths, codec."""
    version = env.version or "004010"
    if not x12_version_ok(version):
        return [_err("version", BAD_ENVELOPE, f"{version!r} is not an X12 release like 004010")]
    isa12 = env.isa_version or version[:5]
    if len(isa12) != 5 or not isa12.isdigit():
        return [_err("isa_version", BAD_ENVELOPE, f"{isa12!r} is not 5 digits like 00401")]
    if env.release_character:
        return [_err("release_character", BAD_ENVELOPE, "X12 has no release character")]
    d = _delimiters(env, Standard.X12, isa12)
    codec = env.encoding or "ascii"
    try:
        codecs.lookup(codec)
    except LookupError:
        return [_err("encoding", BAD_ENVELOPE, f"unknown codec {codec!r}")]
    errors = _delimiter_errors(env, d)
    bad = _bad_pattern(d, False)
    w = ISA_WIDTHS
    fields = [
        ("authorization_qualifier", env.authorization_qualifier, w[0]),
        ("authorization", env.authorization, w[1]),
        ("security_qualifier", env.security_qualifier, w[2]),
        ("security", env.security, w[3]),
        ("sender_qualifier", env.sender_qualifier, w[4]),
        ("sender_id", env.sender_id, w[5]),
        ("receiver_qualifier", env.receiver_qualifier, w[6]),
        ("receiver_id", env.receiver_id, w[7]),
        ("application_sender", env.application_sender or env.sender_id, 15),
        ("application_receiver", env.application_receiver or env.receiver_id, 15),
        ("functional_id", env.functional_id, 2),
        ("agency", env.agency, 2),
    ]
    errors += [] if errors else _field_errors(d, fields, bad)
    for name in ("sender_id", "receiver_id", "agency"):
        if not getattr(env, name).strip():
            errors.append(_err(name, BAD_ENVELOPE, "must not be empty"))
    return errors or Syntax(Standard.X12, d, bad, codec, isa12)


def _edifact(env: Envelope) -> Syntax | list[RequestError]:
    """Resolve ``env`` for EDIFACT: syntax, UNA delimiters, UNB field widths."""
    codec = EDIFACT_CODECS.get(env.syntax)
    if codec is None:
        return [_err("syntax", BAD_ENVELOPE, f"unknown syntax identifier {env.syntax!r}")]
    if env.syntax_version not in ("1", "2", "3", "4"):
        return [_err("syntax_version", BAD_ENVELOPE, f"{env.syntax_version!r} is not 1-4")]
    if env.version and edifact_version(env.version) is None:
        return [_err("version", BAD_ENVELOPE, f"{env.version!r} is not like D96A or D:96A:UN")]
    d = _delimiters(env, Standard.EDIFACT, "")
    errors = _delimiter_errors(env, d)
    a = EDIFACT_LEVEL_A
    if not env.una and (d.element, d.component, d.segment, d.release) != (
        a.element,
        a.component,
        a.segment,
        a.release,
    ):
        errors.append(_err("una", BAD_ENVELOPE, "non-default delimiters need a UNA"))
    bad = _bad_pattern(d, env.syntax == "UNOA")
    fields = [
        ("sender_id", env.sender_id, 35),
        ("sender_qualifier", env.sender_qualifier, 4),
        ("receiver_id", env.receiver_id, 35),
        ("receiver_qualifier", env.receiver_qualifier, 4),
        ("application_reference", env.application_reference, 14),
    ]
    errors += [] if errors else _field_errors(d, fields, bad)
    for name in ("sender_id", "receiver_id"):
        if not getattr(env, name):
            errors.append(_err(name, BAD_ENVELOPE, "must not be empty"))
    if env.syntax in ASCII_REPERTOIRES:
        codec = "ascii"
    return errors or Syntax(Standard.EDIFACT, d, bad, codec, "")


@lru_cache(maxsize=1024)
def resolve(env: Envelope, standard: Standard) -> Syntax | tuple[RequestError, ...]:
    """``env`` checked and resolved for ``standard`` (cached), or the errors of its settings."""
    out = _x12(env) if standard is Standard.X12 else _edifact(env)
    return out if isinstance(out, Syntax) else tuple(out)
