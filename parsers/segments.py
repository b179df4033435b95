"""Split one segment's text into elements, composites and repetitions.

The tokenizer leaves segments as text; this stage turns one into the
:data:`~parsers.model.Segment` shape of the documents: the tag, then each
element as a string, a composite as a list of component strings, and a
repeated element as a list of composites (each a list, even when simple).
Fast paths skip the work a segment does not need (no component separator in
the text means no composite in it).
"""

from __future__ import annotations

import re

from parsers.model import Delimiters, Element, Segment

# Stand-ins for released characters: the first one absent from the text is used.
_SENTINELS = "\x00\ue000\ue001\ue002\ue003\ue004\ue005\ue006\ue007\ue008" + "".join(
    chr(c) for c in range(0xF0000, 0xF0100)
)


def split_segment(
    text: str, d: Delimiters, composite_tags: frozenset[str] = frozenset()
) -> Segment:
    """Split ``text`` (one segment, no terminator) into its elements.

    A release character (EDIFACT ``?``) escapes the next character, which is
    then literal. ``composite_tags`` is unused today and reserved for
    dictionary-aware splitting.
    """
    release = d.release
    if release and release in text:
        return _split_released(text, d)
    elements: list[str] = text.split(d.element)
    comp = d.component
    rep = d.repetition
    has_comp = comp in text
    has_rep = rep is not None and rep in text
    if not has_comp and not has_rep:
        return elements  # type: ignore[return-value]
    out: Segment = [elements[0]]
    if elements[0] == "ISA":
        # ISA11 (repetition separator from 00402) and ISA16 (component separator)
        # are delimiters themselves, never composites or repetitions.
        return elements  # type: ignore[return-value]
    for el in elements[1:]:
        out.append(_split_element(el, comp, rep if has_rep else None))
    return out


def _split_element(el: str, comp: str, rep: str | None) -> Element:
    """One element: repetition, composite or plain string."""
    if rep is not None and rep in el:
        return [r.split(comp) for r in el.split(rep)]
    if comp in el:
        return el.split(comp)
    return el


def _split_released(text: str, d: Delimiters) -> Segment:
    """Slow path for text containing the release character: mask, split, unmask.

    Each released pair becomes a sentinel character that occurs nowhere in the
    text nor among the delimiters (input may contain anything, even NUL), the
    masked text is split normally, and the released characters are put back.
    """
    release = d.release
    assert release is not None
    taken = {d.element, d.component, d.segment, d.repetition, release}
    sentinel = next((c for c in _SENTINELS if c not in taken and c not in text), "")
    if not sentinel:  # adversarial text using every stand-in: drop the escapes' meaning
        return split_segment(
            text.replace(release, ""), Delimiters(d.element, d.component, d.segment, d.repetition)
        )
    pair = re.compile(re.escape(release) + "(.)", re.DOTALL)
    escapes = iter(pair.findall(text))
    seg = split_segment(
        pair.sub(sentinel, text), Delimiters(d.element, d.component, d.segment, d.repetition)
    )

    def unmask(s: str) -> str:
        """Put the released characters back in place of the sentinels."""
        if sentinel not in s:
            return s
        parts = s.split(sentinel)
        return parts[0] + "".join(next(escapes) + p for p in parts[1:])

    out: Segment = []
    for el in seg:
        if isinstance(el, str):
            out.append(unmask(el))
        elif el and isinstance(el[0], list):
            out.append([[unmask(c) for c in r] for r in el])  # type: ignore[union-attr]
        else:
            out.append([unmask(c) for c in el])  # type: ignore[union-attr, arg-type]
    return out
