"""`pytest bench --shard K/N` and `python -m lstm_cases.tools.merge`: the shares are a partition of the run's
(case, seed) work, paired cases share seeds, and two shards merged give the cases, seeds, values and
verdicts of one unsharded run (fake training via pytester: values depend on the case and seed only)."""

import json

import pytest

from lstm_cases import registry, shards
from lstm_cases.record.load import load_run
from lstm_cases.tools.merge import main as merge_main

pytest_plugins = ["pytester"]

PLUGIN = ("-p", "lstm_cases.pytest_plugin", "-p", "no:cacheprovider")
# Three groups: feature_window + timestep_window + window_non_recurrent (claims pair them), binary_increment,
# sine_simple.
CASES = (
    *("--case", "feature_window", "--case", "timestep_window", "--case", "window_non_recurrent"),
    *("--case", "binary_increment", "--case", "sine_simple"),
)
CASE_IDS = [c for c in CASES if c != "--case"]

# As bench/: a module per concern, the seeds from bench_settings, one timed round per seed. A seed's
# values are a function of the case and the seed, so that a merged run can equal an unsharded one.
BENCH = {
    "test_contract.py": """
import pytest
CONCERN_ORDER = 0
pytestmark = pytest.mark.case

def test_contract(case, bench_settings):
    assert bench_settings.seeds
""",
    "test_training.py": """
import pytest
from lstm_cases import registry, runner
CONCERN_ORDER = 1
pytestmark = pytest.mark.case

def value(case_id, seed):
    return 0.5 + 0.1 * seed + (0.4 if case_id == "timestep_window" else 0.0) - (0.3 if seed == 1 else 0.0)

@pytest.mark.filterwarnings("ignore:Benchmark fixture was not used")
def test_train(case, benchmark, bench_settings, case_results):
    seeds = list(bench_settings.seeds)
    with open("trained.txt", "a") as fh:
        fh.write(" ".join([case.id, *map(str, seeds)]) + "\\n")
    benchmark.group = "train"
    if benchmark.enabled:
        benchmark.pedantic(sum, args=([1, 2],), rounds=len(seeds), iterations=1)
    compared = [c for other in registry.all_cases().values() for c in other.claims if c.compare_to == case.id]
    metrics = {claim.metric: value(case.id, 0) for claim in (*case.claims, *compared)}
    runs = [
        runner.SeedRun(s, {m: value(case.id, s) for m in metrics}, {"walk": f"seed {s}"}, {"loss": [float(s)]},
                       1.0 + s, [1.0, 0.5 + s], 100.0 + s)
        for s in seeds
    ]
    case_results.put(runner.CaseResult(case.id, case_results.profile, runs, None))
    benchmark.extra_info.update(case=case.id, kind="train")
""",
    "test_inference.py": """
import pytest
CONCERN_ORDER = 2
pytestmark = pytest.mark.case

@pytest.mark.parametrize("kind", ["predict", "single_call"])
def test_inference(case, kind, benchmark, case_results):
    case_results.train_missing(case)
    benchmark.group = kind
    benchmark.pedantic(sum, args=([1, 2],), rounds=3)
    benchmark.extra_info.update(case=case.id, kind=kind)
""",
    "test_claims.py": """
import pytest
from lstm_cases import compat
from lstm_cases.results import outcome_for
CONCERN_ORDER = 3
pytestmark = pytest.mark.case

def test_claim(case_claim, case_results):
    case, claim = case_claim
    stack = {"tensorflow_version": "2.21.0", "keras_major": 3, "backend": "tensorflow"}
    outcome_for(case_results.verdict(case, claim, stack), f"{case.id}/{claim.id}")
""",
}


def _write_bench(pytester):
    pytester.makeini("[pytest]\nmarkers =\n    case: a case test\n")
    (pytester.path / "bench").mkdir(exist_ok=True)
    for name, text in BENCH.items():
        (pytester.path / "bench" / name).write_text(text)


def _bench(pytester, *args):
    _write_bench(pytester)
    return pytester.runpytest_subprocess(*PLUGIN, "bench", *CASES, "--seeds", "3", *args)


def _cases():
    return [registry.get_case(c) for c in CASE_IDS]


# --------------------------------------------------------------------------- the plan


def test_the_shares_partition_the_work_and_keep_paired_cases_on_the_same_seeds():
    cases, seeds = shards.with_partners(_cases()), [0, 1, 2, 3, 4]
    for count in (1, 2, 3, 7):
        plans = [shards.plan(cases, seeds, shards.Shard(k, count)) for k in range(1, count + 1)]
        for case in cases:
            assert sorted(s for plan in plans for s in plan[case.id]) == seeds, (count, case.id)
        for plan in plans:
            assert plan["feature_window"] == plan["timestep_window"]
        assert plans == [shards.plan(cases, seeds, shards.Shard(k, count)) for k in range(1, count + 1)]
    two = [shards.plan(cases, [0, 1, 2], shards.Shard(k, 2)) for k in (1, 2)]
    assert two[0]["timestep_window"] == [0, 2] and two[1]["timestep_window"] == [1]  # a group's seeds spread
    assert two[0]["binary_increment"] == [1] and two[1]["binary_increment"] == [0, 2]  # round-robin goes on


def test_a_case_brings_the_cases_its_claims_compare_with():
    # unk compares with maxlen 200, which compares with both SimpleRNNs: partners of partners
    names = [case.id for case in shards.with_partners([registry.get_case("sentiment_unk_maxlen200")])]
    assert names == [
        "sentiment_lstm_maxlen200",
        "sentiment_simplernn_maxlen200",
        "sentiment_unk_maxlen200",
        "sentiment_simplernn_tuned_maxlen200",
    ]
    alone = registry.get_case("sentiment_lstm_maxlen400")  # its speed claim times its other side itself
    assert shards.with_partners([alone]) == [alone]
    groups = shards.groups(shards.with_partners(_cases()))
    assert [[c.id for c in group] for group in groups] == [
        ["feature_window", "timestep_window", "window_non_recurrent"],
        ["binary_increment"],
        ["sine_simple"],
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("3/2", "--shard must be K/N with 1 <= K <= N (e.g. 1/4), got '3/2'"),
        ("0/2", "--shard must be K/N with 1 <= K <= N (e.g. 1/4), got '0/2'"),
        ("half", "--shard must be K/N with 1 <= K <= N (e.g. 1/4), got 'half'"),
    ],
)
def test_a_bad_shard_is_one_line(text, message):
    with pytest.raises(ValueError) as info:
        shards.parse_shard(text)
    assert str(info.value) == message


def test_more_shards_than_units_is_refused():
    with pytest.raises(ValueError, match=r"--shard 1/4: this run has 3 \(case group, seed\) unit\(s\) to share"):
        shards.plan([registry.get_case("one_char")], [0, 1, 2], shards.Shard(1, 4))


def test_shard_options_fail_in_one_line(pytester):
    _write_bench(pytester)
    for args in (("--shard", "2/1"), ("--shard", "1/9", "--case", "one_char")):
        result = pytester.runpytest_subprocess(*PLUGIN, "bench", *args)
        assert result.ret == pytest.ExitCode.USAGE_ERROR
        result.stderr.fnmatch_lines(["ERROR: --shard *"])
        assert "Traceback" not in result.stderr.str()


# --------------------------------------------------------------------------- shards merged = one run


def test_two_shards_merged_give_the_cases_and_verdicts_of_one_run(pytester, capsys):
    whole, one, two = (pytester.path / name for name in ("whole.json", "shard1.json", "shard2.json"))
    result = _bench(pytester, "--benchmark-json", str(whole))
    assert result.ret == pytest.ExitCode.TESTS_FAILED  # seed 1 fails some claims: verdicts differ by seed
    shard_runs = [_bench(pytester, "--shard", f"{k}/2", "--benchmark-json", str(p)) for k, p in ((1, one), (2, two))]
    for run in shard_runs:
        assert run.ret == pytest.ExitCode.OK  # claims are judged at merge, not per shard
        run.stdout.fnmatch_lines(["lstm-bench: shard ?/2: * (case, seed) trainings; claims are judged when the *"])
    # both shards hold seeds of every case (contract and training on both), inference runs where the
    # last seed is (once per case and kind), no claim test: 5 contracts and 5 trainings on each, 10 inference
    assert sum(run.parseoutcomes()["passed"] for run in shard_runs) == 30
    assert all(run.parseoutcomes()["deselected"] > 8 for run in shard_runs)

    trained = (pytester.path / "trained.txt").read_text().splitlines()
    sharded = sorted((line.split()[0], seed) for line in trained[len(CASE_IDS) :] for seed in line.split()[1:])
    assert sharded == sorted((case, str(seed)) for case in CASE_IDS for seed in range(3)), "each (case, seed) once"

    merged = pytester.path / "merged.json"
    assert merge_main([str(one), str(two), "-o", str(merged)]) == 0
    out = capsys.readouterr().out
    assert "merged 2 files (2 shards) into" in out and "5 case(s), 15 benchmark(s)" in out

    a, b = json.loads(whole.read_text())["lstm_bench"], json.loads(merged.read_text())["lstm_bench"]
    assert b["merged_shards"] == 2 and b["shard"] is None and a["shard"] is None
    assert [json.loads(p.read_text())["lstm_bench"]["shard"] for p in (one, two)] == ["1/2", "2/2"]
    assert list(b["cases"]) == list(a["cases"]) == CASE_IDS
    for case in CASE_IDS:
        for key in ("seeds", "metrics", "train_seconds", "steady_epoch_seconds", "history", "artifacts", "verdicts"):
            assert b["cases"][case][key] == a["cases"][case][key], (case, key)
    statuses = {v["status"] for case in a["cases"].values() for v in case["verdicts"].values()}
    assert statuses == {"pass", "fail"}
    margins = [v["margin"] for case in a["cases"].values() for v in case["verdicts"].values()]
    assert all(isinstance(m, float) for m in margins) and min(margins) < 0 < max(margins)

    # the readers see one run: one training benchmark of three rounds per case, inference once per case
    run = load_run(merged)
    for case in CASE_IDS:
        record = run.cases[case]
        assert record.train.rounds == 3 and sorted(record.benches) == ["predict", "single_call", "train"]
        assert record.verdicts == load_run(whole).cases[case].verdicts


def test_merge_refuses_what_is_not_one_run_in_one_line(pytester, capsys):
    one, two = pytester.path / "s1.json", pytester.path / "s2.json"
    _bench(pytester, "--shard", "1/2", "--benchmark-json", str(one), "--benchmark-disable")
    _bench(pytester, "--shard", "2/2", "--benchmark-json", str(two), "--benchmark-disable")
    doc = json.loads(two.read_text())
    capsys.readouterr()  # the runs' own output

    def refused(*files, words):
        assert merge_main([*map(str, files), "-o", str(pytester.path / "out.json")]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith("python -m lstm_cases.tools.merge: error: ") and words in err, (
            err
        )
        assert not (pytester.path / "out.json").exists()

    refused(one, words="only shard 1/2: a merged run needs all 2")
    refused(one, one, two, words="seed(s)")
    for key, value, words in (
        ("profile", "full", "are from different profiles (quick vs full)"),
        ("stack", {"tensorflow_version": "2.15.1"}, "are from different stacks"),
    ):
        other = pytester.path / f"other-{key}.json"
        other.write_text(json.dumps({**doc, "lstm_bench": {**doc["lstm_bench"], key: value}}))
        refused(one, other, words=words)
    other = pytester.path / "other-commit.json"
    other.write_text(json.dumps({**doc, "commit_info": {"id": "0123456789abcdef"}}))
    refused(one, other, words="are from different commits")
    # claims-only shards merge into a claims-only run the report reads
    assert merge_main([str(one), str(two), "-o", str(pytester.path / "out.json")]) == 0
    assert load_run(pytester.path / "out.json").has_benchmarks is False


def test_a_claims_only_run_writes_its_result_file_and_the_verdict_table(pytester):
    target = pytester.path / "claims.json"
    result = _bench(pytester, "--benchmark-disable", "--benchmark-json", str(target))
    doc = json.loads(target.read_text())
    assert doc["benchmarks"] == [] and set(doc) >= {"machine_info", "commit_info", "datetime", "lstm_bench"}
    assert list(doc["lstm_bench"]["cases"]) == CASE_IDS
    result.stdout.fnmatch_lines(
        [
            "*= lstm-bench verdicts =*",
            "*case*seeds*pass*fail*xfail*xpass*not passing*",
            "*timestep_window*0, 1, 2*",
            "* claims judged: *",
            f"lstm-bench: result file (claims only, no timings) written to {target}",
        ]
    )
    assert "Not saving anything" not in result.stdout.str() + result.stderr.str()
    assert [p.name for p in pytester.path.glob(".claims.json.*")] == [], "temp files left"
