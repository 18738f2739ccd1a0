"""Do the claims hold for seeds the suite never saw while setting them? Judge every claim on
each disjoint run of seeds that the stored measurements allow, as `pytest bench --seed-base B`
would judge it, and count the false failures.

    python -m lstm_cases.tools.any_seeds                 # print the table (quick, the CI stacks)
    python -m lstm_cases.tools.any_seeds --write         # rewrite docs/any-seeds.md

A run of the quick profile judges 3 seeds (base, base + 1, base + 2); a check range of 30 seeds
is 10 disjoint runs. Each seed of a measurement was trained on its own (a fresh model seeded with
it), so a window of stored seeds gives the verdict that run would give. A false failure is a
verdict of fail or xpass on a stack whose rule says the claim holds (or is an expected failure)
there. The ranges are the check ranges of each stack's holdout log (``lstm_cases.holdout``); a
claim whose rule moved after a range was measured is judged there too, but counted apart: those
seeds were seen.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from lstm_cases import holdout, provenance, registry
from lstm_cases.core import DEFAULT_SEEDS, PROFILES
from lstm_cases.record.schema import FAIL, XPASS

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "any-seeds.md"
PROG = "python -m lstm_cases.tools.any_seeds"


@dataclass(frozen=True)
class Row:
    case: str
    claim: str
    stack: str
    runs: int
    false_failures: int
    failing_bases: tuple[int, ...]
    worst: str  # the detail of the first failing run, or of the run nearest to failing
    seeds: str = ""  # the check range, "A-B"
    unseen: bool = True  # the rule is the one the range was measured under
    bases: tuple[int, ...] = ()  # the first seed of each run judged


def windows(seeds: Sequence[int], size: int) -> list[list[int]]:
    """Disjoint runs of ``size`` consecutive stored seeds: bases 0, size, 2 * size, ..."""
    present = set(seeds)
    bases = range(min(seeds), max(seeds) + 1, size)
    return [list(range(b, b + size)) for b in bases if all(s in present for s in range(b, b + size))]


def judge_file(path: Path, profile: str, within: tuple[int, int] | None = None) -> list[Row]:
    """Every claim on the file's stored seeds (``within``: those of one range only)."""
    doc = provenance.load(path)
    if within is not None:
        doc = _only_seeds(doc, within)
    rows = []
    for case in registry.all_cases().values():
        for claim in case.claims:
            runs = claim_runs(doc, case, claim, profile)
            if runs is not None:
                rows.append(_row(doc, case.id, claim, runs, profile))
    return rows


Run = tuple[list[int], list[float], "list[float] | None"]  # seeds, the claim's values, a paired claim's other's


def claim_runs(doc: dict, case, claim, profile: str) -> list[Run] | None:
    """The claim's stored seeds in a measurement file cut into the disjoint runs ``pytest bench --seed-base B``
    judges; None where the file cannot judge it (the claim is not judged in the profile, its case or partner
    is not measured on the same seeds, the metric is missing, or the seeds were measured on other data or
    under another recipe)."""
    entry = doc["cases"].get(case.id)
    if entry is None or "metrics" not in entry or not entry["seeds"] or not claim.judged_in(profile):
        return None  # not measured here, or (in a range) measured again since on other seeds only
    other = doc["cases"].get(claim.compare_to) if claim.compare_to else None
    if claim.compare_to and (other is None or other.get("seeds") != entry["seeds"]):
        return None
    if any(claim.metric not in e["metrics"] for e in (entry, other) if e is not None):
        return None  # measured before the claim had this metric: nothing to judge on these seeds
    partner = registry.get_case(claim.compare_to) if other is not None else None
    if provenance.measured_elsewhere(case, entry, profile) or (
        partner is not None and provenance.measured_elsewhere(partner, other, profile)
    ):
        return None  # measured on other data or under another recipe: those seeds judge something else
    # a seed measured before the metric existed stores null for it: a run judges only seeds that recorded it
    seeds, values = provenance.recorded(entry["seeds"], entry["metrics"][claim.metric])
    others = None
    if other is not None:
        partner_values = provenance.recorded(other["seeds"], other["metrics"][claim.metric])
        seeds, values, others = provenance.on_shared_seeds(seeds, values, *partner_values)
    if not seeds:
        return None
    at = {s: i for i, s in enumerate(seeds)}
    return [
        (run, [values[at[s]] for s in run], None if others is None else [others[at[s]] for s in run])
        for run in windows(seeds, DEFAULT_SEEDS[profile])
    ]


def _only_seeds(doc: dict, within: tuple[int, int]) -> dict:
    low, high = within
    cases = {}
    for case_id, entry in doc["cases"].items():
        if "metrics" not in entry:
            continue
        keep = [i for i, s in enumerate(entry["seeds"]) if low <= s <= high]
        metrics = {m: [values[i] for i in keep] for m, values in entry["metrics"].items()}
        cases[case_id] = {**entry, "seeds": [entry["seeds"][i] for i in keep], "metrics": metrics}
    return {**doc, "cases": cases}


def check_ranges(path: Path, profile: str) -> list[Row]:
    """Every claim on every check range of the stack's holdout log, marked unseen where the range was
    measured under the claim's rule of today."""
    doc = provenance.load(path)
    now = holdout.rules_now(registry.all_cases().values(), profile, doc["stack_label"])
    rows = []
    for event in doc.get(holdout.LOG_KEY, []):
        if event.get("role") != "check":
            continue
        low, high = event["seeds"]
        for row in judge_file(path.with_name(event["file"]), profile, (low, high)):
            key = f"{row.case}/{row.claim}"
            unseen = key in now and event.get("rules", {}).get(key) == now[key]
            rows.append(replace(row, seeds=f"{low}-{high}", unseen=unseen))
    return rows


def _row(doc: dict, case_id: str, claim, runs: Sequence[Run], profile: str) -> Row:
    failing, worst = [], ""
    for run, values, others in runs:
        verdict = claim.judge(profile, values, doc["stack"], others)
        if verdict.status in (FAIL, XPASS):
            failing.append(run[0])
            worst = worst or f"seeds {run[0]}-{run[-1]}: {verdict.status}: {verdict.detail}"
    bases = tuple(run[0] for run, _, _ in runs)
    return Row(case_id, claim.id, doc["stack_label"], len(runs), len(failing), tuple(failing), worst, bases=bases)


def table(rows: Sequence[Row]) -> str:
    lines = [
        "| case | claim | stack | seeds | unseen | runs | false failures | failing seed bases | first failing run |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        bases = ", ".join(map(str, r.failing_bases)) or "-"
        seen = "yes" if r.unseen else "no: the rule moved after"
        lines.append(
            f"| `{r.case}` | `{r.claim}` | {r.stack} | {r.seeds or '-'} | {seen} | {r.runs} | {r.false_failures} "
            f"| {bases} | {r.worst or '-'} |"
        )
    return "\n".join(lines)


def whole_runs(rows: Sequence[Row]) -> str:
    """Per stack and check range, the runs whose every unseen claim held: what ``pytest bench --seed-base B``
    would say of its claims there (a range that holds only some cases judges only their claims)."""
    lines = [
        "| stack | seeds | claims judged | runs | runs with every claim held | bases with a false failure |",
        "|---|---|---|---|---|---|",
    ]
    groups: dict[tuple[str, str], list[Row]] = {}
    for r in rows:
        if r.unseen:
            groups.setdefault((r.stack, r.seeds), []).append(r)
    for (stack, seeds), group in groups.items():
        bases = sorted({b for r in group for b in r.bases})
        failing = sorted({b for r in group for b in r.failing_bases})
        lines.append(
            f"| {stack} | {seeds} | {len(group)} | {len(bases)} | {len(bases) - len(failing)} "
            f"| {', '.join(map(str, failing)) or '-'} |"
        )
    return "\n".join(lines)


def history(files: Sequence[Path]) -> list[str]:
    """Each stack's holdout log, oldest first, in a line per event."""
    lines = []
    for path in files:
        doc = provenance.load(path)
        lines.append(f"- **{doc['stack_label']}**:")
        for event in doc.get(holdout.LOG_KEY, []):
            if event["role"] == "moved":
                after = f"after seeds {event['after'][0]}-{event['after'][1]} were seen" if event.get("after") else ""
                moves = "; ".join(f"`{claim}`: {what}" for claim, what in event["claims"].items())
                lines.append(f"  - moved ({event.get('commit', '?')}) {after}: {moves}. Why: {event.get('why', '?')}")
            else:
                low, high = event["seeds"]
                where = f" in `{event['file']}`" if event.get("file") else ""
                lines.append(f"  - {event['role']}: seeds {low}-{high}{where} ({event.get('commit', '?')})")
    return lines


def page(rows: Sequence[Row], files: Sequence[Path]) -> str:
    unseen = [r for r in rows if r.unseen]
    seen = [r for r in rows if not r.unseen]
    names = ", ".join(f"`{p.name}`" for p in files)
    log = "\n".join(history(files))
    return f"""# Any seeds: do the claims hold for seeds they were not set from?

Generated by `{PROG} --write` from {names} (`lstm_cases/measurements/`) and the check files their
holdout logs name; do not edit by hand.

Every claim judged, as `pytest bench --seed-base B` judges it (3 seeds in the quick profile), on
each disjoint run of the seeds of each check range: seeds measured after the thresholds were set,
never used to set one. Each stack's holdout log (`lstm_cases/holdout.py`), oldest first:

{log}

A rule moved after a range was measured is judged on that range too, but those seeds were seen:
they are counted apart. A range that measured a case under a recipe, or on data, the case no longer
has is left out: it judged what was, not what is (the sentiment cases' ranges before their corpus and
recipe changed; their false failures there are told in docs/findings.md). A check range is measured with
`lstm-bench measure --profile quick --seed-base A --seeds N --check-range --write`, which logs it.

False failures on unseen seeds: **{sum(r.false_failures for r in unseen)}** of
{sum(r.runs for r in unseen)} claim verdicts. On seen seeds (rules moved after the range):
{sum(r.false_failures for r in seen)} of {sum(r.runs for r in seen)}.

Whole runs: a run of 3 seeds is green only when every claim it judges holds. Per check range, the runs
whose every unseen claim held (where a range measured only some cases, only their claims):

{whole_runs(rows)}

{table(rows)}
"""


def default_files(profile: str) -> list[Path]:
    return [provenance.measurement_path(profile, label) for label in provenance.CI_STACKS]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n")[0])
    parser.add_argument("files", nargs="*", type=Path, help="measurement files (default: the CI stacks')")
    parser.add_argument("--profile", default="quick", choices=PROFILES)
    parser.add_argument("--write", action="store_true", help=f"rewrite {DOC.relative_to(ROOT)}")
    args = parser.parse_args(argv)
    files = args.files or default_files(args.profile)
    try:
        rows = [row for path in files for row in check_ranges(path, args.profile)]
    except (provenance.MeasurementError, KeyError, json.JSONDecodeError) as err:
        parser.exit(2, f"{PROG}: error: {err}\n")
    text = page(rows, files)
    if args.write:
        from lstm_cases.record.atomic import write_atomic

        write_atomic(DOC, text)
        unseen = sum(r.false_failures for r in rows if r.unseen)
        print(f"wrote {DOC}: {unseen} false failures on unseen seeds")
    else:
        print(text, end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
