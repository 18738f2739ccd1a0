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
  4. Process pairs. Pairs cancel the machine's drift, not what sets one process apart from another of
     the same installation (a process can run one benchmark a few percent, rarely a third, slower or
     faster throughout). So every benchmark is timed by two pairs of processes (one base and one head
     process each), their pairs of rounds alternating, and the rule above runs on the pairs of both
     pooled. A flag stands only where every process pair bears it out on its own: its pairs lie beyond
     sqrt(F) in the flag's direction (one-sided signed-rank p < AGREE_ALPHA of d_i - log sqrt(F));
     otherwise the benchmark is "cannot tell: the process pairs disagree". Where two process pairs
     disagree with each other (rank-sum p < AGREE_ALPHA between their d's, and their estimates apart
     by more than sqrt(F)), the duet command times a third; with three, the rule judges the two whose
     estimates lie closest together, so that one process's offset can neither raise a flag nor hide a
     change. A duet timed by one process pair (--process-pairs 1) is judged by 1-3 alone and says so;
     so is a benchmark of an older duet that its repeat (a second process pair timed only for what the
     first could flag) did not reach.

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
from itertools import combinations
from pathlib import Path
from typing import Any, ClassVar

from lstm_cases.record.load import InputError, as_dict, as_list, number, read_json, record_of, stack_label
from lstm_cases.record.schema import DUET, GATED, KEY
from lstm_cases.record.stats import Ratio, benjamini_hochberg
from reports.compare import CANNOT_TELL, FASTER, NOISE, SLOWER, WITHIN, Judged, Rule, mostly_unjudged, ratio_text

RULE = __doc__[__doc__.index("Rule\n====") :]
SIDES = ("base", "head")
# Factors per kind: what the calibration A/A duets on the 2-core machine call for
# (docs/power/duets-pairs-calibration.json, checked by tests/test_duet.py; docs/timing.md, "Process pairs").
DUET_FACTORS: Mapping[str, float] = {"train_step": 1.03, "predict": 1.03, "single_call": 1.03}
CONFIDENCE = 0.95
# Rule 4's tests between process pairs: they ask only whether processes agree; the duet-wide
# false-discovery control already holds for the flag they are asked about.
AGREE_ALPHA = 0.05
MOST_PROCESS_PAIRS = 3  # a third is timed only where two disagree
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
    """One benchmark of a duet: its plan and its pairs of rounds (seconds), in the order timed, with the
    process pair that timed each (0, 1, 2; rule 4)."""

    case: str
    kind: str
    plan: dict[str, Any]
    base: tuple[float, ...]
    head: tuple[float, ...]
    base_reference: tuple[float, ...]
    head_reference: tuple[float, ...]
    first: tuple[str, ...]  # which side timed first in each pair
    process: tuple[int, ...] = ()  # the process pair of each pair; empty: all the first
    # the per-pair columns, in constructor order after the plan
    COLUMNS: ClassVar[tuple[str, ...]] = ("base", "head", "base_reference", "head_reference", "first")

    @property
    def n(self) -> int:
        return len(self.base)

    def log_ratios(self) -> list[float]:
        return [math.log(h / b) for b, h in zip(self.base, self.head, strict=True)]

    def processes(self) -> list[Pairs]:
        """One Pairs per process pair, in the order of their index."""
        of = self.process or (0,) * self.n
        out = []
        for k in sorted(set(of)):
            keep = [i for i, j in enumerate(of) if j == k]

            picked = {c: tuple(getattr(self, c)[i] for i in keep) for c in self.COLUMNS}
            out.append(Pairs(self.case, self.kind, self.plan, **picked, process=(k,) * len(keep)))
        return out

    def joined(self, other: Pairs) -> Pairs:
        """These pairs followed by ``other``'s (another process pair's, or more of the same)."""
        own = self.process or (0,) * self.n
        theirs = other.process or (0,) * other.n
        joined = {c: getattr(self, c) + getattr(other, c) for c in self.COLUMNS}
        return Pairs(self.case, self.kind, self.plan, **joined, process=own + theirs)


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


def _pairs(path: Path, raw: Mapping[str, Any], rounds_key: str = "rounds", process: int = 0) -> Pairs:
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
    processes = tuple(r.get("process", process) for r in rounds)
    if any(not isinstance(k, int) or not 0 <= k < MOST_PROCESS_PAIRS for k in processes):
        raise InputError(path, f"{case} {kind}: a round's process pair is not 0-{MOST_PROCESS_PAIRS - 1}")
    refs = {k: tuple(v or 0.0 for v in values[k]) for k in ("base_reference", "head_reference")}
    plan = as_dict(raw.get("plan"))
    pairs = Pairs(case, kind, plan, values["base"], values["head"], *refs.values(), first, processes)  # type: ignore[arg-type]
    if rounds_key == "rounds" and raw.get("repeat_rounds"):  # an older duet's repeat: a second process pair
        pairs = pairs.joined(_pairs(path, raw, "repeat_rounds", 1))
    return pairs


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
class ProcessPair:
    """Rule 4 for one process pair of a benchmark: its own estimate, and whether it bears out a flag."""

    index: int
    pairs: int
    ratio: Ratio | None
    kept: bool  # judged (with three, the two whose estimates lie closest together)
    p: float | None = None  # one-sided signed-rank p beyond sqrt(F) in the flag's direction, where flagged

    @property
    def bears_out(self) -> bool:
        return self.p is not None and self.p < AGREE_ALPHA

    def describe(self) -> str:
        own = f"process pair {self.index + 1}: {_interval_text(self.ratio)} over {self.pairs} pairs"
        if not self.kept:
            return f"{own} (set aside: the other two agree more closely)"
        if self.p is None:
            return own
        agrees = "bears it out" if self.bears_out else "does not bear it out"
        return f"{own}, beyond half the factor with one-sided p={self.p:.2g} ({agrees})"


def kept_processes(pairs: Pairs) -> list[Pairs]:
    """The process pairs rule 4 judges: all of one or two; of three, the two whose estimates lie closest."""
    groups = pairs.processes()
    if len(groups) <= 2:
        return groups
    logs = [math.log(r.estimate) if (r := walsh_ratio(g.log_ratios())) else math.inf for g in groups]
    i, j = min(combinations(range(len(groups)), 2), key=lambda ij: abs(logs[ij[0]] - logs[ij[1]]))
    return [groups[i], groups[j]]


def agreement(pairs: Pairs, direction: str | None, factor: float) -> tuple[ProcessPair, ...]:
    """Each process pair's own estimate; where ``direction`` is a flag, whether each kept one bears it out."""
    kept = {g.process[0] for g in kept_processes(pairs)}
    out = []
    for g in pairs.processes():
        d, p = g.log_ratios(), None
        if direction is not None and g.process[0] in kept:
            half = math.log(factor) / 2 * (1 if direction == SLOWER else -1)
            p = signed_rank_p([v - half for v in d], "greater" if direction == SLOWER else "less")
        out.append(ProcessPair(g.process[0], g.n, walsh_ratio(d), g.process[0] in kept, p))
    return tuple(out)


def processes_disagree(pairs: Pairs, rule: Rule | None = None) -> bool:
    """Whether two process pairs' pairs differ beyond chance and by more than half the factor: one of them
    carries an offset, and a third process pair is called for (rule 4)."""
    rule = rule or Rule()
    groups = pairs.processes()
    if len(groups) != 2 or min(g.n for g in groups) < 2:
        return False
    from scipy.stats import mannwhitneyu

    factor, _ = factor_for(rule, pairs.case, pairs.kind)
    a, b = (g.log_ratios() for g in groups)
    ra, rb = walsh_ratio(a), walsh_ratio(b)
    apart = ra is not None and rb is not None and abs(math.log(ra.estimate / rb.estimate)) > math.log(factor) / 2
    return apart and float(mannwhitneyu(a, b).pvalue) < AGREE_ALPHA


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
    processes: tuple[ProcessPair, ...] = ()  # rule 4: each process pair on its own

    @property
    def judged_ok(self) -> bool:
        """Judged at all: not "within noise" or "cannot tell"."""
        return self.outcome not in UNJUDGED

    @property
    def disagree(self) -> bool:
        """Flagged by the pooled pairs, but not borne out by every judged process pair (rule 4)."""
        return any(p.kept and p.p is not None and not p.bears_out for p in self.processes)

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
        if self.disagree:
            return "cannot tell: the process pairs disagree"
        return "within noise" if self.outcome == NOISE else "cannot tell"

    def evidence(self) -> str:
        q = "—" if self.q is None else f"{self.q:.2g}"
        kept = sum(p.pairs for p in self.processes if p.kept) or self.pairs.n
        test = f"q={q} (Wilcoxon signed-rank over {kept} pairs, {self.comparisons} judged benchmarks)"
        beyond = f"head/base {self._interval()}"
        if len(self.processes) > 1:
            each = "; ".join(p.describe() for p in self.processes)
        else:
            each = "one process pair: a flag not borne out by another"
        if self.outcome in (SLOWER, FASTER) or self.disagree:
            return f"{beyond} beyond factor x{self.factor:g} ({self.source}) and {test} < {self.alpha:g}; {each}"
        if self.outcome == WITHIN:
            return f"{beyond}: the interval lies within x{self.factor:g} ({self.source}); {each}"
        if self.outcome == NOISE:
            return f"{beyond} beyond x{self.factor:g} ({self.source}) but {test} >= {self.alpha:g}; {each}"
        return f"{beyond}: the interval reaches beyond x{self.factor:g} ({self.source}); {test}; {each}"

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


def _pooled(pairs: Pairs) -> list[float]:
    return [d for g in kept_processes(pairs) for d in g.log_ratios()]


def _judge_one(
    pairs: Pairs, ratio: Ratio | None, q: float | None, factor: float, alpha: float
) -> tuple[str, tuple[ProcessPair, ...]]:
    """Rules 1-4 for one benchmark whose pooled pairs gave ``ratio`` and ``q``: its outcome and process pairs."""
    outcome = _outcome(ratio, q, factor, alpha)
    flag = outcome if outcome in (SLOWER, FASTER) else None
    processes = agreement(pairs, flag, factor)
    if flag and len(processes) > 1 and not all(p.bears_out for p in processes if p.kept):
        outcome = CANNOT_TELL
    return outcome, processes


def judge_pairs(pairs: Sequence[Pairs], rule: Rule | None = None) -> list[PairedComparison]:
    """Every benchmark of a duet, judged together (the false-discovery control runs over all of them)."""
    rule = rule or Rule()
    pooled = [(p, _pooled(p)) for p in pairs]
    measured = [(p, walsh_ratio(d), signed_rank_p(d)) for p, d in pooled]
    tested = [i for i, (_, _, p) in enumerate(measured) if p is not None]
    qs = dict(zip(tested, benjamini_hochberg([measured[i][2] for i in tested]), strict=True))
    out = []
    for i, (p, ratio, pv) in enumerate(measured):
        factor, source = factor_for(rule, p.case, p.kind)
        q = qs.get(i)
        outcome, processes = _judge_one(p, ratio, q, factor, rule.alpha)
        out.append(
            PairedComparison(
                p.case, p.kind, p, factor, source, rule.alpha, ratio, pv, q, len(tested), outcome, processes
            )
        )
    return out


def judge_duet(duet: Duet, rule: Rule | None = None) -> list[PairedComparison]:
    return judge_pairs(duet.benchmarks, rule)


def settled(pairs: Pairs, comparisons: int, rule: Rule | None = None) -> bool:
    """Whether one benchmark's pairs are judged, its test at alpha / ``comparisons`` (the duet's benchmarks):
    a flag that holds at that level holds after the false-discovery control over the whole duet, since
    q <= m p. The duet command measures more pairs of a benchmark while it is not settled."""
    rule = rule or Rule()
    factor, _ = factor_for(rule, pairs.case, pairs.kind)
    d = _pooled(pairs)
    p = signed_rank_p(d)
    return (
        _judge_one(pairs, walsh_ratio(d), None if p is None else p * comparisons, factor, rule.alpha)[0] not in UNJUDGED
    )


def cannot_judge(comparisons: Sequence[Any]) -> bool:
    """Most timings not judged: the gate says so first and exits 3, never "no regression"."""
    return mostly_unjudged(sum(1 for c in comparisons if c.outcome in UNJUDGED), len(comparisons))
