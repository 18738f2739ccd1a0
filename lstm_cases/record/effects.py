"""A claim's effect size over its seeds, with a bootstrap interval and, for a paired claim, a test.

A verdict says whether a rule held; the effect says how large the thing the rule judges was, and how
sure the seeds make it:

- a single claim: the median over its seeds;
- a paired difference (``PairedGreater``): the mean of this - other over the same seeds;
- a paired ratio (``PairedRatio``): the geometric mean of this / other over the same seeds.

The interval is scipy's percentile bootstrap over the seeds (``CONFIDENCE``), its resampling seeded,
so that the same values always give the same interval. With few seeds it is wide and coarse: it can
only reach values the seeds reach. A paired claim also gets the one-sided Wilcoxon signed-rank p of
"this above the other" (differences, or log ratios, above 0; exact where scipy can be), the test that
the seeds' pairs alone support the claim's direction. One seed gives no interval and no test.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

CONFIDENCE = 0.95
RESAMPLES = 9_999
BOOTSTRAP_SEED = 0  # fixed: an effect's interval is a function of its values

MEDIAN, MEAN_DIFFERENCE, GEOMETRIC_MEAN_RATIO = "median", "mean difference", "geometric-mean ratio"


@dataclass(frozen=True)
class Effect:
    statistic: str  # MEDIAN, MEAN_DIFFERENCE or GEOMETRIC_MEAN_RATIO
    value: float
    low: float | None  # the bootstrap interval; None with one seed
    high: float | None
    n: int  # seeds
    p: float | None = None  # paired: one-sided Wilcoxon signed-rank p, this above the other

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def reversed(self) -> bool:
        """A paired effect on the other side: the other case is better on average over the seeds."""
        return (self.statistic == MEAN_DIFFERENCE and self.value < 0) or (
            self.statistic == GEOMETRIC_MEAN_RATIO and self.value < 1
        )

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Effect | None:
        """An effect as a record keeps it; None for anything else (an older record has none)."""
        try:
            return cls(**{k: raw[k] for k in ("statistic", "value", "low", "high", "n", "p")})
        except (KeyError, TypeError):
            return None

    def text(self, digits: int = 3) -> str:
        """``mean difference 0.102 [0.081, 0.121], p=9.3e-10 (30 seeds)``."""

        def g(x: float) -> str:
            return f"{x:.{digits}g}"

        interval = f" [{g(self.low)}, {g(self.high)}]" if self.low is not None and self.high is not None else ""
        p = f", p={self.p:.2g}" if self.p is not None else ""
        return f"{self.statistic} {g(self.value)}{interval}{p} ({self.n} seed{'s' if self.n != 1 else ''})"


def _interval(values: Sequence[float], statistic: Any) -> tuple[float | None, float | None]:
    if len(values) < 2:
        return None, None
    if max(values) == min(values):  # every resample is the same: so is the interval
        point = float(statistic(np.asarray(values), axis=-1))
        return point, point
    from scipy.stats import bootstrap

    result = bootstrap(
        (np.asarray(values, dtype=float),),
        statistic,
        n_resamples=RESAMPLES,
        confidence_level=CONFIDENCE,
        method="percentile",
        random_state=np.random.default_rng(BOOTSTRAP_SEED),
    )
    return float(result.confidence_interval.low), float(result.confidence_interval.high)


def _wilcoxon_greater(d: Sequence[float]) -> float | None:
    """One-sided signed-rank p of the d's above 0; None with fewer than two seeds. Zero differences
    count for neither side (they are dropped); all zero: p = 1, nothing above 0."""
    if len(d) < 2:
        return None
    if not any(x != 0 for x in d):
        return 1.0
    from scipy.stats import wilcoxon

    return float(wilcoxon(np.asarray(d, dtype=float), alternative="greater").pvalue)


def median_effect(values: Sequence[float]) -> Effect:
    """A single claim's effect: the median over its seeds."""
    low, high = _interval(values, np.median)
    return Effect(MEDIAN, float(np.median(values)), low, high, len(values))


def difference_effect(values: Sequence[float], others: Sequence[float]) -> Effect:
    """A paired difference's effect: the mean of this - other, and the p of this above the other."""
    d = [a - b for a, b in zip(values, others, strict=True)]
    low, high = _interval(d, np.mean)
    return Effect(MEAN_DIFFERENCE, float(np.mean(d)), low, high, len(d), _wilcoxon_greater(d))


def ratio_effect(values: Sequence[float], others: Sequence[float]) -> Effect:
    """A paired ratio's effect: the geometric mean of this / other, and the p of this above the other."""
    logs = [math.log(a / b) for a, b in zip(values, others, strict=True)]
    low, high = _interval(logs, np.mean)
    return Effect(
        GEOMETRIC_MEAN_RATIO,
        math.exp(float(np.mean(logs))),
        None if low is None else math.exp(low),
        None if high is None else math.exp(high),
        len(logs),
        _wilcoxon_greater(logs),
    )
