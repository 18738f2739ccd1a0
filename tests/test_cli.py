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
