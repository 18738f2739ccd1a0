"""Inference time on the last seed's trained model: predict() over the case's inputs,
and one direct call on a single sample. One untimed warm-up call, one untimed call to size
the rounds (fewer for slow calls, see runner.inference_rounds), then the timed rounds."""

import time

import pytest

from lstm_cases import runner

CONCERN_ORDER = 2
pytestmark = pytest.mark.case


@pytest.mark.parametrize("kind", ["predict", "single_call"])
def test_inference(case, kind, benchmark, bench_settings, case_results):
    if bench_settings.null_model:
        pytest.skip("--null-model: untrained models, nothing to time")
    prepared = case_results.train_missing(case).last
    call = runner.predict_all if kind == "predict" else runner.single_call
    benchmark.group = kind
    rounds = 1  # --benchmark-disable: pedantic calls once, untimed
    if benchmark.enabled:
        call(prepared)  # warm-up: the first call traces
        start = time.perf_counter()
        call(prepared)
        rounds = runner.inference_rounds(bench_settings.profile, kind, time.perf_counter() - start)
    benchmark.pedantic(call, args=(prepared,), rounds=rounds, warmup_rounds=0)
    benchmark.extra_info.update(case=case.id, kind=kind)
