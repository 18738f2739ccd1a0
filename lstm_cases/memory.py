"""Peak resident memory (RSS high-water mark) of this process during one training run.

Linux keeps the high-water mark in /proc/self/status (VmHWM) and resets it when "5" is
written to /proc/self/clear_refs, so each run's peak is its own. Elsewhere the fallback is
getrusage's ru_maxrss, which never goes down (the peak of the whole process so far); on Windows,
which has no ``resource`` module, psutil's peak working set (also the process's peak so far).
"""

from __future__ import annotations

import sys
from pathlib import Path

_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


def reset_peak() -> bool:
    """Reset the high-water mark; False where the platform cannot."""
    try:
        _CLEAR_REFS.write_text("5")
    except OSError:
        return False
    return True


def peak_rss_mb() -> float:
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    if sys.platform == "win32":
        import psutil

        return psutil.Process().memory_info().peak_wset / (1024 * 1024)
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024  # bytes on macOS, kB elsewhere
