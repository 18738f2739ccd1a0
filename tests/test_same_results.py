"""python -m reports.same_results: two result files compared for verdicts, per-seed values and plans."""

import copy
import json

from reports.same_results import main

RUN = {
    "benchmarks": [
        {"name": "test_train_step[a]", "extra_info": {"warmup": 2, "rounds_per_process": 6, "steps_per_round": 5,
                                                       "units": "steps", "full_units": 10, "processes": 2}},
        {"name": "test_train[a]", "extra_info": {"kind": "train"}},
    ],
    "lstm_bench": {
        "schema": 2, "stack": {"keras_version": "3"}, "profile": "quick", "seeds": [0, 1],
        "cases": {
            "a": {
                "seeds": [0, 1],
                "metrics": {"accuracy": [0.9, 0.8], "train_step_seconds": [0.1, 0.2]},
                "claims": {"learns": {"metric": "accuracy"}, "fast": {"metric": "train_step_seconds"}},
                "verdicts": {"learns": {"status": "pass", "values": [0.9, 0.8]},
                             "fast": {"status": "pass", "values": [0.1, 0.2]}},
            }
        },
    },
}  # fmt: skip


def _run(tmp_path, after, capsys):
    (tmp_path / "a.json").write_text(json.dumps(RUN))
    (tmp_path / "b.json").write_text(json.dumps(after))
    code = main([str(tmp_path / "a.json"), str(tmp_path / "b.json")])
    return code, capsys.readouterr().out


def test_the_same_results_with_other_times_are_the_same(tmp_path, capsys):
    after = copy.deepcopy(RUN)
    case = after["lstm_bench"]["cases"]["a"]
    case["metrics"]["train_step_seconds"] = [0.3, 0.1]
    case["verdicts"]["fast"] = {"status": "fail", "values": [0.3, 0.1]}  # a timed claim: noted, not a difference
    code, out = _run(tmp_path, after, capsys)
    assert code == 0, out
    assert "note a/fast: pass vs fail (a timed claim)" in out
    assert out.strip().endswith("the same: 1 cases, 2 verdicts, 1 benchmark plans compared")


def test_a_changed_value_verdict_or_plan_is_a_difference(tmp_path, capsys):
    after = copy.deepcopy(RUN)
    case = after["lstm_bench"]["cases"]["a"]
    case["metrics"]["accuracy"] = [0.9, 0.7]
    case["verdicts"]["learns"]["status"] = "fail"
    after["benchmarks"][0]["extra_info"]["steps_per_round"] = 4
    code, out = _run(tmp_path, after, capsys)
    assert code == 1
    assert "DIFFERENT a: accuracy [0.9, 0.8] vs [0.9, 0.7]" in out
    assert "DIFFERENT a/learns: pass vs fail" in out
    assert "DIFFERENT plan of test_train_step[a]:" in out and "3 difference(s)" in out


def test_a_metric_only_one_file_has_is_noted(tmp_path, capsys):
    after = copy.deepcopy(RUN)
    del after["lstm_bench"]["cases"]["a"]["metrics"]["train_step_seconds"]
    code, out = _run(tmp_path, after, capsys)
    assert code == 0 and "note a: metric train_step_seconds only before" in out


def test_a_file_that_cannot_be_read_is_named(tmp_path, capsys):
    code = main([str(tmp_path / "missing.json"), str(tmp_path / "missing.json")])
    assert code == 2 and "missing.json: no such file" in capsys.readouterr().err
