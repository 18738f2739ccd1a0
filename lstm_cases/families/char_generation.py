"""Character-level text generation (docs/scenarios.md; seed 004 part 5).

The source: lower-case text, windows of 40 characters every 3 characters, one-hot inputs
(N, 40, vocabulary) and the next character one-hot as target; LSTM(128) -> Dense(vocabulary)
-> softmax, RMSprop(0.01), categorical cross-entropy, batch 128, 6 epochs. Then sample the
next character from the softmax at temperature 0.2, 0.5 and 1.0 (``log(p) / T``,
renormalise, draw), append it and slide the window.

Text: gensim's ``lee_background.cor`` (English news, offline) by default; the three
Shakespeare plays of NLTK's Gutenberg corpus when an NLTK data directory is given
(``--nltk-data``), as in the source. The last part of the text is held out: the claims
judge the model on characters it never trained on.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Any

import numpy as np

from lstm_cases import compat, textdata
from lstm_cases.core import Case, CaseData, Claim, Expected, ExpectedFailure, Recipe, compile_model
from lstm_cases.provenance import CI_STACKS, TF221
from lstm_cases.rules import AtLeast

MAXLEN = 40  # Source: 004 "maxlen = 40"
STEP = 3  # Source: 004 "step = 3"
UNITS = 128  # Source: 004 "LSTM(128, ...)"
SOURCE_VOCAB = 50  # Source: 004 "total chars: 50"
TEMPERATURES = (0.2, 0.5, 1.0)  # Source: 004 "for diversity in [0.2, 0.5, 1.0]"
ARGMAX_TEMPERATURE = 1e-4  # "T -> 0 equals argmax" is checked at this temperature
GENERATED_CHARS = 100  # per stream and temperature (the source generated 30)
STREAMS = 16  # generation runs this many windows at once; stream 0 starts from the fixed seed text


def lstm_params(vocab: int) -> int:
    return 4 * UNITS * (vocab + UNITS + 1)  # 91,648 for the source's 50 characters


def dense_params(vocab: int) -> int:
    return UNITS * vocab + vocab  # 6,450 for 50 characters


# --------------------------------------------------------------------------- text -> arrays


@dataclass(frozen=True)
class Corpus:
    """A lower-cased text split into a training part and a held-out tail, with the
    vocabulary of the whole text (so held-out text has no unknown characters)."""

    name: str
    train: str
    heldout: str
    chars: tuple[str, ...]
    unigram_bits: float  # of the whole text

    @property
    def index(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.chars)}

    def codes(self, text: str) -> np.ndarray:
        index = self.index
        return np.fromiter((index[c] for c in text), dtype=np.int64, count=len(text))


def make_corpus(name: str, text: str, train_chars: int, heldout_chars: int) -> Corpus:
    if len(text) < train_chars + heldout_chars:
        raise textdata.DataError(f"{name}: {len(text)} characters, fewer than the {train_chars + heldout_chars} needed")
    return Corpus(name, text[:train_chars], text[-heldout_chars:], tuple(sorted(set(text))), unigram_bits(text))


def one_hot(codes: np.ndarray, vocab: int) -> np.ndarray:
    return np.eye(vocab, dtype="float32")[codes]


def windows(corpus: Corpus, text: str, step: int = STEP) -> tuple[np.ndarray, np.ndarray]:
    """Source: 004 section 5.2-5.3: ``text[i: i + maxlen]`` -> ``text[i + maxlen]`` for
    ``i in range(0, len(text) - maxlen, step)``, both one-hot."""
    codes = corpus.codes(text)
    starts = window_starts(len(text), step)
    vocab = len(corpus.chars)
    return one_hot(codes[starts[:, None] + np.arange(MAXLEN)], vocab), one_hot(codes[starts + MAXLEN], vocab)


def window_starts(n_chars: int, step: int = STEP) -> np.ndarray:
    """Where the windows of a text of ``n_chars`` characters start (``windows``)."""
    return np.arange(0, n_chars - MAXLEN, step)


def window_count(n_chars: int, step: int = STEP) -> int:
    return len(window_starts(n_chars, step))


def unigram_bits(text: str) -> float:
    """Entropy of the character frequencies, in bits per character."""
    _, counts = np.unique(np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32), return_counts=True)
    p = counts / counts.sum()
    return float(-(p * np.log2(p)).sum())


# --------------------------------------------------------------------------- the n-gram control

NGRAM_ORDERS = (2, 3, 4, 5)  # the control uses the one that predicts the training text's tail best
NGRAM_VALIDATION_CHARS = 3_000  # that tail, held out of the n-gram's training while the order is chosen


def _witten_bell(order: int, chars: tuple[str, ...]) -> Any:
    """NLTK's interpolated Witten-Bell n-gram model whose recursion ends in the uniform distribution over
    the corpus's characters (as Witten-Bell is usually defined), not in the training counts alone: a
    held-out character the training text lacks gets a small probability instead of none."""
    from nltk.lm.models import InterpolatedLanguageModel
    from nltk.lm.smoothing import WittenBell

    class UniformBase(WittenBell):
        def unigram_score(self, word: str) -> float:
            seen, types = self.counts.unigrams.N(), len(self.counts.unigrams)
            return (self.counts.unigrams[word] + types / len(chars)) / (seen + types)

    return InterpolatedLanguageModel(UniformBase, order)


def _ngram_bits(order: int, chars: tuple[str, ...], train: str, text: str, targets: np.ndarray) -> float:
    from nltk.lm.preprocessing import padded_everygram_pipeline

    ngrams, _ = padded_everygram_pipeline(order, [list(train)])
    model = _witten_bell(order, chars)
    model.fit(ngrams, chars)
    return float(np.mean([-model.logscore(text[t], tuple(text[max(0, t - order + 1) : t])) for t in targets]))


def _targets(text: str) -> np.ndarray:
    """The positions of the characters the windows of ``text`` predict (``windows``)."""
    return window_starts(len(text)) + MAXLEN


@lru_cache(maxsize=4)
def ngram_control(corpus: Corpus) -> tuple[int, float]:
    """A character n-gram model's held-out cross-entropy, in bits per character, on the characters the
    held-out windows predict: its order (chosen on the training text's tail), and its bits after training
    on the whole training text. Deterministic: the same for every seed."""
    fit, tail = corpus.train[:-NGRAM_VALIDATION_CHARS], corpus.train[-NGRAM_VALIDATION_CHARS:]
    order = min(NGRAM_ORDERS, key=lambda n: _ngram_bits(n, corpus.chars, fit, tail, _targets(tail)))
    return order, _ngram_bits(order, corpus.chars, corpus.train, corpus.heldout, _targets(corpus.heldout))


# --------------------------------------------------------------------------- sampling


def tempered(preds: np.ndarray, temperature: float | np.ndarray) -> np.ndarray:
    """Source: 004 ``sample``: ``exp(log(p) / T)`` renormalised, row by row, in float64 (T: one
    temperature, or one per row). The largest log-probability is subtracted before ``exp``, so
    a small T cannot overflow (the source's version returns NaN there); zero probabilities stay
    zero."""
    t = np.asarray(temperature, dtype="float64")
    if not (t > 0).all():
        raise ValueError(f"temperature must be > 0, got {temperature!r}")
    p = np.atleast_2d(np.asarray(preds, dtype="float64"))
    if not np.isfinite(p).all() or (p < 0).any():
        raise ValueError("predictions must be finite and non-negative")
    with np.errstate(divide="ignore"):
        logits = np.log(p) / (t[:, None] if t.ndim else t)
    logits -= logits.max(axis=1, keepdims=True)
    weights = np.exp(logits)
    return weights / weights.sum(axis=1, keepdims=True)


def sample(preds: np.ndarray, temperature: float | np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One draw per row of ``preds`` (an index into the vocabulary, always in range)."""
    probs = tempered(preds, temperature)
    cumulative = np.cumsum(probs, axis=1)
    u = rng.random((len(probs), 1)) * cumulative[:, -1:]
    return np.minimum((cumulative <= u).sum(axis=1), probs.shape[1] - 1)


def sample_entropy_bits(text: str) -> float:
    return unigram_bits(text) if text else 0.0


def generate(
    forward: Any,
    corpus: Corpus,
    seeds: list[str],
    temperatures: tuple[float, ...],
    n_chars: int,
    rng: np.random.Generator,
) -> dict[float, list[str]]:
    """Source: 004 section 5.5: predict, sample, append, slide the window; here for every seed
    window at every temperature at once (``forward``: one compiled call per character).
    Returns, per temperature, one text per seed window."""
    rows = [(t, s) for t in temperatures for s in seeds]
    window = np.stack([corpus.codes(s[-MAXLEN:]) for _, s in rows])
    row_temperatures = np.asarray([t for t, _ in rows], dtype="float64")
    out = np.zeros((len(rows), n_chars), dtype=np.int64)
    vocab = len(corpus.chars)
    for i in range(n_chars):
        preds = forward(one_hot(window, vocab))
        out[:, i] = sample(preds, row_temperatures, rng)
        window = np.concatenate([window[:, 1:], out[:, i : i + 1]], axis=1)
    texts = ["".join(corpus.chars[c] for c in row) for row in out]
    return {t: texts[k * len(seeds) : (k + 1) * len(seeds)] for k, t in enumerate(temperatures)}


# --------------------------------------------------------------------------- case parts


def char_data(seed: int, corpus_fn: Any) -> CaseData:
    """Training windows of the corpus's training part; the held-out tail in ``extras``."""
    corpus = corpus_fn()
    x, y = _windows_for(corpus)
    x_heldout, y_heldout = _windows_for(corpus, heldout=True)
    return CaseData(
        x=x,
        y=y,
        extras={
            "corpus": corpus,
            "x_heldout": x_heldout,
            "y_heldout": y_heldout,
            "seed": seed,  # the sampling generator's seed (runner.prepare seeds the framework)
        },
    )


@lru_cache(maxsize=4)
def _windows_for(corpus: Corpus, heldout: bool = False) -> tuple[np.ndarray, np.ndarray]:
    return windows(corpus, corpus.heldout if heldout else corpus.train)


def build_model(data: CaseData, recipe: Recipe) -> Any:
    """Source: 004 section 5.4: LSTM(128) -> Dense(len(chars)) -> Activation('softmax')."""
    k = compat.keras()
    vocab = data.x.shape[2]
    model = k.Sequential(
        [
            k.Input(shape=(MAXLEN, vocab)),
            k.layers.LSTM(UNITS),
            k.layers.Dense(vocab),
            k.layers.Activation("softmax"),
        ]
    )
    return compile_model(model, recipe, "categorical_crossentropy", len(data.x))


def evaluate(model: Any, data: CaseData) -> dict[str, Any]:
    corpus: Corpus = data.extras["corpus"]
    rng = np.random.default_rng(data.extras["seed"])
    probs = np.asarray(model.predict(data.extras["x_heldout"], batch_size=1024, verbose=0), dtype="float64")
    target = np.argmax(data.extras["y_heldout"], axis=1)
    heldout_bits = float(-np.mean(np.log2(np.maximum(probs[np.arange(len(target)), target], 1e-12))))
    argmax_agreement = float(np.mean(sample(probs, ARGMAX_TEMPERATURE, rng) == np.argmax(probs, axis=1)))

    # Generation: STREAMS windows of held-out text, the first being the fixed seed text.
    starts = np.linspace(0, len(corpus.heldout) - MAXLEN, STREAMS).astype(int)
    seeds = [corpus.heldout[s : s + MAXLEN] for s in starts]
    samples, entropies, outside = {}, {}, 0
    generated = generate(compat.compiled_forward(model), corpus, seeds, TEMPERATURES, GENERATED_CHARS, rng)
    for temperature, texts in generated.items():
        samples[str(temperature)] = texts[0]  # "0.2", "0.5", "1.0"
        entropies[temperature] = sample_entropy_bits("".join(texts))
        outside += sum(c not in corpus.chars for t in texts for c in t)
    rises = [entropies[b] - entropies[a] for a, b in zip(TEMPERATURES, TEMPERATURES[1:], strict=False)]
    ngram_order, ngram_bits = ngram_control(corpus)
    return {
        "heldout_bits_per_char": heldout_bits,
        "unigram_bits_per_char": corpus.unigram_bits,
        "bits_below_unigram": corpus.unigram_bits - heldout_bits,
        "ngram_bits_per_char": ngram_bits,
        "ngram_order": float(ngram_order),
        "bits_below_ngram": ngram_bits - heldout_bits,
        "argmax_agreement_small_t": argmax_agreement,
        **{f"sample_entropy_t{t:g}": e for t, e in entropies.items()},
        "sample_entropy_rise": min(rises),
        "chars_outside_vocabulary": float(outside),
        "vocab_size": float(len(corpus.chars)),
        "samples": samples,
        "seed_text": seeds[0],
        "vocabulary": "".join(corpus.chars),
    }


# --------------------------------------------------------------------------- corpora

LEE_TRAIN_CHARS = 15_000  # the first 15,000 characters train (4,987 windows) ...
LEE_HELDOUT_CHARS = 20_000  # ... the last 20,000 are held out (6,654 windows)
LEE_VOCAB = 55  # lee_background.cor lower-cased: 55 distinct characters


@lru_cache(maxsize=1)
def lee_corpus() -> Corpus:
    path = textdata.gensim_test_file("lee_background.cor")
    return make_corpus(str(path), textdata.read_text(path, "utf-8").lower(), LEE_TRAIN_CHARS, LEE_HELDOUT_CHARS)


SHAKESPEARE_CHARS = 375_542  # Source: 004 "corpus length: 375542"
SHAKESPEARE_WINDOWS = 125_168  # Source: 004 "nb sequences: 125168" (every window of the whole text)
SHAKESPEARE_TRAIN_CHARS = int(SHAKESPEARE_CHARS * 0.9)  # the last 10% is held out


@lru_cache(maxsize=2)
def _shakespeare(nltk_data: Any) -> Corpus:
    text = textdata.gutenberg_shakespeare(nltk_data)
    train_chars = int(len(text) * 0.9)
    return make_corpus(f"{nltk_data} (Gutenberg Shakespeare)", text, train_chars, len(text) - train_chars)


def shakespeare_corpus() -> Corpus:
    return _shakespeare(textdata.NLTK_DATA.require("NLTK data with the Gutenberg corpus").resolve())


# --------------------------------------------------------------------------- recipes and cases

# Source: 004 "RMSprop(lr=0.01)", "epochs = 6", "batch_size = 128"
SOURCE_RECIPE = Recipe(epochs=6, batch_size=128, optimizer="rmsprop", learning_rate=0.01)
SHAKESPEARE_UNMEASURED = "NLTK's Gutenberg corpus was not on the measuring machine; measure with --nltk-data"


def _claims(rules: dict[str, dict], measured_on: dict[str, tuple[str, ...]], unmeasured: str = "") -> tuple[Claim, ...]:
    """The claims about a trained model, with the rules per claim id and profile and where they were
    measured. (The sampler's own properties, argmax at a small temperature and never a character
    outside the vocabulary, hold for any model: they are unit tests, not claims.)"""
    return (
        Claim(
            id="heldout_below_unigram",
            text="per-character cross-entropy on held-out text falls well below the corpus's unigram entropy",
            source_figure="no loss printed; 004 section 5.5's samples read as play text ('the dues honor the word')",
            metric="bits_below_unigram",
            rules=rules["heldout_below_unigram"],
            measured_on=measured_on,
            unmeasured=unmeasured,
        ),
        Claim(
            id="higher_t_more_diverse",
            text="a higher temperature gives more diverse samples: sample entropy rises from T=0.2 to 0.5 to 1.0",
            source_figure="004 section 5.5: 'some randomness is needed to make new text'; samples at 0.2, 0.5, 1.0",
            metric="sample_entropy_rise",
            rules=rules["higher_t_more_diverse"],
            measured_on=measured_on,
            unmeasured=unmeasured,
        ),
    )


# Finding (a control): three epochs on 15,000 characters leave the LSTM behind a character n-gram model.
_BEHIND_NGRAM_AT_QUICK = ExpectedFailure(
    reason=(
        "3 epochs on 15,000 characters: the LSTM's held-out cross-entropy stays 0.5-0.7 bits per character "
        "above a Witten-Bell 4-gram's (quick, seeds 0-29 on TF 2.21, 0-9 on TF 2.15); the source trained "
        "6 epochs on a far larger text"
    ),
    profile="quick",
    floor=AtLeast(-0.9),  # the finding's bound: within 0.9 bits of the n-gram on every seed (an untrained model is not)
)

BEATS_NGRAM = Claim(
    id="beats_char_ngram",
    text=(
        "the LSTM predicts held-out text better than a character n-gram model trained on the same text "
        "(NLTK's Witten-Bell, its order chosen on the training text's tail): held-out bits per character "
        "below the n-gram's"
    ),
    source_figure="none (the source compares with nothing); 004 section 5.5's samples read as play text",
    metric="bits_below_ngram",
    rules={"quick": AtLeast(0.0)},
    measured_on={"quick": CI_STACKS},
    unjudged="full: the source's recipe is not measured against the n-gram yet (the full campaign)",
    expected_failures=(_BEHIND_NGRAM_AT_QUICK,),
)

CHAR_GENERATION = Case(
    id="char_generation",
    family="char_generation",
    source="seed 004 part 5 'LSTM text generation', on gensim's lee_background.cor (offline default)",
    make_data=partial(char_data, corpus_fn=lee_corpus),
    build_model=build_model,
    evaluate=evaluate,
    recipes={
        "full": SOURCE_RECIPE,
        "quick": Recipe(
            epochs=3,
            batch_size=128,
            optimizer="rmsprop",
            learning_rate=0.01,
            fast_input=True,
            changes=(
                "3 epochs instead of 6, input as tf.data with one epoch per execution (the same updates). "
                "Why: the quick budget; after 3 epochs the held-out cross-entropy is already well below "
                "the unigram entropy, the claim this recipe tests."
            ),
        ),
    },
    expected=Expected(
        input_shape=(window_count(LEE_TRAIN_CHARS), MAXLEN, LEE_VOCAB),
        target_shape=(window_count(LEE_TRAIN_CHARS), LEE_VOCAB),
        total_params=lstm_params(LEE_VOCAB) + dense_params(LEE_VOCAB),
        layer_params={"LSTM": lstm_params(LEE_VOCAB), "Dense": dense_params(LEE_VOCAB), "Activation": 0},
    ),
    claims=_claims(
        {
            "heldout_below_unigram": {"full": AtLeast(0.5), "quick": AtLeast(0.4)},
            # full: a margin below the smallest rise of two 10-seed runs (0.24, 0.35)
            "higher_t_more_diverse": {"full": AtLeast(0.2), "quick": AtLeast(0.3)},
        },
        {"quick": CI_STACKS, "full": (TF221,)},
    )
    + (BEATS_NGRAM,),
)

CHAR_SHAKESPEARE = Case(
    id="char_shakespeare",
    family="char_generation",
    source="seed 004 part 5 on its own text: the Shakespeare plays of NLTK's Gutenberg corpus (--nltk-data)",
    make_data=partial(char_data, corpus_fn=shakespeare_corpus),
    build_model=build_model,
    evaluate=evaluate,
    recipes={
        "full": SOURCE_RECIPE,
        "quick": Recipe(
            epochs=1,
            batch_size=128,
            optimizer="rmsprop",
            learning_rate=0.01,
            changes="1 epoch instead of 6 (880 updates): a real-scale run that still fits a quick session.",
        ),
    },
    expected=Expected(
        input_shape=(window_count(SHAKESPEARE_TRAIN_CHARS), MAXLEN, SOURCE_VOCAB),
        target_shape=(window_count(SHAKESPEARE_TRAIN_CHARS), SOURCE_VOCAB),
        total_params=lstm_params(SOURCE_VOCAB) + dense_params(SOURCE_VOCAB),
        layer_params={"LSTM": lstm_params(SOURCE_VOCAB), "Dense": dense_params(SOURCE_VOCAB), "Activation": 0},
    ),
    claims=_claims(
        {
            "heldout_below_unigram": {"full": AtLeast(1.0), "quick": AtLeast(0.5)},
            # not measured: the default corpus's measured rise until someone measures Shakespeare
            "higher_t_more_diverse": {"full": AtLeast(0.2), "quick": AtLeast(0.3)},
        },
        {"quick": (), "full": ()},
        SHAKESPEARE_UNMEASURED,
    ),
)

CASES = (CHAR_GENERATION, CHAR_SHAKESPEARE)
# --nltk-data for the Shakespeare case (the text loaders declare every text data option).
DATA_PATHS = textdata.DATA_PATHS
