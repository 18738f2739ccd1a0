"""The pytest plugin's options and errors, run in a separate pytest via pytester."""

import pytest

pytest_plugins = ["pytester"]

PLUGIN = ("-p", "lstm_cases.pytest_plugin")

PROBE = """
def test_settings(bench_settings):
    print("SETTINGS", bench_settings.profile, bench_settings.seeds)
"""


def _run(pytester, *args):
    pytester.makepyfile(PROBE)
    return pytester.runpytest_subprocess(*PLUGIN, "-s", "-p", "no:cacheprovider", *args)


def test_defaults_are_quick_with_three_seeds(pytester):
    result = _run(pytester)
    result.stdout.fnmatch_lines(["*SETTINGS quick [[]0, 1, 2[]]*"])
    assert result.ret == 0


def test_full_profile_defaults_to_five_seeds_and_seed_base_rotates(pytester):
    result = _run(pytester, "--profile", "full", "--seed-base", "10")
    result.stdout.fnmatch_lines(["*SETTINGS full [[]10, 11, 12, 13, 14[]]*"])


def test_environment_variables_set_the_profile_and_seeds(pytester, monkeypatch):
    monkeypatch.setenv("LSTM_BENCH_PROFILE", "full")
    monkeypatch.setenv("LSTM_BENCH_SEEDS", "2")
    result = _run(pytester)
    result.stdout.fnmatch_lines(["*SETTINGS full [[]0, 1[]]*"])


def test_command_line_beats_environment(pytester, monkeypatch):
    monkeypatch.setenv("LSTM_BENCH_PROFILE", "full")
    result = _run(pytester, "--profile", "quick", "--seeds", "1")
    result.stdout.fnmatch_lines(["*SETTINGS quick [[]0[]]*"])


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (("--profile", "fast"), {}, "*unknown profile 'fast'; valid profiles: quick, full*"),
        ((), {"LSTM_BENCH_PROFILE": "large"}, "*unknown profile 'large'; valid profiles: quick, full*"),
        (("--case", "timestep"), {}, "*unknown case 'timestep'; valid cases: *timestep_window*"),
        (("--seeds", "0"), {}, "*--seeds must be >= 1, got 0*"),
        (("--seeds", "three"), {}, "*--seeds must be an integer, got 'three'*"),
        ((), {"LSTM_BENCH_SEED_BASE": "x"}, "*LSTM_BENCH_SEED_BASE must be an integer, got 'x'*"),
        (("--threads", "0"), {}, "*--threads must be a number >= 1 or 'default', got '0'*"),
        ((), {"LSTM_BENCH_TIMING_PROCESSES": "two"}, "*LSTM_BENCH_TIMING_PROCESSES must be a number >= 1, got 'two'*"),
        ((), {"LSTM_BENCH_SLOWDOWN": "fit:2"}, "*LSTM_BENCH_SLOWDOWN: unknown kind 'fit'; valid kinds: train_step, *"),
        (
            (),
            {"LSTM_BENCH_SLOWDOWN": "train:0.5"},
            "*LSTM_BENCH_SLOWDOWN: factor of 'train' must be a number in (1, 10]*",
        ),
    ],
)
def test_bad_options_fail_with_one_line_naming_the_choices(pytester, monkeypatch, args, env, message):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    result = _run(pytester, *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])
    assert "Traceback" not in result.stderr.str()


def test_minus_k_with_no_matching_case_is_an_error_not_an_empty_pass(pytester):
    pytester.makepyfile(
        """
        import pytest
        pytestmark = pytest.mark.case
        def test_x(case):
            pass
        """
    )
    pytester.makeini("[pytest]\nmarkers =\n    case: x\n")
    result = pytester.runpytest_subprocess(*PLUGIN, "-k", "timestepwindow")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*-k 'timestepwindow': 'timestepwindow' matches no test; valid cases: *timestep_window*"]
    )
    # a word of an expression that matches nothing is named too, though the other word matches
    result = pytester.runpytest_subprocess(*PLUGIN, "-k", "test_x and not one_chr", "--case", "one_char")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*'one_chr' matches no test*"])
    result = pytester.runpytest_subprocess(*PLUGIN, "-k", "test_x and not one_char")
    assert result.ret == pytest.ExitCode.OK


def test_cases_parametrise_with_readable_ids(pytester):
    pytester.makepyfile(
        """
        def test_x(case):
            pass
        def test_y(case_claim):
            pass
        """
    )
    result = pytester.runpytest_subprocess(*PLUGIN, "--collect-only", "-q", "--case", "timestep_window")
    result.stdout.fnmatch_lines(
        [
            "*test_x[[]timestep_window[]]*",
            "*test_y[[]timestep_window-beats_feature_window[]]*",
        ]
    )


DATA_PROBE = """
import pytest
from lstm_cases.core import DataError, DataUnavailable

def test_probe_missing():
    raise DataUnavailable("aclImdb not given: pass --imdb-dir PATH or set LSTM_BENCH_IMDB_DIR")

def test_probe_broken():
    raise DataError("/data/GoogleNews.bin: binary word2vec file ends early (truncated, or its header count is wrong)")

def test_probe_env():
    import os
    print("IMDB", os.environ.get("LSTM_BENCH_IMDB_DIR"))
"""


def test_missing_data_skips_with_the_reason_and_broken_data_fails_in_one_line(pytester):
    pytester.makepyfile(DATA_PROBE)
    result = pytester.runpytest_subprocess(
        *PLUGIN, "-p", "no:cacheprovider", "-rs", "-k", "probe_missing or probe_broken"
    )
    result.assert_outcomes(skipped=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*test_probe_broken: /data/GoogleNews.bin: binary word2vec file ends early*",
            "SKIPPED*test_missing_data_skips*.py:*: aclImdb not given: pass --imdb-dir PATH or set LSTM_BENCH_IMDB_DIR",
        ]
    )
    out = result.stdout.str()
    assert "Traceback" not in out and "raise DataError" not in out and "During handling" not in out


def test_data_options_are_registered_and_copied_into_the_environment(pytester, monkeypatch):
    monkeypatch.delenv("LSTM_BENCH_IMDB_DIR", raising=False)
    pytester.makepyfile(DATA_PROBE)
    result = pytester.runpytest_subprocess(
        *PLUGIN, "-s", "-p", "no:cacheprovider", "-k", "probe_env", "--imdb-dir", "/x/aclImdb"
    )
    result.stdout.fnmatch_lines(["*IMDB /x/aclImdb*"])
    help_text = pytester.runpytest_subprocess(*PLUGIN, "--help").stdout.str()
    for flag in ("--imdb-dir", "--word-vectors", "--nltk-data"):
        assert flag in help_text


BREAKAGE_CONFTEST = """
import dataclasses
from lstm_cases import registry
from lstm_cases.core import KnownBreakage

cases = registry.all_cases()  # cached: the plugin sees this dict
cases["one_char"] = dataclasses.replace(
    cases["one_char"], breaks_on=(KnownBreakage(reason="boom on every stack", raises=RuntimeError),)
)
"""

BREAKAGE_TESTS = """
import pytest

CONCERN_ORDER = 1

def test_trains_and_crashes(case):
    raise RuntimeError("boom")

def test_trains_and_works(case):
    pass
"""


def test_a_known_breakage_is_a_strict_xfail_of_the_tests_that_train(pytester):
    pytester.makeconftest(BREAKAGE_CONFTEST)
    pytester.makepyfile(BREAKAGE_TESTS)
    result = pytester.runpytest_subprocess(*PLUGIN, "-p", "no:cacheprovider", "-rxX", "--case", "one_char")
    # the crash is expected; a test that works despite the declared breakage fails (strict)
    result.assert_outcomes(xfailed=1, failed=1)
    result.stdout.fnmatch_lines(["*known breakage on this stack: boom on every stack*"])


CASE_PROBE = """
import pytest
pytestmark = pytest.mark.case
def test_x(case, bench_settings):
    pass
"""


def test_the_header_states_the_threads_and_a_slowdown_loudly(pytester, monkeypatch):
    pytester.makepyfile(CASE_PROBE)
    pytester.makeini("[pytest]\nmarkers =\n    case: x\n")
    monkeypatch.setenv("LSTM_BENCH_SLOWDOWN", "inference:1.5")
    result = pytester.runpytest_subprocess(*PLUGIN, "-p", "no:cacheprovider", "--case", "one_char", "--threads", "2")
    result.stdout.fnmatch_lines(
        [
            "lstm-bench: timing: 2 intra-op and 2 inter-op thread(s) (--threads); steady-state benchmarks: 6 rounds*",
            "lstm-bench: TEST-ONLY SLOWDOWN LSTM_BENCH_SLOWDOWN=inference:1.5: predict x1.5, single_call x1.5;*",
            "lstm-bench: TEST-ONLY SLOWDOWN LSTM_BENCH_SLOWDOWN=inference:1.5:*",  # again in the summary
            "*1 passed*",
        ]
    )


def test_the_plugin_keeps_its_state_in_one_session_object_not_in_stash_keys(pytester):
    pytester.makepyfile(
        """
        from lstm_cases.bench_session import NAME, BenchSession

        def test_x(pytestconfig, case_results):
            bench = pytestconfig.pluginmanager.get_plugin(NAME)
            assert isinstance(bench, BenchSession) and bench.results is case_results
            assert bench.settings.seeds == [0, 1, 2]
        """
    )
    result = pytester.runpytest_subprocess(*PLUGIN, "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    from pathlib import Path

    import lstm_cases

    package = Path(lstm_cases.__file__).parent
    holding = [p.name for p in package.rglob("*.py") if "StashKey" in p.read_text()]
    assert not holding, f"modules that keep state in pytest stash keys: {holding}"
