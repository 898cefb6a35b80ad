"""The fitted model: one feature union, and one or more heads that read it.

A head is a classifier over the shared features: `labels` (multi-label themes,
or a user's single `label`) and optionally `topic`. Vectorising once and
scoring every head from the same matrix is what keeps a two-head model as fast
as a one-head one.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import compress
from typing import Any

import numpy as np

MULTILABEL = "multilabel"
MULTICLASS = "multiclass"
PRIMARY_HEADS = ("labels", "label")
_BUILD_LOCK = threading.Lock()
TOPIC_HEAD = "topic"


@dataclass
class Head:
    """One classifier over the shared features, with the names of its labels."""

    name: str
    task: str
    labels: list[str]
    estimator: Any

    @property
    def thresholds(self) -> dict[str, float]:
        if self.task != MULTILABEL:
            return {}
        return {label: float(t) for label, t in zip(self.labels, self.estimator.thresholds_)}

    def proba(self, X) -> np.ndarray:
        return np.asarray(self.estimator.predict_proba(X))


@dataclass
class Tagger:
    """A fitted wiretag model. `pipeline(head)` gives the plain scikit-learn view."""

    features: Any
    heads: dict[str, Head] = field(default_factory=dict)
    stems: tuple[str, str] = ("", "")  # `classifier.text.stem_table` of the training words
    _batch_vectorizer: Any = field(default=None, init=False, repr=False, compare=False)

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        if self.features is not None:
            state.pop("_batch_vectorizer", None)  # a cache, rebuilt from the features after loading
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        if self._batch_vectorizer is not None:  # a prediction-only tagger (`classifier.compiled`) sent elsewhere
            from classifier.text import remember_stems

            remember_stems(self.stems)

    @property
    def primary(self) -> Head | None:
        """The head whose labels fill a record's `labels` (None for a topic-only model)."""
        return next((self.heads[name] for name in PRIMARY_HEADS if name in self.heads), None)

    def pipeline(self, head: str | None = None):
        """The fitted features and one head's classifier as a scikit-learn Pipeline."""
        from sklearn.pipeline import Pipeline

        chosen = self.heads[head] if head else (self.primary or self.heads[TOPIC_HEAD])
        return Pipeline([("features", self.features), ("classifier", chosen.estimator)])

    def vectorize(self, texts: Sequence[str]):
        """The feature matrix of `texts`: `features.transform`, done per batch (`classifier.vectorize`)."""
        if self._batch_vectorizer is None:
            from classifier.text import remember_stems
            from classifier.vectorize import BatchVectorizer

            with _BUILD_LOCK:
                if self._batch_vectorizer is None:
                    remember_stems(self.stems)
                    self._batch_vectorizer = BatchVectorizer.from_union(self.features)
        return self._batch_vectorizer.transform(texts)

    def head_probabilities(self, X) -> dict[str, np.ndarray]:
        return {name: head.proba(X) for name, head in self.heads.items()}

    def predict(
        self,
        texts: Sequence[str],
        *,
        k: int | None = None,
        threshold: float | None = None,
        scores: bool = True,
    ) -> list[dict[str, Any]]:
        """Records for `texts`: `labels` (+ `scores`), and `topic` + `topic_score` if the model has a topic head."""
        if isinstance(texts, str):
            raise TypeError("predict takes a list of texts, not one string: predict([text])")
        if not len(texts):
            return []
        return self.records(self.vectorize(texts), k=k, threshold=threshold, scores=scores)

    def records(
        self, X, *, k: int | None = None, threshold: float | None = None, scores: bool = True
    ) -> list[dict[str, Any]]:
        """`predict` from already vectorised paragraphs, for callers that reuse the matrix."""
        probabilities = self.head_probabilities(X)
        records: list[dict[str, Any]] = [{} for _ in range(X.shape[0])]
        primary = self.primary
        if primary is not None:
            ranking = Ranking(primary, probabilities[primary.name])
            for record, labels in zip(records, ranking.decide(k=k, threshold=threshold)):
                record["labels"] = labels
            if scores:
                values = np.round(ranking.ordered, 4).tolist()
                for record, row_names, row_values in zip(records, ranking.names, values):
                    record["scores"] = dict(zip(row_names, row_values))
        if TOPIC_HEAD in self.heads:
            topic = self.heads[TOPIC_HEAD]
            best, best_scores = _best(probabilities[TOPIC_HEAD])
            for record, index, score in zip(records, best.tolist(), np.round(best_scores, 4).tolist()):
                record["topic"] = topic.labels[index]
                record["topic_score"] = score
        return records

    def encoded_records(
        self, X, *, k: int | None = None, threshold: float | None = None, scores: bool = True
    ) -> list[str] | None:
        """`records`, JSON-encoded as `json` would (without the braces), built from arrays in one pass.

        Writing JSONL this way skips a dictionary per record and the encoder's
        walk over it: label names are quoted once, and the 10,001 values a
        score rounded to 4 decimals can take are written once. None if a score
        is not a finite probability (then `records` and `json` say what it is).
        """
        from classifier.output import encode_json

        probabilities = self.head_probabilities(X)
        if not all(np.isfinite(rows).all() for rows in probabilities.values()):
            return None
        values = _rounded_values()
        columns: list[list[str]] = []
        primary = self.primary
        if primary is not None:
            ranking = Ranking(primary, probabilities[primary.name])
            columns.append(['"labels": ' + encode_json(labels) for labels in ranking.decide(k=k, threshold=threshold)])
            if scores:
                keys = np.asarray([encode_json(label) + ": " for label in primary.labels], dtype=object)[ranking.order]
                pairs = (keys + values[np.rint(ranking.ordered * 10_000).astype(np.intp)]).tolist()
                columns.append(['"scores": {' + ", ".join(row) + "}" for row in pairs])
        if TOPIC_HEAD in self.heads:
            topic = self.heads[TOPIC_HEAD]
            best, best_scores = _best(probabilities[TOPIC_HEAD])
            names = np.asarray(['"topic": ' + encode_json(label) + ', "topic_score": ' for label in topic.labels], dtype=object)
            columns.append((names[best] + values[np.rint(best_scores * 10_000).astype(np.intp)]).tolist())
        return [", ".join(fields) for fields in zip(*columns)]


def _best(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A multi-class head's best label in each row, and its probability."""
    best = rows.argmax(axis=1)
    return best, rows[np.arange(len(rows)), best]


@lru_cache(maxsize=1)
def _rounded_values() -> np.ndarray:
    """How `json` writes each probability rounded to 4 decimals: entry i is `repr(i / 10_000)`."""
    return np.asarray([repr(i / 10_000) for i in range(10_001)], dtype=object)


def training_stems(features: Any, texts: Sequence[str]) -> tuple[str, str]:
    """The stems of every word of the training texts, as each stemming word block reads them."""
    from classifier.text import WordAnalyzer, stem_table, word_tokens_batch

    foldings = {
        transformer.analyzer.accent_folding
        for _, transformer in getattr(features, "transformer_list", [])
        if isinstance(getattr(transformer, "analyzer", None), WordAnalyzer) and transformer.analyzer.stemming
    }
    words: set[str] = set()
    for folding in foldings:
        for start in range(0, len(texts), 10_000):  # batches: one joined string per batch, not per corpus
            for tokens in word_tokens_batch(texts[start : start + 10_000], folding):
                words.update(tokens)
    return stem_table(words)


class Ranking:
    """One head's labels for each row of probabilities, best first: sorted once for labels and scores."""

    def __init__(self, head: Head, rows: np.ndarray) -> None:
        self.head = head
        self.order = np.argsort(-rows, axis=1, kind="stable")
        self.ordered = np.take_along_axis(rows, self.order, axis=1)
        self.names: list[list[str]] = np.asarray(head.labels, dtype=object)[self.order].tolist()

    def decide(self, *, k: int | None = None, threshold: float | None = None) -> list[list[str]]:
        """The labels of each row: see `decide`."""
        if self.head.task == MULTILABEL:
            cuts = self.head.estimator.thresholds_ if threshold is None else np.full(self.order.shape[1], threshold)
            passed = self.ordered >= np.asarray(cuts)[self.order]
        else:
            passed = np.zeros_like(self.ordered, dtype=bool)
            passed[:, : k or 1] = True
            passed &= self.ordered >= (0.0 if threshold is None else threshold)
        if k is not None:
            passed &= np.cumsum(passed, axis=1) <= k
        return [list(compress(row_names, row_passed)) for row_names, row_passed in zip(self.names, passed.tolist())]


def decide_rows(
    head: Head, rows: np.ndarray, *, k: int | None = None, threshold: float | None = None
) -> list[list[str]]:
    """`decide` for a matrix of probabilities, one list of labels per row, in array operations."""
    return Ranking(head, rows).decide(k=k, threshold=threshold)


def decide(head: Head, row: np.ndarray, *, k: int | None = None, threshold: float | None = None) -> list[str]:
    """The labels one row of probabilities gets, best first.

    Multi-label: every label at or over its tuned threshold (or `threshold` for
    all). Multi-class: the best label, or the best `k` at or over `threshold`.
    """
    return decide_rows(head, np.asarray(row)[None, :], k=k, threshold=threshold)[0]
