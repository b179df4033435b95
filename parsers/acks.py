"""Acknowledgements: TA1, 997, 999 and CONTRL built from validation results, and inbound ones read.

Outbound. The builders (:func:`build_ta1`, :func:`build_997`, :func:`build_999`,
:func:`build_contrl`) are pure: they read an :class:`~parsers.model.Interchange`, the
errors the parser (and optionally :mod:`parsers.hipaa`) attached to it and their
:data:`~parsers.errors.CATALOGUE` entries, and return segments in the split shape
(``[tag, element, ...]``, composites as lists). :func:`wrap_x12` and
:func:`wrap_edifact` wrap them in an envelope addressed back to the partner
(sender and receiver swapped, test indicator and delimiters copied from the inbound
interchange, control numbers from the caller) and return bytes. :func:`acknowledge` does
it all for one inbound interchange; :func:`applicable_acks` says which kinds make sense.

What is acknowledged as accepted is exactly what the pipeline routes (the rule of
``parsers.documents.build_documents(only_accepted=True)``): a transaction is rejected
when an error of its own, of its group or of its interchange rejects. So a rejected
interchange acknowledged by 997 has every set ``R`` (pyx12 instead reports the sets'
own status), and AK9 is ``A`` (all accepted, no error), ``E`` (all accepted, warnings
noted), ``P`` (some rejected), or ``R`` (group rejected, or no set accepted).

Inbound. :func:`read_ack` and :func:`read_ack_documents` turn the TA1 / 997 / 999 /
CONTRL a partner sends us into :class:`AckStatus` values (which of our interchange,
group and transaction control numbers were accepted or rejected). They read the
statuses through :func:`parsers.keys.extract_keys`, the same extractors the documents
on the ``acknowledgements`` topic carry, so both paths agree.

Layout: this module holds the entry points and re-exports the rest: shared
pieces in :mod:`parsers.acks_common`, TA1/997/999 in :mod:`parsers.acks_x12`,
CONTRL in :mod:`parsers.acks_edifact`, inbound reading in :mod:`parsers.acks_inbound`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from parsers.acks_common import (
    ACK_TYPES,
    Ack,
    AckStatus,
    Allocator,
    ControlNumbers,
    ControlSource,
    is_ack_group,
)
from parsers.acks_edifact import build_contrl, wrap_edifact
from parsers.acks_inbound import read_ack, read_ack_documents
from parsers.acks_x12 import X231, ack_x12_sets, build_997, build_999, build_ta1, wrap_x12
from parsers.model import (
    Delimiters,
    Interchange,
    Standard,
)

# ---------------------------------------------------------------------------
# the pipeline's entry points


def applicable_acks(interchange: Interchange, wanted: Iterable[str]) -> list[str]:
    """The kinds among ``wanted`` that make sense for ``interchange``, in sending order.

    X12: TA1 when ISA14 asks for one (and the interchange has groups) or the
    interchange has errors; 997 / 999 for its groups that are not themselves
    acknowledgements, and not when a TA1 already rejects the whole interchange.
    EDIFACT: CONTRL unless every message is a CONTRL. Nothing else.
    """
    want = {w.upper() for w in wanted}
    out: list[str] = []
    if interchange.standard is Standard.X12:
        errs = any(e.rejects or e.spec.ta1 for e in interchange.errors)
        if "TA1" in want and (errs or (interchange.ack_requested and interchange.groups)):
            out.append("TA1")
        business = [g for g in interchange.groups if not is_ack_group(g, Standard.X12)]
        if business and not ("TA1" in out and not interchange.accepted):
            out += [k for k in ("997", "999") if k in want]
    elif "CONTRL" in want:
        txs = interchange.transactions
        if not (txs and all(t.type == "CONTRL" for t in txs)):
            out.append("CONTRL")
    return out


def acknowledge(
    interchange: Interchange,
    kinds: Sequence[str],
    *,
    controls: ControlSource,
    now: datetime,
    delimiters: Delimiters | None = None,
    line_break: str = "",
) -> list[Ack]:
    """Every acknowledgement of ``kinds`` that applies to ``interchange``, each a whole interchange.

    ``controls`` gives our control numbers: fixed starting values, or an allocator
    called with ``"interchange"`` / ``"group"`` for each number used (the pipeline's
    per-partner sequence). Each returned :class:`Ack` says which numbers it used.
    The 997/999 go one interchange per inbound GS02/GS03 pair (usually one).
    """
    alloc = Allocator(controls)
    out: list[Ack] = []
    for kind in applicable_acks(interchange, kinds):
        if kind == "TA1":
            ta1 = build_ta1(interchange)
            ctl = alloc("interchange")
            data = wrap_x12(
                interchange,
                [],
                interchange_control=ctl,
                group_control=0,
                now=now,
                ta1=ta1,
                delimiters=delimiters,
                line_break=line_break,
            )
            status = str(ta1[0][4])
            ok = int(status != "R")
            out.append(Ack("TA1", data, ctl, (), interchange.control, status, 1, ok, 1 - ok))
        elif kind in ("997", "999"):
            out += ack_x12_sets(kind, interchange, alloc, now, delimiters, line_break)
        elif kind == "CONTRL":
            ctl = alloc("interchange")
            msg = build_contrl(interchange, reference=str(ctl))
            data = wrap_edifact(
                interchange,
                msg,
                interchange_control=ctl,
                now=now,
                delimiters=delimiters,
                line_break=line_break,
            )
            ucms = [s for s in msg if s[0] == "UCM"]
            uci = next(s for s in msg if s[0] == "UCI")
            received = len(interchange.transactions)
            acc = sum(1 for s in ucms if s[3] == "7") if interchange.accepted else 0
            out.append(
                Ack(
                    "CONTRL",
                    data,
                    ctl,
                    (),
                    interchange.control,
                    str(uci[4]),
                    received,
                    acc,
                    received - acc,
                )
            )
    return out


__all__ = [
    "ACK_TYPES",
    "X231",
    "Ack",
    "AckStatus",
    "ControlNumbers",
    "ControlSource",
    "acknowledge",
    "applicable_acks",
    "build_997",
    "build_999",
    "build_contrl",
    "build_ta1",
    "read_ack",
    "read_ack_documents",
    "wrap_edifact",
    "wrap_x12",
]
