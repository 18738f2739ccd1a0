"""End to end: `pytest bench` on one cheap case writes a complete result JSON, steady-state timings
in two processes included (~30 s); so do a claims-only run and two shards, whose merged file holds
what the whole run holds (~45 s)."""

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lstm_cases.record.load import load_run
from lstm_cases.tools.merge import main as merge_main
from reports.cli import main as report_main

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent
STACK_KEYS = {"tensorflow_version", "keras_version", "keras_major", "backend", "numpy_version", "python_version"}
CASE = ("--case", "one_char", "--seeds", "2", "--seed-base", "3")


def _bench(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pytest", str(ROOT / "bench"), "-p", "no:cacheprovider", "-q", *CASE, *args],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip


@pytest.fixture(scope="module")
def bench_launch(tmp_path_factory):
    """The run, the path of its result file, and when it was started (the epoch clock)."""
    out = tmp_path_factory.mktemp("bench") / "not-yet" / "results.json"  # the folder is created
    started = time.time()
    return _bench("--benchmark-json", str(out), "--progress-after", "0"), out, started


@pytest.fixture(scope="module")
def bench_run(bench_launch):
    proc, out, _started = bench_launch
    return proc, out


def test_run_passes_and_writes_json_whole(bench_run):
    proc, out = bench_run
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert out.exists()
    assert not list(out.parent.glob(".*.tmp")), "temp file left behind"
    assert "profile quick, seeds [3, 4]" in proc.stdout


def test_progress_lines_and_the_verdict_table(bench_run):
    proc, out = bench_run
    lines = proc.stdout.splitlines()
    assert any(line.startswith("lstm-bench: one_char seed 3: epoch ") for line in lines), proc.stdout[-3000:]
    assert "lstm-bench: one_char seed 4: trained " in proc.stdout
    table = lines[lines.index(next(line for line in lines if "lstm-bench verdicts" in line)) + 1 :]
    assert table[0].split()[:6] == ["case", "seeds", "pass", "fail", "xfail", "xpass"]
    assert table[2].split()[:3] == ["one_char", "3,", "4"]
    assert table[3].startswith("1 claims judged: ")
    assert f"lstm-bench: result file written to {out}" in proc.stdout
    assert "null model:" not in proc.stdout  # the self-test's tally, only in a --null-model run
    # the worker takes the list's last case at once; the pytest process reaches it after the contract tests
    assert "lstm-bench: API-path checks: the timing worker decided 1 of 1 case(s) (one_char)" in proc.stdout


def test_benchmarks_carry_their_case_and_the_record_carries_the_rest(bench_run):
    _, out = bench_run
    data = json.loads(out.read_text())
    names = sorted(b["name"] for b in data["benchmarks"])
    assert names == [
        "test_inference[one_char-predict]",
        "test_inference[one_char-single_call]",
        "test_train[one_char]",
        "test_train_step[one_char]",
    ]
    kinds = sorted(b["extra_info"]["kind"] for b in data["benchmarks"])
    assert kinds == ["predict", "single_call", "train", "train_step"]
    assert all(b["extra_info"]["case"] == "one_char" for b in data["benchmarks"])
    assert all(b["params"]["case"] == "one_char" for b in data["benchmarks"])  # not a repr of the Case
    train = next(b for b in data["benchmarks"] if b["group"] == "train")
    assert train["stats"]["rounds"] == 2  # one timed round per seed
    for steady in (b for b in data["benchmarks"] if b["group"] != "train"):
        info = steady["extra_info"]
        assert steady["stats"]["rounds"] == info["rounds_per_process"] == 6 and info["warmup"] == 2
        assert info["processes"] == 2 and len(info["other_process_rounds"]) == 1
        assert len(info["other_process_rounds"][0]) == 6 and info["process_spread"] >= 1
        # the machine's reference before each round, in each process
        assert [len(r) for r in info["reference_rounds"]] == [6, 6] and min(min(info["reference_rounds"])) > 0
    step = next(b for b in data["benchmarks"] if b["group"] == "train_step")["extra_info"]
    assert (
        step["units"] == "steps" and step["steps_per_round"] == step["full_units"] == 250
    )  # one pass: 10 epochs of 25 steps
    run = data["lstm_bench"]
    assert run["timing"]["threads"] == 1 and run["timing"]["processes"] == 2 and run["timing"]["slowdown"] == {}
    assert run["timing"]["reference"].startswith("tanh over")
    assert run["schema"] == 2 and run["profile"] == "quick" and run["seeds"] == [3, 4] and run["seed_base"] == 3
    assert set(run["stack"]) >= STACK_KEYS
    assert list(run["cases"]) == ["one_char"]
    case = run["cases"]["one_char"]
    assert case["seeds"] == [3, 4] and len(case["metrics"]["accuracy"]) == 2
    assert case["verdicts"]["mediocre_band"]["status"] in ("pass", "fail")
    assert case["verdicts"]["mediocre_band"]["source_figure"] == "84.00% (000), 80.00% (003)"
    for per_seed in ("history", "artifacts", "peak_rss_mb", "first_epoch_seconds", "train_seconds"):
        assert len(case[per_seed]) == 2, per_seed
    assert case["recipe"]["batch_size"] == 1 and case["expected"]["total_params"] > 0


def test_a_claims_only_run_writes_a_file_the_report_reads(tmp_path, capsys):
    out = tmp_path / "claims.json"
    proc = _bench("--benchmark-skip", "--seeds", "1", "--benchmark-json", str(out))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert f"lstm-bench: result file (claims only, no timings) written to {out}" in proc.stdout
    run = load_run(out)
    assert not run.has_benchmarks and run.cases["one_char"].verdicts["mediocre_band"]["status"] in ("pass", "fail")
    assert report_main([str(out), "-o", str(tmp_path / "report"), "--no-figures"]) == 0
    assert "no benchmarks (a claims-only run)" in (tmp_path / "report" / "README.md").read_text()


def test_two_shards_merged_hold_the_whole_run(bench_run, tmp_path, capsys):
    _, whole = bench_run
    parts = [tmp_path / f"shard{k}.json" for k in (1, 2)]
    for k, part in enumerate(parts, start=1):
        proc = _bench("--shard", f"{k}/2", "--benchmark-json", str(part))
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert merge_main([*map(str, parts), "-o", str(tmp_path / "merged.json")]) == 0
    a, b = load_run(whole), load_run(tmp_path / "merged.json")
    assert b.record["merged_shards"] == 2 and b.seeds == a.seeds == [3, 4]
    one, two = a.cases["one_char"], b.cases["one_char"]
    assert two.seeds == [3, 4] and two.train.rounds == 2 and sorted(two.benches) == sorted(one.benches)
    # the same seeds train to the same accuracy, and the claim is judged the same on them
    assert two.metric_values("accuracy") == pytest.approx(one.metric_values("accuracy"), abs=0.05)
    assert {k: v["status"] for k, v in two.verdicts.items()} == {k: v["status"] for k, v in one.verdicts.items()}


def test_the_cost_split_adds_up_to_the_wall_time(bench_launch):
    """The run's own split (lstm_cases.record.costs) sums to its wall time, and that wall time is the one a clock
    outside the process sees from the launch to the result file (the record is built right before it)."""
    proc, out, started = bench_launch
    cost = json.loads(out.read_text())["lstm_bench"]["cost"]
    outside = out.stat().st_mtime - started
    parts = sum(cost["measuring"].values()) + sum(cost["harness"].values())
    assert cost["from"] == "process start"
    assert abs(parts - cost["wall_seconds"]) <= 0.05 * cost["wall_seconds"], cost
    assert abs(cost["wall_seconds"] - outside) <= 0.05 * outside, (cost["wall_seconds"], outside)
    assert min(cost["harness"].values()) >= 0 and cost["measuring"]["timed training"] > 0
    assert cost["measuring"]["timed training"] == pytest.approx(
        sum(json.loads(out.read_text())["lstm_bench"]["cases"]["one_char"]["train_seconds"]), abs=1e-3
    )
    assert "lstm-bench: cost: wall " in proc.stdout and "x measuring" in proc.stdout
