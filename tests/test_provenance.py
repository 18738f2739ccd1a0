"""Thresholds as data: every claim points at the measurements its thresholds were set from,
and every rule holds on the seeds stored there (or fails there, where the claim is an
expected failure on that stack)."""

import dataclasses
import json

import pytest

from lstm_cases import holdout, provenance, registry
from lstm_cases.core import PROFILES
from lstm_cases.rules import AtLeast, MedianInBand, PairedGreater
from lstm_cases.tools import any_seeds

CLAIMS = [(case, claim) for case in registry.all_cases().values() for claim in case.claims]


def _check(case, claim, profile, folder=None) -> list[str]:
    """What is wrong with the evidence behind one rule (nothing: an empty list); ``folder``: the
    measurement files' (default: the case's family's)."""
    folder = registry.measurement_folder(case) if folder is None else folder
    problems = []
    for ev in provenance.evidence(case, claim, profile, folder):
        stack = json.loads(ev.path.read_text())["stack"]
        expected_to_fail = claim.expected_failure(stack, profile) is not None
        if ev.transcribed:
            held = provenance.summary_clears(claim.rules[profile], ev.summary)
        else:
            if len(ev.seeds) < provenance.MIN_SEEDS:
                problems.append(f"{ev.path.name}: {len(ev.seeds)} seeds, fewer than {provenance.MIN_SEEDS}")
            xfail = claim.expected_failure(stack, profile)
            if xfail is not None and not xfail.strict:
                # a finding that a run's seeds go either way: refuted only when every run of them holds, in
                # the stack's file and in every check range its holdout log names
                runs = [run for path in _with_check_files(ev.path) for run in _runs(case, claim, profile, path)]
                held = all(_held(claim, profile, values, others, stack) for _, values, others in runs)
            else:
                held = _held(claim, profile, ev.values, ev.others, stack)
        if held == expected_to_fail:
            what = "holds although it is an expected failure" if held else "does not hold"
            problems.append(f"{ev.path.name}: the {profile} rule {what} on the stored seeds ({ev.describe()})")
    return problems


def _held(claim, profile, values, others, stack) -> bool:
    verdict = claim.judge(profile, values, stack, others)
    return verdict.status in ("pass", "xpass") or "held here by chance" in verdict.detail


def _with_check_files(path):
    doc = json.loads(path.read_text())
    checks = [path.with_name(e["file"]) for e in doc.get(holdout.LOG_KEY, []) if e.get("role") == "check"]
    return list(dict.fromkeys([path, *checks]))  # a first check range may be kept in the stack's file itself


def _runs(case, claim, profile, path) -> list[any_seeds.Run]:
    """A file's seeds of the claim in the disjoint runs a ``--seed-base`` run judges (none where it cannot)."""
    return any_seeds.claim_runs(provenance.load(path), case, claim, profile) or []


@pytest.mark.parametrize("declared", CLAIMS, ids=[f"{c.id}-{cl.id}" for c, cl in CLAIMS])
def test_every_threshold_holds_on_its_stored_seeds(declared):
    case, claim = declared
    for profile in claim.rules:
        assert not _check(case, claim, profile), _check(case, claim, profile)


FLOORED = [(case, claim, xfail) for case, claim in CLAIMS for xfail in claim.expected_failures if xfail.floor]


@pytest.mark.parametrize(
    "floored", FLOORED, ids=[f"{c.id}-{cl.id}-{x.backend or x.tensorflow_prefix or 'all'}" for c, cl, x in FLOORED]
)
def test_every_expected_failure_floor_holds_where_it_was_measured(floored):
    """The floor of an expected failure is the finding's own measured range: it holds on every
    stored measurement of a stack the expected failure applies to (the first that matches the stack, as
    ``Claim.expected_failure`` picks it; and there is one)."""
    case, claim, xfail = floored
    checked = []
    for path in sorted(provenance.FOLDER.glob("*.json")):
        doc = json.loads(path.read_text())
        profile = doc["profile"]
        if case.id not in doc["cases"] or not claim.judged_in(profile):
            continue
        if claim.expected_failure(doc["stack"], profile) is not xfail:  # not the one that applies there
            continue
        entry = doc["cases"][case.id]
        if "transcribed" in entry:
            figures = entry["transcribed"].get(claim.id)
            if figures is None:
                continue
            held = provenance.summary_clears(xfail.floor, figures)
        elif claim.metric not in entry["metrics"]:  # a range measured before the claim had this metric
            continue
        elif claim.compare_to is None:
            held, _ = xfail.floor.judge(provenance.recorded(entry["seeds"], entry["metrics"][claim.metric])[1])
        elif claim.compare_to not in doc["cases"]:  # a range measured before the control existed
            continue
        else:  # a paired floor, on the seeds both cases were measured on
            other = doc["cases"][claim.compare_to]
            _, values, others = provenance.on_shared_seeds(
                *provenance.recorded(entry["seeds"], entry["metrics"][claim.metric]),
                *provenance.recorded(other["seeds"], other["metrics"][claim.metric]),
            )
            held, _ = xfail.floor.judge(values, others)
        checked.append(path.name)
        assert held, f"{path.name}: the floor {xfail.floor.describe()} of {case.id}/{claim.id} does not hold"
    assert checked, f"{case.id}/{claim.id}: no measurement on a stack where its expected failure applies"


def test_every_claim_names_its_measurements_or_says_why_not():
    for case, claim in CLAIMS:
        for profile in PROFILES:
            if claim.judged_in(profile):
                assert claim.measured_on.get(profile) or claim.unmeasured, f"{case.id}/{claim.id} {profile}"
            else:
                assert claim.unjudged, f"{case.id}/{claim.id}: no {profile} rule and no reason"


def test_the_check_fails_a_threshold_the_stored_seeds_do_not_reach():
    case = registry.get_case("timestep_window")
    paired = case.claim("beats_feature_window")
    too_strict = dataclasses.replace(paired, rules={**paired.rules, "quick": PairedGreater(0.99, 1.0)})
    assert any("does not hold" in p for p in _check(case, too_strict, "quick"))
    band = registry.get_case("one_char").claim("mediocre_band")  # full: a transcribed summary
    too_narrow = dataclasses.replace(band, rules={**band.rules, "full": MedianInBand(0.9, 0.95)})
    assert any("does not hold" in p for p in _check(registry.get_case("one_char"), too_narrow, "full"))


def test_a_non_strict_finding_is_refuted_only_when_every_run_of_its_seeds_holds():
    case = registry.get_case("sentiment_lstm_maxlen200")
    claim = case.claim("beats_simplernn")  # non-strict on TF 2.15 quick: its 3-seed runs go either way
    assert not _check(case, claim, "quick")
    easy = dataclasses.replace(claim, rules={**claim.rules, "quick": PairedGreater(-1.0, 0.0)})  # every run holds
    assert any("holds although it is an expected failure" in p for p in _check(case, easy, "quick"))


def test_an_unknown_or_missing_measurement_is_one_line_naming_the_file(tmp_path):
    case = registry.get_case("one_char")
    claim = dataclasses.replace(
        case.claim("mediocre_band"), measured_on={"quick": ("tf9.9/keras9/none",), "full": ("tf9.9/keras9/none",)}
    )
    with pytest.raises(provenance.MeasurementError, match=r"quick-tf9.9-keras9-none.json: no such measurement file"):
        provenance.evidence(case, claim, "quick", tmp_path)
    (tmp_path / "quick-tf9.9-keras9-none.json").write_text(json.dumps({"format": provenance.FORMAT, "cases": {}}))
    with pytest.raises(provenance.MeasurementError, match="no measurement of case 'one_char'"):
        provenance.evidence(case, claim, "quick", tmp_path)


def test_a_summary_clears_by_its_worst_seed_for_every_seed_rules():
    summary = {"n": 10, "min": 0.5, "median": 0.9, "max": 1.0}
    assert provenance.summary_clears(AtLeast(0.4), summary)
    assert not provenance.summary_clears(AtLeast(0.6), summary)
    assert provenance.summary_clears(AtLeast(0.6, min_fraction=2 / 3), summary)  # the median, for a share


def test_stack_slugs_make_file_names():
    assert (
        provenance.measurement_path("quick", "tf2.21/keras3/tensorflow").name == "quick-tf2.21-keras3-tensorflow.json"
    )
    assert provenance.measurement_path("full", "no-tf/keras3/jax").name == "full-no-tf-keras3-jax.json"


# --------------------------------------------------------------------------- holdout discipline


@pytest.mark.parametrize("label", provenance.CI_STACKS)
def test_every_rule_is_checked_by_seeds_measured_after_it_was_set(label):
    """The newest check range of each CI stack was measured under today's rules: a rule moved after its
    check range was seen needs a newer unseen one (lstm_cases.holdout)."""
    doc = provenance.load(provenance.measurement_path("quick", label))
    assert not holdout.log_problems(doc), holdout.log_problems(doc)
    rules = holdout.rules_now(registry.all_cases().values(), "quick", label)
    problems = holdout.unchecked(doc, rules)
    assert not problems, f"{label}:\n" + "\n".join(problems)
    assert not _ranges_of_other_recipes(doc, rules, label)


def _ranges_of_other_recipes(doc, rules, label) -> list[str]:
    """Claims whose newest check range measured their case (or its partner) under another recipe or on
    other data than today's: such a range checks what was, not what is."""
    problems = []
    path = provenance.measurement_path("quick", label)
    for key in rules:
        event = holdout.last_check(doc, key)
        if event is None:
            continue
        checked = provenance.load(path.with_name(event["file"]))["cases"]
        case = registry.get_case(key.split("/")[0])
        claim = case.claim(key.split("/")[1])
        for target in (case, registry.get_case(claim.compare_to) if claim.compare_to else None):
            entry = checked.get(target.id) if target is not None else None
            why = provenance.measured_elsewhere(target, entry, "quick") if entry is not None else ""
            if why:
                problems.append(f"{key}: its newest check range ({event['file']}) has {target.id} {why}")
    return problems


def test_the_holdout_check_catches_a_rule_moved_after_its_check_range():
    case = registry.get_case("one_char")
    claim = case.claim("mediocre_band")
    rules = {"one_char/mediocre_band": holdout.rule_text(case, claim, "quick")}
    checked = {"holdout": [{"role": "set", "seeds": [0, 9]}, holdout.check_event((10, 29), "f.json", "c", "d", rules)]}
    assert holdout.unchecked(checked, rules) == []
    moved = {"one_char/mediocre_band": rules["one_char/mediocre_band"].replace("0.", "0.0", 1)}
    (line,) = holdout.unchecked(checked, moved)
    assert line.startswith("one_char/mediocre_band: its rule changed after seeds 10-29 were measured (was ")
    assert holdout.unchecked({"holdout": [{"role": "set", "seeds": [0, 9]}]}, rules) == [
        "one_char/mediocre_band: no check range measured it, only seeds that set thresholds"
    ]
    # a newer range that measured other claims only leaves this one's check where it was
    other = {"stateful/reaches_100": "accuracy: value >= 1"}
    later = {"holdout": [*checked["holdout"], holdout.check_event((30, 59), "g.json", "c", "d", other)]}
    assert holdout.unchecked(later, {**rules, **other}) == []
    (line,) = holdout.unchecked(later, {**moved, **other})
    assert line.startswith("one_char/mediocre_band: its rule changed after seeds 10-29 were measured")
    overlapping = {"holdout": [{"role": "set", "seeds": [0, 9]}, {"role": "check", "seeds": [9, 12]}]}
    assert holdout.log_problems(overlapping) == ["holdout event 1: seed 9 is in the set 0-9 range too"]


def test_a_check_file_vouches_only_for_the_claims_whose_cases_it_holds():
    cases = registry.all_cases().values()
    label = provenance.CI_STACKS[0]
    everything = holdout.rules_now(cases, "quick", label)
    alone = holdout.rules_now(cases, "quick", label, held={"timestep_window"})  # no partner held
    assert alone == {"timestep_window/source_accuracy": everything["timestep_window/source_accuracy"]}
    with_one = holdout.rules_now(cases, "quick", label, held={"timestep_window", "feature_window"})
    assert set(with_one) == {
        "timestep_window/source_accuracy",
        "timestep_window/beats_feature_window",
        "feature_window/undertrained_at_quick",
    }


def test_figures_never_read_as_another_number():
    assert [provenance.figure(x) for x in (0.99995, 1.0, 0.9938, 1.00003, 0.5)] == [
        "0.99995", "1", "0.9938", "1.00003", "0.5"
    ]  # fmt: skip


def test_a_data_version_retires_measurements_of_other_data(tmp_path):
    """A case whose data changed (``Case.data_version``): its earlier seeds are no evidence, are not joined
    by new ones, and a range measured on them vouches for nothing now."""
    from lstm_cases.tools import measure_claims

    case = registry.get_case("one_char")
    changed = dataclasses.replace(case, data_version="v2")
    claim = changed.claim("mediocre_band")
    label = "tf9.9/keras9/none"
    claim = dataclasses.replace(claim, measured_on={"quick": (label,), "full": (label,)})
    old_key = measure_claims.recipe_key(case, "quick", 1)
    entry = {"seeds": list(range(10)), "metrics": {claim.metric: [0.5] * 10}, **old_key}
    doc = {"format": provenance.FORMAT, "cases": {"one_char": entry}}
    (tmp_path / "quick-tf9.9-keras9-none.json").write_text(json.dumps(doc))
    with pytest.raises(provenance.MeasurementError, match="measure it again"):
        provenance.evidence(changed, claim, "quick", tmp_path)
    assert provenance.evidence(case, dataclasses.replace(claim), "quick", tmp_path)  # the same data: evidence
    new_key = measure_claims.recipe_key(changed, "quick", 1)
    assert "data_version" in (measure_claims.mixing(entry, new_key) or "")
    assert measure_claims.mixing({**entry, **new_key}, new_key) is None
    assert holdout.rule_text(changed, claim, "quick") != holdout.rule_text(case, claim, "quick")
    assert provenance.measured_elsewhere(changed, entry, "quick")
    assert not provenance.measured_elsewhere(changed, {**entry, **new_key}, "quick")
    other_recipe = {**entry, "recipe": {**old_key["recipe"], "epochs": 999}}
    assert "epochs changed" in provenance.measured_elsewhere(case, other_recipe, "quick")
