"""``lstm-bench examples``: remake the committed examples (``reports/examples/``) from real runs, each with
the commit and the rules it was made by, so that none can go stale unnoticed.

    lstm-bench examples [TARGET ...] [--out reports/examples] [--duets STUDY_DIR] [--matrix TOX_RESULTS]

Targets (default: every one whose inputs are at hand; one named without its inputs is refused in one line):

- ``gate``: three quick runs of a few cases made here (two of the same code, one with its training step
  and inference slowed by half on purpose, ``LSTM_BENCH_SLOWDOWN``), then the report of the first two
  and the sequential gate on both pairs: what a run-against-run gate sees on this machine.
- ``duet``: the gate on the duets of a study folder (``docs/duet-study.sh``: ``aa*.json`` A/A duets,
  ``slow-*.json`` slowed ones), one output per duet, and the report of the first slowed one.
- ``sweeps``: the claim-validity maps, redrawn from the sweep records kept in the example itself.
- ``matrix``: the matrix report of a folder of tox result files (``tox``, then ``--matrix results/tox``),
  each file's claims judged again by today's rules first (the files stay where they are: about 0.5-2 MB
  each), with the two speed figures only.

Each example folder is written whole or not at all (made beside it, then swapped in) and holds
``EXAMPLE.json``: the target, the commit, the date, the commands, and the fingerprint of every rule it
was judged by. ``tests/test_examples.py`` fails when a committed example's fingerprints differ from the
code's: then this command remakes it.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from lstm_cases import registry, sweep_record
from lstm_cases.core import PROFILES
from lstm_cases.record.schema import fingerprint
from lstm_cases.timing_worker import commit_of
from lstm_cases.tools.measure_claims import write_json_atomic
from lstm_cases.xdist_support import bench_folder

PROG = "lstm-bench examples"
ROOT = Path(__file__).resolve().parents[2]
META = "EXAMPLE.json"
GATE_CASES = ("one_char", "stateful", "sine_simple")  # small, and each has all three steady kinds
SLOWDOWN = "train_step:1.5,predict:1.5,single_call:1.5"  # what the sequential gate always sees here


class Refused(Exception):
    """Bad input; ``str()`` is one line naming the thing and the valid choices."""


def claims_fingerprint(profile: str) -> str:
    """Every claim's rule in one profile, as the cases state them now: an example made from quick runs goes
    stale when a quick rule moves, not when a full one does."""
    rules = {
        f"{case.id}/{claim.id}": claim.rules[profile].describe()
        for case in registry.all_cases().values()
        for claim in case.claims
        if profile in claim.rules
    }
    return fingerprint(rules)


def claims_key(profile: str) -> str:
    """The name of a profile's claims fingerprint in ``EXAMPLE.json``'s ``rules``."""
    return f"claims:{profile}"


def rule_fingerprints() -> dict[str, str]:
    """The fingerprint of each rule an example can be judged by (``EXAMPLE.json``'s ``rules``): the
    sequential rule's text, default factors, alpha and confidence; the paired rule's text, factors,
    the repeat's level and confidence; every claim's rule, one fingerprint per profile."""
    from reports import compare, duet

    sequential = (compare.RULE, dict(compare.DEFAULT_FACTORS), compare.DEFAULT_ALPHA, compare.CONFIDENCE)
    return {
        "sequential": fingerprint(*sequential),
        "duet": fingerprint(
            duet.RULE, dict(duet.DUET_FACTORS), duet.AGREE_ALPHA, duet.MOST_PROCESS_PAIRS, duet.CONFIDENCE
        ),
        **{claims_key(profile): claims_fingerprint(profile) for profile in PROFILES},
    }


@dataclass
class Made:
    """What a target made in its folder: the README's lines, the commands it ran, the rules it used."""

    rules: tuple[str, ...]
    lines: list[str] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)

    def ran(self, argv: Sequence[str], status: int, output: Path | None = None) -> None:
        text = " ".join(shlex.quote(a) for a in argv)
        self.commands.append(text)
        where = f": `{output.name}`" if output is not None else ""
        self.lines.append(f"| `{text}` | {status}{where} |")


def call(main: Callable[[list[str]], int], argv: list[str], output: Path | None = None) -> int:
    """A command's main in this process, its standard output kept in ``output`` (or dropped)."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        status = int(main(argv))
    if output is not None:
        output.write_text(buffer.getvalue())
    return status


def bench_run(folder: Path, out: str, cases: Sequence[str], slowdown: str | None = None) -> list[str]:
    """A quick run of the cases from ``folder`` into ``out`` (relative to it), in a subprocess (a fresh
    framework each time); the command, as a user would type it there."""
    argv = ["lstm-bench", "run", "-q", "-p", "no:cacheprovider", *(f"--case={c}" for c in cases)]
    argv += [f"--benchmark-json={out}"]
    env = {k: v for k, v in os.environ.items() if k != "LSTM_BENCH_SLOWDOWN"}
    if slowdown:
        env["LSTM_BENCH_SLOWDOWN"] = slowdown
    storage = Path(tempfile.mkdtemp(prefix="lstm-bench-storage-"))  # pytest-benchmark's own, not the example's
    pytest_argv = [sys.executable, "-m", "pytest", f"--rootdir={bench_folder().parent}", str(bench_folder()),
                   *argv[2:], f"--benchmark-storage={storage}"]  # fmt: skip
    try:
        done = subprocess.run(pytest_argv, env=env, cwd=folder, capture_output=True, text=True)
    finally:
        shutil.rmtree(storage, ignore_errors=True)
    if done.returncode != 0 or not (folder / out).is_file():
        raise Refused(f"the run for the gate example failed (exit {done.returncode}): {done.stdout.strip()[-300:]}")
    return ([f"LSTM_BENCH_SLOWDOWN={slowdown}"] if slowdown else []) + argv


def make_gate(folder: Path, args: argparse.Namespace) -> Made:
    from reports import cli as report_cli
    from reports import gate

    made = Made(rules=("sequential", claims_key("quick")))  # its runs are quick ones
    (folder / "runs").mkdir()
    made.lines += ["| command | exit: output |", "|---|---|"]
    for path, slowdown in (("runs/a1.json", None), ("runs/a2.json", None), ("runs/slowed.json", SLOWDOWN)):
        made.ran(bench_run(folder, path, GATE_CASES, slowdown), 0)
    with contextlib.chdir(folder):  # the outputs name the files as the example's folder holds them
        for argv, output in (
            (["runs/a1.json", "runs/a2.json"], folder / "gate-aa.txt"),
            (["runs/a1.json", "runs/slowed.json"], folder / "gate-slowed.txt"),
        ):
            made.ran(["lstm-bench", "gate", *argv], call(gate.main, argv, output), output)
        report = ["runs/a1.json", "runs/a2.json", "-o", "report"]
        made.ran(["lstm-bench", "report", *report], call(report_cli.main, report))
    made.lines[:0] = [
        "# The sequential gate on real runs",
        "",
        f"Three quick runs of {', '.join(f'`{c}`' for c in GATE_CASES)} on this machine, one after another: two",
        f"of the same code (A/A) and one whose steady-state work was slowed on purpose (`{SLOWDOWN}`).",
        "The gate compares two runs made minutes apart, so it sees a large slowdown, not a small one",
        "(docs/timing.md); the duet example shows the gate for 10% (../duet/).",
        "",
    ]
    return made


def make_duet(folder: Path, args: argparse.Namespace) -> Made:
    from reports import cli as report_cli
    from reports import gate

    study: Path = args.duets
    duets = sorted(study.glob("aa*.json")) + sorted(study.glob("slow-*.json"))
    made = Made(rules=("duet",))
    made.lines += [
        "# The duet gate on a study's duets",
        "",
        f"Every duet of `{study}` (made by `docs/duet-study.sh`; the records are not kept here, about",
        "0.5 MB each), judged by today's paired rule (`reports/duet.py`): A/A duets (both sides the same",
        "installation) must pass; slowed ones (`--slow-head`) must fail and name what was slowed.",
        "",
        "| command | exit: output |",
        "|---|---|",
    ]
    with contextlib.chdir(study):  # the outputs name the duets as the study's folder holds them
        for path in duets:
            output = folder / f"gate-{path.stem}.txt"
            made.ran(["lstm-bench", "gate", path.name], call(gate.main, [path.name], output), output)
        slowed = [p for p in duets if p.name.startswith("slow-")]
        if slowed:
            report = [slowed[0].name, "-o", str(folder / f"report-{slowed[0].stem}")]
            made.ran(["lstm-bench", "report", slowed[0].name, "-o", f"report-{slowed[0].stem}"],
                     call(report_cli.main, report))  # fmt: skip
    return made


def make_sweeps(folder: Path, args: argparse.Namespace) -> Made:
    from reports import sweep_map

    records = sweep_records(args.out / "sweeps")
    profiles: set[str] = set()
    for record in records:  # judged again by today's rules: a rule moved since the sweep ran is the one shown
        doc = json.loads(record.read_text())
        sweep_record.judge(doc["lstm_bench"])
        profiles |= {entry["rule_profile"] for entry in doc["lstm_bench"]["sweeps"].values()}
        write_json_atomic(folder / record.name, doc)
    made = Made(rules=tuple(claims_key(p) for p in sorted(profiles)))
    with contextlib.chdir(folder):  # the maps' README names the records as the example holds them
        status = call(sweep_map.main, [*(r.name for r in records), "-o", "."])
    made.commands.append(" ".join(["lstm-bench", "maps", *(r.name for r in records), "-o", "."]))
    if status != 0:
        raise Refused(f"the maps of {', '.join(r.name for r in records)} could not be drawn (exit {status})")
    return made  # the maps write their own README


def make_matrix(folder: Path, args: argparse.Namespace) -> Made:
    from lstm_cases.recording import RecordMismatch, judge_merged
    from reports import matrix

    try:
        files = matrix.matrix_files(args.matrix, matrix.DEFAULT_BASELINE)
    except ValueError as err:
        raise Refused(str(err)) from None
    judged, profiles = Path(tempfile.mkdtemp(prefix="lstm-bench-matrix-")), set()
    try:
        for path in files:  # judged again by today's claims, as the sweeps are: a verdict moved since is shown
            doc = json.loads(path.read_text())
            try:
                judge_merged(doc["lstm_bench"])
            except RecordMismatch as err:
                raise Refused(f"{path.name}: {err}") from None
            profiles.add(doc["lstm_bench"]["profile"])
            write_json_atomic(judged / path.name, doc)
        status = call(matrix.main, [str(judged), "-o", str(folder), "--speed-figures-only"])
        if status != 0:
            raise Refused(f"the matrix report of {args.matrix} could not be made (exit {status})")
    finally:
        shutil.rmtree(judged, ignore_errors=True)
    made = Made(rules=("sequential", *(claims_key(p) for p in sorted(profiles))))
    made.commands.append(f"lstm-bench matrix {args.matrix} -o . --speed-figures-only  # each file judged again first")
    return made


@dataclass(frozen=True)
class Target:
    make: Callable[[Path, argparse.Namespace], Made]
    needs: Callable[[argparse.Namespace], str | None]  # why its inputs are not at hand, or None


def _needs_duets(args: argparse.Namespace) -> str | None:
    if args.duets is None:
        return "needs a duet study's folder: --duets DIR (docs/duet-study.sh DIR writes it)"
    if not any(args.duets.glob("*.json")):
        return f"--duets {args.duets}: no duet records (*.json) there"
    return None


def sweep_records(folder: Path) -> list[Path]:
    """The sweep records a maps folder keeps (every JSON file there but an example's EXAMPLE.json)."""
    return sorted(p for p in folder.glob("*.json") if p.name != META)


def _needs_sweeps(args: argparse.Namespace) -> str | None:
    return None if sweep_records(args.out / "sweeps") else f"no sweep records in {args.out / 'sweeps'}"


def _needs_matrix(args: argparse.Namespace) -> str | None:
    if args.matrix is None:
        return "needs the stacks' result files: tox, then --matrix results/tox"
    return None if args.matrix.is_dir() else f"--matrix {args.matrix}: not a folder"


TARGETS = {
    "gate": Target(make_gate, lambda args: None),
    "duet": Target(make_duet, _needs_duets),
    "sweeps": Target(make_sweeps, _needs_sweeps),
    "matrix": Target(make_matrix, _needs_matrix),
}


def write_example(out: Path, name: str, made_in: Path, made: Made, rules: dict[str, str]) -> Path:
    """The example's folder swapped in whole: README (where the target wrote none) and EXAMPLE.json."""
    commit = commit_of(ROOT)
    meta = {
        "example": name,
        "commit": commit,
        "made": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": " ".join([PROG, name]),
        "commands": made.commands,
        "rules": {rule: rules[rule] for rule in made.rules},
    }
    if made.lines:
        footer = ["", f"Made by `{PROG} {name}` at commit {commit}; rules: "
                  + ", ".join(f"{k} `{v}`" for k, v in meta["rules"].items()) + f" ({META})."]  # fmt: skip
        (made_in / "README.md").write_text("\n".join(made.lines + footer) + "\n")
    (made_in / META).write_text(json.dumps(meta, indent=2) + "\n")
    made_in.chmod(0o755)  # a temporary folder is the owner's alone; an example is for every reader
    target = out / name
    old = out / f".{name}.old"
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    made_in.rename(target)
    shutil.rmtree(old, ignore_errors=True)
    return target


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n")[0])
    parser.add_argument(
        "targets", nargs="*", metavar="TARGET", help=f"any of {', '.join(TARGETS)} (default: all at hand)"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "reports" / "examples", help="the examples' folder")
    parser.add_argument("--duets", type=Path, default=None, metavar="DIR", help="a duet study's folder")
    parser.add_argument("--matrix", type=Path, default=None, metavar="DIR", help="a folder of tox result files")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    unknown = [t for t in args.targets if t not in TARGETS]
    if unknown:
        print(f"{PROG}: error: unknown target {unknown[0]!r}; valid targets: {', '.join(TARGETS)}", file=sys.stderr)
        return 2
    named = bool(args.targets)
    chosen = args.targets or list(TARGETS)
    rules = rule_fingerprints()
    for name in chosen:
        why = TARGETS[name].needs(args)
        if why and named:
            print(f"{PROG}: error: {name}: {why}", file=sys.stderr)
            return 2
        if why:
            print(f"{PROG}: {name}: skipped: {why}")
            continue
        args.out.mkdir(parents=True, exist_ok=True)
        made_in = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=args.out))
        try:
            made = TARGETS[name].make(made_in, args)
            print(f"{PROG}: {name}: wrote {write_example(args.out, name, made_in, made, rules)}")
        except Refused as err:
            print(f"{PROG}: error: {name}: {err}", file=sys.stderr)
            return 1
        finally:
            shutil.rmtree(made_in, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
