"""Type stub of the compiled parser core (core/src/py.rs); parsers/accel.py is its only user."""

from collections.abc import Sequence

VERSION: str

class CoreSyntax:
    """The byte-level syntax of one interchange (the fields of parsers.tokenizer.Syntax)."""

    def __init__(
        self,
        x12: bool,
        codec: str,
        term: bytes,
        elem: bytes,
        rel: bytes | None,
        ws: bytes,
        ctrl: bytes,
        crlf_free: bool,
        strip: bytes,
        elem_str: str,
        comp_str: str,
    ) -> None: ...

class Seq(Sequence[object]):
    """A lazy, read-only column of a scanned block (starts, terminators or texts)."""

    def __len__(self) -> int: ...
    def __getitem__(self, idx: int | slice, /) -> object: ...  # type: ignore[override]

def scan(
    syntax: CoreSyntax, buf: bytes, a: int, b: int, eof: bool, /
) -> (
    tuple[
        int,
        int,
        bool,
        int,
        int,
        list[tuple[str, int, int, int]],
        list[tuple[int, int, str, str, str, int | None, int | None]],
        Seq,
        Seq,
        Seq,
    ]
    | None
): ...
def split_segments(
    texts: list[str], el: str, comp: str | None, /
) -> tuple[list[list[str | list[str]]], list[str | list[str]], list[int]] | None: ...

class CoreDictionary:
    """A compiled dictionary (parsers.dictionary.Dictionary) read once for render_body.

    Reads ``dictionary.root`` (the LoopSpec tree: keys, children, index, rewind;
    segment tags, keys, max, elements, qualifiers; element keys, refs, render kinds,
    descriptions, components) and ``dictionary.qualified`` with getattr; raises
    (AttributeError / TypeError) for an object of another shape.
    """

    def __init__(self, dictionary: object, /) -> None: ...
    @property
    def supported(self) -> bool:
        """False when render_body declines ``data`` with it (a shape it does not reproduce)."""

def render_body(
    texts: list[str],
    element: str,
    component: str,
    repetition: str | None,
    release: str | None,
    dictionary: CoreDictionary | None,
    with_data: bool,
    /,
) -> tuple[list[str], bytes, bytes, bytes | None] | None:
    """``(tags, segments_json, ends, data_json)`` of one transaction's segment texts, or None.

    With ``segs = [parsers.segments.split_segment(t, d) for t in texts]``:

    - ``tags == [s[0] for s in segs]``;
    - ``segments_json == orjson.dumps(segs)``;
    - ``ends``: little-endian u32, one per segment (``memoryview(ends).cast("I")``):
      ``ends[i]`` is the offset in ``segments_json`` just after segment i's JSON value.
      Segment i's JSON is ``segments_json[start(i):ends[i]]`` with ``start(0) == 1``
      (after the opening ``[``) and ``start(i) == ends[i - 1] + 1`` (after the comma);
      segments ``[a, b)`` (b > a) as an array: ``b"[" + segments_json[start(a):ends[b - 1]] + b"]"``;
    - ``data_json == orjson.dumps(parsers.data.build_data(dictionary, segs))`` (errors
      and checker None; the positional tree when ``dictionary`` is None) when
      ``with_data``, else None. ``dictionary`` is the CoreDictionary of the same
      Dictionary the Python path would use.

    Release characters are handled as ``split_segment`` does (released pairs masked,
    the text split, the released characters put back; a trailing one stays literal).
    None (decline: render in Python) for a text with a lone surrogate, a text holding
    the ``release`` character and any character of ``parsers.segments._SENTINELS``
    (NUL, U+E000..U+E008, U+F0000..U+F00FF: Python's stand-ins), a delimiter that is
    not exactly one character (``release`` ``""`` counts as None), an unsupported
    dictionary (with ``with_data``), a date or time value holding non-ASCII
    characters, or output past 4 GiB. Never raises for any text.
    """

def element_values(
    texts: list[str],
    positions: list[int],
    indexes: list[int],
    element: str,
    component: str,
    repetition: str | None,
    release: str | None,
    /,
) -> list[tuple[str | None, ...]] | None:
    """Per position ``p``, ``tuple(el(split_segment(texts[p], d), i) for i in indexes)``.

    ``el`` is ``parsers.keys_common.el`` (element ``i``'s first component of its first
    repeat; None when absent or empty). None (decline: read them in Python) for a text
    with the ``release`` character or a lone surrogate, a position out of range, a
    delimiter that is not one character, or an index 0.
    """

def component_values(
    texts: list[str],
    positions: list[int],
    specs: list[tuple[int, int]],
    element: str,
    component: str,
    repetition: str | None,
    release: str | None,
    /,
) -> list[tuple[str | None, ...]] | None:
    """Per position ``p``, ``tuple(comp(split_segment(texts[p], d), i, j) for i, j in specs)``.

    ``comp`` is ``parsers.keys_common.comp`` (component ``j`` of element ``i``, of its first
    repeat; ``j == 1`` is ``el``; None when absent or empty).
    Release characters are read as ``split_segment`` reads them. None (decline: read them
    in Python) for a position out of range, an index 0, a lone surrogate, a text holding
    the ``release`` character and one of ``parsers.segments._SENTINELS``, or a delimiter
    that is not one character.
    """

def hl_tree(
    texts: list[str],
    starts: list[int],
    body_end: int,
    levels: dict[str, str],
    max_depth: int,
    element: str,
    component: str,
    repetition: str | None,
    release: str | None,
    /,
) -> bytes | None:
    """``orjson.dumps(parsers.keys.build_hl_tree(...))`` of the HL / CPS segments at ``starts``.

    ``starts`` are the (ascending, non-empty) indexes of the HL (CPS) segments, ``body_end``
    the trailer's index (else the segment count), ``levels`` the level names
    (``HL_LEVELS`` / ``CPS_LEVELS``), ``max_depth`` ``MAX_TREE_DEPTH``. None (decline)
    as for :func:`component_values`, or for ``starts`` not strictly ascending.
    """

def keys_json(
    texts: list[str],
    x12: bool,
    type: str,
    element: str,
    component: str,
    repetition: str | None,
    release: str | None,
    /,
) -> bytes | None:
    """``orjson.dumps(parsers.keys.extract_keys(standard, type, segs))`` of one transaction.

    ``segs = [split_segment(t, d) for t in texts]``; ``x12``: the standard is X12 (else
    UN/EDIFACT). None (decline: compute them in Python) for a type whose keys it does not
    write (the ``beginning`` fallback, 277, EDIFACT without BGM), a tag holding the release
    character (or the release character being the element separator), a text with the
    release character and one of ``parsers.segments._SENTINELS``, a lone surrogate, or a
    delimiter that is not one character.
    """
