"""The report's comparison with the baseline: the summary of what the rule found, how the rule
judges, and the per-metric and per-claim tables. All judging is ``reports.compare``'s, the same as
the gate's; this module only lays it out in Markdown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lstm_cases.record.load import BUSY_MARGIN, CaseRecord, Run
from reports.compare import (
    CANNOT_TELL,
    CHANGED,
    CONFIDENCE,
    FASTER,
    SLOWER,
    WORSE,
    ClaimComparison,
    Rule,
    TimingComparison,
    compare_claim,
    compare_runs,
    missing_in_run,
    ratio_text,
    recipe_diff,
    status_word,
)
from reports.markdown import DASH, code, median_cell, num, table
from reports.noise import Noise

TIMING_TABLES = (  # one per metric of lstm_cases.record.load.METRICS: the judged ones, then the whole-recipe ones
    ("train_step", "Training steps in steady state (median per round of k steps; judged)"),
    ("predict", "predict() over the case's inputs, steady state (median per round; judged)"),
    ("single_call", "One direct model call on one sample, steady state (median per call; judged)"),
    ("train", "Whole-recipe training per seed (one round per seed, tracing included; not judged)"),
    ("first_epoch", "First epoch per seed: tracing and compilation (median over seeds; not judged)"),
    ("steady_epoch", "Epochs after the first, per seed (median over seeds; not judged)"),
    ("peak_rss_mb", "Peak memory (RSS) per seed (median over seeds; not judged)"),
)
Comparisons = dict[str, dict[tuple[str, str], TimingComparison]]  # run label -> compare_runs(baseline, run)


def _rules_text(rule: Rule, noise: Noise | None) -> list[str]:
    factors = rule.defaults_text() + (f", or the per-case factor in `{noise.path}`" if noise is not None else "")
    return [
        "## How differences are judged",
        "",
        "By the rule of `python -m reports.gate` (module `reports.compare`): what is flagged here is what the gate "
        "would fail on (**SLOWER**, **VERDICT WORSE**) or report as a speed-up (**FASTER**), in the same words.",
        "",
        "- **Judged timings**: the steady-state benchmarks (train step, predict, single call), each timed in "
        "many rounds in several processes; each process's rounds are scaled by the baseline's same process (a "
        "difference between process roles that both runs share cancels) and pooled. Ratio = run / baseline, the "
        f"Hodges-Lehmann estimate (median of every pairwise ratio) with its {CONFIDENCE:.0%} interval. q = the "
        f"two-sided Mann-Whitney U p, adjusted by Benjamini-Hochberg over all judged timings of that run "
        f"(false-discovery rate alpha = {rule.alpha:g}). F = {factors}, raised to the disagreement of the runs' "
        "processes (each process's ratio to its baseline counterpart, largest over smallest). **SLOWER** / "
        "**FASTER** when the ratio is beyond F (or 1/F) and q < alpha; *within noise* when beyond F with q >= "
        "alpha; *cannot tell* when the rounds could never reach q < alpha, or the machine was busy (load above "
        f"its cores less {BUSY_MARGIN:g}) while the benchmark was timed.",
        "- **Whole-recipe timings** (training per seed, first epoch, later epochs, peak memory; three seeds): "
        "ratio and interval shown, never flagged.",
        "- **Claims**: **VERDICT WORSE** when pass or expected fail becomes FAIL or XPASS; other verdict changes "
        "are listed apart. The difference of the per-seed means and a two-sided Mann-Whitney U p over the "
        "per-seed values are information only.",
        "- Spread over seeds: mean, sample standard deviation (n-1), min and max of the per-seed values.",
        "",
    ]


def _claim_cell(cmp: ClaimComparison) -> str:
    judged = f"**{cmp.judged()}**" if cmp.outcome == WORSE else cmp.judged()
    return f"{judged}; {cmp.values()}"


@dataclass
class _Found:
    """What the comparison found, for the summary: bullets by kind."""

    regressions: list[str] = field(default_factory=list)
    speedups: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    cannot_tell: list[str] = field(default_factory=list)

    def summary(self) -> list[str]:
        out = ["## Summary", ""]
        if self.regressions:
            out += [f"{len(self.regressions)} regression(s), what `python -m reports.gate` would fail on:", ""]
            out += [*[f"- {line}" for line in self.regressions], ""]
        else:
            out += ["No regression: no timing **SLOWER** by the rule and no verdict worse.", ""]
        for lines, what in (
            (self.speedups, "speed-up(s), never failures"),
            (self.changes, "other verdict change(s), not for the worse"),
            (self.missing, "thing(s) of the baseline missing in a run (the gate fails on them unless --allow-missing)"),
            (self.cannot_tell, "slowdown(s) beyond the factor that these rounds cannot tell"),
        ):
            if lines:
                out += [f"{len(lines)} {what}:", "", *[f"- {line}" for line in lines], ""]
        return out


def _timing_table(runs: list[Run], cases: list[str], metric: str, found: _Found, comparisons: Comparisons) -> list[str]:
    base, others = runs[0], runs[1:]
    headers = ["case", f"{base.label} (baseline)"]
    for run in others:
        prefix = f"{run.label}: " if len(others) > 1 else ""
        headers += [run.label, f"{prefix}ratio to baseline", f"{prefix}judged"]
    rows = []
    for case in cases:
        b_record = base.cases.get(case)
        row: list[Any] = [code(case), median_cell(metric, b_record.samples(metric) if b_record else None)]
        for run in others:
            record = run.cases.get(case)
            cmp = comparisons[run.label].get((case, metric))
            if cmp is None:
                row += [median_cell(metric, record.samples(metric) if record else None), DASH, "not in both runs"]
                continue
            differs = "; **recipe differs**" if b_record and record and recipe_diff(b_record, record) else ""
            evidence = cmp.evidence()
            judged = (f"**{cmp.judged()}**" if cmp.flagged else cmp.judged()) + (f": {evidence}" if evidence else "")
            row += [median_cell(metric, cmp.new), ratio_text(cmp.ratio), judged + differs]
            line = f"`{case}` {metric}: {run.label} {ratio_text(cmp.ratio)} of baseline; {evidence}{differs}"
            if cmp.outcome == SLOWER:
                found.regressions.append(f"**SLOWER** {line}")
            elif cmp.outcome == FASTER:
                found.speedups.append(f"**FASTER** {line}")
            elif cmp.outcome == CANNOT_TELL and cmp.slower:
                found.cannot_tell.append(f"{cmp.judged()} {line}")
        rows.append(row)
    return [table(headers, rows, "lr" + "rrl" * len(others)), ""]


def _claims_table(runs: list[Run], cases: list[str], found: _Found) -> list[str]:
    base, others = runs[0], runs[1:]
    headers = ["case", "claim", "metric", f"{base.label} (baseline)"]
    for run in others:
        headers += [run.label, f"{run.label}: judged" if len(others) > 1 else "judged"]
    rows = []
    for case in cases:
        ids: list[str] = []
        for run in runs:
            if case in run.cases:
                ids += [c for c in run.cases[case].claim_ids() if c not in ids]
        b_record = base.cases.get(case)
        for claim_id in ids:
            metric = next((r.cases[case].claims.get(claim_id, {}).get("metric") for r in runs if case in r.cases), None)
            row = [code(case), code(claim_id), metric or DASH, _mean_status(b_record, claim_id)]
            for run in others:
                record = run.cases.get(case)
                cmp = compare_claim(b_record, record, claim_id) if b_record and record else None
                row += [_mean_status(record, claim_id), "not in both runs" if cmp is None else _claim_cell(cmp)]
                if cmp is not None and cmp.outcome in (WORSE, CHANGED):
                    where = f"`{case}` claim `{claim_id}`: {run.label} {cmp.change()} ({cmp.values()})"
                    if cmp.outcome == WORSE:
                        found.regressions.append(f"**VERDICT WORSE** {where}")
                    else:
                        found.changes.append(f"verdict changed {where}")
            rows.append(row)
    return [table(headers, rows) if rows else "No claims in any run.", ""]


def _comparison(runs: list[Run], cases: list[str], comparisons: Comparisons) -> tuple[list[str], list[str]]:
    """The comparison tables, and the summary of what the rule found."""
    found = _Found()
    out = ["## Comparison with the baseline", ""]
    for metric, title in TIMING_TABLES:
        if any(record.samples(metric) for run in runs for record in run.cases.values()):
            out += [f"### {title}", "", *_timing_table(runs, cases, metric, found, comparisons)]
    out += ["### Claim metrics (mean over seeds, with the verdict)", "", *_claims_table(runs, cases, found)]
    found.missing = [f"{run.label}: {line}" for run in runs[1:] for line in missing_in_run(runs[0], run)]
    return out, found.summary()


def comparisons_of(runs: list[Run], rule: Rule) -> Comparisons:
    """``compare_runs`` of every run against the first, by run label: what the gate would judge."""
    return {run.label: compare_runs(runs[0], run, rule) for run in runs[1:]}


def _mean_status(record: CaseRecord | None, claim_id: str) -> str:
    values = record.claim_values(claim_id) if record else []
    status = record.verdicts.get(claim_id, {}).get("status") if record else None
    if not values and status is None:
        return DASH
    mean = num(sum(values) / len(values)) if values else DASH
    return f"{mean} ({status_word(status)})" if status else mean


def comparison_sections(runs: list[Run], cases: list[str], rule: Rule, noise: Noise | None,
                        comparisons: Comparisons | None = None) -> list[str]:  # fmt: skip
    """Summary, how differences are judged, then the tables: runs[1:] against runs[0], the baseline."""
    comparison, summary = _comparison(runs, cases, comparisons or comparisons_of(runs, rule))
    return [*summary, *_rules_text(rule, noise), *comparison]
