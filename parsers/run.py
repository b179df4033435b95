"""Whole-file runs of the parser for ``edi-mesh parse``: documents or acks, and every error.

Streams the input (:func:`parsers.stream`), so a file of any size is read in
bounded memory when documents are wanted. Acknowledgements describe a whole
interchange, so with ``acks=True`` one interchange at a time is kept.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any, BinaryIO

import orjson

from parsers.acks import ControlNumbers, acknowledge
from parsers.content import transaction_content_errors
from parsers.documents import render_transaction
from parsers.envelopes import (
    GroupEnd,
    GroupStart,
    InputError,
    InterchangeEnd,
    InterchangeStart,
    TransactionComplete,
    TransactionPart,
)
from parsers.errors import EdiError
from parsers.fragments import TransactionFragments, fragment_loop
from parsers.model import Group, Interchange, Standard, Transaction
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
    validation: str = "envelope",
    with_data: bool = False,
    fragments: Mapping[str, str] | None = None,
) -> Iterator[bytes | EdiError]:
    """Yield each accepted document as JSON bytes (or, with ``acks``, each ack interchange) and every error.

    Errors come as :class:`~parsers.errors.EdiError` values in input order,
    interleaved with the output; a document is yielded when its transaction
    completes without a rejecting error of its own (an error found later in a
    trailer is reported when found). ``validation="standard"`` adds each
    transaction's content findings (``parsers.content``, judged by ``tolerance``)
    as it completes, so the run stays streaming; ``with_data`` adds ``data``.
    ``fragments`` (type -> loop) cuts those types per loop instance; a transaction
    longer than one read block is cut as it streams (:class:`TransactionFragments`).
    """
    cuts = _Cuts(fragments, source, partner, tolerance, validation, with_data)
    current: Interchange | None = None
    control = 1
    seen: set[int] = set()  # errors are shared by events (a trailer error is also in group.errors)

    def fresh(errors: list[EdiError]) -> Iterator[EdiError]:
        """The errors of ``errors`` not yielded yet (by identity)."""
        for e in errors:
            if id(e) not in seen:
                seen.add(id(e))
                yield e

    for ev in stream(fp, tolerance=tolerance, spill=None if acks else cuts.spill):
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
        elif isinstance(ev, TransactionPart | TransactionComplete):
            tx = ev.transaction
            docs = cuts.take(ev, render=not acks)
            yield from fresh(tx.errors)
            if acks:
                _attach_group(ev.interchange, ev.group)
                if not any(t is tx for t in ev.group.transactions):
                    ev.group.transactions.append(tx)
            elif tx.accepted and ev.group.accepted:
                yield from docs
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


class _Cuts:
    """The transactions of one run being cut per loop as they stream."""

    def __init__(
        self,
        fragments: Mapping[str, str] | None,
        source: Mapping[str, Any],
        partner: Mapping[str, Any] | None,
        tolerance: Tolerance | None,
        validation: str,
        with_data: bool,
    ) -> None:
        self.fragments = fragments or {}
        self.source, self.partner, self.tolerance = source, partner, tolerance
        self.validate = validation == "standard"
        self.with_data = with_data
        self.open: dict[int, TransactionFragments] = {}
        self.spill = self._spill if self.fragments else None

    def _spill(self, ic: Interchange, tx: Transaction) -> bool:
        """True for a transaction to cut per loop (its dictionary knows the loop)."""
        return fragment_loop(str(ic.standard), tx.version, tx.type, self.fragments) is not None

    def cutting(self, tx: Transaction) -> bool:
        """True when ``tx`` came in parts (it is being cut as it streams)."""
        return id(tx) in self.open

    def _feed(self, ev: TransactionPart | TransactionComplete, texts: list[str]) -> Iterator[bytes]:
        """Feed one part; the documents it completes, encoded lazily (one held at a time)."""
        tx = ev.transaction
        tf = self.open.get(id(tx))
        if tf is None:
            tf = self.open[id(tx)] = TransactionFragments(
                ev.interchange,
                ev.group,
                tx,
                self.fragments[tx.type],
                partner=self.partner,
                source=self.source,
                validate=self.validate,
                tolerance=self.tolerance,
                with_data=self.with_data,
            )
        docs: Iterator[dict[str, Any]] = tf.feed(texts)
        if isinstance(ev, TransactionComplete):
            docs = itertools.chain(docs, tf.finish())
            del self.open[id(tx)]
        tx.errors.extend(tf.new_findings())
        return (orjson.dumps(d) for d in docs)

    def take(self, ev: TransactionPart | TransactionComplete, render: bool) -> Iterator[bytes]:
        """Content findings added to the transaction now; its documents, rendered lazily."""
        if isinstance(ev, TransactionPart):
            return self._feed(ev, ev.segments)
        tx = ev.transaction
        if self.cutting(tx):
            return self._feed(ev, tx.segments)
        if self.validate:
            ic = ev.interchange
            found = transaction_content_errors(str(ic.standard), ic.delimiters, tx, self.tolerance)
            tx.errors.extend(found)
        return self._whole(ev) if render else iter(())

    def _whole(self, ev: TransactionComplete) -> Iterator[bytes]:
        """The document(s) of a transaction read whole (loop fragments when asked)."""
        for _doc_id, value in render_transaction(
            ev.interchange,
            ev.group,
            ev.transaction,
            partner=self.partner,
            source=self.source,
            with_data=self.with_data,
            fragments=self.fragments,
        ):
            yield value


def _attach_group(ic: Interchange, group: Group) -> None:
    """Add ``group`` to ``ic.groups`` once (events share the group object)."""
    if not any(g is group for g in ic.groups):
        ic.groups.append(group)


def hipaa_documents(
    data: bytes,
    *,
    source: Mapping[str, Any],
    partner: Mapping[str, Any] | None = None,
    acks: bool = False,
    tolerance: Tolerance | None = None,
    with_data: bool = False,
    fragments: Mapping[str, str] | None = None,
) -> Iterator[bytes | EdiError]:
    """Like :func:`stream_documents` at ``validation="hipaa"``: the whole input in memory.

    pyx12 validates whole interchanges, so this path is not streaming: every error
    comes first, then the documents of the accepted transactions (or the acks).
    """
    from parsers import parse
    from parsers.documents import render_documents
    from parsers.hipaa import attach_hipaa_errors, validate_hipaa

    result = parse(data, tolerance)
    for ic in result.interchanges:
        if ic.standard is Standard.X12:
            attach_hipaa_errors(ic, validate_hipaa(data[ic.offset : ic.end]))
    yield from result.all_errors()
    control = 1
    for ic in result.interchanges:
        if acks:
            kinds = DEFAULT_ACKS[ic.standard]
            for ack in acknowledge(
                ic, kinds, controls=ControlNumbers(control, control), now=datetime.now(UTC)
            ):
                control = ack.interchange_control + 1
                yield ack.data
            continue
        yield from render_documents(
            ic, partner=partner, source=source, with_data=with_data, fragments=fragments
        )
