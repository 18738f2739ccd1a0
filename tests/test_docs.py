"""The README and docs/ stand alone: every link they make points into the repository (or to a web
page), and nothing refers to files outside it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "baselines" / "README.md"]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_links_point_into_the_repository(page):
    text = page.read_text()
    links = re.findall(r"\]\(([^)\s]+)\)", text)
    broken = [
        link for link in links if not re.match(r"[a-z]+://", link) and not (page.parent / link.split("#")[0]).exists()
    ]
    assert not broken, f"{page.name}: links to nothing: {broken}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_nothing_outside_the_repository_is_needed(page):
    text = page.read_text()
    outside = [word for word in ("../shared", "SCENARIOS.md", "/work/", "seeds/") if word in text]
    assert not outside, f"{page.name} refers outside the repository: {outside}"


def test_the_readme_says_what_the_first_command_costs_and_what_comes_next():
    text = (ROOT / "README.md").read_text()
    start = text[: text.index("## Running")]
    assert "downloads about" in start and "minutes" in start
    assert "lstm-bench report results/quick.json -o report" in start  # next: make a report
    assert "docs/scenarios.md" in text[:1000]


def test_the_readme_is_a_front_door():
    """At most about 200 lines of at most 120 characters; the details live in docs/."""
    lines = (ROOT / "README.md").read_text().splitlines()
    long = [i + 1 for i, line in enumerate(lines) if len(line) > 120]
    assert len(lines) <= 200 and not long, f"{len(lines)} lines; over 120 characters: lines {long}"


def test_every_and_list_of_the_ci_script_stops_it_when_it_fails():
    """set -e ignores a failure inside ``a && b`` unless it is the last command: each list ends in ``|| exit 1``."""
    lines = (ROOT / ".ci" / "run").read_text().splitlines()
    lists = [line for line in lines if " && " in line and not line.startswith("#")]
    assert lists and all(line.rstrip().endswith("|| exit 1") for line in lists), lists
