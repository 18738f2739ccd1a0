"""Read pytest-benchmark JSON files written by ``pytest bench --benchmark-json``.

Everything here is plain Python: no TensorFlow, no Keras, no ``lstm_cases`` import.
A file from another version of the suite may lack optional keys; only what the report
cannot do without is checked, and a failed check raises :class:`InputError` with a
one-line message that names the file.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

KINDS = ("train", "predict", "single_call")


class InputError(Exception):
    """A result file the report cannot use; ``str()`` is one line naming the file."""

    def __init__(self, path: Path | str, problem: str) -> None:
        self.path, self.problem = str(path), " ".join(str(problem).split())
        super().__init__(f"{self.path}: {self.problem}")


# --------------------------------------------------------------------------- small helpers


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def number(value: Any) -> float | None:
    """A finite float for ints/floats (bools excluded), else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def series(value: Any) -> list[float]:
    """A per-epoch list as floats; an entry that is not a finite number is NaN (a gap), not dropped."""
    out = []
    for v in as_list(value):
        f = number(v)
        out.append(float("nan") if f is None else f)
    return out


def numbers(value: Any) -> list[float]:
    """The numeric entries of a list (anything else is dropped)."""
    return [f for f in (number(v) for v in as_list(value)) if f is not None]


def finite(values: list[float]) -> list[float]:
    return [v for v in values if math.isfinite(v)]


def ints(value: Any) -> list[int]:
    """The finite numeric entries of a list, as ints (seeds)."""
    return [int(v) for v in finite(numbers(value))]


# --------------------------------------------------------------------------- records


@dataclass
class Bench:
    """One pytest-benchmark record (one case, one kind)."""

    name: str
    kind: str
    stats: dict[str, Any]
    info: dict[str, Any]  # extra_info

    @property
    def data(self) -> list[float]:
        """Per-round seconds; falls back to nothing when the file has no ``stats.data``."""
        return finite(numbers(self.stats.get("data")))

    @property
    def rounds(self) -> int | None:
        n = number(self.stats.get("rounds"))
        if n is not None:
            return int(n)
        return len(self.data) or None

    def stat(self, key: str) -> float | None:
        """A statistic from ``stats``, or computed from ``stats.data`` when absent."""
        value = number(self.stats.get(key))
        if value is not None:
            return value
        data = sorted(self.data)
        if not data:
            return None
        if key == "median":
            return _quantile(data, 0.5)
        if key == "min":
            return data[0]
        if key == "max":
            return data[-1]
        if key == "mean":
            return sum(data) / len(data)
        if key == "iqr":
            return _quantile(data, 0.75) - _quantile(data, 0.25)
        return None


def _quantile(sorted_data: list[float], q: float) -> float:
    pos = (len(sorted_data) - 1) * q
    lo, hi = math.floor(pos), math.ceil(pos)
    return sorted_data[lo] + (sorted_data[hi] - sorted_data[lo]) * (pos - lo)


@dataclass
class CaseRecord:
    """Every benchmark of one case in one run."""

    case: str
    benches: dict[str, Bench] = field(default_factory=dict)  # kind -> record

    @property
    def info(self) -> dict[str, Any]:
        """The case's extra_info: the training record's when there is one (it is the richest)."""
        for kind in KINDS:
            if kind in self.benches:
                return self.benches[kind].info
        return next(iter(self.benches.values())).info if self.benches else {}

    @property
    def train(self) -> Bench | None:
        return self.benches.get("train")

    @property
    def seeds(self) -> list[int]:
        return ints(self.info.get("seeds"))

    @property
    def verdicts(self) -> dict[str, dict[str, Any]]:
        verdicts = {k: dict(as_dict(v)) for k, v in as_dict(self.info.get("verdicts")).items()}
        for verdict in verdicts.values():
            if not isinstance(verdict.get("status"), str):
                verdict["status"] = None
        return verdicts

    @property
    def claims(self) -> dict[str, dict[str, Any]]:
        return {k: as_dict(v) for k, v in as_dict(self.info.get("claims")).items()}

    @property
    def recipe(self) -> dict[str, Any]:
        return as_dict(self.info.get("recipe"))

    @property
    def expected(self) -> dict[str, Any]:
        return as_dict(self.info.get("expected"))

    def metric_values(self, metric: str) -> list[float]:
        return numbers(as_dict(self.info.get("metrics")).get(metric))

    def claim_ids(self) -> list[str]:
        ids = list(self.verdicts)
        return ids + [c for c in self.claims if c not in ids]

    def claim_values(self, claim_id: str) -> list[float]:
        """Per-seed values a claim was judged on (from the verdict, else from the metric)."""
        verdict = self.verdicts.get(claim_id, {})
        if "values" in verdict:
            return numbers(verdict.get("values"))
        metric = self.claims.get(claim_id, {}).get("metric")
        return self.metric_values(metric) if isinstance(metric, str) else []

    def histories(self) -> list[dict[str, list[float]]]:
        train = self.train
        if train is None:
            return []
        return [{k: series(v) for k, v in as_dict(h).items()} for h in as_list(train.info.get("history"))]

    def artifacts(self) -> list[dict[str, Any]]:
        train = self.train
        return [as_dict(a) for a in as_list(train.info.get("artifacts"))] if train is not None else []

    def steps_per_seed(self) -> int | None:
        """Gradient steps in one seed's training: epochs * ceil(samples / batch)."""
        epochs = number(self.recipe.get("epochs"))
        shape = as_list(self.expected.get("input_shape"))
        samples = number(shape[0]) if shape else None
        if not all(v is not None and math.isfinite(v) and v > 0 for v in (epochs, samples)):
            return None
        batch = number(self.recipe.get("batch_size"))
        if batch is None or not math.isfinite(batch) or batch <= 0:  # null: the whole training set in one batch
            batch = samples
        return int(epochs) * math.ceil(samples / batch)


@dataclass
class Run:
    """One result file."""

    path: Path
    raw: dict[str, Any]
    cases: dict[str, CaseRecord]
    notes: list[str] = field(default_factory=list)
    label: str = ""

    @property
    def stack(self) -> dict[str, Any]:
        """Versions and settings: machine_info.lstm_bench, completed from the records."""
        stack = dict(as_dict(as_dict(self.raw.get("machine_info")).get("lstm_bench")))
        keys = (
            "tensorflow_version",
            "keras_version",
            "keras_major",
            "backend",
            "legacy_keras",
            "numpy_version",
            "python_version",
            "profile",
            "seeds",
        )
        for record in self.cases.values():
            for key in keys:
                if stack.get(key) is None and record.info.get(key) is not None:
                    stack[key] = record.info[key]
        return stack

    @property
    def profile(self) -> str:
        return str(self.stack.get("profile") or "?")

    @property
    def seeds(self) -> list[int]:
        return ints(self.stack.get("seeds"))

    @property
    def stem(self) -> str:
        return self.path.stem

    def base_label(self) -> str:
        """``tf2.21/keras3/tensorflow`` from the versions; parts the file lacks read ``?``."""
        s = self.stack
        tf = s.get("tensorflow_version")
        tf_part = "tf" + ".".join(str(tf).split(".")[:2]) if tf else "no-tf"
        major = s.get("keras_major")
        if major is None and s.get("keras_version"):
            major = str(s["keras_version"]).split(".")[0]
        label = f"{tf_part}/keras{major if major is not None else '?'}/{s.get('backend') or '?'}"
        if s.get("legacy_keras"):
            label += "+tf_keras"
        return label

    def machine(self) -> str:
        info = as_dict(self.raw.get("machine_info"))
        cpu = as_dict(info.get("cpu"))
        parts = []
        brand = cpu.get("brand_raw") or cpu.get("brand") or info.get("processor")
        if brand:
            parts.append(str(brand))
        if cpu.get("count"):
            parts.append(f"{cpu['count']} cores")
        system = " ".join(str(info[k]) for k in ("system", "release") if info.get(k))
        if system:
            parts.append(system)
        return ", ".join(parts) or "?"

    def commit(self) -> str:
        info = as_dict(self.raw.get("commit_info"))
        if not info.get("id"):
            return "?"
        text = str(info["id"])[:10]
        if info.get("dirty"):
            text += " (dirty)"
        return text


# --------------------------------------------------------------------------- loading


def _kind(bench: dict[str, Any], info: dict[str, Any]) -> str | None:
    for candidate in (info.get("kind"), bench.get("group")):
        if candidate in KINDS:
            return str(candidate)
    name = str(bench.get("name", ""))
    if name.startswith("test_train"):
        return "train"
    for kind in ("single_call", "predict"):
        if name.endswith(f"-{kind}]"):
            return kind
    return None


def load_run(path: Path | str) -> Run:
    """Read and check one result file; raise InputError (one line) when it is unusable."""
    path = Path(path)
    try:
        text = path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except IsADirectoryError:
        raise InputError(path, "is a directory, not a result file") from None
    except OSError as err:
        raise InputError(path, f"cannot read: {err.strerror or err}") from None
    if not text.strip():
        raise InputError(path, "empty file, not JSON")
    try:
        raw = json.loads(text)
    except (ValueError, RecursionError) as err:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise InputError(path, f"not valid JSON ({first})") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("benchmarks"), list):
        raise InputError(path, "not a pytest-benchmark result file (no top-level 'benchmarks' list)")

    cases: dict[str, CaseRecord] = {}
    notes: list[str] = []
    skipped: list[str] = []
    for index, bench in enumerate(raw["benchmarks"]):
        bench = as_dict(bench)
        info = as_dict(bench.get("extra_info"))
        name = str(bench.get("name") or f"benchmark #{index}")
        case = info.get("case")
        if not isinstance(case, str) or not case:
            skipped.append(name)
            continue
        kind = _kind(bench, info)
        if kind is None:
            notes.append(f"`{name}`: unknown kind (group {bench.get('group')!r}), ignored")
            continue
        record = cases.setdefault(case, CaseRecord(case))
        if kind in record.benches:
            notes.append(f"`{name}`: a second {kind} record for case `{case}`, ignored")
            continue
        record.benches[kind] = Bench(name=name, kind=kind, stats=as_dict(bench.get("stats")), info=info)
    if not cases:
        if not raw["benchmarks"]:
            raise InputError(
                path, "pytest-benchmark file with no benchmarks (was the run made with --benchmark-disable?)"
            )
        raise InputError(path, "pytest-benchmark file without lstm-bench results (no benchmark has extra_info 'case')")
    if skipped:
        notes.append(f"{len(skipped)} benchmark(s) without lstm-bench extra_info ignored: {', '.join(skipped[:5])}")
    return Run(path=path, raw=raw, cases=cases, notes=notes)


def assign_labels(runs: list[Run]) -> None:
    """Label each run from its versions; runs that would share a label get their file stem."""
    base = [r.base_label() for r in runs]
    for run, label in zip(runs, base, strict=True):
        run.label = label if base.count(label) == 1 else f"{label} ({run.stem})"
    seen: dict[str, int] = {}
    for i, run in enumerate(runs):  # the same stem twice (e.g. one file given twice)
        seen[run.label] = seen.get(run.label, 0) + 1
        if seen[run.label] > 1:
            run.label = f"{run.label} #{i + 1}"


def load_runs(paths: list[Path | str]) -> list[Run]:
    runs = [load_run(p) for p in paths]
    assign_labels(runs)
    return runs
