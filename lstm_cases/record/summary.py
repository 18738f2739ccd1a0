"""The table of verdicts that closes a ``pytest bench`` run, one row per case, from the run's
result record (``lstm_cases.recording``): how many of its claims passed, failed, failed as
expected or passed unexpectedly, and which did not pass::

    case      seeds      pass    fail    xfail    xpass  not passing
    --------  -------  ------  ------  -------  -------  -------------------------
    one_char  0, 1, 2       1       0        0        0
    stateful  0, 1, 2       2       0        1        0  k_start_goes_wrong (xfail)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from lstm_cases.record.schema import PASS, STATUSES


def verdict_rows(record: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per case of the record, in its order."""
    rows = []
    for case_id, case in record.get("cases", {}).items():
        verdicts = case.get("verdicts", {})
        statuses = {claim: verdict.get("status") for claim, verdict in verdicts.items()}
        row: dict[str, Any] = {"case": case_id, "seeds": ", ".join(str(s) for s in case.get("seeds", []))}
        row.update({status: sum(s == status for s in statuses.values()) for status in STATUSES})
        row["not passing"] = ", ".join(f"{claim} ({s})" for claim, s in statuses.items() if s != PASS)
        rows.append(row)
    return rows


def verdict_table(record: Mapping[str, Any]) -> list[str]:
    """The table's lines (pandas ``DataFrame.to_markdown``, tabulate's plain format); none when the
    record has no case."""
    rows = verdict_rows(record)
    if not rows:
        return []
    import pandas as pd  # only for a run that recorded cases

    return pd.DataFrame(rows).to_markdown(index=False, tablefmt="simple", disable_numparse=True).splitlines()


def totals(record: Mapping[str, Any]) -> str:
    """``12 claims: 10 pass, 1 fail, 1 xfail`` over every case of the record."""
    rows = verdict_rows(record)
    counts = {status: sum(row[status] for row in rows) for status in STATUSES}
    parts = [f"{n} {status}" for status, n in counts.items() if n]
    return f"{sum(counts.values())} claims judged: {', '.join(parts) or 'none'}"


def closing_lines(record: Mapping[str, Any], shard: object | None, seeds: Sequence[int]) -> list[str]:
    """What closes a run under its "lstm-bench verdicts" rule: the table and its totals, or for a
    shard (which judges nothing) where its claims will be judged."""
    if shard is not None:
        return [
            f"shard {shard}: {len(record['cases'])} case(s) trained on their share of seeds {list(seeds)}; "
            "claims are judged once the shards are merged: python -m lstm_cases.tools.merge FILES -o OUT.json"
        ]
    return [*verdict_table(record), totals(record)]
