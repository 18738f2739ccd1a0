"""Duet records and the paired rule that judges them: two installations (base and head) timed on one
machine, round by round, in a balanced order (``python -m lstm_cases.tools.duet``).

Plain Python: no TensorFlow, no Keras, no ``lstm_cases`` import. A duet file is JSON with one
top-level ``"lstm_bench"`` object, ``"kind": "duet"``: both sides (interpreter, commit, stack,
threads, slowdown), the settings, and per benchmark (case, kind) the plan both sides ran and every
pair of adjacent rounds with its order and the machine's reference timed before each round.

Rule
====

For each steady-state benchmark (train_step, predict, single_call) of a duet:
  d_i = log(head_i / base_i), the i-th pair's two rounds, timed one right after the other (the order
        within pairs balanced, ABBA or seeded random), so that the machine's drift over seconds and
        minutes hits both sides alike and cancels in the pair.
  r   = the Hodges-Lehmann estimate of head / base: exp of the median of the Walsh averages
        (d_i + d_j) / 2, i <= j, with its 95% interval from the signed-rank distribution (order
        statistics k and N + 1 - k of the N Walsh averages, k from its normal approximation).
  q   = the two-sided Wilcoxon signed-rank p of the d_i (exact where scipy can), adjusted by
        Benjamini-Hochberg over the duet's judged benchmarks; alpha is the false-discovery rate.
  F   = the factor a timing must move by: --noise's factor for (case, kind), else --factor, else the
        kind's duet default (DUET_FACTORS: from A/A duets on the 2-core machine, docs/timing.md).
  1. r > F and q < alpha: SLOWER; r < 1/F and q < alpha: FASTER (a note, never a failure).
  2. The interval inside [1/F, F]: within factor (judged: no change beyond F).
  3. Otherwise not judged: "within noise" where r is beyond F but q >= alpha, "cannot tell" where the
     interval reaches beyond F (too few pairs for that spread: a disturbed side, or a change near F).
     The duet command measures more pairs while a benchmark is not judged, up to its --max-rounds.
  4. The repeat. Pairs cancel the machine's drift, not what sets one process apart from another of the
     same installation (a process can run one benchmark a few percent, rarely a third, slower
     throughout). So a benchmark that could be flagged (r beyond F and its own p < alpha) is timed
     again by two other processes, one per side, in pairs as before. Its flag stands only if the
     repeat bears it out: the repeat's pairs lie beyond sqrt(F) in the same direction (one-sided
     signed-rank p < REPEAT_ALPHA of d_i - log sqrt(F)), and r2 = sqrt(r x the repeat's estimate),
     the two process pairs weighed alike, lies beyond F. It is not borne out once the repeat's
     interval stays short of sqrt(F) (or of what r2 needs), and then, or when the repeat runs out of
     pairs, the benchmark is "cannot tell": one pair of processes shows the change and another does
     not. A duet written without repeats (--no-repeat, or before them) is judged by 1-3 alone and
     says so.

A gate whose timings are mostly not judged says so first and exits with its own status (3), never
"no regression". What it cannot tell: a change smaller than F is never flagged; F covers what two
processes of the same installation differ by on this machine.
"""

from __future__ import annotations

import math
import statistics
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lstm_cases.record.load import InputError, as_dict, as_list, number, read_json, record_of, stack_label
from lstm_cases.record.schema import DUET, GATED, KEY
from lstm_cases.record.stats import Ratio, benjamini_hochberg
from reports.compare import CANNOT_TELL, FASTER, NOISE, SLOWER, WITHIN, Judged, Rule, mostly_unjudged, ratio_text

RULE = __doc__[__doc__.index("Rule\n====") :]
SIDES = ("base", "head")
# Factors per kind: what the calibration A/A duets on the 2-core machine call for
# (docs/power/duets-calibration.json, checked by tests/test_duet.py; docs/timing.md, "Duets").
DUET_FACTORS: Mapping[str, float] = {"train_step": 1.045, "predict": 1.065, "single_call": 1.035}
CONFIDENCE = 0.95
# The repeat's test (rule 4): it asks only whether other processes see the same direction; the
# duet-wide control already held for the flag it repeats.
REPEAT_ALPHA = 0.05
BORNE_OUT, NOT_BORNE_OUT, OPEN = "borne out", "not borne out", "open"
UNJUDGED = (NOISE, CANNOT_TELL)


# --------------------------------------------------------------------------- the record


@dataclass(frozen=True)
class Side:
    name: str  # base or head
    python: str
    commit: str
    stack: dict[str, Any]
    slowdown: dict[str, float]

    @property
    def label(self) -> str:
        return f"{self.name} {self.commit} ({stack_label(self.stack)})"


@dataclass(frozen=True)
class Pairs:
    """One benchmark of a duet: its plan and its pairs of rounds (seconds), in the order timed."""

    case: str
    kind: str
    plan: dict[str, Any]
    base: tuple[float, ...]
    head: tuple[float, ...]
    base_reference: tuple[float, ...]
    head_reference: tuple[float, ...]
    first: tuple[str, ...]  # which side timed first in each pair
    repeat: Pairs | None = None  # the same plan timed again by two fresh processes (rule 4)

    @property
    def n(self) -> int:
        return len(self.base)

    def log_ratios(self) -> list[float]:
        return [math.log(h / b) for b, h in zip(self.base, self.head, strict=True)]


@dataclass(frozen=True)
class Duet:
    path: str
    sides: dict[str, Side]
    profile: str
    mode: str
    benchmarks: tuple[Pairs, ...]
    skipped: tuple[dict[str, Any], ...] = ()
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def slowdown(self) -> dict[str, float]:
        """The test-only slowdown of the head side (the base side's is refused by the command)."""
        return self.sides["head"].slowdown


def is_duet(doc: Any) -> bool:
    return isinstance(doc, dict) and as_dict(doc.get(KEY)).get("kind") == DUET


def _pairs(path: Path, raw: Mapping[str, Any], rounds_key: str = "rounds") -> Pairs:
    case, kind = raw.get("case"), raw.get("kind")
    if not isinstance(case, str) or kind not in GATED:
        raise InputError(path, f"a duet benchmark without a case or with kind {kind!r} (valid: {', '.join(GATED)})")
    rounds = [as_dict(r) for r in as_list(raw.get(rounds_key))]
    values = {
        key: tuple(number(r.get(key)) for r in rounds) for key in ("base", "head", "base_reference", "head_reference")
    }
    if not rounds or any(v is None or v <= 0 for key in SIDES for v in values[key]):
        raise InputError(path, f"{case} {kind}: {rounds_key} without positive base and head seconds")
    first = tuple(str(r.get("first", "?")) for r in rounds)
    refs = {k: tuple(v or 0.0 for v in values[k]) for k in ("base_reference", "head_reference")}
    repeat = _pairs(path, raw, "repeat_rounds") if rounds_key == "rounds" and raw.get("repeat_rounds") else None
    plan = as_dict(raw.get("plan"))
    return Pairs(case, kind, plan, values["base"], values["head"], *refs.values(), first, repeat)  # type: ignore[arg-type]


def load_duet(path: Path | str) -> Duet:
    """A duet file, checked; InputError (one line naming the file) otherwise."""
    path = Path(path)
    doc = read_json(path, "a duet file")
    record = record_of(path, doc, DUET)
    sides = {}
    for name in SIDES:
        raw = as_dict(as_dict(record.get("sides")).get(name))
        if not raw:
            raise InputError(path, f"no {name} side")
        sides[name] = Side(
            name,
            str(raw.get("python", "?")),
            str(raw.get("commit", "?")),
            as_dict(raw.get("stack")),
            {k: float(v) for k, v in as_dict(raw.get("slowdown")).items()},
        )
    benchmarks = tuple(_pairs(path, as_dict(b)) for b in as_list(record.get("benchmarks")))
    settings = {k: v for k, v in record.items() if k not in ("sides", "benchmarks", "skipped")}
    return Duet(
        str(path),
        sides,
        str(record.get("profile", "?")),
        str(record.get("mode", "?")),
        benchmarks,
        tuple(as_dict(s) for s in as_list(record.get("skipped"))),
        settings,
    )


# --------------------------------------------------------------------------- the rule


def walsh_ratio(d: Sequence[float], confidence: float = CONFIDENCE) -> Ratio | None:
    """exp of the Hodges-Lehmann estimate of the d's centre (the median of the Walsh averages) and its
    signed-rank interval (None bounds where the pairs are too few for that confidence)."""
    if not d:
        return None
    from scipy.stats import norm

    n = len(d)
    walsh = sorted((d[i] + d[j]) / 2 for i in range(n) for j in range(i, n))
    estimate = math.exp(statistics.median(walsh))
    z = float(norm.ppf(0.5 + confidence / 2))
    k = math.floor(n * (n + 1) / 4 - z * math.sqrt(n * (n + 1) * (2 * n + 1) / 24))
    if k < 1:
        return Ratio(estimate, None, None)
    return Ratio(estimate, math.exp(walsh[k - 1]), math.exp(walsh[len(walsh) - k]))


def signed_rank_p(d: Sequence[float], alternative: str = "two-sided") -> float | None:
    """Wilcoxon signed-rank p of the d's against 0, two-sided or one-sided ("greater": the d's above
    0; "less"); None with fewer than two pairs."""
    if len(d) < 2:
        return None
    if all(v == 0 for v in d):
        return 1.0
    from scipy.stats import wilcoxon

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p = float(wilcoxon(d, alternative=alternative).pvalue)
    return p if math.isfinite(p) else None


def _interval_text(r: Ratio | None) -> str:
    return ratio_text(r, digits=3, missing="no ratio")  # a duet tells ratios a few tenths of a percent apart


@dataclass(frozen=True)
class Repeat:
    """Rule 4 for one benchmark that could be flagged: what two fresh processes' pairs say of it."""

    direction: str  # SLOWER or FASTER: the flag it repeats
    ratio: Ratio | None  # the repeat's own head/base estimate and interval
    p: float | None  # its one-sided signed-rank p in that direction
    combined: float  # sqrt(first estimate x the repeat's): both process pairs weighed alike
    verdict: str  # BORNE_OUT, NOT_BORNE_OUT, or OPEN (more pairs could still bear it out)
    pairs: int

    def describe(self) -> str:
        p = "—" if self.p is None else f"{self.p:.2g}"
        return (
            f"repeated by fresh processes over {self.pairs} pairs: {_interval_text(self.ratio)}, "
            f"beyond half the factor with one-sided p={p} (need < {REPEAT_ALPHA:g}), "
            f"both process pairs ×{self.combined:.3f}: {self.verdict}"
        )


def repeat_of(direction: str, first: Ratio, repeat: Pairs, factor: float) -> Repeat:
    """Rule 4: whether the repeat bears out a flag in ``direction`` that the first pairs (``first``) show."""
    d = repeat.log_ratios()
    own = walsh_ratio(d)
    slower = direction == SLOWER
    half = math.log(factor) / 2 * (1 if slower else -1)  # the repeat must show at least half the factor
    p = signed_rank_p([v - half for v in d], "greater" if slower else "less")

    def beyond(r: float, f: float) -> bool:
        return r > f if slower else r < 1 / f

    combined = math.sqrt(first.estimate * own.estimate) if own else first.estimate
    if p is not None and p < REPEAT_ALPHA and beyond(combined, factor):
        verdict = BORNE_OUT
    else:  # open while the repeat's interval still reaches a ratio that would bear the flag out
        far = None if own is None else (own.high if slower else own.low)
        reach = far is None or (beyond(far, math.sqrt(factor)) and beyond(math.sqrt(first.estimate * far), factor))
        verdict = OPEN if reach else NOT_BORNE_OUT
    return Repeat(direction, own, p, combined, verdict, repeat.n)


@dataclass(frozen=True)
class PairedComparison(Judged):
    """One benchmark of a duet, judged by the paired rule (module docstring)."""

    case: str
    metric: str
    pairs: Pairs
    factor: float
    source: str  # duet default, --factor or calibrated
    alpha: float
    ratio: Ratio | None
    p: float | None
    q: float | None
    comparisons: int
    outcome: str
    repeat: Repeat | None = None  # rule 4, where the first pairs flagged it and the duet repeated it

    @property
    def judged_ok(self) -> bool:
        """Judged at all: not "within noise" or "cannot tell"."""
        return self.outcome not in UNJUDGED

    @property
    def base_median(self) -> float:
        return statistics.median(self.pairs.base)

    @property
    def head_median(self) -> float:
        return statistics.median(self.pairs.head)

    def _interval(self) -> str:
        return _interval_text(self.ratio)

    def judged(self) -> str:
        if self.outcome in (SLOWER, FASTER):
            return self.outcome.upper()
        if self.outcome == WITHIN:
            return f"within factor x{self.factor:g}"
        return "within noise" if self.outcome == NOISE else "cannot tell"

    def evidence(self) -> str:
        q = "—" if self.q is None else f"{self.q:.2g}"
        test = f"q={q} (Wilcoxon signed-rank over {self.pairs.n} pairs, {self.comparisons} judged benchmarks)"
        beyond = f"head/base {self._interval()}"
        if self.repeat is not None:  # flagged by the first pairs; the repeat decides (rule 4)
            first = f"{beyond} beyond factor x{self.factor:g} ({self.source}) and {test} < {self.alpha:g}"
            return f"{first}; {self.repeat.describe()}"
        if self.outcome in (SLOWER, FASTER):
            unrepeated = "" if self.pairs.repeat is not None else " (not repeated by fresh processes)"
            return f"{beyond} beyond factor x{self.factor:g} ({self.source}) and {test} < {self.alpha:g}{unrepeated}"
        if self.outcome == WITHIN:
            return f"{beyond}: the interval lies within x{self.factor:g} ({self.source})"
        if self.outcome == NOISE:
            return f"{beyond} beyond x{self.factor:g} ({self.source}) but {test} >= {self.alpha:g}"
        return f"{beyond}: the interval reaches beyond x{self.factor:g} ({self.source}); {test}"

    def describe(self) -> str:
        return f"{self.judged()}: {self.evidence()}"


def factor_for(rule: Rule, case: str, kind: str) -> tuple[float, str]:
    """F for one benchmark: calibrated, else --factor, else the duet default."""
    value = rule.calibrated.get((case, kind))
    if value is not None:
        return value, "calibrated"
    if rule.source == "--factor":
        return rule.factors.get(kind, max(rule.factors.values())), "--factor"
    return DUET_FACTORS[kind], "duet default"


def _outcome(ratio: Ratio | None, q: float | None, factor: float, alpha: float) -> str:
    if ratio is None:
        return CANNOT_TELL
    r = ratio.estimate
    if q is not None and q < alpha and (r > factor or r < 1 / factor):
        return SLOWER if r > factor else FASTER
    if ratio.low is not None and ratio.high is not None and 1 / factor <= ratio.low and ratio.high <= factor:
        return WITHIN
    return NOISE if (r > factor or r < 1 / factor) else CANNOT_TELL


def judge_pairs(pairs: Sequence[Pairs], rule: Rule | None = None) -> list[PairedComparison]:
    """Every benchmark of a duet, judged together (the false-discovery control runs over all of them)."""
    rule = rule or Rule()
    measured = [(p, walsh_ratio(p.log_ratios()), signed_rank_p(p.log_ratios())) for p in pairs]
    tested = [i for i, (_, _, p) in enumerate(measured) if p is not None]
    qs = dict(zip(tested, benjamini_hochberg([measured[i][2] for i in tested]), strict=True))
    out = []
    for i, (p, ratio, pv) in enumerate(measured):
        factor, source = factor_for(rule, p.case, p.kind)
        q = qs.get(i)
        outcome = _outcome(ratio, q, factor, rule.alpha)
        repeat = None
        if outcome in (SLOWER, FASTER) and p.repeat is not None and ratio is not None:
            repeat = repeat_of(outcome, ratio, p.repeat, factor)
            outcome = outcome if repeat.verdict == BORNE_OUT else CANNOT_TELL
        comparison = PairedComparison(
            p.case, p.kind, p, factor, source, rule.alpha, ratio, pv, q, len(tested), outcome, repeat
        )
        out.append(comparison)
    return out


def judge_duet(duet: Duet, rule: Rule | None = None) -> list[PairedComparison]:
    return judge_pairs(duet.benchmarks, rule)


def settled(pairs: Pairs, comparisons: int, rule: Rule | None = None) -> bool:
    """Whether one benchmark's pairs are judged, its test at alpha / ``comparisons`` (the duet's benchmarks):
    a flag that holds at that level holds after the false-discovery control over the whole duet, since
    q <= m p. The duet command measures more pairs of a benchmark while it is not settled."""
    rule = rule or Rule()
    d = pairs.log_ratios()
    factor, _ = factor_for(rule, pairs.case, pairs.kind)
    p = signed_rank_p(d)
    return _outcome(walsh_ratio(d), None if p is None else p * comparisons, factor, rule.alpha) not in UNJUDGED


def to_repeat(pairs: Pairs, rule: Rule | None = None) -> str | None:
    """The direction (SLOWER or FASTER) in which the first pairs could flag a benchmark, whatever the
    duet's other benchmarks (its own p < alpha: q >= p), so that the duet command repeats it; else None."""
    rule = rule or Rule()
    d = pairs.log_ratios()
    factor, _ = factor_for(rule, pairs.case, pairs.kind)
    outcome = _outcome(walsh_ratio(d), signed_rank_p(d), factor, rule.alpha)
    return outcome if outcome in (SLOWER, FASTER) else None


def repeat_decided(pairs: Pairs, direction: str, rule: Rule | None = None) -> bool:
    """Whether a repeat (``pairs.repeat``) has said all it can: borne out, or not even with more pairs."""
    rule = rule or Rule()
    ratio = walsh_ratio(pairs.log_ratios())
    factor, _ = factor_for(rule, pairs.case, pairs.kind)
    if ratio is None or pairs.repeat is None:
        raise ValueError(f"{pairs.case} {pairs.kind}: no first pairs or no repeat to decide")
    return repeat_of(direction, ratio, pairs.repeat, factor).verdict != OPEN


def cannot_judge(comparisons: Sequence[Any]) -> bool:
    """Most timings not judged: the gate says so first and exits 3, never "no regression"."""
    return mostly_unjudged(sum(1 for c in comparisons if c.outcome in UNJUDGED), len(comparisons))
