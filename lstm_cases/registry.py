"""The case registry: every module of ``lstm_cases.families`` is a family.

Adding a scenario family means adding one module (or small package) there with a ``CASES``
tuple; nothing else lists cases or families. The family's name is its module's name, and
each of its cases must say so in ``Case.family``. A family's ``DATA_PATHS`` tuple
(``core.DataPath``) declares the data locations its cases accept; the pytest plugin turns
them into options. A family module that declares no cases is an error, not a silent gap.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from types import ModuleType

from lstm_cases import families
from lstm_cases.core import Case, DataPath, UnknownNameError


@cache
def family_modules() -> dict[str, ModuleType]:
    """Family name -> its module, every module of ``lstm_cases.families``, sorted by name."""
    names = sorted(info.name for info in pkgutil.iter_modules(families.__path__) if not info.name.startswith("_"))
    return {name: importlib.import_module(f"{families.__name__}.{name}") for name in names}


@cache
def all_cases() -> dict[str, Case]:
    """Case id -> case, in declaration order within each family, families sorted by name."""
    cases: dict[str, Case] = {}
    for family, module in family_modules().items():
        declared = getattr(module, "CASES", None)
        if not declared:
            raise ValueError(f"family module {module.__name__} declares no CASES")
        for case in declared:
            if case.family != family:
                raise ValueError(f"case {case.id!r} in {module.__name__} says family {case.family!r}; it is {family!r}")
            if case.id in cases:
                raise ValueError(f"case id {case.id!r} is declared twice (second in {module.__name__})")
            cases[case.id] = case
    _check_references(cases)
    return cases


@cache
def data_paths() -> tuple[DataPath, ...]:
    """Every family's declared data locations, each once."""
    paths: dict[str, DataPath] = {}
    for module in family_modules().values():
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
