"""Detection power of the comparison rule on real runs: false alarms on A/A pairs, detection of
deliberate slowdowns. The table for docs/timing.md; the runs come from docs/power-study.sh.

Usage::

    python -m reports.power --aa A1.json B1.json [A2.json B2.json ...] [--slowed S1.json ...]
                            [-o TABLE.md] [--factor F] [--alpha 0.002] [--noise NOISE.json]
    python -m reports.power --duets --aa AA1.json [AA2.json ...] [--slowed S1.json ...] [-o TABLE.md]

With --duets the files are duets (``python -m lstm_cases.tools.duet``), each A/A duet on its own and
each slowed duet slowed on its head side, judged by the paired rule (``reports.duet_power``).

A/A pairs: separate runs of the same code and stack, given pair by pair; every judged timing
(train_step, predict, single_call) that the rule flags (SLOWER or FASTER) in a pair is a false
alarm. Slowed runs: runs made with the test-only slowdown (LSTM_BENCH_SLOWDOWN, read from each
file's record), each compared with every A/A file as its baseline; a slowed benchmark flagged
SLOWER is detected, any other flag in a slowed run is a false alarm. Judging is
``reports.compare.compare_runs``, the gate's and the report's rule, with the same options.

Exit status: 0 when the table is written (whatever it shows); 2 with one line on stderr for
unusable input (a missing or malformed file, an odd number of A/A files, a slowed file without
a slowdown, an A/A file with one).
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from lstm_cases.record.atomic import write_atomic
from lstm_cases.record.load import InputError, Run, load_runs
from lstm_cases.record.schema import GATED
from lstm_cases.record.stats import Tally
from reports.command import OptionError, error
from reports.compare import FASTER, SLOWER, Rule, compare_runs, slowdown_lines
from reports.markdown import code, table
from reports.options import add_rule_options, rule_from_args

PROG = "python -m reports.power"
GOALS = {1.1: "most of the time", 1.2: "always", 1.5: "always"}  # the goals per slowdown size


@dataclass
class Study:
    pairs: int = 0
    pairs_failed: int = 0  # A/A pairs where the gate would exit 1 on a timing
    aa: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))  # per metric
    aa_ratio: dict[str, float] = field(default_factory=dict)  # largest A/A |log ratio| per metric, as a ratio
    detected: dict[tuple[str, float], Tally] = field(default_factory=lambda: defaultdict(Tally))
    runs_caught: dict[tuple[str, float], Tally] = field(default_factory=lambda: defaultdict(Tally))
    slowed_false: Tally = field(default_factory=Tally)
    busy: int = 0  # judged timings left out: timed on a busy machine (the rule does not judge them)


def aa_pairs(runs: list[Run], study: Study, rule: Rule) -> None:
    for a, b in zip(runs[::2], runs[1::2], strict=True):
        study.pairs += 1
        failed = False
        for (case, metric), cmp in compare_runs(a, b, rule).items():
            if not cmp.gated or cmp.estimate is None:
                continue
            if cmp.busy:
                study.busy += 1
                continue
            alarm = cmp.outcome in (SLOWER, FASTER)
            failed |= cmp.outcome == SLOWER
            study.aa[metric].add(alarm, f"{a.path.name} vs {b.path.name}: {case} {metric} {cmp.describe()}")
            worst = study.aa_ratio.get(metric, 1.0)
            study.aa_ratio[metric] = max(worst, cmp.estimate, 1 / cmp.estimate)
        study.pairs_failed += failed


def slowed_runs(baselines: list[Run], slowed: list[Run], study: Study, rule: Rule) -> None:
    for run in slowed:
        for base in baselines:
            found = compare_runs(base, run, rule)
            caught: dict[tuple[str, float], bool] = {}
            for (case, metric), cmp in found.items():
                if not cmp.gated or cmp.estimate is None:
                    continue
                if cmp.busy:
                    study.busy += 1
                    continue
                factor = run.slowdown.get(metric)
                where = f"{base.path.name} vs {run.path.name}: {case} {metric} {cmp.describe()}"
                if factor is None:
                    study.slowed_false.add(cmp.outcome in (SLOWER, FASTER), where)
                    continue
                key = (metric, float(factor))
                study.detected[key].add(cmp.outcome == SLOWER, where)
                caught[key] = caught.get(key, False) or cmp.outcome == SLOWER
            for key, hit in caught.items():
                study.runs_caught[key].add(hit, f"{base.path.name} vs {run.path.name}")


def render(study: Study, runs: list[Run], slowed: list[Run], rule: Rule, command: str) -> str:
    first = runs[0] if runs else slowed[0]
    aa_total = Tally([w for t in study.aa.values() for w in t.hits], [w for t in study.aa.values() for w in t.misses])
    rows = [
        ["A/A: judged timings flagged (false alarms)", f"{study.pairs} pairs", aa_total.compared,
         aa_total.flagged, aa_total.rate, "0"],
        ["A/A: pairs the gate fails on a timing", f"{study.pairs} pairs", study.pairs, study.pairs_failed,
         f"{study.pairs_failed / study.pairs:.0%}" if study.pairs else "—", "0"],
    ]  # fmt: skip
    rows += [
        [f"A/A: {metric} flagged (largest ratio either way ×{study.aa_ratio.get(metric, 1):.3f})", "",
         t.compared, t.flagged, t.rate, "0"]
        for metric, t in sorted(study.aa.items(), key=lambda kv: GATED.index(kv[0]))
    ]  # fmt: skip
    for (metric, factor), tally in sorted(study.detected.items(), key=lambda kv: (GATED.index(kv[0][0]), kv[0][1])):
        runs_caught = study.runs_caught[(metric, factor)]
        n_runs = sum(1 for r in slowed if r.slowdown.get(metric) == factor)
        goal = GOALS.get(round(factor, 2), "")
        rows.append([f"{metric} +{factor - 1:.0%}: benchmarks flagged SLOWER", f"{n_runs} run(s) x {len(runs)} "
                     "baselines", tally.compared, tally.flagged, tally.rate, goal])  # fmt: skip
        rows.append([f"{metric} +{factor - 1:.0%}: comparisons the gate fails", "", runs_caught.compared,
                     runs_caught.flagged, runs_caught.rate, goal])  # fmt: skip
    if study.slowed_false.compared:
        t = study.slowed_false
        rows.append(["slowed runs: other timings flagged (false alarms)", "", t.compared, t.flagged, t.rate, "0"])
    stack = f"{first.base_label()}, profile {first.profile}, {first.machine()}"
    settings = first.timing
    threads = settings.get("threads", "?")
    processes, rounds = settings.get("processes", "?"), settings.get("rounds_per_process", "?")
    out = [
        f"Generated by `{command}`.",
        "",
        f"Runs: {stack}; threads {threads}, {processes} timing process(es) x {rounds} rounds per benchmark. "
        f"Rule: factors {rule.defaults_text()}"
        + (" (or calibrated)" if rule.calibrated else "")
        + f", raised to the disagreement of the runs' processes; false-discovery rate {rule.alpha:g}; "
        "benchmarks timed on a busy machine not judged.",
        "",
        table(["check", "runs", "compared", "flagged", "rate", "goal"], rows, "llrrrl"),
        "",
    ]
    noisy = [line for line in slowdown_lines([*runs, *slowed]) if line.startswith("NOISY")]
    if noisy:
        out += [
            f"Runs timed on a busy machine ({len(noisy)}); {study.busy} comparisons of benchmarks timed while it "
            "was busy are not judged by the rule and not counted above:",
            "",
            *[f"- {line}" for line in noisy],
            "",
        ]
    alarms = aa_total.hits + study.slowed_false.hits
    if alarms:
        out += [f"False alarms ({len(alarms)}):", "", *[f"- {code(w)}" for w in alarms[:50]], ""]
    missed = [w for (_, factor), t in study.detected.items() if factor >= 1.2 for w in t.misses]
    if missed:
        out += [f"Slowdowns of 20% or more not flagged ({len(missed)}):", "", *[f"- {code(w)}" for w in missed[:50]]]
        out.append("")
    return "\n".join(out)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=__doc__.split("\n\n")[0],
        epilog=__doc__[__doc__.index("A/A pairs:") : __doc__.index("Exit status")].strip(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--aa", nargs="+", type=Path, default=[], metavar="A.json", help="A/A files, pair by pair")
    parser.add_argument("--slowed", nargs="*", type=Path, default=[], metavar="S.json", help="slowed runs")
    parser.add_argument("-o", "--out", type=Path, metavar="TABLE.md", help="write the table here (else stdout)")
    parser.add_argument("--duets", action="store_true", help="the files are duets (python -m lstm_cases.tools.duet)")
    parser.add_argument(
        "--json",
        type=Path,
        metavar="STUDY.json",
        help="with --duets: every judged benchmark and the factors the A/A duets call for, as JSON",
    )
    add_rule_options(parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = _parser().parse_args(argv)
    if args.duets:
        return _main_duets(args, argv)
    if len(args.aa) < 2 or len(args.aa) % 2:
        return error(PROG, f"--aa needs A/A files pair by pair (an even number, 2 or more), got {len(args.aa)}")
    try:
        rule, _noise = rule_from_args(args)
        aa, slowed = load_runs(args.aa), load_runs(args.slowed)
    except (OptionError, InputError) as err:
        return error(PROG, str(err))
    for run in aa:
        if run.slowdown:
            return error(PROG, f"{run.path}: made with the test-only slowdown ({run.slowdown}); not an A/A run")
    for run in slowed:
        if not run.slowdown:
            return error(PROG, f"{run.path}: no test-only slowdown in its record (lstm_bench.timing.slowdown)")
    study = Study()
    aa_pairs(aa, study, rule)
    slowed_runs(aa, slowed, study, rule)
    command = " ".join([PROG, *(shlex.quote(a) for a in argv)])
    return _write(args, render(study, aa, slowed, rule, command) + "\n")


def _main_duets(args: argparse.Namespace, argv: list[str]) -> int:
    from reports import duet_power
    from reports.duet import load_duet

    if not args.aa and not args.slowed:
        return error(PROG, "--duets needs A/A duets (--aa) or slowed duets (--slowed)")
    try:
        rule, _noise = rule_from_args(args)
        aa, slowed = [load_duet(p) for p in args.aa], [load_duet(p) for p in args.slowed]
    except (OptionError, InputError) as err:
        return error(PROG, str(err))
    for duet in [*aa, *slowed]:
        if duet.sides["base"].slowdown:
            return error(PROG, f"{duet.path}: its base side was slowed; a duet slows only its head side")
    for duet in aa:
        if duet.slowdown:
            return error(PROG, f"{duet.path}: its head side was slowed ({duet.slowdown}); not an A/A duet")
    for duet in slowed:
        if not duet.slowdown:
            return error(PROG, f"{duet.path}: its head side was not slowed (--slow-head); not a slowed duet")
    study = duet_power.tally(aa, slowed, rule)
    command = " ".join([PROG, *(shlex.quote(a) for a in argv)])
    if args.json is not None:
        doc = {"command": command, **duet_power.summary(aa, slowed, rule)}
        write_atomic(args.json, json.dumps(doc, indent=1) + "\n")
    return _write(args, duet_power.render(study, aa, slowed, rule, command) + "\n")


def _write(args: argparse.Namespace, text: str) -> int:
    if args.out is None:
        print(text, end="")
        return 0
    try:
        write_atomic(args.out, text)
    except OSError as err:
        return error(PROG, f"{err.filename or args.out}: cannot write: {err.strerror or err}")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
