"""Regression gate: compare one lstm-bench result file with a stored baseline.

Usage::

    python -m reports.gate BASELINE.json RUN.json [--noise NOISE.json] [--factor F] [--alpha 0.002]
                           [--allow-missing]
    python -m reports.gate DUET.json [--factor F] [--alpha 0.002]    # base and head timed side by side

    # per-case factors from A/A runs of one stack and profile (see python -m reports.noise --help), then gate:
    python -m reports.noise results/rot-100.json results/rot-200.json results/rot-300.json -o noise.json
    python -m reports.gate results/tf221-quick.json new.json --noise noise.json

(``python -m reports.gate calibrate`` is now ``python -m reports.noise``; it exits 2 saying so.)

Input: files written by ``pytest bench --benchmark-json FILE``, read and checked with ``lstm_cases.record.load``.
Nothing is trained and neither TensorFlow nor Keras is imported.

Exit status: 0 when nothing regressed (notes, then one "no regression" summary line); 1 when something
regressed (one line per regression, starting with ``REGRESSION`` and naming the case, the metric or
claim and by how much, then a summary line); 2 for unusable input (one line on stderr naming the file);
3 when nothing regressed but most judged timings could not be judged (within noise, cannot tell, a busy
machine): the first line says ``CANNOT JUDGE``, never "no regression".

A duet file (``python -m lstm_cases.tools.duet``: base and head timed pair by pair on one machine) is
gated alone, by the paired rule of ``reports.duet``: its timings only (a duet trains nothing).

Rules
=====

Claims and timings are judged by the one rule of ``reports.compare`` (printed below), the same rule
the report (``python -m reports``) flags by. A timing regression is SLOWER, a claim regression is
VERDICT WORSE; they set exit status 1. Only the steady-state timings (train_step, predict,
single_call) are judged; the whole-recipe timings (train, first_epoch, steady_epoch, peak_rss_mb) are
the report's to show. Speed-ups (FASTER), "within noise", "cannot tell" and other verdict changes are
notes.

Missing and mismatched input: a baseline case absent from the run, a train_step / predict /
single_call benchmark of a baseline case absent from the run, or a baseline claim absent from the run's
case is a regression ("REGRESSION ... missing in the run") unless --allow-missing, which makes it a
note. A judged timing present in one file only (older suite versions lack train_step) is a note. A
different profile, a case trained with a different recipe, or a noise file made for another profile or
stack is a MISMATCH warning, and a run made with the test-only slowdown a SLOWED warning; neither fails
the gate by itself (read any timing flag with it in mind). Cases only in the run are a note.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path

from lstm_cases.record.load import CaseRecord, InputError, Run, load_run, read_json
from lstm_cases.record.schema import GATED
from reports.command import OptionError, error
from reports.compare import (
    CANNOT_TELL,
    CHANGED,
    FASTER,
    MOVED,
    NO_RATIO,
    NO_VERDICT,
    NOISE,
    OTHER_WORK,
    RULE,
    SLOWER,
    WORSE,
    Rule,
    TimingComparison,
    compare_claim,
    compare_runs,
    missing_in_run,
    mostly_unjudged,
    ratio_text,
    recipe_diff,
    slowdown_lines,
    status_word,
)
from reports.duet import RULE as DUET_RULE
from reports.duet import Duet, PairedComparison, is_duet, judge_duet, load_duet
from reports.markdown import metric_value
from reports.noise import PROG as NOISE_PROG
from reports.noise import Noise
from reports.options import add_rule_options, rule_from_args

PROG = "python -m reports.gate"
RULES = __doc__[__doc__.index("Rules\n=====") :]


@dataclass
class Outcome:
    regressions: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # MISMATCH lines
    notes: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def count(self, key: str) -> None:
        self.counts[key] = self.counts.get(key, 0) + 1

    def missing(self, line: str, allowed: bool) -> None:
        if allowed:
            self.notes.append(f"missing (allowed by --allow-missing): {line}")
        else:
            self.regressions.append(f"REGRESSION {line}")


def _claims(case: str, base: CaseRecord, new: CaseRecord, out: Outcome) -> None:
    for cid in base.verdicts:
        out.count("claims")
        cmp = compare_claim(base, new, cid)
        if cmp is None:  # missing in the run: see missing_in_run
            continue
        if cmp.outcome == WORSE:
            rule = f"; rule: {cmp.rule_text}" if cmp.rule_text else ""
            out.regressions.append(f"REGRESSION {case} claim {cid}: {cmp.change()} ({cmp.values()}{rule})")
        elif cmp.outcome == NO_VERDICT:
            out.notes.append(f"no verdict: {case} claim {cid}: in the {'baseline' if cmp.before is None else 'run'}")
        elif cmp.outcome == CHANGED:
            out.notes.append(f"verdict changed: {case} claim {cid}: {cmp.change()} ({cmp.values()})")
        elif cmp.outcome == MOVED:
            kept = status_word(cmp.after)
            out.notes.append(f"values moved: {case} claim {cid}: verdict kept ({kept}); {cmp.values()}")
    for cid, verdict in new.verdicts.items():
        if cid not in base.verdicts:
            status = status_word(verdict.get("status"))
            out.notes.append(f"new claim: {case} claim {cid}: {status} (not in the baseline)")


def head(cmp: TimingComparison) -> str:
    """``one_char train_step: median 10 s -> 13 s (×1.30 [1.27, 1.33], +30%)``"""
    before, after = metric_value(cmp.metric, cmp.base.median), metric_value(cmp.metric, cmp.new.median)
    change = f" ({ratio_text(cmp.ratio)}, {cmp.estimate - 1:+.0%})" if cmp.estimate is not None else ""
    return f"{cmp.case} {cmp.metric}: median {before} -> {after}{change}"


def _timing(
    case: str, metric: str, base: CaseRecord, new: CaseRecord, cmp: TimingComparison | None, out: Outcome
) -> None:
    if cmp is None:
        in_base, in_run = base.samples(metric) is not None, new.samples(metric) is not None
        missing = metric in base.benches and metric not in new.benches  # listed by missing_in_run
        if (in_base or in_run) and not missing:
            out.notes.append(f"not compared: {case} {metric}: only the {'baseline' if in_base else 'run'} has it")
        return
    out.count("timings")
    if cmp.outcome in (NOISE, CANNOT_TELL, OTHER_WORK):
        out.count("unjudged")
    if cmp.outcome == OTHER_WORK:
        out.count("other_work")
        if cmp.base.plan is not None and cmp.new.plan is not None:  # a schema-1 file: one line for all
            out.notes.append(f"not compared: {case} {metric}: {cmp.evidence()}")
    elif cmp.outcome == NO_RATIO:
        out.notes.append(f"not compared: {case} {metric}: no usable median")
    elif cmp.outcome == SLOWER:
        out.regressions.append(f"REGRESSION {head(cmp)}; {cmp.evidence()}")
    elif cmp.outcome == FASTER:
        out.count("faster")
        out.notes.append(f"faster: {head(cmp)}; {cmp.evidence()}")
    elif cmp.outcome == NOISE:
        out.count("noise")
        out.notes.append(f"{cmp.judged()}: {head(cmp)}; {cmp.evidence()}")
    elif cmp.outcome == CANNOT_TELL and cmp.slower:  # a speed-up that cannot be told is not worth a line
        out.count("cannot_tell")
        out.notes.append(f"{cmp.judged()}: {head(cmp)}; {cmp.evidence()}")


def describe(run: Run) -> str:
    seeds = ",".join(str(s) for s in run.seeds) or "?"
    return f"{run.path} ({run.base_label()}, profile {run.profile}, seeds {seeds})"


def gate(
    base: Run, new: Run, rule: Rule, noise: Noise | None = None, allow_missing: bool = False, claims_only: bool = False
) -> Outcome:
    """Compare a run with the baseline by the rule; the lines to print, sorted by kind. ``claims_only``:
    the claims alone (a baseline from another machine, whose timings do not compare)."""
    out = Outcome()
    if base.profile != new.profile:
        out.warnings.append(f"MISMATCH profile: baseline {base.profile}, run {new.profile}: timings are not comparable")
    if noise is not None:
        out.warnings += noise.mismatches(base, new)
    out.warnings += slowdown_lines([base, new])
    for line in missing_in_run(base, new):
        if not (claims_only and line.endswith("benchmark missing in the run")):
            out.missing(line, allow_missing)
    timings = {} if claims_only else compare_runs(base, new, rule)
    unplanned = [run for run in (base, new) if run.schema < 2]
    if timings and unplanned:
        out.warnings.append(
            f"NOT COMPARED timings of {', '.join(str(r.path) for r in unplanned)}: schema 1, made before the "
            "plans' fingerprints, so the rounds may be other work; the claims are compared (--claims-only: claims only)"
        )
    for case, record in base.cases.items():
        out.count("cases")
        other = new.cases.get(case)
        if other is None:
            continue
        diff = recipe_diff(record, other)
        if diff:
            out.warnings.append(f"MISMATCH recipe of {case}: {diff}")
        _claims(case, record, other, out)
        for metric in () if claims_only else GATED:
            _timing(case, metric, record, other, timings.get((case, metric)), out)
    extra = [c for c in new.cases if c not in base.cases]
    if extra:
        out.notes.append(f"case(s) only in the run, not compared: {', '.join(extra)}")
    return out


def _paired_head(cmp: PairedComparison) -> str:
    before, after = metric_value(cmp.metric, cmp.base_median), metric_value(cmp.metric, cmp.head_median)
    change = f" ({cmp.estimate - 1:+.1%})" if cmp.estimate is not None else ""
    return f"{cmp.case} {cmp.metric}: median {before} -> {after}{change}"


def gate_duet(duet: Duet, rule: Rule) -> Outcome:
    """A duet's timings judged by the paired rule (``reports.duet``); the lines to print."""
    out = Outcome()
    if duet.slowdown:
        slowed = ", ".join(f"{k} x{v:g}" for k, v in duet.slowdown.items())
        out.warnings.append(f"SLOWED {duet.path}: the head side ran with the test-only slowdown ({slowed})")
    for skipped in duet.skipped:
        out.notes.append(f"not timed: {skipped.get('case')}: {skipped.get('why')}")
    for cmp in judge_duet(duet, rule):
        out.count("timings")
        if not cmp.judged_ok:
            out.count("unjudged")
        if cmp.outcome == SLOWER:
            out.regressions.append(f"REGRESSION {_paired_head(cmp)}; {cmp.evidence()}")
        elif cmp.outcome == FASTER:
            out.count("faster")
            out.notes.append(f"faster: {_paired_head(cmp)}; {cmp.evidence()}")
        elif not cmp.judged_ok:
            out.count("noise" if cmp.outcome == NOISE else "cannot_tell")
            out.notes.append(f"{cmp.judged()}: {_paired_head(cmp)}; {cmp.evidence()}")
    return out


def verdict(out: Outcome, compared: str) -> tuple[int, str]:
    """The exit status and the summary line: 1 regression, 3 most timings not judged, 0 no regression."""
    c = out.counts
    unsure = f"{c.get('cannot_tell', 0)} cannot tell, {c.get('noise', 0)} within noise, {c.get('faster', 0)} faster"
    if c.get("other_work"):
        unsure += f", {c['other_work']} not compared (other work)"
    if out.regressions:
        return 1, f"FAIL: {len(out.regressions)} regression(s); {compared}"
    timings, unjudged = c.get("timings", 0), c.get("unjudged", 0)
    if mostly_unjudged(unjudged, timings):
        return 3, f"CANNOT JUDGE: {unjudged} of {timings} judged timings could not be judged; {compared}; {unsure}"
    return 0, f"no regression: {compared}; {unsure}"


def print_outcome(head: list[str], out: Outcome, compared: str) -> int:
    """The lines, with the summary last, and first too when the gate cannot judge; the exit status."""
    status, summary = verdict(out, compared)
    for line in [*([summary] if status == 3 else []), *head, *out.warnings, *out.regressions, *out.notes, summary]:
        print(line)
    return status


# --------------------------------------------------------------------------- command line


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Compare a run with a stored baseline, or judge a duet; exit 1 on a claim or timing regression, "
        "3 when most timings could not be judged, 0 otherwise, 2 for unusable input. "
        f"`{NOISE_PROG}` writes the per-case noise factors for --noise.",
        epilog=f"{RULES}\n{RULE}\n{DUET_RULE}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "files",
        type=Path,
        nargs="+",
        metavar="FILE.json",
        help="BASELINE.json RUN.json (the stored baseline, then the result file to check), or one DUET.json",
    )
    add_rule_options(parser)
    parser.add_argument(
        "--claims-only",
        action="store_true",
        help="judge the claims alone, no timing (a baseline made on another machine: its timings do not compare)",
    )
    parser.add_argument(
        "--markdown",
        action="store_true",
        help="for a CI job summary: a duet's verdicts as a Markdown table after the lines; two runs' report in a "
        "text block",
    )
    parser.add_argument(
        "--allow-missing",
        action="store_true",
        help="baseline cases, benchmarks or claims missing in the run are notes, not regressions",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command; 0 no regression, 1 regression, 2 (one line on stderr) unusable input."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "calibrate":
        return error(PROG, f"`calibrate` moved: run `{NOISE_PROG} A1.json A2.json [...] -o NOISE.json` (same options)")
    args = _parser().parse_args(argv)  # usage errors: argparse prints usage and exits 2
    try:
        rule, noise = rule_from_args(args)
        if len(args.files) == 1:
            return _main_duet(args.files[0], rule, args.markdown)
        if len(args.files) != 2:
            raise OptionError(f"give BASELINE.json RUN.json, or one DUET.json; got {len(args.files)} files")
        for path in args.files:
            if is_duet(read_json(path, "a result file")):
                raise InputError(path, "a duet file is gated alone: python -m reports.gate DUET.json")
        base, new = load_run(args.files[0]), load_run(args.files[1])
    except (OptionError, InputError) as err:
        return error(PROG, str(err))

    out = gate(base, new, rule, noise, args.allow_missing, args.claims_only)
    head = [f"baseline: {describe(base)}", f"run:      {describe(new)}"]
    factors = f"alpha {rule.alpha:g} (false-discovery rate), factors {rule.defaults_text()}"
    if noise is not None:
        factors += f" where {noise.path} has none ({len(noise.factors)} calibrated factor(s))"
    if args.claims_only:
        head.append("rule:     claims only (--claims-only): no timing is judged")
    else:
        head.append(f"rule:     {factors}; raised to the disagreement of the runs' processes")
    c = out.counts
    compared = (
        f"{c.get('cases', 0)} case(s), {c.get('claims', 0)} claim(s), {c.get('timings', 0)} judged timing(s) compared"
    )
    if not args.markdown:
        return print_outcome(head, out, compared)
    print("```text")  # a job summary shows the report as written, line for line
    try:
        return print_outcome(head, out, compared)
    finally:
        print("```")


def _main_duet(path: Path, rule: Rule, markdown: bool) -> int:
    try:
        duet = load_duet(path)
    except InputError as err:
        return error(PROG, str(err))
    out = gate_duet(duet, rule)
    lines = [f"{name + ':':9} {side.label}, {side.python}" for name, side in duet.sides.items()]
    lines.append(f"duet:     {duet.path} (profile {duet.profile}, {duet.mode}, {len(duet.benchmarks)} benchmarks)")
    lines.append(f"rule:     paired rounds, alpha {rule.alpha:g} (false-discovery rate), factors: reports.duet")
    compared = f"{out.counts.get('timings', 0)} timing(s) of a duet compared"
    if markdown:  # the summary line first, where a reader of the job summary looks
        from reports.duet_view import verdict_table

        status, summary = verdict(out, compared)
        print(f"### Timing gate (duet): {summary}\n")
        print("```text", *lines, *out.warnings, *out.regressions, "```", sep="\n")
        print(f"\n{verdict_table(judge_duet(duet, rule))}\n")
        return status
    return print_outcome(lines, out, compared)


if __name__ == "__main__":
    sys.exit(main())
