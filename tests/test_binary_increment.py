"""Binary increment data builders and model shape (seed 001): no training."""

import numpy as np
import pytest

from lstm_cases.core import CaseData, Recipe
from lstm_cases.families import binary_increment as bi
from lstm_cases.registry import get_case


def test_bits_are_least_significant_first_and_round_trip():
    np.testing.assert_array_equal(bi.to_bits([6], 4), [[0, 1, 1, 0]])
    np.testing.assert_array_equal(bi.to_bits([1, 2], 20)[:, :3], [[1, 0, 0], [0, 1, 0]])  # Source: 1-3 "전/후"
    numbers = np.arange(2**12)
    np.testing.assert_array_equal(bi.from_bits(bi.to_bits(numbers, 12)), numbers)


def test_source_example_pair():
    # Source: 001 "00010011111111111111 + 1 = 00010100000000000000" (printed most significant first)
    x = bi.to_bits([int("00010011111111111111", 2)], 20)
    y = bi.to_bits([int("00010100000000000000", 2)], 20)
    np.testing.assert_array_equal(x[0][::-1], [int(c) for c in "00010011111111111111"])
    assert bi.from_bits(y)[0] == bi.from_bits(x)[0] + 1
    assert bi.trailing_ones(x)[0] == 14


def test_trailing_ones_counts_the_carry_chain():
    bits = bi.to_bits([0, 1, 2, 3, 7, 0b1011, 2**12 - 1], 12)
    np.testing.assert_array_equal(bi.trailing_ones(bits), [0, 1, 0, 2, 3, 2, 12])


@pytest.mark.parametrize("n_bits", [4, 12])
def test_every_pair_is_an_increment_and_the_split_is_a_quarter(n_bits):
    data = bi.increment_data(0, n_bits)
    x = np.concatenate([data.x, data.extras["test_x"]])
    y = np.concatenate([data.y, data.extras["test_y"]])
    assert len(x) == 2**n_bits - 1 and len(data.x) == 2 ** (n_bits - 2)
    np.testing.assert_array_equal(bi.from_bits(y), bi.from_bits(x) + 1)
    # every number 0 .. 2^n - 2 exactly once: train and test are disjoint
    np.testing.assert_array_equal(np.sort(bi.from_bits(x)), np.arange(2**n_bits - 1))
    assert data.x.dtype == np.int32 and set(np.unique(x)) == {0, 1}


def test_the_source_split_sizes_and_the_shuffle_is_the_seeds():
    data = bi.increment_data(3)
    assert data.x.shape == (2**18, 20) and data.extras["test_x"].shape == (786_431, 20)  # Source: "786431"
    again, other = bi.increment_data(3), bi.increment_data(4)
    np.testing.assert_array_equal(again.x, data.x)
    assert not np.array_equal(other.x, data.x)


def test_full_model_has_the_source_shapes_and_parameter_count():
    case = get_case("binary_increment")
    expected = case.expected_for("full")
    assert expected.total_params == 15_164  # 20 + 5,504 + 8,320 + 1,320
    data = CaseData(x=np.zeros((4, 20), "int32"), y=np.zeros((4, 20), "int32"))
    model = bi.increment_model(data, Recipe(epochs=1, batch_size=4))
    embedding = model.layers[0]
    assert tuple(embedding.output.shape) == (None, 20, 10)  # Source: "(?, 20)" -> "(?, 20, 10)"
    assert model.count_params() == 15_164
    assert tuple(model(data.x, training=False).shape) == (4, 20, 2)


def test_exact_match_needs_every_bit():
    y_true = np.array([[0, 1, 1], [1, 0, 0]])
    logits = np.zeros((2, 3, 2), "float32")
    logits[0, [0, 1, 2], [0, 1, 1]] = 1.0  # all right
    logits[1, [0, 1, 2], [1, 0, 1]] = 1.0  # last bit wrong
    np.testing.assert_array_equal(np.asarray(bi.exact_match(y_true, logits)), [1.0, 0.0])


class _Oracle:
    """A 'model' that returns perfect logits except for the inputs it is told to miss."""

    def __init__(self, miss):
        self.miss = set(miss)

    def __call__(self, x, training=False):
        y = bi.to_bits(bi.from_bits(x) + 1, x.shape[1])
        for i, number in enumerate(bi.from_bits(x)):
            if number in self.miss:
                y[i, 0] = 1 - y[i, 0]
        return np.eye(2, dtype="float32")[y]


def test_held_out_metrics_tabulate_errors_by_trailing_ones():
    data = bi.increment_data(0, 8)
    test_numbers = bi.from_bits(data.extras["test_x"])
    long = [n for n in test_numbers if bi.trailing_ones(bi.to_bits([n], 8))[0] >= 4][:3]
    out = bi.held_out_metrics(_Oracle(long), data)
    assert out["errors"] == 3 and out["short_carry_error_rate"] == 0
    assert out["exact_match"] == pytest.approx(1 - 3 / len(test_numbers))
    assert out["carry_error_gap"] == pytest.approx(out["long_carry_error_rate"]) and out["carry_error_gap"] > 0
    assert sum(out["count_by_trailing_ones"].values()) == len(test_numbers)
    assert sorted(out["errors_trailing_ones"]) == sorted(int(bi.trailing_ones(bi.to_bits([n], 8))[0]) for n in long)
    assert out["error_by_trailing_ones"][0] == 0.0


def test_full_recipe_is_the_sources():
    r = get_case("binary_increment").recipe("full")
    assert (r.epochs, r.batch_size, r.optimizer, r.learning_rate, r.shuffle) == (100, 512, "adagrad", 0.1, False)
    assert r.stop_when == ("exact_match", 1.0) and r.data == {"n_bits": 20} and r.lr_schedule == "constant"


def test_held_out_numbers_beyond_the_longest_training_carry_are_counted():
    data = bi.increment_data(0, 8)
    longest = int(bi.trailing_ones(data.x).max())
    beyond = [n for n in bi.from_bits(data.extras["test_x"]) if bi.trailing_ones(bi.to_bits([n], 8))[0] > longest]
    out = bi.held_out_metrics(_Oracle(beyond), data)["beyond_training_carries"]
    assert out == {"longest_in_training": longest, "held_out": len(beyond), "wrong": len(beyond)}
