"""The ``edi-mesh`` command line."""

from __future__ import annotations


def main() -> None:
    """Entry point of the ``edi-mesh`` console script."""
    raise SystemExit("edi-mesh: not yet built")
