"""``python -m reports history PATH [PATH ...] -o OUT_DIR``: metrics over runs, per stack, as asv draws them.

PATH is result files or folders searched for ``*.json`` (e.g. pytest-benchmark's own storage,
``.benchmarks/``, which ``--benchmark-autosave`` fills with one file per run named by commit;
``tox`` keeps one such folder per stack; or CI artifacts). Every file that is an lstm-bench result
(schema 1) is a run; anything else found in a folder is listed as left out. Runs are grouped by
stack and profile and ordered by commit time (then by date of the run). Per group it writes:

- claim margins per commit: for each case and claim, how far the deciding statistic lay from
  the threshold (``lstm_cases.margins``; positive: held with room), so that a claim drifting
  towards its threshold shows before its verdict flips;
- steady timings per commit: each case's median steady epoch (seconds per Keras epoch after the
  first, compilation excluded) and the median timed training round.

``OUT_DIR/README.md`` holds the tables (the latest runs; pandas pivots written with
``DataFrame.to_markdown``) and links one figure per group and metric with every run. Reads
results only; trains nothing, imports no TensorFlow.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lstm_cases.record.atomic import write_folder
from lstm_cases.record.load import InputError, Run, as_dict, load_run, number, numbers
from reports.command import error
from reports.markdown import table

PROG = "python -m reports history"
TABLE_RUNS = 8  # runs per table (the figures have them all)


@dataclass
class Point:
    """One run of a group: where it sits on the x axis."""

    run: Run
    label: str  # short commit (and #n for a second run of one commit)

    @property
    def commit(self) -> str:
        return str(as_dict(self.run.raw.get("commit_info")).get("id") or "?")


def find_files(paths: Iterable[Path]) -> list[Path]:
    """The files given and every ``*.json`` under the folders given (not hidden, not temp files)."""
    found = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*.json") if not p.name.startswith("."))
        else:
            found.append(path)
    return found


def _order(run: Run) -> tuple[str, str]:
    commit = as_dict(run.raw.get("commit_info"))
    date = str(run.raw.get("datetime") or "")
    return (str(commit.get("time") or commit.get("author_time") or date), date)


def group_runs(runs: list[Run]) -> dict[str, list[Point]]:
    """``"stack label, profile"`` -> the group's runs in commit order."""
    groups: dict[str, list[Run]] = {}
    for run in runs:
        groups.setdefault(f"{run.base_label()}, {run.profile}", []).append(run)
    out = {}
    for key in sorted(groups):
        points: list[Point] = []
        for run in sorted(groups[key], key=_order):
            label = str(as_dict(run.raw.get("commit_info")).get("id") or "?")[:7]
            same = sum(p.label.split(" #")[0] == label for p in points)
            points.append(Point(run, f"{label} #{same + 1}" if same else label))
        out[key] = points
    return out


def margin_rows(points: list[Point]) -> list[dict[str, Any]]:
    """One row per run, case and claim: its margin and verdict."""
    rows = []
    for i, point in enumerate(points):
        for case, record in point.run.cases.items():
            for claim, verdict in record.verdicts.items():
                rows.append(
                    {
                        "run": i,
                        "commit": point.label,
                        "case": case,
                        "claim": claim,
                        "margin": number(verdict.get("margin")),
                        "status": verdict.get("status"),
                    }
                )
    return rows


def timing_rows(points: list[Point]) -> list[dict[str, Any]]:
    """One row per run and case: median steady epoch and median training round, in seconds."""
    rows = []
    for i, point in enumerate(points):
        for case, record in point.run.cases.items():
            steady = [v for v in numbers(record.info.get("steady_epoch_seconds")) if v > 0]
            train = record.samples("train")
            rows.append(
                {
                    "run": i,
                    "commit": point.label,
                    "case": case,
                    "steady epoch": statistics.median(steady) if steady else None,
                    "train round": train.median if train else None,
                }
            )
    return rows


# --------------------------------------------------------------------------- tables and figures


def _margin_cell(margin: float | None, status: Any) -> str:
    text = "—" if margin is None else f"{margin:+.3g}"
    return text if status in ("pass", None) else f"{text} ({status})"


def margin_table(points: list[Point]) -> str:
    """Case and claim down, the latest runs across: margins, with the verdict where it is not a pass."""
    import pandas as pd

    frame = pd.DataFrame(margin_rows(points[-TABLE_RUNS:]))
    if frame.empty:
        return "No claims in these runs."
    frame["cell"] = [_margin_cell(m, s) for m, s in zip(frame["margin"], frame["status"], strict=True)]
    order = list(dict.fromkeys(frame["commit"]))
    table = frame.pivot_table(index=["case", "claim"], columns="commit", values="cell", aggfunc="first", sort=False)
    return table.reindex(columns=order).fillna("").reset_index().to_markdown(index=False, disable_numparse=True)


def timing_table(points: list[Point]) -> str:
    """Case down, the latest runs across: median steady epoch (s)."""
    import pandas as pd

    frame = pd.DataFrame(timing_rows(points[-TABLE_RUNS:]))
    if frame.empty or frame["steady epoch"].isna().all():
        return "No steady-epoch timings in these runs."
    order = list(dict.fromkeys(frame["commit"]))
    table = frame.pivot_table(index="case", columns="commit", values="steady epoch", aggfunc="first", sort=False)
    return table.reindex(columns=order).reset_index().to_markdown(index=False, floatfmt=".3g", missingval="—")


def _x_axis(ax: Any, points: list[Point]) -> None:
    ax.set_xticks(range(len(points)))
    ax.set_xticklabels([p.label for p in points], rotation=45, ha="right", fontsize=7)


def margins_figure(points: list[Point]) -> bytes | None:
    """One panel per case: each claim's margin over the runs, the threshold at zero."""
    from matplotlib.figure import Figure

    from reports.figures import png_bytes

    rows = [r for r in margin_rows(points) if r["margin"] is not None]
    cases = list(dict.fromkeys(r["case"] for r in rows))
    if not cases:
        return None
    columns = min(3, len(cases))
    lines = math.ceil(len(cases) / columns)
    fig = Figure(figsize=(4.2 * columns, 2.8 * lines), layout="constrained")
    for n, case in enumerate(cases):
        ax = fig.add_subplot(lines, columns, n + 1)
        for claim in dict.fromkeys(r["claim"] for r in rows if r["case"] == case):
            mine = [r for r in rows if r["case"] == case and r["claim"] == claim]
            ax.plot([r["run"] for r in mine], [r["margin"] for r in mine], marker="o", markersize=3, label=claim)
        ax.axhline(0, color="grey", linestyle="--", linewidth=0.8)
        ax.set_title(case, fontsize=9)
        ax.legend(fontsize=6)
        _x_axis(ax, points)
    return png_bytes(fig)


def timings_figure(points: list[Point]) -> bytes | None:
    """Median steady epoch per case over the runs (log scale)."""
    from matplotlib.figure import Figure

    from reports.figures import png_bytes

    rows = [r for r in timing_rows(points) if r["steady epoch"]]
    cases = list(dict.fromkeys(r["case"] for r in rows))
    if not cases:
        return None
    fig = Figure(figsize=(9, 5), layout="constrained")
    ax = fig.add_subplot()
    for case in cases:
        mine = [r for r in rows if r["case"] == case]
        ax.plot([r["run"] for r in mine], [r["steady epoch"] for r in mine], marker="o", markersize=3, label=case)
    ax.set_yscale("log")
    ax.set_ylabel("median steady epoch (s)")
    ax.legend(fontsize=7, ncols=2)
    _x_axis(ax, points)
    return png_bytes(fig)


def build(groups: dict[str, list[Point]], left_out: list[str], draw: bool) -> tuple[str, dict[str, bytes]]:
    """README.md text and its figures."""
    from reports.figures import Gallery, slug

    figs = Gallery(draw)
    lines = ["# lstm-bench history", "", f"Generated by `{PROG}`: runs per stack and profile, in commit order.", ""]
    if left_out:
        lines += ["Left out:", "", *[f"- {line}" for line in left_out], ""]
    for key, points in groups.items():
        lines += [f"## {key}: {len(points)} run(s)", ""]
        runs = [
            [p.label, p.commit[:12], str(p.run.raw.get("datetime") or "?")[:19], p.run.path.name, p.run.machine()]
            for p in points
        ]
        lines += [table(["run", "commit", "date", "file", "machine"], runs), ""]
        name = slug(key)
        lines += ["### Claim margins", ""]
        lines += figs.add(f"margins-{name}.png", f"claim margins over runs, {key}", margins_figure, points)
        lines += [
            "Distance of each claim's deciding statistic from its threshold (positive: held with room; the "
            f"verdict is named where it is not a pass). The latest {min(len(points), TABLE_RUNS)} run(s):",
            "",
            margin_table(points),
            "",
            "### Steady timings",
            "",
        ]
        lines += figs.add(f"timings-{name}.png", f"median steady epoch over runs, {key}", timings_figure, points)
        lines += ["Median steady epoch per case, seconds:", "", timing_table(points), ""]
    return "\n".join(lines).rstrip() + "\n", figs.files


def main(argv: list[str] | None = None) -> int:
    """0 when the history is written; 2 (one line on stderr) when no path holds a result file."""
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0].split(": ", 1)[1])
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="result files, or folders of them")
    parser.add_argument("-o", "--out", required=True, type=Path, metavar="OUT_DIR", help="folder for README.md + PNGs")
    parser.add_argument("--no-figures", action="store_true", help="README.md only, no PNGs")
    args = parser.parse_args(argv)
    missing = [str(p) for p in args.paths if not p.exists()]
    if missing:
        return error(PROG, f"{missing[0]}: no such file or folder")
    runs, left_out = [], []
    for path in find_files(args.paths):
        try:
            runs.append(load_run(path))
        except InputError as err:
            if path in args.paths:  # named on the command line: it must be a result file
                return error(PROG, str(err))
            left_out.append(str(err))
    if not runs:
        return error(PROG, f"{', '.join(map(str, args.paths))}: no lstm-bench result file found")
    groups = group_runs(runs)
    text, figures = build(groups, left_out, not args.no_figures)
    try:
        readme = write_folder(args.out, figures, text)
    except OSError as err:
        return error(PROG, f"{err.filename or args.out}: cannot write: {err.strerror or err}")
    print(f"wrote {readme} and {len(figures)} figure(s): {len(runs)} run(s) in {len(groups)} stack(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
