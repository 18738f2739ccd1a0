"""The one rule that compares a run with a baseline, used by the report (``python -m reports``), the
matrix report and the regression gate (``python -m reports.gate``) alike: what the report flags is what
the gate would call a regression or a speed-up, in the same words. ``compare_runs`` judges every timing
of two runs at once (the false-discovery control is over all of them); both callers use it.

Rule
====

Timings. The steady-state benchmarks (train_step: k steps of the case's training call per round;
predict; single_call) are judged: they are warmed and timed in many rounds, in several processes. The
whole-recipe timings (train: one round per seed, tracing included; first_epoch; steady_epoch;
peak_rss_mb) are compared and reported with their ratio, never flagged. For a judged (case, metric):
  rounds = every process's rounds of each run, each divided by the machine's reference timed in that
           process before every round (``lstm_cases.timing.reference_seconds``: fixed work with no
           framework in it; its median per process) where both files have it, so that the machine's own
           drift between the runs cancels and the framework's speed stays (--no-reference: as timed);
           then each process's divided by the median of the same process of the baseline (pytest
           process by pytest process, worker by worker: a difference between process roles that both
           runs share cancels), then pooled.
  r      = the Hodges-Lehmann ratio run / baseline: the median of every pairwise ratio of the two runs'
           rounds, with its 95% interval from the Mann-Whitney U test.
  q      = the two-sided Mann-Whitney U p of those rounds (exact without ties), adjusted by
           Benjamini-Hochberg over the m judged timings of the run against this baseline: alpha
           (--alpha, default 0.002, asv's level) is the false-discovery rate of the whole run.
  F      = the factor a timing must move by: the --noise file's factor for (case, metric), else the
           metric's default (DEFAULT_FACTORS, set from A/A runs on the 2-core machine: docs/timing.md;
           --factor sets one for all), raised to the disagreement of the two runs' processes: the
           ratio of each process to its counterpart in the baseline (pytest process to pytest process,
           worker to worker), largest over smallest. What one process alone moved is not a regression;
           a difference between process roles that is the same in both runs cancels.
  0. A benchmark timed while other programs kept the machine busy (its 1-minute load average above
     the core count less lstm_cases.record.load.BUSY_MARGIN; the run itself makes about 1) is not judged:
     cannot tell (busy machine).
  1. 1/F <= r <= F: within factor.
  2. Beyond it, when the rounds can reach q < alpha at all (m * 2 / C(n1 + n2, n1) < alpha: the quick
     profile's 12 pooled rounds a side, 6 in each of 2 processes, reach it for m up to 300): SLOWER
     (r > F) or FASTER (r < 1/F) when q < alpha; otherwise within noise.
  3. Beyond it, when they cannot (too few rounds, or a file with a median only): cannot tell.
  Speed-ups (FASTER) are reported apart from slowdowns, never as failures.

Claims: for every claim, a regression (VERDICT WORSE) is a verdict that goes from pass or xfail in the
baseline to fail or xpass in the run. Any other verdict change (fail -> pass, pass -> xfail, ...) is
reported as a change, not a regression. A claim that kept its verdict but whose per-seed values moved
is reported with the difference of the means and a Mann-Whitney p, never as a regression.

What it cannot tell, in plain words: a "within noise" or "within factor" result is not proof that
nothing changed, only that these rounds do not show a change beyond F. A change smaller than the
disagreement of the runs' processes is never flagged, nor one timed on a busy machine. Whole-recipe
times (three seeds) are shown, not judged. A run made with the test-only slowdown (LSTM_BENCH_SLOWDOWN)
is named as such (SLOWED). Timings from different profiles, recipes or machines are compared all the
same: the callers say so in MISMATCH lines or notes.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping
from dataclasses import dataclass, field

from lstm_cases.record.load import METRICS, CaseRecord, Run, Samples, busy_machine
from lstm_cases.record.schema import BAD_STATUSES, GATED, GOOD_STATUSES
from lstm_cases.record.stats import (
    Ratio,
    align_by_role,
    benjamini_hochberg,
    hodges_lehmann_ratio,
    mann_whitney_p,
    min_two_sided_p,
    per_reference,
    reference_ratio,
    role_disagreement,
)

RULE = __doc__[__doc__.index("Rule\n====") :]
DEFAULT_FACTORS: Mapping[str, float] = {"train_step": 1.25, "predict": 1.35, "single_call": 1.35}  # docs/timing.md
DEFAULT_ALPHA = 0.002
CONFIDENCE = 0.95  # of the ratio's interval

# timing outcomes
SLOWER, FASTER, WITHIN, NOISE, CANNOT_TELL, NO_RATIO, NOT_GATED, OTHER_WORK = (
    "slower",
    "faster",
    "within",
    "noise",
    "cannot tell",
    "no ratio",
    "not gated",
    "other work",  # the two timed different plans (or one file has none): never compared
)
# claim outcomes
WORSE, CHANGED, NO_VERDICT, MOVED, KEPT = "worse", "changed", "no verdict", "moved", "kept"


@dataclass(frozen=True)
class Rule:
    """The rule's settings: the factor per judged metric, alpha, and calibrated factors by (case, metric)."""

    factors: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_FACTORS))
    alpha: float = DEFAULT_ALPHA
    calibrated: Mapping[tuple[str, str], float] = field(default_factory=dict)
    source: str = "default"  # where ``factors`` came from: "default" or "--factor"
    # divide each process's rounds by the machine's reference timed beside them, where both files have it
    use_reference: bool = True

    def factor_for(self, case: str, metric: str) -> tuple[float, str]:
        """F for one (case, metric) before the processes' disagreement, and where it came from."""
        value = self.calibrated.get((case, metric))
        if value is not None:
            return value, "calibrated"
        return self.factors.get(metric, max(self.factors.values())), self.source

    def defaults_text(self) -> str:
        return ", ".join(f"{metric} x{self.factors[metric]:g}" for metric in GATED if metric in self.factors)


def rounds_text(n1: int, n2: int) -> str:
    return f"{n1} rounds" if n1 == n2 else f"{n1} vs {n2} rounds"


def rounds_needed(alpha: float, comparisons: int = 1) -> int:
    """The fewest rounds per side (n vs n) with which the exact test can reach q < alpha among
    ``comparisons`` judged timings."""
    n = 1
    while comparisons * min_two_sided_p(n, n) >= alpha:
        n += 1
    return n


def ratio_text(ratio: Ratio | None, digits: int = 2, missing: str = "—") -> str:
    """``x1.23 [1.20, 1.26]`` (the interval only where the samples give one)."""
    if ratio is None:
        return missing
    if ratio.low is None or ratio.high is None:
        return f"×{ratio.estimate:.{digits}f}"
    return f"×{ratio.estimate:.{digits}f} [{ratio.low:.{digits}f}, {ratio.high:.{digits}f}]"


# --------------------------------------------------------------------------- timings


class Judged:
    """What any judged timing (a run's against its baseline, a duet's benchmark) says from its outcome and
    ratio; the comparison classes below and ``reports.duet.PairedComparison`` share it."""

    outcome: str
    ratio: Ratio | None

    @property
    def flagged(self) -> bool:
        """What the report flags: a regression or a speed-up."""
        return self.outcome in (SLOWER, FASTER)

    @property
    def estimate(self) -> float | None:
        return self.ratio.estimate if self.ratio is not None else None

    @property
    def slower(self) -> bool:
        return self.ratio is not None and self.ratio.estimate > 1


def mostly_unjudged(unjudged: int, judged: int) -> bool:
    """Most of the judged timings not judged after all (within noise, cannot tell): the gate says
    CANNOT JUDGE and exits 3, never "no regression"."""
    return judged > 0 and unjudged * 2 > judged


@dataclass(frozen=True)
class TimingComparison(Judged):
    """One metric of one case, run against baseline, judged by the rule."""

    case: str
    metric: str
    base: Samples
    new: Samples
    factor: float  # F: the factor, raised to the processes' disagreement
    source: str  # where the factor before that came from: default, --factor or calibrated
    disagreement: float | None  # of the two runs' processes, process by process (None: one process)
    alpha: float
    ratio: Ratio | None
    p: float | None  # two-sided Mann-Whitney U of the pooled rounds; None when not computed
    q: float | None  # p adjusted over the run's judged timings (Benjamini-Hochberg)
    comparisons: int  # m: the judged timings of this run against this baseline
    outcome: str  # SLOWER, FASTER, WITHIN, NOISE, CANNOT_TELL, NO_RATIO, NOT_GATED or OTHER_WORK
    busy: str = ""  # which run's machine was busy while this benchmark was timed, in words
    # how much slower the machine ran for the run than for the baseline, by its reference; None: the
    # rounds were compared as timed (a file without the reference, or the rule told not to use it)
    machine: float | None = None

    @property
    def n_base(self) -> int:
        return len(self.base.data)

    @property
    def n_new(self) -> int:
        return len(self.new.data)

    @property
    def gated(self) -> bool:
        return self.metric in GATED

    @property
    def limit(self) -> str:
        spread = f", processes disagree x{self.disagreement:.2f}" if self.disagreement is not None else ""
        machine = f", per the machine's reference x{self.machine:.2f}" if self.machine is not None else ""
        return f"factor x{self.factor:.2f} ({self.source}{spread}{machine})"

    def _test(self) -> str:
        q = "—" if self.q is None else f"{self.q:.2g}"
        p = "" if self.p is None else f"Mann-Whitney p={self.p:.2g}, "
        return f"q={q} ({p}{rounds_text(self.n_base, self.n_new)}, {self.comparisons} judged timings)"

    def _why_untestable(self) -> str:
        n1, n2 = self.n_base, self.n_new
        if n1 and n2:
            needed = rounds_needed(self.alpha, self.comparisons)
            return (
                f"{rounds_text(n1, n2)} among {self.comparisons} judged timings can never give q < {self.alpha:g} "
                f"(it takes {needed} a side)"
            )
        return "no per-round samples in the " + ("run" if n1 else "baseline" if n2 else "baseline or the run")

    def judged(self) -> str:
        """The verdict in words: SLOWER, FASTER, within noise, cannot tell, within factor, not gated ..."""
        if self.outcome in (SLOWER, FASTER):
            return self.outcome.upper()
        if self.outcome == NOISE:
            return "within noise"
        if self.outcome == CANNOT_TELL:
            return "cannot tell"
        if self.outcome == WITHIN:
            return f"within {self.limit}"
        if self.outcome == NOT_GATED:
            return "not gated (whole-recipe timing)"
        if self.outcome == OTHER_WORK:
            return "not compared (other work)"
        return "no usable median"

    def evidence(self) -> str:
        """Why, in one sentence (empty for WITHIN, NOT_GATED and NO_RATIO, where ``judged`` says it all)."""
        if self.outcome in (SLOWER, FASTER):
            return f"beyond {self.limit} and {self._test()} < {self.alpha:g}"
        if self.outcome == NOISE:
            return f"beyond {self.limit} but {self._test()} >= {self.alpha:g}"
        if self.outcome == CANNOT_TELL and self.busy:
            return f"the machine was busy ({self.busy}): not judged"
        if self.outcome == CANNOT_TELL:
            return f"beyond {self.limit}, but {self._why_untestable()}"
        if self.outcome == OTHER_WORK:
            return other_work_text(self.base.plan, self.new.plan)
        return ""

    def describe(self) -> str:
        """``judged: evidence`` (or ``judged`` alone)."""
        why = self.evidence()
        return f"{self.judged()}: {why}" if why else self.judged()


@dataclass(frozen=True)
class _Measured:
    case: str
    metric: str
    base: Samples
    new: Samples
    ratio: Ratio | None
    p: float | None
    base_processes: tuple[tuple[float, ...], ...]  # as compared: per the reference where both have it
    new_processes: tuple[tuple[float, ...], ...]
    machine: float | None  # the run's machine against the baseline's, by the reference (None: not used)


def same_plan(metric: str, base: Samples, new: Samples) -> bool:
    """Whether a steady-state benchmark's two sides timed the same plan (both fingerprinted, alike)."""
    return metric not in GATED or (base.plan is not None and base.plan == new.plan)


def other_work_text(base_plan: str | None, new_plan: str | None) -> str:
    if base_plan is not None and new_plan is not None:
        return f"the plans differ (fingerprint {base_plan} vs {new_plan}): other work per round"
    return f"{'the baseline' if base_plan is None else 'the run'} has no plan fingerprint (a schema-1 file)"


def _measure(case: str, metric: str, base: Samples, new: Samples, use_reference: bool = True) -> _Measured:
    base_processes, new_processes, machine = base.processes, new.processes, None
    if use_reference and metric in GATED:
        scaled = per_reference(base.processes, base.references), per_reference(new.processes, new.references)
        if scaled[0] is not None and scaled[1] is not None:
            base_processes, new_processes = scaled
            machine = reference_ratio(base.references, new.references)
    pooled = [v for r in base_processes for v in r], [v for r in new_processes for v in r]
    a, b = align_by_role(base_processes, new_processes) or (pooled if machine is not None else (base.data, new.data))
    ratio = hodges_lehmann_ratio(a, b, CONFIDENCE) if a and b else None
    if ratio is None and base.median and new.median and base.median > 0 and new.median > 0:
        ratio = Ratio(new.median / base.median, None, None)  # a file with medians only
    p = mann_whitney_p(a, b) if metric in GATED and same_plan(metric, base, new) else None
    return _Measured(case, metric, base, new, ratio, p, base_processes, new_processes, machine)


def _judge(m: _Measured, rule: Rule, q: float | None, comparisons: int) -> TimingComparison:
    base_factor, source = rule.factor_for(m.case, m.metric)
    disagreement = role_disagreement(m.base_processes, m.new_processes)
    factor = max(base_factor, disagreement or 1.0)
    busy = "; ".join(
        f"{side} load {s.load:g} on {s.cores} cores" for side, s in (("baseline", m.base), ("run", m.new)) if s.busy
    )

    def result(outcome: str) -> TimingComparison:
        return TimingComparison(
            m.case, m.metric, m.base, m.new, factor, source, disagreement, rule.alpha, m.ratio, m.p, q, comparisons,
            outcome, busy, m.machine,
        )  # fmt: skip

    if m.ratio is None:
        return result(NO_RATIO)
    if m.metric not in GATED:
        return result(NOT_GATED)
    if not same_plan(m.metric, m.base, m.new):
        return result(OTHER_WORK)
    if busy:
        return result(CANNOT_TELL)
    r = m.ratio.estimate
    if 1 / factor <= r <= factor:
        return result(WITHIN)
    n1, n2 = len(m.base.data), len(m.new.data)
    if q is None or not n1 or not n2 or comparisons * min_two_sided_p(n1, n2) >= rule.alpha:
        return result(CANNOT_TELL)
    return result((SLOWER if r > factor else FASTER) if q < rule.alpha else NOISE)


def compare_runs(base: Run, new: Run, rule: Rule | None = None) -> dict[tuple[str, str], TimingComparison]:
    """Every timing both runs have, per (case, metric), judged by the rule: the false-discovery control
    runs over all the judged ones at once. Report and gate both call this."""
    rule = rule or Rule()
    measured = []
    for case, record in base.cases.items():
        other = new.cases.get(case)
        if other is None:
            continue
        for metric in METRICS:
            a, b = record.samples(metric), other.samples(metric)
            if a is not None and b is not None:
                measured.append(_measure(case, metric, a, b, rule.use_reference))
    tested = [m for m in measured if m.p is not None]
    qs = dict(zip(((m.case, m.metric) for m in tested), benjamini_hochberg([m.p for m in tested]), strict=True))
    return {(m.case, m.metric): _judge(m, rule, qs.get((m.case, m.metric)), len(tested)) for m in measured}


def judge_timing(case: str, metric: str, base: Samples, new: Samples, rule: Rule | None = None) -> TimingComparison:
    """One comparison on its own (m = 1: no other timings to control the false discoveries over)."""
    rule = rule or Rule()
    m = _measure(case, metric, base, new, rule.use_reference)
    return _judge(m, rule, m.p, 1 if m.p is not None else 0)


def slowdown_lines(runs: list[Run]) -> list[str]:
    """SLOWED lines for runs made with the test-only slowdown (their timings are deliberately slowed), and
    NOISY lines for runs whose machine was busy with other work while they timed (``busy_machine``)."""
    out = [
        f"SLOWED {run.path}: made with the test-only slowdown LSTM_BENCH_SLOWDOWN "
        f"({', '.join(f'{k} x{v:g}' for k, v in run.slowdown.items())}): its timings are deliberately slowed"
        for run in runs
        if run.slowdown
    ]
    for run in runs:
        load, cores = run.busiest_load(), run.cpu_count()
        if busy_machine(load, cores):
            out.append(
                f"NOISY {run.path}: load average up to {load:g} on {cores} cores while it timed (itself about 1): "
                "other programs shared the machine; its benchmarks timed then are not judged"
            )
    return out


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
    """What the baseline has and the run lacks, one phrase each: a case, a judged (steady-state)
    benchmark, a claim's verdict. The gate fails on these unless --allow-missing; the report lists them."""
    out = []
    for case, record in base.cases.items():
        other = new.cases.get(case)
        if other is None:
            out.append(f"{case}: case missing in the run")
            continue
        out += [
            f"{case} {kind}: benchmark missing in the run"
            for kind in GATED
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
