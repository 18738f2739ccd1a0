"""The any-seeds table: every claim judged on disjoint runs of stored seeds (small fake files)."""

import json

from lstm_cases import provenance
from lstm_cases.tools import any_seeds

STACK = {"tensorflow_version": "2.21.0", "keras_version": "3.15.1", "keras_major": 3, "backend": "tensorflow"}


def _file(tmp_path, accuracy, seeds=None):
    seeds = seeds or list(range(len(accuracy)))
    doc = {
        "format": provenance.FORMAT,
        "profile": "quick",
        "stack_label": "tf2.21/keras3/tensorflow",
        "stack": STACK,
        "cases": {"one_char": {"seeds": seeds, "metrics": {"accuracy": accuracy}}},
    }
    path = tmp_path / "quick-tf2.21-keras3-tensorflow.json"
    path.write_text(json.dumps(doc))
    return path


def test_windows_are_disjoint_runs_of_the_default_seed_count():
    assert any_seeds.windows(list(range(10)), 3) == [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    assert any_seeds.windows([0, 1, 2, 4, 5, 6], 3) == [[0, 1, 2]]  # a gap breaks a run


def test_a_run_whose_median_leaves_the_band_is_a_false_failure(tmp_path):
    good, bad = [0.8, 0.8, 0.8], [0.2, 0.3, 0.2]  # one_char/mediocre_band: median in [0.6, 0.92]
    rows = any_seeds.judge_file(_file(tmp_path, good + bad + good), "quick")
    row = next(r for r in rows if r.claim == "mediocre_band")
    assert (row.runs, row.false_failures, row.failing_bases) == (3, 1, (3,))
    assert row.worst.startswith("seeds 3-5: fail: median 0.2")
    page = any_seeds.page(rows, [tmp_path / "quick-tf2.21-keras3-tensorflow.json"])
    assert "False failures on unseen seeds: **1** of\n3 claim verdicts." in page


def test_check_ranges_count_a_rule_moved_after_them_apart(tmp_path):
    """Seeds 3-8 are a check range measured under mediocre_band's rule of today, 9-11 one measured under
    another rule: its failure is counted as seen."""
    from lstm_cases import holdout, registry

    case = registry.get_case("one_char")
    now = {"one_char/mediocre_band": holdout.rule_text(case, case.claim("mediocre_band"), "quick")}
    good, bad = [0.8, 0.8, 0.8], [0.2, 0.3, 0.2]
    path = _file(tmp_path, good + good + good + bad, seeds=list(range(3, 15)))
    doc = json.loads(path.read_text())
    doc["holdout"] = [
        {"role": "set", "seeds": [0, 2]},
        holdout.check_event((3, 8), path.name, "c1", "d", now),
        holdout.check_event((9, 14), path.name, "c2", "d", {"one_char/mediocre_band": "accuracy: another rule"}),
    ]
    path.write_text(json.dumps(doc))
    rows = [r for r in any_seeds.check_ranges(path, "quick") if r.claim == "mediocre_band"]
    assert [(r.seeds, r.unseen, r.runs, r.false_failures) for r in rows] == [("3-8", True, 2, 0), ("9-14", False, 2, 1)]
    page = any_seeds.page(rows, [path])
    assert "False failures on unseen seeds: **0** of\n2 claim verdicts." in page
    assert "On seen seeds (rules moved after the range):\n1 of 2." in page


def test_seeds_measured_on_data_the_case_no_longer_makes_are_not_judged(tmp_path, monkeypatch):
    import dataclasses

    from lstm_cases import registry

    good, bad = [0.8, 0.8, 0.8], [0.2, 0.3, 0.2]
    path = _file(tmp_path, good + bad)
    assert any(r.claim == "mediocre_band" for r in any_seeds.judge_file(path, "quick"))
    changed = dataclasses.replace(registry.get_case("one_char"), data_version="v2")
    monkeypatch.setitem(registry.all_cases(), "one_char", changed)
    assert not [r for r in any_seeds.judge_file(path, "quick") if r.case == "one_char"]
