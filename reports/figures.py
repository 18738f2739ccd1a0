"""The report's figures, drawn with matplotlib's Agg renderer and returned as PNG bytes.

``matplotlib.figure.Figure`` is used directly (no pyplot): no global state, no GUI backend.
Each function returns None when there is nothing to draw.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from reports.load import Run, number, numbers

DPI = 110
LOSS_COLOR, ACC_COLOR = "tab:blue", "tab:orange"


def slug(text: str) -> str:
    """A file-name-safe form of a case id."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_") or "case"


class Gallery:
    """The PNGs of one report; ``add`` draws one (unless drawing is off) and returns its Markdown lines."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.files: dict[str, bytes] = {}

    def add(self, name: str, alt: str, draw: Callable[..., bytes | None], *args: Any) -> list[str]:
        png = draw(*args) if self.enabled else None
        if png is None:
            return []
        self.files[name] = png
        return [f"![{alt}]({name})", ""]


def png_bytes(fig: Figure) -> bytes:
    """The figure as PNG bytes (Agg, no pyplot)."""
    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _band(series: list[list[float]]) -> tuple[list[float], list[float], list[float]] | None:
    """Mean, min and max per position over seeds, cut to the shortest series."""
    series = [s for s in series if s]
    if not series:
        return None
    n = min(len(s) for s in series)
    columns = [[s[i] for s in series if math.isfinite(s[i])] for i in range(n)]
    nan = float("nan")
    return (
        [sum(c) / len(c) if c else nan for c in columns],
        [min(c) if c else nan for c in columns],
        [max(c) if c else nan for c in columns],
    )


def _history_key(histories: list[dict[str, list[float]]], *names: str) -> str | None:
    for name in names:
        if any(h.get(name) for h in histories):
            return name
    return None


def training_curves(case: str, runs: list[Run]) -> bytes | None:
    """Loss (left axis) and accuracy (right axis) per epoch: mean over seeds, min-max band."""
    panels = []
    for run in runs:
        record = run.cases.get(case)
        histories = record.histories() if record else []
        loss_key = _history_key(histories, "loss")
        acc_key = _history_key(histories, "accuracy", "acc", "categorical_accuracy")
        if loss_key or acc_key:
            panels.append((run, record, histories, loss_key, acc_key))
    if not panels:
        return None
    fig = Figure(figsize=(5.2 * len(panels), 3.9), layout="constrained")
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    legend: dict[str, Any] = {}
    for ax, (run, record, histories, loss_key, acc_key) in zip(axes, panels, strict=True):
        epochs = number(record.recipe.get("epochs"))
        twin = ax.twinx()
        for key, axis, color, name in ((loss_key, ax, LOSS_COLOR, "loss"), (acc_key, twin, ACC_COLOR, "accuracy")):
            band = _band([h.get(key, []) for h in histories]) if key else None
            if band is None:
                continue
            mean, low, high = band
            step = epochs / len(mean) if epochs and len(mean) and epochs % len(mean) == 0 else 1
            x = [(i + 1) * step for i in range(len(mean))]
            legend[f"{name}: mean over seeds"] = axis.plot(x, mean, color=color, lw=1.6)[0]
            if len(histories) > 1:
                legend[f"{name}: min-max over seeds"] = axis.fill_between(x, low, high, color=color, alpha=0.2, lw=0)
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss", color=LOSS_COLOR)
        ax.tick_params(axis="y", colors=LOSS_COLOR)
        twin.set_ylabel("accuracy", color=ACC_COLOR)
        twin.tick_params(axis="y", colors=ACC_COLOR)
        if acc_key:
            twin.set_ylim(-0.02, 1.02)
        ax.grid(alpha=0.3)
        ax.set_title(f"{case}: {run.label} ({len(histories)} seeds)", fontsize=10)
    fig.legend(list(legend.values()), list(legend), loc="outside lower center", ncols=4, fontsize=8, frameon=False)
    return png_bytes(fig)


def _grouped_bars(ax: Any, cases: list[str], runs: list[Run], values: dict[tuple[str, int], tuple]) -> None:
    """Bars per case, one per run; ``values[(case, run_index)] = (height, low, high)``."""
    width = 0.8 / max(len(runs), 1)
    for j, run in enumerate(runs):
        xs, heights, err_lo, err_hi = [], [], [], []
        for i, case in enumerate(cases):
            if (case, j) not in values:
                continue
            height, low, high = values[(case, j)]
            xs.append(i - 0.4 + width * (j + 0.5))
            heights.append(height)
            err_lo.append(max(height - low, 0))
            err_hi.append(max(high - height, 0))
        if not xs:
            continue
        ax.bar(xs, heights, width * 0.95, label=run.label, color=f"C{j}")
        ax.errorbar(xs, heights, yerr=[err_lo, err_hi], fmt="none", ecolor="black", lw=0.8, capsize=2)
        for x, height, hi in zip(xs, heights, err_hi, strict=True):  # the value, above the whisker
            ax.annotate(
                _short(height), (x, height + hi), xytext=(0, 2), textcoords="offset points", ha="center", fontsize=7
            )
    ax.set_xticks(range(len(cases)))
    ax.set_xticklabels(cases, rotation=20, ha="right", fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    ax.margins(y=0.12)


def _bar_width(groups: int, runs: int, per_bar: float = 0.7) -> float:
    """Figure width in inches for grouped bars: readable, and never wider than a page."""
    return min(14.0, max(6.0, per_bar * groups * max(runs, 1) + 2))


def _short(value: float) -> str:
    return f"{value:.3g}"


def train_speed(cases: list[str], runs: list[Run]) -> bytes | None:
    """Median training time per seed, per case and run, whiskers min-max over rounds."""
    values = {}
    for j, run in enumerate(runs):
        for case in cases:
            record = run.cases.get(case)
            bench = record.train if record else None
            median = bench.stat("median") if bench else None
            if median is None:
                continue
            values[(case, j)] = (median, bench.stat("min") or median, bench.stat("max") or median)
    if not values:
        return None
    fig = Figure(figsize=(_bar_width(len(cases), len(runs)), 4.0), layout="constrained")
    ax = fig.subplots()
    _grouped_bars(ax, cases, runs, values)
    ax.set_ylabel("seconds per seed (median; whiskers min-max)")
    ax.set_title("Training time per seed")
    ax.legend(fontsize=8)
    return png_bytes(fig)


def inference_speed(cases: list[str], runs: list[Run]) -> bytes | None:
    """Median predict() and single-call time per case and run, in milliseconds."""
    panels = []
    for kind, title in (
        ("predict", "predict() over the case's inputs"),
        ("single_call", "one direct call, one sample"),
    ):
        values = {}
        for j, run in enumerate(runs):
            for case in cases:
                record = run.cases.get(case)
                bench = record.benches.get(kind) if record else None
                median = bench.stat("median") if bench else None
                if median is None:
                    continue
                low, high = bench.stat("min") or median, bench.stat("max") or median
                values[(case, j)] = (median * 1e3, low * 1e3, high * 1e3)
        if values:
            panels.append((title, values))
    if not panels:
        return None
    fig = Figure(figsize=(_bar_width(len(cases), len(runs)), 3.4 * len(panels)), layout="constrained")
    axes = fig.subplots(len(panels), 1, squeeze=False)[:, 0]
    for ax, (title, values) in zip(axes, panels, strict=True):
        _grouped_bars(ax, cases, runs, values)
        ax.set_ylabel("ms (median; whiskers min-max)")
        ax.set_title(title, fontsize=10)
        ax.legend(fontsize=8)
    return png_bytes(fig)


def forecast(case: str, runs: list[Run]) -> bytes | None:
    """Forecast vs truth per seed (artifacts ``forecast`` and ``truth``)."""
    panels = []
    for run in runs:
        record = run.cases.get(case)
        seeds = record.seeds if record else []
        pairs = []
        for i, artifact in enumerate(record.artifacts() if record else []):
            fc, truth = numbers(artifact.get("forecast")), numbers(artifact.get("truth"))
            if fc or truth:
                pairs.append((seeds[i] if i < len(seeds) else i, fc, truth))
        if pairs:
            panels.append((run, pairs))
    if not panels:
        return None
    fig = Figure(figsize=(5.5 * len(panels), 3.6), layout="constrained")
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, (run, pairs) in zip(axes, panels, strict=True):
        truth = next((t for _, _, t in pairs if t), [])
        if truth:
            ax.plot(range(len(truth)), truth, color="black", lw=2, label="truth")
        for k, (seed, fc, _) in enumerate(pairs):
            if fc:
                ax.plot(range(len(fc)), fc, color=f"C{k}", lw=1.2, ls="--", label=f"forecast, seed {seed}")
        ax.set_xlabel("step")
        ax.set_ylabel("value")
        ax.grid(alpha=0.3)
        ax.set_title(f"{case} — {run.label}", fontsize=10)
        ax.legend(fontsize=7)
    return png_bytes(fig)


def trailing_table(value: Any) -> dict[int, float]:
    """``error_by_trailing_ones`` as {trailing ones: error rate}; dict or list accepted."""
    table: dict[int, float] = {}
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return table
    for key, rate in items:
        if isinstance(rate, dict):  # e.g. {"error_rate": 0.1, "count": 12}
            rate = rate.get("error_rate", rate.get("rate"))
        try:
            k = int(key)
        except (TypeError, ValueError):
            continue
        r = number(rate)
        if r is not None and math.isfinite(r):
            table[k] = r
    return table


def trailing_ones(case: str, runs: list[Run]) -> bytes | None:
    """Error rate by the number of trailing ones (binary increment), mean over seeds, min-max."""
    values: dict[tuple[str, int], tuple] = {}
    keys: set[int] = set()
    for j, run in enumerate(runs):
        record = run.cases.get(case)
        tables = [trailing_table(a.get("error_by_trailing_ones")) for a in (record.artifacts() if record else [])]
        tables = [t for t in tables if t]
        for k in {k for t in tables for k in t}:
            rates = [t[k] for t in tables if k in t]
            values[(str(k), j)] = (sum(rates) / len(rates), min(rates), max(rates))
            keys.add(k)
    if not values:
        return None
    labels = [str(k) for k in sorted(keys)]
    fig = Figure(figsize=(_bar_width(len(labels), len(runs), 0.5), 3.8), layout="constrained")
    ax = fig.subplots()
    _grouped_bars(ax, labels, runs, values)
    ax.set_xticklabels(labels, rotation=0, ha="center")
    ax.set_xlabel("trailing ones in the input")
    ax.set_ylabel("error rate (mean over seeds; whiskers min-max)")
    ax.set_title(f"{case}: error rate by trailing ones")
    ax.legend(fontsize=8)
    return png_bytes(fig)
