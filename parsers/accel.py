"""Which implementation runs the hot per-segment work: the compiled core or pure Python.

The compiled core (``edi_mesh_core``, built from ``core/`` with PyO3 + maturin
by ``scripts/install.sh`` when cargo is available) takes over tokenizing and
element splitting with byte-identical results; the pure-Python code in
``parsers/`` stays the reference and the fallback. The core is used when it is
importable and ``EDI_MESH_PURE_PYTHON`` is not ``1``; :func:`set_core` lets
tests and benchmarks switch at run time.
"""

from __future__ import annotations

import logging
import os
from types import ModuleType
from typing import TYPE_CHECKING, Any, Final

from parsers.model import Standard

if TYPE_CHECKING:
    from parsers.tokenizer import Block, Syntax

PURE_ENV: Final = "EDI_MESH_PURE_PYTHON"


def _load() -> ModuleType | None:
    """The extension module, or None when absent or disabled by ``EDI_MESH_PURE_PYTHON=1``."""
    if os.environ.get(PURE_ENV, "") == "1":
        return None
    try:
        import edi_mesh_core
    except ImportError:
        return None
    return edi_mesh_core


CORE: ModuleType | None = _load()


def set_core(enabled: bool) -> bool:
    """Use the compiled core (when importable) or force pure Python; returns the previous state."""
    global CORE
    was = CORE is not None
    if not enabled:
        CORE = None
    else:
        try:
            import edi_mesh_core
        except ImportError:
            CORE = None
        else:
            CORE = edi_mesh_core
    return was


def implementation() -> str:
    """``"rust"`` or ``"python"``: the implementation the parsers use now."""
    return "rust" if CORE is not None else "python"


def describe() -> str:
    """One start-up log line naming the active implementation and why."""
    if CORE is not None:
        return f"parser core: rust (edi_mesh_core {CORE.VERSION})"
    if os.environ.get(PURE_ENV, "") == "1":
        return f"parser core: pure Python ({PURE_ENV}=1)"
    return "parser core: pure Python (edi_mesh_core not installed: built only where cargo is available)"


def log_implementation(log: logging.Logger) -> None:
    """Say once, at a process's start, which parser implementation runs (a warning if pure Python)."""
    log.log(logging.INFO if CORE is not None else logging.WARNING, "%s", describe())


# The interchange codecs the core decodes itself; other codecs stay on the Python path.
CODECS: Final = frozenset({"utf-8", "latin-1"})


def _core_syntax(syn: Syntax) -> Any:
    """The core's view of ``syn`` (built once and kept on it)."""
    assert CORE is not None
    if syn.core is None:
        syn.core = CORE.CoreSyntax(
            syn.standard is Standard.X12,
            syn.codec,
            syn.term,
            syn.elem,
            syn.rel,
            syn.ws,
            syn.ctrl,
            syn.crlf_free,
            b"".join(syn.strip),
            syn.elem_str,
            syn.delimiters.component,
        )
    return syn.core


def scan(syn: Syntax, buf: bytes, a: int, b: int, eof: bool, blk: Block) -> bool:
    """Fill ``blk`` with the core's scan of ``buf[a:b]``; False when the core declined (use Python)."""
    if CORE is None:
        return False
    got = CORE.scan(_core_syntax(syn), buf, a, b, eof)
    if got is None:  # the core caught a panic of its own: the Python path decides
        return False
    (blk.nseg, blk.end, blk.ascii, blk.first, blk.last) = got[:5]
    (blk.env, blk.probs, blk._starts, blk._tposs, blk._texts) = got[5:]
    return True
