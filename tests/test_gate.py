"""The regression gate (``python -m reports.gate``), on small hand-made result files."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from reports import gate
from reports.cli import main as report_main
from reports.gate import main
from reports.noise import main as noise_main
from tests.test_reports import (
    BAD_FILES,
    STACK_215,
    STACK_221,
    Case,
    make_case,
    noisy,
    row,
    run_report,
    table_text,
    write_result,
)


def result(path: Path, *cases: Case, profile: str = "quick", stack: dict = STACK_221, **per_seed) -> Path:
    """A result file of the cases; ``per_seed`` adds per-seed lists (first_epoch_seconds=...) to every case."""
    for case in cases:
        case.info.update(per_seed)
    return write_result(path, *cases, stack=stack, profile=profile)


def aa_case(case: str, center: float = 10.0, seed: int = 0, jitter: float = 0.02, **kw) -> Case:
    """One case with 16 steady training-step rounds around ``center``, 16 predict and 16 single-call rounds,
    all with ``jitter`` relative sd."""
    return make_case(
        case,
        step=noisy(center, 16, jitter, seed),
        predict=noisy(0.02, 16, jitter, seed + 100),
        single=noisy(0.002, 16, jitter, seed + 200),
        **kw,
    )


def run_gate(capsys, *args: object, expect: int, command=main) -> str:
    """Run ``command`` (the gate's main by default) in-process; its stdout, or its stderr when it should exit 2."""
    code = command([str(a) for a in args])
    captured = capsys.readouterr()
    assert code == expect, captured.out + captured.err
    if expect == 2:
        assert captured.out == ""
        return captured.err
    assert captured.err == ""
    return captured.out


def lines(text: str, *words: str) -> list[str]:
    return [line for line in text.splitlines() if all(w in line for w in words)]


# --------------------------------------------------------------------------- timings


def test_an_a_a_pair_with_2_percent_jitter_passes(tmp_path, capsys):
    a = result(tmp_path / "a.json", aa_case("one_char", seed=1), aa_case("stateful", 5.0, seed=2))
    b = result(tmp_path / "b.json", aa_case("one_char", seed=3), aa_case("stateful", 5.0, seed=4))
    out = run_gate(capsys, a, b, expect=0)
    assert "REGRESSION" not in out
    assert out.splitlines()[-1].startswith("no regression: 2 case(s), 2 claim(s), 6 judged timing(s) compared")
    assert lines(out, "rule:", "alpha 0.002 (false-discovery rate), factors train_step x1.25, predict x1.35")


def test_a_30_percent_slower_training_step_fails(tmp_path, capsys):
    a = result(tmp_path / "a.json", aa_case("one_char", seed=1, jitter=0.01), aa_case("stateful", seed=2))
    slow = aa_case("one_char", 13.0, seed=3, jitter=0.01)
    b = result(tmp_path / "b.json", slow, aa_case("stateful", seed=4))
    out = run_gate(capsys, a, b, expect=1)
    [line] = lines(out, "REGRESSION")
    assert line.startswith("REGRESSION one_char train_step: median 10 s -> 13 s (×1.31 [1.30, 1.31], +31%); ")
    assert "beyond factor x1.25 (default) and q=" in line and "16 rounds, 6 judged timings) < 0.002" in line
    assert out.splitlines()[-1].startswith("FAIL: 1 regression(s)")


def test_a_faster_run_is_a_note_not_a_failure(tmp_path, capsys):
    a = result(tmp_path / "a.json", aa_case("one_char", seed=1, jitter=0.01))
    b = result(tmp_path / "b.json", aa_case("one_char", 7.0, seed=3, jitter=0.01))
    out = run_gate(capsys, a, b, expect=0)
    assert lines(out, "faster: one_char train_step", "×0.70")
    assert "1 faster" in out.splitlines()[-1]


def test_a_wide_spread_slowdown_is_within_noise(tmp_path, capsys):
    a = result(tmp_path / "a.json", aa_case("one_char", seed=1, jitter=0.5))
    b = result(tmp_path / "b.json", aa_case("one_char", 13.5, seed=2, jitter=0.5))
    out = run_gate(capsys, a, b, expect=0)
    assert lines(out, "within noise: one_char train_step", "Mann-Whitney p=", ">= 0.002")


def test_three_rounds_cannot_tell_even_a_3x_slowdown(tmp_path, capsys):
    a = result(tmp_path / "a.json", make_case("one_char", step=[10.0, 10.1, 9.9]))
    b = result(tmp_path / "b.json", make_case("one_char", step=[30.0, 30.3, 29.7]))
    out = run_gate(capsys, a, b, expect=0)
    [line] = lines(out, "one_char train_step")
    assert line.startswith("cannot tell: one_char train_step: median 10 s -> 30 s (×3.00, +200%); ")
    assert "3 rounds among 3 judged timings can never give q < 0.002 (it takes 7 a side)" in line
    assert "1 cannot tell" in out.splitlines()[-1]


def test_whole_recipe_timings_are_never_gated(tmp_path, capsys):
    a = result(
        tmp_path / "a.json", make_case("one_char", train=[10.0, 10.1, 9.9]), first_epoch_seconds=[1.0, 1.1, 0.9],
        peak_rss_mb=[800.0] * 3,
    )  # fmt: skip
    b = result(
        tmp_path / "b.json", make_case("one_char", train=[30.0, 30.3, 29.7]), first_epoch_seconds=[3.0, 3.0, 3.0],
        peak_rss_mb=[2500.0] * 3,
    )  # fmt: skip
    out = run_gate(capsys, a, b, expect=0)
    assert "REGRESSION" not in out and "train:" not in out and "peak_rss_mb" not in out
    assert "3 judged timing(s) compared" in out.splitlines()[-1]


def test_a_file_without_per_round_data_cannot_tell(tmp_path, capsys):
    a = result(tmp_path / "a.json", aa_case("one_char", seed=1))
    no_data = aa_case("one_char", 25.0, seed=2)
    for bench in no_data.benchmarks:
        del bench["stats"]["data"]
        bench["extra_info"].pop("other_process_rounds", None)
    b = result(tmp_path / "b.json", no_data)
    out = run_gate(capsys, a, b, expect=0)
    [line] = lines(out, "one_char train_step")
    assert line.startswith("cannot tell: one_char train_step: median 10 s -> 24.7 s (×2.47")
    assert "no per-round samples in the run" in line


def test_a_slowed_run_is_named_as_such(tmp_path, capsys):
    a = result(tmp_path / "a.json", aa_case("one_char", seed=1, jitter=0.01))
    doc = json.loads(result(tmp_path / "b.json", aa_case("one_char", 13.0, seed=2, jitter=0.01)).read_text())
    doc["lstm_bench"]["timing"] = {"threads": 1, "slowdown": {"train_step": 1.2}, "cpu_count": 2}
    doc["benchmarks"][1]["extra_info"]["load_average"] = 4.5  # another program shared the machine
    b = tmp_path / "b.json"
    b.write_text(json.dumps(doc))
    out = run_gate(capsys, a, b, expect=1)
    assert lines(out, f"SLOWED {b}: made with the test-only slowdown LSTM_BENCH_SLOWDOWN (train_step x1.2)")
    assert lines(out, f"NOISY {b}: load average up to 4.5 on 2 cores while it timed (itself about 1)")
    report = run_report(capsys, tmp_path / "out", a, b)
    assert "test-only slowdown" in report and "NOISY" in report
    assert not lines(run_gate(capsys, a, a, expect=0), "NOISY")


# --------------------------------------------------------------------------- claims


def test_a_pass_to_fail_verdict_fails_naming_the_claim(tmp_path, capsys):
    a = result(tmp_path / "a.json", make_case("one_char", claims={"band": ("pass", [0.8, 0.85, 0.9])}))
    b = result(tmp_path / "b.json", make_case("one_char", claims={"band": ("fail", [0.4, 0.5, 0.6])}))
    out = run_gate(capsys, a, b, expect=1)
    [line] = lines(out, "REGRESSION")
    assert line.startswith("REGRESSION one_char claim band: pass -> FAIL (per-seed mean 0.85 -> 0.5")
    assert "rule: value >= 0.9 on every seed" in line


@pytest.mark.parametrize(
    ("before", "after", "expect", "text"),
    [
        ("xfail", "xpass", 1, "REGRESSION one_char claim band: expected fail -> XPASS"),
        ("xfail", "fail", 1, "REGRESSION one_char claim band: expected fail -> FAIL"),
        ("fail", "pass", 0, "verdict changed: one_char claim band: FAIL -> pass"),
        ("pass", "xfail", 0, "verdict changed: one_char claim band: pass -> expected fail"),
    ],
)
def test_verdict_changes(tmp_path, capsys, before, after, expect, text):
    a = result(tmp_path / "a.json", make_case("one_char", claims={"band": (before, [0.8, 0.85, 0.9])}))
    b = result(tmp_path / "b.json", make_case("one_char", claims={"band": (after, [0.8, 0.85, 0.9])}))
    assert lines(run_gate(capsys, a, b, expect=expect), text)


def test_moved_values_with_the_same_verdict_are_reported_without_failing(tmp_path, capsys):
    a = result(tmp_path / "a.json", make_case("one_char", claims={"band": ("pass", [0.8, 0.85, 0.9])}))
    b = result(tmp_path / "b.json", make_case("one_char", claims={"band": ("pass", [0.9, 0.95, 1.0])}))
    out = run_gate(capsys, a, b, expect=0)
    [line] = lines(out, "values moved")
    assert line.startswith(
        "values moved: one_char claim band: verdict kept (pass); per-seed mean 0.85 -> 0.95 (diff +0.1"
    )
    same = run_gate(capsys, a, a, expect=0)
    assert not lines(same, "values moved")


# --------------------------------------------------------------------------- mismatched inputs


def test_a_missing_case_fails_unless_allowed(tmp_path, capsys):
    a = result(tmp_path / "a.json", make_case("one_char"), make_case("stateful"))
    b = result(tmp_path / "b.json", make_case("one_char"), make_case("extra"))
    out = run_gate(capsys, a, b, expect=1)
    assert lines(out, "REGRESSION stateful: case missing in the run")
    assert lines(out, "case(s) only in the run, not compared: extra")
    out = run_gate(capsys, a, b, "--allow-missing", expect=0)
    assert lines(out, "missing (allowed by --allow-missing): stateful: case missing in the run")


def test_a_missing_benchmark_or_claim_fails_unless_allowed(tmp_path, capsys):
    a = result(tmp_path / "a.json", make_case("one_char", claims={"band": ("pass", [1.0] * 3)}))
    partial = make_case("one_char", claims={"other": ("pass", [1.0] * 3)})
    partial.benchmarks = [b for b in partial.benchmarks if b["extra_info"]["kind"] != "predict"]
    b = result(tmp_path / "b.json", partial)
    out = run_gate(capsys, a, b, expect=1)
    assert lines(out, "REGRESSION one_char predict: benchmark missing in the run")
    assert lines(out, "REGRESSION one_char claim band: missing in the run (baseline: pass)")
    assert lines(out, "new claim: one_char claim other: pass (not in the baseline)")
    run_gate(capsys, a, b, "--allow-missing", expect=0)


def test_a_different_profile_and_recipe_are_mismatch_warnings(tmp_path, capsys):
    a = result(tmp_path / "a.json", make_case("one_char", epochs=10))
    b = result(tmp_path / "b.json", make_case("one_char", epochs=50), profile="full", stack=STACK_215)
    out = run_gate(capsys, a, b, expect=0)
    assert lines(out, "MISMATCH profile: baseline quick, run full")
    assert lines(out, "MISMATCH recipe of one_char: epochs 10 -> 50")
    assert lines(out, "run:", "tf2.15/keras2/tensorflow, profile full")


# --------------------------------------------------------------------------- calibration


def test_calibrate_then_gate_with_per_case_factors(tmp_path, capsys):
    # A/A runs: "noisy" trains in 10, 12, 9 s from run to run, "quiet" within 1%
    runs = [
        result(tmp_path / f"aa{i}.json", aa_case("noisy", center, seed=i), aa_case("quiet", quiet, seed=10 + i))
        for i, (center, quiet) in enumerate([(10.0, 10.0), (12.0, 10.05), (9.0, 9.95)])
    ]
    noise = tmp_path / "noise.json"
    out = run_gate(capsys, *runs, "-o", noise, expect=0, command=noise_main)
    assert f"wrote {noise}: factors for 2 case(s) from 3 runs, profile quick" in out
    doc = json.loads(noise.read_text())
    assert doc["format"] == "lstm-bench-noise/1" and doc["profile"] == "quick"
    noisy_step = doc["factors"]["noisy"]["train_step"]
    assert noisy_step["max_ratio"] == pytest.approx(12 / 9, rel=0.03)
    assert noisy_step["factor"] == pytest.approx((12 / 9) ** 1.5, rel=0.05)  # exp(1.5 * ln(max/min))
    assert doc["factors"]["quiet"]["train_step"]["factor"] == 1.03  # the floor
    assert set(doc["factors"]["quiet"]) == {"train_step", "predict", "single_call"}
    assert not list(tmp_path.glob(".noise.json.*"))  # no temp file left

    # the same 30% slowdown in both cases
    base = result(
        tmp_path / "base.json", aa_case("noisy", seed=20, jitter=0.01), aa_case("quiet", seed=21, jitter=0.01)
    )
    slow = result(
        tmp_path / "slow.json",
        aa_case("noisy", 13.0, seed=22, jitter=0.01),
        aa_case("quiet", 13.0, seed=23, jitter=0.01),
    )
    out = run_gate(capsys, base, slow, "--noise", noise, expect=1)
    [line] = lines(out, "REGRESSION")
    assert line.startswith("REGRESSION quiet train_step:") and "(×1.3" in line and "factor x1.03 (calibrated)" in line
    assert not lines(out, "noisy train_step")  # within its calibrated factor x1.54
    # without the noise file both fail
    assert len(lines(run_gate(capsys, base, slow, expect=1), "REGRESSION")) == 2


def test_calibrate_refuses_runs_of_different_stacks(tmp_path, capsys):
    a = result(tmp_path / "a.json", make_case("one_char"))
    b = result(tmp_path / "b.json", make_case("one_char"), stack=STACK_215)
    err = run_gate(capsys, a, b, "-o", tmp_path / "n.json", expect=2, command=noise_main)
    assert err.count("\n") == 1 and err.startswith("python -m reports.noise: error: ") and str(b) in err
    assert "A/A calibration needs runs of one stack and profile" in err
    assert not (tmp_path / "n.json").exists()
    err = run_gate(capsys, a, "-o", tmp_path / "n.json", expect=2, command=noise_main)
    assert "two or more" in err and err.count("\n") == 1


def test_a_noise_file_for_another_profile_is_a_mismatch(tmp_path, capsys):
    runs = [result(tmp_path / f"f{i}.json", aa_case("one_char", seed=i), profile="full") for i in range(2)]
    noise = tmp_path / "noise.json"
    run_gate(capsys, *runs, "-o", noise, expect=0, command=noise_main)
    a = result(tmp_path / "a.json", aa_case("one_char", seed=5))
    out = run_gate(capsys, a, a, "--noise", noise, expect=0)
    assert lines(out, "MISMATCH noise file", "calibrated on profile full, the baseline is quick")


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(("make", "problem"), BAD_FILES)
@pytest.mark.parametrize("position", ["baseline", "run", "noise"])
def test_bad_input_exits_2_with_one_line_naming_the_file(tmp_path, capsys, make, problem, position):
    good = result(tmp_path / "good.json", make_case("one_char"))
    bad = tmp_path / "bad.json"
    if make is not None:
        make(bad)
    args = {"baseline": [bad, good], "run": [good, bad], "noise": [good, bad, "-o", tmp_path / "n"]}
    command = noise_main if position == "noise" else main
    err = run_gate(capsys, *args[position], expect=2, command=command)
    assert err.count("\n") == 1 and err.startswith(f"python -m reports.{'noise' if position == 'noise' else 'gate'}: ")
    assert str(bad) in err and problem in err and "Traceback" not in err
    assert not (tmp_path / "n").exists()


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("{oops", "not valid JSON"),
        ('{"factors": {}}', "not a noise file"),
        ('{"format": "lstm-bench-noise/1", "factors": {"a": {"train": {"factor": "x"}}}}', "a / train is not a number"),
        ('{"format": "lstm-bench-noise/1", "factors": {}}', "without any factor"),
    ],
)
def test_a_bad_noise_file_exits_2(tmp_path, capsys, content, problem):
    good = result(tmp_path / "good.json", make_case("one_char"))
    noise = tmp_path / "noise.json"
    noise.write_text(content)
    err = run_gate(capsys, good, good, "--noise", noise, expect=2)
    assert err.count("\n") == 1 and str(noise) in err and problem in err


def test_bad_options_exit_2(tmp_path, capsys):
    good = result(tmp_path / "good.json", make_case("one_char"))
    assert "--factor must be > 1" in run_gate(capsys, good, good, "--factor", "0.9", expect=2)
    assert "--alpha must be between 0 and 1" in run_gate(capsys, good, good, "--alpha", "2", expect=2)


# --------------------------------------------------------------------------- the command


def test_help_states_the_rules(capsys):
    assert "Rules\n=====" in gate.__doc__ and gate.RULES in gate.__doc__
    for command, words in (
        (main, ("Benjamini-Hochberg", "disagreement", "busy", "whole-recipe timings")),
        (noise_main, ("max(floor, exp(safety * spread))",)),
    ):
        with pytest.raises(SystemExit) as done:
            command(["--help"])
        assert done.value.code == 0
        out = capsys.readouterr().out
        assert all(w in out for w in words), out


def test_gate_calibrate_points_at_reports_noise(tmp_path, capsys):
    a = result(tmp_path / "a.json", make_case("one_char"))
    err = run_gate(capsys, "calibrate", a, a, "-o", tmp_path / "n.json", expect=2)
    assert err == (
        "python -m reports.gate: error: `calibrate` moved: run "
        "`python -m reports.noise A1.json A2.json [...] -o NOISE.json` (same options)\n"
    )
    assert not (tmp_path / "n.json").exists()


def test_the_module_runs_and_never_imports_tensorflow(tmp_path):
    a = result(tmp_path / "a.json", make_case("one_char"))
    probe = (
        "import sys, runpy; sys.argv = ['gate', sys.argv[1], sys.argv[1]];\n"
        "try: runpy.run_module('reports.gate', run_name='__main__')\n"
        "except SystemExit as e: code = e.code\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras', 'tf_keras', 'matplotlib'))\n"
        "print('CODE', code, 'IMPORTED', bad)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe, str(a)], capture_output=True, text=True, timeout=60)
    assert "CODE 0 IMPORTED []" in done.stdout, done.stdout + done.stderr
    assert "no regression" in done.stdout


# --------------------------------------------------------------------------- one rule for the report and the gate


def _report_flags(readme: str) -> set[tuple[str, str, str]]:
    """(case, metric, direction) of every bullet the report's summary flags: SLOWER, FASTER, VERDICT WORSE."""
    words = {"SLOWER": "slower", "FASTER": "faster", "VERDICT WORSE": "worse"}
    found = set()
    for line in readme.split("## Summary", 1)[1].split("\n## ", 1)[0].splitlines():
        match = re.match(r"- \*\*(SLOWER|FASTER|VERDICT WORSE)\*\* `([^`]+)` (claim `[^`]+`|\w+):", line)
        if match:
            found.add((match[2], match[3].replace("`", ""), words[match[1]]))
    return found


def _gate_flags(out: str) -> set[tuple[str, str, str]]:
    """(case, metric, direction) of the gate's regressions (REGRESSION ...) and speed-ups (faster: ...)."""
    found = set()
    for line in out.splitlines():
        if match := re.match(r"REGRESSION (\S+) (claim \S+|\S+): ", line):
            found.add((match[1], match[2], "worse" if match[2].startswith("claim ") else "slower"))
        elif match := re.match(r"faster: (\S+) (\S+): ", line):
            found.add((match[1], match[2], "faster"))
    return found


@pytest.mark.parametrize("options", [[], ["--factor", "1.3", "--alpha", "0.01"], ["--noise"]])
def test_the_report_flags_exactly_what_the_gate_calls_a_regression_or_a_speed_up(tmp_path, capsys, options):
    base_claims = {"band": ("pass", [0.8, 0.85, 0.9]), "other": ("fail", [0.5, 0.5, 0.5])}
    new_claims = {"band": ("fail", [0.4, 0.5, 0.6]), "other": ("pass", [0.9, 0.9, 0.9])}  # worse, and better
    rss = {"peak_rss_mb": [800.0, 810.0, 790.0]}
    base = [
        aa_case("clear", 10.0, seed=1, jitter=0.01),
        make_case("huge3", step=[10.0, 10.1, 9.9]),
        make_case("small3", step=[10.0, 10.1, 9.9]),
        aa_case("noisy", 10.0, seed=3, jitter=0.5),
        aa_case("speedup", 10.0, seed=5, jitter=0.01),
        make_case("verdict", claims=base_claims),
    ]
    run = [
        aa_case("clear", 13.0, seed=2, jitter=0.01),  # slower, 16 rounds: the test tells
        make_case("huge3", step=[30.0, 30.3, 29.7]),  # x3 with 3 rounds: cannot tell (no ratio alone)
        make_case("small3", step=[11.5, 11.6, 11.4]),  # x1.15 with 3 rounds: cannot tell
        aa_case("noisy", 12.0, seed=4, jitter=0.5),  # within noise
        aa_case("speedup", 7.0, seed=6, jitter=0.01),  # faster
        make_case("verdict", claims=new_claims),
    ]
    base[0].info.update(rss)
    run[0].info.update(peak_rss_mb=[2500.0, 2400.0, 2600.0])  # a whole-recipe metric: shown, never flagged
    a, b = result(tmp_path / "a.json", *base), result(tmp_path / "b.json", *run)
    if options == ["--noise"]:  # calibrated on two A/A runs: wider factors for some cases
        aa = [
            result(
                tmp_path / f"aa{i}.json",
                aa_case("clear", 10.0 + i, seed=10 + i),
                aa_case("noisy", 9.0 + 3 * i, seed=20 + i),
            )
            for i in range(2)
        ]
        run_gate(capsys, *aa, "-o", tmp_path / "noise.json", expect=0, command=noise_main)
        options = ["--noise", str(tmp_path / "noise.json")]

    gate_out = run_gate(capsys, a, b, *options, expect=1)
    assert report_main([str(a), str(b), "-o", str(tmp_path / "out"), "--no-figures", *options]) == 0
    capsys.readouterr()
    readme = table_text((tmp_path / "out" / "README.md").read_text())

    flagged = _report_flags(readme)
    assert flagged == _gate_flags(gate_out)
    assert ("verdict", "claim band", "worse") in flagged
    assert not any(case in ("huge3", "small3", "noisy") for case, _, _ in flagged)
    assert not any(metric == "peak_rss_mb" for _, metric, _ in flagged)
    if not options:
        assert {("clear", "train_step", "slower"), ("speedup", "train_step", "faster")} <= flagged
        for words in ("cannot tell: ", "within noise: "):  # the same words in both
            assert lines(gate_out, words) and words in readme
    # the tables flag the same as the summary: one bold cell per summary bullet
    for word, direction in (("SLOWER", "slower"), ("FASTER", "faster")):
        assert readme.count(f"**{word}**:") == len([f for f in flagged if f[2] == direction])
    if "--noise" in options:  # both used the calibrated factor of clear train_step
        assert "factor x1.17 (calibrated)" in row(readme, "`clear`", "| 10 s (16) |")
        assert "factor x1.17 (calibrated)" in lines(gate_out, "REGRESSION clear train_step")[0]
    assert "VERDICT CHANGED" not in readme and "verdict changed `verdict` claim `other`" in readme
    assert lines(gate_out, "verdict changed: verdict claim other: FAIL -> pass")


def _as_schema_1(path: Path) -> Path:
    """The file as lstm-bench wrote it before the plans' fingerprints (schema 1)."""
    doc = json.loads(path.read_text())
    doc["lstm_bench"]["schema"] = 1
    for bench in doc["benchmarks"]:
        bench["extra_info"].pop("plan_fingerprint", None)
    path.write_text(json.dumps(doc))
    return path


def test_a_schema_1_baseline_has_its_timings_refused_in_one_line_and_its_claims_compared(tmp_path, capsys):
    base = _as_schema_1(result(tmp_path / "old.json", aa_case("one_char"), aa_case("stateful", seed=3)))
    slow = result(tmp_path / "run.json", aa_case("one_char", center=30.0, seed=1), aa_case("stateful", seed=4))
    out = run_gate(capsys, base, slow, expect=3)  # x3 slower, but other work may be: not judged, never "no regression"
    refused = [line for line in out.splitlines() if line.startswith("NOT COMPARED timings")]
    assert refused == [
        f"NOT COMPARED timings of {base}: schema 1, made before the plans' fingerprints, so the rounds may be "
        "other work; the claims are compared (--claims-only: claims only)"
    ]
    assert "REGRESSION" not in out and "CANNOT JUDGE: 6 of 6 judged timings could not be judged" in out
    assert "6 not compared (other work)" in out
    assert not [line for line in out.splitlines() if line.startswith("not compared: one_char")]  # one line said it
    assert run_gate(capsys, base, slow, "--claims-only", expect=0).splitlines()[-1].startswith("no regression")


def test_timings_of_two_plans_are_other_work_each_said_in_one_line(tmp_path, capsys):
    base = result(tmp_path / "base.json", aa_case("one_char"))
    other = result(tmp_path / "run.json", aa_case("one_char", center=30.0, seed=1))
    doc = json.loads(other.read_text())
    step = next(b for b in doc["benchmarks"] if b["group"] == "train_step")
    step["extra_info"]["plan_fingerprint"] = "another-plan"  # e.g. the case's shapes changed the work per round
    other.write_text(json.dumps(doc))
    out = run_gate(capsys, base, other, expect=0)  # the other two timings are judged: within
    assert out.splitlines()[-1].endswith("1 not compared (other work)")
    assert lines(out, "not compared: one_char train_step") == [
        "not compared: one_char train_step: the plans differ (fingerprint plan-of-train_step vs another-plan): "
        "other work per round"
    ]
    assert "REGRESSION one_char train_step" not in out


def test_markdown_puts_two_runs_report_in_a_text_block(tmp_path, capsys):
    base = result(tmp_path / "base.json", aa_case("one_char"))
    run = result(tmp_path / "run.json", aa_case("one_char", seed=1))
    out = run_gate(capsys, base, run, "--claims-only", "--markdown", expect=0)
    assert out.startswith("```text\nbaseline: ") and out.endswith("```\n")
    assert run_gate(capsys, base, run, "--claims-only", expect=0) == out[len("```text\n") : -len("```\n")]
