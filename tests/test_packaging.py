"""The installed tool: the package list, the wheel's files and entry points, ``lstm-bench`` and its
subcommands, and a case run from an installed wheel in a folder outside the checkout."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from lstm_cases.tools import main as cli

tomllib = pytest.importorskip("tomllib", reason="tomllib is Python 3.11+")  # the standard library's

pytest_plugins = ["pytester"]
ROOT = Path(__file__).resolve().parents[1]
BENCH_PACKAGE = "lstm_cases.bench"  # bench/ installs under this name (pyproject's package-dir)


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _packages_on_disk() -> set[str]:
    found = {BENCH_PACKAGE}
    for top in ("lstm_cases", "reports"):
        for init in (ROOT / top).rglob("__init__.py"):
            found.add(".".join(init.parent.relative_to(ROOT).parts))
    return found


def test_the_package_list_is_every_package_folder():
    listed = set(_pyproject()["tool"]["setuptools"]["packages"])
    assert listed == _packages_on_disk()
    assert _pyproject()["tool"]["setuptools"]["package-dir"] == {BENCH_PACKAGE: "bench"}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel of this checkout, built offline with the installed setuptools."""
    out, source = tmp_path_factory.mktemp("wheel"), tmp_path_factory.mktemp("source") / "lstm-bench"
    # from a copy of what the package is made of: the build writes build/ and *.egg-info beside its source
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "examples")
    for name in ("lstm_cases", "reports", "bench"):
        shutil.copytree(ROOT / name, source / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, source / name)
    build = [
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "-q",
        "--no-deps",
        "--no-build-isolation",
        "-w",
        str(out),
        str(source),
    ]
    done = subprocess.run(build, capture_output=True, text=True, cwd=out)
    assert done.returncode == 0, done.stderr
    (path,) = out.glob("lstm_bench-*.whl")
    return path


def test_the_wheel_holds_every_module_measurement_file_and_entry_point(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {str(p.relative_to(ROOT)) for top in ("lstm_cases", "reports") for p in (ROOT / top).rglob("*.py")}
    expected -= {n for n in expected if n.startswith("reports/examples/")}
    expected |= {f"lstm_cases/bench/{p.name}" for p in (ROOT / "bench").glob("*.py")}
    expected |= {str(p.relative_to(ROOT)) for p in (ROOT / "lstm_cases" / "measurements").glob("*.json")}
    assert not expected - names, f"missing from the wheel: {sorted(expected - names)}"
    (entry_points,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "lstm-bench = lstm_cases.tools.main:main" in text
    assert "[pytest11]\nlstm_cases.pytest_plugin = lstm_cases.pytest_plugin" in text


def test_lstm_bench_help_lists_every_subcommand_and_refuses_an_unknown_one(capsys):
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    for name, sub in cli.SUBCOMMANDS.items():
        assert f"  {name}" in out and sub.summary in out
    assert cli.main(["nope"]) == 2
    err = capsys.readouterr().err
    assert err == f"lstm-bench: error: unknown subcommand 'nope'; valid: {', '.join(cli.SUBCOMMANDS)}\n"


@pytest.mark.parametrize("name", sorted(cli.SUBCOMMANDS))
def test_every_subcommand_module_has_a_main(name):
    import importlib

    module = importlib.import_module(cli.SUBCOMMANDS[name].module)
    assert callable(module.main)


def test_the_plugin_is_registered_once(pytester):
    """The pytest11 entry point, conftest.py's pytest_plugins and ``-p`` name it alike: pytest loads it once."""
    pytester.makeconftest('pytest_plugins = ["lstm_cases.pytest_plugin"]\n')
    pytester.makepyfile(
        test_once="""
        import lstm_cases.pytest_plugin as plugin

        def test_once(pytestconfig):
            mine = [p for p in pytestconfig.pluginmanager.get_plugins() if p is plugin]
            assert len(mine) == 1
            assert pytestconfig.pluginmanager.get_plugin("lstm_cases.pytest_plugin") is plugin
        """
    )
    result = pytester.runpytest_subprocess("-p", "lstm_cases.pytest_plugin", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_an_installed_wheel_runs_a_case_from_another_folder(wheel, tmp_path):
    """``pip install`` of the wheel (into a folder of its own, ahead of the checkout on the path), then
    ``lstm-bench run --case one_char`` from an empty folder: its bench modules, plugin and registry
    are the installed ones."""
    site, elsewhere = tmp_path / "site", tmp_path / "elsewhere"
    elsewhere.mkdir()
    install = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site), str(wheel)]
    done = subprocess.run(install, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    env = {**os.environ, "PYTHONPATH": str(site)}
    where = subprocess.run(
        [sys.executable, "-c", "import lstm_cases.bench as b; print(b.__file__)"],
        cwd=elsewhere, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert where.stdout.strip() == str(site / "lstm_cases" / "bench" / "__init__.py"), where.stderr
    run = [sys.executable, "-m", "lstm_cases.tools.main", "run", "--case", "one_char", "--benchmark-disable", "-q"]
    done = subprocess.run(run, cwd=elsewhere, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "failed" not in done.stdout.splitlines()[-1] and "passed" in done.stdout.splitlines()[-1]
    assert not list(site.rglob(".pytest_cache")), "pytest wrote into the installation"


# --------------------------------------------------------------------------- families of installed packages

EXAMPLE = ROOT / "docs" / "examples" / "user_family"


def _lstm_bench(args: list[str], cwd: Path, path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(path)}
    command = [sys.executable, "-m", "lstm_cases.tools.main", *args]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)


def test_the_example_package_adds_its_case_to_lstm_bench_run(tmp_path):
    site = tmp_path / "site"
    install = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation"]
    example = tmp_path / "example"
    shutil.copytree(EXAMPLE, example, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    done = subprocess.run([*install, "--target", str(site), str(example)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    done = _lstm_bench(["run", "--case", "first_symbol", "--benchmark-disable", "-q", "-p", "no:cacheprovider"],
                       tmp_path, site)  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "lstm-bench: installed families: first_symbol" in done.stdout
    assert any(line.startswith("first_symbol ") and " 1 " in line for line in done.stdout.splitlines()), done.stdout
    null = _lstm_bench(
        ["run", "--case", "first_symbol", "--null-model", "-q", "-p", "no:cacheprovider"], tmp_path, site
    )
    assert null.returncode == 0, null.stdout[-3000:]  # its claim fails on the untrained model, as it must


def test_the_example_claim_rests_on_its_own_measurement_file(monkeypatch):
    import importlib

    from tests.test_provenance import _check

    monkeypatch.syspath_prepend(str(EXAMPLE))
    family = importlib.import_module("first_symbol_family")
    (case,) = family.CASES
    for claim in case.claims:
        for profile in claim.rules:
            assert _check(case, claim, profile, family.MEASUREMENTS) == []
    assert (family.MEASUREMENTS / "quick-tf2.21-keras3-tensorflow.json").is_file()


def test_a_broken_family_is_named_in_one_line_and_the_others_still_run(tmp_path):
    """Two installed families that cannot load: a module that is not there, one whose import raises."""
    site = tmp_path / "site"
    info = site / "broken_families-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-families\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[lstm_bench.families]\ngone = no_such_module\nraising = raising_family\n")
    (site / "raising_family.py").write_text("raise RuntimeError('the family cannot\\nstart')\n")
    done = _lstm_bench(["run", "--case", "one_char", "-k", "contract", "-p", "no:cacheprovider"], tmp_path, site)
    assert done.returncode == 1, done.stdout[-3000:]
    lines = done.stdout.splitlines()
    gone = "family gone: no_such_module does not import: ModuleNotFoundError: No module named 'no_such_module'"
    raising = "family raising: raising_family does not import: RuntimeError: the family cannot start"
    assert gone in lines and raising in lines, done.stdout[-3000:]
    assert "lstm-bench: BROKEN family gone: " in done.stdout
    assert "1 failed, 1 passed" in lines[-1]  # test_every_family_loads fails; one_char's contract passes
