"""The committed examples (``reports/examples/``): each says the commit and the rules it was made by, and
those are today's rules; the examples command (``lstm_cases.tools.examples``) on small inputs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from lstm_cases import registry
from lstm_cases.rules import AtLeast
from lstm_cases.tools import examples
from reports import compare, duet
from tests.test_duet import duet_file, every_kind

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "reports" / "examples"


def test_every_example_was_made_by_today_s_rules():
    now = examples.rule_fingerprints()
    folders = sorted(p for p in EXAMPLES.iterdir() if p.is_dir() and not p.name.startswith("."))
    assert folders
    stale = []
    for folder in folders:
        meta_path = folder / examples.META
        assert meta_path.is_file(), f"{folder.name}: no {examples.META}; remake it: lstm-bench examples {folder.name}"
        meta = json.loads(meta_path.read_text())
        assert meta["example"] == folder.name and meta["commit"] and meta["rules"], meta
        stale += [
            f"{folder.name}: {rule} {seen} (now {now.get(rule, 'no such rule')})"
            for rule, seen in meta["rules"].items()
            if now.get(rule) != seen
        ]
    assert not stale, f"examples made by other rules than today's (lstm-bench examples remakes them): {stale}"


def test_every_committed_map_is_judged_by_today_s_rule():
    """A map's cells are judged by the rule its record names; the example judges its records again, so
    that rule is today's (a rule moved after the sweep ran is the one the map shows)."""
    stale = []
    for record in examples.sweep_records(EXAMPLES / "sweeps"):
        for key, entry in json.loads(record.read_text())["lstm_bench"]["sweeps"].items():
            claim = registry.get_case(entry["case"]).claim(entry["claim"])
            now = claim.rules[claim.sweep.judged_by].describe()
            stale += [f"{record.name}: {key}: {entry['rule']!r} (now {now!r})"] if entry["rule"] != now else []
    assert not stale, f"maps judged by another rule than today's (lstm-bench examples sweeps): {stale}"


def test_a_changed_rule_or_factor_changes_its_fingerprint(monkeypatch):
    before = examples.rule_fingerprints()
    monkeypatch.setitem(duet.DUET_FACTORS, "predict", 1.05)
    monkeypatch.setitem(compare.DEFAULT_FACTORS, "predict", 1.2)
    after = examples.rule_fingerprints()
    assert after["duet"] != before["duet"] and after["sequential"] != before["sequential"]
    assert after["claims:quick"] == before["claims:quick"] and after["claims:full"] == before["claims:full"]


def test_a_full_rule_moved_stales_what_full_rules_judged_and_not_the_quick_examples(monkeypatch):
    before = examples.rule_fingerprints()
    claim = registry.get_case("stateful").claim("reaches_100")
    monkeypatch.setitem(claim.rules, "full", AtLeast(0.5))
    after = examples.rule_fingerprints()
    assert after["claims:full"] != before["claims:full"] and after["claims:quick"] == before["claims:quick"]
    monkeypatch.setitem(claim.rules, "quick", AtLeast(0.5))
    assert examples.rule_fingerprints()["claims:quick"] != before["claims:quick"]


def test_a_target_without_its_inputs_or_an_unknown_one_is_refused_in_one_line(tmp_path, capsys):
    assert examples.main(["duet", "--out", str(tmp_path)]) == 2
    assert examples.main(["matrix", "--out", str(tmp_path), "--matrix", str(tmp_path / "none")]) == 2
    assert examples.main(["nope", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "lstm-bench examples: error: duet: needs a duet study's folder: --duets DIR (docs/duet-study.sh DIR writes it)",
        f"lstm-bench examples: error: matrix: --matrix {tmp_path / 'none'}: not a folder",
        "lstm-bench examples: error: unknown target 'nope'; valid targets: gate, duet, sweeps, matrix",
    ]
    assert not any(tmp_path.iterdir()), "nothing written"


def test_the_duet_example_gates_every_duet_of_a_study_and_is_swapped_in_whole(tmp_path, capsys):
    study, out = tmp_path / "study", tmp_path / "examples"
    study.mkdir()
    duet_file(study / "aa01.json", every_kind())
    duet_file(study / "slow-train-1.1.json", every_kind(lambda k: 1.1 if k == "train_step" else 1.0), {"train": 1.1})
    (out / "duet").mkdir(parents=True)
    (out / "duet" / "stale.txt").write_text("from an older rule")
    assert examples.main(["duet", "--duets", str(study), "--out", str(out)]) == 0, capsys.readouterr().err
    made = out / "duet"
    assert sorted(p.name for p in made.iterdir()) == [
        "EXAMPLE.json", "README.md", "gate-aa01.txt", "gate-slow-train-1.1.txt", "report-slow-train-1.1"
    ]  # fmt: skip
    meta = json.loads((made / "EXAMPLE.json").read_text())
    assert meta["rules"] == {"duet": examples.rule_fingerprints()["duet"]} and meta["example"] == "duet"
    readme = (made / "README.md").read_text()
    assert "| `lstm-bench gate aa01.json` | 0: `gate-aa01.txt` |" in readme
    assert "| `lstm-bench gate slow-train-1.1.json` | 1: `gate-slow-train-1.1.txt` |" in readme
    assert "REGRESSION" in (made / "gate-slow-train-1.1.txt").read_text()
    assert [p.name for p in out.iterdir()] == ["duet"], "no temporary folder left"


def test_the_sweeps_example_is_redrawn_from_its_own_records(tmp_path, capsys):
    out = tmp_path / "examples"
    (out / "sweeps").mkdir(parents=True)
    for record in (EXAMPLES / "sweeps").glob("*.json"):
        shutil.copy2(record, out / "sweeps" / record.name)
    assert examples.main(["sweeps", "--out", str(out)]) == 0, capsys.readouterr().err
    made = out / "sweeps"
    assert (made / "README.md").read_text().startswith("# Claim-validity maps")
    assert json.loads((made / "EXAMPLE.json").read_text())["rules"] == {
        examples.claims_key(p): examples.claims_fingerprint(p) for p in ("full", "quick")
    }  # the records judge some claims by quick rules and some by full ones
    assert sorted(p.name for p in made.glob("*.json")) == sorted(
        [*(p.name for p in (EXAMPLES / "sweeps").glob("*.json") if p.name != "EXAMPLE.json"), "EXAMPLE.json"]
    )


def test_the_matrix_example_is_the_summary_and_names_the_quick_claims_fingerprint(tmp_path, capsys):
    from tests.test_matrix import _folder

    folder, out = _folder(tmp_path, "tf221-keras3", "tf215-keras2"), tmp_path / "examples"
    assert examples.main(["matrix", "--matrix", str(folder), "--out", str(out)]) == 0, capsys.readouterr().err
    made = out / "matrix"
    meta = json.loads((made / "EXAMPLE.json").read_text())
    now = examples.rule_fingerprints()
    assert meta["rules"] == {"sequential": now["sequential"], "claims:quick": now["claims:quick"]}
    readme = (made / "README.md").read_text()
    assert readme.startswith("# The version and backend matrix") and (made / "report.md").is_file()
    # judged again by today's claims: one_char's claim of today, not the one the small files stored
    assert "`mediocre_band`" in readme and "`source_accuracy`" not in readme
    assert sorted(p.name for p in made.glob("*.png")) == ["ratios.png", "timings.png"]  # no per-case figures
