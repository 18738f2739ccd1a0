"""The report's comparison with the baseline: the summary of what the rule found, how the rule
judges, and the per-metric and per-claim tables. All judging is ``reports.compare``'s, the same as
the gate's; this module only lays it out in Markdown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reports.compare import (
    CANNOT_TELL,
    CHANGED,
    FASTER,
    SLOWER,
    WORSE,
    ClaimComparison,
    Rule,
    compare_claim,
    compare_timing,
    missing_in_run,
    recipe_diff,
    rounds_needed,
    status_word,
)
from reports.load import CaseRecord, Run
from reports.markdown import DASH, code, median_cell, num, ratio, table
from reports.noise import Noise
from reports.stats import min_two_sided_p

TIMING_TABLES = (  # one per metric of reports.load.METRICS
    ("train", "Training time per seed (median of the rounds; one round = one seed's full training run)"),
    ("predict", "predict() over the case's inputs (median per call)"),
    ("single_call", "One direct model call on one sample (median per call)"),
    ("first_epoch", "First epoch per seed: tracing and compilation (median over seeds)"),
    ("peak_rss_mb", "Peak memory (RSS) per seed (median over seeds)"),
)


def _rules_text(runs: list[Run], rule: Rule, noise: Noise | None) -> list[str]:
    f, a = rule.factor, rule.alpha
    factor = f"F = {f:g}" + (f" or the per-case factor calibrated in `{noise.path}`" if noise is not None else "")
    out = [
        "## How differences are judged",
        "",
        "By the rule of `python -m reports.gate` (module `reports.compare`): what is flagged here is what the gate "
        "would fail on (**SLOWER**, **VERDICT WORSE**) or report as a speed-up (**FASTER**), in the same words.",
        "",
        f"- **Timings** (train, predict, single call, and first epoch and peak RSS where both files have them): "
        f"r = median(run) / median(baseline) of the raw samples; {factor}; alpha = {a:g}. Between 1/F and F: "
        f"*within factor*. Beyond, when the rounds can reach p < alpha (the exact Mann-Whitney U test's smallest "
        f"two-sided p is 2 / C(n1+n2, n1): 0.1 for 3 vs 3 rounds, 0.0022 for 6 vs 6, 0.00058 for 7 vs 7): "
        f"**SLOWER** or **FASTER** when the two-sided Mann-Whitney U p < {a:g}, else *within noise*. When they "
        f"cannot, or a file has no per-round data: **SLOWER** or **FASTER** on the ratio alone beyond 2F "
        f"(or 1/(2F)), else *cannot tell with N rounds*.",
        "- **Claims**: **VERDICT WORSE** when pass or expected fail becomes FAIL or XPASS; other verdict changes "
        "are listed apart. The difference of the per-seed means and a two-sided Mann-Whitney U p over the "
        "per-seed values are information only.",
        "- Spread over seeds: mean, sample standard deviation (n-1), min and max of the per-seed values.",
    ]
    train_rounds = [n for r in runs for c in r.cases.values() if c.train is not None and (n := c.train.rounds)]
    if train_rounds and min_two_sided_p(min(train_rounds), min(train_rounds)) >= a:
        needed = rounds_needed(a)
        out.append(
            f"- Training has one round per seed ({min(train_rounds)} here): the test cannot reach p < {a:g} with "
            f"fewer than {needed} rounds a side, so a training-time difference is flagged only on the ratio alone "
            f"(beyond ×{2 * f:.2f}). Run with `--seeds {needed}` or more to make it testable."
        )
    return [*out, ""]


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


def _timing_table(runs: list[Run], cases: list[str], metric: str, rule: Rule, found: _Found) -> list[str]:
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
            cmp = compare_timing(b_record, record, metric, rule) if b_record and record else None
            if cmp is None:
                row += [median_cell(metric, record.samples(metric) if record else None), DASH, "not in both runs"]
                continue
            differs = "; **recipe differs**" if recipe_diff(b_record, record) else ""
            evidence = cmp.evidence()
            judged = (f"**{cmp.judged()}**" if cmp.flagged else cmp.judged()) + (f": {evidence}" if evidence else "")
            row += [median_cell(metric, cmp.new), ratio(cmp.ratio), judged + differs]
            line = f"`{case}` {metric}: {run.label} {ratio(cmp.ratio)} of baseline; {evidence}{differs}"
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


def _comparison(runs: list[Run], cases: list[str], rule: Rule) -> tuple[list[str], list[str]]:
    """The comparison tables, and the summary of what the rule found."""
    found = _Found()
    out = ["## Comparison with the baseline", ""]
    for metric, title in TIMING_TABLES:
        if any(record.samples(metric) for run in runs for record in run.cases.values()):
            out += [f"### {title}", "", *_timing_table(runs, cases, metric, rule, found)]
    out += ["### Claim metrics (mean over seeds, with the verdict)", "", *_claims_table(runs, cases, found)]
    found.missing = [f"{run.label}: {line}" for run in runs[1:] for line in missing_in_run(runs[0], run)]
    return out, found.summary()


def _mean_status(record: CaseRecord | None, claim_id: str) -> str:
    values = record.claim_values(claim_id) if record else []
    status = record.verdicts.get(claim_id, {}).get("status") if record else None
    if not values and status is None:
        return DASH
    mean = num(sum(values) / len(values)) if values else DASH
    return f"{mean} ({status_word(status)})" if status else mean


def comparison_sections(runs: list[Run], cases: list[str], rule: Rule, noise: Noise | None) -> list[str]:
    """Summary, how differences are judged, then the tables: runs[1:] against runs[0], the baseline."""
    comparison, summary = _comparison(runs, cases, rule)
    return [*summary, *_rules_text(runs, rule, noise), *comparison]
