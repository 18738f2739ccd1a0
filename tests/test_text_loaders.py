"""The text loaders on small files made here, good and broken (no training, no downloads)."""

import zipfile

import numpy as np
import pytest

from lstm_cases import textdata
from lstm_cases.core import DataError, DataUnavailable


def _one_line(err: pytest.ExceptionInfo) -> str:
    message = str(err.value)
    assert "\n" not in message, message
    return message


# --------------------------------------------------------------------------- word vectors


@pytest.fixture
def vectors():
    from gensim.models import KeyedVectors

    kv = KeyedVectors(vector_size=4)
    kv.add_vectors(["film", "great", "awful", "café"], np.arange(16, dtype="float32").reshape(4, 4) / 10)
    return kv


@pytest.mark.parametrize("binary", [True, False])
def test_word2vec_round_trip_binary_and_text_with_limit(tmp_path, vectors, binary):
    path = tmp_path / ("v.bin" if binary else "v.txt")
    vectors.save_word2vec_format(str(path), binary=binary)
    kv = textdata.load_word_vectors(path)  # format from the name
    assert kv.index_to_key == ["film", "great", "awful", "café"]
    np.testing.assert_allclose(kv.vectors, vectors.vectors)
    assert textdata.load_word_vectors(path, limit=2).index_to_key == ["film", "great"]


def test_truncated_binary_file_is_a_one_line_error(tmp_path, vectors):
    path = tmp_path / "v.bin"
    vectors.save_word2vec_format(str(path), binary=True)
    path.write_bytes(path.read_bytes()[:-7])
    with pytest.raises(DataError) as err:
        textdata.load_word_vectors(path)
    assert _one_line(err).startswith(f"{path}: binary word2vec file ends early")


def test_text_file_read_as_binary_is_named_as_the_wrong_format(tmp_path, vectors):
    # gensim itself would read it "successfully", as garbage vectors
    path = tmp_path / "vectors.bin"
    vectors.save_word2vec_format(str(path), binary=False)
    with pytest.raises(DataError) as err:
        textdata.load_word_vectors(path)
    assert _one_line(err) == f"{path}: a text word2vec file, not binary (its vectors are written as digits)"


def test_binary_file_read_as_text_is_named_as_the_wrong_format(tmp_path, vectors):
    path = tmp_path / "vectors.vec"
    vectors.save_word2vec_format(str(path), binary=True)
    with pytest.raises(DataError) as err:
        textdata.load_word_vectors(path)
    assert "not a text word2vec file" in _one_line(err)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty file, not a word2vec file"),
        (b"hello world\nfilm 1 2\n", "its first line b'hello world' is not '<count> <dimensions>'"),
        (b"2 3\nfilm 1 2 x\ngreat 1 2 3\n", "not a text word2vec file"),
        (b"2 3\nfilm 1 2 3\ngreat 1 x 3\n", "damaged text word2vec file"),
        (b"2 3\nfilm 1 2 3\ngreat 1 2\n", "damaged text word2vec file"),
        (b"3 3\nfilm 1 2 3\ngreat 1 2 3\n", "text word2vec file ends early"),
    ],
)
def test_broken_text_vector_files(tmp_path, content, message):
    path = tmp_path / "v.txt"
    path.write_bytes(content)
    with pytest.raises(DataError) as err:
        textdata.load_word_vectors(path)
    assert message in _one_line(err) and str(path) in str(err.value)


def test_missing_file_and_directory_are_named(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        textdata.load_word_vectors(tmp_path / "GoogleNews-vectors-negative300.bin")
    with pytest.raises(DataError, match="is a directory"):
        textdata.load_word_vectors(tmp_path)


def test_non_utf8_word_needs_an_explicit_encoding_or_unicode_errors(tmp_path):
    # the bytes of gensim's pang_lee_polarity_fasttext.vec: "clich\xe9s" is Windows-1252
    path = tmp_path / "v.vec"
    path.write_bytes(b"2 2\nclich\xe9s 0.5 0.25\n\x97 1.0 2.0\n")
    with pytest.raises(DataError) as err:
        textdata.load_word_vectors(path)
    assert "a word is not utf8 (byte 0xe9" in _one_line(err)
    assert textdata.load_word_vectors(path, encoding="cp1252").index_to_key == ["clichés", "\u2014"]
    assert textdata.load_word_vectors(path, unicode_errors="replace").index_to_key[0] == "clich\ufffds"


# --------------------------------------------------------------------------- labelled lines, plain text


def test_labelled_lines_and_their_encoding(tmp_path):
    path = tmp_path / "polarity.cor"
    path.write_bytes(
        b"__label__neg the action clich\xe9s just pile up . \n\n__label__pos a slew of songs \x97 fine .\n"
    )
    with pytest.raises(DataError) as err:
        textdata.read_labelled_lines(path)
    assert _one_line(err).startswith(f"{path}: not utf-8 text (byte 0xe9 at offset 29")
    samples = textdata.read_labelled_lines(path, encoding="cp1252")
    assert samples == [(0, "the action clichés just pile up ."), (1, "a slew of songs \u2014 fine .")]


def test_labelled_lines_reject_unknown_labels_and_empty_files(tmp_path):
    path = tmp_path / "x.cor"
    path.write_text("__label__pos good\n__label__neutral meh\n")
    with pytest.raises(DataError, match=r"x.cor:2: unknown label '__label__neutral'"):
        textdata.read_labelled_lines(path)
    path.write_text("\n\n")
    with pytest.raises(DataError, match="no labelled lines"):
        textdata.read_labelled_lines(path)


def test_the_gensim_polarity_files_are_not_utf8_and_load_as_cp1252():
    cor = textdata.gensim_test_file("pang_lee_polarity.cor")
    vec = textdata.gensim_test_file("pang_lee_polarity_fasttext.vec")
    with pytest.raises(DataError, match="not utf-8 text"):
        textdata.read_labelled_lines(cor)
    with pytest.raises(DataError, match="a word is not utf8"):
        textdata.load_word_vectors(vec)
    samples = textdata.read_labelled_lines(cor, encoding=textdata.PANG_LEE_ENCODING)
    assert len(samples) == 200 and sorted({label for label, _ in samples}) == [0, 1]
    kv = textdata.load_word_vectors(vec, encoding=textdata.PANG_LEE_ENCODING)
    assert (len(kv), kv.vector_size) == (1694, 100)
    assert "clichés" in kv and "\u2014" in kv  # the same words as in the .cor file


def test_gensim_test_file_missing_is_an_error_not_a_skip():
    with pytest.raises(DataError, match="no_such_file.cor is missing, and it is the default data"):
        textdata.gensim_test_file("no_such_file.cor")


def test_tokenize_is_treebank_on_the_whole_review():
    assert textdata.tokenize("I don't like it. The plot isn't great.") == [
        "I", "do", "n't", "like", "it.", "The", "plot", "is", "n't", "great", ".",
    ]  # fmt: skip


def test_length_stats_count_padded_equal_truncated():
    assert textdata.length_stats([1, 4, 4, 9], 4) == {"padded": 1, "equal": 2, "truncated": 1, "avg_length": 4.5}


# --------------------------------------------------------------------------- aclImdb


def _imdb(root, pos=("great film",), neg=("awful film", "dull")):
    for folder, texts in (("pos", pos), ("neg", neg)):
        (root / "train" / folder).mkdir(parents=True)
        for i, text in enumerate(texts):
            (root / "train" / folder / f"{i}_7.txt").write_text(text, encoding="utf-8")
    return root


def test_aclimdb_reader_reads_pos_then_neg(tmp_path):
    root = _imdb(tmp_path / "aclImdb")
    assert textdata.read_aclimdb(root) == [(1, "great film"), (0, "awful film"), (0, "dull")]


def test_aclimdb_empty_or_wrong_directories_are_one_line_errors(tmp_path):
    with pytest.raises(DataError) as err:
        textdata.read_aclimdb(tmp_path)
    assert _one_line(err) == (f"{tmp_path}: no train/pos folder (expected the aclImdb layout: train/pos, train/neg)")
    root = _imdb(tmp_path / "aclImdb", neg=())
    with pytest.raises(DataError) as err:
        textdata.read_aclimdb(root)
    assert _one_line(err) == f"{root / 'train' / 'neg'}: no *.txt reviews"
    with pytest.raises(DataError, match="not a directory"):
        textdata.read_aclimdb(tmp_path / "missing")


def test_aclimdb_non_utf8_review_names_the_file(tmp_path):
    root = _imdb(tmp_path / "aclImdb")
    bad = root / "train" / "neg" / "9_1.txt"
    bad.write_bytes(b"caf\xe9 awful")
    with pytest.raises(DataError) as err:
        textdata.read_aclimdb(root)
    assert _one_line(err).startswith(f"{bad}: not utf-8 text")


# --------------------------------------------------------------------------- NLTK Gutenberg


PLAYS = {"shakespeare-caesar.txt": "[The Tragedie of Julius Caesar]\n", "shakespeare-hamlet.txt": "HAMLET. ÆTHER\n"}


def _gutenberg_files(folder):
    folder.mkdir(parents=True)
    for name, text in {**PLAYS, "austen-emma.txt": "Emma\n"}.items():
        (folder / name).write_bytes(text.encode("latin-1"))


def test_gutenberg_shakespeare_from_a_folder(tmp_path):
    _gutenberg_files(tmp_path / "corpora" / "gutenberg")
    text = textdata.gutenberg_shakespeare(tmp_path)
    assert text == "[the tragedie of julius caesar]\nhamlet. æther\n"  # latin-1, lower-cased, in file order


def test_gutenberg_shakespeare_from_the_downloaders_zip(tmp_path):
    _gutenberg_files(tmp_path / "src" / "gutenberg")
    (tmp_path / "data" / "corpora").mkdir(parents=True)
    with zipfile.ZipFile(tmp_path / "data" / "corpora" / "gutenberg.zip", "w") as zf:
        for f in sorted((tmp_path / "src" / "gutenberg").iterdir()):
            zf.write(f, f"gutenberg/{f.name}")
    assert textdata.gutenberg_shakespeare(tmp_path / "data").startswith("[the tragedie")


def test_gutenberg_missing_or_without_plays_is_a_one_line_error(tmp_path):
    with pytest.raises(DataError) as err:
        textdata.gutenberg_shakespeare(tmp_path)
    assert "no corpora/gutenberg" in _one_line(err) and "nltk.downloader" in str(err.value)
    (tmp_path / "corpora" / "gutenberg").mkdir(parents=True)
    (tmp_path / "corpora" / "gutenberg" / "austen-emma.txt").write_text("Emma")
    with pytest.raises(DataError, match="no shakespeare"):
        textdata.gutenberg_shakespeare(tmp_path)


def test_data_path_option_unset_is_unavailable_and_names_the_option(monkeypatch):
    monkeypatch.delenv(textdata.IMDB_DIR.env, raising=False)
    with pytest.raises(DataUnavailable) as err:
        textdata.IMDB_DIR.require("aclImdb")
    assert str(err.value) == "aclImdb not given: pass --imdb-dir PATH or set LSTM_BENCH_IMDB_DIR"
    monkeypatch.setenv(textdata.IMDB_DIR.env, "/data/aclImdb")
    assert str(textdata.IMDB_DIR.require("aclImdb")) == "/data/aclImdb"


def test_gzipped_binary_vectors_like_the_googlenews_download(tmp_path, vectors):
    import gzip

    plain = tmp_path / "v.bin"
    vectors.save_word2vec_format(str(plain), binary=True)
    packed = tmp_path / "GoogleNews-vectors-negative300.bin.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    assert textdata.load_word_vectors(packed, limit=3).index_to_key == ["film", "great", "awful"]
