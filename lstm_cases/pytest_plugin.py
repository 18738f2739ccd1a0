"""pytest plugin for ``pytest bench``: the suite's options and its pytest hooks, nothing else.

Options (each also settable by environment variable):
  --profile quick|full   LSTM_BENCH_PROFILE    recipe tier (default quick)
  --seeds N              LSTM_BENCH_SEEDS      seeds judged per claim (quick 3, full 5)
  --seed-base S          LSTM_BENCH_SEED_BASE  first seed; seeds are S, S+1, ...
  --case ID              (repeatable)          run only these cases
  --null-model                                 the self-test: every case untrained, every
                                               claim must fail (one that holds is vacuous)
  data paths             each family's DATA_PATHS (e.g. --imdb-dir, LSTM_BENCH_IMDB_DIR):
                         a given option is copied into its environment variable; a case
                         whose data is not given is skipped, naming the option

What the hooks hand over to: the session's trained results (``lstm_cases.results``), the
result record written into the JSON (``lstm_cases.record``), pytest-xdist support
(``lstm_cases.xdist_support``). A data builder that raises core.DataUnavailable skips its
test with that reason; one that raises core.DataError fails it with that one line.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from lstm_cases import compat, registry, xdist_support
from lstm_cases.core import (
    DEFAULT_PROFILE,
    PROFILES,
    Case,
    DataError,
    DataPath,
    DataUnavailable,
    UnknownNameError,
    seeds_for,
)
from lstm_cases.record import KEY as RECORD_KEY
from lstm_cases.record import run_record
from lstm_cases.results import CaseResults, NullTally

_ENV = {"profile": "LSTM_BENCH_PROFILE", "seeds": "LSTM_BENCH_SEEDS", "seed_base": "LSTM_BENCH_SEED_BASE"}


@dataclass(frozen=True)
class Settings:
    profile: str
    seeds: list[int]
    seed_base: int
    case_names: list[str]
    null_model: bool = False


def _int_setting(config: pytest.Config, name: str, flag: str) -> int | None:
    raw = config.getoption(name)
    source = flag
    if raw is None and os.environ.get(_ENV[name]):
        raw, source = os.environ[_ENV[name]], _ENV[name]
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        raise pytest.UsageError(f"{source} must be an integer, got {raw!r}") from None


def parse_settings(config: pytest.Config) -> Settings:
    """Read and validate the suite's options; bad values raise a one-line UsageError."""
    profile = config.getoption("lstm_profile") or os.environ.get(_ENV["profile"]) or DEFAULT_PROFILE
    if profile not in PROFILES:
        raise pytest.UsageError(str(UnknownNameError("profile", profile, PROFILES)))
    n_seeds = _int_setting(config, "seeds", "--seeds")
    if n_seeds is not None and n_seeds < 1:
        raise pytest.UsageError(f"--seeds must be >= 1, got {n_seeds}")
    seed_base = _int_setting(config, "seed_base", "--seed-base") or 0
    case_names = config.getoption("lstm_case") or []
    try:
        registry.select_cases(case_names)
    except UnknownNameError as err:
        raise pytest.UsageError(str(err)) from None
    null_model = bool(config.getoption("null_model"))
    if null_model and config.getoption("benchmark_only", default=False):
        raise pytest.UsageError("--null-model times nothing; leave out --benchmark-only")
    return Settings(profile, seeds_for(profile, n_seeds, seed_base), seed_base, case_names, null_model)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("lstm-bench")
    group.addoption(
        "--profile",
        dest="lstm_profile",
        default=None,
        help=f"recipe profile: {', '.join(PROFILES)} (env {_ENV['profile']}; default {DEFAULT_PROFILE})",
    )
    group.addoption(
        "--seeds",
        dest="seeds",
        default=None,
        help=f"number of seeds per case (env {_ENV['seeds']}; default quick 3, full 5)",
    )
    group.addoption(
        "--seed-base",
        dest="seed_base",
        default=None,
        help=f"first seed; a run uses S, S+1, ... (env {_ENV['seed_base']}; default 0)",
    )
    group.addoption("--case", dest="lstm_case", action="append", default=[], help="run only this case id (repeatable)")
    group.addoption(
        "--null-model",
        dest="null_model",
        action="store_true",
        help="self-test: judge every claim on untrained models; a claim that still holds is vacuous (fails)",
    )
    for path in registry.data_paths():
        group.addoption(
            path.flag,
            dest=_data_dest(path),
            default=None,
            metavar="PATH",
            help=f"{path.help} (env {path.env}; not given: the cases that need it are skipped)",
        )


def _data_dest(path: DataPath) -> str:
    return "lstm_data_" + path.flag.lstrip("-").replace("-", "_")


def _export_data_paths(config: pytest.Config) -> dict[str, str | None]:
    """Copy the data options given on the command line into their environment variables
    (the command line beats the environment); returns the previous values."""
    previous: dict[str, str | None] = {}
    for path in registry.data_paths():
        value = config.getoption(_data_dest(path), default=None)
        if value:
            previous[path.env] = os.environ.get(path.env)
            os.environ[path.env] = str(value)
    return previous


_SETTINGS = pytest.StashKey[Settings]()
_RESULTS = pytest.StashKey[CaseResults]()
_JSON_TARGET = pytest.StashKey[Path]()
_EXIT = pytest.StashKey[int]()
_PREVIOUS_ENV = pytest.StashKey[dict]()
_XDIST_RUN = pytest.StashKey[xdist_support.XdistRun]()
_NULL_TALLY = pytest.StashKey[NullTally]()
_COLLECTED_WORDS = pytest.StashKey[set]()


def settings(config: pytest.Config) -> Settings:
    return config.stash[_SETTINGS]


# --------------------------------------------------------------------------- session


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    config.stash[_SETTINGS] = parse_settings(config)
    if config.getoption("benchmark_only", default=False) and xdist_support.runs_case_tests(config):
        raise pytest.UsageError(
            "--benchmark-only would skip every contract and claim test of bench/ and pass with nothing judged; "
            "time without judging nothing else: leave it out (claims reuse the timed runs)"
        )
    config.stash[_PREVIOUS_ENV] = _export_data_paths(config)
    distributing = xdist_support.distributing(config)
    if distributing:
        xdist_support.check_dist_mode(config)
    elif xdist_support.is_worker(config):
        # An xdist worker writes its benchmarks to its own file, which the controller merges.
        config.option.benchmark_json = xdist_support.worker_json(config)
    # pytest-benchmark writes --benchmark-json in place; write to a temp file instead and
    # rename it when the session is over, so the file is whole or not there at all.
    target = getattr(config.option, "benchmark_json", None)
    if target is not None and not hasattr(config, "workerinput"):
        target = Path(target)
        # Create the folder now: finding it missing after an hour of training loses the results.
        target.parent.mkdir(parents=True, exist_ok=True)
        config.stash[_JSON_TARGET] = target
        config.option.benchmark_json = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    if distributing:
        config.stash[_XDIST_RUN] = xdist_support.XdistRun(target=config.stash.get(_JSON_TARGET, None))


def pytest_sessionstart(session: pytest.Session) -> None:
    if xdist_support.is_worker(session.config):
        xdist_support.time_benchmarks_on_worker(session.config)


@pytest.hookimpl(trylast=True)  # an xdist controller: after xdist's, which takes the workers down
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    config.stash[_EXIT] = int(exitstatus)
    run = config.stash.get(_XDIST_RUN, None)
    if run is not None:  # before the terminal summary (a wrapper's end), which shows the result
        run.finish(config, int(exitstatus))


@pytest.hookimpl(wrapper=True, tryfirst=True, specname="pytest_sessionfinish")
def pytest_sessionfinish_on_worker(session: pytest.Session):
    """An xdist worker, before pytest-benchmark saves (its sessionfinish is a hookwrapper)."""
    if xdist_support.is_worker(session.config):
        xdist_support.report_worker_benchmarks(session.config)
    return (yield)


def pytest_unconfigure(config: pytest.Config) -> None:
    for env, value in config.stash.get(_PREVIOUS_ENV, {}).items():
        if value is None:
            os.environ.pop(env, None)
        else:
            os.environ[env] = value
    target = config.stash.get(_JSON_TARGET, None)
    if target is None:
        return
    tmp = Path(config.option.benchmark_json)
    if not tmp.exists():
        return
    interrupted = config.stash.get(_EXIT, 0) in xdist_support.INTERRUPTED
    final = target.with_name(target.name + ".partial") if interrupted else target
    os.replace(tmp, final)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    tally = config.stash.get(_NULL_TALLY, None)
    if tally is not None:
        terminalreporter.write_line(tally.line(), red=bool(tally.vacuous), green=not tally.vacuous)
    run = config.stash.get(_XDIST_RUN, None)
    line = run.summary() if run is not None else None
    if line:
        terminalreporter.write_line(line, yellow=True)


# --------------------------------------------------------------------------- pytest-xdist


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    if config.option.dist != "loadgroup":
        return None
    families = {case.id: case.family for case in registry.all_cases().values()}
    return xdist_support.family_scheduler(config, log, families)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    run = node.config.stash.get(_XDIST_RUN, None)
    if run is not None:
        run.hand_out(node)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object | None) -> None:
    run = node.config.stash.get(_XDIST_RUN, None)
    if run is not None:
        run.worker_down(node, error)


# --------------------------------------------------------------------------- the result record


def pytest_benchmark_update_json(config: pytest.Config, benchmarks: list, output_json: dict[str, Any]) -> None:
    """The run's one result record, judged on the session's final results."""
    results = config.stash.get(_RESULTS, None)
    if results is not None:
        output_json[RECORD_KEY] = run_record(
            results, selected_cases(config), compat.stack(), settings(config).seed_base, null_model=results.null_model
        )
    if xdist_support.is_worker(config):
        xdist_support.stamp_worker(config, output_json)


# --------------------------------------------------------------------------- parametrisation


def selected_cases(config: pytest.Config) -> list[Case]:
    return registry.select_cases(settings(config).case_names)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "case" in metafunc.fixturenames:
        cases = selected_cases(metafunc.config)
        metafunc.parametrize("case", cases, ids=[c.id for c in cases])
    if "case_claim" in metafunc.fixturenames:
        pairs = [(c, claim) for c in selected_cases(metafunc.config) for claim in c.claims]
        metafunc.parametrize("case_claim", pairs, ids=[f"{c.id}-{claim.id}" for c, claim in pairs])


@pytest.hookimpl(tryfirst=True)  # before -k deselects: the words -k can match
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    config.stash[_COLLECTED_WORDS] = {str(word).lower() for item in items for word in item.keywords}
    # Run concerns in order (contract, training, inference, claims) so that training is
    # timed once and the later concerns reuse its models.
    items.sort(key=lambda item: getattr(getattr(item, "module", None), "CONCERN_ORDER", 0))
    _mark_known_breakages(config, items)


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
        if case is None or getattr(getattr(item, "module", None), "CONCERN_ORDER", 0) < 1:
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
    collected = session.config.stash.get(_COLLECTED_WORDS, set())
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
    paths = registry.data_paths()
    if paths:
        given = ", ".join(f"{p.flag} {p.get() or '(not given)'}" for p in paths)
        lines.append(f"lstm-bench: data: {given}")
    return lines


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


@pytest.fixture(scope="session")
def bench_settings(pytestconfig: pytest.Config) -> Settings:
    return settings(pytestconfig)


@pytest.fixture(scope="session")
def case_results(pytestconfig: pytest.Config) -> CaseResults:
    """The session's trained results, shared by every concern and read by the result record."""
    if _RESULTS not in pytestconfig.stash:
        s = settings(pytestconfig)
        pytestconfig.stash[_RESULTS] = CaseResults(s.profile, s.seeds, null_model=s.null_model)
    return pytestconfig.stash[_RESULTS]


@pytest.fixture(scope="session")
def null_tally(pytestconfig: pytest.Config) -> NullTally:
    """The null-model run's count of claims that failed as they should and of vacuous ones."""
    if _NULL_TALLY not in pytestconfig.stash:
        pytestconfig.stash[_NULL_TALLY] = NullTally()
    return pytestconfig.stash[_NULL_TALLY]
