"""How should a duet time its two sides? Two workers of one installation (an A/A duet) time each of a
few cases' steady benchmarks in 20 pairs per variant, and this prints the spread (sd) of the pairs'
log ratios per variant: the lower, the smaller the slowdown a duet can see.

    python docs/duet_mode_probe.py one_char sine_simple sentiment_lstm_maxlen200 feature_window

Variants: ``one call`` (a round is one call), ``fastest of 3`` (a round is 3 calls, counted by its
fastest), ``together`` (fastest of 3, both sides timing at the same moment, one per core). The pairs
alternate ABBA. The table in docs/timing.md ("Duets: why these choices") comes from this script.
"""

from __future__ import annotations

import math
import statistics
import sys
import tempfile

from lstm_cases.timing import KINDS
from lstm_cases.tools.duet import DuetSide, both, side_env

PAIRS = 20
VARIANTS = {"one call": (1, False), "fastest of 3": (3, False), "together": (3, True)}


def spread(sides: dict[str, DuetSide], calls: int, together: bool) -> float:
    """The sd of PAIRS pairs' log ratios (head / base) of the warmed benchmark."""
    logs = []
    for i in range(PAIRS):
        request = {"op": "round", "calls": calls}
        if together:
            timed = both(sides, request)
        else:
            order = ("base", "head") if i % 2 == 0 else ("head", "base")
            timed = {name: sides[name].ask(request) for name in order}
        logs.append(math.log(min(timed["head"]["calls"]) / min(timed["base"]["calls"])))
    return statistics.stdev(logs)


def main(cases: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        sides = {name: DuetSide(name, sys.executable, side_env(1, None), folder) for name in ("base", "head")}
        try:
            for side in sides.values():
                side.hello()
            for case in cases:
                prepared = both(sides, {"op": "prepare", "case": case, "profile": "quick", "seed": 0})
                for kind in KINDS:
                    both(sides, {"op": "warm", "plan": prepared["head"]["plans"][kind]})
                    cells = [f"{name} {spread(sides, *setting):.3f}" for name, setting in VARIANTS.items()]
                    print(f"{case} {kind}: {', '.join(cells)}", flush=True)
                both(sides, {"op": "release"})
        finally:
            for side in sides.values():
                side.close()


if __name__ == "__main__":
    main(sys.argv[1:] or ["one_char"])
