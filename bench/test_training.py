"""Training time: one timed round per seed (model building excluded), metrics from the
same runs. Under --benchmark-disable every seed still trains once; under --null-model
none does (the self-test's untrained models)."""

import pytest

from lstm_cases import runner

CONCERN_ORDER = 1
pytestmark = pytest.mark.case


@pytest.mark.filterwarnings("ignore:Benchmark fixture was not used")
def test_train(case, benchmark, bench_settings, case_results):
    if bench_settings.null_model:  # untrained models for the self-test: nothing to time
        case_results.train_missing(case)
        return
    prepared: list[runner.Prepared] = []
    seeds = iter(bench_settings.seeds)

    def next_seed():
        prepared.append(runner.prepare(case, bench_settings.profile, next(seeds)))
        return (prepared[-1],), {}

    benchmark.group = "train"
    if benchmark.enabled:
        benchmark.pedantic(runner.train, setup=next_seed, rounds=len(bench_settings.seeds), iterations=1)
    else:
        for _ in bench_settings.seeds:
            args, _kwargs = next_seed()
            runner.train(*args)
    case_results.put(
        runner.CaseResult(
            case_id=case.id,
            profile=bench_settings.profile,
            runs=[runner.evaluate(p) for p in prepared],
            last=prepared[-1],
        )
    )
    benchmark.extra_info.update(case=case.id, kind="train")
