"""End to end: `pytest bench` on one cheap case writes a complete result JSON (~30 s)."""

import json
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent
STACK_KEYS = {"tensorflow_version", "keras_version", "keras_major", "backend", "numpy_version", "python_version"}


@pytest.fixture(scope="module")
def bench_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench") / "not-yet" / "results.json"  # the folder is created
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "pytest", str(ROOT / "bench"), "-p", "no:cacheprovider", "-q",
         "--case", "batch_state", "--seeds", "2", "--seed-base", "3", "--benchmark-json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    return proc, out


def test_run_passes_and_writes_json_whole(bench_run):
    proc, out = bench_run
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert out.exists()
    assert not list(out.parent.glob(".*.tmp")), "temp file left behind"
    assert "profile quick, seeds [3, 4]" in proc.stdout


def test_benchmarks_carry_their_case_and_the_record_carries_the_rest(bench_run):
    _, out = bench_run
    data = json.loads(out.read_text())
    names = sorted(b["name"] for b in data["benchmarks"])
    assert names == [
        "test_inference[batch_state-predict]",
        "test_inference[batch_state-single_call]",
        "test_train[batch_state]",
        "test_train_step[batch_state]",
    ]
    kinds = sorted(b["extra_info"]["kind"] for b in data["benchmarks"])
    assert kinds == ["predict", "single_call", "train", "train_step"]
    assert all(b["extra_info"]["case"] == "batch_state" for b in data["benchmarks"])
    train = next(b for b in data["benchmarks"] if b["group"] == "train")
    assert train["stats"]["rounds"] == 2  # one timed round per seed
    for steady in (b for b in data["benchmarks"] if b["group"] != "train"):
        info = steady["extra_info"]
        assert steady["stats"]["rounds"] == info["rounds_per_process"] == 6 and info["warmup"] == 2
        assert info["processes"] == 2 and len(info["other_process_rounds"]) == 1
        assert len(info["other_process_rounds"][0]) == 6 and info["process_spread"] >= 1
    step = next(b for b in data["benchmarks"] if b["group"] == "train_step")["extra_info"]
    assert step["units"] == "steps" and step["steps_per_round"] == step["full_units"] == 100  # one pass
    run = data["lstm_bench"]
    assert run["timing"]["threads"] == 1 and run["timing"]["processes"] == 2 and run["timing"]["slowdown"] == {}
    assert run["schema"] == 1 and run["profile"] == "quick" and run["seeds"] == [3, 4] and run["seed_base"] == 3
    assert set(run["stack"]) >= STACK_KEYS
    assert list(run["cases"]) == ["batch_state"]
    case = run["cases"]["batch_state"]
    assert case["seeds"] == [3, 4] and len(case["metrics"]["accuracy"]) == 2
    assert case["verdicts"]["reaches_100"]["status"] in ("pass", "fail")
    assert case["verdicts"]["reaches_100"]["source_figure"] == "100.00% (000)"
    for per_seed in ("history", "artifacts", "peak_rss_mb", "first_epoch_seconds", "train_seconds"):
        assert len(case[per_seed]) == 2, per_seed
    assert case["recipe"]["batch_size"] is None and case["expected"]["total_params"] > 0
