"""Command line: ``python -m reports RESULTS.json [MORE.json ...] -o OUT_DIR`` (see ``reports.__main__``),
and its subcommands ``history`` (``reports.history``), ``headline`` (``reports.headline``) and
``sweep`` (``reports.sweep_map``). Joining a run's parts is ``python -m lstm_cases.tools.merge``."""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from pathlib import Path

from lstm_cases.record.atomic import write_folder
from lstm_cases.record.load import InputError, load_runs, read_json
from reports.command import OptionError, error
from reports.compare import Rule
from reports.duet import is_duet, load_duet
from reports.options import add_rule_options, rule_from_args

PROG = "python -m reports"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Write a Markdown report (README.md + PNG figures) from lstm-bench result files. The first "
        "file is the baseline for comparisons, judged by the same rule as python -m reports.gate. A duet file "
        "(python -m lstm_cases.tools.duet) is reported alone, by the paired rule.",
        epilog=f"Other commands: {PROG} history PATH ... -o OUT_DIR (claim margins and timings over commits, "
        "per stack); "
        f"{PROG} headline PATH ... (each file's verdicts in a few lines of Markdown, for a CI job summary); "
        f"{PROG} sweep FILE ... -o OUT_DIR (claim-validity maps from sweep records).",
    )
    parser.add_argument("results", nargs="+", type=Path, metavar="RESULTS.json", help="--benchmark-json output files")
    parser.add_argument("-o", "--out", required=True, type=Path, metavar="OUT_DIR", help="folder for README.md + PNGs")
    add_rule_options(parser)
    parser.add_argument("--no-figures", action="store_true", help="write README.md only, no PNGs (faster)")
    return parser


def run(argv: list[str]) -> int:
    """``python -m reports``: a subcommand (``history``, ``headline``, ``sweep``) or the report."""
    if argv and argv[0] == "merge":
        why = "merging judges the claims again, which the harness does and the reports do not"
        return error(f"{PROG} merge", f"moved to python -m lstm_cases.tools.merge ({why})")
    if argv and argv[0] == "history":
        from reports.history import main as history

        return history(argv[1:])
    if argv and argv[0] == "headline":
        from reports.headline import main as headline

        return headline(argv[1:])
    if argv and argv[0] == "sweep":
        from reports.sweep_map import main as sweep

        return sweep(argv[1:])
    return main(argv)


def main(argv: list[str] | None = None) -> int:
    """The report; 0 on success, 2 (with one line on stderr) for unusable input."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if any(a == "--ratio" or a.startswith("--ratio=") for a in argv):
        return error(PROG, "--ratio is now --factor (the rule of python -m reports.gate; defaults per metric: --help)")
    args = _parser().parse_args(argv)  # usage errors: argparse prints usage and exits 2
    out: Path = args.out
    if out.exists() and not out.is_dir():
        return error(PROG, f"{out}: exists and is not a directory")
    try:
        rule, noise = rule_from_args(args)
        duets = [is_duet(read_json(path, "a result file")) for path in args.results]
        if any(duets):
            return _duet_report(args, argv, rule)
        runs = load_runs(args.results)
    except (OptionError, InputError) as err:
        return error(PROG, str(err))

    from reports.render import build_report  # matplotlib is imported only once the input is known good

    command = " ".join([PROG, *(shlex.quote(a) for a in argv)])
    try:
        report = build_report(runs, command=command, rule=rule, noise=noise, draw_figures=not args.no_figures)
    # A structure the input checks let through (a field of an unexpected type or shape): still
    # one line, not a traceback. Other errors (a bug, an interrupt) propagate.
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as err:
        if os.environ.get("REPORTS_DEBUG"):
            raise
        names = ", ".join(str(p) for p in args.results)
        return error(
            PROG,
            f"{names}: cannot build a report from these files ({type(err).__name__}: {err}); "
            "set REPORTS_DEBUG=1 for the traceback",
        )
    try:
        readme = write_folder(out, report.figures, report.markdown)
    except OSError as err:
        return error(PROG, f"{err.filename or out}: cannot write: {err.strerror or err}")
    print(f"wrote {readme} and {len(report.figures)} figure(s)")
    return 0


def _duet_report(args: argparse.Namespace, argv: list[str], rule: Rule) -> int:
    """The report of one duet file (InputError: the caller's one line)."""
    from reports.duet_view import report

    if len(args.results) != 1:
        raise InputError(args.results[0], "a duet file is reported alone: python -m reports DUET.json -o DIR")
    duet = load_duet(args.results[0])
    command = " ".join([PROG, *(shlex.quote(a) for a in argv)])
    markdown, figures = report(duet, rule, command, draw=not args.no_figures)
    try:
        readme = write_folder(args.out, figures, markdown)
    except OSError as err:
        return error(PROG, f"{err.filename or args.out}: cannot write: {err.strerror or err}")
    print(f"wrote {readme} and {len(figures)} figure(s)")
    return 0
