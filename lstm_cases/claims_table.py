"""Print every registered claim as a markdown table (for the README and closing notes).

python -m lstm_cases.claims_table
"""

from __future__ import annotations

from lstm_cases import registry


def claims_table() -> str:
    rows = [
        "| case | claim | source figure | quick: rule / measured | full: rule / measured | expected to fail |",
        "|---|---|---|---|---|---|",
    ]
    for case in registry.all_cases().values():
        for claim in case.claims:
            xfail = "; ".join(
                f"{e.reason} (on {'backend ' + e.backend if e.backend else 'every stack'})"
                for e in claim.expected_failures
            )
            rows.append(
                f"| `{case.id}` | `{claim.id}`: {claim.text} | {claim.source_figure} "
                f"| {claim.rules['quick'].describe()}; {claim.measured['quick']} "
                f"| {claim.rules['full'].describe()}; {claim.measured['full']} | {xfail} |"
            )
    return "\n".join(rows)


if __name__ == "__main__":
    print(claims_table())
