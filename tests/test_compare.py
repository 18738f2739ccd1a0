"""The one comparison rule (reports.compare) and its statistics, on small hand-made samples and files."""

from __future__ import annotations

import dataclasses
import random
import re
import statistics

import pytest

from lstm_cases.record.load import Samples, load_run
from lstm_cases.record.schema import GATED
from lstm_cases.record.stats import (
    benjamini_hochberg,
    geometric_mean,
    hodges_lehmann_ratio,
    mann_whitney_p,
    min_two_sided_p,
)
from reports.compare import (
    CANNOT_TELL,
    DEFAULT_FACTORS,
    FASTER,
    NOISE,
    NOT_GATED,
    SLOWER,
    WITHIN,
    Rule,
    compare_runs,
    judge_timing,
    rounds_needed,
)
from tests.test_reports import STACK_215, make_case, noisy, row, run_report, write_result

TIGHT = Rule(factors=dict.fromkeys(GATED, 1.07))  # the mechanics, whatever the defaults


PLAN = "one-plan"  # both sides of a comparison timed the same plan (schema 2's fingerprint)


def _samples(*processes: list[float]) -> Samples:
    data = [v for p in processes for v in p]
    return Samples(data, statistics.median(data), tuple(tuple(p) for p in processes), plan=PLAN)


# --------------------------------------------------------------------------- statistics


def test_hodges_lehmann_ratio_and_its_interval():
    a = noisy(1.0, 16, 0.02, seed=1)
    r = hodges_lehmann_ratio(a, [2 * v for v in a])
    assert r.estimate == pytest.approx(2.0) and r.low == pytest.approx(2.0, rel=0.03) and r.low <= 2 <= r.high
    tight = hodges_lehmann_ratio(noisy(1.0, 16, 0.02, seed=1), noisy(1.1, 16, 0.02, seed=2))
    assert tight.low < 1.1 < tight.high and tight.high / tight.low < 1.06
    few = hodges_lehmann_ratio([1.0, 1.1, 0.9], [2.0, 2.1, 1.9])
    assert few.estimate == pytest.approx(2.0) and few.low is None  # 3 vs 3: no 95% interval exists
    assert hodges_lehmann_ratio([], [1.0]) is None and hodges_lehmann_ratio([0.0], [1.0]) is None


def test_mann_whitney_is_exact_without_ties_and_reaches_the_smallest_p():
    a, b = [1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6], [2.0, 2.1, 2.2, 2.3, 2.4, 2.5, 2.6]
    assert mann_whitney_p(a, b) == pytest.approx(min_two_sided_p(7, 7))
    assert mann_whitney_p([1.0, 1.0], [1.0]) == 1.0 and mann_whitney_p([], [1.0]) is None


def test_benjamini_hochberg_and_geometric_mean():
    assert benjamini_hochberg([0.01, 0.04, 0.03, 0.5]) == pytest.approx([0.04, 0.04 * 4 / 3, 0.04 * 4 / 3, 0.5])
    assert benjamini_hochberg([]) == []
    assert geometric_mean([2.0, 0.5]) == pytest.approx(1.0) and geometric_mean([]) is None


def test_rounds_needed_grows_with_the_number_of_comparisons():
    assert min_two_sided_p(3, 3) == pytest.approx(0.1) and min_two_sided_p(4, 4) == pytest.approx(2 / 70)
    assert rounds_needed(0.002) == 7 and rounds_needed(0.05) == 4
    assert rounds_needed(0.002, 45) == 9 and rounds_needed(0.002, 300) == 11


# --------------------------------------------------------------------------- one comparison


@pytest.mark.parametrize(
    ("base", "new", "outcome"),
    [
        (noisy(1.0, 16, seed=1), noisy(1.3, 16, seed=2), SLOWER),
        (noisy(1.0, 16, seed=1), noisy(0.7, 16, seed=2), FASTER),
        (noisy(1.0, 16, seed=1), noisy(1.05, 16, seed=2), WITHIN),  # within x1.07
        (noisy(1.0, 16, seed=1), noisy(1.10, 16, seed=2), SLOWER),  # a 10% slowdown with tight rounds
        (noisy(1.0, 10, rel_sd=0.5, seed=1), noisy(1.2, 10, rel_sd=0.5, seed=2), NOISE),
        ([1.0, 1.01, 0.99], [3.0, 3.01, 2.99], CANNOT_TELL),  # no ratio alone any more: 3 rounds tell nothing
        (noisy(1.0, 6, seed=1), noisy(1.5, 6, seed=2), CANNOT_TELL),  # 6 vs 6: best p 0.0022
        (noisy(1.0, 7, seed=1), noisy(1.5, 7, seed=2), SLOWER),  # 7 vs 7: best p 0.00058
    ],
)
def test_timing_rule(base, new, outcome):
    cmp = judge_timing("c", "train_step", _samples(base), _samples(new), TIGHT)
    assert cmp.outcome == outcome, cmp.describe()


def test_the_words_of_a_judged_timing():
    cmp = judge_timing("c", "train_step", _samples(noisy(1.0, 16, seed=1)), _samples(noisy(1.3, 16, seed=2)))
    assert cmp.judged() == "SLOWER" and cmp.ratio.low < cmp.estimate < cmp.ratio.high
    assert cmp.evidence().startswith(f"beyond factor x{DEFAULT_FACTORS['train_step']:.2f} (default) and q=")
    assert re.search(r"q=(\S+) \(Mann-Whitney p=\1, 16 rounds, 1 judged timings\) < 0.002$", cmp.evidence())
    few = judge_timing("c", "predict", _samples([1.0, 1.01, 0.99]), _samples([3.0, 3.01, 2.99]))
    assert "3 rounds among 1 judged timings can never give q < 0.002 (it takes 7 a side)" in few.evidence()
    median_only = judge_timing("c", "predict", _samples(noisy(1.0, 8)), Samples([], 2.5, plan=PLAN))
    assert median_only.outcome == CANNOT_TELL and median_only.estimate == pytest.approx(2.5, rel=0.02)
    assert "no per-round samples in the run" in median_only.evidence()


def test_the_processes_disagreement_raises_the_factor_and_a_role_difference_cancels():
    # the pytest process 20% slower than the worker in both runs: no disagreement, a 12% slowdown is seen
    base = _samples(noisy(1.2, 6, seed=1), noisy(1.0, 6, seed=2))
    slower = _samples(noisy(1.2 * 1.12, 6, seed=3), noisy(1.12, 6, seed=4))
    rule = Rule(factors=dict.fromkeys(GATED, 1.10))  # the mechanics, whatever the defaults
    cmp = judge_timing("c", "single_call", base, slower, rule)
    assert cmp.outcome == SLOWER and cmp.disagreement == pytest.approx(1.0, abs=0.03) and cmp.factor == 1.10
    # one process alone moved by 15%: within the raised factor
    one_moved = _samples(noisy(1.2 * 1.15, 6, seed=5), noisy(1.0, 6, seed=6))
    cmp = judge_timing("c", "single_call", base, one_moved, rule)
    assert cmp.outcome == WITHIN and cmp.disagreement == pytest.approx(1.15, rel=0.03)
    assert cmp.judged().startswith("within factor x1.1") and "processes disagree x1.1" in cmp.judged()


def test_a_benchmark_timed_on_a_busy_machine_is_not_judged():
    busy = Samples(
        noisy(2.0, 12), 2.0, (tuple(noisy(2.0, 6)), tuple(noisy(2.0, 6, seed=1))), load=2.9, cores=2, plan=PLAN
    )
    cmp = judge_timing("c", "predict", _samples(noisy(1.0, 6), noisy(1.0, 6, seed=1)), busy)
    assert cmp.outcome == CANNOT_TELL and cmp.evidence() == "the machine was busy (run load 2.9 on 2 cores): not judged"
    quiet = dataclasses.replace(busy, load=1.4)
    assert judge_timing("c", "predict", _samples(noisy(1.0, 6), noisy(1.0, 6, seed=1)), quiet).outcome == SLOWER


def test_whole_recipe_timings_get_a_ratio_and_no_verdict():
    cmp = judge_timing("c", "train", _samples([10.0, 10.1, 9.9]), _samples([30.0, 30.3, 29.7]))
    assert cmp.outcome == NOT_GATED and cmp.estimate == pytest.approx(3.0, rel=0.01) and not cmp.flagged
    assert cmp.judged() == "not gated (whole-recipe timing)"


def test_calibrated_factors_and_the_factor_option():
    rule = Rule(calibrated={("c", "predict"): 1.03})
    assert rule.factor_for("c", "predict") == (1.03, "calibrated")
    assert rule.factor_for("c", "single_call") == (1.35, "default")
    cmp = judge_timing("c", "predict", _samples(noisy(1.0, 16, seed=1)), _samples(noisy(1.05, 16, seed=2)), rule)
    assert cmp.outcome == SLOWER and "factor x1.03 (calibrated)" in cmp.evidence()


# --------------------------------------------------------------------------- all comparisons of a run


def test_false_discoveries_are_controlled_over_every_judged_timing_of_a_run(tmp_path):
    rng = random.Random(0)
    quiet = [
        make_case(f"q{i}", step=noisy(0.1, 16, seed=rng.randrange(10**6)), predict=noisy(0.02, 16, seed=i))
        for i in range(10)
    ]
    base = [*quiet, make_case("borderline", step=noisy(1.0, 16, 0.1, seed=6))]
    new = [*quiet, make_case("borderline", step=noisy(1.15, 16, 0.1, seed=106))]
    a, b = write_result(tmp_path / "a.json", *base), write_result(tmp_path / "b.json", *new)
    found = compare_runs(load_run(a), load_run(b), TIGHT)
    cmp = found[("borderline", "train_step")]
    judged = [c for c in found.values() if c.gated]
    assert len(judged) == 33 and all(c.comparisons == 33 for c in judged)
    assert cmp.p < 0.002 <= cmp.q and cmp.outcome == NOISE  # alone it would be SLOWER; among 33 it is not
    assert judge_timing("borderline", "train_step", cmp.base, cmp.new, TIGHT).outcome == SLOWER
    assert found[("q0", "train")].outcome == NOT_GATED


# --------------------------------------------------------------------------- in the report


def test_a_30_percent_slowdown_is_flagged_with_its_interval(tmp_path, capsys):
    base = write_result(tmp_path / "a.json", make_case("one_char", step=noisy(0.1, 16, seed=1)))
    slow = write_result(tmp_path / "b.json", make_case("one_char", step=noisy(0.13, 16, seed=2)), stack=STACK_215)
    text = run_report(capsys, tmp_path / "out", base, slow)
    assert "1 regression(s), what `python -m reports.gate` would fail on" in text
    line = row(text, "`one_char`", "**SLOWER**")
    assert "| 100 ms (16) | 129 ms (16) | ×1.30 [1.29, 1.31] | **SLOWER**: beyond factor x1.25 (default)" in line
    assert "alpha = 0.002" in text and "train_step x1.25, predict x1.35, single_call x1.35" in text
    headline = row(text, "**all cases**")
    assert "| ×1.30 [1.29, 1.31] |" in headline and headline.endswith("| 1 / 0 |")


def test_processes_and_the_headline_per_family(tmp_path, capsys):
    def case(name: str, family: str, step: float):
        made = make_case(name, step=[noisy(step, 8, seed=1), noisy(step, 8, seed=2)])
        made.info["family"] = family
        return made

    a = write_result(tmp_path / "a.json", case("x", "alphabet", 0.1), case("y", "alphabet", 0.1), case("z", "sine", 1))
    b = write_result(tmp_path / "b.json", case("x", "alphabet", 0.2), case("y", "alphabet", 0.05), case("z", "sine", 1))
    text = run_report(capsys, tmp_path / "out", a, b)
    alphabet = row(text, "| alphabet |")
    assert alphabet.startswith("| tf2.21/keras3/tensorflow (b) | alphabet | 2 | ×1.00 [")  # x2 and x0.5
    assert alphabet.endswith("| 1 / 1 |")
    assert row(text, "| sine |").endswith("| 0 / 0 |")
    assert "between-process spread of its 3 steady-state benchmarks" in text


def _with_reference(scale: float, machine: float, seed: int = 0) -> Samples:
    """Two processes' rounds of a benchmark of speed ``scale`` on a machine ``machine`` times slower, and
    the machine's reference timed beside them (slowed by ``machine`` alone)."""
    processes = tuple(tuple(noisy(scale * machine, 6, 0.01, seed=seed + i)) for i in range(2))
    references = tuple(tuple(noisy(0.005 * machine, 6, 0.01, seed=seed + 10 + i)) for i in range(2))
    data = [v for p in processes for v in p]
    return Samples(data, statistics.median(data), processes, references=references, plan=PLAN)


def test_the_machines_drift_cancels_by_its_reference_and_a_slower_framework_does_not():
    base = _with_reference(1.0, 1.0)
    tight = Rule(factors=dict.fromkeys(GATED, 1.15))
    drift = judge_timing("c", "predict", base, _with_reference(1.0, 1.4, seed=20), tight)  # the machine alone slower
    assert drift.outcome == "within" and drift.machine == pytest.approx(1.4, rel=0.03)
    assert "per the machine's reference x1.4" in drift.describe()
    as_timed = judge_timing(
        "c", "predict", base, _with_reference(1.0, 1.4, seed=20), Rule(tight.factors, use_reference=False)
    )
    assert as_timed.outcome == "slower" and as_timed.machine is None
    regression = judge_timing("c", "predict", base, _with_reference(1.3, 1.0, seed=20), tight)  # the framework slower
    assert regression.outcome == "slower" and regression.estimate == pytest.approx(1.3, rel=0.03)
    both = judge_timing("c", "predict", base, _with_reference(1.3, 1.4, seed=20), tight)
    assert both.outcome == "slower" and both.estimate == pytest.approx(1.3, rel=0.03)
    without = Samples(base.data, base.median, base.processes, plan=PLAN)  # an older file: no reference
    assert judge_timing("c", "predict", without, _with_reference(1.0, 1.4, seed=20), tight).machine is None


def test_the_headline_command_compares_with_the_baseline_it_is_given(tmp_path, capsys):
    """Files sort by name; the baseline is the one named, not the first in that order."""
    from reports.headline import main as headline_main
    from tests.test_gate import STACK_221, aa_case, result

    jax = {**STACK_221, "backend": "jax", "tensorflow_version": None}
    result(tmp_path / "a-jax.json", aa_case("one_char", center=5.0), stack=jax)
    result(tmp_path / "b-tf.json", aa_case("one_char", center=10.0))
    assert headline_main([str(tmp_path), "--baseline", str(tmp_path / "b-tf.json")]) == 0
    out = capsys.readouterr().out
    assert f"Timings against the baseline {tmp_path / 'b-tf.json'} (tf2.21/keras3/tensorflow)." in out
    assert "## Headline: each run against tf2.21/keras3/tensorflow" in out
    assert headline_main([str(tmp_path)]) == 0  # without it: the first file, and it says which
    assert f"Timings against the baseline {tmp_path / 'a-jax.json'}" in capsys.readouterr().out
    assert headline_main([str(tmp_path), "--baseline", str(tmp_path / "none.json")]) == 2
    assert capsys.readouterr().err.startswith("python -m reports headline: error: --baseline ")
