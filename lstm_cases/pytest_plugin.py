"""pytest plugin for ``pytest bench``: the suite's options and its pytest hooks, nothing else.

Options (each also settable by environment variable):
  --profile quick|full   LSTM_BENCH_PROFILE    recipe tier (default quick)
  --seeds N              LSTM_BENCH_SEEDS      seeds judged per claim (quick 3, full 5)
  --seed-base S          LSTM_BENCH_SEED_BASE  first seed; seeds are S, S+1, ...
  --case ID              (repeatable)          run only these cases
  --threads N|default    LSTM_BENCH_THREADS    the framework's intra- and inter-op threads (default 1)
  --timing-processes N   LSTM_BENCH_TIMING_PROCESSES  processes timing each steady-state benchmark (2)
  (test-only)            LSTM_BENCH_SLOWDOWN   slowdown for the detection-power study, e.g. train:1.2
  --shard K/N            LSTM_BENCH_SHARD      run the K-th of N shares of the (case, seed) work
                                               (``lstm_cases.shards``; join them: python -m lstm_cases.tools.merge)
  --progress-after S     LSTM_BENCH_PROGRESS_AFTER  a seed that trains longer than S seconds (default
                                               30) shows its progress (``lstm_cases.progress``)
  --null-model                                 the self-test: every case untrained, every
                                               claim must fail (one that holds is vacuous)
  data paths             each family's DATA_PATHS (e.g. --imdb-dir, LSTM_BENCH_IMDB_DIR):
                         a given option is copied into its environment variable; a case
                         whose data is not given is skipped, naming the option

What the hooks hand over to: the session object (``lstm_cases.bench_session``: settings, trained
results, steady-state timing, result file, cost), the settings (``lstm_cases.settings``), the result
record (``lstm_cases.recording``), steady-state timing and the process settings (``lstm_cases.timing``),
shards (``lstm_cases.shards``), pytest-xdist support (``lstm_cases.xdist_support``). A data builder
that raises core.DataUnavailable skips its test with that reason; one that raises core.DataError
fails it with that one line.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from lstm_cases import bench_session, compat, registry, shards, timing, xdist_support
from lstm_cases.bench_session import BenchSession
from lstm_cases.core import Case, DataError, DataUnavailable
from lstm_cases.record import costs
from lstm_cases.record.schema import KEY as RECORD_KEY
from lstm_cases.result_file import plain_params
from lstm_cases.results import CaseResults, NullTally
from lstm_cases.settings import Settings, add_options
from lstm_cases.shared_checks import LocalChecks

CASE_MARK = "case"  # the bench modules' mark (registered here: a run outside the checkout has no ini file)


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


def settings(config: pytest.Config) -> Settings:
    return bench_session.of(config).settings


# --------------------------------------------------------------------------- session (lstm_cases.bench_session)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{CASE_MARK}: a test that exercises one registered LSTM case")
    BenchSession.configure(config)


def pytest_sessionstart(session: pytest.Session) -> None:
    if xdist_support.is_worker(session.config):
        xdist_support.time_benchmarks_on_worker(session.config)


@pytest.hookimpl(trylast=True)  # after pytest-benchmark saved (its sessionfinish is a hookwrapper)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    bench_session.of(session.config).finish(int(exitstatus))


@pytest.hookimpl(wrapper=True, tryfirst=True, specname="pytest_sessionfinish")
def pytest_sessionfinish_before_saving(session: pytest.Session):
    """Before pytest-benchmark saves (its sessionfinish is a hookwrapper): the timing workers end, so
    that their exit is in the run's cost (the record is built while saving); an xdist worker's quiet."""
    bench_session.of(session.config).close_workers()
    if xdist_support.is_worker(session.config):
        xdist_support.quiet_empty_worker(session.config)
    return (yield)


def pytest_unconfigure(config: pytest.Config) -> None:
    bench = bench_session.of(config)
    if bench is not None:
        bench.unconfigure()


@pytest.hookimpl(trylast=True)  # the run ends with it, after pytest-benchmark's tables
def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    bench_session.of(config).terminal_summary(terminalreporter)


# --------------------------------------------------------------------------- pytest-xdist


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    if config.option.dist != "loadgroup":
        return None
    families = {case.id: case.family for case in registry.all_cases().values()}
    return xdist_support.family_scheduler(config, log, families)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    run = bench_session.of(node.config).xdist_run
    if run is not None:
        run.hand_out(node)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object | None) -> None:
    run = bench_session.of(node.config).xdist_run
    if run is not None:
        run.worker_down(node, error)


# --------------------------------------------------------------------------- the result record


def pytest_benchmark_update_json(config: pytest.Config, benchmarks: list, output_json: dict[str, Any]) -> None:
    """The run's one result record, judged on the session's final results."""
    plain_params(output_json)
    record = bench_session.of(config).record()
    if record is not None:
        output_json[RECORD_KEY] = record
    if xdist_support.is_worker(config):
        xdist_support.stamp_worker(config, output_json)


# --------------------------------------------------------------------------- parametrisation


def selected_cases(config: pytest.Config) -> list[Case]:
    return settings(config).cases()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "case" in metafunc.fixturenames:
        cases = selected_cases(metafunc.config)
        metafunc.parametrize("case", cases, ids=[c.id for c in cases])
    if "case_claim" in metafunc.fixturenames:
        pairs = [(c, claim) for c in selected_cases(metafunc.config) for claim in c.claims]
        metafunc.parametrize("case_claim", pairs, ids=[f"{c.id}-{claim.id}" for c, claim in pairs])


@pytest.hookimpl(tryfirst=True)  # before -k deselects: the words -k can match
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    bench_session.of(config).collected_words = {str(word).lower() for item in items for word in item.keywords}
    # Run concerns in order (contract, steady-state inference, steady-state training step, whole-recipe
    # training, claims): steady-state timing before this process trains anything, the whole recipe
    # timed once and the claims reusing its models.
    items.sort(key=lambda item: _concern(item))
    _deselect_other_shards(config, items)
    _mark_known_breakages(config, items)


def _concern(item: pytest.Item) -> int:
    return getattr(getattr(item, "module", None), "CONCERN_ORDER", 0)


def _deselect_other_shards(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under --shard, the case tests of the other shards' work are deselected (``shards.keeps``)."""
    s = settings(config)
    if s.shard is None:
        return
    kept, dropped = [], []
    for item in items:
        case = _item_case(item)
        claim_test = "case_claim" in getattr(getattr(item, "callspec", None), "params", {})
        steady = "steady_timing" in getattr(item, "fixturenames", ())
        keep = case is None or shards.keeps(case.id, _concern(item), claim_test, s.case_seeds, s.seeds, steady)
        (kept if keep else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def _item_case(item: pytest.Item) -> Case | None:
    params = getattr(getattr(item, "callspec", None), "params", {})
    if "case" in params:
        return params["case"]
    if "case_claim" in params:
        return params["case_claim"][0]
    return None


def _mark_known_breakages(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests that train a case whose training crashes on this stack: strict xfail with the
    declared exception (the contract tests build the model only and still run)."""
    if not any((c := _item_case(item)) is not None and c.breaks_on for item in items):
        return
    stack, profile = compat.stack(), settings(config).profile
    for item in items:
        case = _item_case(item)
        if case is None or _concern(item) < 1:
            continue
        breakage = next((b for b in case.breaks_on if b.matches(stack, profile)), None)
        if breakage is not None:
            reason = f"known breakage on this stack: {breakage.reason}"
            item.add_marker(pytest.mark.xfail(reason=reason, raises=breakage.raises, strict=True))


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    """A word of ``-k`` that matches nothing collected is a typo more often than a wish for
    fewer tests (``-k "sentimnt or char_gen"`` would quietly drop one family)."""
    keyword = session.config.getoption("keyword")
    collected = bench_session.of(session.config).collected_words
    if not keyword or not collected:
        return
    words = [w for w in re.findall(r"[\w.-]+", keyword) if w not in ("and", "or", "not")]
    unknown = [w for w in words if not any(w.lower() in name for name in collected)]
    if unknown:
        cases = ", ".join(sorted(registry.all_cases()))
        raise pytest.UsageError(
            f"-k {keyword!r}: {', '.join(map(repr, unknown))} matches no test; valid cases: {cases}"
        )


def pytest_report_collectionfinish(config: pytest.Config, items: list[pytest.Item]) -> list[str]:
    if not any(item.get_closest_marker("case") for item in items):
        return []
    s = settings(config)
    info = compat.stack()
    lines = [
        f"lstm-bench: profile {s.profile}, seeds {s.seeds} (rerun one seed: --seeds 1 --seed-base SEED)",
        *(["lstm-bench: NULL MODEL: every case untrained; every claim must fail"] if s.null_model else []),
        f"lstm-bench: {compat.stack_label(info)}: tensorflow {info['tensorflow_version']}, "
        f"keras {info['keras_version']}, numpy {info['numpy_version']}, python {info['python_version']}",
    ]
    if s.shard is not None:
        mine = sum(len(seeds) for seeds in s.case_seeds.values())
        total = sum(len(s.seeds) for _ in s.case_seeds)
        lines.append(
            f"lstm-bench: shard {s.shard}: {mine} of {total} (case, seed) trainings; claims are judged when the "
            "shards are merged (python -m lstm_cases.tools.merge)"
        )
    installed = [
        name for name, module in registry.family_modules().items() if not module.__name__.startswith("lstm_cases.")
    ]
    if installed:
        lines.append(f"lstm-bench: installed families: {', '.join(installed)}")
    for name, why in registry.broken_families().items():
        lines.append(f"lstm-bench: BROKEN family {name}: {why} (its cases do not run; test_every_family_loads fails)")
    paths = registry.data_paths()
    if paths:
        given = ", ".join(f"{p.flag} {p.get() or '(not given)'}" for p in paths)
        lines.append(f"lstm-bench: data: {given}")
    lines += timing.header_lines(s)
    return lines


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):
    """Each test's time, setup to report, goes to its concern in the run's cost (``lstm_cases.record.costs``):
    a steady-state benchmark's, else its module's ``COST_CONCERN``."""
    ledger = costs.active()
    if ledger is None:
        return (yield)
    steady = "steady_timing" in getattr(item, "fixturenames", ())
    concern = "steady-state benchmarks" if steady else getattr(getattr(item, "module", None), "COST_CONCERN", None)
    case = _item_case(item)
    with ledger.test(concern or "other tests", case.id if case is not None else None):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    """Data a case needs but nobody gave: skip with the builder's reason. Data given but
    broken: fail with the builder's one line, no traceback."""
    try:
        return (yield)
    except DataUnavailable as err:  # reported at the test, as a skip mark's reason is
        outcome: BaseException = pytest.skip.Exception(str(err), _use_item_location=True)
    except DataError as err:
        outcome = pytest.fail.Exception(f"{item.name}: {err}", pytrace=False)
    raise outcome  # outside the except blocks: no chained "During handling ..." noise


# --------------------------------------------------------------------------- fixtures


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """The thread setting, applied once before the first case test (or its fixtures) runs anything."""
    if item.get_closest_marker("case") is not None:
        bench_session.of(item.config).before_first_case_test(item.session)


@pytest.fixture
def bench_settings(request: pytest.FixtureRequest) -> Settings:
    """The run's settings; for a test of one case, with the seeds this run trains of it (a shard's share)."""
    s = settings(request.config)
    return s.for_case(request.getfixturevalue("case")) if "case" in request.fixturenames else s


@pytest.fixture(scope="session")
def steady_timing(pytestconfig: pytest.Config) -> timing.SteadyTiming:
    """The session's steady-state timing (``lstm_cases.timing``); its worker processes end with the session."""
    session = bench_session.of(pytestconfig)
    session.timing_begins()
    return session.steady


@pytest.fixture(scope="session")
def source_checks(pytestconfig: pytest.Config) -> LocalChecks:
    """Where the API-path checks are decided (``lstm_cases.shared_checks``)."""
    return bench_session.of(pytestconfig).source_checks


@pytest.fixture(scope="session")
def case_results(pytestconfig: pytest.Config) -> CaseResults:
    """The session's trained results, shared by every concern and read by the result record."""
    return bench_session.of(pytestconfig).results


@pytest.fixture(scope="session")
def null_tally(pytestconfig: pytest.Config) -> NullTally:
    """The null-model run's count of claims that failed as they should and of vacuous ones."""
    return bench_session.of(pytestconfig).null_tally
