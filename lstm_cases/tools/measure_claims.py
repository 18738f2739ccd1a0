"""Measure cases over many seeds: the distributions claim thresholds are set from.

    python -m lstm_cases.tools.measure_claims --profile quick --seeds 10 [--case ID ...] [--write] [--out FILE]
    python -m lstm_cases.tools.measure_claims ... --shard K/N --out share-K.json     # one machine's share
    python -m lstm_cases.tools.measure_claims --join share-*.json --out FILE         # the shares as one file

Prints, per case and metric, min / median / max over the seeds and each claim's verdict
under its current rule. ``--write`` stores every per-seed value in this stack's measurement
file, ``<family's MEASUREMENTS>/<profile>-<stack>.json`` (``lstm_cases/measurements/`` for the
suite's families), with the seeds, commit, date and this command: the file a claim's
``measured_on`` points at. ``--out FILE`` writes to FILE instead.

Seed by seed, resumable: each finished seed is written at once, whole (a crash or a kill loses at
most the seed in progress), and a rerun skips the seeds the file holds already for the same recipe
and model (the recipe and the expected shapes and parameter counts, stored with the entry). Seeds
measured under another recipe or model are never mixed with new ones: that is refused in one line;
``--fresh`` measures the case's entry anew. Other cases' entries stay as they are.
"""

from __future__ import annotations

import argparse
import json
import shlex
import statistics
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from lstm_cases import holdout, provenance
from lstm_cases.core import (
    PROFILES,
    STEADY_EPOCH_SECONDS,
    TRAIN_SECONDS,
    DataError,
    DataUnavailable,
    UnknownNameError,
    seeds_for,
)
from lstm_cases.record.atomic import write_atomic
from lstm_cases.record.merge import RecordMismatch, join_seeds
from lstm_cases.timing_worker import commit_of

PROG = "python -m lstm_cases.tools.measure_claims"
ROOT = Path(__file__).resolve().parents[2]


def _summary(values: list[float]) -> str:
    return f"min {min(values):.4g} / median {statistics.median(values):.4g} / max {max(values):.4g}"


def write_json_atomic(path: Path, payload: object) -> None:
    """Write whole or not at all (serialised first, then lstm_cases.record.atomic's temp-and-rename)."""
    text = json.dumps(payload, indent=1) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, text)


def commit_id() -> str:
    """The checkout's commit (``+dirty`` with uncommitted changes), or ``?`` outside git."""
    return commit_of(ROOT)


def recipe_key(case: Any, profile: str, threads: int | None) -> dict[str, Any]:
    """What the seeds of one entry must share: the profile's recipe (and the case's data version), the
    model's shapes and counts, and the framework's threads (another thread count sums in another order)."""
    return {
        "threads": "default" if threads is None else threads,
        "recipe": provenance.recipe_of(case, profile),
        "expected": case.expected_for(profile).describe(),
    }


def seed_values(run: Any) -> dict[str, Any]:
    """One trained seed's values, as an entry stores them per seed."""
    metrics = {m: run.metrics[m] for m in sorted(run.metrics)}
    metrics[TRAIN_SECONDS] = run.train_seconds
    metrics[STEADY_EPOCH_SECONDS] = run.steady_epoch_seconds
    return {"metrics": metrics, "first_epoch_seconds": run.first_epoch_seconds, "peak_rss_mb": run.peak_rss_mb}


def with_seed(
    entry: dict[str, Any] | None, seed: int, values: dict[str, Any], facts: dict[str, Any], where: str = "entry"
) -> dict:
    """The entry with one more seed, lists kept in seed order (``lstm_cases.record.merge.join_seeds``;
    RecordMismatch naming ``where`` for a seed it holds already); ``facts``: the recipe key, commit, date,
    command."""
    entry = entry or {"seeds": [], "metrics": {}, "first_epoch_seconds": [], "peak_rss_mb": [], "commits": []}
    n = len(entry["seeds"])
    names = sorted(set(entry["metrics"]) | set(values["metrics"]))
    stored = {f"metrics.{m}": entry["metrics"].get(m, [None] * n) for m in names}
    new = {f"metrics.{m}": [values["metrics"].get(m)] for m in names}
    for per_seed in ("first_epoch_seconds", "peak_rss_mb"):
        stored[per_seed], new[per_seed] = entry[per_seed], [values[per_seed]]
    stored["commits"] = entry.get("commits") or [entry.get("commit", "?")] * n
    new["commits"] = [facts["commit"]]  # per seed: the code that measured it
    seeds, joined = join_seeds(where, [(entry["seeds"], stored), ([seed], new)])
    return {
        **entry,
        **facts,
        "seeds": seeds,
        "metrics": {m: joined[f"metrics.{m}"] for m in names},
        **{key: joined[key] for key in ("first_epoch_seconds", "peak_rss_mb", "commits")},
    }


def mixing(entry: dict[str, Any] | None, key: dict[str, Any]) -> str | None:
    """Why stored seeds may not be joined by new ones (another recipe or model), or None."""
    if not entry or not entry.get("seeds"):
        return None
    if entry.get("threads") != key["threads"] and "recipe" in entry:
        return f"its stored seeds were measured with {entry.get('threads')} thread(s), these with {key['threads']}"
    for part in ("recipe", "expected"):
        stored = entry.get(part)
        if stored is None:
            return f"its stored seeds do not say their {part} (measured before seeds were resumable)"
        changed = sorted(k for k in set(stored) | set(key[part]) if stored.get(k) != key[part].get(k))
        if changed:
            return f"its stored seeds were measured under another {part} ({', '.join(changed)} changed)"
    return None


def updated_file(path: Path, profile: str, stack: dict[str, Any], label: str, entries: dict) -> dict[str, Any]:
    """The measurement file with these cases' entries replaced (a new file if none exists); everything
    else it holds (the holdout log) kept."""
    doc = stored_file(path, profile, label)
    cases = {**doc.get("cases", {}), **entries}
    facts = {"format": provenance.FORMAT, "profile": profile, "stack_label": label, "stack": stack}
    return {**doc, **facts, "cases": cases}


def stored_file(path: Path, profile: str, label: str) -> dict[str, Any]:
    """The measurement file as it is (empty when there is none); MeasurementError for another profile or stack."""
    doc = provenance.load(path) if path.exists() else {"format": provenance.FORMAT, "cases": {}}
    if path.exists() and (doc.get("profile"), doc.get("stack_label")) != (profile, label):
        raise provenance.MeasurementError(f"{path}: holds {doc.get('profile')} on {doc.get('stack_label')}")
    return doc


def _seed_line(run: Any) -> str:
    return ", ".join(f"{m} {v:.4g}" for m, v in sorted(run.metrics.items())[:4])


def _check_range_problems(main_file: Path, seeds: tuple[int, int], name: str) -> list[str]:
    """Why the seeds cannot be a new check range of the stack's log (they overlap a range of it)."""
    doc = provenance.load(main_file)
    log = [event for event in doc.get(holdout.LOG_KEY, []) if event.get("file") != name]  # a resumed range: itself
    problems = holdout.log_problems({holdout.LOG_KEY: [*log, {"role": "check", "seeds": list(seeds)}]})
    return [problem.split(": ", 1)[1] for problem in problems]  # without the log's event numbers


def join_files(paths: list[Path]) -> dict[str, Any]:
    """Measurement files of one profile and stack as one: each case's seeds joined in seed order, the
    seeds of one entry measured under one recipe key. MeasurementError (one line) otherwise."""
    docs = [provenance.load(path) for path in paths]
    first = docs[0]
    entries: dict[str, Any] = {}
    for path, doc in zip(paths, docs, strict=True):
        if (doc.get("profile"), doc.get("stack_label")) != (first.get("profile"), first.get("stack_label")):
            raise provenance.MeasurementError(f"{path}: {doc.get('profile')} on {doc.get('stack_label')}, not "
                                              f"{first.get('profile')} on {first.get('stack_label')}")  # fmt: skip
        for case_id, entry in doc["cases"].items():
            key = {part: entry.get(part) for part in ("threads", "recipe", "expected")}
            problem = mixing(entries.get(case_id), key)
            if problem:
                raise provenance.MeasurementError(f"{path}: {case_id}: {problem}")
            for i, seed in enumerate(entry["seeds"]):
                values = {
                    "metrics": {m: v[i] for m, v in entry["metrics"].items()},
                    "first_epoch_seconds": entry["first_epoch_seconds"][i],
                    "peak_rss_mb": entry["peak_rss_mb"][i],
                }
                commit = (entry.get("commits") or [entry.get("commit", "?")] * len(entry["seeds"]))[i]
                facts = {**key, "commit": commit, "date": entry.get("date"), "command": entry.get("command")}
                try:
                    entries[case_id] = with_seed(entries.get(case_id), seed, values, facts, case_id)
                except RecordMismatch as err:  # a seed another file holds too
                    raise provenance.MeasurementError(f"{path}: {err}") from None
    return {**first, "cases": entries}


def _join(parser: argparse.ArgumentParser, paths: list[Path], out: Path | None) -> int:
    if out is None:
        parser.exit(2, "error: --join writes the joined file to --out\n")
    try:
        joined = join_files(paths)
    except provenance.MeasurementError as err:
        parser.exit(2, f"error: {err}\n")
    write_json_atomic(out, joined)
    print(f"joined {len(paths)} files into {out}: {len(joined['cases'])} case(s)")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n")[0])
    parser.add_argument("--profile", default="quick", help=f"one of {', '.join(PROFILES)}")
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--seed-base", type=int, default=0)
    parser.add_argument("--case", action="append", default=[], help="case id (repeatable); default all")
    parser.add_argument("--write", action="store_true", help="store the values in this stack's measurement file")
    parser.add_argument("--out", type=Path, help="write the measurement file here instead")
    parser.add_argument("--fresh", action="store_true", help="measure the cases anew, dropping their stored seeds")
    parser.add_argument(
        "--check-range",
        action="store_true",
        help="the seeds are an unseen check range: write them to a check file beside the stack's and, once "
        "complete, log the range and today's rules in the stack's holdout log (lstm_cases.holdout)",
    )
    parser.add_argument(
        "--shard", help="K/N: measure the K-th of N shares of the (case group, seed) units; needs --out"
    )
    parser.add_argument(
        "--join",
        nargs="+",
        type=Path,
        metavar="FILE",
        help="join the shards' files (or any measurement files) into --out",
    )
    parser.add_argument(
        "--threads", default=None, help="framework threads per pool, as pytest bench's --threads (default 1)"
    )
    args = parser.parse_args(argv)
    if args.join:
        return _join(parser, args.join, args.out)

    from lstm_cases import compat, registry, runner, shards, timing

    try:
        if args.profile not in PROFILES:
            raise UnknownNameError("profile", args.profile, PROFILES)
        cases = registry.select_cases(args.case)
    except UnknownNameError as err:
        parser.exit(2, f"error: {err}\n")
    try:
        threads = timing.parse_threads(args.threads, "--threads")
        timing.apply_threads(threads)  # as the bench judges them: values of one thread count
    except (ValueError, RuntimeError) as err:  # RuntimeError: the framework already runs in this process
        parser.exit(2, f"error: {err}\n")
    folders = sorted({str(registry.measurement_folder(case)) for case in cases})
    if args.write and not args.out and len(folders) > 1:
        by_folder = "; ".join(
            f"{f}: {', '.join(c.id for c in cases if str(registry.measurement_folder(c)) == f)}" for f in folders
        )
        parser.exit(
            2,
            f"error: --write: the cases' measurement files are in {len(folders)} folders ({by_folder}); "
            "measure them one folder at a time\n",
        )
    seeds = seeds_for(args.profile, args.seeds, args.seed_base)
    writing = bool(args.write or args.out)
    stack = compat.stack()
    label = compat.stack_label(stack)
    print(f"# {label}, profile {args.profile}, seeds {seeds}", flush=True)

    commit = commit_id()  # the code this run imports, before anyone edits the checkout
    main_file = provenance.measurement_path(args.profile, label, Path(folders[0]))
    check_range = (seeds[0], seeds[-1]) if args.check_range else None
    if check_range is not None:  # a file of its own beside the stack's, logged in its holdout log when complete
        if not args.write or args.out:
            parser.exit(
                2, "error: --check-range writes a check file beside the stack's file: give --write, not --out\n"
            )
        path: Path | None = main_file.with_name(f"{main_file.stem}.check-{check_range[0]}-{check_range[1]}.json")
        try:
            problems = _check_range_problems(main_file, check_range, path.name)
        except provenance.MeasurementError as err:
            parser.exit(2, f"error: {err}\n")
        if problems:
            parser.exit(2, f"error: --check-range {check_range[0]}-{check_range[1]}: {problems[0]}\n")
    else:
        path = (args.out or main_file) if writing else None
    facts = {
        "commit": commit,
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d"),
        "command": " ".join([PROG, *(shlex.quote(a) for a in argv)]),
    }
    try:
        entries = dict(stored_file(path, args.profile, label).get("cases", {})) if path else {}
    except provenance.MeasurementError as err:
        parser.exit(2, f"error: {err}\n")
    wanted = list(cases)
    for case in cases:  # a paired claim's other case is measured too
        for claim in case.claims:
            wanted += (
                [registry.get_case(claim.compare_to)] if claim.compare_to and claim.judged_in(args.profile) else []
            )
    wanted = list({case.id: case for case in wanted}.values())
    mine = {case.id: list(seeds) for case in wanted}
    if args.shard:  # this machine's share: the shards' files are joined with --join
        try:
            if args.check_range:
                raise ValueError("--shard and --check-range do not combine: a check range is measured whole")
            if not args.out:
                raise ValueError("--shard writes this share to a file of its own: give --out")
            mine = shards.plan(shards.with_partners(wanted), seeds, shards.parse_shard(args.shard))
        except ValueError as err:
            parser.exit(2, f"error: {err}\n")
    skipped: set[str] = set()
    for case in wanted:
        key = recipe_key(case, args.profile, threads)
        if args.fresh:
            entries.pop(case.id, None)
        stored = set(entries.get(case.id, {}).get("seeds", []))
        problem = mixing(entries.get(case.id), key)
        legacy = problem is not None and "before seeds were resumable" in problem
        if problem and (set(mine[case.id]) - stored or not legacy):  # an old entry still reads; it takes no new seeds
            parser.exit(2, f"error: {case.id}: {problem}; --fresh measures it anew, --out NEW.json elsewhere\n")
        if stored & set(seeds):
            print(f"# {case.id}: seeds {sorted(stored & set(seeds))} stored already in {path}: skipped", flush=True)
        for seed in (s for s in mine[case.id] if s not in stored):
            try:
                (run,) = runner.run_case(case, args.profile, [seed]).runs
            except DataUnavailable as err:  # real-scale data not given: say so and go on
                print(f"\n{case.id}: skipped: {err}", flush=True)
                skipped.add(case.id)
                break
            except DataError as err:
                parser.exit(2, f"error: {case.id}: {err}\n")
            entries[case.id] = with_seed(entries.get(case.id), seed, seed_values(run), {**key, **facts})
            print(f"# {case.id} seed {seed}: train s {run.train_seconds:.3g}; {_seed_line(run)}", flush=True)
            if path is not None:  # this seed, whole, before the next begins
                write_json_atomic(path, updated_file(path, args.profile, stack, label, {case.id: entries[case.id]}))

    def values_of(case_id: str, metric: str) -> list[float] | None:
        entry = entries.get(case_id)
        if entry is None or case_id in skipped:
            return None
        return [v for s, v in zip(entry["seeds"], entry["metrics"].get(metric, []), strict=True) if s in seeds]

    for case in [] if args.shard else cases:  # a shard holds some seeds: the joined file is judged
        if case.id in skipped:
            continue
        entry = entries[case.id]
        print(f"\n{case.id}: train s {_summary(values_of(case.id, TRAIN_SECONDS))}")
        firsts = [v for s, v in zip(entry["seeds"], entry["first_epoch_seconds"], strict=True) if s in seeds]
        rss = [v for s, v in zip(entry["seeds"], entry["peak_rss_mb"], strict=True) if s in seeds]
        print(f"  first epoch s {_summary(firsts)}")
        print(f"  peak RSS MB {_summary(rss)}")
        for metric in sorted(m for m in entry["metrics"] if m not in (TRAIN_SECONDS, STEADY_EPOCH_SECONDS)):
            print(f"  {metric}: {_summary(values_of(case.id, metric))}  values {values_of(case.id, metric)}")
        for claim in case.claims:
            if not claim.judged_in(args.profile):
                print(f"  claim {claim.id}: not judged in {args.profile} ({claim.unjudged})")
                continue
            others = values_of(claim.compare_to, claim.metric) if claim.compare_to else None
            if claim.compare_to and others is None:
                print(f"  claim {claim.id}: not judged ({claim.compare_to} was skipped)")
                continue
            verdict = claim.judge(args.profile, values_of(case.id, claim.metric), stack, others)
            print(f"  claim {claim.id}: {verdict.status} ({verdict.detail})")
        sys.stdout.flush()
    if path is not None:
        print(f"\nwrote {len(wanted) - len(skipped)} case(s) to {path}, seed by seed")
    if check_range is not None and path is not None:
        rules = holdout.rules_now(registry.all_cases().values(), args.profile, label)
        unmeasured = sorted({key.split("/")[0] for key in rules} & skipped)
        if unmeasured:  # a case whose thresholds rest on this stack must be in its check range
            parser.exit(2, f"error: {', '.join(unmeasured)} not measured: the check range is not logged\n")
        # the range vouches for the claims whose cases its file holds (a range may measure some cases only)
        rules = holdout.rules_now(registry.all_cases().values(), args.profile, label, provenance.load(path)["cases"])
        doc = provenance.load(main_file)
        log = doc.get(holdout.LOG_KEY, [])
        for earlier in (e for e in log if e.get("role") == "check" and e.get("file") == path.name):
            rules.update(earlier.get("rules", {}))  # a resumed range: what it measured before, under its rule then
        log = [e for e in log if not (e.get("role") == "check" and e.get("file") == path.name)]
        event = holdout.check_event(check_range, path.name, commit, facts["date"], rules)
        write_json_atomic(main_file, {**doc, holdout.LOG_KEY: [*log, event]})
        print(f"logged seeds {check_range[0]}-{check_range[1]} as a check range in {main_file}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
