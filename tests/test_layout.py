"""The house rules that keep the code easy to live in: harness, families and tools apart,
no import circle, no module over 500 lines, a family is whatever module sits in families/."""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import pytest

from lstm_cases import families, registry

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("lstm_cases", "reports")
MAX_LINES = 500


def _modules() -> dict[str, Path]:
    """Dotted name -> file of every module of the suite's packages."""
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The suite's modules that ``name`` imports anywhere in its file (function-level imports
    included: they hide a circle, they do not remove it)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative import
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}".rstrip(".")
            targets.add(base)
            targets.update(f"{base}.{alias.name}" for alias in node.names)
    return {t for t in targets if t in modules and t != name}


def test_no_import_circle():
    modules = _modules()
    graph = {name: _imports(name, path, modules) for name, path in modules.items()}
    try:
        tuple(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as err:
        pytest.fail(f"import circle: {' -> '.join(err.args[1])}")


# The house's layers, lowest first (docs/architecture.md): each module's layer, by exact name or by
# "prefix.*"; a new module must be placed here. A layer imports only the layers it names.
LAYERS = {
    "record": (  # the result record's vocabulary, reading, merging and writing, pure statistics; no harness
        "lstm_cases", "lstm_cases.record", "lstm_cases.record.*", "reports",
    ),
    "contract": (  # what a case is and how its claims are judged; the stack's differences
        "lstm_cases.core", "lstm_cases.rules", "lstm_cases.margins", "lstm_cases.sweep", "lstm_cases.compat",
        "lstm_cases.provenance", "lstm_cases.holdout", "lstm_cases.textdata",
    ),
    "families": ("lstm_cases.families", "lstm_cases.families.*"),
    "run": (  # preparing, training, timing, judging and recording the cases
        "lstm_cases.registry", "lstm_cases.runner", "lstm_cases.memory", "lstm_cases.progress",
        "lstm_cases.results", "lstm_cases.recording", "lstm_cases.timing", "lstm_cases.timing_worker",
        "lstm_cases.api_path", "lstm_cases.shared_checks", "lstm_cases.shards", "lstm_cases.sweep_record",
    ),
    "adapter": (  # pytest: the plugin, its settings and result file, xdist, the bench modules
        "lstm_cases.pytest_plugin", "lstm_cases.bench_session", "lstm_cases.settings", "lstm_cases.result_file",
        "lstm_cases.xdist_support",
        "bench", "bench.*", "conftest",
    ),
    "reports": ("reports.*",),  # read records only
    "commands": (  # the command line: anything below
        "lstm_cases.tools", "lstm_cases.tools.*",
    ),
}  # fmt: skip
MAY_IMPORT = {
    "record": {"record"},
    "contract": {"record", "contract"},
    "families": {"record", "contract", "families"},
    "run": {"record", "contract", "families", "run"},
    "adapter": {"record", "contract", "families", "run", "adapter"},
    "reports": {"record", "reports"},
    "commands": set(LAYERS),
}


def _layer_of(name: str) -> str | None:
    """The module's layer: its exact name, else the longest "prefix.*" that matches it."""
    best: tuple[int, str] | None = None
    for layer, names in LAYERS.items():
        if name in names:
            return layer
        for pattern in names:
            if pattern.endswith(".*") and name.startswith(pattern[:-1]) and (best is None or len(pattern) > best[0]):
                best = (len(pattern), layer)
    return best[1] if best else None


def _layer_violations(graph: dict[str, set[str]]) -> list[str]:
    out = []
    for name, targets in sorted(graph.items()):
        mine = _layer_of(name)
        for target in sorted(targets):
            theirs = _layer_of(target)
            if mine is not None and theirs is not None and theirs not in MAY_IMPORT[mine]:
                out.append(f"{name} ({mine}) imports {target} ({theirs})")
    return out


def _suite_graph() -> dict[str, set[str]]:
    modules = _modules()
    modules.update({f"bench.{p.stem}": p for p in sorted((ROOT / "bench").glob("*.py")) if p.stem != "__init__"})
    modules["bench"], modules["conftest"] = ROOT / "bench" / "__init__.py", ROOT / "conftest.py"
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def test_every_module_has_a_layer():
    unplaced = [name for name in _suite_graph() if _layer_of(name) is None]
    assert not unplaced, f"modules in no layer (place them in LAYERS): {unplaced}"


def test_layers_import_only_downward():
    violations = _layer_violations(_suite_graph())
    assert not violations, "layer violations:\n" + "\n".join(violations)


def _package_of(name: str) -> str:
    """The package a module counts in for the package graph: the record layer, the commands, the rest."""
    for package in ("lstm_cases.record", "lstm_cases.tools"):
        if name == package or name.startswith(package + "."):
            return package
    return name.split(".")[0]


def test_reports_import_only_the_record_layer_and_no_package_circles():
    graph = _suite_graph()
    outside = sorted(
        f"{name} imports {target}"
        for name, targets in graph.items()
        if name.split(".")[0] == "reports"
        for target in targets
        if target.split(".")[0] == "lstm_cases" and _package_of(target) != "lstm_cases.record"
    )
    assert not outside, "reports reaching past the record layer:\n" + "\n".join(outside)
    packages: dict[str, set[str]] = {}
    for name, targets in graph.items():
        mine = _package_of(name)
        packages.setdefault(mine, set()).update(_package_of(t) for t in targets if _package_of(t) != mine)
    try:
        tuple(graphlib.TopologicalSorter(packages).static_order())
    except graphlib.CycleError as err:
        pytest.fail(f"package circle: {' -> '.join(err.args[1])}")


def test_the_layer_check_sees_a_report_that_imports_the_harness():
    graph = {
        "reports.render": {"lstm_cases.record.load", "lstm_cases.runner"},
        "lstm_cases.core": {"lstm_cases.recording"},
    }
    assert _layer_violations(graph) == [
        "lstm_cases.core (contract) imports lstm_cases.recording (run)",
        "reports.render (reports) imports lstm_cases.runner (run)",
    ]


def test_the_circle_check_sees_a_circle(tmp_path):
    (tmp_path / "a.py").write_text("def f():\n    from pkg import b\n")
    (tmp_path / "b.py").write_text("from pkg.a import f\n")
    modules = {"pkg.a": tmp_path / "a.py", "pkg.b": tmp_path / "b.py"}
    graph = {name: _imports(name, path, modules) for name, path in modules.items()}
    assert graph == {"pkg.a": {"pkg.b"}, "pkg.b": {"pkg.a"}}
    with pytest.raises(graphlib.CycleError):
        tuple(graphlib.TopologicalSorter(graph).static_order())


def test_every_module_is_under_500_lines():
    paths = [*_modules().values(), *(ROOT / "bench").glob("*.py"), ROOT / "conftest.py"]
    long = {str(p.relative_to(ROOT)): n for p in paths if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines: {long}"


def test_families_are_the_modules_of_the_families_package():
    on_disk = sorted(
        p.stem if p.suffix == ".py" else p.name
        for p in Path(families.__path__[0]).iterdir()
        if not p.name.startswith(("_", ".")) and (p.suffix == ".py" or (p / "__init__.py").exists())
    )
    assert list(registry.family_modules()) == on_disk
    assert {case.family for case in registry.all_cases().values()} == set(on_disk)


def test_a_family_module_without_cases_is_broken_and_the_others_still_load(tmp_path, monkeypatch):
    (tmp_path / "empty_family.py").write_text('"""A family that forgot its CASES."""\n')
    before = set(registry.all_cases())
    monkeypatch.setattr(families, "__path__", [*families.__path__, str(tmp_path)])
    registry.forget()
    try:
        assert registry.broken_families() == {
            "empty_family": "family module lstm_cases.families.empty_family declares no CASES"
        }
        assert set(registry.all_cases()) == before and "empty_family" not in registry.family_modules()
    finally:
        monkeypatch.undo()
        registry.forget()
        import sys

        sys.modules.pop("lstm_cases.families.empty_family", None)
    assert registry.broken_families() == {}


def test_the_architecture_page_names_every_module_and_family():
    code_map = (ROOT / "docs" / "architecture.md").read_text()
    harness = [p.name for p in (ROOT / "lstm_cases").glob("*.py") if not p.name.startswith("_")]
    harness += [p.name for p in (ROOT / "lstm_cases" / "record").glob("*.py") if not p.name.startswith("_")]
    tools = [p.stem for p in (ROOT / "lstm_cases" / "tools").glob("*.py") if not p.name.startswith("_")]
    commands = ("compare", "gate", "noise", "matrix", "history", "headline", "sweep_map")
    reports = [p.stem for p in (ROOT / "reports").glob("*.py") if p.stem in commands]
    missing = [n for n in [*harness, *tools, *registry.family_modules(), *reports] if n not in code_map]
    assert not missing, f"docs/architecture.md does not name: {missing}"


FRAMEWORKS = ("tensorflow", "keras", "tf_keras", "jax", "torch")


def _frameworks_loaded_by(modules: list[str]) -> list[str]:
    """The frameworks in sys.modules after a fresh Python imports ``modules``."""
    import subprocess
    import sys

    code = "import sys\n" + "".join(f"import {m}\n" for m in modules)
    code += f"print(' '.join(sorted({{k.split('.')[0] for k in sys.modules}} & set({FRAMEWORKS!r}))))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.split()


def test_nothing_below_the_run_layer_and_no_report_imports_a_framework():
    below = [m for m in _suite_graph() if _layer_of(m) in ("record", "contract", "families", "reports")]
    assert len(below) > 30 and _frameworks_loaded_by(below) == []


def test_the_framework_check_sees_a_framework_import():
    assert "keras" in _frameworks_loaded_by(["keras"])  # Keras 3 on TensorFlow loads both
