"""The fitted model: one feature union, and one or more heads that read it.

A head is a classifier over the shared features: `labels` (multi-label themes,
or a user's single `label`) and optionally `topic`. Vectorising once and
scoring every head from the same matrix is what keeps a two-head model as fast
as a one-head one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.pipeline import Pipeline

MULTILABEL = "multilabel"
MULTICLASS = "multiclass"
PRIMARY_HEADS = ("labels", "label")
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

    @property
    def primary(self) -> Head | None:
        """The head whose labels fill a record's `labels` (None for a topic-only model)."""
        return next((self.heads[name] for name in PRIMARY_HEADS if name in self.heads), None)

    def pipeline(self, head: str | None = None) -> Pipeline:
        """The fitted features and one head's classifier as a scikit-learn Pipeline."""
        chosen = self.heads[head] if head else (self.primary or self.heads[TOPIC_HEAD])
        return Pipeline([("features", self.features), ("classifier", chosen.estimator)])

    def vectorize(self, texts: Sequence[str]):
        return self.features.transform(texts)

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
            for record, row in zip(records, probabilities[primary.name]):
                record["labels"] = decide(primary, row, k=k, threshold=threshold)
                if scores:
                    record["scores"] = score_map(primary.labels, row)
        if TOPIC_HEAD in self.heads:
            topic = self.heads[TOPIC_HEAD]
            for record, row in zip(records, probabilities[TOPIC_HEAD]):
                best = int(np.argmax(row))
                record["topic"] = topic.labels[best]
                record["topic_score"] = round(float(row[best]), 4)
        return records


def decide(head: Head, row: np.ndarray, *, k: int | None = None, threshold: float | None = None) -> list[str]:
    """The labels one row of probabilities gets, best first.

    Multi-label: every label at or over its tuned threshold (or `threshold` for
    all). Multi-class: the best label, or the best `k` at or over `threshold`.
    """
    order = np.argsort(-row, kind="stable")
    if head.task == MULTILABEL:
        cuts = head.estimator.thresholds_ if threshold is None else np.full(len(row), threshold)
        chosen = [i for i in order if row[i] >= cuts[i]]
    else:
        floor = 0.0 if threshold is None else threshold
        chosen = [i for i in order[: k or 1] if row[i] >= floor]
    if k is not None:
        chosen = chosen[:k]
    return [head.labels[i] for i in chosen]


def score_map(labels: Sequence[str], row: np.ndarray) -> dict[str, float]:
    """Every label's probability, best first, rounded for output."""
    order = np.argsort(-row, kind="stable")
    return {labels[i]: round(float(row[i]), 4) for i in order}
