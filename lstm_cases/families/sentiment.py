"""Sentiment with word vectors (SCENARIOS.md section D; seed 004 parts 2-3).

The source's pipeline: tokenise each review with NLTK's TreebankWordTokenizer, look every
token up in pretrained word2vec vectors (GoogleNews, ``limit=200000``), drop the tokens the
vectors lack, truncate or zero-pad (after the text) to ``maxlen`` vectors, then
LSTM(50, return_sequences=True) -> Dropout(0.2) -> Flatten -> Dense(1, sigmoid), rmsprop,
binary cross-entropy, batch 32, 2 epochs, 80/20 split.

Three data sources, one pipeline (``lstm_cases.textdata`` loads them all):

- default, offline: a generated corpus of short movie reviews with a known structure
  (``generate_review``), and word vectors trained on generated text by gensim ``Word2Vec``,
  saved in word2vec format and read back through ``KeyedVectors.load_word2vec_format``
  (binary and text, as real vectors are). The claims are judged on it.
- real text, offline: gensim's ``pang_lee_polarity.cor`` (200 labelled sentences) with
  ``pang_lee_polarity_fasttext.vec``: an end-to-end run that records its accuracy and makes
  no claim on it (too little signal: measured at 45-58% by several models).
- real scale, on request: aclImdb (``--imdb-dir``) with GoogleNews-style vectors
  (``--word-vectors``); skipped, naming the options, when they are not given.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

import numpy as np

from lstm_cases import compat, textdata
from lstm_cases.core import STEADY_EPOCH_SECONDS, TRAIN_SECONDS, Case, CaseData, Claim, DataError, Expected, Recipe
from lstm_cases.rules import AtLeast, AtMost, PairedGreater, PairedRatio
from lstm_cases.runner import compile_model

UNITS = 50  # Source: 004 "num_neurons = 50"
SOURCE_DIMS = 300  # Source: 004 "embedding_dims = 300" (GoogleNews vectors)
SOURCE_MAXLEN = 400  # Source: 004 "maxlen = 400"
SHORT_MAXLEN = 200  # Source: 004 section 3.1 "maxlen = 200"
VECTOR_LIMIT = 200_000  # Source: 004 "load_word2vec_format(..., binary=True, limit=200000)"
TRAIN_FRACTION = 0.8  # Source: 004 "split_point = int(len(vectorized_data)*.8)"
DROPOUT = 0.2  # Source: 004 "Dropout(.2)"


def recurrent_params(cell: str, dims: int, units: int = UNITS) -> int:
    """LSTM: 4 gates x units x (inputs + units + 1); SimpleRNN: one such block."""
    return (4 if cell == "LSTM" else 1) * units * (dims + units + 1)


def dense_params(maxlen: int, units: int = UNITS) -> int:
    return maxlen * units + 1  # Flatten -> Dense(1)


# --------------------------------------------------------------------------- pipeline


@dataclass(frozen=True)
class Encoded:
    """Reviews as indices into ``vectors`` (-1: a token the vectors lack), with labels."""

    labels: np.ndarray  # (n,) 0/1
    ids: tuple[np.ndarray, ...]  # per review, one int32 per token
    vectors: np.ndarray  # (vocabulary, dims) float32
    negated: np.ndarray | None = None  # generated corpus only: the review's cue is negated

    def take(self, index: np.ndarray) -> Encoded:
        return Encoded(
            labels=self.labels[index],
            ids=tuple(self.ids[i] for i in index),
            vectors=self.vectors,
            negated=None if self.negated is None else self.negated[index],
        )


def encode(samples: list[tuple[int, str]], kv: Any) -> Encoded:
    """Source: 004 ``tokenize_and_vectorize``: tokenise, then look each token up."""
    lookup = kv.key_to_index
    ids = tuple(
        np.fromiter((lookup.get(t, -1) for t in textdata.tokenize(text)), dtype=np.int32) for _, text in samples
    )
    return Encoded(
        labels=np.asarray([label for label, _ in samples], dtype=np.int64),
        ids=ids,
        vectors=np.asarray(kv.vectors, dtype="float32"),
    )


def unk_vector(vectors: np.ndarray) -> np.ndarray:
    """One vector for every unknown token, "as far from the known vectors as possible"
    (source 004 section 3.2): opposite the centroid of the unit-length known vectors, with
    their mean length."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    centroid = (vectors / np.maximum(norms, 1e-12)).mean(axis=0)
    direction = -centroid / max(float(np.linalg.norm(centroid)), 1e-12)
    return (direction * float(norms.mean())).astype("float32")


def kept_ids(ids: np.ndarray, unknown: str, unk_index: int) -> np.ndarray:
    """``drop``: unknown tokens vanish (the source); ``unk``: each becomes the UNK vector."""
    if unknown == "drop":
        return ids[ids >= 0]
    if unknown == "unk":
        return np.where(ids >= 0, ids, unk_index)
    raise ValueError(f"unknown-token policy must be 'drop' or 'unk', got {unknown!r}")


def pad_trunc(encoded: Encoded, maxlen: int, unknown: str) -> tuple[np.ndarray, np.ndarray]:
    """Source: 004 ``pad_trunc``: keep the first ``maxlen`` vectors, zero vectors after the
    text. Returns (x of shape (n, maxlen, dims), the kept length of every review)."""
    dims = encoded.vectors.shape[1]
    unk_index, pad_index = len(encoded.vectors), len(encoded.vectors) + 1
    table = np.vstack([encoded.vectors, unk_vector(encoded.vectors), np.zeros((1, dims), "float32")])
    index = np.full((len(encoded.ids), maxlen), pad_index, dtype=np.int64)
    lengths = np.zeros(len(encoded.ids), dtype=np.int64)
    for row, ids in enumerate(encoded.ids):
        kept = kept_ids(ids, unknown, unk_index)
        lengths[row] = len(kept)
        index[row, : min(len(kept), maxlen)] = kept[:maxlen]
    return table[index], lengths


def split(encoded: Encoded, seed: int) -> tuple[Encoded, Encoded]:
    """Source: 004 ``shuffle(dataset)`` then the first 80% for training; here the shuffle is
    a permutation drawn from ``seed``."""
    order = np.random.default_rng(seed).permutation(len(encoded.labels))
    cut = int(len(order) * TRAIN_FRACTION)
    return encoded.take(order[:cut]), encoded.take(order[cut:])


def case_data(train: Encoded, heldout: Encoded, maxlen: int, unknown: str) -> CaseData:
    x, train_lengths = pad_trunc(train, maxlen, unknown)
    x_heldout, heldout_lengths = pad_trunc(heldout, maxlen, unknown)
    lengths = np.concatenate([train_lengths, heldout_lengths])
    counts = np.bincount(train.labels, minlength=2)
    majority_label = int(np.argmax(counts))
    extras: dict[str, Any] = {
        "x_heldout": x_heldout,
        "y_heldout": heldout.labels.astype("float32"),
        # The majority-class baseline: the training split's majority label, on held-out data.
        "majority_baseline": float(np.mean(heldout.labels == majority_label)),
        "length_stats": textdata.length_stats(lengths, maxlen),
        "unknown_fraction": _unknown_fraction(train, heldout),
    }
    if heldout.negated is not None:
        extras["negated_heldout"] = heldout.negated
    return CaseData(x=x, y=train.labels.astype("float32")[:, None], extras=extras)


def _unknown_fraction(*parts: Encoded) -> float:
    ids = np.concatenate([i for part in parts for i in part.ids])
    return float(np.mean(ids < 0)) if len(ids) else 0.0


# --------------------------------------------------------------------------- model


def sentiment_model(maxlen: int, dims: int, cell: str = "LSTM") -> Any:
    """Source: 004 section 2.4 (LSTM); the SimpleRNN of its chapter 8 has the same shape."""
    k = compat.keras()
    layer = {"LSTM": k.layers.LSTM, "SimpleRNN": k.layers.SimpleRNN}[cell]
    return k.Sequential(
        [
            k.Input(shape=(maxlen, dims)),
            layer(UNITS, return_sequences=True),
            k.layers.Dropout(DROPOUT),
            k.layers.Flatten(),
            k.layers.Dense(1, activation="sigmoid"),
        ]
    )


def build_model(data: CaseData, recipe: Recipe, cell: str) -> Any:
    model = sentiment_model(*data.x.shape[1:], cell=cell)
    return compile_model(model, recipe, "binary_crossentropy", len(data.x), ["accuracy"])


def evaluate(model: Any, data: CaseData) -> dict[str, Any]:
    """Held-out accuracy against the majority-class baseline (and, on the generated corpus,
    on the reviews whose only cue is negated), plus the length statistics."""
    x, y = data.extras["x_heldout"], data.extras["y_heldout"]
    predicted = np.asarray(model.predict(x, batch_size=256, verbose=0))[:, 0] > 0.5
    right = predicted == (y > 0.5)
    accuracy = float(np.mean(right))
    metrics: dict[str, Any] = {
        "accuracy": accuracy,
        "majority_baseline": data.extras["majority_baseline"],
        "accuracy_over_majority": accuracy - data.extras["majority_baseline"],
        "unknown_fraction": data.extras["unknown_fraction"],
        **data.extras["length_stats"],
    }
    negated = data.extras.get("negated_heldout")
    if negated is not None:
        metrics["negated_accuracy"] = float(np.mean(right[negated]))
        metrics["plain_accuracy"] = float(np.mean(right[~negated]))
    return metrics


# --------------------------------------------------------------------------- generated corpus

# Words of the generated reviews. Sentiment words only ever appear in opinion sentences.
POSITIVE_ADJECTIVES = ("great", "wonderful", "brilliant", "superb", "excellent", "moving", "delightful", "charming",
                       "gripping", "beautiful", "fresh", "clever")  # fmt: skip
NEGATIVE_ADJECTIVES = ("awful", "terrible", "boring", "dull", "tedious", "clumsy", "bland", "painful", "weak",
                       "lifeless", "silly", "predictable")  # fmt: skip
POSITIVE_VERBS = ("like", "love", "enjoy", "admire", "recommend")
NEGATIVE_VERBS = ("hate", "dislike", "regret", "resent")
NOUNS = ("plot", "cast", "script", "score", "camerawork", "pacing", "ending", "dialogue", "direction", "editing",
         "lighting", "soundtrack", "villain", "hero")  # fmt: skip
NEUTRAL_ADJECTIVES = ("long", "short", "recent", "old", "familiar", "quiet", "loud", "dark", "bright", "slow", "new",
                      "early")  # fmt: skip
# 400 made-up names: most are too rare for the vectors' min_count, so they are unknown tokens.
_SYLLABLES = ("Bra Kel Dor Mar Tis Fen Gul Hor Jan Lom Pri Sav Vel Wen Zor Qua Rin Ost Ula Ebb",
              "ton vik nell sby ric dale mora ssen lit cot ard ing ley ova ush emi alt orn ida eck")  # fmt: skip
NAMES = [a + b for a in _SYLLABLES[0].split() for b in _SYLLABLES[1].split()]
FILLER = (
    "The {n} runs for about two hours and the {n2} comes in the second half.",
    "It was shown at a festival last year before the {n} was changed.",
    "My friend saw it on a Tuesday with her brother.",
    "The {n} is {a} and the {n2} follows the book closely.",
    "There is a scene in a train station and another one on a {a} beach.",
    "The director also made a film about a {a} town a few years ago.",
    "Most of the {n} was shot in the winter, according to the credits.",
    "We watched it at home after dinner.",
    "The {n} reminded me of an older film with a {a} {n2}.",
    "The story follows a family that moves to a new city.",
    "{name} plays the older sister and {name2} plays the neighbour.",
    "The {n} lasts longer than the {n2}.",
)
# Opinion sentences, plain and negated. A negated one differs from its plain form only by
# "n't" (Treebank: "don't" -> "do" "n't"), so dropping that token turns it into the plain
# form: "I don't like this film" becomes "I do like this film" (source 004 section 3.2).
OPINIONS = (
    ("I do {v} this {adj} film.", "I don't {v} this {adj} film."),
    ("The {n} is {adj}.", "The {n} isn't {adj}."),
    ("It was a {adj} film.", "It wasn't a {adj} film."),
)
UNKNOWN_TOKENS = ("n't",)  # left out of the saved vectors, as pretrained vectors may lack it

P_NEGATED = 0.3  # share of reviews whose every opinion is negated
MAX_OPINIONS = 3
FILLER_MEDIAN = 2.0  # filler sentences per review: lognormal, median 2, long tail
FILLER_SIGMA = 1.0
FILLER_MAX = 60
N_REVIEWS = 2500  # per seed: 2000 for training (80%), 500 held out ...
N_EXTRA_HELDOUT = 500  # ... plus these, so that 1000 reviews judge each seed
POOL_REVIEWS = 2000  # unlabelled reviews the word vectors are trained on
POOL_SEED = 20_040  # fixed: the vectors stand in for pretrained ones, the same for every seed
VECTOR_DIMS = 32
W2V = {"sg": 1, "window": 5, "min_count": 5, "epochs": 5, "negative": 5}


def _pick(rng: np.random.Generator, words: tuple[str, ...] | list[str]) -> str:
    return words[int(rng.integers(len(words)))]


def generate_review(
    rng: np.random.Generator, filler_median: float = FILLER_MEDIAN, filler_sigma: float = FILLER_SIGMA
) -> tuple[int, bool, str]:
    """(label, negated, text). The label's cue: 1 to 3 opinion sentences placed anywhere among
    the filler (lognormal count). In a negated review every opinion is negated and uses words of
    the opposite polarity ("I don't like ..." in a negative review)."""
    label = int(rng.random() < 0.5)
    negated = bool(rng.random() < P_NEGATED)
    n_filler = min(FILLER_MAX, int(rng.lognormal(np.log(filler_median), filler_sigma)))
    sentences = []
    for _ in range(n_filler):
        n, n2 = rng.choice(len(NOUNS), 2, replace=False)
        sentences.append(
            _pick(rng, FILLER).format(
                n=NOUNS[n],
                n2=NOUNS[n2],
                a=_pick(rng, NEUTRAL_ADJECTIVES),
                name=_pick(rng, NAMES),
                name2=_pick(rng, NAMES),
            )
        )
    words_positive = bool(label) != negated
    for _ in range(int(rng.integers(1, MAX_OPINIONS + 1))):
        plain, negative_form = OPINIONS[int(rng.integers(len(OPINIONS)))]
        sentence = (negative_form if negated else plain).format(
            v=_pick(rng, POSITIVE_VERBS if words_positive else NEGATIVE_VERBS),
            adj=_pick(rng, POSITIVE_ADJECTIVES if words_positive else NEGATIVE_ADJECTIVES),
            n=_pick(rng, NOUNS),
        )
        sentences.insert(int(rng.integers(len(sentences) + 1)), sentence)
    return label, negated, " ".join(sentences)


def generate_reviews(
    seed: int, n: int, filler_median: float = FILLER_MEDIAN, filler_sigma: float = FILLER_SIGMA
) -> list[tuple[int, bool, str]]:
    rng = np.random.default_rng(seed)
    return [generate_review(rng, filler_median, filler_sigma) for _ in range(n)]


def train_vectors(texts: list[str], dims: int = VECTOR_DIMS, seed: int = POOL_SEED) -> Any:
    """gensim Word2Vec on tokenised text (one worker: deterministic), without UNKNOWN_TOKENS."""
    from gensim.models import KeyedVectors, Word2Vec

    model = Word2Vec([textdata.tokenize(t) for t in texts], vector_size=dims, workers=1, seed=seed, **W2V)
    keep = [w for w in model.wv.index_to_key if w not in UNKNOWN_TOKENS]
    kv = KeyedVectors(vector_size=dims)
    kv.add_vectors(keep, np.stack([model.wv[w] for w in keep]))
    return kv


def round_trip(kv: Any, folder: Path) -> Any:
    """Save in word2vec binary and text format and read both back through the loader real
    vectors use; they must agree. Returns the vectors read from the binary file."""
    binary, text = folder / "vectors.bin", folder / "vectors.txt"
    kv.save_word2vec_format(str(binary), binary=True)
    kv.save_word2vec_format(str(text), binary=False)
    from_binary = textdata.load_word_vectors(binary, binary=True, limit=VECTOR_LIMIT)
    from_text = textdata.load_word_vectors(text, binary=False, limit=VECTOR_LIMIT)
    if from_binary.index_to_key != from_text.index_to_key or not np.allclose(from_binary.vectors, from_text.vectors):
        raise DataError(f"{folder}: the binary and text word2vec files disagree after a round trip")
    return from_binary


@lru_cache(maxsize=1)
def generated_vectors() -> Any:
    """The default corpus's word vectors: trained once per process on POOL_REVIEWS unlabelled
    generated reviews, then saved and loaded back in word2vec format."""
    pool = [text for _, _, text in generate_reviews(POOL_SEED, POOL_REVIEWS)]
    with tempfile.TemporaryDirectory(prefix="lstm-bench-vectors-") as folder:
        return round_trip(train_vectors(pool), Path(folder))


@lru_cache(maxsize=16)
def generated_encoded(
    seed: int,
    reviews: int = N_REVIEWS,
    extra_heldout: int = N_EXTRA_HELDOUT,
    filler_median: float = FILLER_MEDIAN,
    filler_sigma: float = FILLER_SIGMA,
) -> tuple[Encoded, Encoded]:
    """The seed's labelled reviews, encoded and split 80/20; more held-out reviews added."""
    generated = generate_reviews(seed, reviews + extra_heldout, filler_median, filler_sigma)
    encoded = encode([(label, text) for label, _, text in generated], generated_vectors())
    encoded = Encoded(encoded.labels, encoded.ids, encoded.vectors, np.asarray([n for _, n, _ in generated]))
    train, heldout = split(encoded.take(np.arange(reviews)), seed)
    extra = encoded.take(np.arange(reviews, reviews + extra_heldout))
    return train, _concat(heldout, extra)


def _concat(a: Encoded, b: Encoded) -> Encoded:
    negated = None if a.negated is None or b.negated is None else np.concatenate([a.negated, b.negated])
    return Encoded(np.concatenate([a.labels, b.labels]), a.ids + b.ids, a.vectors, negated)


def generated_data(seed: int, maxlen: int, unknown: str, **corpus: Any) -> CaseData:
    """``corpus``: ``generated_encoded``'s size and filler arguments (a profile's ``Recipe.data``)."""
    train, heldout = generated_encoded(seed, **corpus)
    return case_data(train, heldout, maxlen, unknown)


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


# --------------------------------------------------------------------------- recipes

# Source: 004 "batch_size = 32", "epochs = 2", compile('rmsprop', ...) (rmsprop's default rate)
SOURCE_RECIPE = Recipe(epochs=2, batch_size=32, optimizer="rmsprop", learning_rate=0.001)
# The quick corpus: half the training reviews, shorter reviews (filler median 0.7 sentences
# instead of 2), the same 1,000 held-out reviews per seed, the same word vectors.
QUICK_CORPUS = {"reviews": 1250, "extra_heldout": 750, "filler_median": 0.7, "filler_sigma": 0.7}
QUICK_GENERATED = Recipe(
    epochs=2,
    batch_size=64,
    optimizer="rmsprop",
    learning_rate=0.003,
    fast_input=True,
    data=QUICK_CORPUS,
    changes=(
        "1,000 shorter training reviews (filler median 0.7 sentences, not 2), 2 epochs at batch 64 and "
        "RMSprop(0.003) instead of 2,000 reviews, 2 epochs at batch 32 and RMSprop(0.001); input as "
        "tf.data, one epoch per execution. Why: the quick budget. A 200-400 step update costs mostly "
        "per-step overhead, so the update count sets the time (32 updates here, 126 in the source's "
        "recipe), and each seed's new model is traced again (~1 s per case). Shorter reviews put the "
        "cues in fewer positions, which these few updates learn: held-out accuracy 0.56-0.70 on 1,000 "
        "reviews of the same quick corpus. Measured before it: the full corpus at 3 epochs of batch 128 "
        "(48 updates) reached 0.55-0.62 in ~1.5x the time; at 2 such epochs two seeds of 10 stayed "
        "near the majority baseline."
    ),
)
QUICK_IMDB = Recipe(
    epochs=1,
    batch_size=32,
    optimizer="rmsprop",
    learning_rate=0.001,
    changes="1 epoch instead of 2: half the time of a real-scale run (625 updates over 20,000 reviews).",
)

_QUICK = "quick corpus, TF 2.21/Keras 3.15, this 2-core machine (idle), 10 seeds"
_QUICK_215 = "TF 2.15/Keras 2, 10 seeds"
_FULL = "TF 2.21/Keras 3.15, this 2-core machine, source recipe"
_UNMEASURED = (
    "not measured: aclImdb and GoogleNews vectors are not on this machine; the threshold is the source's "
    "statement with a margin, to be measured with --imdb-dir/--word-vectors"
)


def _expected(n: int | dict[str, int], maxlen: int, dims: int, cell: str) -> Expected | dict[str, Expected]:
    """The shapes and counts; per profile when the profiles train on different numbers of reviews."""
    if isinstance(n, dict):
        return {profile: _expected(count, maxlen, dims, cell) for profile, count in n.items()}
    recurrent = recurrent_params(cell, dims)
    dense = dense_params(maxlen)
    return Expected(
        input_shape=(n, maxlen, dims),
        target_shape=(n, 1),
        total_params=recurrent + dense,
        layer_params={cell: recurrent, "Dropout": 0, "Flatten": 0, "Dense": dense},
    )


# --------------------------------------------------------------------------- claims


def _beats_majority(rules: dict, measured: dict) -> Claim:
    return Claim(
        id="beats_majority",
        text="the LSTM's held-out accuracy is above the majority-class baseline",
        source_figure="none printed (004 section 2.4 only says the validation accuracy beats the SimpleRNN's)",
        metric="accuracy_over_majority",
        rules=rules,
        measured=measured,
    )


def _faster_at_short(compare_to: str, rules: dict, measured: dict, metric: str) -> Claim:
    """``metric``: STEADY_EPOCH_SECONDS where a new model's tracing (~1-2 s, the same at either
    maxlen) is a large share of a short run; TRAIN_SECONDS at real scale, where it is not."""
    return Claim(
        id="maxlen200_trains_faster",
        text="halving maxlen from 400 to 200 makes training faster (the source: more than twice as fast)",
        source_figure="004 section 3.1: 'training finished much faster ... training time fell by more than half'",
        metric=metric,
        compare_to=compare_to,
        rules=rules,
        measured=measured,
    )


def _beats_simplernn(compare_to: str, rules: dict, measured: dict) -> Claim:
    return Claim(
        id="beats_simplernn",
        text="on the same data, the LSTM's held-out accuracy beats a SimpleRNN of the same width",
        source_figure="004 section 2.4: 'validation accuracy is far better than the SimpleRNN on the same data'",
        metric="accuracy",
        compare_to=compare_to,
        rules=rules,
        measured=measured,
    )


def _unk_not_worse(compare_to: str, rules: dict, measured: dict) -> Claim:
    return Claim(
        id="unk_not_worse_than_drop",
        text="one UNK vector for unknown tokens does not hurt: the network learns to look past it, as past padding",
        source_figure="004 section 3.2: UNK is 'the more common approach'; no figure",
        metric="accuracy",
        compare_to=compare_to,
        rules=rules,
        measured=measured,
    )


# --------------------------------------------------------------------------- cases


def _case(
    case_id: str, source: str, make: Any, cell: str, maxlen: int, unknown: str, n: int | dict[str, int], dims: int, **kw
) -> Case:
    return Case(
        id=case_id,
        family="sentiment",
        source=source,
        make_data=partial(make, maxlen=maxlen, unknown=unknown),
        build_model=partial(build_model, cell=cell),
        evaluate=evaluate,
        expected=_expected(n, maxlen, dims, cell),
        **kw,
    )


_GEN = "seed 004 parts 2-3, on the generated review corpus (offline default)"
_GEN_RECIPES = {"full": SOURCE_RECIPE, "quick": QUICK_GENERATED}
_GEN_N = {"full": int(N_REVIEWS * TRAIN_FRACTION), "quick": int(QUICK_CORPUS["reviews"] * TRAIN_FRACTION)}

SENTIMENT_LSTM_400 = _case(
    "sentiment_lstm_maxlen400",
    f"{_GEN}: LSTM, maxlen 400, unknown tokens dropped",
    generated_data,
    "LSTM",
    SOURCE_MAXLEN,
    "drop",
    _GEN_N,
    VECTOR_DIMS,
    recipes=_GEN_RECIPES,
    claims=(
        _beats_majority(
            {"full": AtLeast(0.02), "quick": AtLeast(0.04)},
            {
                "full": f"{_FULL}, 10 seeds: min 0.052 / median 0.106 / max 0.155 (accuracy 0.54-0.66)",
                "quick": f"{_QUICK}: min 0.087 / median 0.126 / max 0.226 (accuracy 0.59-0.69); "
                f"{_QUICK_215}: 0.083 / 0.131 / 0.224",
            },
        ),
        # Judged on the steady epoch (the second): each seed's new model is traced in its first
        # epoch, ~1-2 s at either maxlen, and in the quick recipe's 2 short epochs that one-off
        # cost made the whole-run ratio a coin toss (clean CI run, TF 2.15: 0.81-1.06).
        _faster_at_short(
            "sentiment_lstm_maxlen200",
            {"full": PairedRatio(1.2, 2 / 3), "quick": PairedRatio(1.2, 2 / 3)},
            {
                "full": f"{_FULL}, 10 seeds: steady-epoch ratio 400/200 min 1.31 / geometric mean 1.99 / max 2.36, "
                "400 slower on 10/10, >= 2x on 7/10 (whole runs 1.50 / 1.81 / 1.96; an earlier 10-seed run, "
                "whole runs: 0.94 / 1.49 / 3.09)",
                "quick": f"{_QUICK}: steady-epoch ratio 400/200 min 1.41 / geometric mean 2.02 / max 2.75, "
                f">= 2x on 5/10 (whole runs: 1.14 / 1.46 / 1.75); {_QUICK_215}: 1.50 / 2.61 / 4.80, >= 2x "
                "on 9/10 (whole runs 1.00 / 1.49 / 2.24); a clean CI run on TF 2.15: steady 1.59-1.92 "
                "while the whole runs were 0.81-1.06",
            },
            STEADY_EPOCH_SECONDS,
        ),
    ),
)

SENTIMENT_LSTM_200 = _case(
    "sentiment_lstm_maxlen200",
    f"{_GEN}: LSTM, maxlen 200 (section 3.1), unknown tokens dropped",
    generated_data,
    "LSTM",
    SHORT_MAXLEN,
    "drop",
    _GEN_N,
    VECTOR_DIMS,
    recipes=_GEN_RECIPES,
    claims=(
        _beats_majority(
            {"full": AtLeast(0.03), "quick": AtLeast(0.04)},
            {
                "full": f"{_FULL}, 10 seeds: min 0.063 / median 0.105 / max 0.151",
                "quick": f"{_QUICK}: min 0.078 / median 0.121 / max 0.230; {_QUICK_215}: 0.103 / 0.144 / 0.229",
            },
        ),
        _beats_simplernn(
            "sentiment_simplernn_maxlen200",
            # quick: the mean difference is the claim; one seed in 20 lost by 0.005, so one win
            # of 3 is asked for (every 3 of the 20 measured seeds have a mean difference >= 0.061).
            {"full": PairedGreater(0.02, 1.0), "quick": PairedGreater(0.03, 1 / 3)},
            {
                "full": f"{_FULL}, 10 seeds: paired difference min 0.010 / mean 0.052 / max 0.088, wins 10/10 "
                "(LSTM 0.58-0.65, SimpleRNN 0.52-0.59)",
                "quick": f"{_QUICK}: paired difference min -0.005 / mean 0.120 / max 0.201, wins 9/10 "
                f"(LSTM 0.56-0.70, SimpleRNN 0.46-0.60); {_QUICK_215}: 0.075 / 0.128 / 0.163, wins 10/10",
            },
        ),
        Claim(
            id="drop_flips_negation",
            text="dropping the unknown token \"n't\" flips negated reviews: 'I don't like' reads as 'I do like', "
            "so they are classified below chance",
            source_figure="004 section 3.2: 'I don't like movie' is reversed if \"don't\" is dropped",
            metric="negated_accuracy",
            rules={"full": AtMost(0.45), "quick": AtMost(0.45)},
            measured={
                "full": f"{_FULL}, 10 seeds: negated-review accuracy min 0.17 / median 0.26 / max 0.38 "
                "(plain reviews 0.68-0.84)",
                "quick": f"{_QUICK}: min 0.045 / median 0.128 / max 0.36 (plain reviews 0.68-0.96); "
                f"{_QUICK_215}: 0.052 / 0.108 / 0.287",
            },
        ),
    ),
)

SENTIMENT_SIMPLERNN_200 = _case(
    "sentiment_simplernn_maxlen200",
    f"{_GEN}: SimpleRNN(50) in the LSTM's place (the chapter-8 model the source compares with)",
    generated_data,
    "SimpleRNN",
    SHORT_MAXLEN,
    "drop",
    _GEN_N,
    VECTOR_DIMS,
    recipes=_GEN_RECIPES,
)

SENTIMENT_UNK_200 = _case(
    "sentiment_unk_maxlen200",
    f"{_GEN}: LSTM, maxlen 200, every unknown token mapped to one UNK vector (section 3.2)",
    generated_data,
    "LSTM",
    SHORT_MAXLEN,
    "unk",
    _GEN_N,
    VECTOR_DIMS,
    recipes=_GEN_RECIPES,
    claims=(
        _unk_not_worse(
            "sentiment_lstm_maxlen200",
            # quick: re-measured on the quick corpus; the worst mean of 3 of the 20 seeds is -0.011
            {"full": PairedGreater(-0.01, 0.0), "quick": PairedGreater(-0.03, 0.0)},
            {
                "full": f"{_FULL}, 10 seeds: paired difference UNK - drop min -0.007 / mean 0.006 / max 0.022",
                "quick": f"{_QUICK}: paired difference UNK - drop min -0.026 / mean 0.036 / max 0.124 (worst "
                f"3-seed mean -0.011); {_QUICK_215}: -0.010 / 0.024 / 0.105 (worst 3-seed mean -0.006)",
            },
        ),
    ),
    notes=(
        'The UNK vector keeps the position of "n\'t" but, in these budgets, the model does not learn to '
        "read it: negated-review accuracy stays where drop-unknown leaves it (quick 0.07-0.36 with UNK vs "
        "0.05-0.36 dropped, full 0.17-0.34, 10 seeds); the metric negated_accuracy records it for both cases."
    ),
)

SENTIMENT_PANG_LEE = _case(
    "sentiment_pang_lee",
    "seed 004 parts 2-3 pipeline on real text: gensim's pang_lee_polarity.cor with its fastText vectors",
    pang_lee_data,
    "LSTM",
    PANG_LEE_MAXLEN,
    "drop",
    160,
    100,
    recipes={"full": SOURCE_RECIPE, "quick": SOURCE_RECIPE},
    notes=(
        "An end-to-end run on real text (load, tokenise, vectorise, train, predict); no accuracy claim: "
        "200 sentences carry too little signal (measured: this LSTM 45.5% in 5-fold CV, unit-normalised "
        "vectors 57.8% +- 10.8%, bag-of-words logistic regression 53%)."
    ),
)

_IMDB = "seed 004 parts 2-3 at real scale: aclImdb train (--imdb-dir) with GoogleNews-style vectors (--word-vectors)"
_IMDB_RECIPES = {"full": SOURCE_RECIPE, "quick": QUICK_IMDB}
_IMDB_UNMEASURED = {"full": _UNMEASURED, "quick": _UNMEASURED}

IMDB_LSTM_400 = _case(
    "sentiment_imdb_lstm_maxlen400",
    f"{_IMDB}: LSTM, maxlen 400",
    imdb_data,
    "LSTM",
    SOURCE_MAXLEN,
    "drop",
    IMDB_TRAIN,
    SOURCE_DIMS,
    recipes=_IMDB_RECIPES,
    claims=(
        _beats_majority({"full": AtLeast(0.2), "quick": AtLeast(0.15)}, _IMDB_UNMEASURED),
        _faster_at_short(
            "sentiment_imdb_lstm_maxlen200",
            {"full": PairedRatio(1.5, 2 / 3), "quick": PairedRatio(1.5, 2 / 3)},
            _IMDB_UNMEASURED,
            TRAIN_SECONDS,  # the quick recipe has 1 epoch; at 625 updates tracing is a small share
        ),
    ),
)
IMDB_LSTM_200 = _case(
    "sentiment_imdb_lstm_maxlen200",
    f"{_IMDB}: LSTM, maxlen 200",
    imdb_data,
    "LSTM",
    SHORT_MAXLEN,
    "drop",
    IMDB_TRAIN,
    SOURCE_DIMS,
    recipes=_IMDB_RECIPES,
    claims=(
        _beats_majority({"full": AtLeast(0.2), "quick": AtLeast(0.15)}, _IMDB_UNMEASURED),
        _beats_simplernn(
            "sentiment_imdb_simplernn_maxlen200",
            {"full": PairedGreater(0.02, 2 / 3), "quick": PairedGreater(0.02, 2 / 3)},
            _IMDB_UNMEASURED,
        ),
    ),
)
IMDB_SIMPLERNN_200 = _case(
    "sentiment_imdb_simplernn_maxlen200",
    f"{_IMDB}: SimpleRNN(50), maxlen 200",
    imdb_data,
    "SimpleRNN",
    SHORT_MAXLEN,
    "drop",
    IMDB_TRAIN,
    SOURCE_DIMS,
    recipes=_IMDB_RECIPES,
)
IMDB_UNK_200 = _case(
    "sentiment_imdb_unk_maxlen200",
    f"{_IMDB}: LSTM, maxlen 200, unknown tokens mapped to one UNK vector",
    imdb_data,
    "LSTM",
    SHORT_MAXLEN,
    "unk",
    IMDB_TRAIN,
    SOURCE_DIMS,
    recipes=_IMDB_RECIPES,
    claims=(
        _unk_not_worse(
            "sentiment_imdb_lstm_maxlen200",
            {"full": PairedGreater(-0.02, 0.0), "quick": PairedGreater(-0.02, 0.0)},
            _IMDB_UNMEASURED,
        ),
    ),
)

CASES = (
    SENTIMENT_LSTM_400,
    SENTIMENT_LSTM_200,
    SENTIMENT_SIMPLERNN_200,
    SENTIMENT_UNK_200,
    SENTIMENT_PANG_LEE,
    IMDB_LSTM_400,
    IMDB_LSTM_200,
    IMDB_SIMPLERNN_200,
    IMDB_UNK_200,
)
# --aclImdb and --word-vectors (and --nltk-data, shared with char_generation): the real-scale cases' data.
DATA_PATHS = textdata.DATA_PATHS
