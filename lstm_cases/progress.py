"""Progress of long training runs: a line now and then for a seed that trains for long.

A full-profile seed trains for 7-35 minutes on a small CPU with nothing to show for it; a
quick one for seconds. Once a seed has trained ``after`` seconds (``--progress-after``,
default 30), each tenth of its epochs, or ``every`` seconds at the least, writes one line::

    lstm-bench: binary_increment seed 2: epoch 40/100, 14m03s elapsed, about 21m05s left

and its last epoch writes how long it took. A quick run stays silent. The pytest plugin
installs a :class:`Reporter` that writes through pytest's terminal; ``runner.train`` asks
:func:`seed_callbacks` for the Keras callback of each seed (none when nothing is installed,
as in the measuring tools, and on xdist workers, whose output pytest does not show).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lstm_cases import compat
from lstm_cases.core import Recipe


@dataclass
class Reporter:
    """Where progress lines go, and when a seed is long enough to report."""

    write: Callable[[str], None]
    after: float = 30.0  # seconds a seed trains before its first line
    every: float = 60.0  # seconds between lines, at the most, once reporting
    clock: Callable[[], float] = time.perf_counter


_installed: list[Reporter] = []


def install(reporter: Reporter) -> None:
    """Report every seed trained from now on (until :func:`uninstall`)."""
    _installed[:] = [reporter]


def uninstall() -> None:
    _installed.clear()


def duration(seconds: float) -> str:
    """``42s``, ``3m07s``, ``1h02m``."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


@dataclass
class SeedProgress:
    """One seed's training: counts its Keras epochs across fit calls (the stateful recipe fits
    one epoch at a time) and writes a line when one is due."""

    reporter: Reporter
    case_id: str
    seed: int
    epochs: int  # the recipe's epochs
    per_pass: int = 1  # recipe epochs in one Keras epoch (epochs_per_pass)
    done: int = 0  # Keras epochs done
    start: float = field(default=0.0)
    last_line: float | None = None
    last_tenth: int = 0

    def __post_init__(self) -> None:
        self.start = self.reporter.clock()

    @property
    def passes(self) -> int:
        return max(1, self.epochs // self.per_pass)

    def epoch_done(self) -> None:
        self.done += 1
        now = self.reporter.clock()
        elapsed = now - self.start
        if elapsed < self.reporter.after:
            return
        where = f"lstm-bench: {self.case_id} seed {self.seed}"
        if self.done >= self.passes:
            self.reporter.write(f"{where}: trained {self.epochs} epochs in {duration(elapsed)}")
            return
        tenth = 10 * self.done // self.passes
        due = self.last_line is None or tenth > self.last_tenth or now - self.last_line >= self.reporter.every
        if not due:
            return
        left = elapsed / self.done * (self.passes - self.done)
        self.reporter.write(
            f"{where}: epoch {self.done * self.per_pass}/{self.epochs}, "
            f"{duration(elapsed)} elapsed, about {duration(left)} left"
        )
        self.last_line, self.last_tenth = now, tenth


def seed_callbacks(case_id: str, seed: int, recipe: Recipe) -> list[Any]:
    """The Keras callbacks that report one seed's training: one, or none when nothing is installed."""
    if not _installed:
        return []

    class Progress(compat.keras().callbacks.Callback):
        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            seed_progress.epoch_done()

    callback = Progress()  # Keras imported: the seed's clock starts now, as its training does
    seed_progress = SeedProgress(_installed[0], case_id, seed, recipe.epochs, recipe.epochs_per_pass)
    return [callback]
