"""Read lstm-bench result files, schemas 1 and 2 (README.md, "The result file"): the JSON that
``pytest bench --benchmark-json FILE`` writes.

Everything here is plain Python: no TensorFlow, no Keras, no ``lstm_cases`` import.
A result file is pytest-benchmark's JSON plus one top-level ``"lstm_bench"`` object with
``"schema"``: the run's stack, profile, seeds and timing settings, and per case its recipe,
claims, verdicts, per-seed metrics, histories and artifacts (``lstm_bench.cases[case]``). A case's
timings are the benchmarks whose ``extra_info.case`` is that case, one per
``extra_info.kind`` (train: the whole recipe; train_step, predict, single_call: steady state,
with every timing process's rounds and, from schema 2, the fingerprint of its plan: timings of two
plans are other work and never compared). A case with no benchmark (a claims-only run) is still a
case of the run. A file of another schema, or none, is refused.

A failed check raises :class:`InputError`, whose message is one line naming the file.
"""

from __future__ import annotations

import json
import math
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lstm_cases.record.schema import GATED, KEY, KINDS, READ_SCHEMAS, RUN, kind_of
from lstm_cases.record.stats import process_spread

PER_SEED_METRICS = {  # lists in a case's record, one value per seed of the whole-recipe run
    "first_epoch": "first_epoch_seconds",
    "steady_epoch": "steady_epoch_seconds",
    "peak_rss_mb": "peak_rss_mb",
}
WHOLE_RECIPE = ("train", *PER_SEED_METRICS)  # recorded and reported, never gated
METRICS = (*GATED, *WHOLE_RECIPE)  # every measured quantity; higher is worse for each


class InputError(Exception):
    """A file the reports cannot use; ``str()`` is one line naming the file."""

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
    """The finite numeric entries of a list (anything else is dropped)."""
    return [f for f in (number(v) for v in as_list(value)) if f is not None]


def ints(value: Any) -> list[int]:
    """The finite numeric entries of a list, as ints (seeds)."""
    return [int(v) for v in numbers(value)]


def stack_label(stack: dict[str, Any]) -> str:
    """A stack's short label from its versions (``lstm_bench.stack``), e.g. ``tf2.21/keras3/tensorflow``,
    ``no-tf/keras3/jax``, ``tf2.21/keras2/tensorflow+tf_keras``; a part the dict lacks reads ``?``.

    Pure: reads the dict only, imports nothing."""
    stack = as_dict(stack)
    tf = stack.get("tensorflow_version", "?")  # null: no TensorFlow in the stack; absent: unknown
    tf_part = "?" if tf == "?" else "tf" + ".".join(str(tf).split(".")[:2]) if tf else "no-tf"
    major = stack.get("keras_major")
    if major is None and stack.get("keras_version"):
        major = str(stack["keras_version"]).split(".")[0]
    label = f"{tf_part}/keras{major if major is not None else '?'}/{stack.get('backend') or '?'}"
    if stack.get("legacy_keras"):
        label += "+tf_keras"
    return label


# --------------------------------------------------------------------------- records

BUSY_MARGIN = 0.0  # load above cores less this: other programs competed with the run (itself about 1, at times more)


def busy_machine(load: float | None, cores: int | None) -> bool:
    """A 1-minute load average above the core count less BUSY_MARGIN: another program shared the
    machine with the run, which itself keeps about one core busy."""
    return load is not None and bool(cores) and load > cores - BUSY_MARGIN


@dataclass(frozen=True)
class Samples:
    """The raw samples of one metric of one case (per round or per seed) and their median.

    ``data`` is empty when the file has only a median (pytest-benchmark's ``stats.median``). A
    steady-state benchmark timed in several processes has each process's rounds in ``processes``
    and all of them pooled in ``data``."""

    data: list[float]
    median: float | None
    processes: tuple[tuple[float, ...], ...] = ()
    load: float | None = None  # the 1-minute load average the benchmark ended with
    cores: int | None = None  # the machine's core count
    references: tuple[tuple[float, ...], ...] = ()  # per process: the machine's reference before each round
    plan: str | None = None  # a steady-state benchmark's plan fingerprint (schema 2); None: unknown

    @property
    def busy(self) -> bool:
        """Timed while other programs kept the machine busy (``busy_machine``)."""
        return busy_machine(self.load, self.cores)

    @property
    def spread(self) -> float | None:
        """Between-process spread: the largest process median over the smallest (None: one process)."""
        return process_spread(self.processes)


@dataclass
class Bench:
    """One pytest-benchmark record (one case, one kind)."""

    name: str
    kind: str
    stats: dict[str, Any]
    extra_info: dict[str, Any] = field(default_factory=dict)

    @property
    def data(self) -> list[float]:
        """Per-round seconds of the pytest process; nothing when the file has no ``stats.data``."""
        return numbers(self.stats.get("data"))

    @property
    def process_rounds(self) -> list[list[float]]:
        """Per-round seconds of every process that timed it: the pytest process's ``stats.data`` first,
        then ``extra_info.other_process_rounds`` (steady-state benchmarks)."""
        others = [numbers(r) for r in as_list(self.extra_info.get("other_process_rounds"))]
        return [r for r in (self.data, *others) if r]

    def units_per_round(self) -> tuple[int, str] | None:
        """(work per round, its unit) of a steady-state benchmark: (500, "steps"), (7, "batches")."""
        unit = self.extra_info.get("units")
        value = number(self.extra_info.get(f"{unit}_per_round")) if isinstance(unit, str) else None
        return (int(value), str(unit)) if value else None

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
    """One case of one run: its record (``lstm_bench.cases[case]``) and its benchmarks by kind."""

    case: str
    info: dict[str, Any] = field(default_factory=dict)  # lstm_bench.cases[case]
    benches: dict[str, Bench] = field(default_factory=dict)  # kind -> record

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
        return [{k: series(v) for k, v in as_dict(h).items()} for h in as_list(self.info.get("history"))]

    def artifacts(self) -> list[dict[str, Any]]:
        return [as_dict(a) for a in as_list(self.info.get("artifacts"))]

    def samples(self, metric: str) -> Samples | None:
        """The positive samples of one of ``METRICS`` and their median; None when the file lacks it.

        train / train_step / predict / single_call: the benchmark's per-round seconds, every process's
        pooled (its ``stats.median`` when it has no per-round data); first_epoch / steady_epoch /
        peak_rss_mb: the case's per-seed list."""
        if metric in KINDS:
            bench = self.benches.get(metric)
            if bench is None:
                return None
            processes = tuple(tuple(v for v in r if v > 0) for r in bench.process_rounds)
            data = [v for r in processes for v in r]
            median = statistics.median(data) if data else bench.stat("median")
            cores = number(bench.extra_info.get("cpu_count"))
            load = number(bench.extra_info.get("load_average"))
            references = tuple(
                tuple(v for v in numbers(r) if v > 0) for r in as_list(bench.extra_info.get("reference_rounds"))
            )
            plan = bench.extra_info.get("plan_fingerprint")
            plan = plan if isinstance(plan, str) else None
            samples = Samples(data, median, processes, load, int(cores) if cores else None, references, plan)
            return samples if data or median is not None else None
        if metric not in PER_SEED_METRICS:
            raise ValueError(f"unknown metric {metric!r}; valid: {', '.join(METRICS)}")
        data = [v for v in numbers(self.info.get(PER_SEED_METRICS[metric])) if v > 0]
        return Samples(data, statistics.median(data)) if data else None

    def steps_per_seed(self) -> int | None:
        """Gradient steps in one seed's training: epochs * ceil(samples / batch)."""
        epochs = number(self.recipe.get("epochs"))
        shape = as_list(self.expected.get("input_shape"))
        samples = number(shape[0]) if shape else None
        if not all(v is not None and v > 0 for v in (epochs, samples)):
            return None
        batch = number(self.recipe.get("batch_size"))
        if batch is None or batch <= 0:  # null: the whole training set in one batch
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
    def record(self) -> dict[str, Any]:
        """The file's ``lstm_bench`` object."""
        return as_dict(self.raw.get(KEY))

    @property
    def stack(self) -> dict[str, Any]:
        """Versions and settings: ``lstm_bench.stack``."""
        return as_dict(self.record.get("stack"))

    @property
    def schema(self) -> int:  # checked when the file was read
        return int(self.record.get("schema") or 0)

    @property
    def profile(self) -> str:
        return str(self.record.get("profile") or "?")

    @property
    def seeds(self) -> list[int]:
        return ints(self.record.get("seeds"))

    @property
    def timing(self) -> dict[str, Any]:
        """The settings timings were taken under (``lstm_bench.timing``; empty in older files)."""
        return as_dict(self.record.get("timing"))

    @property
    def slowdown(self) -> dict[str, float]:
        """The test-only slowdown the run was made with, by kind (empty: none)."""
        return {k: v for k, v in as_dict(self.timing.get("slowdown")).items() if number(v) is not None}

    def busiest_load(self) -> float | None:
        """The highest 1-minute load average any steady-state benchmark of the run ended with."""
        loads = [
            value
            for record in self.cases.values()
            for bench in record.benches.values()
            if (value := number(bench.extra_info.get("load_average"))) is not None
        ]
        return max(loads) if loads else None

    def cpu_count(self) -> int | None:
        count = number(self.timing.get("cpu_count"))
        if count is None:  # the benchmarks say it too
            count = next((n for r in self.cases.values() for b in r.benches.values()
                          if (n := number(b.extra_info.get("cpu_count")))), None)  # fmt: skip
        return int(count) if count else None

    @property
    def stem(self) -> str:
        return self.path.stem

    @property
    def has_benchmarks(self) -> bool:
        return any(record.benches for record in self.cases.values())

    def base_label(self) -> str:
        """The stack's label (:func:`stack_label`), before ``assign_labels`` tells equal ones apart."""
        return stack_label(self.stack)

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


def read_json(path: Path | str, what: str) -> Any:
    """The parsed JSON of a file; InputError (one line naming the file) when it cannot be read or parsed.

    ``what`` names the expected kind of file in the messages ("result file", "noise file")."""
    path = Path(path)
    try:
        text = path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except IsADirectoryError:
        raise InputError(path, f"is a directory, not a {what}") from None
    except OSError as err:
        raise InputError(path, f"cannot read: {err.strerror or err}") from None
    if not text.strip():
        raise InputError(path, "empty file, not JSON")
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as err:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise InputError(path, f"not valid JSON ({first})") from None


def _schema_text(value: Any) -> str:
    return repr(value) if isinstance(value, str) else json.dumps(value)[:40]


def record_of(path: Path | str, raw: Any, kind: str = RUN) -> dict[str, Any]:
    """The document's record when it is one of ``kind`` and of a schema this reads; else InputError
    (one line naming the file and what was found instead)."""
    wanted = f"this version reads schemas {', '.join(map(str, READ_SCHEMAS))}"
    if not isinstance(raw, dict):
        raise InputError(path, f"not an lstm-bench result file (the top level is a JSON {type(raw).__name__})")
    if KEY not in raw:
        older = KEY in as_dict(raw.get("machine_info")) or any(
            "case" in as_dict(as_dict(b).get("extra_info")) for b in as_list(raw.get("benchmarks"))
        )
        why = "written by an older lstm-bench" if older else f'no top-level "{KEY}" object: not an lstm-bench file'
        raise InputError(path, f"lstm-bench result schema 'none' ({why}); {wanted}")
    record = raw[KEY]
    if not isinstance(record, dict):
        raise InputError(path, f"lstm-bench result schema 'none' (\"{KEY}\" is not an object); {wanted}")
    if "schema" not in record:
        raise InputError(path, f'lstm-bench result schema \'none\' ("{KEY}" has no "schema"); {wanted}')
    schema = record["schema"]
    if type(schema) is not int or schema not in READ_SCHEMAS:
        raise InputError(path, f"lstm-bench result schema {_schema_text(schema)}; {wanted}")
    if kind_of(record) != kind:
        raise InputError(path, f"not a {kind} file: it holds a {kind_of(record)} record")
    return record


def load_run(path: Path | str) -> Run:
    """Read and check one result file; raise InputError (one line) when it is unusable."""
    path = Path(path)
    raw = read_json(path, "result file")
    record = record_of(path, raw)
    benchmarks = raw.get("benchmarks", [])
    if not isinstance(benchmarks, list):
        raise InputError(path, "not a pytest-benchmark result file ('benchmarks' is not a list)")

    cases = {name: CaseRecord(name, as_dict(info)) for name, info in as_dict(record.get("cases")).items()}
    notes: list[str] = []
    skipped: list[str] = []
    for index, bench in enumerate(benchmarks):
        bench = as_dict(bench)
        info = as_dict(bench.get("extra_info"))
        name = str(bench.get("name") or f"benchmark #{index}")
        case, kind = info.get("case"), info.get("kind")
        if not isinstance(case, str) or not case:
            skipped.append(name)
            continue
        if kind not in KINDS:
            notes.append(f"`{name}`: extra_info kind {kind!r} is not one of {', '.join(KINDS)}; ignored")
            continue
        if case not in cases:
            notes.append(f"`{name}`: case `{case}` has a benchmark but no entry in lstm_bench.cases")
            cases[case] = CaseRecord(case)
        if kind in cases[case].benches:
            notes.append(f"`{name}`: a second {kind} record for case `{case}`, ignored")
            continue
        cases[case].benches[kind] = Bench(name=name, kind=kind, stats=as_dict(bench.get("stats")), extra_info=info)
    if not cases:
        raise InputError(path, "lstm-bench result file without any case (lstm_bench.cases is empty)")
    if skipped:
        notes.append(f"{len(skipped)} benchmark(s) without extra_info 'case' ignored: {', '.join(skipped[:5])}")
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
