"""Inference time in steady state, on a freshly built model of each case (the weights do not change
the work): predict() over the case's inputs (their first k batches where the case's shapes make a
full predict long), and one direct call on a single sample. Warm-up, the work of a round and rounds
in each process: lstm_cases.timing; the plan and every process's rounds are in extra_info. It runs
right after the contract, before any training in this process (which would weigh on it), and builds
models only: a stack whose training crashes (KnownBreakage) still times its inference. Skipped under
--null-model (nothing is timed) and for a control case (``Case.control_of``: trained only to be compared);
under --shard only the shard holding the case's last seed runs it."""

import pytest

CONCERN_ORDER = 0.5  # < 1: builds models, trains nothing
pytestmark = pytest.mark.case


@pytest.mark.parametrize("kind", ["predict", "single_call"])
def test_inference(case, kind, benchmark, bench_settings, steady_timing):
    if bench_settings.null_model:
        pytest.skip("--null-model: untrained models, nothing to time")
    if case.untimed_reason():
        pytest.skip(case.untimed_reason())
    steady_timing.run(benchmark, case, kind)
