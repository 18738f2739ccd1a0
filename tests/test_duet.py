"""Duets: the paired rule (``reports.duet``) on hand-made pairs, the gate, report, power and noise commands on
duet files, and the duet command itself (``lstm_cases.tools.duet``) with real sides and sides that must be
refused."""

from __future__ import annotations

import json
import math
import random
import sys
from pathlib import Path

import pytest

from lstm_cases.record.load import InputError
from lstm_cases.tools import duet as duet_tool
from reports.compare import CANNOT_TELL, FASTER, SLOWER, WITHIN, Rule
from reports.duet import DUET_FACTORS, Pairs, judge_duet, judge_pairs, load_duet, signed_rank_p, walsh_ratio
from reports.noise import main as noise_main
from reports.power import main as power_main
from tests.test_gate import lines, result, run_gate
from tests.test_reports import make_case

KINDS = ("train_step", "predict", "single_call")


def pairs(
    case: str = "c", kind: str = "predict", n: int = 20, factor: float = 1.0, jitter: float = 0.01, seed=0, process=0
):
    """n pairs around 10 ms, the head ``factor`` times the base, each round with ``jitter`` relative noise, all
    timed by one process pair."""
    rng = random.Random(seed)
    base = [0.01 * math.exp(rng.gauss(0, jitter)) for _ in range(n)]
    head = [b * factor * math.exp(rng.gauss(0, jitter)) for b in base]
    first = tuple("base" if i % 2 == 0 else "head" for i in range(n))
    return Pairs(case, kind, {"kind": kind}, tuple(base), tuple(head), (1e-3,) * n, (1e-3,) * n, first, (process,) * n)


def processes(*factors: float, n: int = 10, jitter: float = 0.01, case="c", kind="predict") -> Pairs:
    """One benchmark timed by a process pair per factor (its head/base ratio), ``n`` pairs each."""
    joined = pairs(case, kind, n=n, factor=factors[0], jitter=jitter, seed=0, process=0)
    for k, factor in enumerate(factors[1:], start=1):
        joined = joined.joined(pairs(case, kind, n=n, factor=factor, jitter=jitter, seed=k, process=k))
    return joined


def duet_file(path: Path, benchmarks: list[Pairs], slowdown: dict | None = None) -> Path:
    """A duet record of the benchmarks, as the duet command writes it."""
    side = {"python": "/venv/bin/python", "commit": "abc", "package": "/x", "stack": {}, "threads": {}}
    record = {
        "schema": 1,
        "kind": "duet",
        "profile": "quick",
        "mode": "alternate",
        "order": "abba",
        "order_seed": 1,
        "rounds": 10,
        "max_rounds": 40,
        "wall_seconds": 12.0,
        "command": "python -m lstm_cases.tools.duet ...",
        "sides": {"base": {**side, "slowdown": {}}, "head": {**side, "slowdown": slowdown or {}}},
        "benchmarks": [
            {
                "case": p.case,
                "kind": p.kind,
                "plan": p.plan,
                "rounds": _rounds(p),
            }
            for p in benchmarks
        ],
        "skipped": [],
    }
    path.write_text(json.dumps({"lstm_bench": record}))
    return path


def _rounds(p: Pairs) -> list[dict]:
    return [
        {"first": f, "base": b, "head": h, "base_reference": 1e-3, "head_reference": 1e-3, "process": k}
        for f, b, h, k in zip(p.first, p.base, p.head, p.process, strict=True)
    ]


def every_kind(factor_of=lambda kind: 1.0, jitter: float = 0.01, cases=("a", "b", "c")) -> list[Pairs]:
    return [
        pairs(case, kind, factor=factor_of(kind), jitter=jitter, seed=i)
        for i, (case, kind) in enumerate((c, k) for c in cases for k in KINDS)
    ]


# --------------------------------------------------------------------------- the rule


def test_walsh_estimate_and_signed_rank_p_on_known_values():
    d = [math.log(1.1)] * 12
    assert walsh_ratio(d).estimate == pytest.approx(1.1)
    assert signed_rank_p(d) < 0.001  # twelve pairs of the same sign: exact p = 2 / 2**12
    assert signed_rank_p([0.0, 0.0, 0.0]) == 1.0
    few = walsh_ratio([0.1, 0.2, 0.3])
    assert few.low is None and few.high is None  # three pairs give no 95% interval


F = DUET_FACTORS["predict"]  # the factor the hand-made benchmarks (kind predict) are judged by


@pytest.mark.parametrize(
    ("factor", "jitter", "outcome"),
    [
        (1.0, 0.01, WITHIN),
        (F * 1.04, 0.01, SLOWER),
        (F * 1.02, 0.004, SLOWER),
        (1 / (F * 1.04), 0.01, FASTER),
        (1.0, 0.2, CANNOT_TELL),  # a disturbed side: the interval reaches beyond the factor
        (1.02, 0.002, WITHIN),  # a real but small change: inside the factor, not flagged
    ],
)
def test_the_paired_rule(factor, jitter, outcome):
    [cmp] = judge_pairs([pairs(factor=factor, jitter=jitter)])
    assert cmp.outcome == outcome, cmp.describe()


def test_the_false_discovery_control_runs_over_the_duet():
    slowed = pairs("s", factor=1.05, jitter=0.01, n=12, seed=3)
    alone = judge_pairs([slowed])[0]
    among = judge_pairs([slowed, *every_kind(cases=[f"x{i}" for i in range(15)])])[0]
    assert alone.comparisons == 1 and among.comparisons == 46
    assert among.q >= alone.q


def test_one_process_pair_is_judged_by_rules_1_to_3_and_says_so():
    [alone] = judge_pairs([pairs(factor=1.36)])  # one process a third slower throughout, as once in an A/A duet
    assert alone.outcome == SLOWER and "one process pair" in alone.describe(), alone.describe()


@pytest.mark.parametrize(
    ("factors", "outcome"),
    [
        ((1.2, 1.2), SLOWER),
        ((1 / 1.2, 1 / 1.2), FASTER),
        ((1.0, 1.0), WITHIN),
        ((1.36, 1.0), CANNOT_TELL),  # one process's offset: the pooled pairs lean, the other pair does not
        ((1.36, 1.0, 1.0), WITHIN),  # a third pair: the offset one is set aside
        ((0.97, 1.2, 1.2), SLOWER),  # a base process's offset hid a +20% change from the first pair
        ((1.0, 1.36, 1.36), SLOWER),  # two pairs of three agree: the change is theirs
    ],
)
def test_a_flag_stands_only_where_every_judged_process_pair_bears_it_out(factors, outcome):
    [cmp] = judge_pairs([processes(*factors)])
    assert cmp.outcome == outcome, cmp.describe()
    assert len(cmp.processes) == len(factors) and sum(p.kept for p in cmp.processes) == min(2, len(factors))
    if outcome == CANNOT_TELL:
        assert cmp.disagree and cmp.judged() == "cannot tell: the process pairs disagree"
        assert "does not bear it out" in cmp.describe()
    if len(factors) == 3:
        assert "set aside: the other two agree more closely" in cmp.describe()


def test_both_process_pairs_must_lie_beyond_half_the_factor():
    # the pooled pairs beyond F, one process pair barely slower: not borne out by it
    [cmp] = judge_pairs([processes(F * F, 1.005, jitter=0.002, n=12)])
    assert cmp.estimate > F and cmp.q < 0.05 and cmp.outcome == CANNOT_TELL and cmp.disagree, cmp.describe()
    [both] = judge_pairs([processes(F * 1.01, F * 1.01, jitter=0.002, n=12)])
    assert both.outcome == SLOWER, both.describe()


def test_a_third_process_pair_is_called_for_only_where_two_disagree():
    from reports.duet import processes_disagree

    assert processes_disagree(processes(1.36, 1.0))
    assert processes_disagree(processes(0.97, 1.2))
    assert not processes_disagree(processes(1.0, 1.0))
    assert not processes_disagree(processes(1.2, 1.2))
    assert not processes_disagree(processes(1.0, 1.01, jitter=0.002))  # apart beyond chance, not beyond sqrt(F)
    assert not processes_disagree(processes(1.36, 1.0, 1.0)) and not processes_disagree(pairs(factor=1.36))


def test_an_older_duets_repeat_loads_as_a_second_process_pair(tmp_path):
    path = duet_file(tmp_path / "old.json", [pairs(factor=1.2, n=10)])
    doc = json.loads(path.read_text())
    [bench] = doc["lstm_bench"]["benchmarks"]
    for r in bench["rounds"]:
        del r["process"]  # older duets: no process index; the repeat in repeat_rounds
    bench["repeat_rounds"] = [dict(r) for r in bench["rounds"]]
    path.write_text(json.dumps(doc))
    [loaded] = load_duet(path).benchmarks
    assert [p.n for p in loaded.processes()] == [10, 10] and loaded.process == (0,) * 10 + (1,) * 10
    bench["rounds"][0]["process"] = 7
    path.write_text(json.dumps(doc))
    with pytest.raises(InputError, match="process pair is not 0-2"):
        load_duet(path)


def test_a_gate_on_a_duet_whose_only_flag_a_third_process_pair_set_aside_passes(tmp_path, capsys):
    benchmarks = every_kind()
    benchmarks[0] = processes(1.36, 1.0, 1.0, case="a", kind="train_step")
    out = run_gate(capsys, duet_file(tmp_path / "aa.json", benchmarks), expect=0)
    assert "no regression" in out.splitlines()[-1]
    assert len(load_duet(tmp_path / "aa.json").benchmarks[0].processes()) == 3


def test_factor_sources():
    [default] = judge_pairs([pairs(kind="train_step")])
    [given] = judge_pairs([pairs()], Rule(factors={"predict": 1.5}, source="--factor"))
    [calibrated] = judge_pairs([pairs()], Rule(calibrated={("c", "predict"): 1.2}))
    assert (default.factor, default.source) == (DUET_FACTORS["train_step"], "duet default")
    assert (given.factor, given.source) == (1.5, "--factor")
    assert (calibrated.factor, calibrated.source) == (1.2, "calibrated")


# --------------------------------------------------------------------------- the gate and the reports


def test_the_gate_passes_an_a_a_duet_and_fails_a_slowed_one_naming_the_benchmarks(tmp_path, capsys):
    out = run_gate(capsys, duet_file(tmp_path / "aa.json", every_kind()), expect=0)
    assert out.splitlines()[-1].startswith("no regression: 9 timing(s) of a duet compared")
    slowed = duet_file(tmp_path / "slow.json", every_kind(lambda k: 1.1 if k == "train_step" else 1.0), {"train": 1.1})
    out = run_gate(capsys, slowed, expect=1)
    assert sorted(line.split()[1] for line in lines(out, "REGRESSION")) == ["a", "b", "c"]
    assert all("train_step" in line for line in lines(out, "REGRESSION"))
    assert lines(out, "SLOWED") and out.splitlines()[-1].startswith("FAIL: 3 regression(s)")


def test_a_duet_that_cannot_judge_most_timings_says_so_first_and_exits_3(tmp_path, capsys):
    out = run_gate(capsys, duet_file(tmp_path / "noisy.json", every_kind(jitter=0.3)), expect=3)
    first = out.splitlines()[0]
    assert first.startswith("CANNOT JUDGE:") and "could not be judged" in first
    assert "no regression" not in out


def test_a_run_timed_on_a_busy_machine_cannot_be_judged_either(tmp_path, capsys):
    base = result(tmp_path / "base.json", make_case("a"), make_case("b"))
    doc = json.loads(result(tmp_path / "run.json", make_case("a"), make_case("b")).read_text())
    for bench in doc["benchmarks"]:
        bench["extra_info"].update(load_average=3.9, cpu_count=2)
    (tmp_path / "run.json").write_text(json.dumps(doc))
    out = run_gate(capsys, base, tmp_path / "run.json", expect=3)
    assert out.splitlines()[0].startswith("CANNOT JUDGE: 6 of 6 judged timings")


def test_the_gate_markdown_table_and_the_report_of_a_duet(tmp_path, capsys):
    slowed = duet_file(tmp_path / "slow.json", every_kind(lambda k: 1.2 if k == "predict" else 1.0), {"predict": 1.2})
    out = run_gate(capsys, slowed, "--markdown", expect=1)
    assert out.startswith("### Timing gate (duet): FAIL: 3 regression(s)")
    assert len([r for r in out.splitlines() if r.startswith("|") and "**SLOWER**" in r]) == 3
    from reports.cli import main as report_main

    assert report_main([str(slowed), "-o", str(tmp_path / "report"), "--no-figures"]) == 0
    readme = (tmp_path / "report" / "README.md").read_text()
    assert "**SLOWER**" in readme and "Wilcoxon signed-rank" in readme


def test_a_duet_is_gated_alone_and_bad_files_get_one_line(tmp_path, capsys):
    aa = duet_file(tmp_path / "aa.json", every_kind())
    run_file = result(tmp_path / "run.json", make_case("a"))
    err = run_gate(capsys, run_file, aa, expect=2)
    assert "a duet file is gated alone" in err and len(err.strip().splitlines()) == 1
    err = run_gate(capsys, run_file, expect=2)
    assert "not a duet file" in err
    broken = json.loads(aa.read_text())
    broken["lstm_bench"]["benchmarks"][0]["rounds"][0]["head"] = -1
    (tmp_path / "broken.json").write_text(json.dumps(broken))
    with pytest.raises(InputError, match="rounds without positive base and head seconds"):
        load_duet(tmp_path / "broken.json")


def test_power_and_noise_accept_duets(tmp_path, capsys):
    aa = [duet_file(tmp_path / f"aa{i}.json", every_kind()) for i in range(2)]
    slowed = duet_file(tmp_path / "s.json", every_kind(lambda k: 1.1 if k != "train_step" else 1.0), {"inference": 1.1})
    (tmp_path / "s.json").write_text(
        (tmp_path / "s.json").read_text().replace('"inference": 1.1', '"predict": 1.1, "single_call": 1.1')
    )
    assert power_main(["--duets", "--aa", *map(str, aa), "--slowed", str(slowed), "-o", str(tmp_path / "p.md")]) == 0
    table = (tmp_path / "p.md").read_text()
    assert "| A/A: benchmarks flagged (false alarms)" in table
    assert any(r.startswith("| predict +10%: benchmarks flagged SLOWER") and "100%" in r for r in table.splitlines())
    assert power_main(["--duets", "--aa", str(slowed)]) == 2  # a slowed duet is not an A/A one
    capsys.readouterr()
    assert noise_main([*map(str, aa), "-o", str(tmp_path / "noise.json")]) == 0
    factors = json.loads((tmp_path / "noise.json").read_text())["factors"]
    assert set(factors) == {"a", "b", "c"} and all(e["factor"] >= 1.03 for k in factors.values() for e in k.values())
    run_gate(capsys, aa[0], "--noise", tmp_path / "noise.json", expect=0)


# --------------------------------------------------------------------------- the command


def test_pair_orders_are_balanced():
    abba = duet_tool.pair_orders(4, "abba", random.Random(0))
    assert abba == [("base", "head"), ("head", "base"), ("base", "head"), ("head", "base")]
    shuffled = duet_tool.pair_orders(10, "random", random.Random(5))
    assert sum(first == "base" for first, _ in shuffled) == 5
    assert shuffled == duet_tool.pair_orders(10, "random", random.Random(5))  # the recorded seed repeats it


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--kind", "bogus"], "unknown kind 'bogus'; valid kinds: train_step, predict, single_call"),
        (["--profile", "slow"], "unknown profile 'slow'; valid profiles: quick, full"),
        (["--order", "xy"], "unknown order 'xy'; valid orders: abba, random"),
        (["--slow-head", "fit:2"], "unknown kind 'fit'"),
        (["--rounds", "5", "--max-rounds", "3"], "--max-rounds >= --rounds"),
    ],
)
def test_bad_input_gets_one_line(tmp_path, capsys, args, message):
    code = duet_tool.main(["--base", sys.executable, "--head", sys.executable, "-o", str(tmp_path / "d.json"), *args])
    err = capsys.readouterr().err
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "d.json").exists()


def test_a_missing_python_and_a_slowdown_in_the_environment_are_refused(tmp_path, capsys, monkeypatch):
    code = duet_tool.main(["--base", str(tmp_path / "nope"), "--head", sys.executable, "-o", str(tmp_path / "d.json")])
    assert code == 2 and "--base" in capsys.readouterr().err
    monkeypatch.setenv("LSTM_BENCH_SLOWDOWN", "train:1.1")
    code = duet_tool.main(["--base", sys.executable, "--head", sys.executable, "-o", str(tmp_path / "d.json")])
    assert code == 2 and "--slow-head" in capsys.readouterr().err


FAKE_WORKER = """
import json, os, sys
mode = os.environ["FAKE_MODE"]
for line in sys.stdin:
    request = json.loads(line)
    if mode == "old":  # a worker from before duets: every request is a plan
        request["plan"]
    if request["op"] == "hello":
        answer = {"protocol": 2, "stack": {}, "commit": "fake", "package": "/fake", "python": sys.executable,
                  "cases": ["one_char", "extra"] if mode == "more" else ["one_char"], "threads": {}, "slowdown": {},
                  "untimed": {"a_control": "a_control is a control of one_char: not timed"}}
        try:  # mode offset: the first process started runs a third slower throughout
            os.close(os.open(os.environ["FAKE_MARKER"], os.O_CREAT | os.O_EXCL))
            slow = 1.36
        except (KeyError, FileExistsError):
            slow = 1.0
    elif request["op"] == "prepare":
        answer = {"params": 1, "input_shape": [1, 1], "plans": {"single_call": {"kind": "single_call"}}}
    elif request["op"] == "round":
        import random
        answer = {"calls": [0.01 * slow * (1 + random.random() / 100) for _ in range(request["calls"])],
                  "reference": 1e-3}
    else:
        answer = {}
    print("lstm-bench-timing: " + json.dumps(answer), flush=True)
"""


def fake_side(tmp_path: Path, mode: str) -> Path:
    """A python whose ``lstm_cases.timing_worker`` is a fake one (FAKE_WORKER) in the given mode."""
    package = tmp_path / "fake" / "lstm_cases"
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text("")
    (package / "timing_worker.py").write_text(FAKE_WORKER)
    python = tmp_path / f"python-{mode}"
    marker = f"FAKE_MARKER={tmp_path / 'slow-taken'}" if mode == "offset" else ""
    python.write_text(
        f'#!/bin/sh\nexec env PYTHONPATH={tmp_path / "fake"} FAKE_MODE={mode} {marker} {sys.executable} "$@"\n'
    )
    python.chmod(0o755)
    return python


@pytest.mark.parametrize(
    ("mode", "case_id", "message"),
    [
        ("old", "one_char", "base side speaks another worker protocol"),
        ("cases", "feature_window", "base side lacks case 'feature_window'; its cases: one_char"),
        ("cases", "one_char", "head side: one_char builds a model with parameters"),
    ],
)
def test_a_side_that_cannot_take_part_is_refused_in_one_line(tmp_path, capsys, mode, case_id, message):
    out = tmp_path / "d.json"
    code = duet_tool.main(["--base", str(fake_side(tmp_path, mode)), "--head", sys.executable, "--case", case_id, "-o",
                           str(out), "--kind", "single_call"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1, err
    assert not out.exists()


def test_a_case_new_in_the_head_is_skipped_and_a_control_case_refused(tmp_path, capsys):
    base, head, out = str(fake_side(tmp_path, "cases")), str(fake_side(tmp_path, "more")), tmp_path / "d.json"
    code = duet_tool.main(["--base", base, "--head", head, "--kind", "single_call", "-o", str(out)])
    assert code == 0, capsys.readouterr().err
    record = json.loads(out.read_text())["lstm_bench"]
    assert [b["case"] for b in record["benchmarks"]] == ["one_char"]
    assert record["skipped"] == [{"case": "extra", "why": "new in the head: the base side lacks it"}]
    code = duet_tool.main(["--base", base, "--head", head, "--case", "extra", "-o", str(tmp_path / "e.json")])
    assert code == 2 and "base side lacks case 'extra'" in capsys.readouterr().err  # named: refused
    code = duet_tool.main(["--base", base, "--head", head, "--case", "a_control", "-o", str(tmp_path / "e.json")])
    err = capsys.readouterr().err
    assert code == 2 and "--case a_control: a_control is a control of one_char: not timed" in err


def test_a_worker_offers_a_duet_every_case_but_the_controls():
    from lstm_cases import registry, timing
    from lstm_cases.timing_worker import WorkerServer

    server = WorkerServer(timing.Slowdown(), {})
    hello = server.answer({"op": "hello"})
    controls = {c for c, case in registry.all_cases().items() if case.control_of}
    assert controls and set(hello["untimed"]) == controls and not controls & set(hello["cases"])
    control = sorted(controls)[0]
    assert (
        "not timed" in server.answer({"op": "prepare", "case": control, "profile": "quick", "seed": 0})["unavailable"]
    )


def test_a_process_offset_brings_in_a_third_process_pair_that_sets_it_aside(tmp_path, capsys):
    side, out = str(fake_side(tmp_path, "offset")), tmp_path / "d.json"
    code = duet_tool.main(
        ["--base", side, "--head", side, "--case", "one_char", "--kind", "single_call", "-o", str(out)]
    )
    assert code == 0, capsys.readouterr().err
    [bench] = json.loads(out.read_text())["lstm_bench"]["benchmarks"]
    assert bench["process_pairs"] == 3 and {r["process"] for r in bench["rounds"]} == {0, 1, 2}
    [cmp] = judge_duet(load_duet(out))
    assert cmp.outcome == WITHIN and not cmp.processes[0].kept, cmp.describe()  # the first base process was slow
    assert cmp.processes[0].ratio.estimate < 1 / 1.3


def test_a_real_duet_finds_a_slowed_head_and_writes_every_pair(tmp_path, capsys):
    common = ["--base", sys.executable, "--head", sys.executable, "--case", "one_char", "--kind", "single_call"]
    slowed = tmp_path / "slowed.json"
    code = duet_tool.main([*common, "--rounds", "12", "--max-rounds", "12", "--slow-head", "single_call:3", "-o",
                           str(slowed)])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    record = json.loads(slowed.read_text())["lstm_bench"]
    assert record["kind"] == "duet" and record["sides"]["head"]["slowdown"] == {"single_call": 3.0}
    assert record["sides"]["base"]["slowdown"] == {} and record["sides"]["base"]["stack"]["backend"]
    [bench] = record["benchmarks"]
    assert (bench["case"], bench["kind"], len(bench["rounds"])) == ("one_char", "single_call", 24)
    assert [r["process"] for r in bench["rounds"][:4]] == [0, 1, 0, 1]  # the process pairs take turns
    assert [r["first"] for r in bench["rounds"] if r["process"] == 0][:4] == ["base", "head", "base", "head"]
    assert all(len(r["head_calls"]) == duet_tool.CALLS["single_call"] for r in bench["rounds"])
    assert record["process_pairs"] == 2 and bench["process_pairs"] == 2
    out = run_gate(capsys, slowed, expect=1)
    assert lines(out, "REGRESSION one_char single_call")
    assert "process pair 2:" in out and "bears it out" in out


def test_the_matrix_takes_the_stacks_speed_from_duets(tmp_path, capsys):
    from reports.matrix import main as matrix_main
    from tests.test_matrix import _folder

    folder = _folder(tmp_path, "tf221-keras3", "tf215-keras2")
    duets = tmp_path / "duets"
    duets.mkdir()
    duet_file(duets / "tf215-keras2.json", every_kind(lambda k: 1.2 if k == "single_call" else 1.0))
    assert matrix_main([str(folder), "-o", str(tmp_path / "out"), "--no-figures", "--duets", str(duets)]) == 0
    readme = (tmp_path / "out" / "README.md").read_text()
    section = readme[readme.index("## Speed against the reference stack, from duets") :]
    row = " ".join(next(r for r in section.splitlines() if "| single_call" in r).split())
    assert "| ×1.200 |" in row and "| 3 | 3 | 0 | 0 |" in row  # three benchmarks, all slower
    capsys.readouterr()
    assert matrix_main([str(folder), "-o", str(tmp_path / "out2"), "--duets", str(tmp_path / "none")]) == 2
    assert "no duet files" in capsys.readouterr().err


def test_a_benchmark_settles_only_where_its_flag_survives_the_duet_wide_control():
    from reports.duet import settled

    ten, twenty = pairs(factor=1.12, n=10, seed=4), pairs(factor=1.12, n=20, seed=4)
    assert settled(ten, comparisons=1) and not settled(ten, comparisons=45)  # 2 / 2**10 x 45 > 0.002
    assert settled(twenty, comparisons=45)
    assert settled(pairs(factor=1.0, jitter=0.005, n=10), comparisons=45)  # within factor needs no test


# --------------------------------------------------------------------------- the study behind the defaults

STUDY = Path(__file__).resolve().parent.parent / "docs" / "power"


def _study(name: str) -> dict:
    return json.loads((STUDY / name).read_text())


# The process-pair rule's study (docs/timing.md, "Process pairs"): the factors come from its calibration duets;
# the earlier studies' files stay as history, judged by the rules of their day.
CALIBRATION, CHECK = "duets-pairs-calibration.json", "duets-pairs-check.json"
HISTORY = ("duets-calibration.json", "duets-check.json", "duets-repeat-check.json")


def test_the_duet_factors_are_what_the_calibration_duets_call_for():
    from reports.duet_power import FLOOR, STEP

    calibration = _study(CALIBRATION)
    worst: dict[str, float] = {}
    for duet in calibration["aa"].values():
        for row in duet["benchmarks"]:
            worst.setdefault(row["kind"], 1.0)
            if row["q"] is not None and row["q"] < calibration["alpha"]:  # what a factor must keep unflagged
                worst[row["kind"]] = max(worst[row["kind"]], row["estimate"], 1 / row["estimate"])
    called_for = {k: max(FLOOR, round(math.ceil(w / STEP - 1e-9) * STEP, 3)) for k, w in worst.items()}
    assert called_for == calibration["calibrated_factors"] == dict(DUET_FACTORS)
    assert all("process_pairs" in row for d in calibration["aa"].values() for row in d["benchmarks"])


def test_the_duets_that_check_the_factors_never_set_them():
    calibration, check = _study(CALIBRATION), _study(CHECK)
    assert calibration["aa"] and check["aa"] and not set(calibration["aa"]) & set(check["aa"])
    assert check["slowed"], "the check judges slowed duets too"
    earlier = {name for f in HISTORY for name in _study(f)["aa"]}
    assert not (set(calibration["aa"]) | set(check["aa"])) & earlier, "a new study's A/A duets are new duets"
