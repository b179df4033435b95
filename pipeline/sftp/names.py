"""The one rule for partner-supplied file names, shared by the file drop and the SFTP inbox.

It is the file drop's rule (``pipeline.ingest.bad_name`` and its ignored names)
moved here so every channel can adopt the same function.
"""

from __future__ import annotations

IGNORED_SUFFIXES = (".tmp", ".part", ".partial", ".filepart", ".crdownload")
MAX_NAME_BYTES = 180  # claimed/ names are "<ingest id>__<name>": stay under NAME_MAX (255)


def bad_name(name: str) -> str | None:
    """Why a partner-supplied file name is not acceptable, or None when it is fine.

    Refused: non-UTF-8, ``.``/``..``, any slash or backslash, control characters,
    and names longer than ``MAX_NAME_BYTES`` once encoded.
    """
    try:
        raw = name.encode("utf-8")
    except UnicodeEncodeError:
        return "the file name is not valid UTF-8"
    if name in (".", "..") or "/" in name or "\\" in name:
        return "the file name would escape the inbox"
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        return "the file name contains control characters"
    if len(raw) > MAX_NAME_BYTES:
        return f"the file name is longer than {MAX_NAME_BYTES} bytes"
    return None


def is_temporary_name(name: str) -> bool:
    """True for names writers use while a file is incomplete (hidden, ``.part``, ``.tmp``...).

    The file drop never takes such files; the SFTP inbox holds them until they
    are renamed to a final name (clients that upload to a temporary name).
    """
    return name.startswith(".") or name.lower().endswith(IGNORED_SUFFIXES)


def decode_name(raw: bytes) -> str | None:
    """A path component sent by a client as text, or None when it is not valid UTF-8."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
