"""The result record's vocabulary, each name defined here once: the key it sits under, its schema
version, its kinds, the benchmark kinds of a case and the verdict statuses (the record layer:
nothing here imports the harness or a framework)."""

import hashlib
import json

KEY = "lstm_bench"  # the record's top-level key in a result file (beside pytest-benchmark's JSON, for a run)
SCHEMA = 2  # what the harness writes: 2 adds each steady-state benchmark's plan fingerprint
# What the readers accept. A schema-1 run's claims and verdicts read as they are; its timings have
# no plan, so they compare to nothing. Schema-1 sweeps and duets have the layout of schema 2.
READ_SCHEMAS = (1, 2)

# The record's kinds ("kind"): a run of pytest bench (which writes no "kind"), a sweep of claims
# over recipe axes (lstm_cases.tools.sweep), a duet of two installations (lstm_cases.tools.duet).
RUN, SWEEP, DUET = "run", "sweep", "duet"
RECORD_KINDS = (RUN, SWEEP, DUET)

GATED = ("train_step", "predict", "single_call")  # steady-state benchmarks: what the gate judges
KINDS = ("train", *GATED)  # the benchmarks of a case (extra_info.kind); train: the whole recipe

PASS, FAIL, XFAIL, XPASS = "pass", "fail", "xfail", "xpass"
STATUSES = (PASS, FAIL, XFAIL, XPASS)
GOOD_STATUSES = (PASS, XFAIL)  # what the rule says, or a failure that was expected
BAD_STATUSES = (FAIL, XPASS)  # a claim that failed, or an expected failure that passed


def kind_of(record: dict) -> str:
    """The record's kind; a run's record says none."""
    return str(record.get("kind") or RUN)


def fingerprint(*parts: object) -> str:
    """Twelve hex digits naming the parts (as JSON, keys sorted): the same parts, the same fingerprint.
    A rule's fingerprint (its text and settings) tells an example made by another rule."""
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
