"""Whole-file runs of the parser for ``edi-mesh parse``: documents or acks, and every error.

Streams the input (:func:`parsers.stream`), so a file of any size is read in
bounded memory when documents are wanted. Acknowledgements describe a whole
interchange, so with ``acks=True`` one interchange at a time is kept.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any, BinaryIO

from parsers.acks import ControlNumbers, acknowledge
from parsers.documents import render_transaction
from parsers.envelopes import (
    GroupEnd,
    GroupStart,
    InputError,
    InterchangeEnd,
    InterchangeStart,
    TransactionComplete,
)
from parsers.errors import EdiError
from parsers.model import Group, Interchange, Standard
from parsers.stream import stream
from parsers.tolerance import Tolerance

DEFAULT_ACKS = {Standard.X12: ("TA1", "997"), Standard.EDIFACT: ("CONTRL",)}


def stream_documents(
    fp: BinaryIO,
    *,
    source: Mapping[str, Any],
    partner: Mapping[str, Any] | None = None,
    acks: bool = False,
    ack_kinds: tuple[str, ...] | None = None,
    tolerance: Tolerance | None = None,
) -> Iterator[bytes | EdiError]:
    """Yield each accepted document as JSON bytes (or, with ``acks``, each ack interchange) and every error.

    Errors come as :class:`~parsers.errors.EdiError` values in input order,
    interleaved with the output; a document is yielded when its transaction
    completes without a rejecting error of its own (an error found later in a
    trailer is reported when found).
    """
    current: Interchange | None = None
    control = 1
    seen: set[int] = set()  # errors are shared by events (a trailer error is also in group.errors)

    def fresh(errors: list[EdiError]) -> Iterator[EdiError]:
        """The errors of ``errors`` not yielded yet (by identity)."""
        for e in errors:
            if id(e) not in seen:
                seen.add(id(e))
                yield e

    for ev in stream(fp, tolerance=tolerance):
        if isinstance(ev, InputError):
            yield ev.error
        elif isinstance(ev, InterchangeStart):
            current = ev.interchange
            if acks:
                current.groups = []
            seen.clear()
            yield from fresh(ev.interchange.errors)
        elif isinstance(ev, GroupStart):
            if acks:
                _attach_group(ev.interchange, ev.group)
            yield from fresh(ev.group.errors)
        elif isinstance(ev, TransactionComplete):
            tx = ev.transaction
            yield from fresh(tx.errors)
            if acks:
                _attach_group(ev.interchange, ev.group)
                if not any(t is tx for t in ev.group.transactions):
                    ev.group.transactions.append(tx)
            elif tx.accepted and ev.group.accepted:
                for _doc_id, value in render_transaction(
                    ev.interchange, ev.group, tx, partner=partner, source=source
                ):
                    yield value
        elif isinstance(ev, GroupEnd):
            yield from fresh(ev.errors)
        elif isinstance(ev, InterchangeEnd):
            yield from fresh(ev.errors)
            if acks and current is not None:
                kinds = ack_kinds or DEFAULT_ACKS[current.standard]
                for ack in acknowledge(
                    current, kinds, controls=ControlNumbers(control, control), now=datetime.now(UTC)
                ):
                    control = ack.interchange_control + 1
                    yield ack.data
            current = None


def _attach_group(ic: Interchange, group: Group) -> None:
    """Add ``group`` to ``ic.groups`` once (events share the group object)."""
    if not any(g is group for g in ic.groups):
        ic.groups.append(group)
