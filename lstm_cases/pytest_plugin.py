"""pytest plugin for ``pytest bench``: options, the seed list, the case registry as
parameters, the shared per-case results, and versions stamped into every result.

Options (each also settable by environment variable):
  --profile quick|full   LSTM_BENCH_PROFILE    recipe tier (default quick)
  --seeds N              LSTM_BENCH_SEEDS      seeds judged per claim (quick 3, full 5)
  --seed-base S          LSTM_BENCH_SEED_BASE  first seed; seeds are S, S+1, ...
  --case ID              (repeatable)          run only these cases
  data paths             each family's DATA_PATHS (e.g. --imdb-dir, LSTM_BENCH_IMDB_DIR):
                         a given option is copied into its environment variable; a case
                         whose data is not given is skipped, naming the option

A data builder that raises core.DataUnavailable skips its test with that reason; one that
raises core.DataError (data there but broken) fails it with that one line, no traceback.

Under pytest-xdist (``-n N``) every test of one case family runs on one worker (a family's
claims pair its cases and reuse their trained models): see lstm_cases.xdist_scheduling.
``--dist`` modes other than load/loadgroup would split a family and are refused. The workers
time their benchmarks (pytest-benchmark would switch itself off), each writes its own JSON,
and the controller merges them into --benchmark-json; every result says it ran under xdist.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from lstm_cases.core import (
    DEFAULT_PROFILE,
    PROFILES,
    XFAIL,
    XPASS,
    Case,
    DataError,
    DataPath,
    DataUnavailable,
    UnknownNameError,
    Verdict,
    seeds_for,
)
from lstm_cases.runner import ResultCache

# Timed rounds of the inference benchmarks, per profile: at most these many, fewer when one
# call is slow, so that a benchmark's timed rounds take about INFERENCE_SECONDS (a direct
# eager call of a 400-step LSTM takes ~0.5 s on 2 cores); never fewer than MIN_INFERENCE_ROUNDS.
INFERENCE_ROUNDS: dict[str, dict[str, int]] = {
    "quick": {"predict": 10, "single_call": 30},
    "full": {"predict": 50, "single_call": 200},
}
INFERENCE_SECONDS: dict[str, float] = {"quick": 1.0, "full": 20.0}
MIN_INFERENCE_ROUNDS = 3


def inference_rounds(profile: str, kind: str, call_seconds: float) -> int:
    """Rounds for one inference benchmark, given the time of one (warm) call."""
    most = INFERENCE_ROUNDS[profile][kind]
    fits = int(INFERENCE_SECONDS[profile] / max(call_seconds, 1e-9))
    return max(MIN_INFERENCE_ROUNDS, min(most, fits))


_ENV = {"profile": "LSTM_BENCH_PROFILE", "seeds": "LSTM_BENCH_SEEDS", "seed_base": "LSTM_BENCH_SEED_BASE"}


@dataclass(frozen=True)
class Settings:
    profile: str
    seeds: list[int]
    seed_base: int
    case_names: list[str]


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
    from lstm_cases import registry

    try:
        registry.select_cases(case_names)
    except UnknownNameError as err:
        raise pytest.UsageError(str(err)) from None
    return Settings(profile, seeds_for(profile, n_seeds, seed_base), seed_base, case_names)


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
    from lstm_cases import registry

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
    from lstm_cases import registry

    previous: dict[str, str | None] = {}
    for path in registry.data_paths():
        value = config.getoption(_data_dest(path), default=None)
        if value:
            previous[path.env] = os.environ.get(path.env)
            os.environ[path.env] = str(value)
    return previous


_SETTINGS = pytest.StashKey[Settings]()
_JSON_TARGET = pytest.StashKey[Path]()
_EXIT = pytest.StashKey[int]()
_PREVIOUS_ENV = pytest.StashKey[dict]()
_INTERRUPTED = (pytest.ExitCode.INTERRUPTED, pytest.ExitCode.INTERNAL_ERROR)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    config.stash[_SETTINGS] = parse_settings(config)
    config.stash[_PREVIOUS_ENV] = _export_data_paths(config)
    distributing = _distributing(config)
    if distributing:
        _check_dist_mode(config)
    elif _XDIST_INPUT in getattr(config, "workerinput", {}):
        # An xdist worker writes its benchmarks to its own file, which the controller merges.
        config.option.benchmark_json = Path(config.workerinput[_XDIST_INPUT]["json"])
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
        config.stash[_XDIST_RUN] = XdistRun(target=config.stash.get(_JSON_TARGET, None))


def pytest_sessionstart(session: pytest.Session) -> None:
    if _XDIST_INPUT in getattr(session.config, "workerinput", {}):
        _time_benchmarks_on_worker(session.config)


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
    if _XDIST_INPUT in getattr(session.config, "workerinput", {}):
        _report_worker_benchmarks(session.config)
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
    interrupted = config.stash.get(_EXIT, 0) in _INTERRUPTED
    final = target.with_name(target.name + ".partial") if interrupted else target
    os.replace(tmp, final)


def settings(config: pytest.Config) -> Settings:
    return config.stash[_SETTINGS]


# --------------------------------------------------------------------------- pytest-xdist

_GROUPING_MODES = ("load", "loadgroup")  # load: what -n N picks by itself; it becomes loadgroup
# What the controller tells a worker (node.workerinput), and the worker answers (workeroutput).
_XDIST_INPUT = "lstm_bench"
_XDIST_OUTPUT = "lstm_bench_json"


def _distributing(config: pytest.Config) -> bool:
    """This process is an xdist controller that hands the tests to workers."""
    return (
        not hasattr(config, "workerinput")
        and getattr(config.option, "dist", "no") != "no"
        and bool(getattr(config.option, "tx", None))
        and not config.getoption("collectonly")
    )


def _runs_case_tests(config: pytest.Config) -> bool:
    """The run's paths reach the ``bench`` folder (a path inside it, or a folder holding it): the
    case tests, whose families must stay on one worker. ``pytest tests -n 2 --dist loadfile``
    does not."""
    bench = (config.rootpath / "bench").resolve()
    for arg in config.args:
        path = (config.invocation_params.dir / arg.split("::")[0]).resolve()
        if path == bench or bench in path.parents or path in bench.parents:
            return True
    return False


def _check_dist_mode(config: pytest.Config) -> None:
    """Runs before xdist makes its session (xdist's pytest_configure is trylast)."""
    dist = config.option.dist
    if not _runs_case_tests(config):
        return
    if dist not in _GROUPING_MODES:
        raise pytest.UsageError(
            f"--dist {dist} does not keep a case family on one worker; use --dist loadgroup (or leave --dist out)"
        )
    config.option.dist = "loadgroup"


def family_of(nodeid: str, families: dict[str, str]) -> str | None:
    """The family of a case test from its node id, whose parameter ids start with the case id
    (``test_train[one_char]``, ``test_inference[one_char-predict]``,
    ``test_claim[timestep_window-beats_feature_window]``); None for any other test. (The xdist
    controller has node ids only, no items to read the ``case`` parameter from.)"""
    name = nodeid.rpartition("::")[2]
    if "[" not in name or not name.endswith("]"):
        return None
    for part in name[name.index("[") + 1 : -1].split("-"):
        if part in families:
            return families[part]
    return None


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    if config.option.dist != "loadgroup":
        return None
    from lstm_cases import registry
    from lstm_cases.xdist_scheduling import FamilyScheduling

    families = {case.id: case.family for case in registry.all_cases().values()}
    return FamilyScheduling(config, log, families=families)


def _time_benchmarks_on_worker(config: pytest.Config) -> None:
    """pytest-benchmark switches itself off under xdist (timings taken side by side contend for
    the CPUs); the suite times them anyway and says so in every result and at the end. Left off
    when --benchmark-disable or --benchmark-skip asked for it (xdist_warning is set only when
    xdist alone turned it off)."""
    bench_session = getattr(config, "_benchmarksession", None)
    if bench_session is not None and bench_session.xdist_warning:
        bench_session.xdist_warning = False  # and no "automatically disabled" warning
        bench_session.disabled = False


def _report_worker_benchmarks(config: pytest.Config) -> None:
    """Tell the controller where this worker's benchmarks are. pytest-benchmark writes them next,
    in its own sessionfinish, before xdist sends workeroutput to the controller (after its own)."""
    bench_session = getattr(config, "_benchmarksession", None)
    if bench_session is None or bench_session.disabled or bench_session.skip:
        return
    if bench_session.benchmarks:
        config.workeroutput[_XDIST_OUTPUT] = str(bench_session.json)
    else:  # a worker that timed nothing writes nothing (rather than warn "Not saving anything")
        bench_session.json = None


def pytest_benchmark_update_json(config: pytest.Config, benchmarks: list, output_json: dict[str, Any]) -> None:
    if _STORE in config.stash:
        config.stash[_STORE].refresh_verdicts(output_json.get("benchmarks", []))
    workerinput = getattr(config, "workerinput", None)
    if workerinput is None:
        return
    for bench in output_json.get("benchmarks", []):
        bench.setdefault("extra_info", {}).update(
            xdist_workers=workerinput["workercount"], xdist_worker=workerinput["workerid"]
        )


_XDIST_RUN = pytest.StashKey["XdistRun"]()


@dataclass
class XdistRun:
    """An xdist controller's benchmark results: each worker writes its pytest-benchmark JSON,
    whole, to a file of its own beside the target; at the end the controller merges them."""

    target: Path | None  # --benchmark-json; None: the workers' files only feed the table
    folder: Path | None = None  # beside the target, or a temp folder made for this run
    workers: int = 0
    handed: dict[str, Path] = field(default_factory=dict)  # worker id -> the file it was given
    written: dict[str, Path] = field(default_factory=dict)  # worker id -> the file it says it wrote
    crashed: set[str] = field(default_factory=set)
    benchmarks: list[dict[str, Any]] = field(default_factory=list)
    final: Path | None = None
    incomplete: str = ""  # why the merged file is .partial

    def hand_out(self, worker: str, workers: int) -> Path:
        self.workers = max(self.workers, workers)
        if self.folder is None:
            own = self.target is None
            self.folder = Path(tempfile.mkdtemp(prefix="lstm-bench-xdist-")) if own else self.target.parent.absolute()
        name = self.target.name if self.target is not None else "benchmarks.json"
        self.handed[worker] = self.folder / f".{name}.{os.getpid()}.{worker}.tmp"
        return self.handed[worker]

    def finish(self, config: pytest.Config, exitstatus: int) -> None:
        docs, unreadable = [], []
        for worker, path in sorted(self.written.items()):
            try:
                docs.append(json.loads(path.read_text()))
            except (OSError, ValueError):
                unreadable.append(worker)
        self.benchmarks = [bench for doc in docs for bench in doc.get("benchmarks", [])]
        if exitstatus in _INTERRUPTED:
            self.incomplete = "interrupted"
        elif self.crashed or unreadable:
            lost = sorted(self.crashed | set(unreadable))
            self.incomplete = f"worker{'s' if len(lost) > 1 else ''} {', '.join(lost)} crashed"
        if self.benchmarks and self.target is not None:
            from reports.atomic import write_atomic

            # pytest-benchmark's format: machine_info, commit_info, datetime and version from one
            # worker (one machine, one run), the benchmarks of all.
            merged = {**docs[0], "benchmarks": self.benchmarks}
            final = self.target.with_name(self.target.name + ".partial") if self.incomplete else self.target
            self.final = write_atomic(final, json.dumps(merged, indent=4))
        for path in self.handed.values():
            path.unlink(missing_ok=True)
        if self.target is None and self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
        _show_benchmarks(config, self.benchmarks)


def _show_benchmarks(config: pytest.Config, benchmarks: list[dict[str, Any]]) -> None:
    """pytest-benchmark's table on the controller, which timed nothing itself: the workers'
    benchmarks, flattened as pytest-benchmark flattens its own for display."""
    bench_session = getattr(config, "_benchmarksession", None)
    if bench_session is None or not benchmarks:
        return
    rows = []
    for bench in benchmarks:
        row = {key: value for key, value in bench.items() if key != "stats"}
        row.update({key: value for key, value in bench["stats"].items() if key != "data"})
        rows.append({**row, "path": None, "source": None})
    bench_session.groups = config.hook.pytest_benchmark_group_stats(
        config=config, benchmarks=rows, group_by=bench_session.group_by
    )


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist controller, before a worker starts: the file the worker writes its benchmarks to."""
    run = node.config.stash.get(_XDIST_RUN, None)
    if run is not None:
        path = run.hand_out(node.workerinput["workerid"], node.workerinput["workercount"])
        node.workerinput[_XDIST_INPUT] = {"json": str(path)}


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object | None) -> None:
    run = node.config.stash.get(_XDIST_RUN, None)
    if run is None:
        return
    worker = node.workerinput["workerid"]
    if error:
        run.crashed.add(worker)
    written = getattr(node, "workeroutput", {}).get(_XDIST_OUTPUT)
    if written:
        run.written[worker] = Path(written)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    run = config.stash.get(_XDIST_RUN, None)
    if run is None or not run.benchmarks:
        return
    where = f", written to {run.final}" if run.final else ""
    if run.incomplete:
        where += f" ({run.incomplete})"
    terminalreporter.write_line(
        f"lstm-bench: {len(run.benchmarks)} benchmarks timed on {run.workers} xdist workers{where}; "
        "timings under -n contend for the CPUs: not comparable with serial runs",
        yellow=True,
    )


# --------------------------------------------------------------------------- parametrisation


def selected_cases(config: pytest.Config) -> list[Case]:
    from lstm_cases import registry

    return registry.select_cases(settings(config).case_names)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "case" in metafunc.fixturenames:
        cases = selected_cases(metafunc.config)
        metafunc.parametrize("case", cases, ids=[c.id for c in cases])
    if "case_claim" in metafunc.fixturenames:
        pairs = [(c, claim) for c in selected_cases(metafunc.config) for claim in c.claims]
        metafunc.parametrize("case_claim", pairs, ids=[f"{c.id}-{claim.id}" for c, claim in pairs])


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
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
    from lstm_cases import compat

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
    """``-k NAME`` that matches no case is a typo more often than a wish for no tests."""
    keyword = session.config.getoption("keyword")
    if session.items or not keyword or not re.fullmatch(r"\w+", keyword):
        return
    from lstm_cases import registry

    names = sorted(registry.all_cases())
    if not any(keyword in name for name in names):
        raise pytest.UsageError(f"-k {keyword!r} matches no case; valid cases: {', '.join(names)}")


def pytest_report_collectionfinish(config: pytest.Config, items: list[pytest.Item]) -> list[str]:
    if not any(item.get_closest_marker("case") for item in items):
        return []
    from lstm_cases import compat, registry

    s = settings(config)
    info = compat.stack()
    lines = [
        f"lstm-bench: profile {s.profile}, seeds {s.seeds} (rerun one seed: --seeds 1 --seed-base SEED)",
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


def pytest_benchmark_update_machine_info(config: pytest.Config, machine_info: dict[str, Any]) -> None:
    from lstm_cases import compat

    s = settings(config)
    machine_info["lstm_bench"] = {**compat.stack(), "profile": s.profile, "seeds": s.seeds}


# --------------------------------------------------------------------------- shared results


class ResultStore(ResultCache):
    """The session's per-case results, shared by its concerns, plus the result stamping."""

    def __init__(self, config: pytest.Config) -> None:
        self.settings = settings(config)
        super().__init__(self.settings.profile, self.settings.seeds)

    def record(self, case: Case, kind: str) -> dict[str, Any]:
        """The ``extra_info`` of every benchmark of this case."""
        from lstm_cases import compat

        result = self.get(case)
        expected = case.expected_for(self.settings.profile)
        metrics = sorted(result.runs[0].metrics)
        info: dict[str, Any] = {
            "case": case.id,
            "family": case.family,
            "source": case.source,
            "notes": case.notes,
            "kind": kind,
            "profile": self.settings.profile,
            "seeds": result.seeds,
            "seed_base": self.settings.seed_base,
            **compat.stack(),
            "accuracy": result.values("accuracy") if "accuracy" in metrics else None,
            "metrics": {m: result.values(m) for m in metrics},
            "verdicts": self.ready_verdicts(case),
            "claims": {
                c.id: {
                    "text": c.text,
                    "metric": c.metric,
                    "measured": c.measured.get(self.settings.profile, ""),
                    "compare_to": c.compare_to,
                }
                for c in case.claims
            },
            "recipe": case.recipe(self.settings.profile).describe(),
            "train_seconds": [r.train_seconds for r in result.runs],
            # compilation/tracing apart from the steady state; epochs are Keras epochs (passes)
            "first_epoch_seconds": [r.first_epoch_seconds for r in result.runs],
            "steady_epoch_seconds": [r.steady_epoch_seconds for r in result.runs],
            "peak_rss_mb": [r.peak_rss_mb for r in result.runs],
            "expected": {
                "input_shape": list(expected.input_shape),
                "target_shape": list(expected.target_shape),
                "total_params": expected.total_params,
                "layer_params": dict(expected.layer_params),
                "output_shape": list(expected.sample_output_shape()),
            },
        }
        if kind == "train":
            info["history"] = [r.history for r in result.runs]
            info["artifacts"] = [r.artifacts for r in result.runs]
        return info


_STORE = pytest.StashKey[ResultStore]()


@pytest.fixture(scope="session")
def bench_settings(pytestconfig: pytest.Config) -> Settings:
    return settings(pytestconfig)


@pytest.fixture(scope="session")
def results(pytestconfig: pytest.Config) -> ResultStore:
    if _STORE not in pytestconfig.stash:
        pytestconfig.stash[_STORE] = ResultStore(pytestconfig)
    return pytestconfig.stash[_STORE]


def outcome_for(verdict: Verdict, where: str) -> None:
    """Turn a verdict into the test outcome: pass, fail, or xfail with its reason."""
    if verdict.status == XFAIL:
        pytest.xfail(f"{where}: expected to fail here ({verdict.reason}); {verdict.detail}")
    if verdict.status == XPASS:
        pytest.fail(f"{where}: marked expected-to-fail ({verdict.reason}) but held: {verdict.detail}")
    assert verdict.ok, f"{where} failed: rule '{verdict.rule}': {verdict.detail}; source figure {verdict.source_figure}"
