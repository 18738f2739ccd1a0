"""Generic statistics: summaries of per-seed values and the two-sided Mann-Whitney U test.

The rule that turns them into "slower", "within noise" and so on is in ``reports.compare``.
"""

from __future__ import annotations

import math
import statistics
import warnings
from dataclasses import dataclass


@dataclass(frozen=True)
class Summary:
    n: int
    mean: float
    sd: float | None  # sample standard deviation; None with one value
    min: float
    max: float
    median: float


def summarize(values: list[float]) -> Summary | None:
    """Mean, sample sd, min, max, median of the finite values (None when there are none)."""
    values = [v for v in values if math.isfinite(v)]
    if not values:
        return None
    sd = statistics.stdev(values) if len(values) > 1 else None
    return Summary(len(values), statistics.fmean(values), sd, min(values), max(values), statistics.median(values))


def min_two_sided_p(n1: int, n2: int) -> float:
    """The smallest two-sided p-value the exact Mann-Whitney U test can give for n1 vs n2."""
    if n1 < 1 or n2 < 1:
        return 1.0
    return min(1.0, 2.0 / math.comb(n1 + n2, n1))


def mann_whitney_p(a: list[float], b: list[float]) -> float | None:
    """Two-sided Mann-Whitney U p-value; None when it cannot be computed."""
    if not a or not b:
        return None
    if len(set(a) | set(b)) == 1:  # every value equal: no evidence of any difference
        return 1.0
    from scipy.stats import mannwhitneyu

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            p = float(mannwhitneyu(a, b, alternative="two-sided").pvalue)
        except ValueError:
            return None
    return p if math.isfinite(p) else None
