"""The tokenizer's per-segment checks (slow path): binary segment lengths, decoding, control bytes.

Split from :mod:`parsers.tokenizer` so that module stays small; the compiled
core (``core/src/tokenize.rs``) implements the same rules byte for byte.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from parsers.encoding import decode
from parsers.errors import BINARY_LENGTH_INVALID, CONTROL_CHARACTER, SEGMENT_DECODED_LATIN1

if TYPE_CHECKING:
    from parsers.tokenizer import Syntax

# Problem: (segment index in block, buffer position, code, message, tag, element, component)
Problem = tuple[int, int, str, str, str, int | None, int | None]


def binary_at(
    syn: Syntax, buf: bytes, p: int, b: int, eof: bool, k: int, probs: list[Problem]
) -> int:
    """Terminator position of the BIN/BDS segment ``k`` at ``p``; -2: more input is needed.

    -1 when its length element is unusable (the problem is noted in ``probs``;
    the segment then ends at the next terminator like any other).
    """
    bq, problem = _binary_end(syn, buf, p, b)
    if bq == -2:
        if not eof:
            return -2
        problem = "binary segment truncated by the end of input"
    if problem:
        at = 1 if buf[p + 2] == 78 else 2
        probs.append((k, p, BINARY_LENGTH_INVALID, problem, buf[p : p + 3].decode(), at, None))
        return -1
    return bq if bq >= 0 else -1


def segment_text(syn: Syntax, raw: bytes, k: int, p: int, probs: list[Problem]) -> str:
    """The text of non-binary segment ``k`` at ``p``: line breaks dropped, decoded, problems noted."""
    if syn.crlf_free:
        for c in syn.strip:
            if c in raw:
                raw = raw.replace(c, b"")
    bad = len(raw.translate(None, syn.ctrl)) != len(raw)
    text, fallback = decode(raw, syn.codec)
    if fallback:
        msg = f"segment is not valid {syn.codec}; decoded as Latin-1"
        probs.append((k, p, SEGMENT_DECODED_LATIN1, msg, text[:3], None, None))
    if bad:
        probs.append(_ctrl_problem(syn, k, p, text))
    return text


def _binary_end(syn: Syntax, buf: bytes, p: int, b: int) -> tuple[int, str]:
    """Terminator position of a BIN/BDS segment at ``p`` from its length element.

    Returns ``(q, "")``; ``(-2, "")`` when the length or payload runs past ``b``
    (more input is needed); or ``(-1, message)`` when the length is invalid (then
    the segment is cut at the next terminator like any other).
    """
    e = syn.elem
    le = len(e)
    i = p + 3 + le
    if buf[p + 2] == 83:  # BDS: filter id comes first
        j = buf.find(e, i, min(b, i + 8))
        if j == -1:
            return (-2, "") if b - i < 8 else (-1, "BDS02 length missing")
        i = j + le
    j = buf.find(e, i, min(b, i + 16))
    if j == -1 and b - i < 16:
        return -2, ""
    length = buf[i:j] if j != -1 else buf[i : i + 16]
    if not length.isdigit():  # bytes.isdigit is ASCII-only
        return -1, f"binary length {length[:15]!r} is not numeric"
    q = j + le + int(length)
    if q + len(syn.term) > b:
        return -2, ""
    if not buf.startswith(syn.term, q):
        return -1, f"binary length {int(length)} does not end at a segment terminator"
    return q, ""


def _ctrl_problem(syn: Syntax, k: int, p: int, text: str) -> Problem:
    """Locate the first control character of a segment (element and component position)."""
    ctrl = syn.ctrl.decode("latin-1")
    i = next(i for i, c in enumerate(text) if c in ctrl)
    head = text[:i]
    es = syn.elem_str
    element = head.count(es)
    last = head.rsplit(es, 1)[-1]
    comp = last.count(syn.delimiters.component) + 1 if element else None
    tag = text.split(es, 1)[0][:3]
    return (
        k,
        p + i,
        CONTROL_CHARACTER,
        f"control character {text[i]!r} in segment data",
        tag,
        element or None,
        comp,
    )
