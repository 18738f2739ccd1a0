"""Alphabet data builders: the source's shapes, determinism per seed, the prefix set."""

import numpy as np
import pytest

from lstm_cases.families.alphabet import model as alphabet
from lstm_cases.registry import get_case


@pytest.mark.parametrize(
    ("case_id", "x_shape", "y_shape"),
    [
        ("one_char", (25, 1, 1), (25, 26)),
        ("feature_window", (23, 1, 3), (23, 26)),
        ("timestep_window", (23, 3, 1), (23, 26)),
        ("batch_state", (25, 1, 1), (25, 26)),
        ("stateful", (25, 1, 1), (25, 26)),
        ("variable_length", (1000, 5, 1), (1000, 26)),
    ],
)
def test_shapes_match_the_source(case_id, x_shape, y_shape):
    data = get_case(case_id).make_data(0)
    assert data.x.shape == x_shape and data.y.shape == y_shape
    assert data.x.dtype == np.float32
    assert data.x.min() >= 0.0 and data.x.max() < 1.0  # scaled by /26
    np.testing.assert_array_equal(data.y.sum(axis=1), 1)  # one-hot


def test_seq_length_two_prints_the_source_shape():
    data = alphabet.window_data(0, seq_length=2, as_timesteps=True)
    assert data.x.shape == (24, 2, 1)  # Source: 000 "(24, 2, 1)"


def test_windows_are_the_source_pairs():
    data_x, data_y = alphabet.letter_windows(3)
    assert data_x[0] == [0, 1, 2] and data_y[0] == 3  # ABC -> D
    assert data_x[-1] == [22, 23, 24] and data_y[-1] == 25  # WXY -> Z
    x = alphabet.window_data(0, 3, as_timesteps=False).x
    np.testing.assert_allclose(x[0, 0], [0, 1 / 26, 2 / 26])


def test_variable_length_is_deterministic_per_seed_and_differs_across_seeds():
    a, b, c = (alphabet.variable_length_data(s) for s in (3, 3, 4))
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_array_equal(a.y, b.y)
    assert not np.array_equal(a.x, c.x)


def test_variable_length_draws_runs_of_one_to_five_consecutive_letters():
    data_x, data_y = alphabet.variable_length_sequences(np.random.default_rng(0), 2000)
    assert {len(s) for s in data_x} == {1, 2, 3, 4, 5}
    for seq, nxt in zip(data_x, data_y, strict=True):
        assert seq == list(range(seq[0], seq[0] + len(seq))) and nxt == seq[-1] + 1
    # left zero padding, as pad_sequences does
    padded = alphabet.variable_length_data(0)
    first = padded.extras["data_x"][0]
    np.testing.assert_allclose(padded.x[0, -len(first) :, 0], np.asarray(first) / 26)
    assert np.all(padded.x[0, : 5 - len(first), 0] == 0)


def test_all_prefixes_are_every_draw_the_sampler_can_make():
    prefixes, targets = alphabet.all_prefixes()
    assert len(prefixes) == 114
    drawn, _ = alphabet.variable_length_sequences(np.random.default_rng(1), 20000)
    assert {tuple(p) for p in drawn} == {tuple(p) for p in prefixes}
    data = alphabet.variable_length_data(0)
    assert data.extras["prefix_x"].shape == (114, 5, 1)
    assert sorted(set(data.extras["prefix_lengths"].tolist())) == [1, 2, 3, 4, 5]
