"""The generated review corpus (the offline default, on which the claims are judged) and its
word vectors.

Movie reviews with a known structure: neutral filler sentences around 1 to 3 opinion sentences
that carry the label. In some reviews every opinion is negated, written either with "n't" (a token
the vectors lack) or with "not" (one they have), so that a negation can be read from a known word
and the vocabulary gap is one form of it, not the only one. The vectors are trained on unlabelled
generated reviews by gensim ``Word2Vec`` and read back through word2vec binary and text files, as
pretrained vectors are.
"""

from __future__ import annotations

import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from lstm_cases import textdata
from lstm_cases.core import CaseData, DataError
from lstm_cases.families.sentiment.pipeline import STEP_BATCH, VECTOR_LIMIT, Encoded, case_data, encode, split

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
# Opinion sentences: plain, negated with "n't" and negated with "not". The "n't" form differs from
# the plain one only by "n't" (Treebank: "don't" -> "do" "n't"), so dropping that token turns it into
# the plain form: "I don't like this film" becomes "I do like this film" (source 004 section 3.2).
# The "not" form says the same with a word the vectors have: dropping leaves it readable.
OPINIONS = (
    ("I do {v} this {adj} film.", "I don't {v} this {adj} film.", "I do not {v} this {adj} film."),
    ("The {n} is {adj}.", "The {n} isn't {adj}.", "The {n} is not {adj}."),
    ("It was a {adj} film.", "It wasn't a {adj} film.", "It was not a {adj} film."),
)
UNKNOWN_TOKENS = ("n't",)  # left out of the saved vectors, as pretrained vectors may lack it
# A review's negation: none, written with the unknown token, written with a known word.
NOT_NEGATED, NEGATED_UNKNOWN, NEGATED_KNOWN = 0, 1, 2

# The corpus's version (Case.data_version): earlier measurements were of reviews negated with "n't" only.
CORPUS_VERSION = "negations written with n't or not"
P_NEGATED = 0.3  # share of reviews whose every opinion is negated
P_NEGATED_KNOWN = 0.5  # share of those written with "not"
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
) -> tuple[int, int, str]:
    """(label, negation, text); negation is NOT_NEGATED, NEGATED_UNKNOWN ("n't") or NEGATED_KNOWN
    ("not"). The label's cue: 1 to 3 opinion sentences placed anywhere among the filler (lognormal
    count). In a negated review every opinion is negated, in one form, and uses words of the
    opposite polarity ("I don't like ..." in a negative review)."""
    label = int(rng.random() < 0.5)
    negated = bool(rng.random() < P_NEGATED)
    negation = (NEGATED_KNOWN if rng.random() < P_NEGATED_KNOWN else NEGATED_UNKNOWN) if negated else NOT_NEGATED
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
        sentence = OPINIONS[int(rng.integers(len(OPINIONS)))][negation].format(
            v=_pick(rng, POSITIVE_VERBS if words_positive else NEGATIVE_VERBS),
            adj=_pick(rng, POSITIVE_ADJECTIVES if words_positive else NEGATIVE_ADJECTIVES),
            n=_pick(rng, NOUNS),
        )
        sentences.insert(int(rng.integers(len(sentences) + 1)), sentence)
    return label, negation, " ".join(sentences)


def generate_reviews(
    seed: int, n: int, filler_median: float = FILLER_MEDIAN, filler_sigma: float = FILLER_SIGMA
) -> list[tuple[int, int, str]]:
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
    negation = np.asarray([n for _, n, _ in generated], dtype=np.int64)
    encoded = Encoded(encoded.labels, encoded.ids, encoded.vectors, negation)
    train, heldout = split(encoded.take(np.arange(reviews)), seed)
    extra = encoded.take(np.arange(reviews, reviews + extra_heldout))
    return train, _concat(heldout, extra)


def _concat(a: Encoded, b: Encoded) -> Encoded:
    negation = None if a.negation is None or b.negation is None else np.concatenate([a.negation, b.negation])
    return Encoded(np.concatenate([a.labels, b.labels]), a.ids + b.ids, a.vectors, negation)


def generated_data(
    seed: int,
    maxlen: int,
    unknown: str,
    step_batch: int = STEP_BATCH,
    reviews: int = N_REVIEWS,
    extra_heldout: int = N_EXTRA_HELDOUT,
    filler_median: float = FILLER_MEDIAN,
    filler_sigma: float = FILLER_SIGMA,
) -> CaseData:
    """The corpus's size and filler arguments (a profile's ``Recipe.data``; their defaults are the full
    profile's, which a sweep's map marks); ``step_batch``: the reviews per timed training step."""
    train, heldout = generated_encoded(seed, reviews, extra_heldout, filler_median, filler_sigma)
    return case_data(train, heldout, maxlen, unknown, step_batch)
