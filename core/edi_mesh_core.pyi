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
