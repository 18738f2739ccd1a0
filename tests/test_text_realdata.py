"""The source's printed data figures, checked on the real data when it is given.

    pytest tests/test_text_realdata.py --imdb-dir ~/data/aclImdb \
        --word-vectors ~/data/GoogleNews-vectors-negative300.bin --nltk-data ~/nltk_data

Skipped, naming the option, when the data is not given (the usual case: it is not shipped).
The figures depend on the tokenizer: the source ran an NLTK of 2020; a later NLTK that
tokenises differently would move the IMDB counts (a finding worth reporting, not a bug here).
"""

import pytest

from lstm_cases import textdata
from lstm_cases.core import DataUnavailable
from lstm_cases.families import char_generation
from lstm_cases.families.sentiment import pipeline, real_text


def _require(path, what):
    try:
        return path.require(what)
    except DataUnavailable as err:
        pytest.skip(str(err))


def test_imdb_length_statistics_at_maxlen_400_are_the_sources():
    # Source 004 section 3.1: "Padded: 22560 / Equal: 12 / Truncated: 2428 / Avg length: 202.43204"
    imdb_dir = _require(textdata.IMDB_DIR, "aclImdb")
    vectors = _require(textdata.WORD_VECTORS, "GoogleNews vectors")
    encoded = real_text.imdb_encoded(imdb_dir.resolve(), vectors.resolve())
    assert len(encoded.labels) == real_text.IMDB_TRAIN_REVIEWS
    lengths = [int((ids >= 0).sum()) for ids in encoded.ids]  # unknown tokens dropped, as in the source
    stats = textdata.length_stats(lengths, pipeline.SOURCE_MAXLEN)
    assert (stats["padded"], stats["equal"], stats["truncated"]) == (22_560, 12, 2_428)
    assert stats["avg_length"] == pytest.approx(202.43204, abs=5e-6)


def test_gutenberg_shakespeare_is_the_sources_text():
    # Source 004 section 5.2: "corpus length: 375542", "total chars: 50", "nb sequences: 125168"
    nltk_data = _require(textdata.NLTK_DATA, "NLTK data")
    text = textdata.gutenberg_shakespeare(nltk_data)
    assert len(text) == char_generation.SHAKESPEARE_CHARS
    assert len(set(text)) == char_generation.SOURCE_VOCAB
    assert char_generation.window_count(len(text)) == char_generation.SHAKESPEARE_WINDOWS
    assert text.startswith("[the tragedie of julius caesar by willia")  # the source's sentences[0]
