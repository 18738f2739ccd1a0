"""The comparison rule's command-line options (--factor, --alpha, --noise), the same with the same
defaults in every command that judges timings: ``python -m reports``, ``reports.gate``, ``reports.matrix``,
``reports.power``. The rule itself is ``reports.compare``."""

from __future__ import annotations

import argparse
from pathlib import Path

from lstm_cases.record.schema import GATED
from reports.command import OptionError
from reports.compare import DEFAULT_ALPHA, DEFAULT_FACTORS, Rule
from reports.noise import PROG as NOISE_PROG
from reports.noise import Noise, load_noise


def add_rule_options(parser: argparse.ArgumentParser) -> None:
    """--factor, --alpha and --noise: the comparison rule's settings (``reports.compare``), same defaults everywhere."""
    defaults = ", ".join(f"{m} {f:g}" for m, f in DEFAULT_FACTORS.items())
    parser.add_argument(
        "--factor",
        type=float,
        default=None,
        help=f"ratio a judged timing must exceed, either way, where --noise has none, for every metric "
        f"(default per metric: {defaults})",
    )
    parser.add_argument(
        "--alpha",
        type=float,
        default=DEFAULT_ALPHA,
        help=f"... and the false-discovery rate (Benjamini-Hochberg q of the Mann-Whitney U p-values over the "
        f"run's judged timings) it must go below (default {DEFAULT_ALPHA})",
    )
    parser.add_argument(
        "--noise", type=Path, metavar="NOISE.json", help=f"per-(case, metric) factors from {NOISE_PROG}"
    )
    parser.add_argument(
        "--no-reference",
        action="store_true",
        help="compare steady-state rounds as timed, not divided by the machine's reference timed beside them",
    )


def rule_from_args(args: argparse.Namespace) -> tuple[Rule, Noise | None]:
    """The rule of --factor / --alpha / --noise; OptionError or InputError (one line) when unusable."""
    if args.factor is not None and not args.factor > 1:
        raise OptionError(f"--factor must be > 1, got {args.factor}")
    if not 0 < args.alpha < 1:
        raise OptionError(f"--alpha must be between 0 and 1, got {args.alpha}")
    noise = load_noise(args.noise) if args.noise is not None else None
    calibrated = noise.factors if noise is not None else {}
    use_reference = not args.no_reference
    if args.factor is None:
        return Rule(alpha=args.alpha, calibrated=calibrated, use_reference=use_reference), noise
    factors = dict.fromkeys(GATED, args.factor)
    rule = Rule(factors, args.alpha, calibrated, source="--factor", use_reference=use_reference)
    return rule, noise


def rule_options(args: argparse.Namespace) -> list[str]:
    """The rule's options as given, to pass on to another command (the matrix to the report)."""
    options = ["--alpha", str(args.alpha)]
    options += ["--factor", str(args.factor)] if args.factor is not None else []
    options += ["--noise", str(args.noise)] if args.noise is not None else []
    options += ["--no-reference"] if args.no_reference else []
    return options
