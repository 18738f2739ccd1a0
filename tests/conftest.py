"""Shared fixtures of the harness tests."""

import os

import pytest

XDIST_WORKER_VARIABLES = ("PYTEST_XDIST_WORKER", "PYTEST_XDIST_WORKER_COUNT", "PYTEST_XDIST_TESTRUNUID")


@pytest.fixture(scope="session", autouse=True)
def not_an_xdist_worker_for_children():
    """A `pytest bench` these tests start in a subprocess must not inherit the xdist worker
    variables of `pytest tests -n N`: pytest-benchmark would take it for a worker and time nothing."""
    saved = {name: os.environ.pop(name) for name in XDIST_WORKER_VARIABLES if name in os.environ}
    yield
    os.environ.update(saved)
