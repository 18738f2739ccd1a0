"""Real text through the same pipeline: gensim's pang_lee test sentences (offline, no
claim) and, on request, aclImdb with GoogleNews-style vectors (the real scale)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from lstm_cases import textdata
from lstm_cases.core import CaseData, DataError
from lstm_cases.families.sentiment.pipeline import (
    SOURCE_DIMS,
    TRAIN_FRACTION,
    VECTOR_LIMIT,
    Encoded,
    case_data,
    encode,
    split,
)

# --------------------------------------------------------------------------- real text (gensim's test data)

PANG_LEE_MAXLEN = 64  # the 200 sentences are at most 51 tokens long: 400 steps would be padding


@lru_cache(maxsize=1)
def pang_lee_encoded() -> Encoded:
    """gensim's 200 labelled movie-review sentences with its 100-d fastText vectors (word2vec
    text format); both files are Windows-1252, read as such."""
    samples = textdata.read_labelled_lines(
        textdata.gensim_test_file("pang_lee_polarity.cor"), encoding=textdata.PANG_LEE_ENCODING
    )
    kv = textdata.load_word_vectors(
        textdata.gensim_test_file("pang_lee_polarity_fasttext.vec"),
        binary=False,
        limit=VECTOR_LIMIT,
        encoding=textdata.PANG_LEE_ENCODING,
    )
    return encode(samples, kv)


def pang_lee_data(seed: int, maxlen: int = PANG_LEE_MAXLEN, unknown: str = "drop") -> CaseData:
    train, heldout = split(pang_lee_encoded(), seed)
    return case_data(train, heldout, maxlen, unknown)


# --------------------------------------------------------------------------- real scale (on request)

IMDB_TRAIN_REVIEWS = 25_000  # Source: 004 "len(dataset)" -> 25000
IMDB_TRAIN = int(IMDB_TRAIN_REVIEWS * TRAIN_FRACTION)  # Source: 004 "Train on 20000 samples"


@lru_cache(maxsize=2)
def imdb_encoded(imdb_dir: Path, vectors: Path) -> Encoded:
    kv = textdata.load_word_vectors(vectors, limit=VECTOR_LIMIT)
    if kv.vector_size != SOURCE_DIMS:
        raise DataError(f"{vectors}: {kv.vector_size}-d vectors; the real-scale cases need 300-d (GoogleNews-style)")
    return encode(textdata.read_aclimdb(imdb_dir, "train"), kv)


def imdb_data(seed: int, maxlen: int, unknown: str) -> CaseData:
    """aclImdb train/pos + train/neg with the given vectors, split 80/20 by ``seed``."""
    imdb_dir = textdata.IMDB_DIR.require("aclImdb (the real-scale IMDB reviews)")
    vectors = textdata.WORD_VECTORS.require("word vectors (GoogleNews-style, 300-d)")
    train, heldout = split(imdb_encoded(imdb_dir.resolve(), vectors.resolve()), seed)
    return case_data(train, heldout, maxlen, unknown)
