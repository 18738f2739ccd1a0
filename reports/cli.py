"""Command line: ``python -m reports RESULTS.json [MORE.json ...] -o OUT_DIR`` (see ``reports.__main__``)."""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from pathlib import Path

from reports.atomic import write_atomic
from reports.command import error
from reports.load import InputError, load_runs
from reports.stats import DEFAULT_ALPHA, DEFAULT_RATIO

PROG = "python -m reports"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Write a Markdown report (README.md + PNG figures) from lstm-bench pytest-benchmark JSON files. "
        "The first file is the baseline for comparisons.",
    )
    parser.add_argument("results", nargs="+", type=Path, metavar="RESULTS.json", help="--benchmark-json output files")
    parser.add_argument("-o", "--out", required=True, type=Path, metavar="OUT_DIR", help="folder for README.md + PNGs")
    parser.add_argument(
        "--ratio",
        type=float,
        default=DEFAULT_RATIO,
        help=f"flag a timing only beyond this ratio of medians, either way (default {DEFAULT_RATIO})",
    )
    parser.add_argument(
        "--alpha",
        type=float,
        default=DEFAULT_ALPHA,
        help=f"... and only when the Mann-Whitney U p-value is below this (default {DEFAULT_ALPHA})",
    )
    parser.add_argument("--no-figures", action="store_true", help="write README.md only, no PNGs (faster)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command; 0 on success, 2 (with one line on stderr) for unusable input."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = _parser().parse_args(argv)  # usage errors: argparse prints usage and exits 2
    if args.ratio <= 1:
        return error(PROG, f"--ratio must be > 1, got {args.ratio}")
    if not 0 < args.alpha < 1:
        return error(PROG, f"--alpha must be between 0 and 1, got {args.alpha}")
    try:
        runs = load_runs(args.results)
    except InputError as err:
        return error(PROG, str(err))
    out: Path = args.out
    if out.exists() and not out.is_dir():
        return error(PROG, f"{out}: exists and is not a directory")

    from reports.render import build_report  # matplotlib is imported only once the input is known good

    command = " ".join([PROG, *(shlex.quote(a) for a in argv)])
    try:
        report = build_report(
            runs, command=command, ratio_limit=args.ratio, alpha=args.alpha, draw_figures=not args.no_figures
        )
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
        out.mkdir(parents=True, exist_ok=True)
        for name, png in report.figures.items():  # figures first: README never links a missing PNG
            write_atomic(out / name, png)
        readme = write_atomic(out / "README.md", report.markdown)
    except OSError as err:
        return error(PROG, f"{err.filename or out}: cannot write: {err.strerror or err}")
    print(f"wrote {readme} and {len(report.figures)} figure(s)")
    return 0
