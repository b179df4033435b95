"""A/B of ``edi_mesh_core.render_body`` builds in one process, interleaved.

Loads each given extension file (``edi_mesh_core.abi3.so`` of a wheel, or
``core/target/release/libedi_mesh_core.so`` of ``cargo build --release --features
python``) as its own module, checks they return the same bytes, then times every
transaction of generated 850 and 837 inputs (with and without ``data``),
alternating the builds. Per build it prints the sum over transactions of each
call's minimum (steady on a shared, noisy machine) as µs per call and segments/s,
and the median pass; ``speedup`` is the first build's time over the last one's.

    .venv/bin/python -m benchmarks.render_body_ab OLD.so NEW.so [--repeats 15]
"""

from __future__ import annotations

import gc
import importlib.machinery
import importlib.util
import statistics
import time
from types import ModuleType
from typing import Any

import click

import parsers
from benchmarks.generate import generate_bytes
from parsers.dictionary import lookup

__all__ = ["run"]

INPUTS = (("850", (1, 30)), ("837", (1, 12)))


def _load(path: str) -> ModuleType:
    """One build of the core, loaded from ``path`` (several can live side by side)."""
    loader = importlib.machinery.ExtensionFileLoader("edi_mesh_core", path)
    spec = importlib.util.spec_from_file_location("edi_mesh_core", path, loader=loader)
    assert spec is not None
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


def _inputs(mix: str, lines: tuple[int, int], size: int) -> list[tuple[list[str], Any, Any]]:
    """(segment texts, delimiters, dictionary) of every generated transaction."""
    raw, _ = generate_bytes(
        seed=0, target_bytes=size, mix=mix, transactions_per_interchange=20, partners=5, lines=lines
    )
    out = []
    for ic in parsers.parse(raw).interchanges:
        for g in ic.groups:
            for tx in g.transactions:
                d = lookup(str(ic.standard), tx.version, tx.type)
                out.append((list(tx.segments), ic.delimiters, d))
    return out


def _calls(mod: ModuleType, txs: list[tuple[list[str], Any, Any]], with_data: bool) -> list[Any]:
    """The argument tuples of ``render_body`` for ``mod`` (its own compiled dictionaries)."""
    cds: dict[int, Any] = {}
    out = []
    for segs, d, dic in txs:
        cd = None
        if with_data and dic is not None:
            cd = cds.get(id(dic))
            if cd is None:
                cd = cds[id(dic)] = mod.CoreDictionary(dic)
        out.append((segs, d.element, d.component, d.repetition, d.release, cd, with_data))
    return out


def run(paths: list[str], repeats: int, size: int) -> list[str]:
    """One line of figures per input and data setting."""
    mods = [_load(p) for p in paths]
    lines = []
    for mix, items in INPUTS:
        txs = _inputs(mix, items, size)
        nseg = sum(len(t[0]) for t in txs)
        for with_data in (False, True):
            calls = [(m.render_body, _calls(m, txs, with_data)) for m in mods]
            outs = [[rb(*a) for a in args] for rb, args in calls]
            assert all(o == outs[0] for o in outs[1:]), "builds disagree"
            best = [[float("inf")] * len(txs) for _ in mods]
            passes: list[list[float]] = [[] for _ in mods]
            pc = time.perf_counter
            for r in range(repeats):
                order = list(range(len(mods)))
                for k in order if r % 2 == 0 else order[::-1]:
                    rb, args = calls[k]
                    bk = best[k]
                    gc.collect()
                    gc.disable()
                    t00 = pc()
                    for i, a in enumerate(args):
                        t0 = pc()
                        rb(*a)
                        bk[i] = min(bk[i], pc() - t0)
                    passes[k].append(pc() - t00)
                    gc.enable()
            sums = [sum(b) for b in best]
            line = f"{mix} data={int(with_data)} tx={len(txs)} seg/tx={nseg / len(txs):.1f}"
            for k, t in enumerate(sums):
                med = statistics.median(passes[k]) / len(txs) * 1e6
                line += f" | [{k}] {t / len(txs) * 1e6:.2f}us/call (med pass {med:.1f})"
                line += f" {nseg / t / 1e6:.2f}M seg/s"
            if len(sums) > 1:
                line += f" | speedup {sums[0] / sums[-1]:.2f}x"
            lines.append(line)
    return lines


@click.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--repeats", default=15, show_default=True, help="Timed passes per build.")
@click.option("--size", default=1_000_000, show_default=True, help="Bytes per generated input.")
def main(paths: tuple[str, ...], repeats: int, size: int) -> None:
    """Time render_body of each build in PATHS, interleaved."""
    for line in run(list(paths), repeats, size):
        click.echo(line)


if __name__ == "__main__":
    main()
