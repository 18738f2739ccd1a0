"""The report generator (``python -m reports``), on small hand-made result files."""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from lstm_cases.record import atomic
from lstm_cases.record.load import InputError, load_run, stack_label
from reports.cli import main

STACK_221 = {
    "tensorflow_version": "2.21.0",
    "keras_version": "3.15.0",
    "keras_major": 3,
    "backend": "tensorflow",
    "legacy_keras": False,
    "numpy_version": "2.1.3",
    "python_version": "3.11.9",
}
STACK_215 = {**STACK_221, "tensorflow_version": "2.15.1", "keras_version": "2.15.0", "keras_major": 2}


def noisy(center: float, n: int, rel_sd: float = 0.01, seed: int = 0) -> list[float]:
    rng = random.Random(seed)
    return [center * (1 + rng.gauss(0, rel_sd)) for _ in range(n)]


def stats(data: list[float]) -> dict:
    s = sorted(data)
    n = len(s)
    median = s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2
    return {
        "min": s[0],
        "max": s[-1],
        "mean": sum(s) / n,
        "stddev": 0.0,
        "median": median,
        "iqr": s[(3 * n) // 4] - s[n // 4],
        "rounds": n,
        "ops": n / sum(s),
        "data": data,
    }


@dataclass
class Case:
    """One case of a hand-made result file: its ``lstm_bench.cases`` entry and its benchmark records."""

    name: str
    info: dict
    benchmarks: list[dict]


Rounds = list[float] | list[list[float]]  # one process's rounds, or every process's (the first is stats.data)


def _steady_bench(case: str, kind: str, name: str, rounds: Rounds) -> dict:
    processes = rounds if rounds and isinstance(rounds[0], list) else [rounds]
    info = {"case": case, "kind": kind, "other_process_rounds": processes[1:], "rounds_per_process": len(processes[0])}
    info["plan_fingerprint"] = f"plan-of-{kind}"  # schema 2: both sides of a comparison timed the same plan
    if kind == "train_step":
        info.update(units="steps", steps_per_round=50)
    return {"name": name, "group": kind, "stats": stats(processes[0]), "extra_info": info}


def make_case(
    case: str,
    *,
    train: list[float] | None = None,
    step: Rounds | None = None,
    predict: Rounds | None = None,
    single: Rounds | None = None,
    claims: dict | None = None,
    artifacts: list[dict] | None = None,
    epochs: int = 10,
    batch_size: int | None = 1,
    samples: int = 25,
) -> Case:
    """One case: its record and its four benchmarks (train: the whole recipe; train_step, predict, single_call:
    steady state, 16 rounds by default), as schema 1 writes them."""
    train = train if train is not None else [2.0, 2.1, 1.9]
    n_seeds = len(train)
    seeds = list(range(n_seeds))
    claims = claims if claims is not None else {"source_accuracy": ("pass", [0.9, 1.0, 0.95][:n_seeds] or [1.0])}
    accuracy = next(iter(claims.values()))[1] if claims else None
    info = {
        "family": "alphabet",
        "source": f"source of {case}",
        "notes": "",
        "seeds": seeds,
        "metrics": {"accuracy": accuracy} if accuracy else {},
        "verdicts": {
            cid: {
                "status": status,
                "rule": "value >= 0.9 on every seed",
                "detail": f"values {values}",
                "values": values,
                "source_figure": "100.00% (000)",
                "reason": "known on Keras 2" if status == "xfail" else "",
            }
            for cid, (status, values) in claims.items()
        },
        "claims": {
            cid: {
                "text": f"text of {cid}",
                "metric": "accuracy",
                "measured": "min 0.9 / median 1.0",
                "compare_to": None,
            }
            for cid in claims
        },
        "recipe": {
            "epochs": epochs,
            "batch_size": batch_size,
            "optimizer": "adam",
            "learning_rate": 0.001,
            "shuffle": True,
            "fit_per_epoch": False,
            "reset_state_each_epoch": False,
            "fast_input": True,
            "changes": "fewer epochs",
        },
        "train_seconds": train,
        "expected": {"input_shape": [samples, 1, 1], "target_shape": [samples, 26], "total_params": 100},
        "history": [
            {
                "loss": [3.0 / (e + 1 + s) for e in range(epochs)],
                "accuracy": [min(1.0, 0.1 * (e + s)) for e in range(epochs)],
            }
            for s in seeds
        ],
        "artifacts": artifacts if artifacts is not None else [{} for _ in seeds],
    }
    benchmarks = [
        {
            "name": f"test_train[{case}]",
            "group": "train",
            "stats": stats(train),
            "extra_info": {"case": case, "kind": "train"},
        },
        _steady_bench(case, "train_step", f"test_train_step[{case}]", step or noisy(0.1, 16, seed=7)),
        _steady_bench(case, "predict", f"test_inference[{case}-predict]", predict or noisy(0.02, 16)),
        _steady_bench(case, "single_call", f"test_inference[{case}-single_call]", single or noisy(0.002, 16)),
    ]
    return Case(case, info, benchmarks)


def result_doc(*cases: Case, stack: dict = STACK_221, profile: str = "quick") -> dict:
    """A schema-1 result document holding the cases."""
    seeds = cases[0].info["seeds"] if cases else [0, 1, 2]
    return {
        "machine_info": {"cpu": {"brand_raw": "Test CPU", "count": 2}, "system": "Linux", "release": "6.1"},
        "commit_info": {"id": "0123456789abcdef", "dirty": False},
        "benchmarks": [b for case in cases for b in case.benchmarks],
        "datetime": "2025-11-23T10:00:00.000000+00:00",
        "version": "5.3.1",
        "lstm_bench": {
            "schema": 2,
            "stack": stack,
            "profile": profile,
            "seeds": seeds,
            "seed_base": 0,
            "xdist_workers": None,
            "cases": {case.name: case.info for case in cases},
        },
    }


def write_result(path: Path, *cases: Case, stack: dict = STACK_221, profile: str = "quick") -> Path:
    path.write_text(json.dumps(result_doc(*cases, stack=stack, profile=profile)))
    return path


def run_report(capsys, out: Path, *files: Path, expect: int = 0, figures: bool = False) -> str:
    """Run the command in-process; the README's text, or stderr when it should fail.
    Figures are drawn only where a test looks at them (they are most of the run time)."""
    code = main([str(f) for f in files] + ["-o", str(out)] + ([] if figures else ["--no-figures"]))
    captured = capsys.readouterr()
    assert code == expect, captured.err
    return table_text((out / "README.md").read_text()) if expect == 0 else captured.err


def table_text(text: str) -> str:
    """The report with runs of spaces as one: tabulate pads table cells to their column's width."""
    return re.sub(r" {2,}", " ", text)


def row(text: str, *cells: str) -> str:
    """The one table row that contains every cell."""
    rows = [line for line in text.splitlines() if line.startswith("|") and all(c in line for c in cells)]
    assert len(rows) == 1, (cells, rows)
    return rows[0]


# --------------------------------------------------------------------------- one run


def test_single_run_tables_hold_the_right_values(tmp_path, capsys):
    one_char = make_case("one_char", train=[2.0, 3.0, 4.0], claims={"mediocre_band": ("pass", [0.5, 0.7, 0.9])})
    stateful = make_case("stateful", claims={"reaches_100": ("xfail", [0.8, 0.8, 0.8])}, batch_size=None)
    result = write_result(tmp_path / "run.json", one_char, stateful)
    text = run_report(capsys, tmp_path / "out", result, figures=True)

    assert "tf2.21/keras3/tensorflow" in text and "Test CPU, 2 cores" in text
    assert "pytest bench --profile quick --case ID --seeds 1 --seed-base SEED" in text
    claim = row(text, "`one_char`", "`mediocre_band`")
    assert "| 3 | 0.7 | 0.2 | 0.5 | 0.9 |" in claim and claim.endswith("| pass |")
    assert "expected fail: known on Keras 2" in row(text, "`stateful`", "`reaches_100`")
    assert row(text, "`one_char`", "| 2.01 ms |")  # steady: ~0.1 s per round of 50 steps
    assert row(text, "`one_char`", "| 12 ms |")  # whole recipe: 3 s / (10 epochs x 25 steps)
    assert row(text, "`stateful`", "| 200 ms |")  # null batch: one step per epoch, 2 s / 10 steps
    assert "Comparison" not in text and "Headline" not in text

    out = tmp_path / "out"
    pngs = sorted(p.name for p in out.glob("*.png"))
    assert pngs == ["curves-one_char.png", "curves-stateful.png", "timings.png"]
    for name in pngs:
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f"]({name})" in text
    assert sorted(p.name for p in out.iterdir()) == sorted([*pngs, "README.md"])  # no temp files left

    text_only = run_report(capsys, tmp_path / "text-only", result)
    assert "![" not in text_only and not list((tmp_path / "text-only").glob("*.png"))


def test_a_minimal_schema_1_file_gives_a_report(tmp_path, capsys):
    bench = {"name": "test_train[x]", "stats": {"median": 1.5}, "extra_info": {"case": "x", "kind": "train"}}
    result = tmp_path / "minimal.json"
    result.write_text(json.dumps({"benchmarks": [bench], "lstm_bench": {"schema": 1, "cases": {"x": {}}}}))
    text = run_report(capsys, tmp_path / "out", result)
    assert "skipped: no claims recorded for this case" in row(text, "`x`", "skipped")
    assert "1.5 s" in row(text, "`x`", "1.5 s")
    assert "no train_step, predict, single_call benchmark(s)" in text
    assert "?/keras?/?" in text  # no stack recorded: the label says so


def test_a_claims_only_run_loads_and_reports_its_claims(tmp_path, capsys):
    doc = result_doc(make_case("one_char", claims={"band": ("pass", [0.8, 0.85, 0.9])}), make_case("stateful"))
    doc["benchmarks"] = []  # e.g. pytest bench --benchmark-disable
    path = tmp_path / "claims-only.json"
    path.write_text(json.dumps(doc))
    run = load_run(path)
    assert list(run.cases) == ["one_char", "stateful"] and not run.has_benchmarks
    assert run.cases["one_char"].verdicts["band"]["status"] == "pass"
    assert run.cases["one_char"].samples("train") is None
    text = run_report(capsys, tmp_path / "out", path)
    assert row(text, "`one_char`", "`band`").endswith("| pass |")
    assert "no benchmarks (a claims-only run): no timings" in text


@pytest.mark.parametrize(
    ("edit", "found"),
    [
        (lambda d: d.pop("lstm_bench"), "schema 'none' (written by an older lstm-bench)"),
        (lambda d: d["lstm_bench"].update(schema=3), "schema 3;"),
        (lambda d: d["lstm_bench"].update(schema="1"), "schema '1';"),
        (lambda d: d["lstm_bench"].pop("schema"), 'schema \'none\' ("lstm_bench" has no "schema")'),
        (lambda d: d.update(lstm_bench=[1]), "schema 'none' (\"lstm_bench\" is not an object)"),
    ],
)
def test_a_file_of_another_schema_is_refused_in_one_line(tmp_path, capsys, edit, found):
    doc = result_doc(make_case("one_char"))
    edit(doc)
    path = tmp_path / "other.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(InputError) as raised:
        load_run(path)
    assert str(raised.value).startswith(f"{path}: lstm-bench result schema ")
    assert found in str(raised.value) and str(raised.value).endswith("; this version reads schemas 1, 2")
    err = run_report(capsys, tmp_path / "out", path, expect=2)
    assert err == f"python -m reports: error: {raised.value}\n"


def test_an_old_schema_0_file_is_refused_naming_the_file_and_schema(tmp_path):
    """As lstm-bench wrote it before schema 1: everything in machine_info and in every benchmark's extra_info."""
    old = tmp_path / "old.json"
    bench = {"name": "test_train[one_char]", "group": "train", "stats": stats([1.0, 1.1, 0.9])}
    bench["extra_info"] = {"case": "one_char", "kind": "train", "seeds": [0, 1, 2], "verdicts": {}}
    machine_info = {"lstm_bench": {**STACK_221, "profile": "quick", "seeds": [0, 1, 2]}}
    old.write_text(json.dumps({"machine_info": machine_info, "benchmarks": [bench]}))
    with pytest.raises(InputError) as raised:
        load_run(old)
    assert str(raised.value) == (
        f"{old}: lstm-bench result schema 'none' (written by an older lstm-bench); this version reads schemas 1, 2"
    )


def test_stack_label_is_pure_and_covers_every_stack():
    assert stack_label(STACK_221) == "tf2.21/keras3/tensorflow"
    assert stack_label({**STACK_221, "tensorflow_version": None, "backend": "jax"}) == "no-tf/keras3/jax"
    legacy = {**STACK_221, "keras_major": 2, "keras_version": "2.21.0", "legacy_keras": True}
    assert stack_label(legacy) == "tf2.21/keras2/tensorflow+tf_keras"
    assert stack_label({"tensorflow_version": "2.15.1", "keras_version": "2.15.0"}) == "tf2.15/keras2/?"
    assert stack_label({}) == "?/keras?/?"


def _set(doc: dict, path: tuple, value) -> None:
    for key in path[:-1]:
        doc = doc[key]
    doc[path[-1]] = value


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("benchmarks", 0, "stats"), None),
        (("benchmarks", 0, "stats", "rounds"), float("nan")),
        (("benchmarks", 0, "stats", "data"), [1.0, "x", None]),
        (("benchmarks", 0, "extra_info", "kind"), "odd"),
        (("benchmarks", 0, "extra_info", "case"), "not_in_cases"),
        (("lstm_bench", "seeds"), [float("nan"), 1]),
        (("lstm_bench", "stack"), None),
        (("lstm_bench", "cases", "one_char", "verdicts", "source_accuracy", "status"), {"odd": 1}),
        (("lstm_bench", "cases", "one_char", "verdicts", "source_accuracy", "values"), [float("nan"), 0.5]),
        (("lstm_bench", "cases", "one_char", "recipe", "epochs"), float("nan")),
        (("lstm_bench", "cases", "one_char", "history"), [{"loss": [1.0, None, "x"]}, None, 3]),
        (("lstm_bench", "cases", "one_char", "artifacts"), [{"samples": 3, "forecast": "x", "walk_from_a": 5}]),
        (("lstm_bench", "cases", "one_char", "peak_rss_mb"), ["x", -1]),
        (("machine_info",), "not a dict"),
    ],
)
def test_odd_values_in_a_valid_file_still_give_a_report(tmp_path, capsys, path, value):
    doc = result_doc(make_case("one_char"))
    _set(doc, path, value)
    odd = tmp_path / "odd.json"
    odd.write_text(json.dumps(doc))
    good = write_result(tmp_path / "good.json", make_case("one_char"))
    assert "`one_char`" in run_report(capsys, tmp_path / "out", good, odd)


# --------------------------------------------------------------------------- comparisons


def test_a_claim_that_passes_in_a_and_fails_in_b_is_flagged(tmp_path, capsys):
    a = write_result(tmp_path / "a.json", make_case("one_char", claims={"band": ("pass", [0.8, 0.85, 0.9])}))
    b = write_result(tmp_path / "b.json", make_case("one_char", claims={"band": ("fail", [0.4, 0.5, 0.6])}))
    text = run_report(capsys, tmp_path / "out", a, b)
    line = row(text, "`one_char`", "`band`", "VERDICT WORSE")
    assert "**VERDICT WORSE (pass -> FAIL)**; per-seed mean 0.85 -> 0.5 (diff -0.35, Mann-Whitney p=0.1)" in line
    assert "| 0.85 (pass) |" in line and "| 0.5 (FAIL) |" in line
    assert "1 regression(s)" in text and "- **VERDICT WORSE** `one_char` claim `band`: " in text
    # the same labels get the file stem to tell them apart
    assert "tf2.21/keras3/tensorflow (a)" in text and "tf2.21/keras3/tensorflow (b)" in text


def test_mismatched_cases_are_named_in_a_note(tmp_path, capsys):
    a = write_result(tmp_path / "a.json", make_case("one_char"), make_case("stateful"))
    b = write_result(tmp_path / "b.json", make_case("one_char"), stack=STACK_215)
    text = run_report(capsys, tmp_path / "out", a, b)
    notes = text.split("## Notes", 1)[1].split("\n## ", 1)[0]
    assert "`b.json` (tf2.15/keras2/tensorflow) has no results for case(s) `stateful`" in notes
    assert "| 0.95 (pass) | — | not in both runs |" in row(text, "`stateful`", "`source_accuracy`", "not in both runs")


def test_a_changed_recipe_and_commit_are_noted(tmp_path, capsys):
    a = write_result(tmp_path / "a.json", make_case("one_char", epochs=10))
    doc = result_doc(make_case("one_char", epochs=20))
    doc["commit_info"]["id"] = "fedcba9876543210"
    b = tmp_path / "b.json"
    b.write_text(json.dumps(doc))
    text = run_report(capsys, tmp_path / "out", a, b)
    assert "Case `one_char` was trained with a different recipe than in tf2.21/keras3/tensorflow (a): " in text
    assert "epochs 10 -> 20" in text and "different commits of the suite" in text
    assert "**recipe differs**" in row(text, "`one_char`", "| 2 s (3) |", "recipe differs")


# --------------------------------------------------------------------------- artifacts


def test_artifacts_are_printed_and_plotted(tmp_path, capsys):
    walks = [{"walk_from_a": "A->B, B->C", "walk_from_k": "K->B, B->C"} for _ in range(3)]
    gen = [{"samples": {"0.5": "hello ``` world", "1.0": "hi"}, "note": "free text"}, {}, {}]
    sine = [{"forecast": [0.0, 0.5, 1.0], "truth": [0.0, 0.6, 0.9]}, {}, {}]
    binary = [{"error_by_trailing_ones": {"0": 0.0, "1": 0.1, "3": 0.5}} for _ in range(3)]
    cases = [make_case("stateful", artifacts=walks), make_case("text", artifacts=gen)]
    cases += [make_case("sine", artifacts=sine), make_case("binary", artifacts=binary)]
    text = run_report(capsys, tmp_path / "out", write_result(tmp_path / "r.json", *cases), figures=True)
    assert "| 0 | `A->B, B->C` | `K->B, B->C` |" in text
    assert "temperature 0.5:" in text and "````text\nhello ``` world\n````" in text
    assert "| 1 | 0.1 |" in text  # error rate by trailing ones
    assert "| tf2.21/keras3/tensorflow | 0 | 3 | 0.08165 |" in text  # forecast RMSE
    assert "`note` | `free text`" in text
    assert "![forecast vs truth for sine](forecast-sine.png)" in text
    for name in ("forecast-sine.png", "trailing-ones-binary.png"):
        assert (tmp_path / "out" / name).stat().st_size > 1000


# --------------------------------------------------------------------------- bad input


def _not_ours(path: Path) -> None:
    bench = {"name": "test_x", "group": None, "stats": stats([1.0]), "extra_info": {}}
    path.write_text(json.dumps({"benchmarks": [bench], "machine_info": {}}))


def _no_cases(path: Path) -> None:
    path.write_text(json.dumps({"benchmarks": [], "lstm_bench": {"schema": 1, "cases": {}}}))


def _benchmarks_not_a_list(path: Path) -> None:
    path.write_text(json.dumps({"benchmarks": {}, "lstm_bench": {"schema": 1, "cases": {"a": {}}}}))


BAD_FILES = [  # (how to make the bad file, the words its one-line error must hold); shared with test_gate
    (None, "no such file"),
    (lambda p: p.write_text("{not json"), "not valid JSON"),
    (lambda p: p.write_bytes(b"\x89PNG\x00\xff\xfe"), "not valid JSON"),
    (lambda p: p.write_text(""), "empty file"),
    (lambda p: p.write_text("[1, 2]"), "not an lstm-bench result file (the top level is a JSON list)"),
    (lambda p: p.write_text('{"machine_info": {}}'), "schema 'none' (no top-level \"lstm_bench\" object"),
    (_not_ours, "schema 'none' (no top-level \"lstm_bench\" object: not an lstm-bench file)"),
    (_no_cases, "without any case"),
    (_benchmarks_not_a_list, "'benchmarks' is not a list"),
    (lambda p: p.mkdir(), "is a directory"),
]


@pytest.mark.parametrize(("make", "problem"), BAD_FILES)
def test_bad_input_exits_2_with_one_line_naming_the_file(tmp_path, capsys, make, problem):
    good = write_result(tmp_path / "good.json", make_case("one_char"))
    bad = tmp_path / "bad.json"
    if make is not None:
        make(bad)
    err = run_report(capsys, tmp_path / "out", good, bad, expect=2)
    assert err.count("\n") == 1 and err.startswith("python -m reports: error: ")
    assert str(bad) in err and problem in err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()  # nothing written


def test_a_structure_the_checks_let_through_is_one_line_and_a_bug_is_a_traceback(tmp_path, capsys, monkeypatch):
    import reports.render

    good = write_result(tmp_path / "good.json", make_case("one_char"))

    def odd_field(*args, **kwargs):
        raise TypeError("'NoneType' object is not iterable")

    monkeypatch.setattr(reports.render, "build_report", odd_field)
    err = run_report(capsys, tmp_path / "out", good, expect=2)
    assert err.count("\n") == 1 and "cannot build a report from these files (TypeError:" in err
    assert "REPORTS_DEBUG=1" in err and not (tmp_path / "out").exists()

    def bug(*args, **kwargs):
        raise RuntimeError("a bug in the report code")

    monkeypatch.setattr(reports.render, "build_report", bug)
    with pytest.raises(RuntimeError, match="a bug"):
        main([str(good), "-o", str(tmp_path / "out")])


def test_load_run_raises_input_error(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        load_run(tmp_path / "nope.json")


def test_output_path_that_is_a_file_is_an_error(tmp_path, capsys):
    good = write_result(tmp_path / "good.json", make_case("one_char"))
    (tmp_path / "out").write_text("x")
    err = run_report(capsys, tmp_path / "out", good, expect=2)
    assert "exists and is not a directory" in err and err.count("\n") == 1


# --------------------------------------------------------------------------- writing


def test_a_failed_write_keeps_the_old_report_and_leaves_no_temp_file(tmp_path, capsys, monkeypatch):
    out = tmp_path / "out"
    good = write_result(tmp_path / "good.json", make_case("one_char"))
    run_report(capsys, out, good)
    before = (out / "README.md").read_text()
    real_replace = os.replace

    def failing_replace(src, dst):
        if str(dst).endswith("README.md"):
            raise OSError(28, "No space left on device", str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "replace", failing_replace)
    other = write_result(tmp_path / "other.json", make_case("one_char", train=[5.0, 5.0, 5.0]))
    err = run_report(capsys, out, other, expect=2)
    assert "No space left on device" in err and err.count("\n") == 1
    assert (out / "README.md").read_text() == before
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_the_module_runs_and_never_imports_tensorflow(tmp_path):
    good = write_result(tmp_path / "good.json", make_case("one_char"))
    probe = (
        "import sys, runpy; sys.argv = ['reports', sys.argv[1], '-o', sys.argv[2]];\n"
        "try: runpy.run_module('reports', run_name='__main__')\n"
        "except SystemExit as e: code = e.code\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras', 'tf_keras'))\n"
        "print('CODE', code, 'FRAMEWORKS', bad)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(good), str(tmp_path / "out")], capture_output=True, text=True, timeout=60
    )
    assert "CODE 0 FRAMEWORKS []" in done.stdout, done.stderr
    assert (tmp_path / "out" / "README.md").exists()


def test_the_rule_options_are_checked_like_the_gates(tmp_path, capsys):
    good = write_result(tmp_path / "good.json", make_case("one_char"))

    def err(*options: str) -> str:
        assert main([str(good), "-o", str(tmp_path / "out"), *options]) == 2
        text = capsys.readouterr().err
        assert text.count("\n") == 1 and text.startswith("python -m reports: error: ")
        return text

    assert "--ratio is now --factor" in err("--ratio", "1.2")
    assert "--ratio is now --factor" in err("--ratio=1.2")
    assert "--factor must be > 1, got 0.9" in err("--factor", "0.9")
    assert "--alpha must be between 0 and 1, got 2.0" in err("--alpha", "2")
    assert f"{tmp_path / 'noise.json'}: no such file" in err("--noise", str(tmp_path / "noise.json"))
    assert not (tmp_path / "out").exists()
