"""lstm-bench report generator: Markdown + PNG figures from lstm-bench result files.

Usage::

    python -m reports RESULTS.json [MORE.json ...] -o OUT_DIR [--factor 1.1] [--alpha 0.002] [--noise NOISE.json]
                      [--no-figures]
    python -m reports merge PART.json [PART.json ...] -o OUT.json    # shards of one run as one file (reports.merge)
    python -m reports history PATH [PATH ...] -o OUT_DIR            # metrics over commits (reports.history)
    python -m reports headline PATH [PATH ...]                      # verdicts per file, Markdown (reports.headline)

    # e.g. the two tox stacks, TF 2.21 as the baseline:
    python -m reports results/tf221-quick.json results/tf215-quick.json -o report/

Input: files written by ``pytest bench --benchmark-json FILE``, result schema 1 (``reports.load``).
Nothing is trained and neither TensorFlow nor Keras is imported: the report is built from the JSON alone.

Output: ``OUT_DIR/README.md`` (renders on GitHub as is) and the PNG figures it links to
(training curves per case, training and inference speed per case and run, and, when the
results carry them, forecasts vs truth and binary-increment errors by trailing ones).
Each file is written to a temporary file in OUT_DIR and renamed into place.

What the report holds: each run's stack, profile, seeds, machine and date; per run, every
claim's per-seed mean / sd / min / max, rule and verdict, and a timing table (training
time per seed, time per step, predict() and single-call medians); with more than one file,
a comparison against the first file (the baseline) by the rule of ``reports.compare``, the
one the regression gate (``python -m reports.gate``) uses, with the same options and
defaults: a timing is flagged SLOWER or FASTER, and a claim VERDICT WORSE, exactly where the
gate would report a regression or a speed-up; "within noise" and "cannot tell with N rounds"
read as in the gate. (``--ratio`` was renamed ``--factor``; its old default alpha was 0.05.)

Exit status: 0 when the report is written; 2 with one line on stderr naming the file when
an input is missing, not JSON, or not an lstm-bench result file of schema 1, or an option
is out of range. Runs that do not cover the same cases are reported with a note naming the
missing cases.
"""

import sys

from reports.cli import run

if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
