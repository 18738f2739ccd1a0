"""The statistics behind the comparison tables, and the rules that flag a difference.

Timings (per-round seconds from ``stats.data``): ratio of medians, new / baseline, and a
two-sided Mann-Whitney U test. A timing is flagged only when the ratio is beyond
``ratio`` (default 1.10, either way) *and* p < ``alpha`` (default 0.05). When the rounds
are too few for any outcome to reach p < alpha (the smallest two-sided p of the exact
test is 2 / C(n1 + n2, n1): 0.10 for 3 vs 3 rounds), the difference is reported as
"not enough rounds to tell", never flagged.

Claims (per-seed values): flagged when the verdict status changes between the baseline
and a run. The difference of means and a Mann-Whitney p are shown as information only.
"""

from __future__ import annotations

import math
import statistics
import warnings
from dataclasses import dataclass

DEFAULT_RATIO = 1.10
DEFAULT_ALPHA = 0.05


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


# --------------------------------------------------------------------------- timings

SLOWER, FASTER, SAME, NOISE, TOO_FEW, NO_DATA = "slower", "faster", "same", "noise", "too_few", "no_data"


@dataclass(frozen=True)
class TimingComparison:
    base_median: float | None
    new_median: float | None
    ratio: float | None  # new / base
    p: float | None
    n_base: int
    n_new: int
    outcome: str  # one of SLOWER, FASTER, SAME, NOISE, TOO_FEW, NO_DATA
    threshold: float

    @property
    def flagged(self) -> bool:
        return self.outcome in (SLOWER, FASTER)

    def describe(self) -> str:
        """The flag cell: what the rule concluded, in words."""
        p = f"p={self.p:.2g}" if self.p is not None else "no test"
        rounds = f"{self.n_new} vs {self.n_base} rounds"
        if self.outcome == SLOWER:
            return f"**SLOWER** ({p})"
        if self.outcome == FASTER:
            return f"**FASTER** ({p})"
        if self.outcome == TOO_FEW:
            return (
                f"not enough rounds to tell ({rounds}; best possible p={min_two_sided_p(self.n_new, self.n_base):.2g})"
            )
        if self.outcome == NOISE:
            return f"within noise ({p})"
        if self.outcome == SAME:
            return f"within ±{(self.threshold - 1):.0%} ({p})"
        return "no per-round data"


def compare_timings(
    base: list[float],
    new: list[float],
    base_median: float | None = None,
    new_median: float | None = None,
    ratio: float = DEFAULT_RATIO,
    alpha: float = DEFAULT_ALPHA,
) -> TimingComparison:
    """Compare per-round times of a run with the baseline's (see the module docstring)."""
    bm = statistics.median(base) if base else base_median
    nm = statistics.median(new) if new else new_median
    r = nm / bm if bm and nm is not None and bm > 0 else None
    if not base or not new:
        return TimingComparison(bm, nm, r, None, len(base), len(new), NO_DATA, ratio)
    p = mann_whitney_p(base, new)
    beyond = r is not None and (r > ratio or r < 1 / ratio)
    if not beyond:
        outcome = SAME
    elif p is not None and p < alpha:
        outcome = SLOWER if r > 1 else FASTER
    elif min_two_sided_p(len(base), len(new)) >= alpha:
        outcome = TOO_FEW
    else:
        outcome = NOISE
    return TimingComparison(bm, nm, r, p, len(base), len(new), outcome, ratio)


# --------------------------------------------------------------------------- claims


@dataclass(frozen=True)
class ClaimComparison:
    base_status: str | None
    new_status: str | None
    mean_diff: float | None  # mean(new) - mean(base)
    p: float | None
    n_base: int
    n_new: int

    @property
    def flagged(self) -> bool:
        return self.base_status is not None and self.new_status is not None and self.base_status != self.new_status

    def describe(self) -> str:
        parts = []
        if self.flagged:
            parts.append(f"**VERDICT CHANGED** ({status_word(self.base_status)} → {status_word(self.new_status)})")
        elif self.base_status is None or self.new_status is None:
            parts.append("no verdict in one run")
        else:
            parts.append(f"same verdict ({status_word(self.new_status)})")
        if self.mean_diff is not None:
            parts.append(f"Δmean {self.mean_diff:+.3g}")
        if self.p is not None:
            note = ""
            if min_two_sided_p(self.n_base, self.n_new) >= DEFAULT_ALPHA:
                note = ", too few seeds for p<0.05"
            parts.append(f"MWU p={self.p:.2g}{note}")
        return "; ".join(parts)


def status_word(status: str | None) -> str:
    return {"pass": "pass", "fail": "FAIL", "xfail": "expected fail", "xpass": "XPASS"}.get(
        status or "", status or "none"
    )


def compare_claims(
    base_status: str | None, new_status: str | None, base: list[float], new: list[float]
) -> ClaimComparison:
    diff = statistics.fmean(new) - statistics.fmean(base) if base and new else None
    return ClaimComparison(base_status, new_status, diff, mann_whitney_p(base, new), len(base), len(new))
