"""Sentiment with word vectors (docs/scenarios.md; seed 004 parts 2-3).

The source's pipeline: tokenise each review with NLTK's TreebankWordTokenizer, look every
token up in pretrained word2vec vectors (GoogleNews, ``limit=200000``), drop the tokens the
vectors lack, truncate or zero-pad (after the text) to ``maxlen`` vectors, then
LSTM(50, return_sequences=True) -> Dropout(0.2) -> Flatten -> Dense(1, sigmoid), rmsprop,
binary cross-entropy, batch 32, 2 epochs, 80/20 split.

Three data sources, one pipeline (``lstm_cases.textdata`` loads them all):

- default, offline: a generated corpus of short movie reviews with a known structure
  (``generate_review``; negations written with "n't" or "not"), and word vectors trained on
  generated text by gensim ``Word2Vec``, saved in word2vec format and read back through
  ``KeyedVectors.load_word2vec_format``
  (binary and text, as real vectors are). The claims are judged on it.
- real text, offline: gensim's ``pang_lee_polarity.cor`` (200 labelled sentences) with
  ``pang_lee_polarity_fasttext.vec``: an end-to-end run that records its accuracy and makes
  no claim on it (too little signal: measured at 45-58% by several models).
- real scale, on request: aclImdb (``--imdb-dir``) with GoogleNews-style vectors
  (``--word-vectors``); skipped, naming the options, when they are not given.

Modules: ``pipeline`` (the source's encode, pad/truncate and split, and the model),
``corpus`` (the generated review corpus and its word vectors), ``real_text`` (gensim's
pang_lee sentences and the real-scale aclImdb loaders), ``cases`` (recipes, claims and the
ten cases), ``findings`` (the claims known not to hold on some stacks: expected failures).
"""

from __future__ import annotations

from lstm_cases import textdata
from lstm_cases.families.sentiment.cases import CASES

# --aclImdb and --word-vectors (and --nltk-data, shared with char_generation): the real-scale cases' data.
DATA_PATHS = textdata.DATA_PATHS

__all__ = ["CASES", "DATA_PATHS"]
