"""`pytest bench -n N` (pytest-xdist), run in a separate pytest via pytester with tiny fake cases
(a run that writes benchmarks imports TensorFlow in each worker, for the versions: ~10 s)."""

import json

import pytest

from lstm_cases import registry
from lstm_cases.xdist_support import family_of

pytest.importorskip("xdist")
pytest_plugins = ["pytester"]

PLUGIN = ("-p", "lstm_cases.pytest_plugin", "-p", "no:cacheprovider")
# Three families: alphabet (two cases, one claim pairs them), binary_increment, sine_wave.
CASES = ("--case", "feature_window", "--case", "timestep_window", "--case", "binary_increment", "--case", "sine_simple")
CASE_IDS = [c for c in CASES if c != "--case"]
CLAIMS = sum(len(registry.get_case(c).claims) for c in CASE_IDS)
PASSED = 4 + 4 * 2 + CLAIMS  # train per case, inference per case and kind, every claim
BENCHMARKS = 4 + 4 * 2

BENCH = """
import os
import pytest
from lstm_cases import runner

def _where(case):
    with open("where.txt", "a") as fh:
        fh.write(f"{case.family} {case.id} {os.environ.get('PYTEST_XDIST_WORKER', 'serial')}\\n")

def test_train(case, benchmark, case_results):
    _where(case)
    if case.id == os.environ.get("CRASH_ON"):
        os._exit(3)  # the worker dies mid-run
    benchmark.group = "train"
    benchmark.pedantic(sum, args=([1, 2],), rounds=2)
    benchmark.extra_info.update(case=case.id, family=case.family)
    metrics = {claim.metric: 1.0 for claim in case.claims}  # every claim can be judged
    runs = [runner.SeedRun(seed, metrics, {}, {}, 1.0, [1.0], 1.0) for seed in case_results.seeds]
    case_results.put(runner.CaseResult(case.id, case_results.profile, runs, None))

@pytest.mark.parametrize("kind", ["predict", "single_call"])
def test_inference(case, kind, benchmark):
    _where(case)
    benchmark.group = kind
    benchmark.pedantic(sum, args=([1, 2],), rounds=3)
    benchmark.extra_info.update(case=case.id, family=case.family)

def test_claim(case_claim):
    _where(case_claim[0])
"""


def _write_bench(pytester):
    # in a bench/ folder, as the suite's; no `case` mark: no stack versions in the header (no TensorFlow import)
    (pytester.path / "bench").mkdir(exist_ok=True)
    (pytester.path / "bench" / "test_bench.py").write_text(BENCH)


def _bench(pytester, *args, cases=CASES):
    _write_bench(pytester)
    return pytester.runpytest_subprocess(*PLUGIN, *cases, *args)


def _load(path):
    return json.loads(path.read_text())


def test_family_of_reads_the_case_from_the_node_id():
    families = {case.id: case.family for case in registry.all_cases().values()}
    assert family_of("bench/test_training.py::test_train[one_char]", families) == "alphabet"
    assert family_of("bench/test_inference.py::test_inference[sine_simple-predict]", families) == "sine_wave"
    assert family_of("bench/test_claims.py::test_claim[timestep_window-beats_feature_window]", families) == "alphabet"
    assert family_of("tests/test_core.py::test_something", families) is None
    assert family_of("tests/test_core.py::test_p[not_a_case]", families) is None
    # the scheduler looks for a case id between the '-' of a parameter id: none may contain one
    assert not [name for name in families if "-" in name]


def test_every_family_runs_on_one_worker_and_benchmark_disable_writes_a_claims_only_file(pytester):
    target = pytester.path / "n2.json"
    result = _bench(pytester, "-n", "2", "--benchmark-disable", "--benchmark-json", str(target))
    result.assert_outcomes(passed=PASSED)
    workers: dict[str, set[str]] = {}
    for line in (pytester.path / "where.txt").read_text().splitlines():
        family, _case, worker = line.split()
        workers.setdefault(family, set()).add(worker)
    assert set(workers) == {"alphabet", "binary_increment", "sine_wave"}
    assert all(len(w) == 1 and w != {"serial"} for w in workers.values()), workers
    assert len(set().union(*workers.values())) == 2, "both workers got work"
    # no timings, but the workers' records merged into one result file, and the verdicts closing the run
    doc = _load(target)
    assert doc["benchmarks"] == [] and doc["lstm_bench"]["xdist_workers"] == 2
    assert set(doc["lstm_bench"]["cases"]) == {c for c in CASES if c != "--case"}
    assert doc["lstm_bench"]["cases"]["timestep_window"]["verdicts"]["beats_feature_window"]["status"] == "fail"
    assert "benchmarks timed" not in result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            "*= lstm-bench verdicts =*",
            "*timestep_window*0, 1, 2*beats_feature_window (fail)*",
            "lstm-bench: claims only, no timings, from 2 xdist workers, written to *n2.json",
        ]
    )
    assert [p.name for p in pytester.path.glob(".n2.json.*")] == [], "temp files left"


@pytest.mark.parametrize("mode", ["each", "loadfile", "loadscope", "worksteal"])
def test_a_dist_mode_that_splits_families_is_a_one_line_usage_error(pytester, mode):
    result = _bench(pytester, "-n", "2", "--dist", mode)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert result.stderr.lines[0] == (
        f"ERROR: --dist {mode} does not keep a case family on one worker; use --dist loadgroup (or leave --dist out)"
    )
    assert "Traceback" not in result.stderr.str()
    assert not (pytester.path / "where.txt").exists()


def test_any_dist_mode_runs_tests_outside_the_bench_folder(pytester):
    _write_bench(pytester)
    pytester.mkdir("unit")
    (pytester.path / "unit" / "test_unit.py").write_text("def test_one():\n    pass\n\ndef test_two():\n    pass\n")
    result = pytester.runpytest_subprocess(*PLUGIN, "unit", "-n", "2", "--dist", "loadfile")
    result.assert_outcomes(passed=2)
    refused = pytester.runpytest_subprocess(*PLUGIN, "bench/test_bench.py::test_train", "-n", "2", "--dist", "loadfile")
    assert refused.ret == pytest.ExitCode.USAGE_ERROR


def test_minus_n_writes_one_json_with_the_benchmarks_of_a_serial_run(pytester):
    serial, parallel = pytester.path / "out" / "serial.json", pytester.path / "out" / "n2.json"
    _bench(pytester, "--benchmark-json", str(serial)).assert_outcomes(passed=PASSED)
    result = _bench(pytester, "-n", "2", "--benchmark-json", str(parallel))
    result.assert_outcomes(passed=PASSED)
    a, b = _load(serial), _load(parallel)
    assert set(b) == set(a)  # pytest-benchmark's format: machine_info, commit_info, benchmarks, ...
    assert sorted(x["fullname"] for x in b["benchmarks"]) == sorted(x["fullname"] for x in a["benchmarks"])
    assert len(b["benchmarks"]) == BENCHMARKS and all(x["stats"]["rounds"] in (2, 3) for x in b["benchmarks"])
    # one result record of every case, as the serial run's, saying it ran on 2 workers
    assert b["lstm_bench"]["profile"] == "quick" and b["lstm_bench"]["xdist_workers"] == 2
    assert a["lstm_bench"]["xdist_workers"] is None
    assert set(b["lstm_bench"]["cases"]) == set(a["lstm_bench"]["cases"]) == set(CASE_IDS)
    verdicts = {c: r["verdicts"] for c, r in a["lstm_bench"]["cases"].items()}
    assert {c: r["verdicts"] for c, r in b["lstm_bench"]["cases"].items()} == verdicts
    assert {x["extra_info"]["xdist_worker"] for x in b["benchmarks"]} == {"gw0", "gw1"}
    assert not any("xdist_worker" in x["extra_info"] for x in a["benchmarks"])
    assert sorted(p.name for p in (pytester.path / "out").iterdir()) == ["n2.json", "serial.json"], "temp files left"
    out = result.stdout.str()
    assert "benchmark 'train': 4 tests" in out  # the workers' table, shown by the controller
    assert "automatically disabled" not in out
    result.stdout.fnmatch_lines(
        [f"lstm-bench: {BENCHMARKS} benchmarks timed on 2 xdist workers, written to {parallel}; timings under -n *"]
    )


def test_a_crashed_worker_leaves_a_partial_file_not_the_target(pytester, monkeypatch):
    monkeypatch.setenv("CRASH_ON", "binary_increment")
    target = pytester.path / "n2.json"
    result = _bench(pytester, "-n", "2", "--max-worker-restart", "0", "--benchmark-json", str(target))
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert not target.exists()
    partial = _load(pytester.path / "n2.json.partial")
    assert {x["extra_info"]["family"] for x in partial["benchmarks"]} < {"alphabet", "binary_increment", "sine_wave"}
    assert [p.name for p in pytester.path.glob(".n2.json.*")] == [], "temp files left"
    result.stdout.fnmatch_lines(["*written to *n2.json.partial (worker gw* crashed)*"])


def test_one_family_on_two_workers_without_benchmark_json(pytester, monkeypatch):
    """One worker times everything, the other nothing; the table shows, no temp file is left."""
    monkeypatch.setenv("TMPDIR", str(pytester.mkdir("tmp")))
    result = _bench(pytester, "-n", "2", cases=CASES[:4])  # feature_window, timestep_window: alphabet
    alphabet_claims = sum(len(registry.get_case(c).claims) for c in CASE_IDS[:2])
    result.assert_outcomes(passed=2 + 2 * 2 + alphabet_claims)
    result.stdout.fnmatch_lines(
        ["*benchmark 'single_call': 2 tests*", "lstm-bench: 6 benchmarks timed on 2 xdist workers;*"]
    )
    assert list((pytester.path / "tmp").iterdir()) == []
    assert "Not saving anything" not in result.stderr.str() + result.stdout.str()
