"""Markdown helpers: tables GitHub renders as they are (built by pandas and tabulate), and number formatting."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from lstm_cases.record.load import Samples

DASH = "—"


def cell(value: Any) -> str:
    """One table cell: no newlines, pipes escaped."""
    if value is None:
        return DASH
    text = " ".join(str(value).split())
    return text.replace("|", "\\|") if text else DASH


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], align: str | None = None) -> str:
    """A GitHub table (pandas ``DataFrame.to_markdown``, through tabulate's pipe format); ``align``
    is one letter per column (l, r, c), default left. Cells go through :func:`cell` first and
    tabulate never reparses them as numbers, so a formatted value is printed as given."""
    import pandas as pd  # the gate and the loaders need no pandas: imported on the first table

    align = (align or "l" * len(headers)).ljust(len(headers), "l")
    names = {"l": "left", "r": "right", "c": "center"}
    frame = pd.DataFrame([[cell(v) for v in row] for row in rows], columns=[cell(h) for h in headers], dtype=object)
    return frame.to_markdown(
        index=False, colalign=[names.get(a, "left") for a in align], disable_numparse=True, tablefmt="pipe"
    )


def num(value: float | None, digits: int = 4) -> str:
    if value is None:
        return DASH
    if math.isnan(value):
        return "nan"
    return f"{value:.{digits}g}"


def seconds(value: float | None) -> str:
    """Seconds with a unit that keeps 3 significant digits readable."""
    if value is None or math.isnan(value):
        return DASH
    if value >= 1:
        return f"{value:.3g} s" if value < 1000 else f"{value:.0f} s"
    if value >= 1e-3:
        return f"{value * 1e3:.3g} ms"
    return f"{value * 1e6:.3g} µs"


def ratio(value: float | None) -> str:
    return DASH if value is None or math.isnan(value) else f"×{value:.2f}"


def code(text: Any) -> str:
    return f"`{text}`"


def metric_value(metric: str, value: float | None) -> str:
    """A value of one of ``lstm_cases.record.load.METRICS``: megabytes for peak_rss_mb, else seconds."""
    if value is None or math.isnan(value):
        return DASH
    return f"{value:.0f} MB" if metric == "peak_rss_mb" else seconds(value)


def median_cell(metric: str, samples: Samples | None) -> str:
    """A metric's median with its number of samples: ``1.2 s (3)``; a dash when the file lacks the metric."""
    if samples is None:
        return DASH
    value = metric_value(metric, samples.median)
    return f"{value} ({len(samples.data)})" if samples.data else value
