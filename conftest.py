"""Root conftest: the suite's options, fixtures and hooks live in lstm_cases.pytest_plugin.

An installed lstm-bench registers that plugin through its pytest11 entry point, under this same
name, so the line below finds it registered and loads nothing again; it loads the plugin only
where entry points are off (PYTEST_DISABLE_PLUGIN_AUTOLOAD)."""

pytest_plugins = ["lstm_cases.pytest_plugin"]
