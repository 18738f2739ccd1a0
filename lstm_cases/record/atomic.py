"""Write a file whole or not at all: a temp file in the same folder, then os.replace."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path


def write_atomic(path: Path | str, data: str | bytes) -> Path:
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path


def write_folder(out: Path, figures: Mapping[str, bytes], readme: str) -> Path:
    """A report folder: every figure first, then README.md, which links them (a README never names a
    missing figure); each file whole or not at all. The README's path."""
    out.mkdir(parents=True, exist_ok=True)
    for name, data in figures.items():
        write_atomic(out / name, data)
    return write_atomic(out / "README.md", readme)
