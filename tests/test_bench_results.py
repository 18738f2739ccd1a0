"""End to end: `pytest bench` on one cheap case writes a complete result JSON (~15 s)."""

import json
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent
REQUIRED = {"case", "profile", "seeds", "accuracy", "verdicts", "tensorflow_version", "keras_version", "backend"}


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


def test_every_benchmark_carries_the_required_fields(bench_run):
    _, out = bench_run
    data = json.loads(out.read_text())
    names = sorted(b["name"] for b in data["benchmarks"])
    assert names == [
        "test_inference[batch_state-predict]",
        "test_inference[batch_state-single_call]",
        "test_train[batch_state]",
    ]
    for bench in data["benchmarks"]:
        info = bench["extra_info"]
        assert set(info) >= REQUIRED, REQUIRED - set(info)
        assert info["seeds"] == [3, 4] and len(info["accuracy"]) == 2
        assert info["verdicts"]["reaches_100"]["status"] in ("pass", "fail")
        assert info["verdicts"]["reaches_100"]["source_figure"] == "100.00% (000)"
    train = next(b for b in data["benchmarks"] if b["group"] == "train")
    assert train["stats"]["rounds"] == 2  # one timed round per seed
    assert len(train["extra_info"]["history"]) == 2
    assert len(train["extra_info"]["peak_rss_mb"]) == 2 and len(train["extra_info"]["first_epoch_seconds"]) == 2
    assert data["machine_info"]["lstm_bench"]["profile"] == "quick"
