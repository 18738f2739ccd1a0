"""The sentiment and char-generation families without training: the source's exact
parameter counts, the generated corpus, the pipeline pieces, the sampler, and the
real-scale builders on tiny stand-in data (seconds)."""

import numpy as np
import pytest

from lstm_cases import runner, textdata
from lstm_cases.core import DataError, DataUnavailable
from lstm_cases.families import char_generation as chargen
from lstm_cases.families.sentiment import cases as sentiment_cases
from lstm_cases.families.sentiment import corpus as review_corpus
from lstm_cases.families.sentiment import pipeline, real_text
from lstm_cases.families.sentiment.pipeline import HALF_MAXLEN_METRIC, step_time_ratio_to_half_maxlen

# --------------------------------------------------------------------------- exact counts


@pytest.mark.parametrize(("maxlen", "total", "dense"), [(400, 90_201, 20_001), (200, 80_201, 10_001)])
def test_source_sentiment_model_counts_with_300d_vectors(maxlen, total, dense):
    # Source 004: "lstm (LSTM) (None, 400, 50) 70200", "dense 20001", "Total params: 90,201" (80,201 at 200)
    model = pipeline.sentiment_model(maxlen, 300)
    assert runner.layer_param_counts(model) == {"LSTM": 70_200, "Dropout": 0, "Flatten": 0, "Dense": dense}
    assert model.count_params() == total
    assert tuple(model.layers[0].output.shape) == (None, maxlen, 50)


def test_simplernn_of_the_same_width_has_a_quarter_of_the_recurrent_weights():
    # Source 004 section 1.2: "351 weights per neuron, 351 * 50 = 17,550" for the chapter-8 SimpleRNN
    model = pipeline.sentiment_model(400, 300, cell="SimpleRNN")
    assert runner.layer_param_counts(model)["SimpleRNN"] == 17_550 == pipeline.recurrent_params("SimpleRNN", 300)


def test_source_char_model_counts_with_50_characters():
    # Source 004 section 5.4: "lstm_4 (LSTM) 91648", "dense_4 (None, 50) 6450", "Total params: 98,098"
    from lstm_cases.core import CaseData, Recipe

    data = CaseData(x=np.zeros((1, 40, 50), "float32"), y=np.zeros((1, 50), "float32"))
    model = chargen.build_model(data, Recipe(epochs=1, batch_size=128, optimizer="rmsprop", learning_rate=0.01))
    assert runner.layer_param_counts(model) == {"LSTM": 91_648, "Dense": 6_450, "Activation": 0}
    assert model.count_params() == 98_098


def test_declared_expectations_match_the_builders():
    for profile in ("quick", "full"):  # 32-d generated vectors
        assert sentiment_cases.SENTIMENT_LSTM_400.expected_for(profile).total_params == 16_600 + 20_001
    assert sentiment_cases.IMDB_LSTM_400.expected.total_params == 90_201
    assert sentiment_cases.IMDB_LSTM_200.expected.total_params == 80_201
    assert chargen.CHAR_SHAKESPEARE.expected.total_params == 98_098
    # Source 004 "nb sequences: 125168" from "corpus length: 375542", maxlen 40, step 3
    assert chargen.window_count(375_542) == 125_168


# --------------------------------------------------------------------------- generated corpus


def test_generated_reviews_are_deterministic_per_seed():
    assert review_corpus.generate_reviews(3, 20) == review_corpus.generate_reviews(3, 20)
    assert review_corpus.generate_reviews(3, 20) != review_corpus.generate_reviews(4, 20)


def test_quick_corpus_has_shorter_reviews_and_the_profiles_own_shapes():
    quick = sentiment_cases.QUICK_CORPUS
    short = review_corpus.generate_reviews(5, 400, quick["filler_median"], quick["filler_sigma"])
    long = review_corpus.generate_reviews(5, 400)
    mean_tokens = [np.mean([len(textdata.tokenize(t)) for _, _, t in reviews]) for reviews in (short, long)]
    assert mean_tokens[0] < 0.6 * mean_tokens[1]
    case = sentiment_cases.SENTIMENT_LSTM_200
    assert case.recipe("quick").data == quick and not case.recipe("full").data
    assert case.expected_for("quick").input_shape[0] == int(quick["reviews"] * pipeline.TRAIN_FRACTION) == 1000
    assert case.expected_for("full").input_shape[0] == 2000


def test_dropping_nt_turns_a_negated_opinion_into_its_plain_form_and_leaves_not():
    fields = {"v": "like", "adj": "great", "n": "plot"}
    for plain, with_nt, with_not in review_corpus.OPINIONS:
        tokens = textdata.tokenize(with_nt.format(**fields).lower())
        assert "n't" in tokens
        plain_tokens = textdata.tokenize(plain.format(**fields).lower())
        assert [t for t in tokens if t not in review_corpus.UNKNOWN_TOKENS] == plain_tokens
        known = textdata.tokenize(with_not.format(**fields).lower())
        assert "not" in known and not set(known) & set(review_corpus.UNKNOWN_TOKENS)
        assert [t for t in known if t != "not"] == plain_tokens  # the same sentence, negated by a known word


def test_negated_reviews_carry_words_of_the_opposite_polarity_in_one_form():
    rng = np.random.default_rng(0)
    forms = []
    for _ in range(400):
        label, negation, text = review_corpus.generate_review(rng)
        words = set(textdata.tokenize(text.lower().replace(".", " ")))
        positive = bool(words & set(review_corpus.POSITIVE_ADJECTIVES + review_corpus.POSITIVE_VERBS))
        negative = bool(words & set(review_corpus.NEGATIVE_ADJECTIVES + review_corpus.NEGATIVE_VERBS))
        assert positive != negative  # one polarity per review
        assert positive == (bool(label) != (negation != review_corpus.NOT_NEGATED))
        tokens = textdata.tokenize(text)
        assert ("n't" in tokens) == (negation == review_corpus.NEGATED_UNKNOWN)
        assert ("not" in tokens) == (negation == review_corpus.NEGATED_KNOWN)
        forms.append(negation)
    counts = np.bincount(forms, minlength=3) / len(forms)
    assert 0.1 < counts[review_corpus.NEGATED_UNKNOWN] < 0.2 and 0.1 < counts[review_corpus.NEGATED_KNOWN] < 0.2


def test_negation_accuracies_split_by_form():
    right = np.array([True, True, False, False, True, False])
    negation = np.array([0, 0, 1, 1, 2, 2])
    metrics = pipeline.negation_accuracies(right, negation)
    assert metrics["plain_accuracy"] == 1.0 and metrics["negated_accuracy"] == 0.25
    assert metrics["negated_unknown_accuracy"] == 0.0 and metrics["negated_known_accuracy"] == 0.5
    assert metrics["known_negation_lead"] == 0.5
    assert "known_negation_lead" not in pipeline.negation_accuracies(right[:4], negation[:4])  # no "not" reviews


def test_generated_vectors_round_trip_and_lack_nt():
    kv = review_corpus.generated_vectors()
    assert "n't" not in kv and "great" in kv and "not" in kv
    assert kv.vector_size == review_corpus.VECTOR_DIMS


def test_round_trip_through_binary_and_text_word2vec_files(tmp_path):
    from gensim.models import KeyedVectors

    kv = KeyedVectors(vector_size=3)
    kv.add_vectors(["a", "b"], np.asarray([[0.1, 0.2, 0.3], [1.5, -2.0, 3.25]], "float32"))
    back = review_corpus.round_trip(kv, tmp_path)
    assert back.index_to_key == ["a", "b"]
    np.testing.assert_array_equal(back.vectors, kv.vectors)
    assert (tmp_path / "vectors.bin").exists() and (tmp_path / "vectors.txt").exists()


# --------------------------------------------------------------------------- pipeline pieces


def _encoded(ids, dims=2):
    vectors = np.arange(1, 2 * dims + 1, dtype="float32").reshape(2, dims)
    return pipeline.Encoded(
        labels=np.zeros(len(ids), dtype=np.int64),
        ids=tuple(np.asarray(i, dtype=np.int32) for i in ids),
        vectors=vectors,
    )


def test_pad_trunc_pads_after_the_text_and_keeps_the_start():
    encoded = _encoded([[0, -1, 1], [1, 1, 0, 1, 0]])
    x, lengths = pipeline.pad_trunc(encoded, 3, "drop")
    assert lengths.tolist() == [2, 5]
    np.testing.assert_array_equal(x[0], [[1, 2], [3, 4], [0, 0]])  # unknown dropped, zero vector after
    np.testing.assert_array_equal(x[1], [[3, 4], [3, 4], [1, 2]])  # the first 3 kept
    x_unk, lengths_unk = pipeline.pad_trunc(encoded, 3, "unk")
    assert lengths_unk.tolist() == [3, 5]
    np.testing.assert_array_equal(x_unk[0, 1], pipeline.unk_vector(encoded.vectors))
    with pytest.raises(ValueError, match="'drop' or 'unk'"):
        pipeline.pad_trunc(encoded, 3, "keep")


def test_unk_vector_points_away_from_the_known_vectors():
    vectors = np.random.default_rng(0).normal(size=(50, 8)).astype("float32") + 1.0
    unk = pipeline.unk_vector(vectors)
    cosines = vectors @ unk / np.linalg.norm(vectors, axis=1) / np.linalg.norm(unk)
    assert cosines.max() < 0.5 and np.isclose(np.linalg.norm(unk), np.linalg.norm(vectors, axis=1).mean())


def test_split_is_80_20_and_a_permutation_per_seed():
    encoded = _encoded([[0]] * 10)
    encoded = pipeline.Encoded(np.arange(10), encoded.ids, encoded.vectors)
    train, heldout = pipeline.split(encoded, 0)
    assert len(train.labels) == 8 and len(heldout.labels) == 2
    assert sorted(np.concatenate([train.labels, heldout.labels])) == list(range(10))
    assert pipeline.split(encoded, 0)[0].labels.tolist() == train.labels.tolist()


# --------------------------------------------------------------------------- real-scale builders on stand-ins


@pytest.fixture
def tiny_imdb(tmp_path, monkeypatch):
    from gensim.models import KeyedVectors

    root = tmp_path / "aclImdb"
    for folder, word, label in (("pos", "great", 1), ("neg", "awful", 0)):
        (root / "train" / folder).mkdir(parents=True)
        for i in range(5):
            (root / "train" / folder / f"{i}_{label}.txt").write_text(f"A {word} film, I don't mind.")
    kv = KeyedVectors(vector_size=300)
    words = ["A", "great", "awful", "film", ",", "I", "do", "mind", "."]
    kv.add_vectors(words, np.random.default_rng(0).normal(size=(len(words), 300)).astype("float32"))
    vectors = tmp_path / "GoogleNews-vectors-negative300.bin"
    kv.save_word2vec_format(str(vectors), binary=True)
    monkeypatch.setenv(textdata.IMDB_DIR.env, str(root))
    monkeypatch.setenv(textdata.WORD_VECTORS.env, str(vectors))
    real_text.imdb_encoded.cache_clear()
    yield root, vectors
    real_text.imdb_encoded.cache_clear()


def test_imdb_builder_on_a_tiny_aclimdb(tiny_imdb):
    data = real_text.imdb_data(0, maxlen=7, unknown="drop")
    assert data.x.shape == (8, 7, 300) and data.y.shape == (8, 1)
    # 9 tokens per review ("do" "n't"), "n't" dropped: 8 kept, one past maxlen 7
    assert data.extras["length_stats"] == {"padded": 0, "equal": 0, "truncated": 10, "avg_length": 8.0}
    assert data.extras["unknown_fraction"] == pytest.approx(1 / 9)
    assert real_text.imdb_data(0, maxlen=9, unknown="unk").extras["length_stats"]["equal"] == 10


def test_imdb_builder_wants_300d_vectors(tiny_imdb, tmp_path, monkeypatch):
    from gensim.models import KeyedVectors

    kv = KeyedVectors(vector_size=4)
    kv.add_vectors(["film"], np.ones((1, 4), "float32"))
    small = tmp_path / "small.bin"
    kv.save_word2vec_format(str(small), binary=True)
    monkeypatch.setenv(textdata.WORD_VECTORS.env, str(small))
    with pytest.raises(DataError, match="4-d vectors; the real-scale cases need 300-d"):
        real_text.imdb_data(0, maxlen=8, unknown="drop")


def test_real_scale_builders_without_data_are_unavailable(monkeypatch):
    for path in textdata.DATA_PATHS:
        monkeypatch.delenv(path.env, raising=False)
    with pytest.raises(DataUnavailable, match="--imdb-dir"):
        real_text.imdb_data(0, maxlen=400, unknown="drop")
    monkeypatch.setenv(textdata.IMDB_DIR.env, "/somewhere/aclImdb")
    with pytest.raises(DataUnavailable, match="--word-vectors"):
        real_text.imdb_data(0, maxlen=400, unknown="drop")
    with pytest.raises(DataUnavailable, match="--nltk-data"):
        chargen.char_data(0, corpus_fn=chargen.shakespeare_corpus)


def test_shakespeare_builder_on_a_tiny_gutenberg(tmp_path, monkeypatch):
    folder = tmp_path / "corpora" / "gutenberg"
    folder.mkdir(parents=True)
    play = "[the tragedie of julius caesar by william shakespeare 1599]\n\nactus primus. scoena prima.\n" * 20
    (folder / "shakespeare-caesar.txt").write_text(play, encoding="latin-1")
    monkeypatch.setenv(textdata.NLTK_DATA.env, str(tmp_path))
    data = chargen.char_data(0, corpus_fn=chargen.shakespeare_corpus)
    corpus = data.extras["corpus"]
    assert len(corpus.train) == int(len(play) * 0.9)
    assert data.x.shape == (chargen.window_count(len(corpus.train)), 40, len(corpus.chars))


# --------------------------------------------------------------------------- char pieces


def test_windows_are_the_sources():
    corpus = chargen.make_corpus("t", "abcdefghij" * 10, 60, 20)
    x, y = chargen.windows(corpus, corpus.train)
    assert x.shape == (len(range(0, 60 - 40, 3)), 40, 10) and y.shape == (x.shape[0], 10)
    assert "".join(corpus.chars[i] for i in x[1].argmax(axis=1)) == corpus.train[3:43]
    assert corpus.chars[y[1].argmax()] == corpus.train[43]


def test_unigram_bits():
    assert chargen.unigram_bits("abab") == pytest.approx(1.0)
    assert chargen.unigram_bits("aaaa") == pytest.approx(0.0)


def test_lee_corpus_is_the_default_text():
    corpus = chargen.lee_corpus()
    assert len(corpus.chars) == chargen.LEE_VOCAB and corpus.train == corpus.train.lower()


# --------------------------------------------------------------------------- sampling


def test_small_temperature_is_argmax_and_temperature_one_is_the_distribution():
    preds = np.asarray([[0.5, 0.3, 0.2, 0.0], [0.1, 0.1, 0.1, 0.7]])
    np.testing.assert_array_equal(chargen.tempered(preds, 1e-6), [[1, 0, 0, 0], [0, 0, 0, 1]])
    np.testing.assert_allclose(chargen.tempered(preds, 1.0), preds)
    rng = np.random.default_rng(0)
    assert chargen.sample(preds, 1e-3, rng).tolist() == [0, 3]


def test_sampling_never_leaves_the_vocabulary_and_follows_the_probabilities():
    rng = np.random.default_rng(1)
    preds = np.tile([[0.0, 0.25, 0.75, 0.0]], (20_000, 1)).astype("float32")  # float32 rows, as predict gives
    draws = chargen.sample(preds, 1.0, rng)
    assert draws.min() >= 0 and draws.max() <= 3 and set(np.unique(draws)) == {1, 2}
    assert np.mean(draws == 2) == pytest.approx(0.75, abs=0.02)


def test_one_temperature_per_row_matches_row_by_row_tempering():
    preds = np.asarray([[0.6, 0.3, 0.1], [0.6, 0.3, 0.1], [0.2, 0.2, 0.6]])
    temperatures = np.asarray([0.2, 1.0, 0.5])
    rows = [chargen.tempered(preds[i : i + 1], t)[0] for i, t in enumerate(temperatures)]
    np.testing.assert_allclose(chargen.tempered(preds, temperatures), rows)
    with pytest.raises(ValueError, match="temperature must be > 0"):
        chargen.tempered(preds, np.asarray([0.2, 0.0, 1.0]))


def test_higher_temperature_flattens_the_distribution():
    preds = np.asarray([[0.6, 0.3, 0.1]])

    def entropy(p):
        return float(-(p * np.log2(p)).sum())

    assert entropy(chargen.tempered(preds, 0.2)) < entropy(chargen.tempered(preds, 0.5)) < entropy(preds)


@pytest.mark.parametrize(("temperature", "preds"), [(0.0, [[0.5, 0.5]]), (-1.0, [[0.5, 0.5]]), (1.0, [[np.nan, 1]])])
def test_bad_sampling_input_is_rejected(temperature, preds):
    with pytest.raises(ValueError):
        chargen.tempered(np.asarray(preds), temperature)


def test_training_steps_are_timed_exactly_where_a_claim_reads_them():
    cases = sentiment_cases.CASES
    read = {c.id for c in cases for claim in c.claims if claim.metric == HALF_MAXLEN_METRIC}
    timed = {c.id for c in cases if c.evaluate.keywords["step_ratio_cell"] is not None}
    assert read and timed == read


def test_the_half_maxlen_step_ratio_times_both_sides_in_one_process_round_by_round():
    case = next(c for c in sentiment_cases.CASES if c.id == "sentiment_lstm_maxlen400")
    data = case.build_data(0, "quick")
    model = case.build_model(data, case.recipe("quick"))
    ratio = step_time_ratio_to_half_maxlen(model, data, "LSTM")
    assert 1.0 < ratio < 4.0  # 400 time steps against 200: longer, by less than twice twice


def test_the_half_length_network_is_built_once_and_starts_every_seed_at_its_first_weights():
    case = next(c for c in sentiment_cases.CASES if c.id == "sentiment_lstm_maxlen400")
    data = case.build_data(0, "quick")
    model = case.build_model(data, case.recipe("quick"))
    half, dims = data.x.shape[1] // 2, data.x.shape[2]
    short = pipeline._half_length_model(model, half, dims, "LSTM")
    first = [w.copy() for w in short.get_weights()]
    short.train_on_batch(data.x[:8, :half], data.y[:8])
    assert any(not np.array_equal(a, b) for a, b in zip(short.get_weights(), first, strict=True))
    next_seed = case.build_model(data, case.recipe("quick"))  # its optimizer is another one, named anew
    again = pipeline._half_length_model(next_seed, half, dims, "LSTM")
    assert again is short
    for rewound, original in zip(again.get_weights(), first, strict=True):
        np.testing.assert_array_equal(rewound, original)
    assert pipeline._half_length_model(model, half // 2, dims, "LSTM") is not short  # another shape: built anew
