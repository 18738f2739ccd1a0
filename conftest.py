"""Root conftest: the suite's options, fixtures and hooks live in lstm_cases.pytest_plugin."""

pytest_plugins = ["lstm_cases.pytest_plugin"]
