"""Claim-validity sweeps: the declaration, a cell's judgement, shards and their merge, the
command line (lstm_cases.sweep, lstm_cases.sweep_record, lstm_cases.tools.sweep)."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest

from lstm_cases import registry
from lstm_cases.core import Claim, Recipe
from lstm_cases.record.merge import RecordMismatch, merge_records
from lstm_cases.rules import AtLeast, PairedGreater, PairedRatio
from lstm_cases.shards import Shard
from lstm_cases.sweep import Axis, Sweep, apply, cell_case, check, judge_cell, recipe_value
from lstm_cases.sweep_record import SOURCE_PROFILE, declared, judge, plan, sweep_entry
from lstm_cases.tools import sweep as tool

ROOT = Path(__file__).resolve().parents[1]
KEY = "timestep_window/beats_feature_window"

# --------------------------------------------------------------------------- declaration


def test_axis_names_a_recipe_field_or_a_data_argument():
    with pytest.raises(ValueError, match=r"'units': not a recipe field; valid: epochs, batch_size.*model.<arg>"):
        Axis("units", (16, 32))
    with pytest.raises(ValueError, match="distinct values"):
        Axis("epochs", (10, 10))
    with pytest.raises(ValueError, match="one to one"):
        Axis("data.maxlen", (100, 200), partner_values=(50,))
    assert Axis("data.maxlen", (100,)).name == "data.maxlen"


def test_sweep_has_one_to_three_distinct_axes_and_says_why_it_limits_backends():
    epochs = Axis("epochs", (1, 2))
    with pytest.raises(ValueError, match="1 to 3 axes"):
        Sweep(axes=())
    with pytest.raises(ValueError, match="1 to 3 axes"):
        Sweep(axes=(epochs, Axis("batch_size", (1,)), Axis("learning_rate", (0.1,)), Axis("data.n", (1,))))
    with pytest.raises(ValueError, match="twice"):
        Sweep(axes=(epochs, Axis("epochs", (3,))))
    with pytest.raises(ValueError, match="says why"):
        Sweep(axes=(epochs,), backends=("tensorflow",))
    with pytest.raises(ValueError, match="valid: tensorflow, jax, torch"):
        Sweep(axes=(epochs,), backends=("theano",), backends_reason="old")


def test_points_in_grid_order_and_partner_values():
    sweep = Sweep(axes=(Axis("data.maxlen", (100, 200), partner_values=(50, 100)), Axis("batch_size", (16, 64, 256))))
    points = sweep.points()
    assert len(points) == 6
    assert points[0] == {"data.maxlen": 100, "batch_size": 16}
    assert points[1] == {"data.maxlen": 100, "batch_size": 64}
    assert sweep.partner_point(points[3]) == {"data.maxlen": 100, "batch_size": 16}  # 200 on the long side
    smaller = sweep.with_values({"data.maxlen": [400, 800]})
    assert smaller.axes[0].partner_values == (200, 400)
    with pytest.raises(ValueError, match="no sweep axis epochs; this sweep's axes: data.maxlen, batch_size"):
        sweep.with_values({"epochs": [1]})


def test_a_claims_sweep_needs_a_rule_in_its_base_profile():
    with pytest.raises(ValueError, match="its sweep judges the .quick. rule, which it has not"):
        Claim(
            id="c",
            text="t",
            source_figure="f",
            metric="m",
            rules={"full": AtLeast(1.0)},
            measured_on={"full": ("x",)},
            unjudged="quick: none",
            sweep=Sweep(axes=(Axis("epochs", (1,)),)),
        )


def test_apply_puts_the_cell_into_the_recipe_and_its_data():
    recipe = Recipe(epochs=20, batch_size=64, fast_input=True, epochs_per_pass=5, data={"n_bits": 12})
    cell = apply(recipe, {"epochs": 40, "learning_rate": 0.01, "data.train_fraction": 0.5})
    assert (cell.epochs, cell.learning_rate, cell.batch_size) == (40, 0.01, 64)
    assert cell.data == {"n_bits": 12, "train_fraction": 0.5}
    with pytest.raises(ValueError, match=r"sweep cell \{'epochs': 7\}: epochs \(7\) must be a multiple"):
        apply(recipe, {"epochs": 7})


def test_recipe_value_reads_the_data_builders_default():
    case = registry.get_case("binary_increment")
    assert recipe_value(case, case.recipe("quick"), "data.train_fraction") == 0.25
    assert recipe_value(case, case.recipe("quick"), "data.n_bits") == 12
    assert recipe_value(case, case.recipe("full"), "epochs") == 100


def test_a_sweep_that_leaves_the_source_recipe_off_its_grid_says_why():
    """The full profile runs the source's recipe: a map whose grid misses it says why (``source_off_grid``),
    and one whose grid holds it says nothing of the kind."""
    for case, claim in declared().values():
        sweep = claim.sweep
        source = case.recipe(SOURCE_PROFILE)
        point = {axis.field: recipe_value(case, source, axis.field) for axis in sweep.axes}
        off = any(point[axis.field] not in axis.values for axis in sweep.axes)
        assert off == bool(sweep.source_off_grid), f"{case.id}/{claim.id}: the source's recipe at {point}"
    generated = registry.get_case("sentiment_lstm_maxlen200")
    assert recipe_value(generated, generated.recipe("full"), "data.reviews") == 2500  # the builder's default


def test_every_declared_sweep_runs_on_its_cases():
    sweeps = declared()
    assert len(sweeps) >= 5
    for case, claim in sweeps.values():
        partner = registry.get_case(claim.compare_to) if claim.compare_to else None
        check(case, claim.sweep, partner)  # every cell's recipe builds, every data axis is taken
        point = claim.sweep.points()[-1]
        assert cell_case(case, claim.sweep.profile, point).recipe(claim.sweep.profile) == apply(
            case.recipe(claim.sweep.profile), point
        )


def test_check_refuses_a_data_axis_the_builder_does_not_take():
    case = registry.get_case("binary_increment")
    with pytest.raises(ValueError, match="data builder takes no 'maxlen'"):
        check(case, Sweep(axes=(Axis("data.maxlen", (1,)),)))
    with pytest.raises(ValueError, match="model builder takes no 'depth'"):
        check(registry.get_case("one_char"), Sweep(axes=(Axis("model.depth", (1,)),)))


def test_a_model_axis_builds_the_cells_model_with_it():
    case = registry.get_case("one_char")
    sweep = Sweep(axes=(Axis("model.units", (8, 64)), Axis("epochs", (10,))))
    check(case, sweep)
    assert recipe_value(case, case.recipe("quick"), "model.units") == 32
    cell = cell_case(case, "quick", {"model.units": 8, "epochs": 10})
    assert cell.build_model.keywords["units"] == 8 and cell.recipe("quick").epochs == 10
    assert cell_case(case, "quick", {"epochs": 10}).build_model is case.build_model


# --------------------------------------------------------------------------- a cell's judgement


@pytest.mark.parametrize(
    ("values", "others", "outcome", "held"),
    [
        ([0.9, 0.8, 0.9], [0.2, 0.3, 0.1], "holds", True),
        ([0.9, 0.3, 0.9], [0.2, 0.3, 0.1], "some", False),
        ([1.0, 1.0, 1.0], [1.0, 1.0, 0.995], "vanishes", False),
        ([0.2, 0.5, 0.1], [0.9, 0.6, 0.8], "reverses", False),
        ([0.5, 0.6, 0.1], [0.4, 0.6, 0.8], "none", False),
    ],
)
def test_judge_cell_outcomes(values, others, outcome, held):
    judged = judge_cell(PairedGreater(0.3, 1.0), values, others)
    assert judged["outcome"] == outcome
    assert judged["held"] is held
    assert judged["seeds_held"] == {"holds": 3, "some": 2}.get(outcome, 0)


def test_judge_cell_share_rule_and_margin():
    judged = judge_cell(AtLeast(0.98, min_fraction=2 / 3), [0.99, 0.97, 1.0], None)
    assert (judged["held"], judged["seeds_held"], judged["outcome"]) == (True, 2, "some")
    assert judged["margin"] == pytest.approx(0.01)
    assert judge_cell(PairedRatio(1.5), [2.0, 1.0], [1.0, 2.0])["outcome"] == "some"


def test_a_cell_that_holds_on_some_seeds_but_is_reversed_on_average_is_mixed_not_some():
    judged = judge_cell(PairedGreater(0.03, 1.0), [0.70, 0.50, 0.52], [0.60, 0.62, 0.64])
    assert (judged["seeds_held"], judged["outcome"]) == (1, "mixed")
    assert judged["effect"]["statistic"] == "mean difference" and judged["effect"]["value"] < 0
    assert judge_cell(PairedRatio(1.5), [2.0, 0.6, 0.5], [1.0, 1.0, 1.0])["outcome"] == "mixed"
    assert judge_cell(AtLeast(0.9), [0.95, 0.5, 0.5], None)["outcome"] == "some"  # one side: no reversal


# --------------------------------------------------------------------------- shards and merge


def _fake_record(seeds, shard=None, mine=None):
    """A sweep record of KEY on a 2-cell grid with made-up values (no training)."""
    case, claim = declared()[KEY]
    sweep = claim.sweep.with_values({"epochs": [50], "learning_rate": [0.001], "batch_size": [1, 23]})
    entry = sweep_entry(case, claim, sweep, {"backend": "jax"}, "jax: the fastest installed")
    for index, point in enumerate(sweep.points()):
        run = [s for s in seeds if mine is None or (KEY, index, s) in mine]
        if run:
            entry["cells"].append(
                {
                    "index": index,
                    "point": point,
                    "seeds": run,
                    "values": [0.5 + 0.1 * s + index for s in run],
                    "others": [0.1 * s for s in run],
                    "train_seconds": [1.0 + s for s in run],
                }
            )
    record = {
        "schema": 1,
        "kind": "sweep",
        "profile": "quick",
        "seeds": list(seeds),
        "seed_base": 0,
        "commit": "abc",
        "shard": str(shard) if shard else None,
        "sweeps": {KEY: entry},
    }
    return record, sweep


def test_shards_split_the_units_and_merge_to_the_whole_run():
    seeds = [0, 1, 2]
    whole, sweep = _fake_record(seeds)
    judge(whole)
    shards = [Shard(k, 3) for k in (1, 2, 3)]
    plans = [plan([KEY], {KEY: sweep}, seeds, shard) for shard in shards]
    assert set().union(*plans) == plan([KEY], {KEY: sweep}, seeds, None)
    assert sum(len(p) for p in plans) == 6  # disjoint
    parts = [_fake_record(seeds, shard, mine)[0] for shard, mine in zip(shards, plans, strict=True)]
    merged = merge_records(list(reversed(parts)), judge, ["c.json", "b.json", "a.json"])
    assert merged["sweeps"][KEY]["cells"] == whole["sweeps"][KEY]["cells"]
    assert merged["merged_shards"] == 3 and merged["shard"] is None


def test_merge_refuses_a_missing_or_repeated_shard_and_other_runs():
    seeds = [0, 1]
    _, sweep = _fake_record(seeds)
    parts = [_fake_record(seeds, Shard(k, 2), plan([KEY], {KEY: sweep}, seeds, Shard(k, 2)))[0] for k in (1, 2)]
    with pytest.raises(RecordMismatch, match="shard.s. 2/2 missing: a merged run needs all 2"):
        merge_records([parts[0], parts[0]], judge, ["a", "b"])
    with pytest.raises(RecordMismatch, match="shard.s. 2/2 missing"):
        merge_records([parts[0]], judge, ["a"])
    with pytest.raises(RecordMismatch, match=r"cell \{.*\}: seed\(s\) 0 in two parts"):
        merge_records([parts[0], parts[0], parts[1]], judge, ["a", "b", "c"])
    other = copy.deepcopy(parts[1])
    other["commit"] = "def"
    with pytest.raises(RecordMismatch, match="a and b are not parts of one run: their commit differ"):
        merge_records([parts[0], other], judge, ["a", "b"])
    whole, _ = _fake_record(seeds)
    with pytest.raises(RecordMismatch, match="b is a whole run, not a shard"):
        merge_records([parts[0], whole], judge, ["a", "b"])
    with pytest.raises(ValueError, match="fewer than the shards"):
        plan([KEY], {KEY: sweep}, seeds, Shard(1, 5))


# --------------------------------------------------------------------------- the command line


def test_backend_choice_per_claim(monkeypatch):
    monkeypatch.delenv("KERAS_BACKEND", raising=False)
    both = ["tensorflow", "jax"]
    chosen = tool.choose_backends(None, {"a": (), "b": ("tensorflow",)}, both)
    assert chosen["a"] == ("jax", "jax: the fastest installed (installed: tensorflow, jax)")
    assert chosen["b"][0] == "tensorflow" and "this claim runs only on tensorflow" in chosen["b"][1]
    assert tool.choose_backends("tensorflow", {"a": ()}, both) == {"a": ("tensorflow", "tensorflow: --backend")}
    with pytest.raises(ValueError, match="backend 'torch' \\(--backend\\) is not installed; installed: jax"):
        tool.choose_backends("torch", {}, ["jax"])
    with pytest.raises(ValueError, match="sweep a runs only on tensorflow, not 'jax'"):
        tool.choose_backends("jax", {"a": ("tensorflow",)}, both)
    with pytest.raises(ValueError, match="sweep a runs only on tensorflow; installed: jax"):
        tool.choose_backends(None, {"a": ("tensorflow",)}, ["jax"])
    monkeypatch.setenv("KERAS_BACKEND", "tensorflow")
    assert tool.choose_backends(None, {"a": ()}, both)["a"] == (
        "tensorflow",
        "tensorflow: KERAS_BACKEND set in the environment",
    )


def test_each_backends_part_gets_the_runs_options_and_its_own_axes():
    args = tool._parser().parse_args(
        ["--all", "--seeds", "2", "--shard", "1/2", "-o", "x.json", "--axis", "epochs=10", "--axis", "batch_size=23"]
    )
    sweeps = {key: claim.sweep for key, (_case, claim) in declared().items()}
    options = tool._part_options(args, sweeps, ["stateful/reaches_100"])
    assert options == ["--seeds", "2", "--seed-base", "0", "--shard", "1/2", "--axis", "epochs=10"]


def test_parse_axis():
    assert tool.parse_axis("epochs=20,50") == ("epochs", [20, 50])
    assert tool.parse_axis("batch_size=null,1") == ("batch_size", [None, 1])
    with pytest.raises(ValueError, match="--axis must be FIELD=V1,V2"):
        tool.parse_axis("epochs")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--claim", "nope/x", "-o", "x.json"], "no sweep declared for nope/x; swept claims: "),
        ([], "name a swept claim with --claim or pass --all"),
        (["--claim", KEY], "-o OUT.json is required"),
        (["--claim", KEY, "--axis", "units=1", "-o", "x.json"], "--axis units: no selected sweep has that axis"),
        (["--claim", KEY, "--shard", "3/2", "-o", "x.json"], "--shard must be K/N with 1 <= K <= N"),
    ],
)
def test_bad_input_is_one_line(args, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        tool.main(args)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err


def _sweep(tmp_path: Path, name: str, *extra: str) -> dict:
    out = tmp_path / name
    command = [sys.executable, "-m", "lstm_cases.tools.sweep", "--claim", KEY, "--seeds", "2", "-o", str(out)]
    grid = ["--axis", "epochs=10,20", "--axis", "learning_rate=0.01", "--axis", "batch_size=23"]
    done = subprocess.run([*command, *grid, *extra], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(out.read_text())


def test_a_tiny_real_sweep_sharded_and_merged_equals_the_whole(tmp_path):
    whole = _sweep(tmp_path, "whole.json")["lstm_bench"]
    entry = whole["sweeps"][KEY]
    assert whole["kind"] == "sweep" and entry["stack_choice"].startswith(entry["stack"]["backend"])
    assert [c["point"]["epochs"] for c in entry["cells"]] == [10, 20]
    assert all(c["outcome"] in ("holds", "some", "none", "vanishes", "reverses") for c in entry["cells"])
    assert entry["marks"]["quick"]["point"] == {"epochs": 150, "learning_rate": 0.001, "batch_size": 1}
    for k in (1, 2):
        _sweep(tmp_path, f"part{k}.json", "--shard", f"{k}/2")
    merged_path = tmp_path / "merged.json"
    done = subprocess.run(
        [sys.executable, "-m", "lstm_cases.tools.merge", "part1.json", "part2.json", "-o", str(merged_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    merged = json.loads(merged_path.read_text())["lstm_bench"]["sweeps"][KEY]["cells"]
    for mine, theirs in zip(merged, entry["cells"], strict=True):
        for field in ("seeds", "values", "others", "held", "outcome"):
            assert mine[field] == theirs[field], field


def test_a_sweep_may_judge_another_profiles_rule_and_a_record_is_judged_again(tmp_path, capsys):
    case, claim = declared()[KEY]
    assert claim.sweep.judged_by == "full"  # the source's 0.05 gap, not quick's 0.3 for 150 epochs
    whole, _sweep = _fake_record([0, 1, 2])
    entry = whole["sweeps"][KEY]
    entry["rule"] = "an older rule"
    path = tmp_path / "sweep.json"
    path.write_text(json.dumps({"lstm_bench": whole}))
    assert tool.main(["--judge-again", str(path)]) == 0
    judged = json.loads(path.read_text())["lstm_bench"]["sweeps"][KEY]
    assert judged["rule"] == claim.rules["full"].describe() and judged["rule_profile"] == "full"
    assert all("outcome" in cell for cell in judged["cells"])
    whole["shard"] = "1/2"
    path.write_text(json.dumps({"lstm_bench": whole}))
    assert tool.main(["--judge-again", str(path)]) == 2
    assert "not a whole sweep run's record" in capsys.readouterr().err


def test_axis_values_from_the_command_line_are_of_the_axis_kind():
    _, claim = declared()[KEY]
    with pytest.raises(ValueError, match=r"^--axis epochs takes whole numbers, not 'abc' \(declared: "):
        claim.sweep.with_values({"epochs": ["abc"]})
    with pytest.raises(ValueError, match="--axis epochs takes whole numbers, not 2.5"):
        claim.sweep.with_values({"epochs": [2.5]})
    assert claim.sweep.with_values({"learning_rate": [1, 0.5]}).axes  # a float axis takes whole numbers too
