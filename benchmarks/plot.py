"""PNG plots of the benchmark reports (matplotlib, Agg backend: no display needed).

``plot_pipeline``: throughput and latency vs offered load, per worker count,
with the passthrough ceiling and the 100 ms goal; ``plot_memory``: RSS over
time of ingest and worker while they take the big file.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt

__all__ = ["plot_memory", "plot_pipeline"]

_COLORS = ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple")


def plot_pipeline(report: Mapping[str, Any], path: Path) -> Path:
    """Two panels: documents/s achieved vs offered, and p50/p95/p99 latency vs offered."""
    fig, (ax_t, ax_l) = plt.subplots(1, 2, figsize=(12, 4.8))
    thr = report.get("throughput", {})
    top = 1.0
    ks = sorted({r["workers"] for r in report.get("runs", [])})
    for run in (r for r in report.get("runs", []) if r.get("latency")):
        k = run["workers"]
        color = _COLORS[ks.index(k) % len(_COLORS)]
        rows = run["latency"]
        offered = [r["offered_documents_per_s"] for r in rows]
        achieved = [r["achieved_documents_per_s"] or 0 for r in rows]
        top = max(top, *offered, *achieved)
        if run["kind"] == "pipeline":
            ax_t.plot(offered, achieved, "o-", color=color, label=f"pipeline, {k} worker(s)")
            for q, style in (("p50", "o-"), ("p95", "s--"), ("p99", "^:")):
                ys = [r["latency_ms"].get(q) for r in rows]
                ax_l.plot(offered, ys, style, color=color, label=f"pipeline {q}, {k} worker(s)")
        else:
            ys = [r["latency_ms"].get("p99") for r in rows]
            ax_l.plot(
                offered, ys, "x-.", color=color, alpha=0.5, label=f"passthrough p99, {k} proc"
            )
    for k, t in thr.items():
        color = _COLORS[ks.index(int(k)) % len(_COLORS)] if int(k) in ks else "grey"
        for key, style, what in (
            ("pipeline_documents_per_s", "-", "pipeline max"),
            ("baseline_documents_per_s", "--", "passthrough"),
        ):
            if t.get(key):
                ax_t.axhline(
                    t[key], color=color, linestyle=style, alpha=0.5, label=f"{what}, {k} proc"
                )
                top = max(top, t[key])
    ax_t.plot(
        [0, top], [0, top], color="grey", linewidth=0.8, alpha=0.6, label="achieved = offered"
    )
    ax_t.set_xlabel("offered load (documents/s)")
    ax_t.set_ylabel("documents/s on agent topics")
    ax_t.set_title("Throughput vs offered load")
    ax_t.legend(fontsize=7)
    ax_t.grid(alpha=0.3)
    goal = report.get("goals", {}).get("p99_ms_at_50pct", {}).get("target")
    if goal:
        ax_l.axhline(goal, color="red", linewidth=0.8, alpha=0.6, label=f"goal p99 {goal:g} ms")
    ax_l.set_xlabel("offered load (documents/s)")
    ax_l.set_ylabel("latency edi-received-at → agent topic (ms)")
    ax_l.set_yscale("log")
    ax_l.set_title("Latency vs offered load")
    ax_l.legend(fontsize=7)
    ax_l.grid(alpha=0.3, which="both")
    m = report.get("machine", {})
    fig.suptitle(
        f"edi-mesh pipeline — {m.get('cpu_count')} CPU {m.get('cpu_model', '')}, "
        f"{report.get('load', {}).get('interchanges')} interchanges",
        fontsize=9,
    )
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_memory(report: Mapping[str, Any], path: Path) -> Path:
    """RSS (MB) over time of each sampled process, with the 256 MB goal."""
    fig, ax = plt.subplots(figsize=(8, 4))
    for i, (name, series) in enumerate(report.get("rss_series", {}).items()):
        if series:
            xs, ys = zip(*series, strict=True)
            ax.plot(xs, [y / 1e6 for y in ys], color=_COLORS[i % len(_COLORS)], label=name)
    goal = report.get("goals", {}).get("peak_rss_mb", {}).get("target")
    if goal:
        ax.axhline(goal, color="red", linewidth=0.8, alpha=0.6, label=f"goal {goal:g} MB")
    ax.set_xlabel("seconds since the file was dropped")
    ax.set_ylabel("RSS (MB)")
    ax.set_title(f"Memory on a {report.get('file', {}).get('mb', '?')} MB file")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
