"""``lstm-bench run [PYTEST ARGS...]``: pytest over the bench modules, wherever they are installed.

In a checkout (an editable install) that is the checkout's ``bench/``, so ``lstm-bench run`` is
``pytest bench``; from a wheel it is the installed ``lstm_cases.bench``, run from any folder. Every
argument goes to pytest as it is (``--case one_char``, ``--profile full``, ``--benchmark-json F``, ...).
The rootdir is the bench folder's parent, so that test ids read ``bench/test_...`` either way; pytest's
cache goes to the current folder, never into the installation.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from lstm_cases.xdist_support import bench_folder


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    bench = bench_folder()
    given = " ".join(argv)
    settings = [] if "--rootdir" in given else [f"--rootdir={bench.parent}"]
    if "cache_dir" not in given and "no:cacheprovider" not in given:
        settings += ["-o", f"cache_dir={Path.cwd() / '.pytest_cache'}"]
    return int(pytest.main([*settings, str(bench), *argv]))


if __name__ == "__main__":
    sys.exit(main())
