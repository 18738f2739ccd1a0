"""``lstm-bench``: one command, one module per subcommand (each with its own ``main(argv)``).

``lstm-bench SUBCOMMAND ARGS...`` hands ``ARGS`` to the subcommand's module, imported only then, so
that ``lstm-bench --help`` and the report commands never import a framework. The ``python -m`` form of
each module stays as an alias. An unknown subcommand gets one line naming the valid ones (exit 2).
"""

from __future__ import annotations

import importlib
import sys
from typing import NamedTuple

PROG = "lstm-bench"


class Subcommand(NamedTuple):
    module: str  # its main(argv) -> exit status
    summary: str


SUBCOMMANDS = {
    "run": Subcommand("lstm_cases.tools.run", "pytest over the bench modules (pytest's options pass through)"),
    "report": Subcommand("reports.cli", "a Markdown report with figures from result files"),
    "gate": Subcommand("reports.gate", "the regression gate: exit 1 on a slower timing or a worse verdict"),
    "merge": Subcommand("lstm_cases.tools.merge", "join a run's shards (or a sweep's) into one file"),
    "history": Subcommand("reports.history", "claim margins and timings over commits, per stack"),
    "headline": Subcommand("reports.headline", "each file's verdicts in a few lines, for a CI job summary"),
    "matrix": Subcommand("reports.matrix", "the report over a folder of stacks' result files"),
    "noise": Subcommand("reports.noise", "noise factors from A/A runs of unchanged code"),
    "power": Subcommand("reports.power", "how often the gate flags a known slowdown"),
    "maps": Subcommand("reports.sweep_map", "claim-validity maps from sweep records"),
    "sweep": Subcommand("lstm_cases.tools.sweep", "run claims over a grid of recipe values"),
    "measure": Subcommand("lstm_cases.tools.measure_claims", "measure claims over many seeds"),
    "duet": Subcommand("lstm_cases.tools.duet", "time two installations side by side, round by round"),
    "same-results": Subcommand("reports.same_results", "whether two result files hold the same verdicts"),
    "any-seeds": Subcommand("lstm_cases.tools.any_seeds", "every claim on runs of unseen seeds"),
    "claims-doc": Subcommand("lstm_cases.tools.claims_doc", "write docs/claims.md from the cases"),
    "overhead": Subcommand("lstm_cases.tools.overhead", "the harness's overhead against the bare script"),
    "examples": Subcommand("lstm_cases.tools.examples", "remake the committed examples from real runs"),
}


def usage() -> str:
    width = max(map(len, SUBCOMMANDS))
    rows = "\n".join(f"  {name:<{width}}  {sub.summary}" for name, sub in SUBCOMMANDS.items())
    return (
        f"usage: {PROG} SUBCOMMAND [ARGS...]   ({PROG} SUBCOMMAND --help for its options)\n\n"
        f"Benchmark and regression suite for documented LSTM behaviour on TensorFlow/Keras.\n\n"
        f"subcommands:\n{rows}\n"
    )


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(usage(), end="")
        return 0 if argv else 2
    name, rest = argv[0], argv[1:]
    if name not in SUBCOMMANDS:
        print(f"{PROG}: error: unknown subcommand {name!r}; valid: {', '.join(SUBCOMMANDS)}", file=sys.stderr)
        return 2
    module = importlib.import_module(SUBCOMMANDS[name].module)
    return int(module.main(rest) or 0)


if __name__ == "__main__":
    sys.exit(main())
