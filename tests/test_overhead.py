"""The overhead tool and its bare Keras baseline: the baseline trains what the harness
trains (tiny runs, seconds), and the tool runs end to end on one seed (~15 s)."""

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest

from lstm_cases import compat, runner
from lstm_cases.registry import get_case
from lstm_cases.tools import bare_one_char, overhead

REPO_ROOT = Path(__file__).resolve().parents[1]
TINY_EPOCHS = 20  # two Keras epochs of 10: enough to move the loss, a second of training
TINY_SEEDS = (0, 3)


@pytest.fixture(scope="module")
def bare_tiny_stdout() -> str:
    cmd = [sys.executable, str(overhead.BARE_SCRIPT), *map(str, TINY_SEEDS), "--epochs", str(TINY_EPOCHS)]
    return subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=REPO_ROOT).stdout


def test_bare_script_prints_a_fit_line_per_seed(bare_tiny_stdout):
    fits = overhead.parse_fit_lines(bare_tiny_stdout)
    assert [fit.seed for fit in fits] == list(TINY_SEEDS)
    for fit in fits:
        assert 0.0 <= fit.accuracy <= 1.0 and fit.seconds > 0.0 and fit.loss > 0.0


def test_bare_script_trains_what_the_harness_trains(bare_tiny_stdout):
    if compat.keras() is not bare_one_char.keras:  # e.g. TF_USE_LEGACY_KERAS=1: the harness trains on tf_keras
        pytest.skip("the harness and the bare script train on different Keras modules on this stack")
    case = get_case("one_char")
    tiny = dataclasses.replace(case.recipe("quick"), epochs=TINY_EPOCHS)
    case = dataclasses.replace(case, recipes={**case.recipes, "quick": tiny})
    for fit in overhead.parse_fit_lines(bare_tiny_stdout):
        prepared = runner.train(runner.prepare(case, "quick", fit.seed))
        assert fit.loss == prepared.history["loss"][-1]  # the same updates, to the bit
        assert fit.accuracy == runner.evaluate(prepared).metrics["accuracy"]


def test_bare_script_defaults_are_one_char_quick_recipe():
    case = get_case("one_char")
    recipe = case.recipe("quick")
    assert recipe.fast_input and recipe.shuffle and recipe.optimizer == "adam" and recipe.lr_schedule == "constant"
    assert (recipe.epochs, recipe.epochs_per_pass) == (bare_one_char.EPOCHS, bare_one_char.EPOCHS_PER_PASS)
    assert (recipe.batch_size, recipe.learning_rate) == (bare_one_char.BATCH_SIZE, bare_one_char.LEARNING_RATE)
    assert case.build_model.keywords["units"] == bare_one_char.UNITS
    x, y = bare_one_char.one_char_data()
    data = case.build_data(0, "quick")
    assert (x == data.x).all() and (y == data.y).all() and y.dtype == data.y.dtype


def test_bare_script_wants_whole_passes(capsys):
    with pytest.raises(SystemExit) as exit_info:
        bare_one_char.main(["0", "--epochs", "15"])
    assert exit_info.value.code == 2
    assert "must be a multiple of --epochs-per-pass (10)" in capsys.readouterr().err


def test_fit_lines_and_benchmark_json_parse(tmp_path):
    stdout = "noise\nFIT 0 0.76 2.25 1.61\nFIT 1 0.8 2.5 1.5\nFITTED not a line\n"
    assert overhead.parse_fit_lines(stdout) == [
        overhead.BareFit(0, 0.76, 2.25, 1.61),
        overhead.BareFit(1, 0.8, 2.5, 1.5),
    ]
    result = tmp_path / "result.json"
    benchmarks = [{"group": "predict", "stats": {"data": [9.0]}}, {"group": "train", "stats": {"data": [1.5, 2.0]}}]
    result.write_text(json.dumps({"benchmarks": benchmarks}))
    assert overhead.harness_fit_seconds(result) == 3.5


def test_a_failing_child_shows_its_output():
    with pytest.raises(overhead.ChildRunFailed, match=r"exited with 3; its output ends:\nboom"):
        overhead._timed([sys.executable, "-c", "import sys; print('boom'); sys.exit(3)"])


def test_overhead_runs_end_to_end_on_one_seed():
    cmd = [sys.executable, "-m", "lstm_cases.tools.overhead", "--repeats", "1", "--seeds", "1"]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO_ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.splitlines()
    for what in ("process wall", "process cpu", "training (fit) wall"):
        ratio = next(line for line in lines if line.startswith(f"{what} harness / bare:"))
        assert float(ratio.split(":")[1].split()[0]) > 0
