"""Claims: each source statement judged over the run's seeds by the rule written beside it
in the case. Runs under --benchmark-disable and --benchmark-skip too: a case that no
benchmark trained (and a paired claim's other case) is trained here, untimed."""

import pytest

from lstm_cases import compat
from lstm_cases.results import outcome_for

CONCERN_ORDER = 3
pytestmark = pytest.mark.case


def test_claim(case_claim, case_results):
    case, claim = case_claim
    for needed in case_results.cases_needed(case, claim):
        case_results.train_missing(needed)
    outcome_for(case_results.verdict(case, claim, compat.stack()), f"{case.id}/{claim.id}")
