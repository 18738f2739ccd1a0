"""The suite's state for one pytest session, as one object registered on pytest's plugin manager
(as pytest-benchmark registers its ``BenchmarkSession`` and pytest-xdist its ``DSession``): the
settings, the trained results, the steady-state timing and its workers, the result file, the run's
cost, the null model's tally. The plugin's hooks (``lstm_cases.pytest_plugin``) delegate to it."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from lstm_cases import api_path, compat, progress, shared_checks, timing, xdist_support
from lstm_cases.record import costs, summary
from lstm_cases.recording import run_record
from lstm_cases.result_file import ResultFile, claims_only
from lstm_cases.results import CaseResults, NullTally
from lstm_cases.settings import Settings, export_data_paths, parse_settings

NAME = "lstm-bench-session"  # its name on the plugin manager


def of(config: pytest.Config) -> BenchSession:
    """The session object registered on ``config``'s plugin manager."""
    return config.pluginmanager.get_plugin(NAME)


@dataclass(eq=False)  # registered on the plugin manager, whose get_plugins() is a set: hashable by identity
class BenchSession:
    config: pytest.Config
    settings: Settings
    previous_env: dict[str, str | None] = field(default_factory=dict)  # data paths given, restored at the end
    result_file: ResultFile | None = None
    xdist_run: xdist_support.XdistRun | None = None  # an xdist controller's
    written: Path | None = None  # where the result file went
    thread_facts: dict[str, Any] | None = None  # set before the first case test
    collected_words: set[str] = field(default_factory=set)  # what -k can match
    _steady: timing.SteadyTiming | None = None
    _source_checks: shared_checks.LocalChecks = field(default_factory=shared_checks.LocalChecks)
    _results: CaseResults | None = None
    _null_tally: NullTally | None = None
    _cost: dict[str, Any] | None = None  # taken once: the record and the closing lines agree

    @classmethod
    def configure(cls, config: pytest.Config) -> BenchSession:
        """Settings checked, data paths exported, the result file and the cost ledger set up; registered."""
        bench = cls(config, parse_settings(config))
        config.pluginmanager.register(bench, NAME)
        costs.install(costs.Ledger.from_process_start())
        if config.getoption("benchmark_only", default=False) and xdist_support.runs_case_tests(config):
            raise pytest.UsageError(
                "--benchmark-only would skip every contract and claim test of bench/ and pass with nothing judged; "
                "time without judging nothing else: leave it out (claims reuse the timed runs)"
            )
        bench.previous_env = export_data_paths(config)
        distributing = xdist_support.distributing(config)
        if distributing:
            xdist_support.check_dist_mode(config)
        # Before pytest-benchmark reads --benchmark-json: a temp file, renamed at the end (whole or
        # not at all); an xdist worker writes its own file, which the controller merges.
        worker_file = xdist_support.worker_json(config) if xdist_support.is_worker(config) else None
        bench.result_file = ResultFile.configure(config, worker_file)
        if distributing:
            target = bench.result_file.target if bench.result_file else None
            bench.xdist_run = xdist_support.XdistRun(target=target)
        elif not hasattr(config, "workerinput"):  # a worker's output never reaches the terminal
            progress.install(progress.Reporter(_terminal_writer(config), after=bench.settings.progress_after))
        return bench

    # ------------------------------------------------------------------ what the tests share

    @property
    def steady(self) -> timing.SteadyTiming:
        """The session's steady-state timing; its worker processes end with the session."""
        if self._steady is None:
            self._steady = self.settings.steady_timing()
        return self._steady

    @property
    def results(self) -> CaseResults:
        """The session's trained results, shared by every concern and read by the result record."""
        if self._results is None:
            self._results = self._new_results()
        return self._results

    @property
    def null_tally(self) -> NullTally:
        if self._null_tally is None:
            self._null_tally = NullTally()
        return self._null_tally

    def _new_results(self) -> CaseResults:
        s = self.settings
        return CaseResults(s.profile, s.seeds, null_model=s.null_model, case_seeds=s.case_seeds if s.shard else None)

    def before_first_case_test(self, session: pytest.Session) -> None:
        """The thread setting, applied once before any case test runs anything; the timing workers
        start then, beside the untimed tests before the first benchmark."""
        if self.thread_facts is not None:
            return
        try:
            self.thread_facts = timing.apply_threads(self.settings.threads)
        except RuntimeError as err:
            raise pytest.UsageError(str(err)) from None
        if self._times_steady_state(session):
            self.steady.start()
            # idle until the first benchmark: it takes a share of the API-path checks (not under xdist, whose
            # nodes each run part of the items: the share would be of checks this node never runs)
            if self.steady.workers and not hasattr(self.config, "workerinput"):
                self._source_checks = shared_checks.SharedChecks(self._source_check_plan(session), self.steady.workers)

    def _source_check_plan(self, session: pytest.Session) -> list[shared_checks.CasePlan]:
        """The API-path checks this run decides, case by case in the order its tests reach them."""
        checks: dict[str, list[str]] = {}
        seeds: dict[str, int] = {}
        stack = compat.stack()
        for item in session.items:
            params = getattr(getattr(item, "callspec", None), "params", {})
            if "source_checks" not in getattr(item, "fixturenames", ()) or "case" not in params:
                continue
            case, check = params["case"], params.get("check")
            if check in api_path.CHECKS and api_path.not_decided(case, check, stack, self.settings.profile) is None:
                checks.setdefault(case.id, []).append(check)
                seeds[case.id] = self.settings.for_case(case).seeds[0]
        return [shared_checks.CasePlan(case_id, tuple(names), seeds[case_id]) for case_id, names in checks.items()]

    @property
    def source_checks(self) -> shared_checks.LocalChecks:
        """Where the API-path checks are decided: shared with the timing worker while it is idle."""
        return self._source_checks

    def timing_begins(self) -> None:
        """Before the first steady-state benchmark: no check left running in the worker."""
        self._source_checks.finish()

    def _times_steady_state(self, session: pytest.Session) -> bool:
        """Whether the run will time steady-state rounds: a steady-state benchmark selected, benchmarks on."""
        if self.settings.null_model or claims_only(self.config):
            return False
        return any("steady_timing" in getattr(item, "fixturenames", ()) for item in session.items)

    # ------------------------------------------------------------------ the record

    def record(self) -> dict[str, Any] | None:
        """This process's result record, judged on its final results; None when nothing trained or timed."""
        steady = self._steady
        if (self._results is None or not self._results.items()) and (steady is None or not steady.timed):
            return None
        s = self.settings
        results = self._results if self._results is not None else self._new_results()  # steady-state only
        return run_record(
            results,
            s.cases(),
            compat.stack(),
            s.seed_base,
            null_model=results.null_model,
            shard=str(s.shard) if s.shard is not None else None,
            timing=self._timing_record(),
            timed=steady.timed if steady is not None else (),
            cost=self._cost_split(),
        )

    def _timing_record(self) -> dict[str, Any] | None:
        """The record's ``timing``: thread facts and steady-state settings (None before any case test)."""
        if self.thread_facts is None:
            return None
        return {**self.thread_facts, **(self._steady or self.settings.steady_timing()).facts()}

    def _cost_split(self) -> dict[str, Any] | None:
        ledger = costs.active()
        if self._cost is None and ledger is not None:
            self._cost = ledger.split()
        return self._cost

    # ------------------------------------------------------------------ the end

    def close_workers(self) -> None:
        self._source_checks.finish()
        if self._steady is not None:
            self._steady.close()

    def finish(self, exitstatus: int) -> None:
        """After pytest-benchmark saved: the result file written if it wrote none, then moved into place
        (an xdist worker's reported to the controller; the controller merges)."""
        if self.xdist_run is not None:  # an xdist controller: after xdist's, which takes the workers down
            self.xdist_run.finish(self.config, exitstatus)
            return
        if self.result_file is None or not self.result_file.write_if_missing(self.config):
            return
        if xdist_support.is_worker(self.config):
            xdist_support.report_worker_file(self.config, self.result_file.tmp)
            return
        self.written = self.result_file.finish(interrupted=exitstatus in xdist_support.INTERRUPTED)

    def unconfigure(self) -> None:
        self.close_workers()
        progress.uninstall()
        costs.uninstall()
        for env, value in self.previous_env.items():
            if value is None:
                os.environ.pop(env, None)
            else:
                os.environ[env] = value

    def terminal_summary(self, terminalreporter: Any) -> None:
        """The null model's tally, or the table of verdicts per case; where the result file went; the cost."""
        s = self.settings
        if self._null_tally is not None and s.null_model:  # test_claim asks for the tally in every run
            tally = self._null_tally
            terminalreporter.write_line(tally.line(), red=bool(tally.vacuous), green=not tally.vacuous)
        run = self.xdist_run
        record = run.record if run is not None else self.record()
        if record and record.get("cases") and not s.null_model:  # untrained models' verdicts mean nothing
            terminalreporter.write_sep("=", "lstm-bench verdicts")
            for line in summary.closing_lines(record, s.shard, s.seeds):
                terminalreporter.write_line(line)
        line = run.summary() if run is not None else None
        if line is None and self.written is not None:
            what = " (claims only, no timings)" if self.result_file and self.result_file.claims_only else ""
            line = f"lstm-bench: result file{what} written to {self.written}"
        if line:
            terminalreporter.write_line(line, yellow=True)
        shared = self._source_checks.summary()
        if shared:
            terminalreporter.write_line(shared)
        for line in costs.closing_lines(record["cost"]) if record and record.get("cost") else []:
            terminalreporter.write_line(line)
        if s.slowdown and self.thread_facts is not None:
            terminalreporter.write_line(timing.slowdown_line(s.slowdown), red=True, bold=True)


def _terminal_writer(config: pytest.Config) -> Any:
    """A function that writes one line to pytest's terminal, also from inside a test."""

    def write(line: str) -> None:
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        capture = config.pluginmanager.get_plugin("capturemanager")
        if reporter is None:
            return
        if capture is None:
            reporter.write_line(line)
            return
        with capture.global_and_fixture_disabled():
            reporter.write_line(line)

    return write
