"""The suite's run settings, read from its pytest options and their environment variables.

Every option of ``pytest bench`` that is the suite's own is parsed and checked here, once,
when pytest configures; a bad value is a one-line ``pytest.UsageError`` naming the option
and what it accepts. The pytest plugin only declares the options and stores the result.
"""

from __future__ import annotations

import dataclasses
import math
import os
from dataclasses import dataclass

import pytest

from lstm_cases import registry, shards, timing
from lstm_cases.core import DEFAULT_PROFILE, PROFILES, Case, DataPath, UnknownNameError, seeds_for

ENV = {
    "profile": "LSTM_BENCH_PROFILE",
    "seeds": "LSTM_BENCH_SEEDS",
    "seed_base": "LSTM_BENCH_SEED_BASE",
    "shard": "LSTM_BENCH_SHARD",
    "progress_after": "LSTM_BENCH_PROGRESS_AFTER",
    "threads": timing.THREADS_ENV,
    "processes": timing.PROCESSES_ENV,
}
DEFAULT_PROGRESS_AFTER = 30.0  # seconds a seed trains before its progress is shown


@dataclass(frozen=True)
class Settings:
    profile: str
    seeds: list[int]  # the run's seeds (every shard's)
    seed_base: int
    case_names: list[str]
    null_model: bool = False
    shard: shards.Shard | None = None
    case_seeds: dict[str, list[int]] = dataclasses.field(default_factory=dict)  # a shard's seeds per case
    progress_after: float = DEFAULT_PROGRESS_AFTER
    threads: int | None = timing.DEFAULT_THREADS  # None: the framework's default pools
    processes: int = timing.PROCESSES  # processes that time each steady-state benchmark
    slowdown: timing.Slowdown = timing.Slowdown()  # test-only (LSTM_BENCH_SLOWDOWN)

    def cases(self) -> list[Case]:
        """The cases the run covers: those named (all when none), and under --shard the cases
        their paired claims compare with (a shard keeps paired cases on the same seeds)."""
        cases = registry.select_cases(self.case_names)
        return shards.with_partners(cases) if self.shard is not None else cases

    def seeds_of(self, case_id: str) -> list[int]:
        """The seeds this run trains of a case (a shard: its share of them)."""
        return list(self.case_seeds.get(case_id, self.seeds)) if self.shard is not None else list(self.seeds)

    def steady_timing(self) -> timing.SteadyTiming:
        """The session's steady-state timing under these settings (worker processes start on first use)."""
        from lstm_cases.timing_worker import TimingWorkers

        workers = TimingWorkers(self.processes - 1, self.threads) if self.processes > 1 else None
        return timing.SteadyTiming(self.profile, self.seeds[0], self.threads, self.processes, self.slowdown, workers)

    def for_case(self, case: Case) -> Settings:
        """These settings with ``seeds`` narrowed to what this run trains of the case."""
        return dataclasses.replace(self, seeds=self.seeds_of(case.id)) if self.shard is not None else self


# --------------------------------------------------------------------------- options


def add_options(parser: pytest.Parser) -> None:
    """The suite's options of ``pytest bench`` (the plugin's ``pytest_addoption``)."""
    group = parser.getgroup("lstm-bench")
    group.addoption(
        "--profile",
        dest="lstm_profile",
        default=None,
        help=f"recipe profile: {', '.join(PROFILES)} (env {ENV['profile']}; default {DEFAULT_PROFILE})",
    )
    group.addoption(
        "--seeds",
        dest="seeds",
        default=None,
        help=f"number of seeds per case (env {ENV['seeds']}; default quick 3, full 5)",
    )
    group.addoption(
        "--seed-base",
        dest="seed_base",
        default=None,
        help=f"first seed; a run uses S, S+1, ... (env {ENV['seed_base']}; default 0)",
    )
    group.addoption("--case", dest="lstm_case", action="append", default=[], help="run only this case id (repeatable)")
    group.addoption(
        "--threads",
        dest="threads",
        default=None,
        help=f"intra- and inter-op threads of the framework, or 'default' (env {ENV['threads']}; "
        f"default {timing.DEFAULT_THREADS})",
    )
    group.addoption(
        "--timing-processes",
        dest="processes",
        default=None,
        help=f"processes that time each steady-state benchmark (env {ENV['processes']}; default {timing.PROCESSES})",
    )
    group.addoption(
        "--shard",
        dest="shard",
        default=None,
        metavar="K/N",
        help=f"run the K-th of N deterministic shares of the (case, seed) work; every shard with the same "
        f"options, then join the files with python -m lstm_cases.tools.merge (env {ENV['shard']})",
    )
    group.addoption(
        "--progress-after",
        dest="progress_after",
        default=None,
        metavar="SECONDS",
        help=f"show the progress of a seed that trains longer than this (env {ENV['progress_after']}; "
        f"default {DEFAULT_PROGRESS_AFTER:g})",
    )
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


def export_data_paths(config: pytest.Config) -> dict[str, str | None]:
    """Copy the data options given on the command line into their environment variables
    (the command line beats the environment); returns the previous values."""
    previous: dict[str, str | None] = {}
    for path in registry.data_paths():
        value = config.getoption(_data_dest(path), default=None)
        if value:
            previous[path.env] = os.environ.get(path.env)
            os.environ[path.env] = str(value)
    return previous


# --------------------------------------------------------------------------- parsing


def _raw(config: pytest.Config, name: str, flag: str) -> tuple[str | None, str]:
    """An option's value and where it came from: the command line, else its environment variable."""
    raw = config.getoption(name)
    if raw is None and os.environ.get(ENV[name]):
        return os.environ[ENV[name]], ENV[name]
    return raw, flag


def _int_setting(config: pytest.Config, name: str, flag: str) -> int | None:
    raw, source = _raw(config, name, flag)
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        raise pytest.UsageError(f"{source} must be an integer, got {raw!r}") from None


def _seconds_setting(config: pytest.Config, name: str, flag: str, default: float) -> float:
    raw, source = _raw(config, name, flag)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not value >= 0 or math.isinf(value):
        raise pytest.UsageError(f"{source} must be a number of seconds >= 0, got {raw!r}")
    return value


def parse_settings(config: pytest.Config) -> Settings:
    """Read and validate the suite's options; bad values raise a one-line UsageError."""
    profile = config.getoption("lstm_profile") or os.environ.get(ENV["profile"]) or DEFAULT_PROFILE
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
    progress_after = _seconds_setting(config, "progress_after", "--progress-after", DEFAULT_PROGRESS_AFTER)
    try:
        threads = timing.parse_threads(*_raw(config, "threads", "--threads"))
        processes = timing.parse_processes(*_raw(config, "processes", "--timing-processes"))
        slowdown = timing.Slowdown.from_env()
    except ValueError as err:
        raise pytest.UsageError(str(err)) from None
    seeds = seeds_for(profile, n_seeds, seed_base)
    settings = Settings(
        profile,
        seeds,
        seed_base,
        case_names,
        null_model,
        progress_after=progress_after,
        threads=threads,
        processes=processes,
        slowdown=slowdown,
    )
    raw_shard, source = _raw(config, "shard", "--shard")
    if raw_shard is None:
        return settings
    try:
        shard = shards.parse_shard(raw_shard, source)
        settings = dataclasses.replace(settings, shard=shard)
        return dataclasses.replace(settings, case_seeds=shards.plan(settings.cases(), settings.seeds, shard))
    except ValueError as err:
        raise pytest.UsageError(str(err)) from None
