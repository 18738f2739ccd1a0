"""A claim's effect over its seeds (lstm_cases.record.effects): the statistic its rule judges, a seeded
bootstrap interval, and a paired claim's one-sided signed-rank p; carried by every verdict and shown by
the report (hand-made values, no training)."""

import math

import pytest

from lstm_cases.record.effects import GEOMETRIC_MEAN_RATIO, MEAN_DIFFERENCE, MEDIAN, Effect
from lstm_cases.rules import AtLeast, AtMost, MedianInBand, PairedGreater, PairedRatio
from tests.test_core import _claim as make_claim  # the contract tests' hand-made claim

STACK = {"keras_major": 3, "backend": "tensorflow", "tensorflow_version": "2.21.0"}
TEN = [0.61, 0.72, 0.65, 0.7, 0.68, 0.74, 0.59, 0.66, 0.71, 0.69]


@pytest.mark.parametrize("rule", [AtLeast(0.5), AtMost(0.9), MedianInBand(0.6, 0.8)])
def test_a_single_claims_effect_is_the_median_with_an_interval_that_holds_it(rule):
    effect = rule.effect(TEN)
    assert (effect.statistic, effect.n, effect.p) == (MEDIAN, 10, None)
    assert effect.value == pytest.approx(0.685)
    assert min(TEN) <= effect.low <= effect.value <= effect.high <= max(TEN)
    assert rule.effect(TEN) == effect  # seeded: the same values, the same interval


def test_a_paired_difference_has_its_mean_and_the_p_of_this_above_the_other():
    others = [v - 0.05 for v in TEN]
    effect = PairedGreater(0.03).effect(TEN, others)
    assert effect.statistic == MEAN_DIFFERENCE and effect.value == pytest.approx(0.05)
    assert effect.low == pytest.approx(0.05) and effect.high == pytest.approx(0.05)  # every pair alike
    assert effect.p == pytest.approx(1 / 2**10)  # exact: all ten above
    reversed_effect = PairedGreater(0.03).effect(others, TEN)
    assert reversed_effect.value == pytest.approx(-0.05) and reversed_effect.p == pytest.approx(1.0)


def test_three_seeds_give_a_wide_interval_and_no_small_p():
    effect = PairedGreater(0.03, 2 / 3).effect([0.6, 0.7, 0.9], [0.5, 0.6, 0.95])
    assert effect.low < 0 < effect.high  # one of three pairs the other way: the interval says so
    assert effect.p >= 1 / 2**3  # three pairs cannot say more than 1/8


def test_a_paired_ratio_has_its_geometric_mean_and_an_interval_in_ratios():
    effect = PairedRatio(1.5).effect([2.0, 3.0, 4.0, 5.0], [1.0, 1.5, 2.5, 2.0])
    expected = math.exp(sum(math.log(r) for r in (2.0, 2.0, 1.6, 2.5)) / 4)
    assert effect.statistic == GEOMETRIC_MEAN_RATIO and effect.value == pytest.approx(expected)
    assert 1.6 <= effect.low <= effect.value <= effect.high <= 2.5
    assert effect.p == pytest.approx(1 / 2**4)
    with pytest.raises(ValueError, match="positive"):
        PairedRatio(1.5).effect([1.0, -1.0], [1.0, 1.0])


def test_one_seed_has_no_interval_and_no_test_and_equal_pairs_no_direction():
    assert AtLeast(0.5).effect([0.7]) == Effect(MEDIAN, 0.7, None, None, 1)
    assert PairedGreater(0.0).effect([0.7], [0.6]).p is None
    assert PairedGreater(0.0).effect([0.7, 0.8], [0.7, 0.8]).p == 1.0


def test_every_verdict_carries_its_effect_and_the_record_keeps_it():
    claim = make_claim(AtLeast(0.9))
    failed = claim.judge("quick", [0.95, 0.5, 0.92], STACK)
    assert failed.status == "fail" and failed.effect == AtLeast(0.9).effect([0.95, 0.5, 0.92])
    kept = failed.as_dict()["effect"]
    assert Effect.from_dict(kept) == failed.effect
    assert Effect.from_dict({"statistic": "median"}) is None  # an older record's, or nonsense
    assert failed.effect.text() == "median 0.92 [0.5, 0.95] (3 seeds)"
