"""The GitHub Actions workflow: valid against GitHub's workflow schema (check-jsonschema's vendored
copy, offline), its jobs call only commands the README or docs/ document, and its matrices match tox.ini."""

from __future__ import annotations

import configparser
import re
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
SUMMARY = re.compile(r'\s*>>\s*"?\$GITHUB_STEP_SUMMARY"?\s*$')  # a job summary is where output goes, not a command


def _lint(*paths: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows", *map(str, paths)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def _workflow(path: Path) -> dict:
    return YAML(typ="safe").load(path.read_text())


def _steps(workflow: dict) -> list[tuple[str, dict]]:
    return [(name, step) for name, job in workflow["jobs"].items() for step in job.get("steps", [])]


def readme_commands() -> list[str]:
    """Every command the README and docs/ show: lines of their shell code blocks (a line ending in
    ``\\`` joined with the next) and their inline code, split at ``&&``, without trailing comments."""
    lines, fence, prose = [], None, []
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    text = "\n".join(page.read_text() for page in pages).replace("\\\n", " ")
    for line in text.splitlines():
        if line.startswith("```"):
            fence = None if fence is not None else line[3:].strip()
        elif fence in ("bash", "sh", ""):
            lines.append(line)
        elif fence is None:
            prose.append(line)
    lines += re.findall(r"`([^`]+)`", "\n".join(prose))
    commands = []
    for line in lines:
        line = re.sub(r"\s+#.*$", "", line).strip()
        commands += [part.strip() for part in line.split("&&") if part.strip()]
    return commands


def workflow_commands(path: Path) -> list[str]:
    """Each ``run:`` line of the workflow, its output redirection to the job summary left out."""
    out = []
    for _job, step in _steps(_workflow(path)):
        for line in str(step.get("run", "")).splitlines():
            if line.strip():
                out.append(SUMMARY.sub("", line).strip())
    return out


def documented(command: str, commands: list[str]) -> bool:
    """The command is a README command, a ``${{ ... }}`` expression standing for any value."""
    parts = re.split(r"\$\{\{.*?\}\}", command)
    pattern = re.compile(".+?".join(re.escape(part) for part in parts) + r"$")
    return any(pattern.match(readme) for readme in commands)


def test_there_is_a_workflow():
    assert [p.name for p in WORKFLOWS] == ["matrix.yml"]


def test_the_workflow_is_valid_against_github_s_schema(tmp_path):
    done = _lint(*WORKFLOWS)
    assert done.returncode == 0, done.stdout + done.stderr
    # the linter is real: a step without `uses` or `run`, and a misspelt key, are caught
    broken = tmp_path / "broken.yml"
    broken.write_text(WORKFLOWS[0].read_text().replace("runs-on:", "run-on:", 1))
    assert _lint(broken).returncode == 1


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_run_line_is_a_command_the_readme_documents(path):
    commands = readme_commands()
    runs = workflow_commands(path)
    assert runs, "no run: lines found"
    missing = [command for command in runs if not documented(command, commands)]
    assert not missing, f"workflow commands the README does not document: {missing}"


def test_documented_matches_placeholders_and_nothing_else():
    readme = ["tox -e tf215-keras2", 'pip install -e ".[tf,dev]"']
    assert documented("tox -e ${{ matrix.env }}", readme)
    assert documented('pip install -e ".[tf,dev]"', readme)
    assert not documented("tox -e ${{ matrix.env }} -- --profile full", readme)
    assert not documented("pip install -e .", readme)


def _tox() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(ROOT / "tox.ini")
    return parser


def test_one_stack_job_per_tox_env_and_the_upcoming_envs_exist():
    tox = _tox()
    env_list = tox["tox"]["env_list"].split()
    jobs = _workflow(WORKFLOWS[0])["jobs"]
    assert jobs["stack"]["strategy"]["matrix"]["env"] == [e for e in env_list if e != "report"]
    for env in jobs["upcoming"]["strategy"]["matrix"]["env"]:
        assert f"testenv:{env}" in tox and env not in env_list, env
    assert jobs["report"]["needs"] == "stack" and jobs["full-report"]["needs"] == "full-shard"


def test_the_full_profile_shards_are_one_to_n():
    workflow = _workflow(WORKFLOWS[0])
    count = int(workflow["env"]["SHARDS"])
    assert workflow["jobs"]["full-shard"]["strategy"]["matrix"]["shard"] == list(range(1, count + 1))


def test_every_job_uploads_what_it_made():
    for job, step in _steps(_workflow(WORKFLOWS[0])):
        if str(step.get("uses", "")).startswith("actions/upload-artifact"):
            assert step.get("if") in ("always()", "${{ !cancelled() }}"), f"{job}: upload even when a check failed"


def test_the_files_the_workflow_reads_are_in_the_repository():
    named = [w for c in workflow_commands(WORKFLOWS[0]) for w in c.split() if w.startswith("baselines/")]
    assert named and all((ROOT / w).is_file() for w in named), named


def test_timings_are_gated_by_a_duet_on_the_runner_never_against_a_stored_file():
    commands = workflow_commands(WORKFLOWS[0])
    stored = [c for c in commands if "reports.gate" in c and "baselines/" in c]
    assert stored and all("--claims-only" in c.split() for c in stored), stored
    job = _workflow(WORKFLOWS[0])["jobs"]["duet"]
    assert "pull_request" in job["if"] and "push" in job["if"]
    runs = [str(step.get("run", "")) for step in job["steps"]]
    assert any(r.startswith("bash .ci/duet ") and "base.sha" in r and "HEAD^" in r for r in runs), runs
    summary = [step for step in job["steps"] if "reports.gate results/duet.json --markdown" in str(step.get("run"))]
    assert summary and "!cancelled()" in summary[0]["if"], "the verdict table reaches the summary even on a failure"
    checkout = job["steps"][0]
    assert checkout["with"]["fetch-depth"] == 0, "the base commit must be in the clone"


def test_history_lasts_on_a_branch_written_only_by_main_runs():
    jobs = _workflow(WORKFLOWS[0])["jobs"]
    stack = [str(step.get("uses", "")) + str(step.get("run", "")) for step in jobs["stack"]["steps"]]
    assert any(s.startswith("bash .ci/history restore ") for s in stack), stack
    assert not any("actions/cache" in s and "history" in s for s in stack), "history is not kept in the Actions cache"
    keep = jobs["history"]
    assert "refs/heads/main" in keep["if"] and "push" in keep["if"] and keep["needs"] == "stack"
    assert keep["permissions"] == {"contents": "write"}, "only this job may write"
    assert _workflow(WORKFLOWS[0])["permissions"] == {"contents": "read"}


def test_the_gate_table_goes_into_one_pull_request_comment_where_the_token_allows():
    job = _workflow(WORKFLOWS[0])["jobs"]["duet"]
    [step] = [s for s in job["steps"] if str(s.get("run", "")).startswith("bash .ci/pr-comment ")]
    assert "pull_request" in step["if"] and "!cancelled()" in step["if"] and step["continue-on-error"] is True
    assert job["permissions"]["pull-requests"] == "write" and "GH_TOKEN" in step["env"]


def _git(folder: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _history(folder: Path, *args: str) -> subprocess.CompletedProcess:
    """The script as the clone's own copy runs (it works in the clone it lives in)."""
    return subprocess.run(["bash", ".ci/history", *args], cwd=folder, capture_output=True, text=True, timeout=60)


def test_the_history_script_keeps_runs_on_the_branch_and_brings_them_back(tmp_path):
    origin, main = tmp_path / "origin.git", tmp_path / "main"
    _git(tmp_path, "init", "-q", "--bare", str(origin))
    _git(tmp_path, "clone", "-q", str(origin), str(main))
    (main / "f").write_text("x")
    _git(main, "add", "f")
    _git(main, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "init")
    (main / ".ci").mkdir()
    (main / ".ci" / "history").write_text((ROOT / ".ci" / "history").read_text())
    run = main / "dl" / "history-tf221-keras3" / "Linux"  # as the workflow downloads the artifacts
    run.mkdir(parents=True)
    (run / "0001_abc.json").write_text("{}")
    assert "no benchmark-history branch yet" in _history(main, "restore", "tf221-keras3").stdout
    saved = _history(main, "save", "dl")
    assert saved.returncode == 0 and "history kept on benchmark-history" in saved.stdout, saved.stderr
    again = _history(main, "save", "dl")
    assert again.returncode == 0 and "history unchanged" in again.stdout, again.stderr
    kept = _git(origin, "ls-tree", "-r", "--name-only", "benchmark-history").split()
    assert kept == ["tf221-keras3/Linux/0001_abc.json"]
    restored = _history(main, "restore", "tf221-keras3")
    assert "1 earlier runs" in restored.stdout, restored.stderr
    assert (main / ".benchmarks" / "tf221-keras3" / "Linux" / "0001_abc.json").is_file()
    bad = _history(main, "keep")
    assert bad.returncode == 2 and bad.stderr.strip().startswith("usage: .ci/history restore ENV")
