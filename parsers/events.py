"""The events of the envelope machine: what :func:`parsers.stream` yields, in input order.

Kept apart from the machine (:mod:`parsers.envelopes`, which re-exports them)
so that consumers of events need not import the machine and its dialects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from parsers.errors import EdiError
    from parsers.model import Group, Interchange, Transaction


@dataclass(slots=True)
class InterchangeStart:
    """An interchange header was read (errors found in it are already in ``interchange.errors``)."""

    interchange: Interchange


@dataclass(slots=True)
class GroupStart:
    """A functional group started (implicit for EDIFACT messages without UNG)."""

    interchange: Interchange
    group: Group


@dataclass(slots=True)
class TransactionComplete:
    """A transaction set / message is complete (its trailer was read or it was cut short)."""

    interchange: Interchange
    group: Group
    transaction: Transaction


@dataclass(slots=True)
class TransactionPart:
    """Segments of an open transaction, handed over before its trailer (``spill`` streams only).

    ``segments`` are the text read since the previous part; the transaction keeps
    none of them, so its ``TransactionComplete`` carries only the rest.
    """

    interchange: Interchange
    group: Group
    transaction: Transaction
    segments: list[str]


@dataclass(slots=True)
class GroupEnd:
    """A group ended; ``errors`` are the ones found at its trailer (also in ``group.errors``)."""

    interchange: Interchange
    group: Group
    errors: list[EdiError] = field(default_factory=list)


@dataclass(slots=True)
class InterchangeEnd:
    """An interchange ended; ``errors`` are the ones found at its trailer (also in ``interchange.errors``)."""

    interchange: Interchange
    errors: list[EdiError] = field(default_factory=list)


@dataclass(slots=True)
class InputError:
    """A problem outside any interchange (not EDI, garbage, UTF-16, unreadable header...)."""

    error: EdiError


Event = (
    InterchangeStart
    | GroupStart
    | TransactionPart
    | TransactionComplete
    | GroupEnd
    | InterchangeEnd
    | InputError
)
