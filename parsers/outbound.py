"""Outbound requests (``edi.outbound`` JSON) checked and rendered to enveloped X12 / EDIFACT.

The reply path's pure half: :func:`decode_request` turns the agent's JSON into
an :class:`OutboundRequest` (or coded errors), :func:`check` validates it
against the partner's :class:`~parsers.outbound_envelope.Envelope` and what is
known of the set's structure, and :func:`render` / :func:`render_batch` write
the interchange (ST/SE, GS/GE, ISA/IEA or UNA/UNB/UNH/UNT/UNZ, every count
computed) through :mod:`parsers.writer` with control numbers the caller owns.

Every problem is a :class:`~parsers.outbound_envelope.RequestError` value
(EDI301-EDI310) naming the field by JSON pointer; nothing here raises for bad
input and a bad request never yields bytes. A value that contains a delimiter
the syntax cannot release is refused, never written. No Kafka, no I/O.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import orjson

from parsers import writer
from parsers.errors import Location
from parsers.functional import functional_id
from parsers.model import Party, Segment, Standard
from parsers.names import EDIFACT_MESSAGES, X12_SETS
from parsers.outbound_envelope import (
    BAD_CHARACTERS,
    BAD_ENVELOPE,
    BAD_FIELD,
    BAD_SEGMENT,
    MISSING_FIELD,
    MISSING_SEGMENT,
    NEEDS_DICTIONARY,
    NOT_AN_OBJECT,
    TOO_LONG,
    UNKNOWN_TYPE,
    Controls,
    Envelope,
    RequestError,
    Syntax,
    edifact_version,
    request_error,
    resolve,
    x12_version_ok,
)
from parsers.outbound_rules import Structure, structure_of

__all__ = [
    "Controls",
    "Envelope",
    "OutboundRequest",
    "Rendered",
    "RequestError",
    "check",
    "decode_request",
    "parse_request",
    "render",
    "render_batch",
]

FIELDS: Final = frozenset(
    {"partner", "standard", "type", "version", "test", "idempotency_key", "reply_to"}
    | {"segments", "data"}
)
DEFAULT_VERSION: Final = {Standard.X12: "004010", Standard.EDIFACT: "D96A"}
MAX_ERRORS: Final = 50  # per request: enough to fix it, bounded for a hostile one
MAX_TEXT: Final = 256  # partner, idempotency_key, reply_to
_ENVELOPE_TAGS: Final = {
    Standard.X12: frozenset({"ISA", "IEA", "GS", "GE", "ST", "SE", "TA1", "ISB", "ISE", "BIN"}),
    Standard.EDIFACT: frozenset({"UNA", "UNB", "UNG", "UNE", "UNH", "UNT", "UNZ", "UNO", "UNP"}),
}
_TAG: Final = {
    Standard.X12: re.compile(r"\A[A-Z][A-Z0-9]{1,2}\Z"),
    Standard.EDIFACT: re.compile(r"\A[A-Z][A-Z0-9]{2}\Z"),
}
_MAX_CONTROL: Final = {Standard.X12: 999_999_999, Standard.EDIFACT: 99_999_999_999_999}


@dataclass(frozen=True, slots=True)
class OutboundRequest:
    """One validated-in-shape request of ``edi.outbound`` (see outbound-request.schema.json)."""

    partner: str
    standard: Standard
    type: str
    segments: list[Segment] | None = None  # the body: after ST / UNH, before SE / UNT
    data: dict[str, Any] | None = None  # the named tree (needs a document dictionary)
    version: str | None = None  # GS08 / UNH S009; None = the envelope's
    test: bool = False
    idempotency_key: str | None = None
    reply_to: str | None = None  # the inbound document id answered


@dataclass(frozen=True, slots=True)
class Rendered:
    """One interchange ready to deliver, with what tracking and reconciliation need."""

    data: bytes
    standard: Standard
    partner: str
    type: str
    version: str  # GS08 / UNH S009 as written
    test: bool
    sender: Party  # ours, as in ISA05/06 / UNB02
    receiver: Party  # the partner's, as in ISA07/08 / UNB03
    interchange_control: str  # ISA13 (9 digits) / UNB05
    group_control: str | None  # GS06 (what a 997 AK102 names); None for EDIFACT (no UNG)
    functional_id: str | None  # GS01 (AK101); None for EDIFACT
    transaction_controls: tuple[str, ...]  # ST02 / UNH01, in order
    idempotency_keys: tuple[str | None, ...]  # of the requests, in the same order
    reply_to: tuple[str | None, ...]


# -- request shape ---------------------------------------------------------------------


def _err(code: str, pointer: str, message: str, **loc: Any) -> RequestError:
    """A RequestError with an optional location."""
    return request_error(code, pointer, message, Location(**loc) if loc else None)


def decode_request(raw: bytes | str | Mapping[str, Any]) -> OutboundRequest | list[RequestError]:
    """A request from JSON bytes / text (or an already decoded object), or its errors."""
    if isinstance(raw, bytes | str):
        try:
            obj: object = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            return [_err(NOT_AN_OBJECT, "", f"not JSON: {exc}")]
    else:
        obj = raw
    return parse_request(obj)


def _text(obj: Mapping[str, Any], name: str, errors: list[RequestError]) -> str | None:
    """Optional string field ``name``: None when absent; an error when not a short string."""
    v = obj.get(name)
    if v is None:
        return None
    if not isinstance(v, str) or not v or len(v) > MAX_TEXT:
        errors.append(_err(BAD_FIELD, f"/{name}", f"must be a string of 1-{MAX_TEXT} characters"))
        return None
    return v


def _standard_and_type(
    obj: Mapping[str, Any], errors: list[RequestError]
) -> tuple[Standard | None, str | None]:
    """``standard`` and ``type``: present, a known standard, a set / message of it."""
    std: Standard | None = None
    raw = obj.get("standard")
    if raw is None:
        errors.append(_err(MISSING_FIELD, "/standard", 'required: "x12" or "edifact"'))
    elif raw not in ("x12", "edifact"):
        errors.append(_err(UNKNOWN_TYPE, "/standard", f'{raw!r} is not "x12" or "edifact"'))
    else:
        std = Standard(raw)
    typ = obj.get("type")
    if typ is None:
        errors.append(_err(MISSING_FIELD, "/type", "required: the set or message (855, ORDRSP)"))
        return std, None
    if not isinstance(typ, str):
        errors.append(_err(BAD_FIELD, "/type", "must be a string"))
        return std, None
    known = X12_SETS if std is Standard.X12 else EDIFACT_MESSAGES
    if std is not None and typ not in known:
        errors.append(_err(UNKNOWN_TYPE, "/type", f"{typ!r} is not a {std.value} type"))
    return std, typ


def _version(
    obj: Mapping[str, Any], std: Standard | None, errors: list[RequestError]
) -> str | None:
    """Optional ``version``: an X12 release (004010, 005010X222A1) or an EDIFACT directory."""
    v = obj.get("version")
    if v is None or std is None:
        return None
    ok = isinstance(v, str) and (
        x12_version_ok(v) if std is Standard.X12 else edifact_version(v) is not None
    )
    if not ok:
        like = "004010 or 005010X222A1" if std is Standard.X12 else "D96A or D:01B:UN:EAN010"
        errors.append(_err(BAD_FIELD, "/version", f"{v!r} is not a version like {like}"))
        return None
    return str(v)


def _element_shape_ok(el: object) -> bool:
    """A string, a non-empty list of strings, or a non-empty list of non-empty string lists."""
    if isinstance(el, str):
        return True
    if not isinstance(el, list) or not el:
        return False
    if all(isinstance(c, str) for c in el):
        return True
    return all(isinstance(r, list) and r and all(isinstance(c, str) for c in r) for r in el)


def _segment_errors(i: int, seg: object, std: Standard | None) -> Iterator[RequestError]:
    """Shape problems of body segment ``i``: not a list, bad or envelope tag, bad element."""
    p = f"/segments/{i}"
    if not isinstance(seg, list) or not seg or not isinstance(seg[0], str):
        yield _err(BAD_SEGMENT, p, "a segment is a list: tag first, then its elements")
        return
    tag = seg[0]
    pattern = _TAG[std or Standard.X12]
    if std is not None and not pattern.match(tag):
        yield _err(BAD_SEGMENT, f"{p}/0", f"{tag[:10]!r} is not a segment tag", ts_segment=i + 2)
    elif std is not None and tag in _ENVELOPE_TAGS[std]:
        yield _err(
            BAD_SEGMENT, f"{p}/0", f"{tag} is written by the envelope, not the body", tag=tag
        )
    for j in range(1, len(seg)):
        if seg[j].__class__ is not str and not _element_shape_ok(seg[j]):
            yield _err(
                BAD_SEGMENT,
                f"{p}/{j}",
                "an element is a string, a composite (list of strings) or a repetition "
                "(list of composites)",
                tag=tag,
                element=j,
                ts_segment=i + 2,
            )


def _body(
    obj: Mapping[str, Any], std: Standard | None, errors: list[RequestError]
) -> tuple[list[Segment] | None, dict[str, Any] | None]:
    """``segments`` or ``data``: exactly one, of the right shape. Returns (segments, data)."""
    segs, data = obj.get("segments"), obj.get("data")
    if segs is None and data is None:
        errors.append(_err(MISSING_FIELD, "/segments", "required: segments (or data)"))
        return None, None
    if segs is not None and data is not None:
        errors.append(_err(BAD_FIELD, "", "give segments or data, not both"))
        return None, None
    if data is not None:
        if not isinstance(data, dict):
            errors.append(_err(BAD_FIELD, "/data", "must be an object"))
        return None, data
    if not isinstance(segs, list) or not segs:
        errors.append(_err(BAD_FIELD, "/segments", "must be a non-empty list of segments"))
        return None, None
    for i, seg in enumerate(segs):
        errors.extend(_segment_errors(i, seg, std))
        if len(errors) >= MAX_ERRORS:
            break
    return segs, None


def parse_request(obj: object) -> OutboundRequest | list[RequestError]:
    """Check the request's shape (fields, types, known standard and type); never raises."""
    if not isinstance(obj, dict):
        return [_err(NOT_AN_OBJECT, "", f"a request is a JSON object, not {type(obj).__name__}")]
    errors = [
        _err(BAD_FIELD, f"/{k}", "unknown field (a misspelt idempotency_key would lose it)")
        for k in obj
        if k not in FIELDS
    ]
    partner = obj.get("partner")
    if partner is None:
        errors.append(_err(MISSING_FIELD, "/partner", "required: the partner id"))
    else:
        partner = _text(obj, "partner", errors)
    std, typ = _standard_and_type(obj, errors)
    version = _version(obj, std, errors)
    test = obj.get("test", False)
    if not isinstance(test, bool):
        errors.append(_err(BAD_FIELD, "/test", "must be true or false"))
    key, reply_to = _text(obj, "idempotency_key", errors), _text(obj, "reply_to", errors)
    segs, data = _body(obj, std, errors)
    if errors or partner is None or std is None or typ is None:
        return errors[:MAX_ERRORS]
    return OutboundRequest(partner, std, typ, segs, data, version, test is True, key, reply_to)


# -- checks against the envelope and the structure ---------------------------------------


def _version_of(req: OutboundRequest, env: Envelope) -> str:
    """The version written: the request's, else the envelope's, else the standard's default."""
    return req.version or env.version or DEFAULT_VERSION[req.standard]


def _value_error(
    value: str, syn: Syntax, limit: int | None, pointer: str, loc: Location
) -> RequestError | None:
    """A value's problem: a delimiter / control character, not in the codec, too long."""
    m = syn.bad.search(value)
    if m:
        what = "a delimiter" if m.group() in _delims(syn) else "a character not allowed"
        return request_error(
            BAD_CHARACTERS, pointer, f"{value[:40]!r} contains {what} ({m.group()!r})", loc
        )
    if not value.isascii():
        try:
            value.encode(syn.codec)
        except UnicodeEncodeError:
            return request_error(
                BAD_CHARACTERS, pointer, f"{value[:40]!r} is not writable in {syn.codec}", loc
            )
    if limit is not None and len(value) > limit:
        return request_error(TOO_LONG, pointer, f"{len(value)} characters, at most {limit}", loc)
    return None


def _delims(syn: Syntax) -> tuple[str | None, ...]:
    """The delimiters of ``syn``."""
    d = syn.delimiters
    return (d.element, d.component, d.segment, d.repetition, d.release)


def _element_errors(
    tag: str, i: int, j: int, el: Any, syn: Syntax, structure: Structure
) -> Iterator[RequestError]:
    """Problems of element ``j`` of body segment ``i`` (every component and repetition)."""
    lengths = structure.lengths
    p = f"/segments/{i}/{j}"
    if isinstance(el, str):
        limit = lengths.get((tag, j, 0)) or lengths.get((tag, j, 1))
        loc = Location(tag=tag, element=j, ts_segment=i + 2)
        e = _value_error(el, syn, limit, p, loc)
        if e:
            yield e
        return
    if isinstance(el[0], list):
        if syn.delimiters.repetition is None:
            yield request_error(
                BAD_SEGMENT,
                p,
                "a repetition, but the interchange has no "
                "repetition separator (X12 before 00402, EDIFACT before syntax 4)",
                Location(tag=tag, element=j, ts_segment=i + 2),
            )
            return
        reps: list[tuple[str, int | None, list[str]]] = [
            (f"{p}/{r}", r + 1, comp) for r, comp in enumerate(el)
        ]
    else:
        reps = [(p, None, el)]
    for rp, rep, comp in reps:
        for k, c in enumerate(comp):
            loc = Location(tag=tag, element=j, component=k + 1, repetition=rep, ts_segment=i + 2)
            e = _value_error(c, syn, lengths.get((tag, j, k + 1)), f"{rp}/{k}", loc)
            if e:
                yield e


def _body_errors(
    segments: Sequence[Segment], syn: Syntax, structure: Structure
) -> list[RequestError]:
    """Missing mandatory segments, then every value's problems (at most MAX_ERRORS)."""
    tags = {s[0] for s in segments}
    errors = [
        _err(MISSING_SEGMENT, "/segments", f"mandatory segment {t} missing", tag=t)
        for t in structure.mandatory
        if t not in tags
    ]
    lengths, bad = structure.lengths, syn.bad.search
    for i, seg in enumerate(segments):
        tag = str(seg[0])
        for j in range(1, len(seg)):
            el = seg[j]
            if type(el) is str:  # the common case, checked inline: no pointer, no location
                limit = lengths.get((tag, j, 0)) or lengths.get((tag, j, 1))
                if not bad(el) and el.isascii() and (limit is None or len(el) <= limit):
                    continue
            errors.extend(_element_errors(tag, i, j, el, syn, structure))
        if len(errors) >= MAX_ERRORS:
            break
    return errors[:MAX_ERRORS]


def check(
    request: OutboundRequest, envelope: Envelope, structure: Structure | None = None
) -> list[RequestError]:
    """Every problem of ``request`` for ``envelope`` ([] when it renders); takes no control number.

    ``structure`` overrides what :mod:`parsers.outbound_rules` knows of the type
    (mandatory segments, element sizes), e.g. from a partner's dictionary.
    """
    syn = resolve(envelope, request.standard)
    if not isinstance(syn, Syntax):
        return list(syn)
    if request.segments is None:
        return [
            _err(
                NEEDS_DICTIONARY,
                "/data",
                f"no document dictionary for {request.type} yet: send the body as segments",
            )
        ]
    if request.standard is Standard.X12 and not (
        envelope.functional_id or functional_id(request.type)
    ):
        return [
            _err(
                UNKNOWN_TYPE,
                "/type",
                f"no GS01 functional identifier known for "
                f"{request.type}: set the partner's functional_id",
            )
        ]
    structure = structure or structure_of(request.standard.value, request.type)
    return _body_errors(request.segments, syn, structure)


# -- rendering ---------------------------------------------------------------------------


def _batch_errors(
    requests: Sequence[OutboundRequest], envelope: Envelope, controls: Controls
) -> list[RequestError]:
    """Requests that cannot share one group, and control numbers out of range."""
    if not requests:
        return [_err(BAD_ENVELOPE, "", "an empty batch")]
    first = requests[0]
    errors: list[RequestError] = []
    for i, r in enumerate(requests[1:], 1):
        for name in ("partner", "standard", "type", "test"):
            if getattr(r, name) != getattr(first, name):
                e = _err(BAD_ENVELOPE, f"/{name}", "differs from the batch's first request")
                errors.append(RequestError(e.error, e.pointer, i))
        if _version_of(r, envelope) != _version_of(first, envelope):
            e = _err(BAD_ENVELOPE, "/version", "differs from the batch's first request")
            errors.append(RequestError(e.error, e.pointer, i))
    top = _MAX_CONTROL[first.standard]
    for name, value, last in (
        ("interchange", controls.interchange, controls.interchange),
        ("group", controls.group, controls.group),
        ("transaction", controls.transaction, controls.transaction + len(requests) - 1),
    ):
        if value < 1 or last > (top if name == "interchange" else 999_999_999):
            errors.append(_err(BAD_ENVELOPE, f"controls.{name}", f"{value} is out of range"))
    return errors


def _now(now: _dt.datetime | None) -> _dt.datetime:
    """``now`` or the current UTC time."""
    return now if now is not None else _dt.datetime.now(_dt.UTC)


def _x12_bytes(
    requests: Sequence[OutboundRequest],
    env: Envelope,
    syn: Syntax,
    controls: Controls,
    now: _dt.datetime,
) -> tuple[bytes, list[str], str]:
    """ISA GS (ST..SE)+ GE IEA for the batch; also the ST02s and GS01."""
    first = requests[0]
    version = _version_of(first, env)
    gs01 = env.functional_id or functional_id(first.type) or ""
    st03 = (version,) if len(version) > 6 else ()
    stn = [f"{controls.transaction + i:04d}" for i in range(len(requests))]
    txs = [
        writer.TransactionOut(first.type, n, r.segments or [], st03)
        for n, r in zip(stn, requests, strict=True)
    ]
    group = writer.GroupOut(
        gs01,
        env.application_sender or env.sender_id,
        env.application_receiver or env.receiver_id,
        str(controls.group),
        (version,),
        txs,
        agency=env.agency,
        date=now.strftime("%Y%m%d"),
        time=now.strftime("%H%M"),
    )
    data = writer.x12_interchange(
        sender=Party(env.sender_qualifier, env.sender_id),
        receiver=Party(env.receiver_qualifier, env.receiver_id),
        control=controls.interchange,
        groups=[group],
        delimiters=syn.delimiters,
        version=syn.isa_version,
        date=now.strftime("%y%m%d"),
        time=now.strftime("%H%M"),
        test=first.test or env.test,
        ack_requested=env.ta1_requested,
        authorization=(env.authorization_qualifier, env.authorization),
        security=(env.security_qualifier, env.security),
        line_break=env.line_break,
        encoding=syn.codec,
    )
    return data, stn, gs01


def _edifact_bytes(
    requests: Sequence[OutboundRequest],
    env: Envelope,
    syn: Syntax,
    controls: Controls,
    now: _dt.datetime,
) -> tuple[bytes, list[str]]:
    """[UNA] UNB (UNH..UNT)+ UNZ for the batch; also the UNH01s."""
    first = requests[0]
    parts = edifact_version(_version_of(first, env)) or []
    refs = [str(controls.transaction + i) for i in range(len(requests))]
    msgs = [
        writer.TransactionOut(first.type, n, r.segments or [], parts)
        for n, r in zip(refs, requests, strict=True)
    ]
    data = writer.edifact_interchange(
        sender=Party(env.sender_qualifier, env.sender_id),
        receiver=Party(env.receiver_qualifier, env.receiver_id),
        control=str(controls.interchange),
        messages=msgs,
        delimiters=syn.delimiters,
        syntax=env.syntax,
        syntax_version=env.syntax_version,
        date=now.strftime("%Y%m%d" if env.syntax_version == "4" else "%y%m%d"),
        time=now.strftime("%H%M"),
        test=first.test or env.test,
        ack_requested=env.contrl_requested,
        application_reference=env.application_reference,
        write_una=env.una,
        line_break=env.line_break,
    )
    return data, refs


def render_batch(
    requests: Sequence[OutboundRequest],
    envelope: Envelope,
    controls: Controls,
    *,
    now: _dt.datetime | None = None,
    structure: Structure | None = None,
) -> Rendered | list[RequestError]:
    """One interchange holding every request (same partner, standard, type, version, test).

    X12: one GS group, one ST..SE per request numbered from ``controls.transaction``;
    EDIFACT: one UNH..UNT per request, no UNG. Errors carry the request's ``index``.
    """
    errors = _batch_errors(requests, envelope, controls)
    for i, r in enumerate(requests):
        errors += [RequestError(e.error, e.pointer, i) for e in check(r, envelope, structure)]
    if errors:
        return errors
    first = requests[0]
    syn = resolve(envelope, first.standard)
    assert isinstance(syn, Syntax)  # check() returned no envelope errors
    at = _now(now)
    gs: str | None = None
    try:
        if first.standard is Standard.X12:
            data, refs, gs = _x12_bytes(requests, envelope, syn, controls, at)
        else:
            data, refs = _edifact_bytes(requests, envelope, syn, controls, at)
    except (ValueError, UnicodeError) as exc:  # a gap in check(): reported, never raised
        return [_err(BAD_ENVELOPE, "", f"could not be written: {exc}")]
    x12 = first.standard is Standard.X12
    return Rendered(
        data=data,
        standard=first.standard,
        partner=first.partner,
        type=first.type,
        version=_version_of(first, envelope),
        test=first.test or envelope.test,
        sender=Party(envelope.sender_qualifier, envelope.sender_id),
        receiver=Party(envelope.receiver_qualifier, envelope.receiver_id),
        interchange_control=f"{controls.interchange:09d}" if x12 else str(controls.interchange),
        group_control=str(controls.group) if x12 else None,
        functional_id=gs,
        transaction_controls=tuple(refs),
        idempotency_keys=tuple(r.idempotency_key for r in requests),
        reply_to=tuple(r.reply_to for r in requests),
    )


def render(
    request: OutboundRequest,
    envelope: Envelope,
    controls: Controls,
    *,
    now: _dt.datetime | None = None,
    structure: Structure | None = None,
) -> Rendered | list[RequestError]:
    """One request as one interchange (a batch of one)."""
    return render_batch([request], envelope, controls, now=now, structure=structure)
