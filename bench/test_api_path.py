"""The sources' own API path (arrays into fit with the source's batch size and shuffle setting,
the stateful fit-then-reset loop), checked for a few steps on every case whose quick recipe
feeds data another way; see lstm_cases.api_path. No training to convergence. The pytest process
and its idle timing worker share the checks (lstm_cases.shared_checks)."""

import pytest

from lstm_cases import api_path, compat

CONCERN_ORDER = 0.25  # after the contract, whose tests the timing worker's start-up runs beside
COST_CONCERN = "API-path checks"  # lstm_cases.record.costs
pytestmark = pytest.mark.case


@pytest.mark.parametrize("check", sorted(api_path.CHECKS))
def test_source_api_path(case, check, bench_settings, source_checks):
    not_decided = api_path.not_decided(case, check, compat.stack(), bench_settings.profile)
    if not_decided is not None:
        outcome, reason = not_decided
        pytest.xfail(reason) if outcome == "xfail" else pytest.skip(reason)
    result, seed = source_checks.decide(case, check, bench_settings.seeds[0])
    if not result.decided:  # cannot tell is a result, never a failure
        pytest.skip(f"{case.id} {check}: cannot tell on seeds {bench_settings.seeds[0]}-{seed}: {result.detail}")
    assert result.held, f"{case.id} {check} (seed {seed}): {result.detail}"
