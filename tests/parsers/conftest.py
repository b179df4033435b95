"""Shared helpers for the parser-core tests: the real corpus, builders, path forcing."""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import parsers
from parsers import accel, tokenizer
from parsers.envelopes import (
    GroupEnd,
    GroupStart,
    InputError,
    InterchangeEnd,
    InterchangeStart,
    TransactionComplete,
)
from parsers.model import ParseResult

CORPUS = Path(os.environ.get("EDI_MESH_CORPUS", "/work/shared/corpus"))


@dataclass(frozen=True)
class CorpusFile:
    """One MANIFEST.tsv row: where the file is and what its source says about it."""

    path: str  # relative to the corpus root
    standard: str
    valid: str
    notes: str

    @property
    def expected(self) -> int | None:
        """Transaction sets / messages the manifest counted (``ST=n`` / ``UNH=n``)."""
        m = re.search(r"\bST=(\d+)", self.notes) or re.search(r"\bUNH=(\d+)", self.notes)
        return int(m.group(1)) if m else None

    def read(self) -> bytes:
        """The file's bytes."""
        return (CORPUS / self.path).read_bytes()


def manifest() -> list[CorpusFile]:
    """Every corpus file once, in manifest order."""
    path = CORPUS / "MANIFEST.tsv"
    if not path.exists():  # the corpus is part of the shared workspace, never optional
        raise FileNotFoundError(f"corpus manifest missing: {path}")
    seen: set[str] = set()
    out: list[CorpusFile] = []
    with path.open(newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            p = row["local_path"]
            if p not in seen:
                seen.add(p)
                out.append(CorpusFile(p, row["standard"], row["valid"], row["notes"]))
    return out


def snapshot(res: ParseResult) -> list[tuple[Any, ...]]:
    """Everything a parse found, as comparable tuples (structure, offsets, text, errors)."""
    out: list[tuple[Any, ...]] = [("E", e.code, e.location) for e in res.errors]
    for ic in res.interchanges:
        out.append(("I", ic.control, ic.offset, ic.end, ic.index, ic.header_end, ic.delimiters))
        out += [("IE", e.code, e.location) for e in ic.errors]
        for g in ic.groups:
            out.append(("G", g.control, g.offset, g.end, g.index, g.header_end, g.implicit))
            out += [("GE", e.code, e.location) for e in g.errors]
            for t in g.transactions:
                out.append(
                    ("T", t.type, t.control, t.version, t.offset, t.end, t.index, tuple(t.segments))
                )
                out += [("TE", e.code, e.location) for e in t.errors]
    return out


def collect(events: Iterator[parsers.Event]) -> ParseResult:
    """Build a ParseResult from streamed events (as a streaming consumer that keeps everything)."""
    res = ParseResult()
    for ev in events:
        if isinstance(ev, InterchangeStart):
            res.interchanges.append(ev.interchange)
        elif isinstance(ev, GroupStart):
            ev.interchange.groups.append(ev.group)
        elif isinstance(ev, TransactionComplete):
            ev.group.transactions.append(ev.transaction)
        elif isinstance(ev, InputError):
            res.errors.append(ev.error)
        else:
            assert isinstance(ev, (GroupEnd, InterchangeEnd))
    return res


def stream_parse(data: bytes, chunk_size: int) -> ParseResult:
    """Parse ``data`` through :func:`parsers.stream` with a given chunk size."""
    return collect(parsers.stream(io.BytesIO(data), chunk_size=chunk_size))


def codes(res: ParseResult) -> list[str]:
    """All error codes of a result, outermost first."""
    return [e.code for e in res.all_errors()]


@pytest.fixture
def slow_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Force the tokenizer's per-segment Python path (to compare it with the fast one)."""
    monkeypatch.setattr(tokenizer, "_regular", lambda *a: False)
    monkeypatch.setattr(accel, "CORE", None)


X12_HEAD = (
    "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       "
    "*240101*1200*^*00501*000000001*0*P*:~\n"
)


def x12(body: str, head: str = X12_HEAD) -> bytes:
    """An X12 input from a readable body ("~\\n" separated) after a standard ISA."""
    return (head + body).encode()


def x12_txn(
    control: str = "0001", body: tuple[str, ...] = ("BEG*00*SA*PO1**20240101",), kind: str = "850"
) -> str:
    """One ST..SE transaction set with a correct SE01 count."""
    segs = [f"ST*{kind}*{control}", *body, f"SE*{len(body) + 2}*{control}"]
    return "".join(s + "~\n" for s in segs)


def x12_doc(
    txns: list[str] | None = None, gs_control: str = "1", isa_control: str = "000000001"
) -> bytes:
    """A valid single-group interchange around the given transaction sets."""
    txns = txns if txns is not None else [x12_txn()]
    head = X12_HEAD.replace("000000001", isa_control)
    body = f"GS*PO*SENDER*RECEIVER*20240101*1200*{gs_control}*X*005010~\n" + "".join(txns)
    body += f"GE*{len(txns)}*{gs_control}~\nIEA*1*{isa_control}~\n"
    return x12(body, head)


def edifact_doc(messages: int = 1, una: bool = True, groups: bool = False) -> bytes:
    """A valid EDIFACT interchange with ``messages`` ORDERS messages (in one UNG group if asked)."""
    segs = ["UNB+UNOC:3+SENDER:14+RECEIVER:14+240101:1200+REF1"]
    if groups:
        segs.append("UNG+ORDERS+SENDER:14+RECEIVER:14+240101:1200+G1+UN+D:96A")
    for i in range(1, messages + 1):
        segs += [
            f"UNH+M{i}+ORDERS:D:96A:UN",
            "BGM+220+PO1+9",
            "DTM+137:20240101:102",
            f"UNT+4+M{i}",
        ]
    if groups:
        segs.append(f"UNE+{messages}+G1")
    segs.append(f"UNZ+{1 if groups else messages}+REF1")
    text = ("UNA:+.? '\n" if una else "") + "".join(s + "'\n" for s in segs)
    return text.encode("latin-1")
