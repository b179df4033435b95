"""How much deviation from the standard a partner's files may carry: strict, standard, lenient.

Real partners send files that every translator meets: ISA fields not padded,
``9999`` dates in de-identified samples, banner text before the ISA, SE01
counts copied from a template. A :class:`Tolerance` decides, per error code,
whether an error rejects what it is attached to or is only a warning (the
same code, message and location, ``rejects: false``), like Bots' and
Sterling's per-partner settings:

- ``strict``: the catalogue as it is: every deviation rejects.
- ``standard`` (the pipeline's default): what does not put data integrity at
  risk is a warning: envelope field formatting, invalid envelope dates and
  times, text before or between interchanges, an EDIFACT syntax version missing.
- ``lenient``: counts, control-number mismatches, missing trailers at the end
  of the input and duplicate control numbers are warnings too.

Per-code ``accept`` (make a warning) and ``reject`` (make rejecting) refine a
level. Truncation is never tolerated: an input that ends inside a segment of
an open transaction set gets :data:`~parsers.errors.TRANSACTION_TRUNCATED`,
which rejects at every level. The policy is applied to the envelope
machine's events as they are yielded, so everything downstream (documents,
acknowledgements, chunking) sees the partner's verdict.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum

from parsers import errors as E
from parsers.errors import CATALOGUE, EdiError
from parsers.events import (
    Event,
    GroupEnd,
    GroupStart,
    InputError,
    InterchangeEnd,
    InterchangeStart,
    TransactionComplete,
    TransactionPart,
)
from parsers.model import Interchange, Transaction


class Level(StrEnum):
    """The three tolerance levels, from the catalogue's verdicts to everything readable."""

    STRICT = "strict"
    STANDARD = "standard"
    LENIENT = "lenient"


# Formatting and dating of envelope fields, prose around the data: the data itself is intact.
STANDARD_WARNINGS: frozenset[str] = frozenset(
    {
        E.UNRECOGNIZED_DATA,  # banner or prose text before / between interchanges
        E.ISA_AUTH_QUALIFIER,
        E.ISA_AUTH_INFO,
        E.ISA_SECURITY_QUALIFIER,
        E.ISA_SECURITY_INFO,
        E.ISA_SENDER_QUALIFIER,
        E.ISA_SENDER_ID,
        E.ISA_RECEIVER_QUALIFIER,
        E.ISA_RECEIVER_ID,
        E.ISA_DATE,
        E.ISA_TIME,
        E.ISA_STANDARDS_ID,  # ISA11 "^" (or another character) before 00402
        E.ISA_ACK_REQUESTED,
        E.GROUP_DATE_INVALID,
        E.GROUP_TIME_INVALID,
        E.UNB_DATE_TIME_INVALID,
        E.SYNTAX_VERSION_UNSUPPORTED,  # UNB01-2 missing or not one we know
    }
)

# Counts, controls, trailers at the end, duplicates: the sets are still readable one by one.
LENIENT_WARNINGS: frozenset[str] = STANDARD_WARNINGS | frozenset(
    {
        E.INTERCHANGE_TRAILER_MISSING,
        E.INTERCHANGE_CONTROL_MISMATCH,
        E.INTERCHANGE_COUNT_MISMATCH,
        E.INTERCHANGE_TRAILER_INVALID,
        E.GROUP_CONTROL_DUPLICATE,
        E.GROUP_TRAILER_MISSING,
        E.GROUP_CONTROL_MISMATCH,
        E.GROUP_COUNT_MISMATCH,
        E.GROUP_COUNT_INVALID,
        E.TRANSACTION_TRAILER_MISSING,
        E.TRANSACTION_CONTROL_MISMATCH,
        E.SEGMENT_COUNT_MISMATCH,
        E.TRANSACTION_CONTROL_DUPLICATE,
        E.SEGMENT_COUNT_INVALID,
        E.SYNTAX_ID_UNKNOWN,  # an unknown syntax identifier (e.g. "ANSI" in a UNB)
        E.ENVELOPE_SYNTHESISED,  # bare UNH..UNT messages read in a synthesised UNB..UNZ
    }
)

# Never a warning, whatever the partners file says: the data is not all there.
NEVER_TOLERATED: frozenset[str] = frozenset({E.TRANSACTION_TRUNCATED, E.HEADER_TRUNCATED})

_WARNINGS = {
    Level.STRICT: frozenset[str](),
    Level.STANDARD: STANDARD_WARNINGS,
    Level.LENIENT: LENIENT_WARNINGS,
}


class ToleranceError(ValueError):
    """A tolerance setting that cannot be honoured (unknown level or code); a startup error."""


def parser_code(code: str) -> bool:
    """True for a code of the parser's catalogue (EDI0xx), the only ones a tolerance can change."""
    return code in CATALOGUE and code.startswith("EDI0")


@dataclass(frozen=True, slots=True)
class Tolerance:
    """A level plus per-code overrides; :meth:`rejects` is the verdict for one code."""

    level: Level = Level.STRICT
    accept: frozenset[str] = frozenset()
    reject: frozenset[str] = frozenset()
    _verdicts: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(
        cls, level: str = "standard", accept: Iterable[str] = (), reject: Iterable[str] = ()
    ) -> Tolerance:
        """A checked tolerance; :class:`ToleranceError` names the first bad level or code."""
        try:
            lvl = Level(level)
        except ValueError:
            raise ToleranceError(
                f"tolerance {level!r} is not one of strict, standard, lenient"
            ) from None
        acc, rej = frozenset(accept), frozenset(reject)
        for code in sorted(acc | rej):
            if not parser_code(code):
                raise ToleranceError(f"{code!r} is not a parser error code (EDI0xx)")
        if acc & NEVER_TOLERATED:
            raise ToleranceError(f"{sorted(acc & NEVER_TOLERATED)[0]} is never tolerated")
        if acc & rej:
            raise ToleranceError(f"{sorted(acc & rej)[0]} is both accepted and rejected")
        return cls(lvl, acc, rej)

    @property
    def strict(self) -> bool:
        """True when the catalogue's verdicts apply unchanged."""
        return self.level is Level.STRICT and not self.accept and not self.reject

    def rejects(self, code: str) -> bool:
        """Whether an error with ``code`` rejects what it is attached to."""
        verdict = self._verdicts.get(code)
        if verdict is None:
            verdict = self._decide(code)
            self._verdicts[code] = verdict
        return verdict

    def _decide(self, code: str) -> bool:
        if code in self.reject or code in NEVER_TOLERATED:
            return True
        if code in self.accept or code in _WARNINGS[self.level]:
            return False
        return CATALOGUE[code].rejects if code in CATALOGUE else True

    def apply(self, err: EdiError) -> EdiError:
        """``err`` with this tolerance's verdict (the same object when nothing changes)."""
        verdict = self.rejects(err.code)
        if verdict == err.rejects:
            return err
        override = None if verdict == err.spec.rejects else verdict
        return EdiError(err.code, err.message, err.location, override)

    def apply_all(self, *lists: list[EdiError]) -> None:
        """Apply to lists of errors in place; an error shared by two lists stays one object."""
        judged: dict[int, EdiError] = {}
        for errs in lists:
            if not errs:
                continue
            for i, e in enumerate(errs):
                new = judged.get(id(e))
                if new is None:
                    new = judged[id(e)] = self.apply(e)
                errs[i] = new

    def event(self, ev: Event) -> Event:
        """One event with every error it carries judged by this tolerance."""
        if isinstance(ev, TransactionComplete):
            self._transaction(ev.interchange, ev.transaction)
        elif isinstance(ev, TransactionPart):
            self.apply_all(ev.transaction.errors)
        elif isinstance(ev, GroupStart):
            self.apply_all(ev.group.errors)
        elif isinstance(ev, GroupEnd):
            self.apply_all(ev.group.errors, ev.errors)
        elif isinstance(ev, InterchangeStart):
            self.apply_all(ev.interchange.errors)
        elif isinstance(ev, InterchangeEnd):
            self.apply_all(ev.interchange.errors, ev.errors)
        elif isinstance(ev, InputError):
            return InputError(self.apply(ev.error))
        return ev

    def _transaction(self, ic: Interchange, tx: Transaction) -> None:
        codes = {e.code for e in tx.errors}
        if E.TRANSACTION_TRAILER_MISSING in codes and any(
            e.code == E.FINAL_TERMINATOR_MISSING for e in ic.errors
        ):
            end = next(e for e in tx.errors if e.code == E.TRANSACTION_TRAILER_MISSING)
            msg = "the input ends inside this transaction set: its last segment is cut off"
            tx.errors.append(EdiError(E.TRANSACTION_TRUNCATED, msg, end.location))
        self.apply_all(tx.errors)

    def events(self, stream: Iterable[Event]) -> Iterator[Event]:
        """The events of ``stream``, judged."""
        for ev in stream:
            yield self.event(ev)

    def to_dict(self) -> dict[str, object]:
        """The setting as the partners file writes it."""
        return {
            "level": str(self.level),
            "accept": sorted(self.accept),
            "reject": sorted(self.reject),
        }


STRICT = Tolerance()


def rejects_at(code: str) -> str:
    """The tolerance levels at which ``code`` rejects, for the error catalogue."""
    if code in NEVER_TOLERATED:
        return "every level (never tolerated)"
    if not CATALOGUE[code].rejects:
        return "none (a warning)"
    if code in STANDARD_WARNINGS:
        return "strict"
    if code in LENIENT_WARNINGS:
        return "strict, standard"
    return "strict, standard, lenient"
