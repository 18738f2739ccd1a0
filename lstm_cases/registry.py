"""The case registry: every module in ``lstm_cases`` that defines ``CASES`` is a family.

Adding a scenario family means adding one module with a ``CASES`` tuple; nothing else
lists cases. A module's ``DATA_PATHS`` tuple (``core.DataPath``) declares the data
locations its cases accept; the pytest plugin turns them into options.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from typing import Any

from lstm_cases.core import Case, DataPath, UnknownNameError

# Harness modules: never families, and not worth importing to find out.
_HARNESS_MODULES = frozenset(
    {
        "core",
        "compat",
        "registry",
        "runner",
        "pytest_plugin",
        "calibrate",
        "overhead",
        "claims_table",
        "memory",
        "xdist_scheduling",
    }
)


def _family_modules() -> list[Any]:
    import lstm_cases

    return [
        importlib.import_module(f"lstm_cases.{info.name}")
        for info in sorted(pkgutil.iter_modules(lstm_cases.__path__), key=lambda m: m.name)
        if not info.name.startswith("_") and info.name not in _HARNESS_MODULES
    ]


@cache
def all_cases() -> dict[str, Case]:
    """Case id -> case, in declaration order within each family, families sorted by name."""
    cases: dict[str, Case] = {}
    for module in _family_modules():
        for case in getattr(module, "CASES", ()):
            if case.id in cases:
                raise ValueError(f"case id {case.id!r} is declared twice (second in {module.__name__})")
            cases[case.id] = case
    _check_references(cases)
    return cases


@cache
def data_paths() -> tuple[DataPath, ...]:
    """Every family's declared data locations, each once."""
    paths: dict[str, DataPath] = {}
    for module in _family_modules():
        for path in getattr(module, "DATA_PATHS", ()):
            if paths.setdefault(path.flag, path) != path:
                raise ValueError(f"data option {path.flag} declared twice, differently (second in {module.__name__})")
    return tuple(paths.values())


def _check_references(cases: dict[str, Case]) -> None:
    for case in cases.values():
        for claim in case.claims:
            if claim.compare_to is not None and claim.compare_to not in cases:
                raise ValueError(f"claim {case.id}/{claim.id} compares to unknown case {claim.compare_to!r}")


def get_case(case_id: str) -> Case:
    cases = all_cases()
    if case_id not in cases:
        raise UnknownNameError("case", case_id, sorted(cases))
    return cases[case_id]


def select_cases(names: list[str] | None) -> list[Case]:
    """The cases named (all when ``names`` is empty), validating every name."""
    if not names:
        return list(all_cases().values())
    return [get_case(n) for n in names]
