"""Claims: each source statement judged over the run's seeds by the rule written beside it
in the case. Runs under --benchmark-disable and --benchmark-skip too (it trains untimed
when no benchmark did)."""

import pytest

from lstm_cases.pytest_plugin import outcome_for

CONCERN_ORDER = 3
pytestmark = pytest.mark.case


def test_claim(case_claim, results):
    case, claim = case_claim
    outcome_for(results.verdict(case, claim), f"{case.id}/{claim.id}")
