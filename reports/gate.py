"""Regression gate: compare one lstm-bench result file with a stored baseline.

Usage::

    python -m reports.gate BASELINE.json RUN.json [--noise NOISE.json] [--factor 1.1] [--alpha 0.002]
                           [--allow-missing]

    # per-case factors from A/A runs of one stack and profile (see python -m reports.noise --help), then gate:
    python -m reports.noise results/rot-100.json results/rot-200.json results/rot-300.json -o noise.json
    python -m reports.gate results/tf221-quick.json new.json --noise noise.json

(``python -m reports.gate calibrate`` is now ``python -m reports.noise``; it exits 2 saying so.)

Input: files written by ``pytest bench --benchmark-json FILE``, read and checked with ``reports.load``.
Nothing is trained and neither TensorFlow nor Keras is imported.

Exit status: 0 when nothing regressed (notes, then one "no regression" summary line); 1 when something
regressed (one line per regression, starting with ``REGRESSION`` and naming the case, the metric or
claim and by how much, then a summary line); 2 for unusable input (one line on stderr naming the file).

Rules
=====

Claims: for every claim of every baseline case, a regression is a verdict that goes from pass or xfail
in the baseline to fail or xpass in the run. Any other verdict change (fail -> pass, pass -> xfail, ...)
is a note. A claim that kept its verdict but whose per-seed values changed is a note (mean before ->
after, Mann-Whitney p), never a failure.

Timings: per case, the metrics train (seconds per seed: stats.data of the train benchmark), predict and
single_call (seconds per round) and, where both files carry them, first_epoch (first_epoch_seconds per
seed: tracing and compilation) and peak_rss_mb (per seed). Higher is worse for every one.
r = median(run) / median(baseline) of the raw samples; F = the factor of (case, metric) in the --noise
file, else --factor (default 1.1, as asv compare); alpha = --alpha (default 0.002, as asv compare);
"the rounds can reach alpha" means the smallest two-sided p of the exact Mann-Whitney U test,
2 / C(n1 + n2, n1), is below alpha (3 vs 3 rounds: 0.1; 6 vs 6: 0.0022; 7 vs 7: 0.00058).
  1. r <= F: no regression.
  2. r > F and the rounds can reach alpha: a regression when the two-sided Mann-Whitney U p of the raw
     samples is below alpha (BOTH conditions); otherwise "within noise" (a note).
  3. r > F and the rounds can never reach alpha, or a file has only a median (no per-round samples):
     a regression on the ratio alone when r > 2 * F, and the line says "ratio alone"; otherwise
     "cannot tell with N rounds" (a note; the exit status is unchanged).
  Speed-ups (r < 1 / F) go through the same rules and are notes, never failures.

Missing and mismatched input: a baseline case absent from the run, a train / predict / single_call
benchmark of a baseline case absent from the run, or a baseline claim absent from the run's case is a
regression ("REGRESSION ... missing in the run") unless --allow-missing, which makes it a note.
first_epoch / peak_rss_mb present in one file only (older suite versions lack them) is a note. A
different profile, a case trained with a different recipe, or a noise file made for another profile or
stack is a MISMATCH warning and does not fail the gate by itself (timings are then not comparable: read
any timing flag with that in mind). Cases only in the run are a note.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path

from reports.command import error
from reports.load import KINDS, METRICS, CaseRecord, InputError, Run, load_run
from reports.markdown import seconds
from reports.noise import PROG as NOISE_PROG
from reports.noise import Noise, load_noise
from reports.stats import (
    FASTER,
    NO_DATA,
    NOISE,
    SLOWER,
    TOO_FEW,
    compare_claims,
    compare_timings,
    min_two_sided_p,
    status_word,
)

PROG = "python -m reports.gate"
RULES = __doc__[__doc__.index("Rules\n=====") :]

DEFAULT_FACTOR = 1.10
DEFAULT_ALPHA = 0.002

GOOD_STATUSES, BAD_STATUSES = ("pass", "xfail"), ("fail", "xpass")


# --------------------------------------------------------------------------- formatting


def fmt(metric: str, value: float | None) -> str:
    if value is None:
        return "?"
    return f"{value:.0f} MB" if metric == "peak_rss_mb" else seconds(value)


def rounds_text(n1: int, n2: int) -> str:
    return f"{n1} rounds" if n1 == n2 else f"{n1} vs {n2} rounds"


# --------------------------------------------------------------------------- the gate


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


def _same(a: list[float], b: list[float]) -> bool:
    return len(a) == len(b) and all(math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12) for x, y in zip(a, b, strict=True))


def _mean(values: list[float]) -> str:
    return f"{statistics.fmean(values):.4g}" if values else "?"


def _claims(case: str, base: CaseRecord, new: CaseRecord, out: Outcome, allow_missing: bool) -> None:
    new_verdicts = new.verdicts
    for cid, verdict in base.verdicts.items():
        out.count("claims")
        before = verdict.get("status")
        if cid not in new_verdicts:
            out.missing(f"{case} claim {cid}: missing in the run (baseline: {status_word(before)})", allow_missing)
            continue
        after = new_verdicts[cid].get("status")
        a, b = base.claim_values(cid), new.claim_values(cid)
        cmp = compare_claims(before, after, a, b)
        values = f"per-seed mean {_mean(a)} -> {_mean(b)}"
        if before in GOOD_STATUSES and after in BAD_STATUSES:
            rule = new_verdicts[cid].get("rule") or verdict.get("rule")
            out.regressions.append(
                f"REGRESSION {case} claim {cid}: {status_word(before)} -> {status_word(after)} "
                f"({values}{f'; rule: {rule}' if rule else ''})"
            )
        elif before is None or after is None:
            out.notes.append(f"claim {case}/{cid}: no verdict in the {'baseline' if before is None else 'run'}")
        elif before != after:
            out.notes.append(f"verdict changed {case}/{cid}: {status_word(before)} -> {status_word(after)} ({values})")
        elif not _same(a, b):
            p = f", Mann-Whitney p={cmp.p:.2g}" if cmp.p is not None else ""
            diff = f" (diff {cmp.mean_diff:+.3g}{p})" if cmp.mean_diff is not None else ""
            out.notes.append(f"values moved {case}/{cid}, verdict kept ({status_word(after)}): {values}{diff}")
    for cid in new_verdicts:
        if cid not in base.verdicts:
            out.notes.append(
                f"new claim {case}/{cid} (not in the baseline): {status_word(new_verdicts[cid].get('status'))}"
            )


def _timing(
    case: str,
    metric: str,
    base: CaseRecord,
    new: CaseRecord,
    out: Outcome,
    args: argparse.Namespace,
    noise: Noise | None,
) -> None:
    a, b = base.samples(metric), new.samples(metric)
    if a is None or b is None:
        if metric in KINDS and a is not None:
            out.missing(f"{case} {metric}: benchmark missing in the run", args.allow_missing)
        elif a is not None or b is not None:
            out.notes.append(f"not compared {case} {metric}: only the {'baseline' if a is not None else 'run'} has it")
        return
    calibrated = noise.factors.get((case, metric)) if noise is not None else None
    factor = calibrated if calibrated is not None else args.factor
    source = "calibrated" if calibrated is not None else "default"
    cmp = compare_timings(a.data, b.data, a.median, b.median, ratio=factor, alpha=args.alpha)
    out.count("timings")
    r = cmp.ratio
    if r is None:
        out.notes.append(f"not compared {case} {metric}: no usable median")
        return
    n1, n2 = cmp.n_base, cmp.n_new
    head = f"{case} {metric}: median {fmt(metric, cmp.base_median)} -> {fmt(metric, cmp.new_median)} (x{r:.2f}"
    head += f", {r - 1:+.0%})"
    limit = f"factor x{factor:.2f} ({source})"
    slower = r > factor
    if cmp.outcome in (SLOWER, FASTER):
        tail = f"beyond {limit} and Mann-Whitney p={cmp.p:.2g} < {args.alpha:g} ({rounds_text(n1, n2)})"
        if cmp.outcome == SLOWER:
            out.regressions.append(f"REGRESSION {head} {tail}")
        else:
            out.count("faster")
            out.notes.append(f"faster {head} {tail}")
    elif cmp.outcome == NOISE:
        out.count("noise")
        out.notes.append(
            f"within noise {head}: beyond {limit} but Mann-Whitney p={cmp.p:.2g} >= {args.alpha:g} "
            f"({rounds_text(n1, n2)})"
        )
    elif cmp.outcome in (TOO_FEW, NO_DATA):
        why = (
            f"{rounds_text(n1, n2)} can never give p < {args.alpha:g} (best p={min_two_sided_p(n1, n2):.2g})"
            if cmp.outcome == TOO_FEW
            else "no per-round samples in the " + ("run" if n1 else "baseline" if n2 else "baseline or the run")
        )
        beyond_twice = r > 2 * factor if slower else r < 1 / (2 * factor)
        if beyond_twice:
            tail = f"beyond 2 x {limit} = x{2 * factor:.2f} on the ratio alone: {why}"
            if slower:
                out.regressions.append(f"REGRESSION {head} {tail}")
            else:
                out.count("faster")
                out.notes.append(f"faster {head} {tail}")
        elif slower:
            out.count("cannot_tell")
            words = f"cannot tell with {rounds_text(n1, n2)}" if cmp.outcome == TOO_FEW else "cannot tell"
            out.notes.append(
                f"{words}: {head} is beyond {limit}, but {why}; the ratio alone would need > x{2 * factor:.2f}"
            )
        # a speed-up that cannot be told is not worth a line


def _recipe_diff(base: CaseRecord, new: CaseRecord) -> str:
    keys = [k for k in dict.fromkeys([*base.recipe, *new.recipe]) if k != "changes"]
    return ", ".join(
        f"{k} {base.recipe.get(k)!r} -> {new.recipe.get(k)!r}" for k in keys if base.recipe.get(k) != new.recipe.get(k)
    )


def describe(run: Run) -> str:
    seeds = ",".join(str(s) for s in run.seeds) or "?"
    return f"{run.path} ({run.base_label()}, profile {run.profile}, seeds {seeds})"


def gate(base: Run, new: Run, args: argparse.Namespace, noise: Noise | None) -> Outcome:
    out = Outcome()
    if base.profile != new.profile:
        out.warnings.append(f"MISMATCH profile: baseline {base.profile}, run {new.profile}: timings are not comparable")
    if noise is not None:
        out.warnings += noise.mismatches(base, new)
    for case, record in base.cases.items():
        out.count("cases")
        other = new.cases.get(case)
        if other is None:
            out.missing(f"{case}: case missing in the run", args.allow_missing)
            continue
        diff = _recipe_diff(record, other)
        if diff:
            out.warnings.append(f"MISMATCH recipe of {case}: {diff}")
        _claims(case, record, other, out, args.allow_missing)
        for metric in METRICS:
            _timing(case, metric, record, other, out, args, noise)
    extra = [c for c in new.cases if c not in base.cases]
    if extra:
        out.notes.append(f"case(s) only in the run, not compared: {', '.join(extra)}")
    return out


# --------------------------------------------------------------------------- command line


def _gate_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Compare a run with a stored baseline; exit 1 on a claim or timing regression, 0 otherwise, "
        f"2 for unusable input. `{NOISE_PROG}` writes the per-case noise factors for --noise.",
        epilog=RULES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("baseline", type=Path, metavar="BASELINE.json", help="the stored baseline result file")
    parser.add_argument("run", type=Path, metavar="RUN.json", help="the result file to check")
    parser.add_argument(
        "--noise", type=Path, metavar="NOISE.json", help=f"per-(case, metric) factors from {NOISE_PROG}"
    )
    parser.add_argument(
        "--factor",
        type=float,
        default=DEFAULT_FACTOR,
        help=f"ratio of medians a timing must exceed where --noise has no factor (default {DEFAULT_FACTOR})",
    )
    parser.add_argument(
        "--alpha",
        type=float,
        default=DEFAULT_ALPHA,
        help=f"... and the Mann-Whitney U p-value it must go below (default {DEFAULT_ALPHA})",
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
    args = _gate_parser().parse_args(argv)  # usage errors: argparse prints usage and exits 2
    if not args.factor > 1:
        return error(PROG, f"--factor must be > 1, got {args.factor}")
    if not 0 < args.alpha < 1:
        return error(PROG, f"--alpha must be between 0 and 1, got {args.alpha}")
    try:
        base, new = load_run(args.baseline), load_run(args.run)
        noise = load_noise(args.noise) if args.noise is not None else None
    except InputError as err:
        return error(PROG, str(err))

    out = gate(base, new, args, noise)
    print(f"baseline: {describe(base)}")
    print(f"run:      {describe(new)}")
    if noise is not None:
        print(f"noise:    {noise.path} ({len(noise.factors)} calibrated factor(s); x{args.factor:g} elsewhere)")
    for line in [*out.warnings, *out.regressions, *out.notes]:
        print(line)
    c = out.counts
    compared = f"{c.get('cases', 0)} case(s), {c.get('claims', 0)} claim(s), {c.get('timings', 0)} timing(s) compared"
    unsure = f"{c.get('cannot_tell', 0)} cannot tell, {c.get('noise', 0)} within noise, {c.get('faster', 0)} faster"
    if out.regressions:
        print(f"FAIL: {len(out.regressions)} regression(s); {compared}")
        return 1
    print(f"no regression: {compared}; {unsure}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
