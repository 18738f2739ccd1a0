"""``python -m reports sweep``: claim-validity maps from hand-built sweep records (no TensorFlow)."""

from __future__ import annotations

import itertools
import json
import re

import pytest

from lstm_cases.record.load import InputError
from reports.cli import run as reports_command
from reports.sweep_map import heatmap, holds_where, load_sweeps, mark_cell, markdown, sentence, sweeps_of

PNG = b"\x89PNG\r\n\x1a\n"
EPOCHS = {"field": "epochs", "label": "epochs", "values": [20, 50, 150, 500], "partner_values": None}
RATE = {"field": "learning_rate", "label": "learning rate", "values": [0.001, 0.01], "partner_values": None}
BATCH = {"field": "batch_size", "label": "batch size", "values": [1, 23], "partner_values": None}
MARGINS = {"holds": 0.2, "some": 0.05, "none": -0.1, "vanishes": -0.3, "reverses": -0.5}


def make_sweep(axes, outcomes, marks=None, paired=True):
    """A sweep whose cells (grid order) have the given outcomes; the margin follows the outcome."""
    cells = []
    for values, outcome in zip(itertools.product(*(a["values"] for a in axes)), outcomes, strict=True):
        cells.append(
            {
                "point": {a["field"]: v for a, v in zip(axes, values, strict=True)},
                "seeds": [0, 1, 2],
                "values": [0.9, 0.8, 0.85],
                "others": [0.5, 0.6, 0.55] if paired else None,
                "train_seconds": [1.0, 1.1, 1.2],
                "held": outcome == "holds",
                "margin": None if outcome == "vanishes" else MARGINS[outcome],
                "seeds_held": {"holds": 3, "some": 1}.get(outcome, 0),
                "outcome": outcome,
            }
        )
    return {
        "case": "timestep_window",
        "claim": "beats_feature_window",
        "text": "a window of time steps beats the same window as features, by a wide margin on every seed",
        "metric": "accuracy",
        "compare_to": "feature_window" if paired else None,
        "rule": "paired over the same seeds: mean difference >= 0.3 and wins on >= 100% of seeds",
        "paired": paired,
        "axes": axes,
        "marks": marks or {},
        "source_is": "full",
        "stack": {"tensorflow_version": "2.21.0", "keras_major": 3, "backend": "jax"},
        "stack_choice": "jax: the fastest installed (installed: jax, tensorflow)",
        "cells": cells,
    }


def make_record(*sweeps, **top):
    record = {
        "schema": 1,
        "kind": "sweep",
        "profile": "quick",
        "seeds": [0, 1, 2],
        "seed_base": 0,
        "commit": "abc123",
        "date": "2026-11-29T15:00:00Z",
        "command": "python -m lstm_cases.tools.sweep",
        "shard": None,
        "sweeps": {f"{s['case']}/{s['claim']}{i or ''}": s for i, s in enumerate(sweeps)},
    }
    return {"lstm_bench": {**record, **top}}


def table_text(text):
    """The README with runs of spaces as one: tabulate pads table cells to their column's width."""
    return re.sub(r" {2,}", " ", text)


def one(sweep_dict):
    return sweeps_of(make_record(sweep_dict), "mem.json")[0]


# 4 epochs x 2 learning rates x 2 batch sizes, cells in grid order (itertools.product: the last axis
# varies fastest). Outcomes per (learning rate, batch size) group, over epochs 20, 50, 150, 500:
GROUPS = {
    (0.001, 1): ["none", "holds", "holds", "holds"],
    (0.001, 23): ["some", "some", "none", "none"],
    (0.01, 1): ["reverses", "none", "none", "none"],
    (0.01, 23): ["none", "holds", "holds", "vanishes"],
}
THREE_AXES = [GROUPS[(r, b)][e] for e, r, b in itertools.product(range(4), RATE["values"], BATCH["values"])]
MARKS = {
    "quick": {"point": {"epochs": 150, "learning_rate": 0.001, "batch_size": 1}, "other_differences": ""},
    "full": {"point": {"epochs": 1000, "learning_rate": 0.001, "batch_size": 1}, "other_differences": "fast_input"},
}


def test_sentence_names_each_region_with_ranges():
    sweep = one(make_sweep([EPOCHS, RATE, BATCH], THREE_AXES, MARKS))
    assert holds_where(sweep) == (
        "holds on every seed at learning rate 0.001, batch size 1: epochs >= 50; "
        "at learning rate 0.01, batch size 23: epochs 50-150; "
        "holds on some seeds at learning rate 0.001, batch size 23: epochs <= 50; "
        "vanishes (both sides equal) at learning rate 0.01, batch size 23: epochs >= 500; "
        "reverses (the other side is better) at learning rate 0.01, batch size 1: epochs 20; "
        "fails elsewhere"
    )
    assert sentence(sweep) == holds_where(sweep)


def test_sentence_any_and_merged_groups_and_the_ends():
    two = [dict(EPOCHS, values=[50, 150]), RATE]
    # (epochs, rate) in grid order: (50, .001) (50, .01) (150, .001) (150, .01)
    assert holds_where(one(make_sweep(two, ["holds", "none", "holds", "reverses"]))) == (
        "holds on every seed at learning rate 0.001: any epochs; "
        "reverses (the other side is better) at learning rate 0.01: epochs >= 150; fails elsewhere"
    )
    assert holds_where(one(make_sweep(two, ["none", "none", "holds", "holds"]))) == (
        "holds on every seed at epochs >= 150 (any learning rate); fails elsewhere"
    )
    assert holds_where(one(make_sweep(two, ["holds"] * 4))) == "holds everywhere on this grid"
    assert holds_where(one(make_sweep(two, ["none", "vanishes", "none", "vanishes"]))) == (
        "vanishes (both sides equal) at learning rate 0.01: any epochs; holds nowhere on this grid"
    )
    single = [dict(EPOCHS, values=[50, 150, 500])]
    assert holds_where(one(make_sweep(single, ["none", "some", "holds"]))) == (
        "holds on every seed at epochs >= 500; holds on some seeds at epochs 150; fails elsewhere"
    )
    assert holds_where(one(make_sweep(single, ["holds", "holds", "none"]))) == (
        "holds on every seed at epochs <= 150; fails elsewhere"
    )
    assert holds_where(one(make_sweep(single, ["holds", "none", "holds"]))) == (
        "holds on every seed at epochs 50, >= 500; fails elsewhere"
    )


def test_some_seeds_with_the_mean_effect_reversed_is_never_said_to_hold_on_some_seeds():
    sweep = make_sweep([EPOCHS], ["some", "some", "holds", "holds"])
    sweep["cells"][0]["values"] = [0.9, 0.3, 0.35]  # one seed above, the mean below the other side
    loaded = one(sweep)  # an older record: no effect kept, computed from the cell's values
    cells = [loaded.cells[(i,)] for i in range(4)]
    assert [c["outcome"] for c in cells] == ["mixed", "some", "holds", "holds"]
    assert cells[0]["effect"]["value"] < 0 < cells[1]["effect"]["value"]
    assert holds_where(loaded) == (
        "holds on every seed at epochs >= 150; holds on some seeds at epochs 50; "
        "holds on some seeds but the other side is better on average at epochs 20"
    )
    text = table_text(markdown(loaded, "x.png"))
    assert "| 20 | 0.9, 0.3, 0.35 | 0.5, 0.6, 0.55 | 1/3 | mean difference -0.0333 [" in text
    assert "⊖ mixed |" in text


def test_marks_land_in_their_cell_with_float_tolerance():
    marks = {
        "quick": {"point": {"epochs": 150, "learning_rate": 0.1 * 0.1, "batch_size": 23}, "other_differences": ""},
        **{k: v for k, v in MARKS.items() if k == "full"},
    }
    sweep = one(make_sweep([EPOCHS, RATE, BATCH], THREE_AXES, marks))
    assert mark_cell(sweep, "quick") == (2, 1, 1)  # 0.1 * 0.1 == 0.010000000000000002
    assert mark_cell(sweep, "full") is None  # epochs 1000: off the grid
    text = markdown(sweep, "map.png")
    assert "- F = full (the source's recipe): epochs 1000, learning rate 0.001, batch size 1 (off the grid)" in text


@pytest.mark.parametrize("n_axes", [1, 2, 3])
def test_a_png_for_one_two_and_three_axes(n_axes):
    axes = [EPOCHS, RATE, BATCH][:n_axes]
    outcomes = [["holds", "some", "none", "vanishes", "reverses"][i % 5] for i in range(4 * 2 ** (n_axes - 1))]
    png = heatmap(one(make_sweep(axes, outcomes, MARKS)))
    assert png.startswith(PNG) and len(png) > 5000


def test_cli_writes_readme_and_png(tmp_path, capsys):
    paired = make_sweep([dict(EPOCHS, values=[50, 150]), RATE], ["holds", "none", "some", "reverses"], MARKS)
    facets = make_sweep([EPOCHS, RATE, BATCH], THREE_AXES, MARKS, paired=False)
    facets["claim"] = "learns"
    path = tmp_path / "sweep.json"
    path.write_text(json.dumps(make_record(paired, facets)))
    assert reports_command(["sweep", str(path), "-o", str(tmp_path / "out")]) == 0, capsys.readouterr().err
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["README.md", "timestep_window__beats_feature_window.png", "timestep_window__learns1.png"]
    assert (tmp_path / "out" / "timestep_window__learns1.png").read_bytes().startswith(PNG)
    text = table_text((tmp_path / "out" / "README.md").read_text())
    assert f"python -m reports sweep {path} -o {tmp_path / 'out'}" in text
    assert "![timestep_window/beats_feature_window](timestep_window__beats_feature_window.png)" in text
    assert "**Where it holds:** holds on every seed at learning rate 0.001: epochs 50; " in text
    headers = "| epochs | learning rate | values | others | rule held on | effect [95% interval], paired p | margin |"
    assert headers in text  # paired: others
    assert (
        "| epochs | learning rate | batch size | values | rule held on | effect [95% interval], paired p |" in text
    )  # unpaired
    assert "jax: the fastest installed" in text and "Seeds: 0, 1, 2" in text


@pytest.mark.parametrize(
    ("top", "says"),
    [
        ({"shard": "1/2"}, "merge the shards first with python -m lstm_cases.tools.merge"),
        ({"kind": "run"}, "not a sweep file: it holds a run record"),
        ({"kind": None}, "not a sweep file: it holds a run record"),
        ({"schema": 0}, "lstm-bench result schema 0; this version reads schemas 1, 2"),
        ({"sweeps": {}}, 'no "sweeps"'),
    ],
)
def test_cli_refuses_what_is_not_a_merged_sweep_record(tmp_path, capsys, top, says):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(make_record(make_sweep([RATE], ["holds", "none"]), **top)))
    assert reports_command(["sweep", str(path), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{path}: " in err and says in err
    assert not (tmp_path / "out").exists()


def test_load_refuses_a_file_that_is_not_json_or_not_lstm_bench(tmp_path):
    (tmp_path / "a.json").write_text("{not json")
    (tmp_path / "b.json").write_text('{"benchmarks": []}')
    for name, says in (("a.json", "not valid JSON"), ("b.json", 'no top-level "lstm_bench"')):
        with pytest.raises(InputError, match=says) as info:
            load_sweeps([tmp_path / name])
        assert "\n" not in str(info.value) and str(info.value).startswith(str(tmp_path / name))
    doc = make_record(make_sweep([RATE], ["holds", "none"]))
    doc["lstm_bench"]["sweeps"]["timestep_window/beats_feature_window"]["cells"].pop()
    with pytest.raises(InputError, match="1 cells for a grid of 2 points"):
        sweeps_of(doc, "c.json")
