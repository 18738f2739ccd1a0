"""pytest-xdist support for ``pytest bench -n N``: every test of one case family on one worker,
benchmarks timed on the workers, their JSON merged into one file on the controller
(``lstm_cases.record.merge.merge_documents``, the merge of ``python -m lstm_cases.tools.merge``).

A family's claims pair its cases and reuse their trained models, so a family never splits
across workers: ``--dist`` modes other than load/loadgroup are refused when the run reaches
the ``bench`` folder. pytest-benchmark switches itself off under xdist and has no public
hook to keep it on, nor one to hand a worker's file to the controller: those few steps use
its session object (``config._benchmarksession``), which is why pyproject pins
pytest-benchmark to the minor release this was written and tested against. xdist itself is
an optional dependency, imported only by a controller that schedules.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from lstm_cases.record.atomic import write_atomic
from lstm_cases.record.merge import RecordMismatch, merge_documents
from lstm_cases.record.schema import KEY as RECORD_KEY
from lstm_cases.recording import judge_merged

GROUPING_MODES = ("load", "loadgroup")  # load: what -n N picks by itself; it becomes loadgroup
# What the controller tells a worker (node.workerinput), and the worker answers (workeroutput).
WORKER_INPUT = "lstm_bench"
WORKER_OUTPUT = "lstm_bench_json"
INTERRUPTED = (pytest.ExitCode.INTERRUPTED, pytest.ExitCode.INTERNAL_ERROR)


def is_worker(config: pytest.Config) -> bool:
    return WORKER_INPUT in getattr(config, "workerinput", {})


def distributing(config: pytest.Config) -> bool:
    """This process is an xdist controller that hands the tests to workers."""
    return (
        not hasattr(config, "workerinput")
        and getattr(config.option, "dist", "no") != "no"
        and bool(getattr(config.option, "tx", None))
        and not config.getoption("collectonly")
    )


def runs_case_tests(config: pytest.Config) -> bool:
    """The run's paths reach the ``bench`` folder (a path inside it, or a folder holding it): the
    case tests, whose families must stay on one worker. ``pytest tests -n 2 --dist loadfile``
    does not."""
    folders = {(config.rootpath / "bench").resolve(), bench_folder()}
    for arg in config.args:
        path = (config.invocation_params.dir / arg.split("::")[0]).resolve()
        if any(path == bench or bench in path.parents or path in bench.parents for bench in folders):
            return True
    return False


def bench_folder() -> Path:
    """Where the bench modules are installed (``lstm_cases.bench``: the checkout's bench/ in an
    editable install)."""
    spec = importlib.util.find_spec("lstm_cases.bench")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("lstm_cases.bench is not installed: reinstall lstm-bench (pip install .)")
    return Path(next(iter(spec.submodule_search_locations))).resolve()


def check_dist_mode(config: pytest.Config) -> None:
    """Runs before xdist makes its session (xdist's pytest_configure is trylast)."""
    dist = config.option.dist
    if not runs_case_tests(config):
        return
    if dist not in GROUPING_MODES:
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


def family_scheduler(config: pytest.Config, log: Any, families: dict[str, str]) -> Any:
    """``--dist loadgroup`` whose work unit for a case test is the case's family.

    xdist's own loadgroup reads the ``xdist_group`` mark from a suffix it writes onto the
    worker's node ids, which pytest 9.2 no longer takes (pytest-xdist#1386): the groups are
    dropped without a word. The family is read from the case id in the node id instead. Tests
    of no case keep loadgroup's unit (their ``xdist_group``, where it works, else the test).
    """
    from xdist.scheduler import LoadGroupScheduling  # optional dependency: only a scheduling controller

    class FamilyScheduling(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            family = family_of(nodeid, families)
            return super()._split_scope(nodeid) if family is None else f"lstm-bench family {family}"

    return FamilyScheduling(config, log)


def _benchmark_session(config: pytest.Config) -> Any:
    return getattr(config, "_benchmarksession", None)


def time_benchmarks_on_worker(config: pytest.Config) -> None:
    """pytest-benchmark switches itself off under xdist (timings taken side by side contend for
    the CPUs); the suite times them anyway and says so in every result and at the end. Left off
    when --benchmark-disable or --benchmark-skip asked for it (xdist_warning is set only when
    xdist alone turned it off)."""
    bench_session = _benchmark_session(config)
    if bench_session is not None and bench_session.xdist_warning:
        bench_session.xdist_warning = False  # and no "automatically disabled" warning
        bench_session.disabled = False


def quiet_empty_worker(config: pytest.Config) -> None:
    """A worker that timed nothing leaves its file to the suite (``lstm_cases.result_file``),
    rather than have pytest-benchmark warn "Not saving anything". Runs before pytest-benchmark
    saves (its sessionfinish is a hookwrapper)."""
    bench_session = _benchmark_session(config)
    if bench_session is not None and not bench_session.benchmarks:
        bench_session.json = None


def report_worker_file(config: pytest.Config, path: Path) -> None:
    """Tell the controller where this worker's result file is (xdist sends ``workeroutput`` after
    every sessionfinish hook of the worker has run)."""
    config.workeroutput[WORKER_OUTPUT] = str(path)


def worker_json(config: pytest.Config) -> Path:
    """The file this worker writes its benchmarks to (the controller handed it out)."""
    return Path(config.workerinput[WORKER_INPUT]["json"])


def stamp_worker(config: pytest.Config, output_json: dict[str, Any]) -> None:
    """A worker's benchmarks say which worker timed them; its record, how many there were."""
    workerinput = config.workerinput
    for bench in output_json.get("benchmarks", []):
        bench.setdefault("extra_info", {})["xdist_worker"] = workerinput["workerid"]
    if RECORD_KEY in output_json:
        output_json[RECORD_KEY]["xdist_workers"] = workerinput["workercount"]


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
    record: dict[str, Any] | None = None  # the workers' records merged: the run's verdicts

    def hand_out(self, node: Any) -> None:
        """Before a worker starts: the file it writes its benchmarks to."""
        worker = node.workerinput["workerid"]
        self.workers = max(self.workers, node.workerinput["workercount"])
        if self.folder is None:
            own = self.target is None
            self.folder = Path(tempfile.mkdtemp(prefix="lstm-bench-xdist-")) if own else self.target.parent.absolute()
        name = self.target.name if self.target is not None else "benchmarks.json"
        self.handed[worker] = self.folder / f".{name}.{os.getpid()}.{worker}.tmp"
        node.workerinput[WORKER_INPUT] = {"json": str(self.handed[worker])}

    def worker_down(self, node: Any, error: object | None) -> None:
        worker = node.workerinput["workerid"]
        if error:
            self.crashed.add(worker)
        written = getattr(node, "workeroutput", {}).get(WORKER_OUTPUT)
        if written:
            self.written[worker] = Path(written)

    def finish(self, config: pytest.Config, exitstatus: int) -> None:
        docs, unreadable = [], []
        for worker, path in sorted(self.written.items()):
            try:
                docs.append(json.loads(path.read_text()))
            except (OSError, ValueError):
                unreadable.append(worker)
        self.benchmarks = [bench for doc in docs for bench in doc.get("benchmarks", [])]
        if exitstatus in INTERRUPTED:
            self.incomplete = "interrupted"
        elif self.crashed or unreadable:
            lost = sorted(self.crashed | set(unreadable))
            self.incomplete = f"worker{'s' if len(lost) > 1 else ''} {', '.join(lost)} crashed"
        if docs:
            # pytest-benchmark's format: machine_info, commit_info, datetime and version from one
            # worker (one machine, one run), the benchmarks of all, one record of all cases.
            try:
                merged = merge_documents(docs, judge_merged)
                self.record = merged[RECORD_KEY]
            except RecordMismatch as err:
                self.incomplete = f"worker records do not merge: {err}"
                merged = {**docs[0], "benchmarks": self.benchmarks}
            if self.target is not None:
                final = self.target.with_name(self.target.name + ".partial") if self.incomplete else self.target
                self.final = write_atomic(final, json.dumps(merged, indent=4))
        for path in self.handed.values():
            path.unlink(missing_ok=True)
        if self.target is None and self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
        self._show_benchmarks(config)

    def _show_benchmarks(self, config: pytest.Config) -> None:
        """pytest-benchmark's table on the controller, which timed nothing itself: the workers'
        benchmarks, flattened as pytest-benchmark flattens its own for display."""
        bench_session = _benchmark_session(config)
        if bench_session is None or not self.benchmarks:
            return
        rows = []
        for bench in self.benchmarks:
            row = {key: value for key, value in bench.items() if key != "stats"}
            row.update({key: value for key, value in bench["stats"].items() if key != "data"})
            rows.append({**row, "path": None, "source": None})
        bench_session.groups = config.hook.pytest_benchmark_group_stats(
            config=config, benchmarks=rows, group_by=bench_session.group_by
        )

    def summary(self) -> str | None:
        where = f", written to {self.final}" if self.final else ""
        if self.incomplete:
            where += f" ({self.incomplete})"
        if not self.benchmarks:
            return f"lstm-bench: claims only, no timings, from {self.workers} xdist workers{where}" if where else None
        return (
            f"lstm-bench: {len(self.benchmarks)} benchmarks timed on {self.workers} xdist workers{where}; "
            "timings under -n contend for the CPUs: not comparable with serial runs"
        )
