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
    report = (tmp_path / "out" / "report.md").read_text()
    assert "tf215-keras2.json" in report or "2.15.1" in report
    assert "--alpha 0.002" in report  # the rule's options reach the report
    assert "## Headline: each run against tf2.21/keras3/tensorflow" in captured.out  # and the headline is printed
    assert "| tf2.15/keras2/tensorflow | alphabet | 1 |" in table_text(captured.out)  # cells padded by tabulate
    assert "| **tf2.21/keras3/tensorflow (keras3-jax)** | **all cases** | 1 |" in table_text(captured.out)


def test_the_rule_options_reach_the_report(tmp_path, capsys):
    folder = _folder(tmp_path, "tf221-keras3", "tf215-keras2")
    assert main([str(folder), "-o", str(tmp_path / "out"), "--no-figures", "--factor", "1.5", "--alpha", "0.01"]) == 0
    readme = (tmp_path / "out" / "report.md").read_text()
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


def test_the_readme_is_a_summary_with_every_claim_on_every_stack_and_links_the_full_report(tmp_path, capsys):
    folder = _folder(tmp_path, "tf221-keras3", "tf215-keras2", "keras3-jax")
    failing = make_case("one_char", train=noisy(3.0, 3, seed=5), claims={"source_accuracy": ("fail", [0.5] * 3)})
    write_result(folder / "keras3-jax.json", failing)
    assert main([str(folder), "-o", str(tmp_path / "out"), "--no-figures"]) == 0
    out = capsys.readouterr().out
    readme = (tmp_path / "out" / "README.md").read_text()
    assert "[report.md](report.md)" in readme and "the baseline of every timing is **tf221-keras3.json**" in readme
    grid = table_text(readme)
    assert "| case | claim | tf221-keras3 | keras3-jax | tf215-keras2 |" in grid
    assert "| `one_char` | `source_accuracy` | pass | **fail** | pass |" in grid
    assert "## Verdicts per stack" in readme and "**1 claim verdict(s) fail or pass unexpectedly.**" in readme
    assert len(readme.splitlines()) < len((tmp_path / "out" / "report.md").read_text().splitlines())
    assert "wrote the summary" in out
