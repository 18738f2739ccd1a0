"""The record layer: what a result file is, and nothing of how it was made.

Its vocabulary (``schema``), reading (``load``), joining parts (``merge``), writing whole or not
at all (``atomic``), the statistics its readers share (``stats``), the verdict counts
(``summary``) and the cost ledger (``costs``). Plain Python: it imports neither the harness
nor a framework, so that the reports stand on it alone (docs/architecture.md).
"""
