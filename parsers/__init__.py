"""edi-mesh parsers: pure, fast X12 and UN/EDIFACT reading, validation and writing.

No Kafka, Faust or network import may ever appear in this package.

Stages, one module each: :mod:`~parsers.encoding` and :mod:`~parsers.delimiters`
(what the bytes are), :mod:`~parsers.tokenizer` (segment-aligned blocks),
:mod:`~parsers.segments` (element splitting on demand), :mod:`~parsers.envelopes`
(the envelope state machine; its :mod:`~parsers.events`, and one dialect per
standard: :mod:`~parsers.x12_envelope`, :mod:`~parsers.edifact_envelope`), :mod:`~parsers.validation`
(field checks), :mod:`~parsers.stream` (the ``parse`` / ``stream`` drivers),
:mod:`~parsers.writer` and :mod:`~parsers.chunking`.
"""

from parsers.chunking import split_file, split_interchange
from parsers.envelopes import (
    Event,
    GroupEnd,
    GroupStart,
    InputError,
    InterchangeEnd,
    InterchangeStart,
    TransactionComplete,
)
from parsers.errors import CATALOGUE, EdiError, ErrorCode, Level, Location
from parsers.model import (
    Delimiters,
    Element,
    Group,
    Interchange,
    ParseResult,
    Party,
    Segment,
    Standard,
    Transaction,
)
from parsers.segments import split_segment
from parsers.stream import parse, stream

__all__ = [
    "CATALOGUE",
    "Delimiters",
    "EdiError",
    "Element",
    "ErrorCode",
    "Event",
    "Group",
    "GroupEnd",
    "GroupStart",
    "InputError",
    "Interchange",
    "InterchangeEnd",
    "InterchangeStart",
    "Level",
    "Location",
    "ParseResult",
    "Party",
    "Segment",
    "Standard",
    "Transaction",
    "TransactionComplete",
    "parse",
    "split_file",
    "split_interchange",
    "split_segment",
    "stream",
]
