"""Holdout discipline, as data: which seeds set a stack's thresholds, which only checked them, and
what moved in between.

Each measurement file of a stack the suite gates on keeps a ``holdout`` log, oldest first:

- ``{"role": "set", "seeds": [A, B], ...}``: the seeds A..B the thresholds were set from;
- ``{"role": "check", "seeds": [A, B], "file": NAME, "rules": {...}, ...}``: seeds measured after the
  thresholds were frozen, never used to set one; ``rules`` is every claim's metric and rule as they
  were when the range was measured (``rule_text``), ``file`` the measurement file that holds them;
- ``{"role": "moved", "claims": {...}, "after": [A, B], "why": ...}``: thresholds moved after the check
  range A..B had been seen, each ``old -> new``.

A check range vouches for the claims it measured (its ``rules``: a range may measure only some cases,
such as new claims and the cases they compare with), and for each only as its rule was when the range
was measured: a rule moved since needs a newer unseen range that measures it (``unchecked``). Ranges of
one log never share a seed.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

from lstm_cases.core import Case

LOG_KEY = "holdout"  # the log's key in a measurement file
ROLES = ("set", "check", "moved")


def rule_text(case: Case, claim: Any, profile: str) -> str:
    """What a check range vouches for: the claim's metric and its rule in the profile, and the case's data
    where it has changed since first measured (a range on other data vouches for nothing now)."""
    data = f" (data: {case.data_version})" if case.data_version else ""
    return f"{claim.metric}: {claim.rules[profile].describe()}{data}"


def rules_now(
    cases: Iterable[Case], profile: str, stack_label: str, held: Collection[str] | None = None
) -> dict[str, str]:
    """Every claim measured on the stack in the profile: ``case/claim`` -> its rule text now. With ``held``
    (the case ids a check file holds): only the claims whose case, and the case it compares with, it holds."""
    return {
        f"{case.id}/{claim.id}": rule_text(case, claim, profile)
        for case in cases
        for claim in case.claims
        if claim.judged_in(profile)
        and stack_label in claim.measured_on.get(profile, ())
        and (held is None or (case.id in held and (claim.compare_to is None or claim.compare_to in held)))
    }


def log_problems(doc: Mapping[str, Any]) -> list[str]:
    """What is wrong with a file's log itself: a role not known, a range the wrong way round, two ranges
    sharing a seed."""
    problems, taken = [], {}
    for i, event in enumerate(doc.get(LOG_KEY, [])):
        role = event.get("role")
        if role not in ROLES:
            problems.append(f"holdout event {i}: role {role!r}; valid roles: {', '.join(ROLES)}")
            continue
        if role == "moved":
            continue
        low, high = event["seeds"]
        if low > high:
            problems.append(f"holdout event {i}: seeds {low}-{high} the wrong way round")
        for seed in range(low, high + 1):
            if seed in taken:
                problems.append(f"holdout event {i}: seed {seed} is in the {taken[seed]} range too")
                break
            taken[seed] = f"{role} {low}-{high}"
    return problems


def last_check(doc: Mapping[str, Any], claim: str | None = None) -> Mapping[str, Any] | None:
    """The newest check range of the log (that measured ``claim``, when given)."""
    checks = [
        event
        for event in doc.get(LOG_KEY, [])
        if event.get("role") == "check" and (claim is None or claim in event.get("rules", {}))
    ]
    return checks[-1] if checks else None


def unchecked(doc: Mapping[str, Any], rules: Mapping[str, str]) -> list[str]:
    """One line per claim whose rule now is not the one the newest check range that measured it was
    measured under (or that no check range measured): no seed it has not seen vouches for it."""
    out = []
    for claim, now in sorted(rules.items()):
        check = last_check(doc, claim)
        if check is None:
            out.append(f"{claim}: no check range measured it, only seeds that set thresholds")
            continue
        then = check["rules"][claim]
        if then != now:
            low, high = check["seeds"]
            out.append(
                f"{claim}: its rule changed after seeds {low}-{high} were measured (was {then!r}, is {now!r}): "
                "only a newer unseen range can check it"
            )
    return out


def check_event(seeds: tuple[int, int], file: str, commit: str, date: str, rules: Mapping[str, str]) -> dict:
    """A check range, to append to the log once its seeds are measured (``lstm-bench measure --check-range``)."""
    return {"role": "check", "seeds": list(seeds), "file": file, "commit": commit, "date": date, "rules": dict(rules)}
