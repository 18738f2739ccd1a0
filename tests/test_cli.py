"""Command-line tools fail on bad names with one line listing the valid choices."""

import json

import pytest

from lstm_cases.tools import measure_claims

# in this test process the framework may run already, under the session's threads: leave them as they are
IN_PROCESS = ["--threads", "default"]


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
    assert measure_claims.main(["--profile", "quick", "--seeds", "1", "--case", "feature_window", *IN_PROCESS]) == 0
    out = capsys.readouterr().out
    assert "claim mediocre_band: not judged in quick (quick: 150 epochs" in out
    assert "claim undertrained_at_quick: fail" in out  # an untrained model fails it


class Killed(BaseException):
    """The process stopped mid-seed (as SIGKILL would: nothing after it runs in the tool)."""


def _untrained_runs(monkeypatch, stop_at_seed=None):
    """runner.run_case on the null model (no training); killed at one seed."""
    from lstm_cases import runner

    real, ran = runner.run_case, []

    def run_case(case, profile, seeds, null_model=False):
        if seeds == [stop_at_seed]:
            raise Killed
        ran.extend((case.id, s) for s in seeds)
        return real(case, profile, seeds, True)

    monkeypatch.setattr(runner, "run_case", run_case)
    return ran


def test_measurement_is_written_seed_by_seed_and_a_rerun_completes_it(monkeypatch, tmp_path, capsys):
    out = tmp_path / "quick.json"
    argv = ["--profile", "quick", "--seeds", "3", "--case", "one_char", "--out", str(out), *IN_PROCESS]
    _untrained_runs(monkeypatch, stop_at_seed=1)
    with pytest.raises(Killed):
        measure_claims.main(argv)
    first = json.loads(out.read_text())["cases"]["one_char"]
    assert first["seeds"] == [0] and len(first["metrics"]["accuracy"]) == 1  # seed 0 whole, seed 1 lost
    monkeypatch.undo()  # the rerun: a new process
    ran = _untrained_runs(monkeypatch)
    assert measure_claims.main(argv) == 0
    assert ran == [("one_char", 1), ("one_char", 2)]  # the stored seed is not measured again
    assert "seeds [0] stored already" in capsys.readouterr().out
    done = json.loads(out.read_text())["cases"]["one_char"]
    assert done["seeds"] == [0, 1, 2] and done["metrics"]["accuracy"][0] == first["metrics"]["accuracy"][0]
    assert done["recipe"]["epochs"] > 0 and done["expected"]["total_params"] > 0 and len(done["commits"]) == 3


def test_measurement_refuses_to_mix_seeds_of_another_recipe(monkeypatch, tmp_path, capsys):
    out = tmp_path / "quick.json"
    _untrained_runs(monkeypatch)
    assert measure_claims.main(["--seeds", "1", "--case", "one_char", "--out", str(out), *IN_PROCESS]) == 0
    doc = json.loads(out.read_text())
    doc["cases"]["one_char"]["recipe"]["epochs"] += 1  # as if the recipe had changed since
    out.write_text(json.dumps(doc))
    with pytest.raises(SystemExit) as exit_info:
        measure_claims.main(["--seeds", "2", "--case", "one_char", "--out", str(out), *IN_PROCESS])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert (
        err.count("\n") == 1 and "one_char: its stored seeds were measured under another recipe (epochs changed)" in err
    )
    assert measure_claims.main(["--seeds", "2", "--case", "one_char", "--out", str(out), "--fresh", *IN_PROCESS]) == 0
    assert json.loads(out.read_text())["cases"]["one_char"]["seeds"] == [0, 1]


def test_writing_a_case_keeps_the_files_holdout_log(monkeypatch, tmp_path):
    out = tmp_path / "quick.json"
    _untrained_runs(monkeypatch)
    assert measure_claims.main(["--seeds", "1", "--case", "one_char", "--out", str(out), *IN_PROCESS]) == 0
    log = [{"role": "set", "seeds": [0, 9]}]
    out.write_text(json.dumps({**json.loads(out.read_text()), "holdout": log}))
    assert measure_claims.main(["--seeds", "1", "--case", "feature_window", "--out", str(out), *IN_PROCESS]) == 0
    assert measure_claims.main(["--seeds", "1", "--case", "one_char", "--out", str(out), "--fresh", *IN_PROCESS]) == 0
    doc = json.loads(out.read_text())
    assert doc["holdout"] == log and set(doc["cases"]) == {"one_char", "feature_window"}


def test_a_check_range_is_written_apart_and_logged_when_complete(monkeypatch, tmp_path, capsys):
    from lstm_cases import compat, holdout, provenance, registry

    monkeypatch.setattr(registry, "measurement_folder", lambda case: tmp_path)
    label = compat.stack_label(compat.stack())
    main_file = provenance.measurement_path("quick", label, tmp_path)
    main_file.write_text(
        json.dumps({"format": provenance.FORMAT, "profile": "quick", "stack_label": label, "stack": {}, "cases": {},
                    "holdout": [{"role": "set", "seeds": [0, 2]}]})
    )  # fmt: skip
    _untrained_runs(monkeypatch)
    argv = ["--case", "one_char", "--seed-base", "3", "--seeds", "2", "--check-range", "--write", *IN_PROCESS]
    assert measure_claims.main(argv) == 0
    check = tmp_path / f"{main_file.stem}.check-3-4.json"
    assert json.loads(check.read_text())["cases"]["one_char"]["seeds"] == [3, 4]
    event = json.loads(main_file.read_text())["holdout"][-1]
    assert (event["role"], event["seeds"], event["file"]) == ("check", [3, 4], check.name)
    now = holdout.rules_now(registry.all_cases().values(), "quick", label)
    assert event["rules"] == {"one_char/mediocre_band": now["one_char/mediocre_band"]}  # what it measured only
    # the same range again for another case (with its control): one event, vouching for both
    argv = ["--case", "stateful", "--seed-base", "3", "--seeds", "2", "--check-range", "--write", *IN_PROCESS]
    assert measure_claims.main(argv) == 0
    log = json.loads(main_file.read_text())["holdout"]
    assert [e["seeds"] for e in log if e["role"] == "check"] == [[3, 4]]
    vouched = {"one_char/mediocre_band", "stateful/reaches_100", "stateful/beats_stateless_control"}
    assert set(log[-1]["rules"]) >= vouched
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_info:
        measure_claims.main(
            ["--case", "one_char", "--seed-base", "2", "--seeds", "2", "--check-range", "--write", *IN_PROCESS]
        )
    assert exit_info.value.code == 2
    assert "error: --check-range 2-3: seed 2 is in the set 0-2 range too" in capsys.readouterr().err


def test_shards_of_a_measurement_join_into_the_whole(monkeypatch, tmp_path, capsys):
    _untrained_runs(monkeypatch)
    argv = ["--case", "one_char", "--seeds", "4", *IN_PROCESS]
    assert measure_claims.main([*argv, "--out", str(tmp_path / "whole.json")]) == 0
    for k in (1, 2):
        assert measure_claims.main([*argv, "--shard", f"{k}/2", "--out", str(tmp_path / f"share-{k}.json")]) == 0
    shares = [json.loads((tmp_path / f"share-{k}.json").read_text())["cases"]["one_char"]["seeds"] for k in (1, 2)]
    assert shares == [[0, 2], [1, 3]]
    joined = tmp_path / "joined.json"
    assert measure_claims.main(["--join", str(tmp_path / "share-2.json"), str(tmp_path / "share-1.json"),
                                "--out", str(joined)]) == 0  # fmt: skip
    whole = json.loads((tmp_path / "whole.json").read_text())["cases"]["one_char"]
    got = json.loads(joined.read_text())["cases"]["one_char"]
    assert got["seeds"] == [0, 1, 2, 3] and got["metrics"]["accuracy"] == whole["metrics"]["accuracy"]
    with pytest.raises(SystemExit) as exit_info:
        measure_claims.main(["--join", str(tmp_path / "share-1.json"), str(joined), "--out", str(tmp_path / "x.json")])
    assert exit_info.value.code == 2
    assert f"{joined}: one_char: seed(s) 0 in two parts" in capsys.readouterr().err
