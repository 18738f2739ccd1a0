"""Training time, two ways, in this order.

test_train_step: the steady state, on a freshly built model: rounds of k steps of the case's own
training call (k fixed by the case's shapes), warmed, in this process and in the worker processes
(lstm_cases.timing). This is the training time the gate judges. It runs before any whole-recipe
training, so that what this process has trained before does not weigh on it. Under --null-model it
is skipped (nothing is timed), and for a control case (``Case.control_of``: trained only to be compared);
under --shard only the shard that holds the case's last seed runs it.

test_train: the whole recipe, one timed round per seed (model building excluded; tracing and
compilation included), the per-seed metrics from the same runs. Recorded and reported, never
gated: three rounds cannot tell a small change. Under --benchmark-disable every seed still trains;
under --null-model none does (the self-test's untrained models). A control case (``Case.control_of``)
trains only where a claim compared with it is judged (``registry.unneeded_control``)."""

import pytest

from lstm_cases import compat, registry, runner

CONCERN_ORDER = 1
COST_CONCERN = "whole-recipe runs"  # lstm_cases.record.costs
pytestmark = pytest.mark.case


def test_train_step(case, benchmark, bench_settings, steady_timing):
    if bench_settings.null_model:
        pytest.skip("--null-model: untrained models, nothing to time")
    if case.untimed_reason():
        pytest.skip(case.untimed_reason())
    steady_timing.run(benchmark, case, "train_step")


@pytest.mark.filterwarnings("ignore:Benchmark fixture was not used")
def test_train(case, benchmark, bench_settings, case_results):
    unneeded = registry.unneeded_control(case, bench_settings.profile, compat.stack())
    if unneeded:
        pytest.skip(unneeded)
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
