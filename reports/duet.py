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
from reports.compare import CANNOT_TELL, FASTER, NOISE, SLOWER, WITHIN, Judged, Rule, mostly_unjudged

RULE = __doc__[__doc__.index("Rule\n====") :]
SIDES = ("base", "head")
# Factors per kind: what the calibration A/A duets on the 2-core machine call for
# (docs/power/duets-calibration.json, checked by tests/test_duet.py; docs/timing.md, "Duets").
DUET_FACTORS: Mapping[str, float] = {"train_step": 1.045, "predict": 1.065, "single_call": 1.035}
CONFIDENCE = 0.95
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


def _pairs(path: Path, raw: Mapping[str, Any]) -> Pairs:
    case, kind = raw.get("case"), raw.get("kind")
    if not isinstance(case, str) or kind not in GATED:
        raise InputError(path, f"a duet benchmark without a case or with kind {kind!r} (valid: {', '.join(GATED)})")
    rounds = [as_dict(r) for r in as_list(raw.get("rounds"))]
    values = {
        key: tuple(number(r.get(key)) for r in rounds) for key in ("base", "head", "base_reference", "head_reference")
    }
    if not rounds or any(v is None or v <= 0 for key in SIDES for v in values[key]):
        raise InputError(path, f"{case} {kind}: rounds without positive base and head seconds")
    first = tuple(str(r.get("first", "?")) for r in rounds)
    refs = {k: tuple(v or 0.0 for v in values[k]) for k in ("base_reference", "head_reference")}
    return Pairs(case, kind, as_dict(raw.get("plan")), values["base"], values["head"], *refs.values(), first)  # type: ignore[arg-type]


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


def signed_rank_p(d: Sequence[float]) -> float | None:
    """Two-sided Wilcoxon signed-rank p of the d's against 0 (None with fewer than two pairs)."""
    if len(d) < 2:
        return None
    if all(v == 0 for v in d):
        return 1.0
    from scipy.stats import wilcoxon

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p = float(wilcoxon(d, alternative="two-sided").pvalue)
    return p if math.isfinite(p) else None


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
        r = self.ratio
        if r is None:
            return "no ratio"
        if r.low is None or r.high is None:
            return f"×{r.estimate:.3f}"
        return f"×{r.estimate:.3f} [{r.low:.3f}, {r.high:.3f}]"

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
        if self.outcome in (SLOWER, FASTER):
            return f"{beyond} beyond factor x{self.factor:g} ({self.source}) and {test} < {self.alpha:g}"
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
        out.append(PairedComparison(p.case, p.kind, p, factor, source, rule.alpha, ratio, pv, q, len(tested), outcome))
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


def cannot_judge(comparisons: Sequence[Any]) -> bool:
    """Most timings not judged: the gate says so first and exits 3, never "no regression"."""
    return mostly_unjudged(sum(1 for c in comparisons if c.outcome in UNJUDGED), len(comparisons))
