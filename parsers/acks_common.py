"""What every acknowledgement kind shares: control numbers, results, the acceptance rule, codes.

Used by :mod:`parsers.acks_x12` (TA1, 997, 999), :mod:`parsers.acks_edifact`
(CONTRL) and :mod:`parsers.acks_inbound`; :mod:`parsers.acks` is the public face.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from parsers.errors import EdiError
from parsers.model import (
    Delimiters,
    Group,
    Interchange,
    Party,
    Segment,
    Standard,
)
from parsers.writer import DelimiterInData, TransactionOut

ACK_TYPES: Final = ("TA1", "997", "999", "CONTRL")
X12_ACK_SETS: Final = frozenset({"997", "999", "TA1"})
MAX_BAD_DATA: Final = 99  # AK404 / IK404 maximum length

# ---------------------------------------------------------------------------
# control numbers


@dataclass(frozen=True, slots=True)
class ControlNumbers:
    """The first outbound control numbers to use; each further one is the previous + 1."""

    interchange: int
    group: int = 1


ControlSource = ControlNumbers | Callable[[str], int]
"""Fixed starting numbers, or an allocator called with ``"interchange"`` or ``"group"``."""


class Allocator:
    """Hands out control numbers from a :data:`ControlSource`."""

    __slots__ = ("_fn", "_next")

    def __init__(self, source: ControlSource) -> None:
        """Numbers from fixed starting values or from the caller's allocator."""
        self._fn: Callable[[str], int] | None = None
        self._next: dict[str, int] = {}
        if isinstance(source, ControlNumbers):
            self._next = {"interchange": source.interchange, "group": source.group}
        else:
            self._fn = source

    def __call__(self, kind: str) -> int:
        """The next control number of ``kind`` (``interchange`` / ``group``), checked to fit 9 digits."""
        if self._fn is not None:
            n = int(self._fn(kind))
        else:
            n = self._next[kind]
            self._next[kind] = n + 1
        if not 1 <= n <= 999_999_999:
            raise ValueError(f"{kind} control number {n} is outside 1..999999999")
        return n


# ---------------------------------------------------------------------------
# results


@dataclass(frozen=True, slots=True)
class Ack:
    """One outbound acknowledgement interchange and what it says."""

    type: str  # "TA1" | "997" | "999" | "CONTRL"
    data: bytes  # the whole interchange (ISA..IEA / UNA?UNB..UNZ)
    interchange_control: int  # our ISA13 / UNB05
    group_controls: tuple[int, ...]  # our GS06 values (empty for TA1 and CONTRL)
    acknowledges: str  # the inbound ISA13 / UNB05
    status: str  # TA104; AK901 (several groups: A, E, P or R overall); UCI 0083
    received: int  # transactions (or, for TA1, interchanges) acknowledged
    accepted: int
    rejected: int

    @property
    def summary(self) -> dict[str, Any]:
        """The counts and status as a dict, for tracking events."""
        return {
            "type": self.type,
            "status": self.status,
            "received": self.received,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "interchange_control": self.interchange_control,
            "group_controls": list(self.group_controls),
            "acknowledges": self.acknowledges,
        }


@dataclass(frozen=True, slots=True)
class AckStatus:
    """What an inbound acknowledgement says about one of our interchanges, groups or transactions.

    997s and 999s do not name the interchange they acknowledge (``interchange`` is
    None): match them on ``group`` (our GS06) and the partner (``sender``).
    """

    ack: str  # "TA1" | "997" | "999" | "CONTRL"
    level: str  # "interchange" | "group" | "transaction"
    status: (
        str  # "accepted" | "accepted_with_errors" | "partially_accepted" | "rejected" | "received"
    )
    code: str  # as sent: TA104, AK901, AK501 / IK501, CONTRL 0083
    interchange: str | None = None  # TA101 / UCI01 (our ISA13 / UNB05)
    group: str | None = None  # AK102 / UCF01 (our GS06 / UNG05)
    transaction: str | None = None  # AK202 / UCM01 (our ST02 / UNH01)
    type: str | None = None  # AK101 functional id, AK201 set type, UCM02 message type
    errors: tuple[str, ...] = ()  # TA105; AK502-506 / IK502-506; AK905-909; 0085
    sender: Party | None = None  # who sent the acknowledgement (the partner)
    receiver: Party | None = None

    @property
    def accepted(self) -> bool:
        """True when the acknowledged item was accepted (with or without noted errors)."""
        return self.status in ("accepted", "accepted_with_errors", "received")


# ---------------------------------------------------------------------------
# acceptance (the same rule as parsers.documents: only accepted transactions are routed)


def group_rejected(interchange: Interchange, group: Group) -> bool:
    """True when the interchange or the group itself is rejected: then every set in it is."""
    return not interchange.accepted or not group.accepted


def is_ack_group(group: Group, standard: Standard) -> bool:
    """True for a group that only carries acknowledgements (never acknowledged in turn)."""
    if standard is Standard.X12:
        if group.functional_id == "FA":
            return True
        return bool(group.transactions) and all(t.type in X12_ACK_SETS for t in group.transactions)
    return bool(group.transactions) and all(t.type == "CONTRL" for t in group.transactions)


def _code_key(code: str) -> tuple[int, str]:
    """Numeric codes in numeric order, then the others (I5, I6, ...) alphabetically."""
    return (int(code), "") if code.isdigit() else (1 << 30, code)


def ack_codes(errors: Iterable[EdiError], attr: str, limit: int) -> list[str]:
    """The distinct acknowledgement codes ``attr`` of ``errors``, sorted, at most ``limit``."""
    seen: set[str] = set()
    for e in errors:
        c: str | None = getattr(e.spec, attr)
        if c:
            seen.add(c)
    return sorted(seen, key=_code_key)[:limit]


def safe_value(value: str | None, d: Delimiters, limit: int = MAX_BAD_DATA) -> str | None:
    """``value`` when it can be written as data with ``d``: no delimiter, no control character."""
    if not value:
        return None
    stops = {d.element, d.component, d.segment}
    if d.repetition:
        stops.add(d.repetition)
    if any(ch in stops or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        return None
    return value[:limit]


# ---------------------------------------------------------------------------
# envelopes (serialized by parsers.writer)


def reply_codec(interchange: Interchange) -> str:
    """How to encode an X12 reply: UTF-8 when the inbound was, else Latin-1 (ASCII, EBCDIC input).

    Latin-1 writes ASCII unchanged and never fails on text decoded from the inbound bytes.
    """
    return (
        "utf-8"
        if interchange.encoding.lower().replace("_", "-") in ("utf-8", "utf8")
        else "latin-1"
    )


def write_fitting(build: Callable[[Delimiters], bytes], candidates: Sequence[Delimiters]) -> bytes:
    """``build`` with the first delimiters the data does not collide with (and that are valid)."""
    last: Exception | None = None
    for d in candidates:
        try:
            return build(d)
        except (DelimiterInData, ValueError) as exc:
            last = exc
    raise ValueError(f"acknowledgement data cannot be written with any delimiters: {last}")


def out_transaction(segs: Sequence[Segment]) -> TransactionOut:
    """A built ST..SE / UNH..UNT as the writer's TransactionOut (the writer recounts the trailer)."""
    head = segs[0]
    if head[0] == "UNH":
        s009 = head[2]
        parts = [c for c in s009 if isinstance(c, str)] if isinstance(s009, list) else [s009]
        return TransactionOut(parts[0], str(head[1]), list(segs[1:-1]), parts[1:])
    return TransactionOut(str(head[1]), str(head[2]), list(segs[1:-1]), [str(v) for v in head[3:4]])
