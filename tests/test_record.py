"""The results store and the result record: judged once, on the final results, never training."""

import pytest

from lstm_cases import recording, runner
from lstm_cases.record.merge import RecordMismatch, merge_records
from lstm_cases.registry import get_case
from lstm_cases.results import CaseResults

STACK = {"tensorflow_version": "2.21.0", "keras_version": "3.15.1", "keras_major": 3, "backend": "tensorflow"}


def _result(case_id, accuracies):
    runs = [runner.SeedRun(i, {"accuracy": a}, {"walk": "A->B"}, {"loss": [1.0]}, 1.0, [1.0], 1.0) for i, a in
            enumerate(accuracies)]  # fmt: skip
    return runner.CaseResult(case_id=case_id, profile="quick", runs=runs, last=None)


@pytest.fixture
def no_training(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the store trained a case")

    monkeypatch.setattr(runner, "run_case", refuse)


def test_reading_never_trains(no_training):
    results = CaseResults("quick", [0, 1])
    with pytest.raises(KeyError, match="'one_char' has not been trained"):
        results.get("one_char")
    assert results.verdicts(get_case("one_char"), STACK) == {}


def test_train_missing_trains_once_and_only_what_is_missing(monkeypatch):
    trained = []
    monkeypatch.setattr(
        runner,
        "run_case",
        lambda case, profile, seeds, null_model=False: trained.append(case.id) or _result(case.id, [1, 1]),
    )
    results = CaseResults("quick", [0, 1])
    results.put(_result("feature_window", [0.5, 0.6]))
    case = get_case("timestep_window")
    for needed in results.cases_needed(case, case.claim("beats_feature_window")):
        results.train_missing(needed)
    results.train_missing(case)
    assert trained == ["timestep_window"]


def test_a_paired_verdict_waits_for_its_other_case(no_training):
    results = CaseResults("quick", [0, 1])
    case = get_case("timestep_window")  # beats_feature_window compares with feature_window
    results.put(_result("timestep_window", [1.0, 1.0]))
    assert "beats_feature_window" not in results.verdicts(case, STACK)
    assert "source_accuracy" in results.verdicts(case, STACK)  # unpaired: judged at once
    results.put(_result("feature_window", [0.5, 0.6]))
    verdict = results.verdicts(case, STACK)["beats_feature_window"]
    assert verdict.status == "pass" and verdict.values == (1.0, 1.0)


def test_the_run_record_holds_every_trained_case_once_with_its_verdicts(no_training):
    results = CaseResults("quick", [4, 5])
    results.put(_result("timestep_window", [1.0, 1.0]))
    results.put(_result("feature_window", [0.5, 0.6]))
    cases = [get_case(c) for c in ("one_char", "feature_window", "timestep_window")]
    rec = recording.run_record(results, cases, STACK, seed_base=4)
    assert rec["schema"] == recording.SCHEMA == 2
    assert (rec["profile"], rec["seeds"], rec["seed_base"], rec["stack"]) == ("quick", [4, 5], 4, STACK)
    assert list(rec["cases"]) == ["feature_window", "timestep_window"]  # one_char did not run
    tw = rec["cases"]["timestep_window"]
    assert tw["family"] == "alphabet" and tw["seeds"] == [0, 1] and tw["metrics"] == {"accuracy": [1.0, 1.0]}
    assert tw["verdicts"]["beats_feature_window"]["status"] == "pass"
    assert tw["artifacts"] == [{"walk": "A->B"}] * 2 and tw["history"] == [{"loss": [1.0]}] * 2
    assert tw["recipe"]["epochs"] == get_case("timestep_window").recipe("quick").epochs
    assert set(tw["claims"]) == {c.id for c in get_case("timestep_window").claims}


def test_worker_records_merge_into_one_and_refuse_parts_of_other_runs(no_training):
    results = CaseResults("quick", [0, 1])
    results.put(_result("one_char", [0.8, 0.8]))
    a = recording.run_record(results, [get_case("one_char")], STACK, 0)
    results = CaseResults("quick", [0, 1])
    results.put(_result("batch_state", [1.0, 1.0]))
    b = recording.run_record(results, [get_case("batch_state")], STACK, 0)
    judged = []
    assert list(merge_records([a, b], judged.append)["cases"]) == ["one_char", "batch_state"]
    assert judged == []  # workers' cases were judged where they ran
    with pytest.raises(RecordMismatch, match="case 'one_char' is in two records"):
        merge_records([a, a], judged.append)
    with pytest.raises(RecordMismatch, match="part 1 and part 2 are not parts of one run: their profile differ"):
        merge_records([a, {**b, "profile": "full"}], judged.append)
    with pytest.raises(RecordMismatch, match="a.json is a run record and b.json a sweep record"):
        merge_records([a, {**b, "kind": "sweep"}], judged.append, ["a.json", "b.json"])
    with pytest.raises(RecordMismatch, match="a duet record has no parts to merge"):
        merge_records([{**a, "kind": "duet"}], judged.append)


def test_the_schema_s_names_are_defined_once():
    """KEY, SCHEMA, the kinds and the statuses are assigned in lstm_cases/record/schema.py and nowhere else."""
    import ast
    from pathlib import Path

    from lstm_cases.record import schema

    names = {"KEY", "SCHEMA", "READ_SCHEMAS", "RECORD_KINDS", "GATED", "KINDS", "STATUSES", "PASS", "FAIL"}
    root = Path(__file__).resolve().parents[1]
    twice = []
    for path in [*root.glob("lstm_cases/**/*.py"), *root.glob("reports/*.py")]:
        if path.name == "schema.py" and path.parent.name == "record":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            targets = (
                node.targets
                if isinstance(node, ast.Assign)
                else [node.target]
                if isinstance(node, ast.AnnAssign)
                else []
            )
            twice += [f"{path.relative_to(root)}: {t.id}" for t in targets if isinstance(t, ast.Name) and t.id in names]
    assert not twice, f"the schema's names assigned outside lstm_cases/record/schema.py: {twice}"
    assert recording.SCHEMA is schema.SCHEMA


def test_margins_are_the_deciding_statistic_s_distance_from_the_threshold():
    from lstm_cases.margins import margin
    from lstm_cases.rules import AtLeast, AtMost, MedianInBand, PairedGreater, PairedRatio

    assert margin(AtLeast(0.8, min_fraction=2 / 3), [0.5, 0.95, 0.9]) == pytest.approx(0.1)  # the 2nd best seed
    assert margin(AtLeast(0.8), [0.5, 0.95, 0.9]) == pytest.approx(-0.3)  # every seed: the worst one
    assert margin(AtMost(0.015), [0.01, 0.012]) == pytest.approx(0.003)
    assert margin(MedianInBand(0.6, 0.92), [0.7, 0.8, 0.9]) == pytest.approx(0.12)
    assert margin(PairedGreater(0.3), [0.9, 1.0], [0.5, 0.6]) == pytest.approx(0.1)
    assert margin(PairedRatio(1.5), [4.0, 4.0], [2.0, 2.0]) == pytest.approx(0.5)


def test_the_record_keeps_each_verdict_s_margin(no_training):
    results = CaseResults("quick", [0, 1])
    results.put(_result("timestep_window", [1.0, 0.9]))
    results.put(_result("feature_window", [0.5, 0.6]))
    rec = recording.run_record(results, [get_case("timestep_window")], STACK, seed_base=0)
    paired = rec["cases"]["timestep_window"]["verdicts"]["beats_feature_window"]
    assert paired["margin"] == pytest.approx(
        0.4 - get_case("timestep_window").claim("beats_feature_window").rules["quick"].min_mean_diff
    )
    shard = recording.run_record(results, [get_case("timestep_window")], STACK, seed_base=0, shard="1/2")
    assert shard["shard"] == "1/2" and shard["cases"]["timestep_window"]["verdicts"] == {}


def test_judging_again_leaves_a_case_that_trained_no_seed_unjudged():
    """A case recorded for its timings only (its training a known breakage there) has no values to judge."""
    from lstm_cases import compat
    from lstm_cases.recording import judge_merged

    record = {
        "profile": "quick",
        "stack": compat.stack(),
        "cases": {
            "stateful": {"seeds": [], "metrics": {}, "verdicts": {}},
            "one_char": {"seeds": [0, 1, 2], "metrics": {"accuracy": [0.8, 0.8, 0.8]}, "verdicts": {}},
        },
    }
    judge_merged(record)
    assert record["cases"]["stateful"]["verdicts"] == {}
    assert record["cases"]["one_char"]["verdicts"]["mediocre_band"]["status"] == "pass"
