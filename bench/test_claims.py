"""Claims: each source statement judged over the run's seeds by the rule written beside it
in the case. Runs under --benchmark-disable and --benchmark-skip too: a case that no
benchmark trained (and a paired claim's other case) is trained here, untimed. Under
--null-model every claim is judged on untrained models and must fail there."""

import pytest

from lstm_cases import compat
from lstm_cases.results import null_outcome_for, outcome_for

CONCERN_ORDER = 3
COST_CONCERN = "claims"  # lstm_cases.record.costs
pytestmark = pytest.mark.case


def test_claim(case_claim, case_results, bench_settings, null_tally):
    case, claim = case_claim
    where = f"{case.id}/{claim.id}"
    if not claim.judged_in(bench_settings.profile):
        pytest.skip(f"{where}: not judged in the {bench_settings.profile} profile: {claim.unjudged}")
    for needed in case_results.cases_needed(case, claim):
        case_results.train_missing(needed)
    if bench_settings.null_model:
        outcome = case_results.null_outcome(case, claim)
        null_tally.add(where, outcome)
        null_outcome_for(outcome, where)
    else:
        outcome_for(case_results.verdict(case, claim, compat.stack()), where)
