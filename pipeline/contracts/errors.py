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
WRONG_PARTITION = "EDI119"  # a record not on its key's partition (outbound requests)
SESSION_LIMIT = "EDI112"  # SFTP: too many concurrent sessions (or open files) for one partner
IDLE_TIMEOUT = "EDI113"  # SFTP: a session idle longer than the limit was closed
SUBMIT_FAILED = "EDI114"  # SFTP: an upload was not accepted by ingest (send it again)
DELIVERY_HOST_KEY = "EDI115"  # push: the partner's host key does not match known_host_key
DELIVERY_UNREACHABLE = "EDI116"  # push: the partner's server is unreachable (retried)
DELIVERY_REFUSED = "EDI117"  # push: the partner's server refused our login or upload
DELIVERY_CONFIG = "EDI118"  # push: outbound_sftp missing or invalid
UNEXPECTED_ENTRY = "EDI130"  # a folder (or other entry) in an inbox: never read, reported once
COMPRESSED_INPUT = "EDI131"  # gzip, zip, bzip2, xz, zstd, 7z: decompress before sending
TOO_MANY_UPLOADS = "EDI140"  # façade: too many request bodies at once (partner or overall)
RATE_LIMITED = "EDI141"  # façade: the partner's request rate is over its limit
REQUEST_TIMEOUT = "EDI142"  # façade: headers or body did not arrive in time; connection closed
BAD_HTTP = "EDI143"  # façade: malformed HTTP (framing, headers too large): refused, not parsed

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
    ErrorCode(
        WRONG_PARTITION,
        "record is not on its key's partition (produce with the murmur2 partitioner, the Java "
        "client's default; librdkafka: partitioner=murmur2_random)",
        Level.INTERCHANGE,
    ),
    ErrorCode(
        SESSION_LIMIT,
        "too many concurrent SFTP sessions or open files for this partner",
        Level.INTERCHANGE,
        retriable=True,
    ),
    ErrorCode(IDLE_TIMEOUT, "SFTP session idle too long; closed", Level.INTERCHANGE),
    ErrorCode(
        SUBMIT_FAILED,
        "upload not accepted by ingest; send it again",
        Level.INTERCHANGE,
        retriable=True,
    ),
    ErrorCode(
        DELIVERY_HOST_KEY,
        "partner SFTP host key does not match known_host_key",
        Level.INTERCHANGE,
    ),
    ErrorCode(
        DELIVERY_UNREACHABLE, "partner SFTP server unreachable", Level.INTERCHANGE, retriable=True
    ),
    ErrorCode(DELIVERY_REFUSED, "partner SFTP server refused login or upload", Level.INTERCHANGE),
    ErrorCode(DELIVERY_CONFIG, "outbound_sftp profile invalid", Level.INTERCHANGE),
    ErrorCode(
        UNEXPECTED_ENTRY,
        "a sub-folder in a partner's inbox: not read (put files directly in the inbox)",
        Level.INTERCHANGE,
    ),
    ErrorCode(
        COMPRESSED_INPUT,
        "compressed input (gzip, zip, bzip2, xz, zstd, 7z): send the EDI itself, uncompressed",
        Level.INTERCHANGE,
    ),
    ErrorCode(
        TOO_MANY_UPLOADS,
        "too many uploads at once (for this partner or overall); retry after Retry-After",
        Level.INTERCHANGE,
        retriable=True,
    ),
    ErrorCode(
        RATE_LIMITED,
        "request rate over the partner's limit; retry after Retry-After",
        Level.INTERCHANGE,
        retriable=True,
    ),
    ErrorCode(
        REQUEST_TIMEOUT,
        "request headers or body too slow; connection closed",
        Level.INTERCHANGE,
        retriable=True,
    ),
    ErrorCode(BAD_HTTP, "malformed HTTP request; refused", Level.INTERCHANGE),
)


def title(code: str) -> str:
    """The catalogue title of a code ("" for an unknown one), for logs and tracking reasons."""
    from parsers.errors import CATALOGUE

    entry = CATALOGUE.get(code)
    return entry.title if entry is not None else ""


def error(code: str, message: str, location: Location | None = None) -> EdiError:
    """An EdiError of one of the pipeline's codes."""
    return EdiError(code, message, location or Location())


def catalogue_markdown() -> str:
    """Every error code (parser and pipeline) as a markdown table, for docs/errors.md."""
    import parsers.hipaa  # registers EDI080-EDI089
    import parsers.outbound_envelope  # noqa: F401  (registers EDI301-EDI310)
    from parsers.errors import CATALOGUE
    from parsers.tolerance import parser_code, rejects_at

    rows = [
        "# Error codes",
        "",
        "Every problem edi-mesh reports carries one of these stable codes (dead letters,",
        "quarantine reports, `edi-mesh parse`, façade answers), with a message and a location.",
        "Generated from the catalogue: `python -m pipeline.contracts.errors --write docs/errors.md`.",
        "`rejects at` is the partner's tolerance (strict / standard / lenient, README:",
        "Tolerance) at which a parser code rejects; elsewhere it is a warning. Pipeline codes",
        "(EDI1xx) do not depend on the tolerance.",
        "",
        "| code | meaning | level | rejects | rejects at | TA1 | AK9 | AK5 | AK3 | AK4 | CONTRL 0085 |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for code in sorted(CATALOGUE):
        c = CATALOGUE[code]
        cells = [c.ta1, c.ak9, c.ak5, c.ak3, c.ak4, c.contrl]
        at = rejects_at(code) if parser_code(code) else ""
        rows.append(
            f"| {c.code} | {c.title} | {c.level.value} | {'yes' if c.rejects else 'no (warning)'}"
            f"{'; retriable' if c.retriable else ''} | {at} | "
            + " | ".join(x or "" for x in cells)
            + " |"
        )
    return "\n".join(rows) + "\n"


if __name__ == "__main__":  # pragma: no cover - a maintenance entry point
    import sys
    from pathlib import Path

    text = catalogue_markdown()
    if len(sys.argv) == 3 and sys.argv[1] == "--write":
        Path(sys.argv[2]).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
