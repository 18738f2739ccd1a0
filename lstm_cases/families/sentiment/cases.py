"""The sentiment family's recipes, claims and nine cases: four on the generated corpus, one
on gensim's pang_lee sentences and four at real scale (skipped unless their data is given)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from functools import partial
from typing import Any

from lstm_cases.core import TRAIN_SECONDS, Case, CaseData, Claim, Expected, ExpectedFailure, Recipe
from lstm_cases.families.sentiment.corpus import CORPUS_VERSION, N_REVIEWS, VECTOR_DIMS, generated_data
from lstm_cases.families.sentiment.findings import (
    HALF_MAXLEN_KERAS3_JAX,
    HALF_MAXLEN_KERAS3_TF,
    HALF_MAXLEN_KERAS33,
    NEGATION_NOT_READ,
    SIMPLERNN_EDGE_FULL,
    SIMPLERNN_EDGE_KERAS2,
    TUNED_SIMPLERNN_QUICK,
)
from lstm_cases.families.sentiment.pipeline import (
    HALF_MAXLEN_METRIC,
    SHORT_MAXLEN,
    SOURCE_DIMS,
    SOURCE_MAXLEN,
    TRAIN_FRACTION,
    build_model,
    dense_params,
    evaluate,
    recurrent_params,
)
from lstm_cases.families.sentiment.real_text import IMDB_TRAIN, PANG_LEE_MAXLEN, imdb_data, pang_lee_data
from lstm_cases.provenance import CI_STACKS, TF221
from lstm_cases.rules import AtLeast, AtMost, PairedGreater, PairedLoss, PairedRatio
from lstm_cases.sweep import Axis, Sweep

# --------------------------------------------------------------------------- recipes

# Source: 004 "batch_size = 32", "epochs = 2", compile('rmsprop', ...) (rmsprop's default rate)
SOURCE_RECIPE = Recipe(epochs=2, batch_size=32, optimizer="rmsprop", learning_rate=0.001)
# The quick corpus: half the training reviews, shorter reviews (filler median 0.7 sentences
# instead of 2), the same 1,000 held-out reviews per seed, the same word vectors.
QUICK_CORPUS = {"reviews": 1250, "extra_heldout": 750, "filler_median": 0.7, "filler_sigma": 0.7}
QUICK_GENERATED = Recipe(
    epochs=3,
    batch_size=64,
    optimizer="rmsprop",
    learning_rate=0.003,
    fast_input=True,
    data=QUICK_CORPUS,
    changes=(
        "1,000 shorter training reviews (filler median 0.7 sentences, not 2), 3 epochs at batch 64 and "
        "RMSprop(0.003) instead of 2,000 reviews, 2 epochs at batch 32 and RMSprop(0.001); input as "
        "tf.data, one epoch per execution. Why: the quick budget. A 200-400 step update costs mostly "
        "per-step overhead, so the update count sets the time (48 updates here, 126 in the source's "
        "recipe), and each seed's new model is traced again. Shorter reviews put the cues in fewer "
        "positions, which these few updates learn. 3 epochs, not 2: at 2 (32 updates) some seeds' "
        "corpora were not learned at all, by every model on both CI stacks (docs/findings.md)."
    ),
)
QUICK_IMDB = Recipe(
    epochs=1,
    batch_size=32,
    optimizer="rmsprop",
    learning_rate=0.001,
    changes="1 epoch instead of 2: half the time of a real-scale run (625 updates over 20,000 reviews).",
)

# The generated corpus: quick measured per seed on the CI stacks, full on the default stack.
_GEN_MEASURED = {"quick": CI_STACKS, "full": (TF221,)}
IMDB_UNMEASURED = (
    "aclImdb and GoogleNews vectors were not on the measuring machine: the threshold is the source's "
    "statement with a margin; measure with --imdb-dir/--word-vectors"
)


def _expected(train_reviews: int | dict[str, int], maxlen: int, dims: int, cell: str) -> Expected | dict[str, Expected]:
    """The shapes and counts; per profile when the profiles train on different numbers of reviews."""
    if isinstance(train_reviews, dict):
        return {profile: _expected(count, maxlen, dims, cell) for profile, count in train_reviews.items()}
    recurrent = recurrent_params(cell, dims)
    dense = dense_params(maxlen)
    return Expected(
        input_shape=(train_reviews, maxlen, dims),
        target_shape=(train_reviews, 1),
        total_params=recurrent + dense,
        layer_params={cell: recurrent, "Dropout": 0, "Flatten": 0, "Dense": dense},
    )


# --------------------------------------------------------------------------- claims


def _beats_majority(rules: dict, measured_on: dict) -> Claim:
    return Claim(
        id="beats_majority",
        text="the LSTM's held-out accuracy is above the majority-class baseline",
        source_figure="none printed (004 section 2.4 only says the validation accuracy beats the SimpleRNN's)",
        metric="accuracy_over_majority",
        rules=rules,
        measured_on=measured_on,
        unmeasured="" if all(measured_on.values()) else IMDB_UNMEASURED,
    )


def _faster_at_short(
    compare_to: str, rules: dict, measured_on: dict, metric: str, unmeasured: str = "", sweep: Sweep | None = None
) -> Claim:
    """``metric``: ``train_step_seconds`` (the median of many steps after training) where a short
    run's one steady epoch is at the mercy of a busy CPU; TRAIN_SECONDS at real scale, where a
    whole run is long enough to judge."""
    return Claim(
        id="maxlen200_trains_faster",
        text="halving maxlen from 400 to 200 makes training faster (the source: more than twice as fast)",
        source_figure="004 section 3.1: 'training finished much faster ... training time fell by more than half'",
        metric=metric,
        compare_to=compare_to,
        rules=rules,
        measured_on=measured_on,
        unmeasured=unmeasured or ("" if all(measured_on.values()) else IMDB_UNMEASURED),
        null_exempt="a claim about the cost of a training step at two lengths, not about learning",
        sweep=sweep,
    )


def _twice_as_fast_at_half_maxlen() -> Claim:
    """The source's "more than half": a step at maxlen 400 against one of the same network at 200, both
    timed in one process, round by round (``HALF_MAXLEN_METRIC``), so that other work slows both sides."""
    return Claim(
        id="maxlen200_trains_faster",
        text="halving maxlen from 400 to 200 makes a training step more than twice as fast",
        source_figure="004 section 3.1: 'training finished much faster ... training time fell by more than half'",
        metric=HALF_MAXLEN_METRIC,
        rules={"full": AtLeast(2.0, 2 / 3), "quick": AtLeast(2.0, 2 / 3)},
        measured_on={"quick": CI_STACKS, "full": (TF221,)},
        null_exempt="a claim about the cost of a training step at two lengths, not about learning",
        expected_failures=(HALF_MAXLEN_KERAS33, HALF_MAXLEN_KERAS3_TF, HALF_MAXLEN_KERAS3_JAX),
        sweep=Sweep(
            axes=(
                Axis("data.maxlen", (100, 200, 400, 800), "maxlen (the half-length side: half of it)"),
                # the claim's metric times steps of a fixed batch; the recipe's batch_size never enters it
                Axis("data.step_batch", (16, 64, 256), "batch of the timed steps"),
            )
        ),
    )


def _beats_simplernn(
    compare_to: str,
    rules: dict,
    measured_on: dict,
    sweep: Sweep | None = None,
    expected_failures: tuple[ExpectedFailure, ...] = (),
) -> Claim:
    return Claim(
        id="beats_simplernn",
        text="on the same data, the LSTM's held-out accuracy beats a SimpleRNN of the same width",
        source_figure="004 section 2.4: 'validation accuracy is far better than the SimpleRNN on the same data'",
        metric="accuracy",
        compare_to=compare_to,
        rules=rules,
        measured_on=measured_on,
        unmeasured="" if all(measured_on.values()) else IMDB_UNMEASURED,
        sweep=sweep,
        expected_failures=expected_failures,
    )


def _unk_not_worse(compare_to: str, rules: dict, measured_on: dict) -> Claim:
    return Claim(
        id="unk_not_worse_than_drop",
        text="one UNK vector for unknown tokens does not hurt: the network learns to look past it, as past padding "
        "(held-out accuracy over the majority baseline, which both cases share per seed)",
        source_figure="004 section 3.2: UNK is 'the more common approach'; no figure",
        metric="accuracy_over_majority",
        compare_to=compare_to,
        rules=rules,
        measured_on=measured_on,
        unmeasured="" if all(measured_on.values()) else IMDB_UNMEASURED,
    )


# --------------------------------------------------------------------------- cases


def _case(
    *,
    case_id: str,
    source: str,
    make_data: Callable[..., CaseData],
    cell: str,
    maxlen: int,
    unknown: str,
    train_reviews: int | dict[str, int],
    vector_dims: int,
    step_ratio: bool = False,
    **case_fields: Any,
) -> Case:
    """A sentiment Case from its model (``cell``), input (``maxlen``, ``unknown``-token policy,
    ``vector_dims``) and training-set size (per profile where the profiles differ); ``step_ratio``:
    its evaluation times training steps against the same network at half the maxlen
    (``HALF_MAXLEN_METRIC``), for a case whose value a claim reads;
    ``case_fields``: the rest of ``Case`` (recipes, claims, notes)."""
    return Case(
        id=case_id,
        family="sentiment",
        source=source,
        make_data=partial(make_data, maxlen=maxlen, unknown=unknown),
        build_model=partial(build_model, cell=cell),
        evaluate=partial(evaluate, step_ratio_cell=cell if step_ratio else None),
        expected=_expected(train_reviews, maxlen, vector_dims, cell),
        **case_fields,
    )


_GEN = "seed 004 parts 2-3, on the generated review corpus (offline default)"
_GEN_RECIPES = {"full": SOURCE_RECIPE, "quick": QUICK_GENERATED}
_GEN_N = {"full": int(N_REVIEWS * TRAIN_FRACTION), "quick": int(QUICK_CORPUS["reviews"] * TRAIN_FRACTION)}

SENTIMENT_LSTM_400 = _case(
    case_id="sentiment_lstm_maxlen400",
    data_version=CORPUS_VERSION,
    source=f"{_GEN}: LSTM, maxlen 400, unknown tokens dropped",
    make_data=generated_data,
    cell="LSTM",
    maxlen=SOURCE_MAXLEN,
    unknown="drop",
    train_reviews=_GEN_N,
    vector_dims=VECTOR_DIMS,
    step_ratio=True,  # its half_maxlen_step_time_ratio: the maxlen speed claim
    recipes=_GEN_RECIPES,
    claims=(
        _beats_majority(
            {"full": AtLeast(0.02), "quick": AtLeast(0.04)},
            _GEN_MEASURED,
        ),
        _twice_as_fast_at_half_maxlen(),
    ),
)

SENTIMENT_LSTM_200 = _case(
    case_id="sentiment_lstm_maxlen200",
    data_version=CORPUS_VERSION,
    source=f"{_GEN}: LSTM, maxlen 200 (section 3.1), unknown tokens dropped",
    make_data=generated_data,
    cell="LSTM",
    maxlen=SHORT_MAXLEN,
    unknown="drop",
    train_reviews=_GEN_N,
    vector_dims=VECTOR_DIMS,
    recipes=_GEN_RECIPES,
    claims=(
        _beats_majority(
            # quick: 0.04 held on seeds 0-9; seed 27 of 30 scored 0.039, so 0.03 (any-seeds, docs); a seed in
            # thirty or so stays near the majority, so 2 of 3 seeds (docs/findings.md)
            {"full": AtLeast(0.03), "quick": AtLeast(0.03, min_fraction=2 / 3)},
            _GEN_MEASURED,
        ),
        _beats_simplernn(
            "sentiment_simplernn_maxlen200",
            # quick: set on TF 2.21, the reference stack (the least 3-seed mean of seeds 0-9 less a margin);
            # full: a seed can go either way at the source's recipe, so better on average and on most seeds
            {"full": PairedGreater(0.01, 2 / 3), "quick": PairedGreater(0.02, 2 / 3)},
            _GEN_MEASURED,
            expected_failures=(SIMPLERNN_EDGE_KERAS2, SIMPLERNN_EDGE_FULL),
            sweep=Sweep(
                axes=(Axis("epochs", (1, 2, 3)), Axis("data.reviews", (625, 1250, 2500), "reviews (80% train)"))
            ),
        ),
        Claim(
            id="beats_tuned_simplernn",
            text=(
                "the gates are what the LSTM adds: it beats a SimpleRNN of the same width trained at the SimpleRNN's "
                "own best learning rate (sentiment_simplernn_tuned_maxlen200), not only at the LSTM's"
            ),
            source_figure="004 section 2.4: 'validation accuracy is far better than the SimpleRNN on the same data'",
            metric="accuracy",
            compare_to="sentiment_simplernn_tuned_maxlen200",
            # a small edge: better on average and on most seeds; a 3-seed verdict is a regression check
            rules={"quick": PairedGreater(0.0, 2 / 3)},
            measured_on={"quick": CI_STACKS},
            unjudged="full: the source's rate is RMSprop's default for both cells, so beats_simplernn is this claim",
            expected_failures=(TUNED_SIMPLERNN_QUICK,),
        ),
        Claim(
            id="drop_flips_negation",
            text="dropping unknown tokens erases a negation the vectors lack: with 'n't' dropped, 'I don't like' "
            "reads as 'I do like', so the model classifies reviews negated with 'n't' worse than the same negations "
            "written with 'not', a word it keeps (held-out accuracy on the 'not' reviews minus on the 'n't' ones)",
            source_figure="004 section 3.2: 'I don't like movie' is reversed if \"don't\" is dropped",
            metric="known_negation_lead",
            # set from the source's mechanism before any measurement: a model that reads 'not' and has lost
            # 'n't' leads by far more than the noise between two groups of some 150 held-out reviews
            rules={"full": AtLeast(0.1, 2 / 3), "quick": AtLeast(0.1, 2 / 3)},
            measured_on=_GEN_MEASURED,
            expected_failures=(NEGATION_NOT_READ,),
        ),
    ),
)

SENTIMENT_SIMPLERNN_200 = _case(
    case_id="sentiment_simplernn_maxlen200",
    data_version=CORPUS_VERSION,
    source=f"{_GEN}: SimpleRNN(50) in the LSTM's place (the chapter-8 model the source compares with)",
    make_data=generated_data,
    cell="SimpleRNN",
    maxlen=SHORT_MAXLEN,
    unknown="drop",
    train_reviews=_GEN_N,
    vector_dims=VECTOR_DIMS,
    recipes=_GEN_RECIPES,
)

# The SimpleRNN at its own best learning rate (docs/simplernn_lr_probe.py: the quick recipe's other settings,
# on tuning seeds no threshold was set or checked on), so that the LSTM is compared with a tuned SimpleRNN.
SIMPLERNN_TUNED_RATE = 0.001

SENTIMENT_SIMPLERNN_TUNED_200 = dataclasses.replace(
    SENTIMENT_SIMPLERNN_200,
    id="sentiment_simplernn_tuned_maxlen200",
    source=f"{_GEN}: the SimpleRNN control at its own best learning rate",
    recipes={
        "full": SOURCE_RECIPE,  # the source's rate is already RMSprop's default, 0.001
        "quick": dataclasses.replace(
            QUICK_GENERATED,
            learning_rate=SIMPLERNN_TUNED_RATE,
            changes=(
                "the quick recipe at RMSprop(0.001), the SimpleRNN's best of 0.0001-0.03 "
                "(docs/simplernn_lr_probe.py), instead of the LSTM's 0.003"
            ),
        ),
    },
    control_of="sentiment_lstm_maxlen200",
)

SENTIMENT_UNK_200 = _case(
    case_id="sentiment_unk_maxlen200",
    data_version=CORPUS_VERSION,
    source=f"{_GEN}: LSTM, maxlen 200, every unknown token mapped to one UNK vector (section 3.2)",
    make_data=generated_data,
    cell="LSTM",
    maxlen=SHORT_MAXLEN,
    unknown="unk",
    train_reviews=_GEN_N,
    vector_dims=VECTOR_DIMS,
    recipes=_GEN_RECIPES,
    claims=(
        _unk_not_worse(
            "sentiment_lstm_maxlen200",
            # quick: a margin below the worst 3-seed mean of the quick corpus's measurements
            # the floor: UNK beats the majority baseline on every seed (it learned)
            {"full": PairedGreater(-0.01, 0.0, floor=0.02), "quick": PairedGreater(-0.03, 0.0, floor=0.03)},
            _GEN_MEASURED,
        ),
    ),
    notes=(
        'The UNK vector keeps the position of "n\'t" but, in these budgets, the model does not learn to '
        'read it: accuracy on reviews negated with "n\'t" stays where drop-unknown leaves it (docs/findings.md); '
        "the metrics negated_unknown_accuracy and negated_known_accuracy record it for both cases."
    ),
)

SENTIMENT_PANG_LEE = _case(
    case_id="sentiment_pang_lee",
    source="seed 004 parts 2-3 pipeline on real text: gensim's pang_lee_polarity.cor with its fastText vectors",
    make_data=pang_lee_data,
    cell="LSTM",
    maxlen=PANG_LEE_MAXLEN,
    unknown="drop",
    train_reviews=160,
    vector_dims=100,
    recipes={"full": SOURCE_RECIPE, "quick": SOURCE_RECIPE},
    claims=(
        Claim(
            id="real_text_encoded",
            text="the source's pipeline reads real text end to end: gensim's 200 labelled sentences tokenised "
            "and looked up in their fastText vectors, under 10% of the tokens unknown",
            source_figure="none (the source's pipeline; its IMDB run is the real-scale case)",
            metric="unknown_fraction",
            rules={"full": AtMost(0.1), "quick": AtMost(0.1)},
            measured_on={"quick": CI_STACKS, "full": (TF221,)},
            null_exempt="a claim about the data pipeline, not about learning",
        ),
    ),
    notes=(
        "An end-to-end run on real text (load, tokenise, vectorise, train, predict); no accuracy claim: "
        "200 sentences carry too little signal (measured: this LSTM 45.5% in 5-fold CV, unit-normalised "
        "vectors 57.8% +- 10.8%, bag-of-words logistic regression 53%)."
    ),
)

_IMDB = "seed 004 parts 2-3 at real scale: aclImdb train (--imdb-dir) with GoogleNews-style vectors (--word-vectors)"
_IMDB_RECIPES = {"full": SOURCE_RECIPE, "quick": QUICK_IMDB}
_IMDB_MEASURED: dict[str, tuple[str, ...]] = {"quick": (), "full": ()}

IMDB_LSTM_400 = _case(
    case_id="sentiment_imdb_lstm_maxlen400",
    source=f"{_IMDB}: LSTM, maxlen 400",
    make_data=imdb_data,
    cell="LSTM",
    maxlen=SOURCE_MAXLEN,
    unknown="drop",
    train_reviews=IMDB_TRAIN,
    vector_dims=SOURCE_DIMS,
    recipes=_IMDB_RECIPES,
    claims=(
        _beats_majority({"full": AtLeast(0.2), "quick": AtLeast(0.15)}, _IMDB_MEASURED),
        _faster_at_short(
            "sentiment_imdb_lstm_maxlen200",
            {"full": PairedRatio(1.5, 2 / 3), "quick": PairedRatio(1.5, 2 / 3)},
            _IMDB_MEASURED,
            TRAIN_SECONDS,  # the quick recipe has 1 epoch; at 625 updates tracing is a small share
        ),
    ),
)
IMDB_LSTM_200 = _case(
    case_id="sentiment_imdb_lstm_maxlen200",
    source=f"{_IMDB}: LSTM, maxlen 200",
    make_data=imdb_data,
    cell="LSTM",
    maxlen=SHORT_MAXLEN,
    unknown="drop",
    train_reviews=IMDB_TRAIN,
    vector_dims=SOURCE_DIMS,
    recipes=_IMDB_RECIPES,
    claims=(
        _beats_majority({"full": AtLeast(0.2), "quick": AtLeast(0.15)}, _IMDB_MEASURED),
        _beats_simplernn(
            "sentiment_imdb_simplernn_maxlen200",
            {"full": PairedGreater(0.02, 2 / 3), "quick": PairedGreater(0.02, 2 / 3)},
            _IMDB_MEASURED,
        ),
        Claim(
            id="little_accuracy_lost",
            text="halving maxlen from 400 to 200 costs a little held-out accuracy: lower, but only slightly",
            source_figure="004 section 3.1: accuracy slightly lower at maxlen 200, no figure",
            metric="accuracy_over_majority",  # the same difference as of accuracies: one held-out set per seed
            compare_to="sentiment_imdb_lstm_maxlen400",
            # "slightly": at most 5 points; the floor: maxlen 200 learned (as beats_majority asks)
            rules={
                "full": PairedLoss(0.05, 2 / 3, floor=0.2),
                "quick": PairedLoss(0.05, 2 / 3, floor=0.15),
            },
            measured_on=_IMDB_MEASURED,
            unmeasured=IMDB_UNMEASURED,
        ),
    ),
)
IMDB_SIMPLERNN_200 = _case(
    case_id="sentiment_imdb_simplernn_maxlen200",
    source=f"{_IMDB}: SimpleRNN(50), maxlen 200",
    make_data=imdb_data,
    cell="SimpleRNN",
    maxlen=SHORT_MAXLEN,
    unknown="drop",
    train_reviews=IMDB_TRAIN,
    vector_dims=SOURCE_DIMS,
    recipes=_IMDB_RECIPES,
)
IMDB_UNK_200 = _case(
    case_id="sentiment_imdb_unk_maxlen200",
    source=f"{_IMDB}: LSTM, maxlen 200, unknown tokens mapped to one UNK vector",
    make_data=imdb_data,
    cell="LSTM",
    maxlen=SHORT_MAXLEN,
    unknown="unk",
    train_reviews=IMDB_TRAIN,
    vector_dims=SOURCE_DIMS,
    recipes=_IMDB_RECIPES,
    claims=(
        _unk_not_worse(
            "sentiment_imdb_lstm_maxlen200",
            {"full": PairedGreater(-0.02, 0.0, floor=0.2), "quick": PairedGreater(-0.02, 0.0, floor=0.15)},
            _IMDB_MEASURED,
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
    SENTIMENT_SIMPLERNN_TUNED_200,
)
