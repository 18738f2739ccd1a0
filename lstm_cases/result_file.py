"""The run's result file (``--benchmark-json FILE``): whole or not at all, and written even when
pytest-benchmark would write nothing.

pytest-benchmark writes FILE in place, and only when it timed something. The suite has it
write to a temp file beside FILE instead, renamed into place when the session ends (to
``FILE.partial`` when the run was interrupted). When it writes nothing, a claims-only run
(``--benchmark-disable``, ``--benchmark-skip``) or one whose selected tests timed nothing,
the suite writes the same document itself, with an empty ``benchmarks`` list: made by
pytest-benchmark's own hooks (machine and commit info, the JSON skeleton) and completed by
``pytest_benchmark_update_json``, which adds the result record. A run that recorded no case
writes no file (the readers refuse a file without cases).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pytest_benchmark.utils import safe_dumps

from lstm_cases.core import Case
from lstm_cases.record.atomic import write_atomic
from lstm_cases.record.schema import KEY as RECORD_KEY


def claims_only(config: pytest.Config) -> bool:
    """``--benchmark-skip``, or ``--benchmark-disable`` without ``--benchmark-enable``: no timings."""
    disabled = config.getoption("benchmark_disable", False) and not config.getoption("benchmark_enable", False)
    return bool(config.getoption("benchmark_skip", False) or disabled)


def document(config: pytest.Config) -> dict[str, Any]:
    """The run's JSON without benchmarks, as pytest-benchmark would have written it."""
    hook = config.hook
    machine_info = hook.pytest_benchmark_generate_machine_info(config=config)
    hook.pytest_benchmark_update_machine_info(config=config, machine_info=machine_info)
    commit_info = hook.pytest_benchmark_generate_commit_info(config=config)
    hook.pytest_benchmark_update_commit_info(config=config, commit_info=commit_info)
    doc = hook.pytest_benchmark_generate_json(
        config=config, benchmarks=[], include_data=True, machine_info=machine_info, commit_info=commit_info
    )
    hook.pytest_benchmark_update_json(config=config, benchmarks=[], output_json=doc)
    return doc


def plain_params(output_json: dict[str, Any]) -> None:
    """Each benchmark's ``params`` by name: the case parameter is a ``Case``, which
    pytest-benchmark would write as an ``UNSERIALIZABLE[...]`` repr (memory addresses and all)."""
    for bench in output_json.get("benchmarks", []):
        params = bench.get("params") or {}
        bench["params"] = {name: value.id if isinstance(value, Case) else value for name, value in params.items()}


@dataclass
class ResultFile:
    """Where this process writes its result JSON: ``tmp``, renamed to ``target`` at the end (an
    xdist worker has no target: the controller merges the workers' files)."""

    target: Path | None
    tmp: Path
    claims_only: bool = False

    @classmethod
    def configure(cls, config: pytest.Config, worker_file: Path | None = None) -> ResultFile | None:
        """Before pytest-benchmark reads its options: point it at the temp file (or, in a claims-only
        run, at nothing: the suite writes the file). None when no file was asked for."""
        requested = config.getoption("benchmark_json", None)
        if worker_file is not None:
            result = cls(None, worker_file, claims_only(config))
        elif requested is not None:
            target = Path(requested)
            # Create the folder now: finding it missing after an hour of training loses the results.
            target.parent.mkdir(parents=True, exist_ok=True)
            result = cls(target, target.with_name(f".{target.name}.{os.getpid()}.tmp"), claims_only(config))
        else:
            return None
        config.option.benchmark_json = None if result.claims_only else result.tmp
        return result

    def write_if_missing(self, config: pytest.Config) -> bool:
        """After pytest-benchmark's own saving: write the document if it wrote none; whether the
        temp file is there now."""
        if self.tmp.exists():
            return True
        doc = document(config)
        if not doc.get(RECORD_KEY, {}).get("cases"):
            return False
        write_atomic(self.tmp, safe_dumps(doc, ensure_ascii=True, indent=4))
        return True

    def finish(self, interrupted: bool) -> Path | None:
        """Move the temp file into place: the target, or ``target.partial`` for an interrupted run."""
        if self.target is None or not self.tmp.exists():
            return None
        final = self.target.with_name(self.target.name + ".partial") if interrupted else self.target
        os.replace(self.tmp, final)
        return final
