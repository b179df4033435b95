"""Split one segment's text into elements, composites and repetitions.

The tokenizer leaves segments as text; this stage turns one into the
:data:`~parsers.model.Segment` shape of the documents: the tag, then each
element as a string, a composite as a list of component strings, and a
repeated element as a list of composites (each a list, even when simple).
Fast paths skip the work a segment does not need (no component separator in
the text means no composite in it).
"""

from __future__ import annotations

from parsers.model import Delimiters, Element, Segment

_RELEASE_SENTINEL = "\x00"  # never legal in EDI text; stands in for released characters


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
    if rep is not None and rep in el:
        return [r.split(comp) for r in el.split(rep)]
    if comp in el:
        return el.split(comp)
    return el


def _split_released(text: str, d: Delimiters) -> Segment:
    """Slow path for text containing the release character: mask, split, unmask."""
    release = d.release
    assert release is not None
    masked: list[str] = []
    escapes: list[str] = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == release and i + 1 < n:
            escapes.append(text[i + 1])
            masked.append(_RELEASE_SENTINEL)
            i += 2
            continue
        masked.append(ch)
        i += 1
    seg = split_segment(
        "".join(masked), Delimiters(d.element, d.component, d.segment, d.repetition)
    )
    it = iter(escapes)

    def unmask(s: str) -> str:
        if _RELEASE_SENTINEL not in s:
            return s
        return "".join(next(it) if c == _RELEASE_SENTINEL else c for c in s)

    out: Segment = []
    for el in seg:
        if isinstance(el, str):
            out.append(unmask(el))
        elif el and isinstance(el[0], list):
            out.append([[unmask(c) for c in r] for r in el])  # type: ignore[union-attr]
        else:
            out.append([unmask(c) for c in el])  # type: ignore[union-attr, arg-type]
    return out
