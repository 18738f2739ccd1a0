"""The sources' own API path (arrays into fit with the source's batch size and shuffle setting,
the stateful fit-then-reset loop), checked for a few steps on every case whose quick recipe
feeds data another way; see lstm_cases.api_path. No training to convergence."""

import pytest

from lstm_cases import api_path, compat

CONCERN_ORDER = 0
COST_CONCERN = "API-path checks"  # lstm_cases.record.costs
pytestmark = pytest.mark.case

# Keras 3 on JAX: fit() does not carry a stateful LSTM's state across batches (the finding
# behind the stateful case's expected failures there): this check shows it directly.
STATE_NOT_CARRIED_ON = {"jax": "Keras 3 on JAX: fit() leaves a stateful LSTM's state at zero between batches"}


@pytest.mark.parametrize("check", sorted(api_path.CHECKS))
def test_source_api_path(case, check, bench_settings):
    if not api_path.quick_bypasses_source_path(case):
        pytest.skip(f"{case.id}: the quick recipe feeds data as the source does; the run exercises its path")
    if check not in api_path.checks_for(case):
        pytest.skip(f"{case.id}: {check} does not apply to its source recipe")
    backend = compat.backend()
    if check == "state_carried" and backend in STATE_NOT_CARRIED_ON:
        pytest.xfail(STATE_NOT_CARRIED_ON[backend])
    result, seed = api_path.decide(api_path.CHECKS[check], case, bench_settings.seeds[0])
    if not result.decided:  # cannot tell is a result, never a failure
        pytest.skip(f"{case.id} {check}: cannot tell on seeds {bench_settings.seeds[0]}-{seed}: {result.detail}")
    assert result.held, f"{case.id} {check} (seed {seed}): {result.detail}"
