"""``python -m reports.matrix``: the report over a tox matrix's result folder."""

from __future__ import annotations

from reports.matrix import main
from tests.test_reports import STACK_215, STACK_221, make_case, noisy, table_text, write_result


def _folder(tmp_path, *envs: str):
    folder = tmp_path / "tox"
    folder.mkdir()
    for i, env in enumerate(envs):
        stack = STACK_215 if env.startswith("tf215") else STACK_221
        write_result(folder / f"{env}.json", make_case("one_char", train=noisy(3.0, 3, seed=i)), stack=stack)
    return folder


def test_baseline_first_others_by_name_unfinished_files_left_out(tmp_path, capsys):
    folder = _folder(tmp_path, "tf215-keras2", "tf221-keras3", "keras3-jax")
    (folder / "tf218-keras3.json.partial").write_text("{")
    (folder / ".tf216-keras3.json.123.tmp").write_text("{")
    assert main([str(folder), "-o", str(tmp_path / "out"), "--no-figures"]) == 0
    captured = capsys.readouterr()
    assert "baseline tf221-keras3.json; compared: keras3-jax.json, tf215-keras2.json" in captured.out
    assert "left out unfinished result files: .tf216-keras3.json.123.tmp, tf218-keras3.json.partial" in captured.err
    readme = (tmp_path / "out" / "README.md").read_text()
    assert "tf215-keras2.json" in readme or "2.15.1" in readme
    assert "--alpha 0.002" in readme  # the rule's options reach the report
    assert "## Headline: each run against tf2.21/keras3/tensorflow" in captured.out  # and the headline is printed
    assert "| tf2.15/keras2/tensorflow | alphabet | 1 |" in table_text(captured.out)  # cells padded by tabulate
    assert "| **tf2.21/keras3/tensorflow (keras3-jax)** | **all cases** | 1 |" in table_text(captured.out)


def test_the_rule_options_reach_the_report(tmp_path, capsys):
    folder = _folder(tmp_path, "tf221-keras3", "tf215-keras2")
    assert main([str(folder), "-o", str(tmp_path / "out"), "--no-figures", "--factor", "1.5", "--alpha", "0.01"]) == 0
    readme = (tmp_path / "out" / "README.md").read_text()
    assert "F = train_step x1.5, predict x1.5, single_call x1.5" in readme and "alpha = 0.01)" in readme
    assert main([str(folder), "-o", str(tmp_path / "out"), "--factor", "1"]) == 2
    assert capsys.readouterr().err.endswith("python -m reports: error: --factor must be > 1, got 1.0\n")


def test_missing_baseline_is_one_line_naming_what_was_found(tmp_path, capsys):
    folder = _folder(tmp_path, "tf215-keras2")
    assert main([str(folder), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        f"python -m reports.matrix: error: {folder}: no tf221-keras3.json for the baseline; "
        "result files found: tf215-keras2"
    )
    assert main([str(tmp_path / "nowhere"), "-o", str(tmp_path / "out")]) == 2
    assert "not a folder (run `tox` first" in capsys.readouterr().err
