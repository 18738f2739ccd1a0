"""The report's "Cost of the run" section: where each run's wall time went, as the run measured it
(the record's ``cost``, ``lstm_cases.record.costs``): the time spent measuring (timed training, timed
steady-state rounds) and the harness's own time by concern, for the run and per case."""

from __future__ import annotations

from typing import Any

from lstm_cases.record.load import Run, as_dict, number
from reports.markdown import DASH, code, num, table


def _sec(value: Any) -> str:
    value = number(value)
    return DASH if value is None else f"{value:.1f}"


def _run_section(run: Run, cost: dict[str, Any]) -> list[str]:
    measuring, harness = as_dict(cost.get("measuring")), as_dict(cost.get("harness"))
    ratio = number(cost.get("harness_per_measuring"))
    out = [
        f"### {run.label}",
        "",
        f"Wall {_sec(cost.get('wall_seconds'))} s (from {cost.get('from', '?')} to the record): measuring "
        f"{_sec(cost.get('measuring_seconds'))} s, the harness's own time {_sec(cost.get('harness_seconds'))} s"
        + (f" = {num(ratio, 3)} x measuring" if ratio is not None else "")
        + f", unaccounted {_sec(cost.get('unaccounted_seconds'))} s.",
        "",
        table(
            ["part", "seconds"],
            [[f"measuring: {k}", _sec(v)] for k, v in measuring.items()] + [[k, _sec(v)] for k, v in harness.items()],
            "lr",
        ),
        "",
    ]
    per_case = as_dict(cost.get("per_case"))
    columns = [c for c in [*measuring, *harness] if any(c in as_dict(row) for row in per_case.values())]
    if per_case and columns:
        rows = [
            [code(case), *(_sec(as_dict(row).get(c)) if c in as_dict(row) else DASH for c in columns)]
            for case, row in per_case.items()
        ]
        out += ["Per case (seconds; start-up, the gaps between tests and the closing belong to no case):", ""]
        out += [table(["case", *columns], rows, "l" + "r" * len(columns)), ""]
    return out


def cost_sections(runs: list[Run]) -> list[str]:
    """The section for the runs whose record keeps its cost (older files and merged parts do not)."""
    out: list[str] = []
    for run in runs:
        cost = as_dict(run.record.get("cost"))
        if cost.get("wall_seconds") is not None:
            out += _run_section(run, cost)
    if not out:
        return []
    intro = (
        "Measuring is the timed training of every seed and the timed steady-state rounds of every process; "
        "the harness's own time is the rest (building data and models, warm-up and tracing, evaluation, "
        "checks, start-up), each part measured as the run went."
    )
    return ["## Cost of the run", "", intro, "", *out]
