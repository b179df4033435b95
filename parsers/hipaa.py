"""HIPAA implementation-guide validation (the optional ``hipaa`` level) with pyx12 4.0.0.

The envelope parser checks syntax and control structures; this level checks each
functional group against its implementation guide (GS08: 005010X222A1, 004010X098A1,
...) with pyx12's maps: loops, segment usage and repeats, required and not-used
elements, lengths, code lists, dates. It is slow (pyx12 reads several thousand
segments/s) which is why partners opt in (``validation = "hipaa"``).

:func:`validate_hipaa` runs pyx12 once per functional group, on the group's bytes
wrapped in its own interchange header and a matching IEA, so a group whose guide
pyx12 has no map for (or that pyx12 fails on) costs only that group a warning
(EDI080) instead of the whole file. pyx12 runs in memory (no files), with its logging
and printing silenced, and never raises out of here. Loaded maps are cached (they are
read-only after loading), which makes small interchanges about ten times faster.

Findings become :class:`~parsers.errors.EdiError` values: implementation-guide
findings get EDI081-EDI089 (:data:`PYX12_CODES` gives the mapping and the acknowledgement
codes are in the catalogue), envelope findings the parser's own codes (EDI035-EDI055).
:func:`attach_hipaa_errors` adds the implementation-guide ones to a parsed interchange
so that :mod:`parsers.acks` reports them in 997/999 AK3/AK4 (envelope findings are
the parser's job and are not attached twice). pyx12's own 997/999 is kept as
``HipaaResult.ack``.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from parsers.errors import (
    GROUP_CONTROL_DUPLICATE,
    GROUP_CONTROL_MISMATCH,
    GROUP_COUNT_MISMATCH,
    GROUP_TRAILER_MISSING,
    IG_CHARACTER_INVALID,
    IG_CODE_INVALID,
    IG_DATE_TIME_INVALID,
    IG_LENGTH_INVALID,
    IG_LOOP_EXCEEDED,
    IG_NOT_USED_PRESENT,
    IG_NOT_VALIDATED,
    IG_REPEAT_EXCEEDED,
    IG_REQUIRED_MISSING,
    IG_SEGMENT_UNEXPECTED,
    SEGMENT_COUNT_MISMATCH,
    TRANSACTION_CONTROL_DUPLICATE,
    TRANSACTION_CONTROL_MISMATCH,
    TRANSACTION_TRAILER_MISSING,
    EdiError,
    Location,
)
from parsers.model import Group, Interchange, Standard
from parsers.stream import parse

__all__ = [
    "IG_CODES",
    "PYX12_CODES",
    "HipaaIssue",
    "HipaaResult",
    "attach_hipaa_errors",
    "validate_hipaa",
]

# (pyx12 level, pyx12 error code) -> our code. pyx12 codes: segment and element codes
# are X12 AK304 / AK403 values (plus pyx12's own SEG1, HL1, HL2, LX); st, gs and isa
# codes are AK502 / AK905 / TA105 values.
PYX12_CODES: Final[dict[tuple[str, str], str]] = {
    ("seg", "1"): IG_SEGMENT_UNEXPECTED,  # segment not found in the map here (also: leading space)
    ("seg", "2"): IG_NOT_USED_PRESENT,  # segment or loop marked not used
    ("seg", "3"): IG_REQUIRED_MISSING,  # mandatory segment / loop missing
    ("seg", "4"): IG_LOOP_EXCEEDED,  # loop exceeded its maximum count
    ("seg", "5"): IG_REPEAT_EXCEEDED,  # segment exceeded its maximum count
    ("seg", "8"): IG_CHARACTER_INVALID,  # empty segment
    ("seg", "SEG1"): IG_CHARACTER_INVALID,  # trailing element separators
    ("seg", "HL1"): IG_CHARACTER_INVALID,  # HL01 not sequential
    ("seg", "HL2"): IG_CHARACTER_INVALID,  # HL02 parent not a valid parent
    ("seg", "LX"): IG_CHARACTER_INVALID,  # 837 LX01 service line numbers not sequential
    ("ele", "1"): IG_REQUIRED_MISSING,  # mandatory data element / composite missing
    ("ele", "2"): IG_REQUIRED_MISSING,  # conditionally required (syntax rule P, R, C, L) missing
    ("ele", "3"): IG_REPEAT_EXCEEDED,  # too many elements or components
    ("ele", "4"): IG_LENGTH_INVALID,  # too short
    ("ele", "5"): IG_LENGTH_INVALID,  # too long (also: composite marked not used present)
    ("ele", "6"): IG_CHARACTER_INVALID,  # invalid character, data type, trailing spaces
    ("ele", "7"): IG_CODE_INVALID,  # invalid code value, regular expression mismatch
    ("ele", "8"): IG_DATE_TIME_INVALID,  # invalid date
    ("ele", "9"): IG_DATE_TIME_INVALID,  # invalid time
    ("ele", "10"): IG_NOT_USED_PRESENT,  # element marked not used present, exclusion rule violated
    ("st", "2"): TRANSACTION_TRAILER_MISSING,  # SE missing
    ("st", "3"): TRANSACTION_CONTROL_MISMATCH,  # SE02 does not match ST02
    ("st", "4"): SEGMENT_COUNT_MISMATCH,  # SE01 count wrong
    ("st", "23"): TRANSACTION_CONTROL_DUPLICATE,  # ST02 not unique
    ("gs", "3"): GROUP_TRAILER_MISSING,  # GE missing
    ("gs", "4"): GROUP_CONTROL_MISMATCH,  # GE02 does not match GS06
    ("gs", "5"): GROUP_COUNT_MISMATCH,  # GE01 count wrong
    ("gs", "6"): GROUP_CONTROL_DUPLICATE,  # GS06 not unique
}
_FALLBACK: Final = {
    "seg": IG_CHARACTER_INVALID,
    "ele": IG_CHARACTER_INVALID,
    "st": IG_CHARACTER_INVALID,
    "gs": IG_CHARACTER_INVALID,
}
# attached by attach_hipaa_errors
IG_CODES: Final = frozenset(
    {
        IG_NOT_VALIDATED,
        IG_SEGMENT_UNEXPECTED,
        IG_NOT_USED_PRESENT,
        IG_REQUIRED_MISSING,
        IG_LOOP_EXCEEDED,
        IG_REPEAT_EXCEEDED,
        IG_LENGTH_INVALID,
        IG_CHARACTER_INVALID,
        IG_CODE_INVALID,
        IG_DATE_TIME_INVALID,
    }
)

_ENVELOPE_TAGS: Final = frozenset({"ISA", "IEA", "GS", "GE", "ST", "SE"})
_LOCK = threading.Lock()  # pyx12 is not re-entrant-safe here: stdout swap and shared maps
_MAP_CACHE: dict[tuple[str, str | None], Any] = {}
_state: dict[str, Any] = {}


@dataclass(frozen=True, slots=True)
class HipaaIssue:
    """One pyx12 finding: where it is in the envelope, pyx12's own code and our error."""

    error: EdiError
    source: str  # pyx12 level: "gs" | "st" | "seg" | "ele" ("run" when pyx12 could not run)
    pyx12_code: str
    interchange: str | None  # ISA13
    group: str | None  # GS06
    transaction: str | None  # ST02
    value: str | None = None  # the bad value pyx12 reported


@dataclass(frozen=True, slots=True)
class HipaaResult:
    """What implementation-guide validation found in one input."""

    ok: bool  # every group validated and nothing rejects
    validated: bool  # pyx12 validated every functional group
    errors: tuple[EdiError, ...]  # every finding, in input order
    issues: tuple[HipaaIssue, ...]  # the same findings with their envelope coordinates
    ack: bytes  # pyx12's own 997 (004010) / 999 (005010 guides): one interchange per group it wrote whole
    guides: tuple[str, ...]  # the GS08 values validated

    @property
    def implementation_errors(self) -> list[EdiError]:
        """The implementation-guide findings (EDI080-EDI089) alone."""
        return [e for e in self.errors if e.code in IG_CODES]


# ---------------------------------------------------------------------------
# pyx12 plumbing


def _pyx12() -> dict[str, Any]:
    """Import pyx12 once, silence its logging and cache its loaded maps."""
    if _state:
        return _state
    with _LOCK:
        if not _state:
            _init_pyx12()
    return _state


def _init_pyx12() -> None:
    import pyx12.errors
    import pyx12.map_if
    import pyx12.params
    import pyx12.x12n_document

    log = logging.getLogger("pyx12")
    log.addHandler(logging.NullHandler())
    log.propagate = False
    log.setLevel(logging.CRITICAL + 1)
    params = pyx12.params.ParamsBase()
    load: Callable[..., Any] = pyx12.map_if.load_map_file
    if not getattr(load, "_edi_mesh_cached", False):
        original = load

        def cached(map_file: str, param: Any, map_path: str | None = None) -> Any:
            if param is not params:
                return original(map_file, param, map_path)
            key = (map_file, map_path)
            m = _MAP_CACHE.get(key)
            if m is None:
                m = _MAP_CACHE[key] = original(map_file, param, map_path)
            return m

        cached._edi_mesh_cached = True  # type: ignore[attr-defined]
        pyx12.map_if.load_map_file = cached
    _state.update(
        params=params,
        run=pyx12.x12n_document.x12n_document,
        engine_error=pyx12.errors.EngineError,
    )


def _run(text: str) -> tuple[dict[str, Any] | None, str, str]:
    """pyx12 over one interchange's text: (error tree or None, its 997/999 text, failure)."""
    st = _pyx12()
    ack = io.StringIO()
    js = io.StringIO()
    with _LOCK, contextlib.redirect_stdout(io.StringIO()):
        try:
            st["run"](st["params"], io.StringIO(text), ack, None, None, js)
        except st["engine_error"] as exc:
            return None, "", f"pyx12: {exc}"
        except Exception as exc:  # pyx12 fails on some malformed input; never raise for data
            return None, "", f"pyx12 failed: {type(exc).__name__}: {exc}"
    raw = js.getvalue()
    if not raw:
        return None, "", "pyx12 could not read the interchange header"
    try:
        tree = json.loads(raw)
    except ValueError:
        return None, "", "pyx12 wrote an unreadable error report"
    return tree, ack.getvalue(), ""


# ---------------------------------------------------------------------------
# findings


def _code(source: str, code: str) -> str:
    return PYX12_CODES.get((source, code), _FALLBACK.get(source, IG_CHARACTER_INVALID))


def _num(v: Any) -> int | None:
    return v if isinstance(v, int) else (int(v) if isinstance(v, str) and v.isdigit() else None)


def _issue(
    level: str,
    e: dict[str, Any],
    prefix: str,
    loc: Location,
    where: tuple[str, str | None, str | None],
    value: str | None = None,
) -> HipaaIssue:
    """One pyx12 error ``e`` at ``level`` ("gs", "st", "seg", "ele"); ``where`` = ISA13, GS06, ST02."""
    c = str(e.get("err_cde"))
    msg = f"{prefix}{e.get('err_str')} [pyx12 {level} {c}]"
    return HipaaIssue(EdiError(_code(level, c), msg, loc), level, c, *where, value)


def _issues(tree: dict[str, Any], isa13: str, base: int) -> list[HipaaIssue]:
    """Findings of one pyx12 error tree; ``base`` + pyx12 line = segment ordinal in the input."""
    out: list[HipaaIssue] = []
    for ic in tree.get("interchanges", []):
        for g in ic.get("groups", []):
            gs06 = g.get("gs_control_num")
            for e in g.get("errors", []):
                out.append(_issue("gs", e, "", Location(tag="GE"), (isa13, gs06, None)))
            for t in g.get("transactions", []):
                where = (isa13, gs06, t.get("trn_set_control_num"))
                for e in t.get("errors", []):
                    out.append(_issue("st", e, "", Location(tag="SE"), where))
                for s in t.get("segments", []):
                    line = _num(s.get("cur_line"))
                    seg = Location(
                        segment=base + line if line is not None else None,
                        tag=s.get("seg_id") or None,
                        ts_segment=_num(s.get("seg_count")),
                    )
                    for e in s.get("errors", []):
                        prefix = f"{s.get('seg_id')}: "
                        out.append(_issue("seg", e, prefix, seg, where, e.get("err_val")))
                    for el in s.get("elements", []):
                        loc = Location(
                            segment=seg.segment,
                            tag=seg.tag,
                            element=_num(el.get("ele_pos")),
                            component=_num(el.get("subele_pos")),
                            repetition=_num(el.get("repeat_pos")),
                            ts_segment=seg.ts_segment,
                        )
                        for e in el.get("errors", []):
                            ref = el.get("ele_ref_num")
                            prefix = f"{s.get('seg_id')}{loc.element or ''} ({ref}): "
                            out.append(_issue("ele", e, prefix, loc, where, e.get("err_val")))
    return out


def _not_run(message: str, ic: Interchange | None, g: Group | None) -> HipaaIssue:
    loc = Location(
        offset=g.offset if g else (ic.offset if ic else 0),
        segment=g.index if g else (ic.index if ic else None),
        tag="GS" if g else None,
    )
    return HipaaIssue(
        EdiError(IG_NOT_VALIDATED, message, loc),
        "run",
        "",
        ic.control if ic else None,
        g.control if g else None,
        None,
    )


def validate_hipaa(data: bytes) -> HipaaResult:
    """Validate every X12 functional group in ``data`` against its implementation guide.

    Never raises for bad input: what cannot be validated (not X12, no GS, a guide
    pyx12 has no map for, pyx12 failing) is reported as the warning EDI080.
    """
    try:
        parsed = parse(data)
    except Exception as exc:  # the parser never raises for data; belt and braces
        issue = _not_run(f"input could not be parsed: {type(exc).__name__}", None, None)
        return HipaaResult(False, False, (issue.error,), (issue,), b"", ())
    issues: list[HipaaIssue] = []
    acks: list[str] = []
    guides: list[str] = []
    validated = True
    x12 = [ic for ic in parsed.interchanges if ic.standard is Standard.X12]
    if not x12:
        issues.append(
            _not_run("no X12 interchange to validate against an implementation guide", None, None)
        )
        validated = False
    for ic in x12:
        d = ic.delimiters
        if ic.header_end < 0 or ic.version not in ("00401", "00501"):
            issues.append(
                _not_run(f"ISA12 {ic.version!r}: pyx12 reads 00401 and 00501 only", ic, None)
            )
            validated = False
            continue
        header = data[ic.offset : ic.header_end].decode("latin-1")
        for g in ic.groups:
            if g.implicit or g.end < 0:
                issues.append(
                    _not_run(
                        "transaction sets outside a functional group cannot be validated", ic, g
                    )
                )
                validated = False
                continue
            body = data[g.offset : g.end].decode("latin-1")
            text = f"{header}{body}IEA{d.element}1{d.element}{ic.control}{d.segment}"
            tree, ack, failure = _run(text)
            if tree is None:
                issues.append(_not_run(f"group {g.control!r} ({g.version}): {failure}", ic, g))
                validated = False
                continue
            guides.append(g.version)
            if ack and parse(ack.encode("latin-1", "replace")).valid:
                acks.append(ack)  # pyx12 leaves a truncated one when its writer fails: dropped
            issues.extend(_issues(tree, ic.control, g.index - 2))
    errors = tuple(i.error for i in issues)
    ok = validated and not any(e.rejects for e in errors)
    return HipaaResult(
        ok,
        validated,
        errors,
        tuple(issues),
        "".join(acks).encode("latin-1", "replace"),
        tuple(guides),
    )


def attach_hipaa_errors(interchange: Interchange, result: HipaaResult) -> int:
    """Add ``result``'s implementation-guide errors (EDI080-EDI089) to ``interchange``.

    Each goes to the transaction (or group, or the interchange) whose control numbers
    it names. Returns how many were attached. Envelope findings are not attached: the
    parser already reports them.
    """
    n = 0
    ctl = interchange.control.strip()
    for issue in result.issues:
        if issue.error.code not in IG_CODES or (issue.interchange or "").strip() != ctl:
            continue
        if issue.error.location.tag in _ENVELOPE_TAGS:
            continue  # "mandatory SE missing" and the like: the parser's envelope errors say it
        target: list[EdiError] = interchange.errors
        for g in interchange.groups:
            if issue.group is not None and g.control.strip() == issue.group.strip():
                target = g.errors
                if issue.transaction is not None:
                    for t in g.transactions:
                        if t.control.strip() == issue.transaction.strip():
                            target = t.errors
                            break
                break
        target.append(issue.error)
        n += 1
    return n
