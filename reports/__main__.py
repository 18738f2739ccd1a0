"""lstm-bench report generator: Markdown + PNG figures from pytest-benchmark result files.

Usage::

    python -m reports RESULTS.json [MORE.json ...] -o OUT_DIR [--ratio 1.1] [--alpha 0.05] [--no-figures]

    # e.g. the two tox stacks, TF 2.21 as the baseline:
    python -m reports results/tf221-quick.json results/tf215-quick.json -o report/

Input: files written by ``pytest bench --benchmark-json FILE``. Nothing is trained and
neither TensorFlow nor Keras is imported: the report is built from the JSON alone.

Output: ``OUT_DIR/README.md`` (renders on GitHub as is) and the PNG figures it links to
(training curves per case, training and inference speed per case and run, and, when the
results carry them, forecasts vs truth and binary-increment errors by trailing ones).
Each file is written to a temporary file in OUT_DIR and renamed into place.

What the report holds: each run's stack, profile, seeds, machine and date; per run, every
claim's per-seed mean / sd / min / max, rule and verdict, and a timing table (training
time per seed, time per step, predict() and single-call medians); with more than one file,
a comparison against the first file (the baseline):

* a timing is flagged only when median(run) / median(baseline) is beyond ``--ratio``
  (default 1.10, either way) AND the two-sided Mann-Whitney U test on the per-round
  times gives p < ``--alpha`` (default 0.05); with too few rounds for any result to
  reach that p (3 vs 3 rounds: at best p = 0.10) it says "not enough rounds to tell";
* a claim is flagged when its verdict changes (pass / fail / expected fail / xpass); the
  difference of per-seed means and a Mann-Whitney p are shown, not used to flag.

Exit status: 0 when the report is written; 2 with one line on stderr naming the file when
an input is missing, not JSON, not a pytest-benchmark file, or has no lstm-bench results.
Runs that do not cover the same cases are reported with a note naming the missing cases.
"""

import sys

from reports.cli import main

if __name__ == "__main__":
    sys.exit(main())
