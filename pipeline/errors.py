"""The pipeline's error codes (EDI1xx), in the parser's catalogue and with its error class.

These are problems of *delivery* rather than syntax: who sent it, how big it
is, where it was dropped. Like the parser's codes they are public and stable.
"""

from __future__ import annotations

from parsers.errors import EdiError, ErrorCode, Level, Location, register

UNKNOWN_PARTNER = "EDI101"
SENDER_NOT_ALLOWED = "EDI102"
FILE_TOO_LARGE = "EDI103"
SYMLINK = "EDI104"
BAD_NAME = "EDI105"
EMPTY_INPUT = "EDI106"
UNREADABLE_FILE = "EDI107"
BROKER_UNAVAILABLE = "EDI108"
INTERNAL = "EDI109"
MESSAGE_TOO_LARGE = "EDI110"
NOT_A_FILE = "EDI111"

register(
    ErrorCode(UNKNOWN_PARTNER, "unknown partner", Level.INTERCHANGE, ta1="006", contrl="23"),
    ErrorCode(
        SENDER_NOT_ALLOWED,
        "envelope sender does not belong to the submitting partner",
        Level.INTERCHANGE,
        ta1="006",
        contrl="23",
    ),
    ErrorCode(FILE_TOO_LARGE, "input larger than the configured cap", Level.INTERCHANGE),
    ErrorCode(SYMLINK, "symbolic links are not accepted in an inbox", Level.INTERCHANGE),
    ErrorCode(BAD_NAME, "file name not acceptable", Level.INTERCHANGE),
    ErrorCode(EMPTY_INPUT, "empty input", Level.INTERCHANGE, ta1="024", contrl="13"),
    ErrorCode(UNREADABLE_FILE, "file could not be read", Level.INTERCHANGE, retriable=True),
    ErrorCode(BROKER_UNAVAILABLE, "the broker is unavailable", Level.INTERCHANGE, retriable=True),
    ErrorCode(
        INTERNAL, "internal error while processing (a bug: please report)", Level.INTERCHANGE
    ),
    ErrorCode(
        MESSAGE_TOO_LARGE,
        "an interchange (or one transaction set) is larger than the broker record cap "
        "and cannot be split",
        Level.INTERCHANGE,
    ),
    ErrorCode(NOT_A_FILE, "not a regular file (FIFO, socket, device)", Level.INTERCHANGE),
)


def error(code: str, message: str, location: Location | None = None) -> EdiError:
    """An EdiError of one of the pipeline's codes."""
    return EdiError(code, message, location or Location())
