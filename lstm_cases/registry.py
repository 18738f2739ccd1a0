"""The case registry: every module of ``lstm_cases.families`` is a family, and so is every module
an installed package names in the ``lstm_bench.families`` entry-point group.

Adding a scenario family means adding one module (or small package) there with a ``CASES``
tuple; nothing else lists cases or families. The family's name is its module's name (an
entry point's name for an installed one), and each of its cases must say so in ``Case.family``.
A family's ``DATA_PATHS`` tuple (``core.DataPath``) declares the data locations its cases accept;
the pytest plugin turns them into options. Its ``MEASUREMENTS`` folder holds the measurement files
its claims name (default: ``lstm_cases/measurements``, the suite's own).

A family that cannot load (its import fails, it declares no ``CASES``, a case says another family
or repeats another's id, a claim compares with an unknown case) is broken: ``broken_families()``
names each in one line, and the other families still run (docs/adding-a-case.md).
"""

from __future__ import annotations

import importlib
import importlib.metadata
import pkgutil
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

from lstm_cases import families
from lstm_cases.core import Case, DataPath, UnknownNameError
from lstm_cases.provenance import FOLDER

ENTRY_POINTS = "lstm_bench.families"  # the entry-point group of installed packages' families


class BrokenFamily(ValueError):
    """A family that cannot join the registry; ``str()`` is one line naming it."""


def _builtin_names() -> list[str]:
    return sorted(info.name for info in pkgutil.iter_modules(families.__path__) if not info.name.startswith("_"))


@cache
def _loaded() -> tuple[dict[str, ModuleType], dict[str, str]]:
    """Family name -> module, the suite's families (sorted) then installed ones (sorted); and the
    broken ones' one-line reasons. An installed family's import runs someone else's code: any error
    it raises breaks that family alone."""
    modules = {name: importlib.import_module(f"{families.__name__}.{name}") for name in _builtin_names()}
    broken: dict[str, str] = {}
    for entry in sorted(importlib.metadata.entry_points(group=ENTRY_POINTS), key=lambda e: e.name):
        if entry.name in modules or entry.name in broken:
            broken[f"{entry.name} ({entry.value})"] = f"a family named {entry.name!r} is installed already"
            continue
        try:
            modules[entry.name] = entry.load()
        except Exception as err:  # noqa: BLE001 - a third party's import may raise anything; it breaks only its family
            broken[entry.name] = f"{entry.value} does not import: {type(err).__name__}: {' '.join(str(err).split())}"
    return modules, broken


@cache
def _registry() -> tuple[dict[str, ModuleType], dict[str, Case], dict[str, str]]:
    modules, broken = _loaded()
    broken = dict(broken)
    cases: dict[str, Case] = {}
    good: dict[str, ModuleType] = {}
    for family, module in modules.items():
        try:
            mine = _cases_of(family, module, cases)
        except BrokenFamily as err:
            broken[family] = str(err)
            continue
        good[family] = module
        cases.update(mine)
    for case in list(cases.values()):
        try:
            _check_references(case, cases)
        except BrokenFamily as err:
            broken[case.family] = str(err)
    drop = {case_id for case_id, case in cases.items() if case.family in broken}
    return (
        {name: module for name, module in good.items() if name not in broken},
        {case_id: case for case_id, case in cases.items() if case_id not in drop},
        broken,
    )


def _cases_of(family: str, module: ModuleType, known: dict[str, Case]) -> dict[str, Case]:
    declared = getattr(module, "CASES", None)
    if not declared:
        raise BrokenFamily(f"family module {module.__name__} declares no CASES")
    mine: dict[str, Case] = {}
    for case in declared:
        if not isinstance(case, Case):
            raise BrokenFamily(f"{module.__name__}.CASES holds a {type(case).__name__}, not a lstm_cases.core.Case")
        if case.family != family:
            raise BrokenFamily(f"case {case.id!r} in {module.__name__} says family {case.family!r}; it is {family!r}")
        if case.id in known or case.id in mine:
            raise BrokenFamily(f"case id {case.id!r} is declared twice (second in {module.__name__})")
        mine[case.id] = case
    return mine


def family_modules() -> dict[str, ModuleType]:
    """Family name -> its module, every family that loaded: the suite's (sorted by name), then the
    installed ones (sorted by entry-point name)."""
    return _registry()[0]


def all_cases() -> dict[str, Case]:
    """Case id -> case, in declaration order within each family, families in ``family_modules`` order."""
    return _registry()[1]


def installed_families() -> list[str]:
    """The families that came from installed packages' entry points and loaded."""
    return [name for name in family_modules() if name not in _builtin_names()]


def broken_families() -> dict[str, str]:
    """Family -> why it could not load, one line each (none when every family loads)."""
    return _registry()[2]


def forget() -> None:
    """Load the families again on next use (a test that adds or removes one)."""
    _loaded.cache_clear()
    _registry.cache_clear()
    data_paths.cache_clear()


def measurement_folder(case: Case) -> Path:
    """Where the measurement files of the case's claims are: its family's ``MEASUREMENTS``, else the suite's."""
    return Path(getattr(family_modules()[case.family], "MEASUREMENTS", FOLDER))


@cache
def data_paths() -> tuple[DataPath, ...]:
    """Every family's declared data locations, each once."""
    paths: dict[str, DataPath] = {}
    for module in family_modules().values():
        for path in getattr(module, "DATA_PATHS", ()):
            if paths.setdefault(path.flag, path) != path:
                raise ValueError(f"data option {path.flag} declared twice, differently (second in {module.__name__})")
    return tuple(paths.values())


def _check_references(case: Case, cases: dict[str, Case]) -> None:
    if case.control_of and case.control_of not in cases:
        raise BrokenFamily(f"case {case.id} is a control of unknown case {case.control_of!r}")
    for claim in case.claims:
        if claim.compare_to is not None and claim.compare_to not in cases:
            raise BrokenFamily(f"claim {case.id}/{claim.id} compares to unknown case {claim.compare_to!r}")


def unneeded_control(case: Case, profile: str, stack: Mapping[str, Any]) -> str:
    """Why a control case does not train in this profile on this stack: no claim that compares with it gives
    a verdict there (not judged in the profile, or an expected failure without a floor hides it); "" where
    one does, and for a case that is no control."""
    if not case.control_of:
        return ""
    if any(
        claim.compare_to == case.id and claim.gives_verdict(stack, profile)
        for other in all_cases().values()
        for claim in other.claims
    ):
        return ""
    return f"{case.id} is a control, and no claim compared with it is judged in the {profile} profile on this stack"


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
