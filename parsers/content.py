"""Content validation from the dictionary: element findings per segment, as coded errors.

The structure findings (segment requirement EDI091, order EDI090, max use
EDI093, loop repeats EDI092) come from the matching pass in ``parsers.data``;
this module checks one matched segment's elements against its spec: element
requirement (EDI094), X12 syntax notes P/R/C/L (EDI095) and E (EDI096), too
many elements, components or repetitions (EDI097), length (EDI098), type
(EDI087), date/time (EDI089) and code values (EDI099). Each error's location
has ``ts_segment`` (ST/UNH = 1), ``tag``, ``element`` and ``component``, so the
997/999/CONTRL builders can point at it. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from parsers.data import _iso_date, _iso_time, build_data
from parsers.dictionary import Dictionary, ElementSpec, SegmentSpec, lookup
from parsers.errors import (
    CODE_VALUE_INVALID,
    ELEMENT_LENGTH_INVALID,
    ELEMENT_MISSING,
    IG_CHARACTER_INVALID,
    IG_DATE_TIME_INVALID,
    SYNTAX_EXCLUSION_VIOLATED,
    SYNTAX_NOTE_UNMET,
    TOO_MANY_ELEMENTS,
    EdiError,
    Location,
)
from parsers.model import Delimiters, Element, Interchange, Segment, Transaction
from parsers.tolerance import Tolerance

__all__ = [
    "NEAREST_CODES",
    "attach_content_errors",
    "check_segment",
    "check_segment_nearest",
    "checker_for",
    "location",
    "rebase",
    "transaction_content_errors",
    "validate_transaction",
]

_NUMERIC = re.compile(r"-?\d+")
_DECIMAL = re.compile(r"-?(\d+\.?\d*|\.\d+)([eE]-?\d+)?")
_EDIFACT_NUMERIC = re.compile(r"-?(\d+[.,]?\d*|[.,]\d+)")


def location(
    index: int, tag: str, element: int | None = None, component: int | None = None
) -> Location:
    """Where a finding is: ``index`` is the segment's 0-based index in the transaction."""
    return Location(tag=tag, element=element, component=component, ts_segment=index + 1)


def rebase(errors: Sequence[EdiError], first_segment: int) -> list[EdiError]:
    """The findings with ``segment`` (ordinal in the input) set from the header's ordinal."""
    out = []
    for e in errors:
        loc = e.location
        seg = first_segment + (loc.ts_segment or 1) - 1
        new = Location(
            loc.offset, seg, loc.tag, loc.element, loc.component, loc.repetition, loc.ts_segment
        )
        out.append(EdiError(e.code, e.message, new))
    return out


def _digits(raw: str) -> int:
    """Length of a numeric value as the standards count it (no sign, no decimal mark)."""
    return len(raw) - raw.count("-") - raw.count(".") - raw.count(",")


def _type_ok(spec: ElementSpec, raw: str) -> str | None:
    """The code of a type finding (EDI087 / EDI089), or None."""
    t = spec.type
    if t.startswith("N") and len(t) <= 2 and t not in ("NA",):
        return None if _NUMERIC.fullmatch(raw) else IG_CHARACTER_INVALID
    if t == "R" or (t.startswith("R") and t[1:].isdigit()):
        return None if _DECIMAL.fullmatch(raw) else IG_CHARACTER_INVALID
    if t == "n":
        return None if _EDIFACT_NUMERIC.fullmatch(raw) else IG_CHARACTER_INVALID
    if t == "DT":
        return None if _iso_date(raw) else IG_DATE_TIME_INVALID
    if t == "TM":
        return None if _iso_time(raw) else IG_DATE_TIME_INVALID
    return None


def _length_ok(spec: ElementSpec, raw: str) -> bool:
    """True when the value's length is within the spec's min/max."""
    numeric = spec.type in ("n", "R") or (spec.type[:1] in ("N", "R") and spec.type[1:].isdigit())
    n = _digits(raw) if numeric else len(raw)
    return (spec.max <= 0 or n <= spec.max) and n >= spec.min


def _simple_findings(
    spec: ElementSpec, raw: str, where: tuple[int, str, int, int | None]
) -> list[EdiError]:
    """Length, type and code findings of one non-empty simple value (cheap when it is fine)."""
    found: list[tuple[str, str]] = []
    if not _length_ok(spec, raw):
        found.append((ELEMENT_LENGTH_INVALID, f"length {len(raw)} outside {spec.min}-{spec.max}"))
    code = _type_ok(spec, raw)
    if code is not None:
        found.append((code, f"{raw!r} is not a valid {spec.type} value"))
    if spec.codes is not None and raw not in spec.codes:
        found.append((CODE_VALUE_INVALID, f"code {raw!r} is not valid here"))
    if not found:
        return _NONE
    index, tag, el, comp = where
    name = f"{tag}{el:02d}" + (f"-{comp:02d}" if comp else "")
    return [EdiError(c, f"{name} {m}", location(index, tag, el, comp)) for c, m in found]


_NONE: list[EdiError] = []  # shared empty result: callers only extend from it


def _composite_findings(
    spec: ElementSpec, comps: Sequence[str], where: tuple[int, str, int]
) -> list[EdiError]:
    """Component requirement, count and value findings of one composite."""
    index, tag, el = where
    specs = spec.components or ()
    out: list[EdiError] = []
    if specs and len([c for c in comps[len(specs) :] if c]) > 0:
        out.append(
            EdiError(
                TOO_MANY_ELEMENTS,
                f"{tag}{el:02d} has more than {len(specs)} components",
                location(index, tag, el),
            )
        )
    for i, cs in enumerate(specs, 1):
        raw = comps[i - 1] if i <= len(comps) else ""
        if not raw:
            if cs.req and not cs.unused:
                out.append(
                    EdiError(
                        ELEMENT_MISSING,
                        f"{tag}{el:02d}-{i:02d} is mandatory",
                        location(index, tag, el, i),
                    )
                )
            continue
        out.extend(_simple_findings(cs, raw, (index, tag, el, i)))
    return out


def _element_findings(spec: ElementSpec, raw: Element, index: int, tag: str) -> list[EdiError]:
    """Findings of one present element (simple, composite or repeated)."""
    el = spec.pos
    if isinstance(raw, str):
        if spec.components is not None:
            return _composite_findings(spec, [raw], (index, tag, el))
        return _simple_findings(spec, raw, (index, tag, el, None))
    reps: list[Any] = raw if raw and isinstance(raw[0], list) else [raw]
    out: list[EdiError] = []
    if len(reps) > max(spec.repeat, 1):
        out.append(
            EdiError(
                TOO_MANY_ELEMENTS,
                f"{tag}{el:02d} repeats {len(reps)} times (max {spec.repeat})",
                location(index, tag, el),
            )
        )
    for rep in reps:
        if spec.components is not None:
            out.extend(_composite_findings(spec, rep, (index, tag, el)))
        elif len([c for c in rep[1:] if c]) > 0:
            out.append(
                EdiError(
                    TOO_MANY_ELEMENTS, f"{tag}{el:02d} is not a composite", location(index, tag, el)
                )
            )
        elif rep[0]:
            out.extend(_simple_findings(spec, rep[0], (index, tag, el, None)))
    return out


def _syntax_findings(spec: SegmentSpec, present: set[int], index: int) -> list[EdiError]:
    """X12 syntax notes: P (all or none), R (at least one), C/L (if first then ...), E (one)."""
    out: list[EdiError] = []
    tag = spec.tag
    for kind, pos in spec.syntax:
        have = [p for p in pos if p in present]
        first = pos[0] in present
        bad = (
            (kind == "P" and 0 < len(have) < len(pos))
            or (kind == "R" and not have)
            or (kind == "C" and first and len(have) < len(pos))
            or (kind == "L" and first and len(have) < 2)
        )
        if not bad and not (kind == "E" and len(have) > 1):
            continue
        note = kind + "".join(f"{p:02d}" for p in pos)
        if bad:
            missing = next((p for p in pos if p not in present), pos[0])
            out.append(
                EdiError(
                    SYNTAX_NOTE_UNMET,
                    f"{tag} syntax note {note} not met",
                    location(index, tag, missing),
                )
            )
        elif kind == "E" and len(have) > 1:
            out.append(
                EdiError(
                    SYNTAX_EXCLUSION_VIOLATED,
                    f"{tag} syntax note {note}: {len(have)} present",
                    location(index, tag, have[1]),
                )
            )
    return out


# Findings a neighbouring version's dictionary (``exact: false``) still supports: value
# syntax that does not change between versions. Requirement, code lists, element counts,
# syntax notes and structure do change, so they are checked with the exact dictionary only.
NEAREST_CODES = frozenset({IG_CHARACTER_INVALID, ELEMENT_LENGTH_INVALID})


def check_segment_nearest(spec: SegmentSpec, seg: Segment, index: int) -> list[EdiError]:
    """The version-stable findings of :func:`check_segment` (for a nearest dictionary)."""
    return [e for e in check_segment(spec, seg, index, nearest=True) if e.code in NEAREST_CODES]


def checker_for(d: Dictionary) -> Callable[[SegmentSpec, Segment, int], list[EdiError]]:
    """The element checker for a dictionary: all checks when exact, the stable ones if not."""
    return check_segment if d.exact else check_segment_nearest


def check_segment(
    spec: SegmentSpec, seg: Segment, index: int, nearest: bool = False
) -> list[EdiError]:
    """Every element finding of one matched segment (``index``: 0-based in the transaction)."""
    tag = spec.tag
    n = len(spec.elements)
    out: list[EdiError] = []
    if not nearest and any(e != "" for e in seg[n + 1 :]):
        out.append(
            EdiError(
                TOO_MANY_ELEMENTS, f"{tag} has more than {n} elements", location(index, tag, n + 1)
            )
        )
    present: set[int] = set()
    for es in spec.elements:
        raw = seg[es.pos] if es.pos < len(seg) else ""
        if raw == "":
            if es.req and not es.unused:
                out.append(
                    EdiError(
                        ELEMENT_MISSING,
                        f"{tag}{es.pos:02d} is mandatory",
                        location(index, tag, es.pos),
                    )
                )
            continue
        present.add(es.pos)
        out.extend(_element_findings(es, raw, index, tag))
    if spec.syntax:
        out.extend(_syntax_findings(spec, present, index))
    return out


def validate_transaction(
    standard: str,
    version: str,
    type: str,
    segments: Sequence[Segment],
    dictionary: Dictionary | None = None,
) -> list[EdiError]:
    """Every content finding of one transaction (empty when no dictionary knows the type)."""
    d = dictionary or lookup(standard, version, type)
    if d is None:
        return []
    errors: list[EdiError] = []
    build_data(d, segments, errors, checker_for(d))
    return errors


def transaction_content_errors(
    standard: str, delimiters: Delimiters, tx: Transaction, tolerance: Tolerance | None = None
) -> list[EdiError]:
    """The content findings of one parsed transaction, located in the input and judged.

    ``segment`` is set from the header's ordinal (``tx.index``) and each finding gets
    the partner's tolerance verdict (every EDI09x rejects at every level by default,
    but a partner's ``accept`` list can make one a warning).
    """
    from parsers.documents import split_segments  # documents imports the data tree lazily

    split, _tags = split_segments(tx.segments, delimiters, "\n".join(tx.segments))
    found = rebase(validate_transaction(standard, tx.version, tx.type, split), tx.index)
    return [tolerance.apply(e) for e in found] if tolerance is not None else found


def attach_content_errors(interchange: Interchange, tolerance: Tolerance | None = None) -> int:
    """Validate every transaction of ``interchange`` (level ``standard``); add findings to it.

    Each finding goes to its transaction's ``errors``, so a rejecting one rejects the
    transaction alone and the acknowledgement builders turn it into AK3/AK4, IK3/IK4 or
    UCS/UCD. Returns how many were attached. Transactions without a dictionary get none.
    """
    standard = str(interchange.standard)
    n = 0
    for group in interchange.groups:
        for tx in group.transactions:
            found = transaction_content_errors(standard, interchange.delimiters, tx, tolerance)
            tx.errors.extend(found)
            n += len(found)
    return n
