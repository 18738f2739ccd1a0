"""The headline of a set of result files, in one place: ``python -m reports headline PATH [PATH ...]``
(the workflow's CI job summary; ``--baseline FILE`` names the run the timings are compared with)
and the timing headline of the report and ``reports.matrix``.

Verdicts (``verdicts``): one row per result file (a folder stands for the result files in it), with
its stack, profile, seeds, whether it timed anything, how many claims passed, failed, failed as
expected or passed unexpectedly, and which did not pass, case by case.

Timings (``headline``): with two or more runs, each run against the first: per run and family, the
geometric-mean ratio to the baseline with its interval, from the rule's per-case ratios
(``reports.compare.compare_runs``); then the per-case tables (steady step time, inference,
whole-recipe training, first epoch, peak memory), one column per run. This module only aggregates
and lays them out.

The subcommand prints both (the timings from two files on, judged with the rule's options) on
stdout; exit status 0, or 2 with one line on stderr when a path holds no result file or the files
do not compare. Reads results only.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lstm_cases.record.load import CaseRecord, InputError, Run, load_runs
from lstm_cases.record.schema import GATED
from lstm_cases.record.stats import Ratio, geometric_mean
from lstm_cases.record.summary import STATUSES, verdict_rows
from reports.command import error
from reports.compare import FASTER, SLOWER, TimingComparison
from reports.compare_view import Comparisons, comparisons_of
from reports.history import find_files
from reports.markdown import DASH, code, metric_value, seconds, table
from reports.options import add_rule_options, rule_from_args

PROG = "python -m reports headline"


def verdicts(runs: list[Run]) -> str:
    """The Markdown: a title, one row per run, and one line on what did not pass."""
    rows, failing = [], 0
    for run in runs:
        cases = verdict_rows(run.record)
        counts = {status: sum(row[status] for row in cases) for status in STATUSES}
        failing += counts["fail"] + counts["xpass"]
        off = [f"{code(row['case'])}: {row['not passing']}" for row in cases if row["not passing"]]
        rows.append(
            [
                code(run.path.name),
                run.base_label(),
                run.profile,
                ", ".join(map(str, run.seeds)),
                "yes" if run.has_benchmarks else "no (claims only)",
                *counts.values(),
                "; ".join(off),
            ]
        )
    headers = ["file", "stack", "profile", "seeds", "timings", *STATUSES, "not passing"]
    verdict = (
        f"**{failing} claim verdict(s) fail or pass unexpectedly.**"
        if failing
        else "Every claim holds, or fails where it is expected to."
    )
    title = f"## lstm-bench: {len(runs)} result file(s)"
    return "\n".join([title, "", table(headers, rows, "lllllrrrrl"), "", verdict, ""])


HEADLINE_METRICS = (*GATED, "train")  # the judged ones, and the whole-recipe training beside them
ALL = "all cases"


def family(record: CaseRecord | None) -> str:
    family_name = record.info.get("family") if record is not None else None
    return family_name if isinstance(family_name, str) and family_name else "?"


def pooled_ratio(comparisons: list[TimingComparison]) -> tuple[Ratio | None, int]:
    """The geometric mean of the cases' ratios, with an interval whose ends are the geometric means of
    the cases' interval ends (each case at its low end, each at its high end: a conservative interval of
    the mean); the interval is left out unless every case has one. Also how many cases it holds."""
    ratios = [c.ratio for c in comparisons if c.ratio is not None]
    estimate = geometric_mean([r.estimate for r in ratios])
    if estimate is None:
        return None, 0
    lows = [r.low for r in ratios if r.low is not None]
    highs = [r.high for r in ratios if r.high is not None]
    if len(lows) < len(ratios) or len(highs) < len(ratios):
        return Ratio(estimate, None, None), len(ratios)
    return Ratio(estimate, geometric_mean(lows), geometric_mean(highs)), len(ratios)


def headline_rows(runs: list[Run], comparisons: Comparisons) -> list[tuple[str, str, dict[str, Any]]]:
    """(run label, family or ALL, {metric: (Ratio, cases), "slower": n, "faster": n}) per row."""
    base = runs[0]
    rows = []
    for run in runs[1:]:
        found = comparisons[run.label]
        families = list(dict.fromkeys(family(base.cases.get(case)) for case, _ in found))
        for group in [*families, ALL]:
            chosen = [c for (case, _), c in found.items() if group == ALL or family(base.cases.get(case)) == group]
            cells: dict[str, Any] = {m: pooled_ratio([c for c in chosen if c.metric == m]) for m in HEADLINE_METRICS}
            cells["slower"] = sum(c.outcome == SLOWER for c in chosen)
            cells["faster"] = sum(c.outcome == FASTER for c in chosen)
            cells["cases"] = len({c.case for c in chosen})
            rows.append((run.label, group, cells))
    return rows


def _ratio_cell(cell: tuple[Ratio | None, int]) -> str:
    ratio, n = cell
    if ratio is None:
        return DASH
    interval = f" [{ratio.low:.2f}, {ratio.high:.2f}]" if ratio.low is not None and ratio.high is not None else ""
    return f"×{ratio.estimate:.2f}{interval}"


def headline(runs: list[Run], comparisons: Comparisons) -> list[str]:
    """The headline section: one row per run and family, and one over all its cases."""
    if len(runs) < 2:
        return []
    rows = []
    for label, group, cells in headline_rows(runs, comparisons):
        name = f"**{label}**" if group == ALL else label
        rows.append(
            [
                name,
                f"**{group}**" if group == ALL else group,
                cells["cases"],
                *[_ratio_cell(cells[m]) for m in HEADLINE_METRICS],
                f"{cells['slower']} / {cells['faster']}",
            ]
        )
    headers = [
        "run",
        "family",
        "cases",
        "train step",
        "predict",
        "single call",
        "whole-recipe train",
        "SLOWER / FASTER",
    ]
    return [
        f"## Headline: each run against {runs[0].label}",
        "",
        "Geometric mean over the family's cases of the rule's per-case ratio (run / baseline; below 1 is faster), "
        "with an interval whose ends are the geometric means of the cases' 95% interval ends (shown where every "
        "case has one). Train step, predict and single call are the judged steady-state timings; whole-recipe "
        "training (one round per seed, tracing included) is shown, not judged. Last column: timings flagged "
        "by the rule.",
        "",
        table(headers, rows, "llrrrrrr"),
        "",
    ]


# --------------------------------------------------------------------------- per case and run


def _median(record: CaseRecord, metric: str) -> float | None:
    samples = record.samples(metric)
    return samples.median if samples is not None else None


def _per_step(record: CaseRecord) -> str:
    """Steady training time per step: train_step median / steps per round; with the process spread."""
    bench, samples = record.benches.get("train_step"), record.samples("train_step")
    per_round = bench.units_per_round() if bench is not None else None
    if samples is None or samples.median is None or per_round is None:
        return DASH
    spread = f" (×{samples.spread:.2f})" if samples.spread is not None else ""
    return f"{seconds(samples.median / per_round[0])}{spread}"


def _steady(metric: str) -> Callable[[CaseRecord], str]:
    def cell(record: CaseRecord) -> str:
        samples = record.samples(metric)
        if samples is None:
            return DASH
        spread = f" (×{samples.spread:.2f})" if samples.spread is not None else ""
        return f"{metric_value(metric, samples.median)}{spread}"

    return cell


def _whole(metric: str) -> Callable[[CaseRecord], str]:
    return lambda record: metric_value(metric, _median(record, metric))


def _whole_per_step(record: CaseRecord) -> str:
    median, steps = _median(record, "train"), record.steps_per_seed()
    return seconds(median / steps) if median is not None and steps else DASH


TABLES: tuple[tuple[str, str, Callable[[CaseRecord], str]], ...] = (
    ("Steady training time per step", "train_step median / steps per round", _per_step),
    ("predict() in steady state", "median per round", _steady("predict")),
    ("One direct call in steady state", "median per call", _steady("single_call")),
    ("First epoch (tracing, compilation and the first epoch)", "median over seeds", _whole("first_epoch")),
    ("Whole-recipe training per seed", "median over seeds", _whole("train")),
    ("Whole-recipe training per step", "whole-recipe median / (epochs × batches)", _whole_per_step),
    ("Peak memory (RSS) of a seed's training", "median over seeds", _whole("peak_rss_mb")),
)


def per_case_tables(runs: list[Run], cases: list[str]) -> list[str]:
    """One table per quantity: a row per case, a column per run (steady values with their spread)."""
    out = [
        "## Timings per case and run",
        "",
        "Steady state: a freshly built model, warmed, timed in rounds of fixed work in every timing process; "
        "(×s) is the between-process spread, the largest process median over the smallest. Whole recipe: one "
        "timed training run per seed (the first epoch holds the tracing and compilation).",
        "",
    ]
    for title, how, cell in TABLES:
        rows = []
        for case in cases:
            cells = [cell(run.cases[case]) if case in run.cases else DASH for run in runs]
            if any(c != DASH for c in cells):
                rows.append([code(case), *cells])
        if rows:
            out += [f"### {title} ({how})", "", table(["case", *[r.label for r in runs]], rows, "l" + "r" * len(runs))]
            out.append("")
    return out if len(out) > 5 else []


def spread_summary(runs: list[Run]) -> list[str]:
    """One line per run: the median and largest between-process spread of its steady-state benchmarks."""
    lines = []
    for run in runs:
        spreads = [
            s.spread
            for record in run.cases.values()
            for metric in GATED
            if (s := record.samples(metric)) is not None and s.spread is not None
        ]
        if spreads:
            worst = max(spreads)
            lines.append(
                f"{run.label}: between-process spread of its {len(spreads)} steady-state benchmarks: median "
                f"×{statistics.median(spreads):.3f}, largest ×{worst:.3f}"
                + (" (above ×1.10: that machine was noisy)" if worst > 1.1 and not math.isnan(worst) else "")
            )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog=PROG, description="verdicts per result file; from two files on, timings against the first (Markdown)"
    )
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="result files, or folders of them")
    parser.add_argument(
        "--baseline", type=Path, metavar="FILE", help="the run the timings are compared with (default: the first file)"
    )
    add_rule_options(parser)
    args = parser.parse_args(argv)
    files = find_files(args.paths)
    if not files:
        return error(PROG, f"{', '.join(map(str, args.paths))}: no result file")
    if args.baseline is not None:  # first, named: not whichever file sorts first
        if not args.baseline.is_file():
            return error(PROG, f"--baseline {args.baseline}: no such file")
        files = [args.baseline, *(f for f in files if f.resolve() != args.baseline.resolve())]
    try:
        runs = load_runs(files)
        timings = headline(runs, comparisons_of(runs, rule_from_args(args)[0])) if len(runs) > 1 else []
    except (InputError, ValueError) as err:
        return error(PROG, str(err))
    print(verdicts(runs))
    if len(runs) > 1:
        print(f"\nTimings against the baseline {files[0]} ({runs[0].label}).\n")
    if timings:
        print("\n".join(timings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
