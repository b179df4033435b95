"""The interface one EDI standard implements for the envelope machine, and what both share.

:class:`~parsers.envelopes.Machine` holds the state and the rules common to
X12 and EDIFACT (counts, references, missing trailers, stray segments); a
:class:`Dialect` (:mod:`parsers.x12_envelope`, :mod:`parsers.edifact_envelope`)
reads its standard's interchange header and envelope segments and tells the
machine what happened through the machine's public methods.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Final

from parsers.errors import HEADER_TRUNCATED
from parsers.segments import split_segment

if TYPE_CHECKING:
    from parsers.envelopes import Machine
    from parsers.model import Delimiters, Standard
    from parsers.tokenizer import Syntax

NEED_MORE: Final = -2  # Dialect.start: more input is needed to read the header
FATAL: Final = -1  # Dialect.start: the header is unreadable (reported as an input error)
NONE: Final = [""]  # an absent element, as components


def fields(text: str, d: Delimiters) -> list[list[str]]:
    """Split a service segment into elements of components (first repetition only).

    The common case is two ``str.split`` calls; text with a release character
    goes through :func:`~parsers.segments.split_segment`.
    """
    if d.release is not None and d.release in text:
        out: list[list[str]] = []
        for el in split_segment(text, d):
            if isinstance(el, str):
                out.append([el])
            elif el and isinstance(el[0], list):
                out.append(el[0])  # type: ignore[arg-type]
            else:
                out.append(el)  # type: ignore[arg-type]
        return out
    c = d.component
    return [el.split(c) for el in text.split(d.element)]


def first(els: list[str], i: int) -> str:
    """Element ``i`` of a split segment, "" when absent."""
    return els[i] if len(els) > i else ""


def unreadable(m: Machine, problem: str, code: str, at: int, tag: str) -> int:
    """Report a header that cannot be read (``code``, or EDI008 when it is cut short); FATAL."""
    return m.fatal(HEADER_TRUNCATED if "truncated" in problem else code, problem, at, tag)


class Dialect(ABC):
    """One standard's envelope: its header, its envelope segments and its trailer names."""

    def __init__(
        self,
        standard: Standard,
        trailers: tuple[str, str, str],
        *,
        implicit_group_is_group: bool,
        requires_messages: bool,
    ) -> None:
        """The standard's facts the machine asks for; ``trailers`` are transaction, group, interchange."""
        self.standard = standard
        self.transaction_trailer, self.group_trailer, self.interchange_trailer = trailers
        # An implicit group is a group of its own (EDIFACT messages without UNG), not only
        # a holder of transactions outside any group (X12 ST without GS): strays go to it.
        self.implicit_group_is_group = implicit_group_is_group
        self.requires_messages = requires_messages  # EDI075 (no messages) applies

    @abstractmethod
    def start(self, m: Machine, buf: bytes, j: int, base: int, eof: bool) -> int:
        """Read the interchange header at ``j`` and open it; a position, NEED_MORE or FATAL."""

    @abstractmethod
    def segment(self, m: Machine, tag: str, k: int, s: int, tp: int) -> int | None:
        """Handle one envelope segment; a buffer position when the interchange ended."""

    @abstractmethod
    def count_and_reference(self, trailer: str, syn: Syntax) -> tuple[str, str]:
        """The segment count and control reference of a transaction trailer's text."""
