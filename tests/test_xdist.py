"""`pytest bench -n N` (pytest-xdist), run in a separate pytest via pytester with tiny fake cases."""

import pytest

from lstm_cases import registry
from lstm_cases.pytest_plugin import family_of

pytest.importorskip("xdist")
pytest_plugins = ["pytester"]

PLUGIN = ("-p", "lstm_cases.pytest_plugin", "-p", "no:cacheprovider")
# Three families: alphabet (two cases, one claim pairs them), binary_increment, sine_wave.
CASES = ("--case", "feature_window", "--case", "timestep_window", "--case", "binary_increment", "--case", "sine_simple")

WHERE = """
import os
import pytest

pytestmark = pytest.mark.case

def _log(case):
    with open("where.txt", "a") as fh:
        fh.write(f"{case.family} {case.id} {os.environ.get('PYTEST_XDIST_WORKER', 'serial')}\\n")

def test_x(case):
    _log(case)

@pytest.mark.parametrize("kind", ["a", "b"])
def test_y(case, kind):
    _log(case)

def test_z(case_claim):
    _log(case_claim[0])
"""


def test_family_of_reads_the_case_from_the_node_id():
    families = {case.id: case.family for case in registry.all_cases().values()}
    assert family_of("bench/test_training.py::test_train[one_char]", families) == "alphabet"
    assert family_of("bench/test_inference.py::test_inference[sine_simple-predict]", families) == "sine_wave"
    assert family_of("bench/test_claims.py::test_claim[timestep_window-beats_feature_window]", families) == "alphabet"
    assert family_of("tests/test_core.py::test_something", families) is None
    assert family_of("tests/test_core.py::test_p[not_a_case]", families) is None
    # the scheduler finds a case id between the '-' of a parameter id: none may contain one
    assert not [name for name in families if "-" in name]


def test_every_family_runs_on_one_worker(pytester):
    pytester.makeini("[pytest]\nmarkers =\n    case: x\n")
    pytester.makepyfile(WHERE)
    result = pytester.runpytest_subprocess(*PLUGIN, "-n", "2", *CASES)
    result.assert_outcomes(passed=4 + 8 + 8)  # 4 cases; 4 x 2 kinds; 8 claims
    workers: dict[str, set[str]] = {}
    for line in (pytester.path / "where.txt").read_text().splitlines():
        family, _case, worker = line.split()
        workers.setdefault(family, set()).add(worker)
    assert set(workers) == {"alphabet", "binary_increment", "sine_wave"}
    assert all(len(w) == 1 and w != {"serial"} for w in workers.values()), workers
    assert len(set().union(*workers.values())) == 2, "both workers got work"


@pytest.mark.parametrize("mode", ["each", "loadfile", "loadscope", "worksteal"])
def test_a_dist_mode_that_splits_families_is_a_one_line_usage_error(pytester, mode):
    pytester.makepyfile(WHERE)
    result = pytester.runpytest_subprocess(*PLUGIN, "-n", "2", "--dist", mode, "--case", "one_char")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert result.stderr.lines[0] == (
        f"ERROR: --dist {mode} does not keep a case family on one worker; use --dist loadgroup (or leave --dist out)"
    )
    assert "Traceback" not in result.stderr.str()
    assert not (pytester.path / "where.txt").exists()
