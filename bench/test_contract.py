"""Contract: every family loads, and every case builds the shapes and parameter counts its source printed."""

import numpy as np
import pytest

from lstm_cases import registry, runner

CONCERN_ORDER = 0
COST_CONCERN = "contract"  # lstm_cases.record.costs
pytestmark = pytest.mark.case


def test_every_family_loads():
    """The suite's families and every installed one (``lstm_bench.families``): a broken one is named
    here, one line each, and its cases are left out while the others run."""
    broken = registry.broken_families()
    if broken:
        pytest.fail("\n".join(f"family {name}: {why}" for name, why in broken.items()), pytrace=False)


def test_contract(case, bench_settings):
    prepared = runner.prepare(case, bench_settings.profile, bench_settings.seeds[0])
    data, model, expected = prepared.data, prepared.model, case.expected_for(bench_settings.profile)

    assert data.x.shape == expected.input_shape
    assert data.y.shape == expected.target_shape
    assert model.count_params() == expected.total_params
    assert runner.layer_param_counts(model) == dict(expected.layer_params)
    # A few samples show the output shape; a direct call on every sample of a 400-step case
    # runs eagerly for seconds.
    batch = case.stateful_batch_size or min(len(data.x), 8)
    assert tuple(model(data.x[:batch], training=False).shape) == (batch, *expected.sample_output_shape())
    # The data builder is pure: the same seed gives the same arrays.
    again = case.build_data(bench_settings.seeds[0], bench_settings.profile)
    np.testing.assert_array_equal(again.x, data.x)
    np.testing.assert_array_equal(again.y, data.y)
