"""``python -m reports history``: claim margins and steady timings per commit, per stack."""

from __future__ import annotations

import json

from reports.cli import run as reports_command
from tests.test_reports import STACK_215, STACK_221, make_case, result_doc, table_text


def _run_file(path, commit: str, time: str, margin: float, steady: float, stack=STACK_221, status="pass"):
    case = make_case("one_char", claims={"mediocre_band": (status, [0.7, 0.8, 0.9])})
    case.info["verdicts"]["mediocre_band"]["margin"] = margin
    case.info["steady_epoch_seconds"] = [steady, steady * 1.1, steady * 0.9]
    doc = result_doc(case, stack=stack)
    doc["commit_info"] = {"id": commit, "time": time, "dirty": False}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc))
    return path


def test_runs_per_stack_in_commit_order_with_margins_and_steady_timings(tmp_path, capsys):
    store = tmp_path / ".benchmarks"  # as pytest-benchmark's storage: one folder per machine
    _run_file(store / "Linux" / "0002_bbbbbbb.json", "bbbbbbbbbb", "2026-11-02T10:00:00+00:00", 0.05, 0.2)
    _run_file(store / "Linux" / "0001_aaaaaaa.json", "aaaaaaaaaa", "2026-11-01T10:00:00+00:00", 0.10, 0.1)
    _run_file(
        store / "Linux" / "0003_ccccccc.json", "cccccccccc", "2026-11-03T10:00:00+00:00", -0.02, 0.4, status="fail"
    )
    _run_file(tmp_path / "tf215" / "run.json", "aaaaaaaaaa", "2026-11-01T10:00:00+00:00", 0.2, 0.3, stack=STACK_215)
    (store / "Linux" / "notes.json").write_text('{"not": "a result"}')

    code = reports_command(
        ["history", str(store), str(tmp_path / "tf215"), "-o", str(tmp_path / "out"), "--no-figures"]
    )
    assert code == 0, capsys.readouterr().err
    assert "4 run(s) in 2 stack(s)" in capsys.readouterr().out
    text = table_text((tmp_path / "out" / "README.md").read_text())
    assert "## tf2.15/keras2/tensorflow, quick: 1 run(s)" in text
    section = text.split("## tf2.21/keras3/tensorflow, quick: 3 run(s)")[1]
    assert "| case | claim | aaaaaaa | bbbbbbb | ccccccc |" in section  # commit order, not file order
    assert "| one_char | mediocre_band | +0.1 | +0.05 | -0.02 (fail) |" in section
    assert "| one_char | 0.1 | 0.2 | 0.4 |" in section  # median steady epoch per commit
    assert "notes.json: lstm-bench result schema 'none'" in text  # left out, and said so


def test_figures_per_stack(tmp_path, capsys):
    for i, commit in enumerate(("aaaaaaaaaa", "bbbbbbbbbb")):
        _run_file(tmp_path / "runs" / f"{i}.json", commit, f"2026-11-0{i + 1}T10:00:00+00:00", 0.1 - i / 10, 0.1 + i)
    assert reports_command(["history", str(tmp_path / "runs"), "-o", str(tmp_path / "out")]) == 0
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == [
        "README.md",
        "margins-tf2.21_keras3_tensorflow_quick.png",
        "timings-tf2.21_keras3_tensorflow_quick.png",
    ]
    assert (tmp_path / "out" / names[1]).read_bytes().startswith(b"\x89PNG")


def test_nothing_to_draw_is_one_line(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert reports_command(["history", str(tmp_path / "empty"), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err == f"python -m reports history: error: {tmp_path / 'empty'}: no lstm-bench result file found\n"
    assert reports_command(["history", str(tmp_path / "nowhere"), "-o", str(tmp_path / "out")]) == 2
    assert "nowhere: no such file or folder" in capsys.readouterr().err
