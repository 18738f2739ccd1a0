"""The report's per-family artifact views: what a case recorded per seed beyond its metrics
(``lstm_bench.cases[case].artifacts``): stateful walks, generated text samples, forecasts vs
truth, binary-increment errors by trailing ones, and any other artifact as a plain table.

Each view returns Markdown lines (nothing when no run has that artifact); figures go through
the report's :class:`reports.figures.Gallery`.
"""

from __future__ import annotations

import re
from typing import Any

from lstm_cases.record.load import CaseRecord, Run, numbers
from reports import figures
from reports.figures import Gallery, slug
from reports.markdown import DASH, code, num, table

KNOWN_ARTIFACTS = ("walk_from_a", "walk_from_k", "samples", "forecast", "truth", "error_by_trailing_ones")


def _fence(text: str, lang: str = "text") -> str:
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{lang}\n{text.rstrip()}\n{fence}"


def _artifact_seed(record: CaseRecord, index: int) -> str:
    seeds = record.seeds
    return str(seeds[index]) if index < len(seeds) else f"#{index + 1}"


def _walks(runs: list[Run], cases: list[str]) -> list[str]:
    out = []
    for case in cases:
        blocks = []
        for run in runs:
            record = run.cases.get(case)
            if record is None:
                continue
            rows = [
                [
                    _artifact_seed(record, i),
                    code(a["walk_from_a"]) if a.get("walk_from_a") else DASH,
                    code(a["walk_from_k"]) if a.get("walk_from_k") else DASH,
                ]
                for i, a in enumerate(record.artifacts())
                if a.get("walk_from_a") or a.get("walk_from_k")
            ]
            if rows:
                blocks += [
                    f"**{run.label}**",
                    "",
                    table(["seed", "from A after a reset", "from K after a reset"], rows),
                    "",
                ]
        if not blocks:
            continue
        figures_text = []
        record = next(r.cases[case] for r in runs if case in r.cases)
        for claim_id, verdict in record.verdicts.items():
            if verdict.get("source_figure"):
                figures_text.append(f"`{claim_id}`: {verdict['source_figure']}")
        out += [f"### {case}", ""]
        if figures_text:
            out += ["Source figures: " + "; ".join(figures_text), ""]
        out += blocks
    if not out:
        return []
    intro = (
        "Each trained model is reset, fed a letter, then fed back its own prediction. From A it should walk the "
        "alphabet; from K the source's model answered as if it were at the start (K->B)."
    )
    return ["## Stateful: walking from A and from K", "", intro, "", *out]


def _samples(runs: list[Run], cases: list[str]) -> list[str]:
    out = []
    for case in cases:
        for run in runs:
            record = run.cases.get(case)
            if record is None:
                continue
            for i, artifact in enumerate(record.artifacts()):
                samples = artifact.get("samples")
                if isinstance(samples, str):
                    samples = {"": samples}
                elif isinstance(samples, list):
                    samples = {str(k): v for k, v in enumerate(samples)}
                if not isinstance(samples, dict) or not samples:
                    continue
                out += [f"### {case}: {run.label}, seed {_artifact_seed(record, i)}", ""]
                for temperature, text in samples.items():
                    if temperature != "":
                        out += [f"temperature {temperature}:", ""]
                    out += [_fence(str(text)), ""]
    return ["## Generated text samples", "", *out] if out else []


def _forecasts(runs: list[Run], cases: list[str], figs: Gallery) -> list[str]:
    out = []
    for case in cases:
        rows, present = [], False
        for run in runs:
            record = run.cases.get(case)
            for i, artifact in enumerate(record.artifacts() if record else []):
                fc, truth = numbers(artifact.get("forecast")), numbers(artifact.get("truth"))
                present = present or bool(fc or truth)
                n = min(len(fc), len(truth))
                if n:
                    rmse = (sum((fc[k] - truth[k]) ** 2 for k in range(n)) / n) ** 0.5
                    rows.append([run.label, _artifact_seed(record, i), n, num(rmse)])
        if not present:
            continue
        out += [f"### {case}", ""]
        out += figs.add(f"forecast-{slug(case)}.png", f"forecast vs truth for {case}", figures.forecast, case, runs)
        if rows:
            out += [table(["run", "seed", "steps", "RMSE vs truth"], rows, "llrr"), ""]
    return ["## Forecasts", "", *out] if out else []


def _trailing(runs: list[Run], cases: list[str], figs: Gallery) -> list[str]:
    out = []
    for case in cases:
        per_run = []
        for run in runs:
            record = run.cases.get(case)
            artifacts = record.artifacts() if record else []
            tables = [figures.trailing_table(a.get("error_by_trailing_ones")) for a in artifacts]
            per_run.append([t for t in tables if t])
        keys = sorted({k for tables in per_run for t in tables for k in t})
        if not keys:
            continue
        rows = []
        for k in keys:
            row: list[Any] = [k]
            for tables in per_run:
                rates = [t[k] for t in tables if k in t]
                row.append(num(sum(rates) / len(rates), 3) if rates else DASH)
            rows.append(row)
        headers = ["trailing ones", *[f"{r.label}: mean error rate" for r in runs]]
        out += [f"### {case}", ""]
        name, alt = f"trailing-ones-{slug(case)}.png", f"error rate by trailing ones for {case}"
        out += figs.add(name, alt, figures.trailing_ones, case, runs)
        out += [table(headers, rows, "r" * len(headers)), ""]
    return ["## Binary increment: errors by trailing ones", "", *out] if out else []


def _other_artifacts(runs: list[Run], cases: list[str]) -> list[str]:
    rows = []
    for case in cases:
        for run in runs:
            record = run.cases.get(case)
            for i, artifact in enumerate(record.artifacts() if record else []):
                for key, value in artifact.items():
                    if key in KNOWN_ARTIFACTS:
                        continue
                    if isinstance(value, (str, int, float, bool)) or value is None:
                        text = str(value)
                        shown = code(text[:300] + ("…" if len(text) > 300 else ""))
                    else:
                        shown = (
                            f"not rendered ({type(value).__name__} of {len(value)})"
                            if hasattr(value, "__len__")
                            else "not rendered"
                        )
                    rows.append([code(case), run.label, _artifact_seed(record, i), code(key), shown])
    if not rows:
        return []
    return ["## Other artifacts", "", table(["case", "run", "seed", "artifact", "value"], rows), ""]


def artifact_sections(runs: list[Run], cases: list[str], figs: Gallery) -> list[str]:
    """Every artifact view, in report order."""
    return [
        *_walks(runs, cases),
        *_samples(runs, cases),
        *_forecasts(runs, cases, figs),
        *_trailing(runs, cases, figs),
        *_other_artifacts(runs, cases),
    ]
