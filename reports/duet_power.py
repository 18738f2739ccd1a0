"""Detection power of the paired rule on real duets (``python -m reports.power --duets``): false
alarms on A/A duets (both sides the same installation), detection of slowdowns put on the head side
(``--slow-head``), and the duets' wall time. The runs come from docs/duet-study.sh.

Every benchmark of an A/A duet that the rule flags (SLOWER or FASTER) is a false alarm; a slowed
duet's benchmarks of a slowed kind count as detected when flagged SLOWER, its other benchmarks flagged
either way are false alarms. Each duet is judged on its own, as the gate judges it (the
false-discovery control over its benchmarks), by ``reports.duet``'s rule with the same options.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from lstm_cases.record.schema import GATED
from lstm_cases.record.stats import Tally
from reports.compare import FASTER, SLOWER, Rule
from reports.duet import DUET_FACTORS, Duet, cannot_judge, judge_duet
from reports.markdown import code, table

# The duet issue's goals: the share of slowed benchmarks flagged SLOWER, per kind.
GOALS = {1.05: ">= 50%", 1.1: ">= 90%", 1.2: "100%", 1.5: "100%"}


@dataclass
class DuetStudy:
    aa_flags: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    aa_worst: dict[str, float] = field(default_factory=dict)  # largest A/A ratio either way, per kind
    aa_unjudged: Tally = field(default_factory=Tally)
    aa_gate: Tally = field(default_factory=Tally)  # A/A duets the gate fails
    aa_cannot: Tally = field(default_factory=Tally)  # A/A duets the gate cannot judge
    detected: dict[tuple[str, float], Tally] = field(default_factory=lambda: defaultdict(Tally))
    gate_fails: dict[tuple[str, float], Tally] = field(default_factory=lambda: defaultdict(Tally))
    slowed_false: Tally = field(default_factory=Tally)
    third: Tally = field(default_factory=Tally)  # A/A benchmarks timed by a third process pair (rule 4)
    stopped: Tally = field(default_factory=Tally)  # A/A flags of rules 1-3 that a process pair did not bear out
    lost: Tally = field(default_factory=Tally)  # slowed benchmarks' flags that a process pair did not bear out
    walls: list[float] = field(default_factory=list)
    pairs: list[int] = field(default_factory=list)


def _where(duet: Duet, cmp: object) -> str:
    return f"{duet.path.rsplit('/', 1)[-1]}: {cmp.case} {cmp.metric} {cmp.describe()}"  # type: ignore[attr-defined]


def tally(aa: list[Duet], slowed: list[Duet], rule: Rule) -> DuetStudy:
    study = DuetStudy()
    for duet in [*aa, *slowed]:
        wall = duet.settings.get("wall_seconds")
        if isinstance(wall, (int, float)):
            study.walls.append(float(wall))
        study.pairs += [p.n for p in duet.benchmarks]
    for duet in aa:
        judged = judge_duet(duet, rule)
        for cmp in judged:
            study.aa_flags[cmp.metric].add(cmp.flagged, _where(duet, cmp))
            study.aa_unjudged.add(not cmp.judged_ok, _where(duet, cmp))
            study.third.add(len(cmp.processes) > 2, _where(duet, cmp))
            if cmp.flagged or cmp.disagree:
                study.stopped.add(cmp.disagree, _where(duet, cmp))
            if cmp.estimate is not None:
                worst = study.aa_worst.get(cmp.metric, 1.0)
                study.aa_worst[cmp.metric] = max(worst, cmp.estimate, 1 / cmp.estimate)
        study.aa_gate.add(any(c.outcome == SLOWER for c in judged), duet.path)
        study.aa_cannot.add(cannot_judge(judged), duet.path)
    for duet in slowed:
        judged = judge_duet(duet, rule)
        failed = any(c.outcome == SLOWER for c in judged)
        for key in {(kind, factor) for kind, factor in duet.slowdown.items()}:
            study.gate_fails[key].add(failed, duet.path)
        for cmp in judged:
            factor = duet.slowdown.get(cmp.metric)
            if factor is None:
                study.slowed_false.add(cmp.outcome in (SLOWER, FASTER), _where(duet, cmp))
            else:
                study.detected[(cmp.metric, factor)].add(cmp.outcome == SLOWER, _where(duet, cmp))
                if cmp.flagged or cmp.disagree:
                    study.lost.add(cmp.disagree, _where(duet, cmp))
    return study


def render(study: DuetStudy, aa: list[Duet], slowed: list[Duet], rule: Rule, command: str) -> str:
    first = (aa or slowed)[0]
    aa_all = Tally(
        [w for c in study.aa_flags.values() for w in c.hits], [w for c in study.aa_flags.values() for w in c.misses]
    )
    rows = [
        ["A/A: benchmarks flagged (false alarms)", f"{len(aa)} duets", aa_all.compared, aa_all.flagged, aa_all.rate,
         "0"],
        ["A/A: duets the gate fails", "", study.aa_gate.compared, study.aa_gate.flagged, study.aa_gate.rate, "0"],
        ["A/A: duets the gate cannot judge (exit 3)", "", study.aa_cannot.compared, study.aa_cannot.flagged,
         study.aa_cannot.rate, "0"],
        ["A/A: benchmarks not judged (within noise, cannot tell)", "", study.aa_unjudged.compared,
         study.aa_unjudged.flagged, study.aa_unjudged.rate, ""],
    ]  # fmt: skip
    rows += [
        [f"A/A: {kind} flagged (largest ratio either way ×{study.aa_worst.get(kind, 1):.3f})", "", c.compared,
         c.flagged, c.rate, "0"]
        for kind, c in sorted(study.aa_flags.items(), key=lambda kv: GATED.index(kv[0]))
    ]  # fmt: skip
    for (kind, factor), c in sorted(study.detected.items(), key=lambda kv: (GATED.index(kv[0][0]), kv[0][1])):
        n_duets = sum(1 for d in slowed if d.slowdown.get(kind) == factor)
        goal = GOALS.get(round(factor, 2), "")
        rows.append([f"{kind} +{factor - 1:.0%}: benchmarks flagged SLOWER", f"{n_duets} duet(s)", c.compared,
                     c.flagged, c.rate, goal])  # fmt: skip
    for (kind, factor), c in sorted(study.gate_fails.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        goal = "all" if factor >= 1.1 else ""
        rows.append([f"slowed {kind} +{factor - 1:.0%}: duets the gate fails", "", c.compared, c.flagged, c.rate, goal])
    if study.third.compared:  # rule 4: what the process pairs did
        rows += [
            ["A/A: benchmarks timed by a third process pair (rule 4)", "", study.third.compared,
             study.third.flagged, study.third.rate, ""],
            ["A/A: flags of rules 1-3 a process pair did not bear out (false alarms stopped)", "",
             study.stopped.compared, study.stopped.flagged, study.stopped.rate, ""],
        ]  # fmt: skip
    if study.lost.compared:
        rows.append(["slowed benchmarks: flags a process pair did not bear out (detections lost)", "",
                     study.lost.compared, study.lost.flagged, study.lost.rate, "0"])  # fmt: skip
    if study.slowed_false.compared:
        c = study.slowed_false
        rows.append(
            ["slowed duets: unslowed benchmarks flagged (false alarms)", "", c.compared, c.flagged, c.rate, "0"]
        )
    factors = ", ".join(
        f"{k} x{rule.factors[k]:g}" if rule.source == "--factor" else f"{k} x{DUET_FACTORS[k]:g}" for k in GATED
    )
    walls = study.walls
    wall = (
        f"Wall time per duet: median {statistics.median(walls):.0f} s (range {min(walls):.0f}-{max(walls):.0f} s); "
        if walls
        else ""
    )
    n = study.pairs
    pairs = f"pairs per benchmark: median {statistics.median(n):g}, range {min(n)}-{max(n)}." if n else ""
    stack = first.sides["head"].label
    out = [
        f"Generated by `{command}`.",
        "",
        f"Duets: {stack}, profile {first.profile}, {first.mode}. Rule: paired rounds (reports.duet), factors "
        f"{factors}{' (or calibrated)' if rule.calibrated else ''}; false-discovery rate {rule.alpha:g}.",
        "",
        table(["check", "duets", "compared", "flagged", "rate", "goal"], rows, "llrrrl"),
        "",
        wall + pairs,
        "",
    ]
    alarms = aa_all.hits + study.slowed_false.hits
    if alarms:
        out += [f"False alarms ({len(alarms)}):", "", *[f"- {code(w)}" for w in alarms[:50]], ""]
    not_borne_out = study.stopped.hits + study.lost.hits
    if not_borne_out:
        out += [f"Flags a process pair did not bear out ({len(not_borne_out)}):", "",
                *[f"- {code(w)}" for w in not_borne_out[:50]], ""]  # fmt: skip
    missed = [w for (_, factor), c in study.detected.items() if factor >= 1.1 for w in c.misses]
    if missed:
        out += [f"Slowdowns of 10% or more not flagged ({len(missed)}):", "", *[f"- {code(w)}" for w in missed[:60]]]
        out.append("")
    return "\n".join(out)


FLOOR, STEP = 1.03, 0.005  # the calibrated factor: at least x1.03, rounded up to the next 0.005


def calibrated_factors(aa: list[Duet], rule: Rule | None = None) -> dict[str, float]:
    """Per kind, the factor the A/A duets call for: the largest head/base ratio either way among the
    benchmarks whose test finds a difference (q < alpha: the ones a factor must keep from being flagged;
    q does not depend on the factor), rounded up to the next STEP, at least FLOOR (how DUET_FACTORS were
    set; docs/timing.md says how this rule came to be)."""
    rule = rule or Rule()
    worst: dict[str, float] = {}
    for duet in aa:
        for cmp in judge_duet(duet, rule):
            worst.setdefault(cmp.metric, 1.0)
            if cmp.estimate is not None and cmp.q is not None and cmp.q < rule.alpha:
                worst[cmp.metric] = max(worst[cmp.metric], cmp.estimate, 1 / cmp.estimate)
    return {kind: max(FLOOR, round(math.ceil(w / STEP - 1e-9) * STEP, 3)) for kind, w in worst.items()}


def summary(aa: list[Duet], slowed: list[Duet], rule: Rule) -> dict[str, Any]:
    """Every benchmark of every duet as judged (estimate, interval, q, pairs, outcome): the study's data,
    small enough to keep beside the table."""

    def rows(duet: Duet) -> list[dict[str, Any]]:
        return [
            {
                "case": c.case,
                "kind": c.metric,
                "estimate": round(c.estimate, 5) if c.estimate is not None else None,
                "low": round(c.ratio.low, 5) if c.ratio and c.ratio.low is not None else None,
                "high": round(c.ratio.high, 5) if c.ratio and c.ratio.high is not None else None,
                "q": c.q,
                "pairs": c.pairs.n,
                "outcome": c.outcome,
                "process_pairs": [round(p.ratio.estimate, 5) if p.ratio else None for p in c.processes],
                "disagree": c.disagree,
            }
            for c in judge_duet(duet, rule)
        ]

    return {
        "format": "lstm-bench-duet-study/1",
        "aa": {d.path.rsplit("/", 1)[-1]: {"wall_seconds": d.settings.get("wall_seconds"), "benchmarks": rows(d)}
               for d in aa},
        "slowed": {d.path.rsplit("/", 1)[-1]: {"slowdown": d.slowdown, "wall_seconds": d.settings.get("wall_seconds"),
                                               "benchmarks": rows(d)} for d in slowed},
        "alpha": rule.alpha,
        "calibrated_factors": calibrated_factors(aa, rule),
    }  # fmt: skip
