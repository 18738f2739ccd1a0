"""The report over a matrix run: ``python -m reports.matrix RESULTS_DIR -o OUT_DIR``.

``tox`` writes one ``RESULTS_DIR/<env>.json`` per stack; this finds them (tox does not
expand globs), puts the baseline env first (default ``tf221-keras3``, the default stack)
and the others in name order, says which files it left out (``.partial`` files from
interrupted runs, temp files), and runs the report generator (``python -m reports``) on
them with the same --factor / --alpha / --noise (the rule of ``reports.compare``), then prints the
report's headline: per stack and family, the geometric-mean ratio to the baseline with its interval
(``reports.headline``). The folder's README.md is a summary a reader can take in: each stack's verdicts,
every claim's verdict on each stack side by side, the headline and the figures; every table of the full
report is in report.md beside it. With ``--duets DIR`` (each stack's python timed side by side with the reference
stack's: ``python -m lstm_cases.tools.duet``), the README gets the stacks' speed from those duets, with
intervals, above which the sequential ratios are only where no duet exists. Reads results only.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from lstm_cases.record.atomic import write_atomic
from lstm_cases.record.load import InputError, Run, load_runs
from reports import cli
from reports.command import error
from reports.compare import Rule
from reports.compare_view import comparisons_of
from reports.duet import load_duet
from reports.duet_view import stacks_section
from reports.headline import headline, verdicts
from reports.markdown import DASH, code, table
from reports.options import add_rule_options, rule_from_args, rule_options

PROG = "python -m reports.matrix"
DEFAULT_BASELINE = "tf221-keras3"
FULL_REPORT = "report.md"  # every table of the report; README.md is the summary that links it
NOT_PASSING = {"fail": "**fail**", "xpass": "**xpass**"}  # what a reader must not miss in the grid


def matrix_files(folder: Path, baseline: str) -> list[Path]:
    """The finished result files in ``folder``, baseline first; ValueError (one line) when
    the folder or the baseline's file is missing."""
    if not folder.is_dir():
        raise ValueError(f"{folder}: not a folder (run `tox` first: it writes one <env>.json per stack there)")
    files = sorted(p for p in folder.glob("*.json") if not p.name.startswith("."))
    names = [p.stem for p in files]
    if baseline not in names:
        found = ", ".join(names) or "none"
        raise ValueError(f"{folder}: no {baseline}.json for the baseline; result files found: {found}")
    return [folder / f"{baseline}.json"] + [p for p in files if p.stem != baseline]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path, metavar="RESULTS_DIR", help="the folder tox wrote <env>.json files to")
    parser.add_argument("-o", "--out", required=True, type=Path, metavar="OUT_DIR")
    parser.add_argument(
        "--baseline", default=DEFAULT_BASELINE, help=f"the env compared against (default {DEFAULT_BASELINE})"
    )
    add_rule_options(parser)
    figures = parser.add_mutually_exclusive_group()
    figures.add_argument("--no-figures", action="store_true", help="README.md only, no PNGs")
    figures.add_argument(
        "--speed-figures-only",
        action="store_true",
        help="only the two speed figures the summary shows, none per case (report.md then links none): "
        "a folder small enough to commit",
    )
    parser.add_argument(
        "--duets",
        type=Path,
        metavar="DUETS_DIR",
        help="duets of each stack against the reference stack (python -m lstm_cases.tools.duet): the speed table",
    )
    args = parser.parse_args(argv)
    try:
        files = matrix_files(args.folder, args.baseline)
        duets = _duets(args.duets) if args.duets is not None else []
    except (ValueError, InputError) as err:
        return error(PROG, str(err))
    skipped = sorted(p.name for p in args.folder.iterdir() if p.name.endswith((".partial", ".tmp")))
    if skipped:
        print(f"{PROG}: left out unfinished result files: {', '.join(skipped)}", file=sys.stderr)
    print(f"{PROG}: baseline {files[0].name}; compared: {', '.join(p.name for p in files[1:]) or 'nothing'}")
    options = [*rule_options(args), *(["--no-figures"] if args.no_figures or args.speed_figures_only else [])]
    status = cli.main([str(p) for p in files] + ["-o", str(args.out), *options])
    if status == 0:  # the files and options are known good now
        runs = load_runs(files)
        rule = rule_from_args(args)[0]
        timings = headline(runs, comparisons_of(runs, rule))
        print("\n".join(timings))
        readme = args.out / "README.md"
        os.replace(readme, args.out / FULL_REPORT)
        if args.speed_figures_only:
            for name, png in speed_figures(runs, rule).items():
                write_atomic(args.out / name, png)
        text = summary(runs, timings, figures=sorted(p.name for p in args.out.glob("*.png")))
        if duets:
            text += "\n" + stacks_section(duets, rule) + "\n"
            print(f"{PROG}: the speed table from {len(duets)} duet(s) is in {readme}")
        write_atomic(readme, text)
        print(f"{PROG}: wrote the summary {readme}; every table in {args.out / FULL_REPORT}")
    return status


def speed_figures(runs: list[Run], rule: Rule) -> dict[str, bytes]:
    """The summary's two figures, drawn as the full report draws them (none where there is nothing to draw)."""
    from reports import figures  # matplotlib only once the files are known good
    from reports.render import case_order

    cases = case_order(runs)
    drawn = {
        "ratios.png": figures.ratio_chart(cases, runs, comparisons_of(runs, rule)),
        "timings.png": figures.timing_chart(cases, runs),
    }
    return {name: png for name, png in drawn.items() if png is not None}


def claims_grid(runs: list[Run]) -> list[str]:
    """One row per claim judged in any run, one column per run (its file's name): the claim's verdict
    there, a failure or an unexpected pass in bold, a dash where the run did not judge it."""
    statuses: dict[tuple[str, str], dict[int, str]] = {}
    for column, run in enumerate(runs):
        for case_id, case in run.record.get("cases", {}).items():
            for claim_id, verdict in case.get("verdicts", {}).items():
                status = str(verdict.get("status"))
                statuses.setdefault((case_id, claim_id), {})[column] = NOT_PASSING.get(status, status)
    rows = [
        [code(case_id), code(claim_id), *(by_run.get(column, DASH) for column in range(len(runs)))]
        for (case_id, claim_id), by_run in statuses.items()
    ]
    headers = ["case", "claim", *(run.path.stem for run in runs)]
    return table(headers, rows, "ll" + "l" * len(runs)).splitlines()


def summary(runs: list[Run], timings: list[str], figures: list[str]) -> str:
    """The matrix folder's README.md: what a reader needs first, the full report linked."""
    lines = [
        "# The version and backend matrix",
        "",
        f"{len(runs)} result files, one per stack; the baseline of every timing is **{runs[0].path.name}** "
        f"({runs[0].label}), named, not the first file sorted. Every table (timings per case, memory, cost, "
        f"each run's claims with their values, curves and samples) is in the full report, [{FULL_REPORT}]"
        f"({FULL_REPORT}).",
        "",
        verdicts(runs).replace(f"## lstm-bench: {len(runs)} result file(s)", "## Verdicts per stack", 1),
        "## Every claim on every stack",
        "",
        "Each claim's verdict by the rule of the run's profile (pass, **fail**, xfail: an expected failure "
        "with its reason in docs/findings.md, **xpass**: an expected failure that passed).",
        "",
        *claims_grid(runs),
        "",
        *timings,
    ]
    alts = {
        "ratios.png": "ratio to the baseline per case, log scale",
        "timings.png": "timings per case and run, log scale",
    }
    lines += [line for name, alt in alts.items() if name in figures for line in (f"![{alt}]({name})", "")]
    return "\n".join(lines)


def _duets(folder: Path) -> list:
    """The duet files of a folder; ValueError or InputError (one line) when there are none or one is bad."""
    files = sorted(folder.glob("*.json")) if folder.is_dir() else []
    if not files:
        raise ValueError(f"{folder}: no duet files (python -m lstm_cases.tools.duet -o {folder}/<env>.json)")
    return [load_duet(p) for p in files]


if __name__ == "__main__":
    sys.exit(main())
