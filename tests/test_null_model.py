"""The null-model self-test, `pytest bench --null-model`: every claim judged on untrained models
must fail there; one that holds is vacuous and fails the run (~20 s: one cheap case)."""

import subprocess
import sys
from pathlib import Path

import pytest

from lstm_cases import registry, runner
from lstm_cases.results import EXEMPT, FAILED, VACUOUS, CaseResults, NullTally

ROOT = Path(__file__).resolve().parent.parent

VACUOUS_PLUGIN = """
import dataclasses
from lstm_cases import registry
from lstm_cases.core import Claim
from lstm_cases.rules import AtMost

cases = registry.all_cases()  # cached: the plugin sees this dict
anything = Claim(
    id="any_accuracy", text="accuracy is at most 100%", source_figure="-", metric="accuracy",
    rules={"quick": AtMost(1.0), "full": AtMost(1.0)}, measured_on={}, unmeasured="a test claim",
)
cases["one_char"] = dataclasses.replace(cases["one_char"], claims=(*cases["one_char"].claims, anything))
"""


def _bench(tmp_path, *args):
    (tmp_path / "vacuous_plugin.py").write_text(VACUOUS_PLUGIN)
    env = {**__import__("os").environ, "PYTHONPATH": str(tmp_path)}
    return subprocess.run(
        [sys.executable, "-m", "pytest", str(ROOT / "bench"), "-p", "no:cacheprovider", "-q", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=600, env=env,
    )  # fmt: skip


def test_a_claim_an_untrained_model_passes_is_named_and_fails_the_run(tmp_path):
    proc = _bench(tmp_path, "--null-model", "--case", "one_char", "-p", "vacuous_plugin", "-k", "test_claim")
    assert proc.returncode == 1, proc.stdout[-2000:]
    assert "null model: 1 claims failed as they should, 1 vacuous (one_char/any_accuracy); 0 exempt" in proc.stdout
    assert "one_char/any_accuracy is vacuous: its rule holds for an untrained model" in proc.stdout


def test_the_tally_counts_each_kind():
    tally = NullTally()
    for kind in (FAILED, FAILED, EXEMPT):
        tally.add("c/x", type("O", (), {"kind": kind})())
    tally.add("c/v", type("O", (), {"kind": VACUOUS})())
    assert tally.line() == "null model: 2 claims failed as they should, 1 vacuous (c/v); 1 exempt"


def test_untrained_results_keep_the_model_untouched(monkeypatch):
    case = registry.get_case("one_char")
    results = CaseResults("quick", [0], null_model=True)
    before = runner.prepare(case, "quick", 0).model.get_weights()
    after = results.train_missing(case).last.model.get_weights()
    assert all((a == b).all() for a, b in zip(before, after, strict=True))
    assert results.get("one_char").runs[0].history == {}


@pytest.mark.parametrize("flag", ["--benchmark-only"])
def test_benchmark_only_is_refused_in_one_line_under_bench(tmp_path, flag):
    proc = _bench(tmp_path, flag, "--case", "one_char")
    assert proc.returncode == pytest.ExitCode.USAGE_ERROR
    assert "--benchmark-only would skip every contract and claim test of bench/" in proc.stderr
    assert "Traceback" not in proc.stderr
