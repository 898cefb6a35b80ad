"""Batch vectorisation gives exactly the matrix scikit-learn's transformers give."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifier import vectorize
from classifier.features import build_features
from classifier.model import Head, Tagger, decide, decide_rows
from classifier.vectorize import BatchVectorizer
from tests.conftest import labelled_rows

LEXICON = {
    "terrorism": ["terroris*", "groupe jihadiste", "attentat*"],
    "migration": ["migrant*", "demande* d'asile", "réfugié*"],
    "employment": ["chômage", "emploi*", "syndicat*"],
}
EDGE_CASES = [
    "",
    "!!! ???",
    "le la les du des",
    "Un ATTENTAT revendiqué par un groupe jihadiste à Gao ; 12 000 réfugiés.",
    "securite SÉCURITÉ sécurité",
    "Des demandes d’asile, des demandeurs d'asile, l'emploi du temps.",
    "Œuvre, cœur ; Bogotá, São Paulo, Kraków, Αθήνα, 北京 — « migrants » …",
    "groupe",  # a phrase's first word at the very end of a text
    "jihadiste groupe jihadiste groupe",
    "«Gao»—l’attentat…50€, groupe’jihadiste « » —",  # separators inside raw tokens: compounds
    "un\u00a0groupe\u202fjihadiste\u2009à\u00a0Gao",  # non-ASCII spaces
    "#réforme_retraites @Élysée_attentat_terroriste ç’a",  # "_" inside a word that a compound cuts
]


def fitted(**options):
    rows = labelled_rows()
    texts = [r["text"] for r in rows]
    return build_features(LEXICON, **options).fit(texts), texts


@pytest.mark.parametrize(
    "options",
    [
        {"char_ngrams": None},
        {"char_ngrams": None, "word_ngrams": (1, 3), "min_df": 1},
        {"char_ngrams": None, "stemming": False, "accent_folding": False, "sublinear_tf": False},
        {"char_ngrams": (2, 4)},  # character n-grams fall back to scikit-learn's own transform
    ],
)
def test_batch_vectorizer_equals_the_feature_union(options):
    union, texts = fitted(**options)
    batch = texts + EDGE_CASES
    expected = union.transform(batch)
    got = BatchVectorizer.from_union(union).transform(batch)
    assert got.shape == expected.shape
    assert abs(got - expected).max() < 1e-6
    assert (got != expected).nnz == 0


_WORDS = ["attentat", "groupe", "jihadiste", "migrants", "demande", "d'asile", "chômage", "l'emploi", "du", "temps",
          "Gao", "12", "3,5", "réfugiés", "SYNDICATS", "«", "»", "’", "Sécurité", "x\x00y", "g5"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_WORDS) | st.text(max_size=6), max_size=12).map(" ".join), min_size=1, max_size=8))
def test_batch_vectorizer_equals_the_feature_union_on_any_text(batch):
    union, _ = fitted(char_ngrams=None, min_df=1)
    expected = union.transform(batch)
    assert (BatchVectorizer.from_union(union).transform(batch) != expected).nnz == 0


def test_the_word_table_starting_afresh_changes_nothing(monkeypatch):
    union, texts = fitted(char_ngrams=None)
    fast = BatchVectorizer.from_union(union)
    first = fast.transform(texts)
    monkeypatch.setattr(vectorize, "TABLE_LIMIT", 5)
    assert (fast.transform(texts) != first).nnz == 0
    # Phrases ("groupe jihadiste", "demande d'asile") seen before the table started afresh still match after.
    shuffled = list(reversed(texts))
    assert (fast.transform(shuffled) != union.transform(shuffled)).nnz == 0
    assert all(len(table) < len(set(" ".join(texts).split())) for table in fast.tables.values())


def test_a_trained_model_keeps_the_stems_of_its_training_words(small_model):
    from classifier.persistence import load_model
    from classifier.text import _french_stemmer

    tagger, _ = load_model(small_model)
    words = dict(zip(*(part.split("\n") for part in tagger.stems)))
    assert {"attentat", "bamako", "migrants"} <= set(words)
    assert all(_french_stemmer().stem(word) == stemmed for word, stemmed in words.items())


def test_a_tagger_pickles_without_its_batch_cache():
    union, texts = fitted(char_ngrams=None)
    tagger = Tagger(union, {})
    tagger.vectorize(texts)
    assert tagger._batch_vectorizer is not None
    copy = pickle.loads(pickle.dumps(tagger))
    assert copy._batch_vectorizer is None
    assert (copy.vectorize(texts) != tagger.vectorize(texts)).nnz == 0


class _Thresholds:
    thresholds_ = np.array([0.5, 0.5, 0.5])


def test_decide_rows_keeps_the_best_k_that_pass():
    head = Head("labels", "multilabel", ["a", "b", "c"], _Thresholds())
    rows = np.array([[0.9, 0.7, 0.1], [0.2, 0.6, 0.55], [0.1, 0.2, 0.3]])
    assert decide_rows(head, rows) == [["a", "b"], ["b", "c"], []]
    assert decide_rows(head, rows, k=1) == [["a"], ["b"], []]
    assert decide_rows(head, rows, threshold=0.15, k=2) == [["a", "b"], ["b", "c"], ["c", "b"]]
    assert decide(head, rows[1]) == ["b", "c"]
    topic = Head("topic", "multiclass", ["x", "y", "z"], None)
    assert decide_rows(topic, rows) == [["x"], ["y"], ["z"]]
    assert decide_rows(topic, rows, k=2, threshold=0.25) == [["x", "y"], ["y", "z"], ["z"]]


def test_one_vectoriser_shared_by_threads_gives_each_the_right_matrix():
    from concurrent.futures import ThreadPoolExecutor

    union, texts = fitted(char_ngrams=None)
    fast = BatchVectorizer.from_union(union)
    batches = [texts[i::8] + EDGE_CASES[i % len(EDGE_CASES):] for i in range(8)] * 4
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(fast.transform, batches))
    assert all((got != union.transform(batch)).nnz == 0 for got, batch in zip(results, batches))


def test_one_string_is_refused_rather_than_read_letter_by_letter():
    union, _ = fitted(char_ngrams=None)
    with pytest.raises(TypeError, match="not one string"):
        Tagger(union, {}).predict("Un attentat à Gao.")


def test_key_index_finds_every_key_and_nothing_else():
    rng = np.random.default_rng(0)
    keys = np.unique(rng.integers(0, 10**12, 5_000))
    values = rng.integers(0, 100, len(keys))
    index = vectorize.KeyIndex(keys, values)
    queries = np.r_[keys, rng.integers(0, 10**12, 5_000), keys[:10]]
    where = np.minimum(np.searchsorted(keys, queries), len(keys) - 1)
    assert (index.lookup(queries) == np.where(keys[where] == queries, values[where], -1)).all()
    empty = vectorize.KeyIndex(np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64))
    assert empty.lookup(np.array([0, 5])).tolist() == [-1, -1]
