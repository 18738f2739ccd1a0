"""Text loading shared by the sentiment and char-generation families (seed 004).

The same functions read the offline default data and the real-scale data a user points at:

- ``tokenize``: NLTK's ``TreebankWordTokenizer`` on a whole review, as the source does
  (it splits "don't" into "do" + "n't" and leaves sentence-internal full stops attached).
- ``load_word_vectors``: gensim ``KeyedVectors.load_word2vec_format``, binary or text, with
  ``limit``, ``encoding`` and ``unicode_errors``.
- ``read_aclimdb``: the aclImdb layout, ``train/pos`` and ``train/neg``, one review per file.
- ``read_labelled_lines``: fastText-style ``__label__pos text`` lines (gensim's
  ``pang_lee_polarity.cor``).
- ``gutenberg_shakespeare``: NLTK's Gutenberg corpus reader, the three Shakespeare plays.
- ``gensim_test_file``: a file in gensim's own test data folder, found through
  ``gensim.test.utils.datapath``.

Data that is there but unusable raises ``DataError`` with one line naming the file and what
is wrong; data nobody gave raises ``DataUnavailable`` (see ``DATA_PATHS``). gensim and NLTK
are imported on first use, so importing this module (the registry does) stays cheap.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from lstm_cases.core import DataError, DataPath

# --------------------------------------------------------------------------- data locations

IMDB_DIR = DataPath(
    "--imdb-dir",
    "LSTM_BENCH_IMDB_DIR",
    "aclImdb directory (the one holding train/pos and train/neg) for the real-scale sentiment cases",
)
WORD_VECTORS = DataPath(
    "--word-vectors",
    "LSTM_BENCH_WORD_VECTORS",
    "300-d word2vec file for the real-scale sentiment cases, e.g. GoogleNews-vectors-negative300.bin "
    "(binary; a .txt or .vec name is read as text)",
)
NLTK_DATA = DataPath(
    "--nltk-data",
    "LSTM_BENCH_NLTK_DATA",
    "NLTK data directory holding corpora/gutenberg (or gutenberg.zip) for the Shakespeare case",
)
DATA_PATHS = (IMDB_DIR, WORD_VECTORS, NLTK_DATA)

# gensim's polarity files are Windows-1252, not UTF-8: 0x97 is an em dash, 0xe9 "é"
# ("clichés", "amélie's"). Both files are read with this encoding so their words match.
PANG_LEE_ENCODING = "cp1252"


# --------------------------------------------------------------------------- plain text


def gensim_test_file(name: str) -> Path:
    """A file in the installed gensim's test data folder (``gensim.test.utils.datapath``): the
    offline default data of the text families, so its absence is an error, not a skip."""
    from gensim.test.utils import datapath

    path = Path(datapath(name))
    if not path.is_file():
        raise DataError(
            f"{path}: gensim's test data file {name} is missing, and it is the default data of the text cases; "
            "reinstall gensim (pip install --force-reinstall gensim) so that its test data is installed"
        )
    return path


def _decode(path: Path, raw: bytes, encoding: str) -> str:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as err:
        raise DataError(
            f"{path}: not {encoding} text (byte 0x{raw[err.start]:02x} at offset {err.start}: {err.reason}); "
            "give the file's encoding"
        ) from None


def read_text(path: Path, encoding: str = "utf-8") -> str:
    """The whole file, decoded strictly: a wrong encoding is a one-line DataError."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise DataError(f"{path}: is a directory, not a text file") from None
    return _decode(path, raw, encoding)


@cache
def _treebank() -> Any:
    from nltk.tokenize import TreebankWordTokenizer

    return TreebankWordTokenizer()


def tokenize(text: str) -> list[str]:
    """Source: 004 ``TreebankWordTokenizer().tokenize(review)``."""
    return _treebank().tokenize(text)


LABELS = {"__label__pos": 1, "__label__neg": 0}


def read_labelled_lines(path: Path, encoding: str = "utf-8") -> list[tuple[int, str]]:
    """``__label__pos text`` / ``__label__neg text`` lines -> (1 or 0, text); blank lines skipped."""
    samples = []
    for number, line in enumerate(read_text(path, encoding).splitlines(), start=1):
        if not line.strip():
            continue
        label, _, text = line.partition(" ")
        if label not in LABELS:
            raise DataError(f"{path}:{number}: unknown label {label[:40]!r} (expected __label__pos or __label__neg)")
        samples.append((LABELS[label], text.strip()))
    if not samples:
        raise DataError(f"{path}: no labelled lines")
    return samples


# --------------------------------------------------------------------------- aclImdb


def read_aclimdb(root: Path, split: str = "train") -> list[tuple[int, str]]:
    """Source: 004 ``pre_process_data``: every ``{split}/pos/*.txt`` (label 1) then every
    ``{split}/neg/*.txt`` (label 0), one review per file, UTF-8. Files are read in name
    order (the source's order is the file system's, then shuffled)."""
    root = Path(root)
    if not root.is_dir():
        raise DataError(f"{root}: not a directory (give the aclImdb folder that holds {split}/pos and {split}/neg)")
    dataset: list[tuple[int, str]] = []
    for folder, label in (("pos", 1), ("neg", 0)):
        where = root / split / folder
        if not where.is_dir():
            raise DataError(
                f"{root}: no {split}/{folder} folder (expected the aclImdb layout: {split}/pos, {split}/neg)"
            )
        files = sorted(where.glob("*.txt"))
        if not files:
            raise DataError(f"{where}: no *.txt reviews")
        dataset.extend((label, read_text(f, "utf-8")) for f in files)
    return dataset


# --------------------------------------------------------------------------- NLTK Gutenberg


def gutenberg_shakespeare(nltk_data: Path) -> str:
    """Source: 004 section 5.2: every Gutenberg file id containing "shakespeare", in
    ``fileids()`` order, ``raw(...).lower()``, joined. Read with NLTK's own corpus reader
    (as ``nltk.corpus.gutenberg`` defines it: plain text, latin-1) from ``nltk_data`` only;
    nothing is downloaded."""
    import nltk
    from nltk.corpus.reader import PlaintextCorpusReader

    nltk_data = Path(nltk_data).resolve()
    if not nltk_data.is_dir():
        raise DataError(f"{nltk_data}: not a directory (give the NLTK data folder that holds corpora/gutenberg)")
    # NLTK (3.9+) reads corpora only under its data path: add the folder while reading.
    added = str(nltk_data) not in nltk.data.path
    if added:
        nltk.data.path.insert(0, str(nltk_data))
    try:
        root = _find_nltk(nltk, nltk_data, "corpora/gutenberg", "corpora/gutenberg.zip/gutenberg/")
        if root is None:
            raise DataError(
                f"{nltk_data}: no corpora/gutenberg or corpora/gutenberg.zip "
                f"(fetch it once with: python -m nltk.downloader -d {nltk_data} gutenberg)"
            )
        reader = PlaintextCorpusReader(root, r"(?!\.).*\.txt", encoding="latin1")
        plays = [f for f in reader.fileids() if "shakespeare" in f]
        if not plays:
            raise DataError(f"{root}: no shakespeare-*.txt files in the Gutenberg corpus")
        return "".join(reader.raw(f).lower() for f in plays)
    finally:
        if added:
            nltk.data.path.remove(str(nltk_data))


def _find_nltk(nltk: Any, folder: Path, *names: str) -> Any | None:
    """The first of ``names`` found in ``folder`` (NLTK's own lookup: a folder or a zip)."""
    for name in names:
        try:
            return nltk.data.find(name, paths=[str(folder)])
        except LookupError:
            continue
    return None


# --------------------------------------------------------------------------- word vectors

_TEXT_SUFFIXES = (".txt", ".vec")
_NUMERIC_BYTES = frozenset(b"0123456789.-+eE \t\r\n")


def is_text_format(path: Path) -> bool:
    """word2vec files named ``*.txt`` / ``*.vec`` (optionally ``.gz`` / ``.bz2``) are text."""
    suffixes = [s for s in Path(path).suffixes if s not in (".gz", ".bz2")]
    return bool(suffixes) and suffixes[-1] in _TEXT_SUFFIXES


def _sniff(path: Path, binary: bool) -> None:
    """Check the header and the first record before gensim parses the file, so that a
    wrong format is named as such instead of being read as garbage."""
    from gensim import utils

    with utils.open(str(path), "rb") as fh:
        head = fh.read(1 << 16)
    if not head:
        raise DataError(f"{path}: empty file, not a word2vec file")
    first, _, rest = head.partition(b"\n")
    fields = first.split()
    if len(fields) != 2 or not all(f.isdigit() for f in fields):
        raise DataError(f"{path}: not a word2vec file: its first line {first[:60]!r} is not '<count> <dimensions>'")
    dims = int(fields[1])
    word, space, body = rest.partition(b" ")
    if not space:
        return  # a single-word file cut short: gensim names the damage
    if binary:
        record = body[: 4 * dims]
        if len(record) == 4 * dims and set(record) <= _NUMERIC_BYTES:
            raise DataError(f"{path}: a text word2vec file, not binary (its vectors are written as digits)")
    else:
        line = body.partition(b"\n")[0]
        if b"\x00" in line or not set(line) <= _NUMERIC_BYTES:
            raise DataError(f"{path}: not a text word2vec file (the first vector is not written as numbers; binary?)")


def load_word_vectors(
    path: Path,
    binary: bool | None = None,
    limit: int | None = None,
    encoding: str = "utf8",
    unicode_errors: str = "strict",
) -> Any:
    """``KeyedVectors.load_word2vec_format`` with one-line errors for broken files.

    ``binary`` None: text for ``*.txt`` / ``*.vec`` names, binary otherwise. ``encoding``
    and ``unicode_errors`` go to gensim: a word that is not valid in ``encoding`` is an
    error unless ``unicode_errors`` says otherwise (e.g. "replace")."""
    from gensim.models import KeyedVectors

    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: no such file")
    if path.is_dir():
        raise DataError(f"{path}: is a directory, not a word2vec file")
    binary = not is_text_format(path) if binary is None else binary
    kind = "binary" if binary else "text"
    _sniff(path, binary)
    try:
        kv = KeyedVectors.load_word2vec_format(
            str(path), binary=binary, limit=limit, encoding=encoding, unicode_errors=unicode_errors
        )
    except UnicodeDecodeError as err:
        raise DataError(
            f"{path}: a word is not {encoding} (byte 0x{err.object[err.start]:02x}: {err.reason}); "
            f"pass the file's encoding or unicode_errors='replace'"
        ) from None
    except EOFError:
        raise DataError(f"{path}: {kind} word2vec file ends early (truncated, or its header count is wrong)") from None
    except ValueError as err:
        raise DataError(f"{path}: damaged {kind} word2vec file ({err})") from None
    if len(kv) == 0:
        raise DataError(f"{path}: no vectors in the file")
    if not np.isfinite(kv.vectors).all():
        raise DataError(f"{path}: non-finite numbers in the vectors (damaged {kind} file?)")
    return kv


# --------------------------------------------------------------------------- sequences


def length_stats(lengths: Iterable[int], maxlen: int) -> dict[str, float]:
    """Source: 004 ``test_len``: how many samples pad to, equal, or exceed ``maxlen``, and
    the average length (vectors kept per review)."""
    lengths = np.asarray(list(lengths))
    return {
        "padded": float(np.sum(lengths < maxlen)),
        "equal": float(np.sum(lengths == maxlen)),
        "truncated": float(np.sum(lengths > maxlen)),
        "avg_length": float(lengths.mean()),
    }
