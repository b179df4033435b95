"""The one rule for partner-supplied file names (file drop, façade, SFTP).

Every channel asks ``bad_name`` and skips ``is_temporary_name`` names, so a
file refused by the file drop is refused over SFTP too, with the same words.
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)

IGNORED_SUFFIXES = (".tmp", ".part", ".partial", ".filepart", ".crdownload")
MAX_NAME_BYTES = 180  # claimed/ names are "<ingest id>__<name>": stay under NAME_MAX (255)


def bad_name(name: str) -> str | None:
    """Why an inbox file name is not acceptable, or None when it is fine."""
    try:
        raw = name.encode("utf-8")
    except UnicodeEncodeError:
        return "the file name is not valid UTF-8"
    if name in (".", "..") or "/" in name or "\\" in name or ".." in name.split("\\"):
        return "the file name would escape the inbox"
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        return "the file name contains control characters"
    if len(raw) > MAX_NAME_BYTES:
        return f"the file name is longer than {MAX_NAME_BYTES} bytes"
    return None


def safe_name(name: str) -> str:
    """A printable, bounded stand-in for a refused file name."""
    cleaned = "".join(
        c if c.isprintable() and c not in "/\\" else "_"
        for c in name.encode("utf-8", "replace").decode("utf-8", "replace")
    ).lstrip(".")
    return (
        (cleaned or "unnamed")[:MAX_NAME_BYTES].encode("utf-8", "ignore").decode("utf-8", "ignore")
    )


def is_temporary_name(name: str) -> bool:
    """True for names writers use while a file is incomplete (hidden, ``.part``, ``.tmp``...).

    The file drop never takes such files; the SFTP inbox holds them until they
    are renamed to a final name (clients that upload to a temporary name).
    """
    return name.startswith(".") or name.lower().endswith(IGNORED_SUFFIXES)


def decode_name(raw: bytes) -> str | None:
    """A path component sent by a client as bytes, or None when it is not valid UTF-8."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
