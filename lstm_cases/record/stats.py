"""Generic statistics: summaries of per-seed values, the two-sided Mann-Whitney U test, the
Hodges-Lehmann ratio with its confidence interval, Benjamini-Hochberg adjustment, geometric means,
and the tally of flagged and unflagged comparisons a detection-power table counts.

The rule that turns them into "slower", "within noise" and so on is in ``reports.compare``.
"""

from __future__ import annotations

import math
import statistics
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field


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


def process_spread(processes: Sequence[Sequence[float]]) -> float | None:
    """Between-process spread of one benchmark: its largest process median over its smallest (None with
    fewer than two processes)."""
    medians = [statistics.median(r) for r in processes if r]
    if len(medians) < 2 or min(medians) <= 0:
        return None
    return max(medians) / min(medians)


def per_reference(
    processes: Sequence[Sequence[float]], references: Sequence[Sequence[float]]
) -> tuple[tuple[float, ...], ...] | None:
    """Each process's rounds divided by the median of the machine's reference timed in that process
    (``lstm_cases.timing.reference_seconds``): the rounds in units of the machine's speed at the time.
    None unless every process has its reference rounds."""
    if not processes or len(references) != len(processes) or not all(references):
        return None
    medians = [statistics.median(r) for r in references]
    if min(medians) <= 0:
        return None
    return tuple(tuple(v / m for v in rounds) for rounds, m in zip(processes, medians, strict=True))


def reference_ratio(base: Sequence[Sequence[float]], new: Sequence[Sequence[float]]) -> float | None:
    """How much slower the machine ran for the run than for the baseline by its reference: the pooled
    reference medians' ratio (None without references on both sides)."""
    a, b = [v for r in base for v in r], [v for r in new for v in r]
    if not a or not b or statistics.median(a) <= 0:
        return None
    return statistics.median(b) / statistics.median(a)


def role_disagreement(base: Sequence[Sequence[float]], new: Sequence[Sequence[float]]) -> float | None:
    """How much two runs' processes disagree about one benchmark's ratio: process i of the run against
    process i of the baseline (the pytest process against the pytest process, a worker against its
    worker), the largest of these ratios over the smallest. A difference that is the same in both runs
    (one process role slower than the other) cancels; what one process alone moved does not. None with
    fewer than two processes on either side."""
    ratios = [
        statistics.median(b) / statistics.median(a)
        for a, b in zip(base, new, strict=False)  # the processes both runs have
        if a and b and statistics.median(a) > 0 and statistics.median(b) > 0
    ]
    return max(ratios) / min(ratios) if len(ratios) >= 2 else None


def align_by_role(
    base: Sequence[Sequence[float]], new: Sequence[Sequence[float]]
) -> tuple[list[float], list[float]] | None:
    """Both runs' rounds, each process's divided by the median of the same process of the baseline, then
    pooled: a difference between process roles that both runs share (the pytest process slower than its
    worker) no longer mixes the two samples, and the shift between the runs stays. None unless both runs
    have the same two or more processes."""
    if len(base) < 2 or len(base) != len(new) or not all(base) or not all(new):
        return None
    scales = [statistics.median(a) for a in base]
    if min(scales) <= 0:
        return None
    return (
        [v / m for a, m in zip(base, scales, strict=True) for v in a],
        [v / m for b, m in zip(new, scales, strict=True) for v in b],
    )


def min_two_sided_p(n1: int, n2: int) -> float:
    """The smallest two-sided p-value the exact Mann-Whitney U test can give for n1 vs n2."""
    if n1 < 1 or n2 < 1:
        return 1.0
    return min(1.0, 2.0 / math.comb(n1 + n2, n1))


EXACT_UP_TO = 100  # n1 + n2 up to which the Mann-Whitney p is exact (without ties)


def mann_whitney_p(a: list[float], b: list[float]) -> float | None:
    """Two-sided Mann-Whitney U p-value; None when it cannot be computed. Exact (the distribution of
    U itself, so that ``min_two_sided_p`` is what it can reach) for samples without ties up to
    EXACT_UP_TO values in all; the normal approximation otherwise."""
    if not a or not b:
        return None
    if len(set(a) | set(b)) == 1:  # every value equal: no evidence of any difference
        return 1.0
    from scipy.stats import mannwhitneyu

    ties = len(set(a) | set(b)) < len(a) + len(b)
    method = "exact" if not ties and len(a) + len(b) <= EXACT_UP_TO else "asymptotic"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            p = float(mannwhitneyu(a, b, alternative="two-sided", method=method).pvalue)
        except ValueError:
            return None
    return p if math.isfinite(p) else None


@dataclass(frozen=True)
class Ratio:
    """How many times larger b is than a: the Hodges-Lehmann estimate (the median of every b_j / a_i)
    and its confidence interval (None where the samples are too few for that confidence)."""

    estimate: float
    low: float | None
    high: float | None


def hodges_lehmann_ratio(a: list[float], b: list[float], confidence: float = 0.95) -> Ratio | None:
    """The ratio b / a of two samples of positive values, on the log scale: the median of all pairwise
    differences log b_j - log a_i, and the distribution-free interval of the Mann-Whitney test around
    it (the order statistics k and n1*n2 + 1 - k of those differences, k from the normal approximation
    of U). None when a sample is empty or holds a value <= 0."""
    if not a or not b or min(a) <= 0 or min(b) <= 0:
        return None
    from scipy.stats import norm

    diffs = sorted(math.log(y) - math.log(x) for x in a for y in b)
    n1, n2, total = len(a), len(b), len(diffs)
    estimate = math.exp(statistics.median(diffs))
    z = float(norm.ppf(0.5 + confidence / 2))
    k = math.floor(n1 * n2 / 2 - z * math.sqrt(n1 * n2 * (n1 + n2 + 1) / 12))
    if k < 1:
        return Ratio(estimate, None, None)
    return Ratio(estimate, math.exp(diffs[k - 1]), math.exp(diffs[total - k]))


def benjamini_hochberg(ps: list[float]) -> list[float]:
    """Benjamini-Hochberg adjusted p-values (q-values) of a family of tests, in the same order."""
    if not ps:
        return []
    from scipy.stats import false_discovery_control

    return [float(q) for q in false_discovery_control(ps, method="bh")]


def geometric_mean(values: list[float]) -> float | None:
    """The geometric mean of positive values (None when there are none)."""
    values = [v for v in values if v > 0 and math.isfinite(v)]
    return math.exp(statistics.fmean(math.log(v) for v in values)) if values else None


@dataclass
class Tally:
    """Flags counted over comparisons: which were flagged and which were not, one line each."""

    hits: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)

    def add(self, flagged: bool, where: str) -> None:
        (self.hits if flagged else self.misses).append(where)

    @property
    def compared(self) -> int:
        return len(self.hits) + len(self.misses)

    @property
    def flagged(self) -> int:
        return len(self.hits)

    @property
    def rate(self) -> str:
        return f"{self.flagged / self.compared:.0%}" if self.compared else "—"
