"""The report over a matrix run: ``python -m reports.matrix RESULTS_DIR -o OUT_DIR``.

``tox`` writes one ``RESULTS_DIR/<env>.json`` per stack; this finds them (tox does not
expand globs), puts the baseline env first (default ``tf221-keras3``, the default stack)
and the others in name order, says which files it left out (``.partial`` files from
interrupted runs, temp files), and runs the report generator (``python -m reports``) on
them with the same --factor / --alpha / --noise (the rule of ``reports.compare``), then prints the
report's headline: per stack and family, the geometric-mean ratio to the baseline with its interval
(``reports.headline``). With ``--duets DIR`` (each stack's python timed side by side with the reference
stack's: ``python -m lstm_cases.tools.duet``), the README gets the stacks' speed from those duets, with
intervals, above which the sequential ratios are only where no duet exists. Reads results only.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lstm_cases.record.atomic import write_atomic
from lstm_cases.record.load import InputError, load_runs
from reports import cli
from reports.command import error
from reports.compare_view import comparisons_of
from reports.duet import load_duet
from reports.duet_view import stacks_section
from reports.headline import headline
from reports.options import add_rule_options, rule_from_args, rule_options

PROG = "python -m reports.matrix"
DEFAULT_BASELINE = "tf221-keras3"


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
    parser.add_argument("--no-figures", action="store_true", help="README.md only, no PNGs")
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
    options = [*rule_options(args), *(["--no-figures"] if args.no_figures else [])]
    status = cli.main([str(p) for p in files] + ["-o", str(args.out), *options])
    if status == 0:  # the files and options are known good now
        runs = load_runs(files)
        rule = rule_from_args(args)[0]
        print("\n".join(headline(runs, comparisons_of(runs, rule))))
        if duets:
            readme = args.out / "README.md"
            write_atomic(readme, readme.read_text() + "\n" + stacks_section(duets, rule) + "\n")
            print(f"{PROG}: the speed table from {len(duets)} duet(s) is in {readme}")
    return status


def _duets(folder: Path) -> list:
    """The duet files of a folder; ValueError or InputError (one line) when there are none or one is bad."""
    files = sorted(folder.glob("*.json")) if folder.is_dir() else []
    if not files:
        raise ValueError(f"{folder}: no duet files (python -m lstm_cases.tools.duet -o {folder}/<env>.json)")
    return [load_duet(p) for p in files]


if __name__ == "__main__":
    sys.exit(main())
