"""``edi-mesh parse``: the parser on files, offline, with the CLI's output contract.

Documents go to stdout as JSON lines (or, with ``--acks``, the
acknowledgements we would send); every error goes to stderr as one line
``file: EDI0xx at segment N (TAG) element M: message``. Exit 0 when every
file is valid, 1 when any is not. Files are streamed between transactions; one
huge transaction is held whole unless ``--fragment`` cuts it per loop.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

import orjson

from parsers.errors import EdiError
from parsers.run import hipaa_documents, stream_documents
from parsers.tolerance import Tolerance


def parse_files(
    files: tuple[Path, ...],
    *,
    acks: bool = False,
    partner: str = "",
    tolerance: Tolerance | None = None,
    validation: str = "envelope",
    with_data: bool = True,
    fragments: Mapping[str, str] | None = None,
    out: IO[bytes] | None = None,
    err: IO[str] | None = None,
) -> int:
    """Parse each file, print documents (or acks) and errors; return the exit code.

    ``validation`` is ``envelope``, ``standard`` (content, streaming) or ``hipaa``
    (pyx12, the file in memory); ``with_data`` renders the named ``data`` tree;
    ``fragments`` (type -> loop id) cuts those types per loop instance.
    """
    out = out if out is not None else sys.stdout.buffer
    err = err if err is not None else sys.stderr
    status = 0
    for path in files:
        name = str(path)
        try:
            fh = open(path, "rb")  # noqa: SIM115
        except OSError as exc:
            err.write(f"{name}: cannot read: {exc.strerror}\n")
            status = max(status, 1)
            continue
        with fh:
            source = {"channel": "file", "filename": path.name}
            partner_doc = {"id": partner, "name": partner} if partner else None
            errors: list[EdiError] = []
            opts: dict[str, Any] = {
                "source": source,
                "partner": partner_doc,
                "acks": acks,
                "tolerance": tolerance,
                "fragments": fragments,
            }
            try:
                items = (
                    hipaa_documents(fh.read(), with_data=with_data, **opts)
                    if validation == "hipaa"
                    else stream_documents(fh, validation=validation, with_data=with_data, **opts)
                )
                for item in items:
                    if isinstance(item, EdiError):
                        errors.append(item)
                        err.write(item.line(name) + "\n")
                    else:
                        out.write(item if isinstance(item, bytes) else orjson.dumps(item))
                        out.write(b"\n")
            except OSError as exc:
                err.write(f"{name}: read failed: {exc.strerror}\n")
                status = max(status, 1)
                continue
        if any(e.rejects for e in errors):
            status = 1
    out.flush()
    return status
