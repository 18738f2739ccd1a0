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
from matplotlib.lines import Line2D

from lstm_cases.record.load import Run, number, numbers

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


_RATIO_PANELS = (
    ("train_step", "train step (judged)"),
    ("predict", "predict (judged)"),
    ("single_call", "single call (judged)"),
    ("train", "whole-recipe train (not judged)"),
)
_TIMING_PANELS = (
    ("train_step", "steady step time"),
    ("predict", "predict, steady"),
    ("single_call", "single call, steady"),
    ("first_epoch", "first epoch (tracing)"),
)


def _case_rows(ax: Any, cases: list[str], n_series: int) -> tuple[Callable[[int, int], float], float]:
    """Cases as rows from the top; the y of series j in row i, and the offset between series."""
    step = min(0.8 / max(n_series, 1), 0.25)

    def y(i: int, j: int) -> float:
        return len(cases) - 1 - i + (j - (n_series - 1) / 2) * step

    ax.set_yticks(range(len(cases)))
    ax.set_yticklabels(list(reversed(cases)), fontsize=8)
    ax.set_ylim(-0.6, len(cases) - 0.4)
    for row in range(len(cases) - 1):
        ax.axhline(row + 0.5, color="0.9", lw=0.6)
    return y, step


def _log_x(ax: Any, label: str, values: list[float], times: bool = False) -> None:
    """A log x axis over ``values`` (ratios: always showing x0.8-x1.25), labelled so that it stays
    readable whether the values span a few percent or several decades."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    values = [v for v in values if v > 0 and math.isfinite(v)]
    low, high = (min(values), max(values)) if values else (1.0, 1.0)
    if not times:
        low, high = min(low, 0.8), max(high, 1.25)
    ax.set_xscale("log")
    ax.set_xlim(low / 1.15, high * 1.15)
    decades = math.log10(high / low)
    subs = (1.0,) if decades > 2 else (1.0, 2.0, 5.0) if decades > 0.7 or times else (1.0, 1.25, 1.6, 2.0, 5.0, 8.0)
    ax.xaxis.set_major_locator(LogLocator(base=10, subs=subs, numticks=12))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: _time_text(v) if times else f"×{v:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel(label, fontsize=8)
    ax.tick_params(axis="x", labelsize=7)
    ax.grid(axis="x", alpha=0.3, which="major")


def _time_text(value: float) -> str:
    return f"{value:g} s" if value >= 1 else f"{value * 1e3:g} ms" if value >= 1e-3 else f"{value * 1e6:g} µs"


def ratio_chart(cases: list[str], runs: list[Run], comparisons: dict[str, dict[tuple[str, str], Any]]) -> bytes | None:
    """Per case, each run's ratio to the baseline (the rule's estimate and its 95% interval) on a log
    scale, one panel per metric; the grey band is the default factor of a judged metric."""
    from reports.compare import DEFAULT_FACTORS

    others = runs[1:]
    panels = [
        (metric, title)
        for metric, title in _RATIO_PANELS
        if any(c.ratio is not None for found in comparisons.values() for (_, m), c in found.items() if m == metric)
    ]
    if not others or not panels:
        return None
    fig = Figure(figsize=(3.2 * len(panels) + 1.6, 0.32 * len(cases) * max(1, len(others) / 3) + 1.6))
    fig.set_layout_engine("constrained")
    axes = fig.subplots(1, len(panels), sharey=True, squeeze=False)[0]
    for ax, (metric, title) in zip(axes, panels, strict=True):
        y, _ = _case_rows(ax, cases, len(others))
        if metric in DEFAULT_FACTORS:
            f = DEFAULT_FACTORS[metric]
            ax.axvspan(1 / f, f, color="0.85", lw=0)
        ax.axvline(1.0, color="black", lw=0.8)
        shown: list[float] = []
        for j, run in enumerate(others):
            for i, case in enumerate(cases):
                cmp = comparisons[run.label].get((case, metric))
                if cmp is None or cmp.ratio is None:
                    continue
                r = cmp.ratio
                shown += [v for v in (r.estimate, r.low, r.high) if v is not None]
                xerr = None
                if r.low is not None and r.high is not None:
                    xerr = [[max(r.estimate - r.low, 0)], [max(r.high - r.estimate, 0)]]
                marker = "s" if cmp.flagged else "o"
                ax.errorbar(
                    r.estimate, y(i, j), xerr=xerr, fmt=marker, color=f"C{j}", ms=4, lw=0.9, capsize=1.5,
                    label=run.label if i == 0 else None,
                )  # fmt: skip
        _log_x(ax, "run / baseline (log)", shown)
        ax.set_title(title, fontsize=9)
    handles = [Line2D([], [], marker="o", ls="", color=f"C{j}", label=run.label) for j, run in enumerate(others)]
    handles.append(Line2D([], [], marker="s", ls="", color="0.3", label="flagged SLOWER / FASTER"))
    fig.legend(handles=handles, loc="outside lower center", ncols=min(4, len(handles)), fontsize=8, frameon=False)
    fig.suptitle(f"Ratio to {runs[0].label} (below 1: faster); band: default factor", fontsize=10)
    return png_bytes(fig)


def timing_chart(cases: list[str], runs: list[Run]) -> bytes | None:
    """Per case, each run's median (steady step time per step, predict, single call, first epoch) on a
    log time scale: small and large cases stay readable side by side."""
    values: dict[str, dict[tuple[int, int], float]] = {}
    for metric, _ in _TIMING_PANELS:
        for j, run in enumerate(runs):
            for i, case in enumerate(cases):
                record = run.cases.get(case)
                samples = record.samples(metric) if record else None
                if samples is None or not samples.median:
                    continue
                value = samples.median
                if metric == "train_step":
                    per_round = record.benches["train_step"].units_per_round()
                    if per_round is None:
                        continue
                    value /= per_round[0]
                values.setdefault(metric, {})[(i, j)] = value
    panels = [(m, t) for m, t in _TIMING_PANELS if values.get(m)]
    if not panels:
        return None
    fig = Figure(figsize=(3.2 * len(panels) + 1.6, 0.32 * len(cases) * max(1, len(runs) / 3) + 1.6))
    fig.set_layout_engine("constrained")
    axes = fig.subplots(1, len(panels), sharey=True, squeeze=False)[0]
    for ax, (metric, title) in zip(axes, panels, strict=True):
        y, _ = _case_rows(ax, cases, len(runs))
        for (i, j), value in values[metric].items():
            ax.plot(value, y(i, j), "o", color=f"C{j}", ms=4)
        _log_x(ax, "seconds (log)", list(values[metric].values()), times=True)
        ax.set_title(title, fontsize=9)
    handles = [Line2D([], [], marker="o", ls="", color=f"C{j}", label=run.label) for j, run in enumerate(runs)]
    fig.legend(handles=handles, loc="outside lower center", ncols=min(4, len(handles)), fontsize=8, frameon=False)
    fig.suptitle("Median time per case and run (log scale)", fontsize=10)
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
