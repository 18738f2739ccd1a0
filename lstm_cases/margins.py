"""A claim's margin: how far the statistic that decides its verdict lies from the threshold,
in the metric's own units; positive when the claim holds with room to spare, negative by how
much it misses. Stored with every verdict, so that ``python -m reports history`` can draw
whether a claim is drifting towards its threshold over commits before it flips.

- ``AtLeast`` / ``AtMost`` (``value >= t`` on a share of seeds): the deciding seed's value
  (the k-th best, k the seeds the share needs) minus the threshold, or the threshold minus it;
- ``MedianInBand``: the median's distance to the nearer bound (negative outside the band);
- ``PairedGreater``: the mean paired difference minus its minimum;
- ``PairedLoss``: the mean loss's distance to the nearer edge of its band (0, max];
- ``PairedRatio``: the geometric-mean ratio minus its minimum.

The win-count part of the paired rules is not in the margin. Read from the rules' public
fields; the k-th best value is found with the rule's own ``judge``, so the share arithmetic
stays in ``lstm_cases.rules``.
"""

from __future__ import annotations

import dataclasses
import math
import statistics
from collections.abc import Sequence

from lstm_cases.rules import AtLeast, AtMost, MedianInBand, PairedGreater, PairedLoss, PairedRatio, Rule


def margin(rule: Rule, values: Sequence[float], others: Sequence[float] | None = None) -> float | None:
    """The margin of a judged claim (see the module doc); None for a rule this does not know."""
    if isinstance(rule, (AtLeast, AtMost)):
        # The thresholds at which the rule would still hold, among the values themselves: the
        # deciding value is the last of them (the rule holds at its own value at the least).
        holding = [v for v in values if dataclasses.replace(rule, threshold=v).judge(values)[0]]
        if isinstance(rule, AtLeast):
            return max(holding) - rule.threshold
        return rule.threshold - min(holding)
    if isinstance(rule, MedianInBand):
        median = statistics.median(values)
        return min(median - rule.low, rule.high - median)
    if isinstance(rule, PairedGreater) and others is not None:
        return statistics.fmean(a - b for a, b in zip(values, others, strict=True)) - rule.min_mean_diff
    if isinstance(rule, PairedLoss) and others is not None:  # inside the band (0, max_loss]: the nearer edge
        loss = statistics.fmean(b - a for a, b in zip(values, others, strict=True))
        return min(loss, rule.max_loss - loss)
    if isinstance(rule, PairedRatio) and others is not None:
        geomean = math.exp(statistics.fmean(math.log(a / b) for a, b in zip(values, others, strict=True)))
        return geomean - rule.min_ratio
    return None
