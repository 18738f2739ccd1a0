"""The registry: every family module's cases, readable ids, loud unknown names."""

import pytest

from lstm_cases import registry
from lstm_cases.core import PROFILES, UnknownNameError

ALPHABET_IDS = ["one_char", "feature_window", "timestep_window", "batch_state", "stateful", "variable_length"]


def test_alphabet_cases_are_registered_in_declaration_order():
    ids = list(registry.all_cases())
    assert [i for i in ids if i in ALPHABET_IDS] == ALPHABET_IDS


def test_every_case_declares_the_full_contract():
    for case in registry.all_cases().values():
        assert case.source and case.family
        for profile in PROFILES:
            recipe = case.recipe(profile)
            assert recipe.epochs >= 1
            if profile == "quick" and recipe != case.recipe("full"):
                assert recipe.changes, f"{case.id}: a quick recipe that differs must say why"
        for claim in case.claims:
            assert claim.source_figure, f"{case.id}/{claim.id} has no source figure"
            for profile in claim.rules:
                assert claim.measured_on.get(profile) or claim.unmeasured, f"{case.id}/{claim.id}: {profile}"


def test_full_recipes_are_the_sources():
    cases = registry.all_cases()
    for cid in ("one_char", "feature_window", "timestep_window", "variable_length"):
        r = cases[cid].recipe("full")
        assert (r.epochs, r.batch_size, r.learning_rate, r.shuffle, r.fast_input) == (500, 1, 0.001, True, False)
    r = cases["batch_state"].recipe("full")
    assert (r.epochs, r.batch_size, r.shuffle, r.fast_input) == (5000, None, False, False)
    r = cases["stateful"].recipe("full")
    assert (r.epochs, r.batch_size, r.shuffle, r.fit_per_epoch, r.reset_state_each_epoch) == (300, 1, False, True, True)


def test_unknown_case_lists_the_valid_ones():
    with pytest.raises(UnknownNameError) as err:
        registry.get_case("timestep")
    message = str(err.value)
    assert message.startswith("unknown case 'timestep'; valid cases: ")
    assert "timestep_window" in message and "\n" not in message


def test_select_cases_validates_every_name():
    assert [c.id for c in registry.select_cases(["stateful", "one_char"])] == ["stateful", "one_char"]
    with pytest.raises(UnknownNameError):
        registry.select_cases(["stateful", "nope"])


def test_docs_claims_page_is_current():
    from lstm_cases.tools import claims_doc

    assert claims_doc.DOC.read_text() == claims_doc.page(), "run: python -m lstm_cases.tools.claims_doc --write"


def test_the_cost_table_takes_the_file_s_seeds_over_the_campaign_s_and_skips_unrecorded_ones(tmp_path, monkeypatch):
    import json

    from lstm_cases import provenance
    from lstm_cases.tools import claims_doc

    def write(folder, seeds, seconds):
        folder.mkdir(parents=True, exist_ok=True)
        entry = {"seeds": seeds, "metrics": {"train_seconds": seconds}}
        doc = {"format": provenance.FORMAT, "profile": "full", "stack": {}, "cases": {"stateful": entry}}
        provenance.measurement_path("full", provenance.TF221, folder).write_text(json.dumps(doc))

    write(tmp_path, [0, 1], [10.0, None])  # seed 1 measured before train_seconds was recorded
    write(tmp_path / "campaign", [0, 1, 2], [99.0, 20.0, 30.0])
    monkeypatch.setattr(provenance, "FOLDER", tmp_path)
    monkeypatch.setattr(claims_doc, "CAMPAIGN", tmp_path / "campaign")
    assert claims_doc.train_seconds("stateful", claims_doc.full_docs(provenance.TF221)) == {0: 10.0, 1: 20.0, 2: 30.0}
    section = claims_doc.cost_section()
    assert "| `stateful` | 3 | 20 | 10-30 |" in section and "| `one_char` | 0 | not measured |  |" in section
    assert "trains for about 2 min on one machine" in section  # 5 seeds x 20 s


# The stacks of the tox matrix, as compat.stack() describes them.
MATRIX_STACKS = {
    "tf215-keras2": {"tensorflow_version": "2.15.1", "keras_major": 2, "backend": "tensorflow"},
    "tf216-keras3": {"tensorflow_version": "2.16.2", "keras_major": 3, "backend": "tensorflow"},
    "tf218-keras3": {"tensorflow_version": "2.18.1", "keras_major": 3, "backend": "tensorflow"},
    "tf221-keras3": {"tensorflow_version": "2.21.0", "keras_major": 3, "backend": "tensorflow"},
    "tf221-tfkeras": {"tensorflow_version": "2.21.0", "keras_major": 2, "backend": "tensorflow", "legacy_keras": True},
    "keras3-jax": {"tensorflow_version": None, "keras_major": 3, "backend": "jax"},
    "keras3-torch": {"tensorflow_version": None, "keras_major": 3, "backend": "torch"},
}


@pytest.mark.parametrize("env", sorted(MATRIX_STACKS))
def test_every_case_has_a_judged_claim_on_every_stack(env):
    stack = MATRIX_STACKS[env]
    cases = registry.all_cases()
    for profile in PROFILES:
        judged = {c.id for c in cases.values() for cl in c.claims if cl.gives_verdict(stack, profile)}
        judged |= {cl.compare_to for c in cases.values() for cl in c.claims if cl.gives_verdict(stack, profile)}
        crashes = {c.id for c in cases.values() if any(b.matches(stack, profile) for b in c.breaks_on)}
        untrained = {c.id for c in cases.values() if registry.unneeded_control(c, profile, stack)}
        missing = sorted(set(cases) - judged - crashes - untrained)
        assert not missing, f"{env} {profile}: cases without a judged claim: {missing}"
