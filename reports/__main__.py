"""lstm-bench report generator: Markdown + PNG figures from lstm-bench result files.

Usage::

    python -m reports RESULTS.json [MORE.json ...] -o OUT_DIR [--factor F] [--alpha 0.002] [--noise NOISE.json]
                      [--no-figures]
    python -m reports history PATH [PATH ...] -o OUT_DIR            # metrics over commits (reports.history)
    python -m reports headline PATH [PATH ...]                      # verdicts per file, Markdown (reports.headline)
    python -m reports sweep FILE [FILE ...] -o OUT_DIR              # claim-validity maps (reports.sweep_map)

    # e.g. the two tox stacks, TF 2.21 as the baseline:
    python -m reports results/tf221-quick.json results/tf215-quick.json -o report/

Input: files written by ``pytest bench --benchmark-json FILE``, result schemas 1 and 2 (``lstm_cases.record.load``).
Nothing is trained and neither TensorFlow nor Keras is imported: the report is built from the JSON alone.

Output: ``OUT_DIR/README.md`` (renders on GitHub as is) and the PNG figures it links to
(training curves per case, ratios to the baseline and timings per case and run on log scales,
and, when the results carry them, forecasts vs truth and binary-increment errors by trailing ones).
Each file is written to a temporary file in OUT_DIR and renamed into place.

What the report holds: each run's stack, profile, seeds, machine and date; per run, every
claim's per-seed mean / sd / min / max, rule and verdict; tables per case and run of the steady
step time, predict and single-call time (with each benchmark's between-process spread), the
first epoch (tracing), whole-recipe training and peak memory; with more than one file, the
headline (per run and family, the geometric-mean ratio to the baseline with its interval) and
a comparison against the first file (the baseline) by the rule of ``reports.compare``, the
one the regression gate (``python -m reports.gate``) uses, with the same options and
defaults: a timing is flagged SLOWER or FASTER, and a claim VERDICT WORSE, exactly where the
gate would report a regression or a speed-up; "within noise" and "cannot tell" read as in the
gate. (``--ratio`` was renamed ``--factor``.)

Exit status: 0 when the report is written; 2 with one line on stderr naming the file when
an input is missing, not JSON, or not an lstm-bench result file of a schema it reads, or an option
is out of range. Runs that do not cover the same cases are reported with a note naming the
missing cases.
"""

import sys

from reports.cli import run

if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
