"""Inference time on the last seed's trained model: predict() over the case's inputs,
and one direct call on a single sample."""

import pytest

from lstm_cases import runner
from lstm_cases.pytest_plugin import INFERENCE_ROUNDS

CONCERN_ORDER = 2
pytestmark = pytest.mark.case


@pytest.mark.parametrize("kind", ["predict", "single_call"])
def test_inference(case, kind, benchmark, bench_settings, results):
    prepared = results.get(case).last
    call = runner.predict_all if kind == "predict" else runner.single_call
    benchmark.group = kind
    benchmark.pedantic(call, args=(prepared,), rounds=INFERENCE_ROUNDS[bench_settings.profile][kind], warmup_rounds=1)
    benchmark.extra_info.update(results.record(case, kind))
