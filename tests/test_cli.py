"""Command-line tools fail on bad names with one line listing the valid choices."""

import pytest

from lstm_cases.tools import measure_claims


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--case", "nope"], "error: unknown case 'nope'; valid cases: "),
        (["--profile", "fast"], "error: unknown profile 'fast'; valid profiles: quick, full"),
    ],
)
def test_calibrate_rejects_unknown_names(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        measure_claims.main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(message) and err.count("\n") == 1


def test_atomic_json_leaves_no_partial_file(tmp_path):
    target = tmp_path / "out.json"
    measure_claims.write_json_atomic(target, {"a": 1})
    assert target.read_text().strip().startswith("{")
    with pytest.raises(TypeError):
        measure_claims.write_json_atomic(target, {"bad": object()})  # not serialisable
    assert target.read_text().strip().startswith("{")  # the old file is intact
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]


def test_measure_claims_reports_a_claim_not_judged_in_the_profile(monkeypatch, capsys):
    """one_char and feature_window quick, one seed each, without training (the null model)."""
    from lstm_cases import runner

    real = runner.run_case
    monkeypatch.setattr(
        runner, "run_case", lambda case, profile, seeds, null_model=False: real(case, profile, seeds, True)
    )
    assert measure_claims.main(["--profile", "quick", "--seeds", "1", "--case", "feature_window"]) == 0
    out = capsys.readouterr().out
    assert "claim mediocre_band: not judged in quick (quick: 150 epochs" in out
    assert "claim undertrained_at_quick: fail" in out  # an untrained model fails it
