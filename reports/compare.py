"""The one rule that compares a run with a baseline, used by the report (``python -m reports``) and
the regression gate (``python -m reports.gate``) alike: what the report flags is what the gate would
call a regression or a speed-up, in the same words.

Rule
====

Timings: per case, the metrics train (seconds per seed: stats.data of the train benchmark), predict and
single_call (seconds per round) and, where both files carry them, first_epoch (first_epoch_seconds per
seed: tracing and compilation) and peak_rss_mb (per seed). Higher is worse for every one.
r = median(run) / median(baseline) of the raw samples; F = the factor of (case, metric) in the --noise
file, else --factor (default 1.1, as asv compare); alpha = --alpha (default 0.002, as asv compare);
"the rounds can reach alpha" means the smallest two-sided p of the exact Mann-Whitney U test,
2 / C(n1 + n2, n1), is below alpha (3 vs 3 rounds: 0.1; 6 vs 6: 0.0022; 7 vs 7: 0.00058).
  1. r <= F: no regression ("within factor").
  2. r > F and the rounds can reach alpha: a regression (SLOWER) when the two-sided Mann-Whitney U p of
     the raw samples is below alpha (BOTH conditions); otherwise "within noise".
  3. r > F and the rounds can never reach alpha, or a file has only a median (no per-round samples):
     a regression on the ratio alone when r > 2 * F, and it says "ratio alone"; otherwise
     "cannot tell with N rounds" (the gate's exit status is unchanged).
  Speed-ups (r < 1 / F) go through the same rules (FASTER, "ratio alone" when r < 1 / (2 * F)) and are
  reported apart, never as failures.

Claims: for every claim, a regression (VERDICT WORSE) is a verdict that goes from pass or xfail in the
baseline to fail or xpass in the run. Any other verdict change (fail -> pass, pass -> xfail, ...) is
reported as a change, not a regression. A claim that kept its verdict but whose per-seed values moved
is reported with the difference of the means and a Mann-Whitney p, never as a regression.

What it cannot tell, in plain words: with 3 rounds against 3 (training time with the default 3 seeds)
no test can ever reach p < 0.002, whatever the times: the best possible p is 0.1. Such a slowdown is
caught only when it is beyond 2 * F (x2.2 by default); anything between F and 2 * F reads "cannot tell".
It takes 7 rounds against 7 for the test to be able to reach 0.002 at all. A "within noise" result is
not proof that nothing changed, only that these rounds do not show it. A median from a file without
per-round data is compared on the ratio alone. Timings from different profiles, recipes or machines
are compared all the same: the callers say so in MISMATCH lines or notes.
"""

from __future__ import annotations

import argparse
import math
import statistics
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from reports.command import OptionError
from reports.load import KINDS, CaseRecord, Run, Samples
from reports.noise import PROG as NOISE_PROG
from reports.noise import Noise, load_noise
from reports.stats import mann_whitney_p, min_two_sided_p

RULE = __doc__[__doc__.index("Rule\n====") :]
DEFAULT_FACTOR = 1.10
DEFAULT_ALPHA = 0.002

# timing outcomes
SLOWER, FASTER, WITHIN, NOISE, CANNOT_TELL, NO_RATIO = "slower", "faster", "within", "noise", "cannot tell", "no ratio"
# claim outcomes
WORSE, CHANGED, NO_VERDICT, MOVED, KEPT = "worse", "changed", "no verdict", "moved", "kept"
GOOD_STATUSES, BAD_STATUSES = ("pass", "xfail"), ("fail", "xpass")


@dataclass(frozen=True)
class Rule:
    """The rule's settings: the default factor F, alpha, and calibrated factors by (case, metric)."""

    factor: float = DEFAULT_FACTOR
    alpha: float = DEFAULT_ALPHA
    calibrated: Mapping[tuple[str, str], float] = field(default_factory=dict)

    def factor_for(self, case: str, metric: str) -> tuple[float, bool]:
        """F for one (case, metric) and whether it came from the noise file."""
        value = self.calibrated.get((case, metric))
        return (self.factor, False) if value is None else (value, True)


def rounds_text(n1: int, n2: int) -> str:
    return f"{n1} rounds" if n1 == n2 else f"{n1} vs {n2} rounds"


def rounds_needed(alpha: float) -> int:
    """The fewest rounds per side (n vs n) with which the exact test can reach p < alpha."""
    n = 1
    while min_two_sided_p(n, n) >= alpha:
        n += 1
    return n


# --------------------------------------------------------------------------- timings


@dataclass(frozen=True)
class TimingComparison:
    """One metric of one case, run against baseline, judged by the rule."""

    case: str
    metric: str
    base: Samples
    new: Samples
    factor: float
    calibrated: bool
    alpha: float
    ratio: float | None  # median(run) / median(baseline)
    p: float | None  # two-sided Mann-Whitney U; None when the test was not used
    outcome: str  # SLOWER, FASTER, WITHIN, NOISE, CANNOT_TELL or NO_RATIO
    ratio_alone: bool = False  # flagged on the ratio alone (beyond 2 * F without a usable test)

    @property
    def n_base(self) -> int:
        return len(self.base.data)

    @property
    def n_new(self) -> int:
        return len(self.new.data)

    @property
    def flagged(self) -> bool:
        """What the report flags: a regression or a speed-up."""
        return self.outcome in (SLOWER, FASTER)

    @property
    def slower(self) -> bool:
        return self.ratio is not None and self.ratio > 1

    @property
    def limit(self) -> str:
        return f"factor x{self.factor:.2f} ({'calibrated' if self.calibrated else 'default'})"

    def _why_untestable(self) -> str:
        n1, n2 = self.n_base, self.n_new
        if n1 and n2:
            best = min_two_sided_p(n1, n2)
            return f"{rounds_text(n1, n2)} can never give p < {self.alpha:g} (best p={best:.2g})"
        return "no per-round samples in the " + ("run" if n1 else "baseline" if n2 else "baseline or the run")

    def judged(self) -> str:
        """The verdict in words: SLOWER, FASTER, within noise, cannot tell with N rounds, within factor ..."""
        if self.outcome in (SLOWER, FASTER):
            return self.outcome.upper()
        if self.outcome == NOISE:
            return "within noise"
        if self.outcome == CANNOT_TELL:
            if self.n_base and self.n_new:
                return f"cannot tell with {rounds_text(self.n_base, self.n_new)}"
            return "cannot tell without per-round samples"
        if self.outcome == WITHIN:
            return f"within {self.limit}"
        return "no usable median"

    def evidence(self) -> str:
        """Why, in one sentence (empty for WITHIN and NO_RATIO, where ``judged`` says it all)."""
        rounds = rounds_text(self.n_base, self.n_new)
        p = "could not be computed" if self.p is None else f"={self.p:.2g}"
        if self.outcome in (SLOWER, FASTER) and not self.ratio_alone:
            return f"beyond {self.limit} and Mann-Whitney p{p} < {self.alpha:g} ({rounds})"
        twice = f"> x{2 * self.factor:.2f}" if self.slower else f"< x{1 / (2 * self.factor):.2f}"
        if self.outcome in (SLOWER, FASTER):
            return f"beyond 2 x {self.limit} ({twice}) on the ratio alone: {self._why_untestable()}"
        if self.outcome == NOISE:
            return f"beyond {self.limit} but Mann-Whitney p{p} >= {self.alpha:g} ({rounds})"
        if self.outcome == CANNOT_TELL:
            return f"beyond {self.limit}, but {self._why_untestable()}; the ratio alone would need {twice}"
        return ""

    def describe(self) -> str:
        """``judged: evidence`` (or ``judged`` alone)."""
        why = self.evidence()
        return f"{self.judged()}: {why}" if why else self.judged()


def judge_timing(case: str, metric: str, base: Samples, new: Samples, rule: Rule | None = None) -> TimingComparison:
    """Apply the rule (module docstring) to one metric's samples, baseline first."""
    rule = rule or Rule()
    factor, calibrated = rule.factor_for(case, metric)
    ratio = new.median / base.median if base.median and new.median is not None and base.median > 0 else None

    def result(outcome: str, p: float | None = None, ratio_alone: bool = False) -> TimingComparison:
        return TimingComparison(case, metric, base, new, factor, calibrated, rule.alpha, ratio, p, outcome, ratio_alone)

    if ratio is None:
        return result(NO_RATIO)
    if 1 / factor <= ratio <= factor:
        return result(WITHIN)
    direction = SLOWER if ratio > factor else FASTER
    if base.data and new.data and min_two_sided_p(len(base.data), len(new.data)) < rule.alpha:
        p = mann_whitney_p(base.data, new.data)
        return result(direction if p is not None and p < rule.alpha else NOISE, p)
    if ratio > 2 * factor or ratio < 1 / (2 * factor):
        return result(direction, ratio_alone=True)
    return result(CANNOT_TELL)


def compare_timing(base: CaseRecord, new: CaseRecord, metric: str, rule: Rule | None = None) -> TimingComparison | None:
    """One metric of one case in two runs; None when either file lacks the metric."""
    a, b = base.samples(metric), new.samples(metric)
    if a is None or b is None:
        return None
    return judge_timing(base.case, metric, a, b, rule)


def metric_name(metric: str) -> str:
    return {"single_call": "single call", "first_epoch": "first epoch", "peak_rss_mb": "peak RSS"}.get(metric, metric)


# --------------------------------------------------------------------------- claims


def status_word(status: str | None) -> str:
    return {"pass": "pass", "fail": "FAIL", "xfail": "expected fail", "xpass": "XPASS"}.get(
        status or "", status or "none"
    )


def _mean(values: list[float]) -> str:
    return f"{statistics.fmean(values):.4g}" if values else "?"


@dataclass(frozen=True)
class ClaimComparison:
    """One claim of one case in two runs whose case both has a verdict entry for it."""

    case: str
    claim: str
    before: str | None  # verdict status in the baseline
    after: str | None
    base_values: list[float]
    new_values: list[float]
    p: float | None  # two-sided Mann-Whitney U over the per-seed values; information only
    rule_text: str | None  # the claim's rule as the run (else the baseline) states it

    @property
    def outcome(self) -> str:
        """WORSE, CHANGED, NO_VERDICT, MOVED or KEPT (see the module docstring)."""
        if self.before is None or self.after is None:
            return NO_VERDICT
        if self.before in GOOD_STATUSES and self.after in BAD_STATUSES:
            return WORSE
        if self.before != self.after:
            return CHANGED
        same = len(self.base_values) == len(self.new_values) and all(
            math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12)
            for x, y in zip(self.base_values, self.new_values, strict=True)
        )
        return KEPT if same else MOVED

    @property
    def regression(self) -> bool:
        return self.outcome == WORSE

    @property
    def mean_diff(self) -> float | None:
        """mean(run) - mean(baseline) of the per-seed values."""
        if not self.base_values or not self.new_values:
            return None
        return statistics.fmean(self.new_values) - statistics.fmean(self.base_values)

    def change(self) -> str:
        return f"{status_word(self.before)} -> {status_word(self.after)}"

    def values(self) -> str:
        """``per-seed mean 0.85 -> 0.5`` and, when the means differ, the difference and the test's p."""
        text = f"per-seed mean {_mean(self.base_values)} -> {_mean(self.new_values)}"
        if self.outcome in (KEPT, NO_VERDICT) or self.mean_diff is None:
            return text
        p = f", Mann-Whitney p={self.p:.2g}" if self.p is not None else ""
        return f"{text} (diff {self.mean_diff:+.3g}{p})"

    def judged(self) -> str:
        """The verdict in words: VERDICT WORSE, verdict changed, values moved, same verdict, no verdict."""
        if self.outcome == WORSE:
            return f"VERDICT WORSE ({self.change()})"
        if self.outcome == CHANGED:
            return f"verdict changed ({self.change()})"
        if self.outcome == NO_VERDICT:
            return f"no verdict in the {'baseline' if self.before is None else 'run'}"
        if self.outcome == MOVED:
            return f"values moved, verdict kept ({status_word(self.after)})"
        return f"same verdict ({status_word(self.after)})"


def compare_claim(base: CaseRecord, new: CaseRecord, claim_id: str) -> ClaimComparison | None:
    """One claim in two runs; None when either run's case has no verdict entry for it."""
    if claim_id not in base.verdicts or claim_id not in new.verdicts:
        return None
    before, after = base.verdicts[claim_id], new.verdicts[claim_id]
    a, b = base.claim_values(claim_id), new.claim_values(claim_id)
    rule_text = after.get("rule") or before.get("rule")
    return ClaimComparison(
        base.case,
        claim_id,
        before.get("status"),
        after.get("status"),
        a,
        b,
        mann_whitney_p(a, b),
        str(rule_text) if rule_text else None,
    )


# --------------------------------------------------------------------------- missing


def missing_in_run(base: Run, new: Run) -> list[str]:
    """What the baseline has and the run lacks, one phrase each: a case, a train / predict / single_call
    benchmark, a claim's verdict. The gate fails on these unless --allow-missing; the report lists them."""
    out = []
    for case, record in base.cases.items():
        other = new.cases.get(case)
        if other is None:
            out.append(f"{case}: case missing in the run")
            continue
        out += [
            f"{case} {kind}: benchmark missing in the run"
            for kind in KINDS
            if kind in record.benches and kind not in other.benches
        ]
        for cid, verdict in record.verdicts.items():
            if cid not in other.verdicts:
                out.append(f"{case} claim {cid}: missing in the run (baseline: {status_word(verdict.get('status'))})")
    return out


# --------------------------------------------------------------------------- recipes


def recipe_diff(base: CaseRecord, new: CaseRecord) -> str:
    """What differs between two runs' recipes of a case (``epochs 10 -> 20, ...``); empty when nothing does."""
    a, b = base.recipe, new.recipe
    keys = [k for k in dict.fromkeys([*a, *b]) if k != "changes" and a.get(k) != b.get(k)]
    return ", ".join(f"{k} {a.get(k)!r} -> {b.get(k)!r}" for k in keys)


# --------------------------------------------------------------------------- command-line options


def add_rule_options(parser: argparse.ArgumentParser) -> None:
    """--factor, --alpha and --noise: the comparison rule's settings (``reports.compare``), same defaults everywhere."""
    parser.add_argument(
        "--factor",
        type=float,
        default=DEFAULT_FACTOR,
        help=f"ratio of medians a timing must exceed, either way, where --noise has none (default {DEFAULT_FACTOR})",
    )
    parser.add_argument(
        "--alpha",
        type=float,
        default=DEFAULT_ALPHA,
        help=f"... and the Mann-Whitney U p-value it must go below (default {DEFAULT_ALPHA})",
    )
    parser.add_argument(
        "--noise", type=Path, metavar="NOISE.json", help=f"per-(case, metric) factors from {NOISE_PROG}"
    )


def rule_from_args(args: argparse.Namespace) -> tuple[Rule, Noise | None]:
    """The rule of --factor / --alpha / --noise; OptionError or InputError (one line) when unusable."""
    if not args.factor > 1:
        raise OptionError(f"--factor must be > 1, got {args.factor}")
    if not 0 < args.alpha < 1:
        raise OptionError(f"--alpha must be between 0 and 1, got {args.alpha}")
    noise = load_noise(args.noise) if args.noise is not None else None
    calibrated = noise.factors if noise is not None else {}
    return Rule(factor=args.factor, alpha=args.alpha, calibrated=calibrated), noise
