"""The claim rules and the case contract, on hand-made values (no training)."""

import math

import pytest

from lstm_cases.core import (
    Case,
    CaseData,
    Claim,
    DataPath,
    DataUnavailable,
    Expected,
    ExpectedFailure,
    Recipe,
    UnknownNameError,
    check_profile,
    seeds_for,
)
from lstm_cases.record.schema import FAIL, PASS, XFAIL, XPASS
from lstm_cases.rules import AtLeast, AtMost, MedianInBand, PairedGreater, PairedLoss, PairedRatio

STACK_K3 = {"keras_major": 3, "backend": "tensorflow", "tensorflow_version": "2.21.0"}
STACK_K2 = {"keras_major": 2, "backend": "tensorflow", "tensorflow_version": "2.15.1"}


@pytest.mark.parametrize(
    ("rule", "values", "held"),
    [
        (AtLeast(1.0), [1.0, 1.0, 1.0], True),
        (AtLeast(1.0), [1.0, 0.96, 1.0], False),
        (AtLeast(0.9, min_fraction=2 / 3), [1.0, 0.5, 0.95], True),
        (AtLeast(0.9, min_fraction=2 / 3), [1.0, 0.5, 0.85], False),
        (AtMost(0.0), [0.0, 0.0, 0.0], True),
        (AtMost(0.0), [0.0, 1.0, 0.0], False),
        (AtMost(0.0, min_fraction=0.6), [0.0, 1.0, 0.0], True),
        (MedianInBand(0.7, 0.9), [0.5, 0.8, 0.99], True),  # one odd seed does not decide
        (MedianInBand(0.7, 0.9), [0.5, 0.6, 0.99], False),
        (MedianInBand(0.7, 0.9), [0.91, 0.95, 0.99], False),
    ],
)
def test_single_case_rules(rule, values, held):
    assert rule.judge(values)[0] is held


def test_at_least_counts_ties_as_reaching_the_threshold():
    held, detail = AtLeast(0.96).judge([0.96, 0.96])
    assert held and "2/2" in detail


def test_paired_rule_needs_mean_difference_and_wins():
    rule = PairedGreater(min_mean_diff=0.2, min_win_fraction=1.0)
    assert rule.judge([1.0, 0.9, 0.95], [0.5, 0.6, 0.7])[0]
    # large mean gain, but one seed loses
    assert not rule.judge([1.0, 1.0, 0.5], [0.2, 0.2, 0.6])[0]
    # wins everywhere, but by too little
    assert not rule.judge([0.9, 0.9, 0.9], [0.85, 0.85, 0.85])[0]
    # a tie is not a win
    assert not rule.judge([1.0, 1.0, 1.0], [0.5, 0.5, 1.0])[0]


def test_paired_loss_holds_only_for_a_small_loss():
    rule = PairedLoss(max_loss=0.05, min_loss_fraction=2 / 3, floor=0.1)
    assert rule.judge([0.30, 0.28, 0.33], [0.32, 0.31, 0.32])[0]  # lower by 0.013 on average, on 2 of 3
    assert not rule.judge([0.32, 0.31, 0.32], [0.32, 0.31, 0.32])[0]  # no loss is not "slightly lower"
    assert not rule.judge([0.34, 0.33, 0.35], [0.32, 0.31, 0.32])[0]  # a gain
    assert not rule.judge([0.20, 0.22, 0.21], [0.32, 0.31, 0.32])[0]  # too large a loss
    assert not rule.judge([0.05, 0.04, 0.06], [0.07, 0.06, 0.07])[0]  # both near nothing: below the floor
    held, detail = rule.judge([0.30, 0.33, 0.33], [0.32, 0.32, 0.32])
    assert not held and "lower on 1/3" in detail  # lower on average, but on one seed only


def test_paired_rule_rejects_mismatched_seeds():
    with pytest.raises(ValueError, match="same seeds"):
        PairedGreater(0.1).judge([1.0, 1.0], [0.5])
    with pytest.raises(ValueError, match="same seeds"):
        PairedGreater(0.1).judge([1.0], None)


def test_rules_reject_empty_and_nan_values():
    with pytest.raises(ValueError, match="at least one seed"):
        AtLeast(0.5).judge([])
    with pytest.raises(ValueError, match="NaN"):
        MedianInBand(0, 1).judge([0.5, math.nan])


def _claim(rule_quick, rule_full=None, **kw):
    return Claim(
        id="c",
        text="t",
        source_figure="100%",
        metric="accuracy",
        rules={"quick": rule_quick, "full": rule_full or rule_quick},
        measured_on={"quick": ("tf2.21/keras3/tensorflow",), "full": ("tf2.21/keras3/tensorflow",)},
        **kw,
    )


def test_claim_verdicts_pass_and_fail():
    claim = _claim(AtLeast(0.9))
    ok = claim.judge("quick", [0.95, 1.0, 0.92], STACK_K3)
    assert (ok.status, ok.ok) == (PASS, True)
    bad = claim.judge("quick", [0.95, 0.5, 0.92], STACK_K3)
    assert (bad.status, bad.ok) == (FAIL, False)
    assert bad.source_figure == "100%" and "1/3" not in bad.detail and "2/3" in bad.detail


def test_claim_uses_the_profile_rule():
    claim = _claim(AtLeast(0.5), AtLeast(0.99))
    assert claim.judge("quick", [0.6], STACK_K3).status == PASS
    assert claim.judge("full", [0.6], STACK_K3).status == FAIL


def test_expected_failure_applies_only_on_its_stack():
    slow = ExpectedFailure("slow on K2", keras_major=2, floor=AtLeast(0.4))
    claim = _claim(AtLeast(0.99), expected_failures=(slow,))
    assert claim.judge("quick", [0.5], STACK_K2).status == XFAIL
    assert claim.judge("quick", [0.5], STACK_K2).reason == "slow on K2"
    assert claim.judge("quick", [1.0], STACK_K2).status == XPASS
    assert claim.judge("quick", [0.5], STACK_K3).status == FAIL


def test_expected_failure_matching_fields():
    e = ExpectedFailure("r", tensorflow_prefix="2.15", profile="full", backend="tensorflow")
    assert e.matches(STACK_K2, "full")
    assert not e.matches(STACK_K2, "quick")
    assert not e.matches(STACK_K3, "full")


def test_claim_needs_rules_for_every_profile_and_consistent_pairing():
    with pytest.raises(ValueError, match="no rule for profile"):
        Claim(id="c", text="", source_figure="", metric="m", rules={"quick": AtLeast(1)}, measured_on={})
    with pytest.raises(ValueError, match="paired rule needs compare_to"):
        _claim(PairedGreater(0.1))
    with pytest.raises(ValueError, match="paired rule needs compare_to"):
        _claim(AtLeast(1), compare_to="other")


def _case(**kw):
    base = dict(
        id="x",
        family="f",
        source="s",
        make_data=lambda seed: CaseData(x=None, y=None),
        build_model=lambda d, r: None,
        evaluate=lambda m, d: {},
        recipes={"quick": Recipe(epochs=1, batch_size=1), "full": Recipe(epochs=2, batch_size=1)},
        expected=Expected((1,), (1,), 0),
    )
    base.update(kw)
    return Case(**base)


def test_case_requires_both_recipes_and_unique_claims():
    with pytest.raises(ValueError, match="no recipe for profile"):
        _case(recipes={"quick": Recipe(epochs=1, batch_size=1)})
    with pytest.raises(ValueError, match="claim id twice"):
        _case(claims=(_claim(AtLeast(1)), _claim(AtLeast(1))))


def test_unknown_names_give_one_line_with_the_valid_choices():
    with pytest.raises(UnknownNameError) as err:
        check_profile("fast")
    assert str(err.value) == "unknown profile 'fast'; valid profiles: quick, full"
    with pytest.raises(UnknownNameError, match="valid claims: c"):
        _case(claims=(_claim(AtLeast(1)),)).claim("nope")


def test_seeds_default_per_profile_and_rotate_with_the_base():
    assert seeds_for("quick") == [0, 1, 2]
    assert seeds_for("full") == [0, 1, 2, 3, 4]
    assert seeds_for("quick", 4, base=100) == [100, 101, 102, 103]
    with pytest.raises(ValueError, match=">= 1"):
        seeds_for("quick", 0)


def test_recipe_data_reaches_make_data_and_expected_may_differ_per_profile():
    seen = []

    def make_data(seed, n=3):
        seen.append((seed, n))
        return CaseData(x=[0] * n, y=None)

    case = _case(
        make_data=make_data,
        recipes={"quick": Recipe(epochs=1, batch_size=1, data={"n": 2}), "full": Recipe(epochs=2, batch_size=1)},
        expected={"quick": Expected((2,), (2,), 0), "full": Expected((3,), (3,), 0)},
    )
    assert len(case.build_data(7, "quick").x) == 2 and len(case.build_data(7, "full").x) == 3
    assert seen == [(7, 2), (7, 3)]
    assert case.expected_for("quick").input_shape == (2,) and case.expected_for("full").input_shape == (3,)
    single = _case()
    assert single.expected_for("quick") is single.expected_for("full")
    with pytest.raises(ValueError, match="no expected shapes for profile"):
        _case(expected={"quick": Expected((1,), (1,), 0)})


def test_recipe_describes_schedule_data_and_stop_rule():
    r = Recipe(epochs=4, batch_size=2, lr_schedule="cosine", data={"n_bits": 12}, stop_when=("exact_match", 1.0))
    d = r.describe()
    assert (d["lr_schedule"], d["data"], d["stop_when"]) == ("cosine", {"n_bits": 12}, ["exact_match", 1.0])
    assert Recipe(epochs=1, batch_size=1).describe()["stop_when"] is None
    with pytest.raises(UnknownNameError, match="valid learning-rate schedules: constant, cosine"):
        Recipe(epochs=1, batch_size=1, lr_schedule="step")


def test_expected_output_shape_defaults_to_a_targets_shape():
    assert Expected((5, 3), (5, 26), 0).sample_output_shape() == (26,)
    assert Expected((5, 20), (5, 20), 0, output_shape=(20, 2)).sample_output_shape() == (20, 2)


def test_paired_ratio_uses_the_geometric_mean_and_wins():
    rule = PairedRatio(min_ratio=1.5, min_win_fraction=2 / 3)
    held, detail = rule.judge([10.0, 9.0, 4.0], [5.0, 5.0, 5.0])  # ratios 2, 1.8, 0.8
    assert held is False and "geometric mean 1.42" in detail
    assert rule.judge([10.0, 9.0, 6.0], [5.0, 5.0, 5.0])[0]  # ratios 2, 1.8, 1.2: mean 1.63, wins 3/3
    assert not PairedRatio(1.0, 1.0).judge([6.0, 4.0], [5.0, 5.0])[0]  # one seed not slower
    with pytest.raises(ValueError, match="positive"):
        rule.judge([1.0, 0.0, 1.0], [1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="same seeds"):
        rule.judge([1.0], None)
    assert rule.paired


def test_data_path_reads_its_environment_variable(monkeypatch):
    path = DataPath("--corpus-dir", "LSTM_BENCH_TEST_CORPUS", "a corpus")
    monkeypatch.delenv("LSTM_BENCH_TEST_CORPUS", raising=False)
    assert path.get() is None
    with pytest.raises(DataUnavailable) as err:
        path.require("the corpus")
    assert str(err.value) == "the corpus not given: pass --corpus-dir PATH or set LSTM_BENCH_TEST_CORPUS"
    monkeypatch.setenv("LSTM_BENCH_TEST_CORPUS", "~/corpus")
    assert path.require("the corpus").name == "corpus" and "~" not in str(path.get())


def test_a_non_strict_expected_failure_is_not_judged_either_way():
    loose = ExpectedFailure(reason="chance here", backend="jax", strict=False)
    claim = Claim(
        id="c",
        text="t",
        source_figure="f",
        metric="m",
        rules={"quick": AtMost(0.0), "full": AtMost(0.0)},
        measured_on={},
        unmeasured="a test claim",
        expected_failures=(loose,),
    )
    jax = {"backend": "jax"}
    held = claim.judge("quick", [0, 0, 0], jax)
    assert held.status == XFAIL and held.detail.startswith("not judged on this stack (held here by chance)")
    assert claim.judge("quick", [1, 1, 1], jax).status == XFAIL
    assert claim.judge("quick", [0, 0, 0], {"backend": "tensorflow"}).status == PASS


def test_an_expected_failure_below_its_floor_fails():
    floored = ExpectedFailure(reason="single letters are mediocre", floor=AtLeast(0.85, min_fraction=2 / 3))
    claim = _claim(AtLeast(0.999, min_fraction=2 / 3), expected_failures=(floored,))
    as_found = claim.judge("quick", [0.94, 0.93, 0.95], STACK_K3)
    assert as_found.status == XFAIL  # the finding, within its measured range
    broken = claim.judge("quick", [0.04, 0.0, 0.1], STACK_K3)
    assert broken.status == FAIL and "below the finding's floor" in broken.detail
    with pytest.raises(ValueError, match="a strict expected failure needs a floor"):
        _claim(AtLeast(0.9), expected_failures=(ExpectedFailure(reason="no floor"),))


def test_a_claim_judged_in_one_profile_only_says_why_and_refuses_the_other():
    claim = Claim(
        id="curve",
        text="t",
        source_figure="f",
        metric="m",
        rules={"full": AtLeast(0.9)},
        measured_on={"full": ("tf2.21/keras3/tensorflow",)},
        unjudged="quick: too short to show it",
    )
    assert claim.judged_in("full") and not claim.judged_in("quick")
    with pytest.raises(ValueError, match="not judged in the quick profile: quick: too short"):
        claim.judge("quick", [1.0], STACK_K3)
    with pytest.raises(ValueError, match="no reason in unjudged"):
        Claim(id="c", text="", source_figure="", metric="m", rules={"full": AtLeast(1)}, measured_on={})


def test_a_not_worse_rule_with_a_floor_fails_two_models_that_learned_nothing():
    rule = PairedGreater(-0.03, 0.0, floor=0.58)
    assert rule.judge([0.66, 0.70], [0.65, 0.71])[0]
    held, detail = rule.judge([0.50, 0.51], [0.50, 0.50])
    assert not held and "this >= 0.58 on every seed: False" in detail
