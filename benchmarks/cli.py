"""``edi-mesh bench``: the benchmarks as one click group (mounted by ``pipeline.tools.cli``).

    edi-mesh bench generate --size 50M -o load.edi     seeded load generator
    edi-mesh bench parser                              parser vs pyx12 / pydifact
    edi-mesh bench pipeline                            documents/s, latency, vs passthrough
    edi-mesh bench ingest                              file drop files/s, MB/s
    edi-mesh bench memory                              peak RSS on a 1 GB file
    edi-mesh bench abuse                               façade limits: RSS, idle conns, logs
    edi-mesh bench all                                 all of them + results/README.md

Also runnable without the console script: ``python -m benchmarks.cli ...``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from benchmarks import common
from benchmarks.abuse_bench import abuse_cmd
from benchmarks.core_bench import core_cmd
from benchmarks.generate import generate_cmd
from benchmarks.ingest_bench import ingest_cmd
from benchmarks.memory_bench import memory_cmd
from benchmarks.parser_bench import parser_cmd
from benchmarks.pipeline_bench import pipeline_cmd

__all__ = ["bench", "readme_table"]

README = common.RESULTS / "README.md"


@click.group("bench", context_settings={"help_option_names": ["-h", "--help"]})
def bench() -> None:
    """Run the benchmarks; each prints one JSON object (and writes benchmarks/results/)."""


bench.add_command(generate_cmd, "generate")
bench.add_command(parser_cmd, "parser")
bench.add_command(core_cmd, "core")
bench.add_command(pipeline_cmd, "pipeline")
bench.add_command(ingest_cmd, "ingest")
bench.add_command(memory_cmd, "memory")
bench.add_command(abuse_cmd, "abuse")


def _fmt(v: Any, unit: str = "") -> str:
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "met" if v else "not met"
    if isinstance(v, float) and not v.is_integer():
        return f"{v:,.2f}{unit}"
    return f"{int(v):,}{unit}"


def _met(goal: Mapping[str, Any] | None) -> str:
    if not goal or goal.get("met") is None:
        return "—"
    return "✅ met" if goal["met"] else "❌ not met"


def readme_table(reports: Mapping[str, Mapping[str, Any]]) -> str:
    """The README-ready markdown: one table of the headline numbers, goals and commands."""
    lines = [
        "| benchmark | measure | result | goal |",
        "| --- | --- | --- | --- |",
    ]
    cmds: list[tuple[str, str]] = []
    machine: Mapping[str, Any] = {}
    par = reports.get("parser")
    if par:
        machine = par.get("machine", machine)
        cmds.append(("parser", par.get("reproduce") or "edi-mesh bench parser --out"))
        agg = par.get("aggregates", {})
        goals = par.get("goals", {})
        for key, what, goal in (
            ("ours_parse_x12", "parse, X12 segments/s (1 core)", "ours_parse_segments_per_s"),
            ("ours_json_x12", "parse + JSON documents, X12 segments/s", "ours_json_segments_per_s"),
        ):
            a = agg.get(key) or {}
            g = goals.get(goal, {})
            lines.append(
                f"| parser | {what} | {_fmt(a.get('segments_per_s'))} | "
                f"≥ {_fmt(g.get('target'))}: {_met(g)} |"
            )
        for key, what in (
            ("ours_vs_pyx12_reader", "vs pyx12 X12Reader"),
            ("ours_vs_pyx12_full", "vs pyx12 full validation"),
        ):
            g = goals.get(key, {})
            lines.append(
                f"| parser | {what} | {_fmt(g.get('measured'), '×')} | "
                f"≥ {_fmt(g.get('target'), '×')}: {_met(g)} |"
            )
    pipe = reports.get("pipeline")
    if pipe:
        machine = pipe.get("machine", machine)
        cmds.append(("pipeline", pipe["reproduce"]))
        g_thr = pipe["goals"]["throughput_vs_passthrough"]
        for k, t in pipe.get("throughput", {}).items():
            lines.append(
                f"| pipeline | documents/s, {k} worker(s) | {_fmt(t['pipeline_documents_per_s'])} | |"
            )
            lines.append(
                f"| pipeline | passthrough baseline, {k} process(es) | "
                f"{_fmt(t['baseline_documents_per_s'])} | |"
            )
            lines.append(
                f"| pipeline | pipeline / passthrough, {k} worker(s) | "
                f"{_fmt(t['ratio_pipeline_to_baseline'])} | ≥ 0.5: "
                f"{'✅' if (t['ratio_pipeline_to_baseline'] or 0) >= g_thr['target'] else '❌'} |"
            )
        g_lat = pipe["goals"]["p99_ms_at_50pct"]
        floor = {
            (run["workers"], row["fraction_of_max"]): row["latency_ms"]
            for run in pipe.get("runs", [])
            if run["kind"] == "baseline"
            for row in run.get("latency", [])
        }
        for run in (r for r in pipe.get("runs", []) if r["kind"] == "pipeline"):
            for row in run.get("latency", []):
                lat, frac = row["latency_ms"], row["fraction_of_max"]
                goal = ""
                if abs(frac - 0.5) < 1e-9:
                    ok = lat.get("p99") is not None and lat["p99"] <= g_lat["target"]
                    goal = f"p99 ≤ {g_lat['target']:g} ms: {'✅' if ok else '❌'}"
                base = floor.get((run["workers"], frac))
                extra = (
                    f" (passthrough {_fmt(base.get('p50'))} / {_fmt(base.get('p95'))} / "
                    f"{_fmt(base.get('p99'))})"
                    if base
                    else ""
                )
                lines.append(
                    f"| pipeline | latency p50 / p95 / p99 ms at {frac:.0%} of max "
                    f"({_fmt(row['offered_documents_per_s'])} docs/s), {run['workers']} worker(s) | "
                    f"{_fmt(lat.get('p50'))} / {_fmt(lat.get('p95'))} / {_fmt(lat.get('p99'))}"
                    f"{extra} | {goal} |"
                )
    ing = reports.get("ingest")
    if ing:
        machine = ing.get("machine", machine)
        cmds.append(("ingest", ing["reproduce"]))
        r = ing["result"]
        f = ing["files"]
        lines.append(
            f"| ingest | file drop, {f['count']} files of {f['mean_bytes'] / 1e3:.0f} KB | "
            f"{_fmt(r['files_per_s'])} files/s, {_fmt(r['mb_per_s'])} MB/s | |"
        )
    mem = reports.get("memory")
    if mem:
        machine = mem.get("machine", machine)
        cmds.append(("memory", mem["reproduce"]))
        g = mem["goals"]["peak_rss_mb"]
        until = mem.get("peak_rss_mb_until_archived", {})
        for name in ("ingest", "worker"):
            peak = mem["peak_rss_mb"].get(name)
            ok = (peak or 1e9) < g["target"] and mem["outcome"] == "complete"
            note = f" (until archived: {_fmt(until[name], ' MB')})" if until.get(name) else ""
            lines.append(
                f"| memory | peak RSS of {name}, {mem['file']['mb']:,.0f} MB file | "
                f"{_fmt(peak, ' MB')}{note} | < {g['target']:g} MB: {'✅' if ok else '❌'} |"
            )
        if mem["outcome"] != "complete":
            lines.append(f"| memory | outcome | {mem['outcome']} | |")
    out = ["## Benchmarks", ""]
    if machine:
        pk = machine.get("packages", {})
        out.append(
            f"Measured on {machine.get('cpu_count')} CPUs ({machine.get('cpu_model')}), "
            f"Python {machine.get('python')}, faust-streaming {pk.get('faust-streaming')}, "
            f"aiokafka {pk.get('aiokafka')}, broker Tansu on the same host. "
            "MB = 10^6 bytes."
        )
        out.append("")
    out += lines
    out += ["", "Reproduce:", "", "```sh"]
    out += [c for _, c in cmds]
    out += ["```", ""]
    return "\n".join(out)


@bench.command("all")
@click.option("--quick", is_flag=True, help="Small sizes (minutes, not tens of minutes).")
@click.option(
    "--broker", default=None, metavar="HOST:PORT", help="Use this broker for the Kafka benchmarks."
)
@click.option(
    "--memory-size", default=None, help="File size of the memory benchmark (default 1G, quick 64M)."
)
@click.option(
    "--skip",
    multiple=True,
    type=click.Choice(["parser", "pipeline", "ingest", "memory"]),
    help="Leave one out (repeatable).",
)
@click.option("--progress/--no-progress", default=True, show_default=True)
@click.option(
    "--results",
    type=click.Path(file_okay=False, path_type=Path),
    default=common.RESULTS,
    show_default=True,
    help="Folder for the JSON, PNG and README.md.",
)
def all_cmd(
    quick: bool,
    broker: str | None,
    memory_size: str | None,
    skip: tuple[str, ...],
    progress: bool,
    results: Path,
) -> None:
    """Parser, pipeline, ingest and memory benchmarks; writes results/README.md with the table."""
    from benchmarks import ingest_bench, memory_bench, parser_bench, pipeline_bench

    results.mkdir(parents=True, exist_ok=True)
    reports: dict[str, dict[str, Any]] = {}
    if "parser" not in skip:
        click.echo("== parser", err=True)
        size, full = ("512K", "64K") if quick else ("4M", "256K")
        rep = parser_bench.run(size=size, full_size=full, repeats=3)
        kw = {"size": size, "full_size": full, "repeats": 3}
        rep["reproduce"] = common.command_line(parser_cmd, kw) + " --out"
        common.write_report(rep, results / "parser.json")
        reports["parser"] = rep
    if "pipeline" not in skip:
        click.echo("== pipeline", err=True)
        pp = pipeline_bench.Params(
            broker=broker,
            interchanges=1500 if quick else 4000,
            latency_seconds=5.0 if quick else 10.0,
            progress=progress,
        )
        reports["pipeline"] = pipeline_bench.run(
            pp, out=results / "pipeline.json", plot=results / "pipeline.png"
        )
    if "ingest" not in skip:
        click.echo("== ingest", err=True)
        ip = ingest_bench.Params(broker=broker, files=100 if quick else 200, progress=progress)
        reports["ingest"] = ingest_bench.run(ip, out=results / "ingest.json")
    if "memory" not in skip:
        click.echo("== memory", err=True)
        mp = memory_bench.Params(
            broker=broker, size=memory_size or ("64M" if quick else "1G"), progress=progress
        )
        reports["memory"] = memory_bench.run(
            mp, out=results / "memory.json", plot=results / "memory.png"
        )
    table = readme_table(reports)
    (results / "README.md").write_text(table)
    summary = {
        name: {"reproduce": r.get("reproduce"), "goals": r.get("goals")}
        for name, r in reports.items()
    }
    click.echo(
        json.dumps({"benchmark": "all", "readme": str(results / "README.md"), **summary}, indent=2)
    )


@bench.command("table")
@click.option(
    "--results",
    type=click.Path(file_okay=False, path_type=Path),
    default=common.RESULTS,
    show_default=True,
)
def table_cmd(results: Path) -> None:
    """Rebuild results/README.md from the JSON files already in the results folder."""
    reports = {}
    for name in ("parser", "pipeline", "ingest", "memory"):
        path = results / f"{name}.json"
        if path.exists():
            reports[name] = json.loads(path.read_text())
    text = readme_table(reports)
    (results / "README.md").write_text(text)
    click.echo(text)


if __name__ == "__main__":
    bench()
