"""The UN/EDIFACT CONTRL message and the UNA?/UNB..UNZ it is sent in.

:func:`build_contrl` is pure (an :class:`~parsers.model.Interchange` and its errors in,
segments out); :func:`wrap_edifact` addresses it back to the partner and writes bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from parsers import writer
from parsers.acks_common import group_rejected, out_transaction, write_fitting
from parsers.encoding import EDIFACT_CODECS
from parsers.errors import EdiError, Level
from parsers.model import (
    Delimiters,
    Element,
    Interchange,
    Party,
    Segment,
    Transaction,
)
from parsers.segments import split_segment
from parsers.writer import EDIFACT_DEFAULT

# ---------------------------------------------------------------------------
# CONTRL


def _edifact_party(p: Party) -> Element:
    """A party as UNB S002/S003: id with its code qualifier when there is one."""
    return [p.id, p.qualifier] if p.qualifier else p.id


def _message_identifier(tx: Transaction, d: Delimiters) -> Element:
    """UNH S009 of ``tx`` (type, version, release, agency, association) as received."""
    if tx.segments:
        seg = split_segment(tx.segments[0], d)
        if len(seg) > 2:
            s009 = seg[2]
            if isinstance(s009, list):
                comps = s009[0] if s009 and isinstance(s009[0], list) else s009
                return [c for c in comps if isinstance(c, str)]
            return s009
    return tx.type


def _error_position(e: EdiError) -> tuple[str, Element]:
    """CONTRL 0013 service segment tag and S011 data element position of an envelope error."""
    loc = e.location
    tag = loc.tag if loc.tag and loc.tag.startswith("UN") else ""
    if loc.element is None:
        return tag, ""
    return tag, [str(loc.element), str(loc.component)] if loc.component else str(loc.element)


def _first_contrl(errors: Sequence[EdiError]) -> EdiError | None:
    """The error whose 0085 code a CONTRL reports: the first rejecting one, else the first."""
    coded = [e for e in errors if e.spec.contrl]
    return next((e for e in coded if e.rejects), coded[0] if coded else None)


def _contrl_segment_errors(tx: Transaction) -> list[Segment]:
    """UCS (and UCD) for the segment and element errors inside a message."""
    out: list[Segment] = []
    last: int | None = None
    for e in sorted(tx.errors, key=lambda x: x.location.ts_segment or 0):
        spec, loc = e.spec, e.location
        if not spec.contrl or loc.ts_segment is None or loc.tag in ("UNH", "UNT"):
            continue
        if spec.level not in (Level.SEGMENT, Level.ELEMENT):
            continue
        element_error = loc.element is not None and spec.level is Level.ELEMENT
        if loc.ts_segment != last:
            out.append(["UCS", str(loc.ts_segment), "" if element_error else spec.contrl])
            last = loc.ts_segment
        if element_error:
            pos: Element = (
                [str(loc.element), str(loc.component)] if loc.component else str(loc.element)
            )
            out.append(["UCD", spec.contrl, pos])
    return out


def build_contrl(
    interchange: Interchange, *, reference: str = "1", receipt_only: bool = False
) -> list[Segment]:
    """The UN/EDIFACT CONTRL message (UNH..UNT, UNH01 = ``reference``) for ``interchange``.

    UCI says 7 (accepted), 4 (rejected) or, with ``receipt_only``, 8 (received);
    then, unless the interchange is rejected, UCF per explicit group and UCM per
    message (7 or 4 with its 0085 error), with UCS/UCD for segment and element errors.
    """
    d = interchange.delimiters
    version = "4" if interchange.version == "4" else "3"
    msg_id: Element = ["CONTRL", "4", "1", "UN"] if version == "4" else ["CONTRL", "D", "3", "UN"]
    segs: list[Segment] = [["UNH", reference, msg_id]]
    uci: Segment = [
        "UCI",
        interchange.control,
        _edifact_party(interchange.sender),
        _edifact_party(interchange.receiver),
    ]
    rejected = not interchange.accepted
    if receipt_only:
        uci.append("8")
    else:
        uci.append("4" if rejected else "7")
        err = _first_contrl(interchange.errors)
        if err is not None:
            tag, pos = _error_position(err)
            uci += [err.spec.contrl or "", tag, pos]
    segs.append(uci)
    if not receipt_only and not rejected:
        for g in interchange.groups:
            g_rejected = group_rejected(interchange, g)
            if not g.implicit:
                ucf: Segment = ["UCF", g.control, g.sender, g.receiver, "4" if g_rejected else "7"]
                gerr = _first_contrl(g.errors)
                if gerr is not None:
                    tag, pos = _error_position(gerr)
                    ucf += [gerr.spec.contrl or "", tag, pos]
                segs.append(ucf)
            for tx in g.transactions:
                tx_rejected = g_rejected or not tx.accepted
                ucm: Segment = [
                    "UCM",
                    tx.control,
                    _message_identifier(tx, d),
                    "4" if tx_rejected else "7",
                ]
                terr = _first_contrl(
                    [e for e in tx.errors if e.rejects] if tx_rejected else tx.errors
                )
                if terr is not None and terr.location.tag in ("UNH", "UNT", None):
                    tag, pos = _error_position(terr)
                    ucm += [terr.spec.contrl or "", tag, pos]
                elif terr is not None:
                    ucm.append(terr.spec.contrl or "")
                segs.append(ucm)
                segs.extend(_contrl_segment_errors(tx))
    segs.append(["UNT", str(len(segs) + 1), reference])
    return segs


def _needs_una(interchange: Interchange, d: Delimiters) -> bool:
    """True unless ``d`` are the defaults a reader assumes without UNA (level A, or level B)."""
    if d.element == "\x1d" and d.component == "\x1f" and d.segment == "\x1c":
        return False
    a = EDIFACT_DEFAULT
    default_rep = "*" if interchange.version == "4" else None
    return not (
        (d.element, d.component, d.segment, d.release, d.decimal)
        == (a.element, a.component, a.segment, a.release, a.decimal)
        and d.repetition in (None, default_rep)
    )


def wrap_edifact(
    interchange: Interchange,
    message: Sequence[Segment],
    *,
    interchange_control: int,
    now: datetime,
    delimiters: Delimiters | None = None,
    sender: Party | None = None,
    una: bool | None = None,
    line_break: str = "",
) -> bytes:
    """[UNA] UNB message UNZ addressed back to the sender of ``interchange``.

    Syntax identifier and version, test indicator (UNB11) and delimiters are copied
    from the inbound interchange; UNA is written when the delimiters are not the
    defaults (or as ``una`` says).
    """
    d = delimiters or interchange.delimiters
    us = sender or interchange.receiver
    version = interchange.version if interchange.version in ("1", "2", "3", "4") else "3"
    syntax = interchange.syntax if interchange.syntax in EDIFACT_CODECS else "UNOA"

    def build(dd: Delimiters) -> bytes:
        """The CONTRL interchange written with delimiters ``dd``."""
        return writer.edifact_interchange(
            sender=us,
            receiver=interchange.sender,
            control=str(interchange_control),
            messages=[out_transaction(message)],
            delimiters=dd,
            syntax=syntax,
            syntax_version=version,
            date=now.strftime("%Y%m%d" if version == "4" else "%y%m%d"),
            time=now.strftime("%H%M"),
            test=interchange.test,
            write_una=una if una is not None and dd is d else _needs_una(interchange, dd),
            line_break=line_break,
        )

    return write_fitting(build, [d] if delimiters else [d, EDIFACT_DEFAULT])
