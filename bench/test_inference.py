"""Inference time in steady state, on a freshly built model of each case (the weights do not change
the work): predict() over the case's inputs (their first k batches where a full predict is longer
than a round), and one direct call on a single sample. Warm-up, calibration and rounds in each
process: lstm_cases.timing; the plan and every process's rounds are in the benchmark's extra_info."""

import pytest

CONCERN_ORDER = 2
pytestmark = pytest.mark.case


@pytest.mark.parametrize("kind", ["predict", "single_call"])
def test_inference(case, kind, benchmark, steady_timing):
    steady_timing.run(benchmark, case, kind)
