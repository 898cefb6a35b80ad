"""Linear classifiers for the two tasks, with the scikit-learn estimator API.

Multi-label: one logistic regression per label, and a decision threshold per
label. The thresholds are a hyperparameter, chosen by the trainer on
cross-validated probabilities (as `GridSearchCV` chooses `C`), so the fitted
estimator stays a plain, cloneable scikit-learn object.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

DEFAULT_THRESHOLD = 0.5


class MultiLabelLinear(ClassifierMixin, BaseEstimator):
    """One binary logistic regression per column of a 0/1 label matrix.

    The fitted weights are kept as one matrix (`coef_`, `intercept_`) so that
    scoring all labels is a single sparse product.
    """

    def __init__(
        self,
        C: float = 10.0,
        class_weight: str | None = "balanced",
        thresholds: Sequence[float] | None = None,
        max_iter: int = 1000,
        random_state: int | None = 0,
    ) -> None:
        self.C = C
        self.class_weight = class_weight
        self.thresholds = thresholds
        self.max_iter = max_iter
        self.random_state = random_state

    def fit(self, X, Y) -> MultiLabelLinear:
        Y = np.asarray(Y)
        if Y.ndim != 2:
            raise ValueError(f"MultiLabelLinear needs a 2-D 0/1 label matrix, got shape {Y.shape}")
        n_labels = Y.shape[1]
        if self.thresholds is not None and len(self.thresholds) != n_labels:
            raise ValueError(f"thresholds has {len(self.thresholds)} values for {n_labels} labels")
        coef = np.zeros((n_labels, X.shape[1]))
        intercept = np.zeros(n_labels)
        for j in range(n_labels):
            column = Y[:, j]
            if column.min() == column.max():
                # A label that is always (or never) on: a constant score says so.
                intercept[j] = 20.0 if column.min() else -20.0
                continue
            model = LogisticRegression(
                C=self.C,
                class_weight=self.class_weight,
                solver="liblinear",
                max_iter=self.max_iter,
                random_state=self.random_state,
            )
            model.fit(X, column)
            coef[j] = model.coef_[0]
            intercept[j] = model.intercept_[0]
        self.coef_ = coef
        self.intercept_ = intercept
        self.classes_ = np.arange(n_labels)
        self.n_features_in_ = X.shape[1]
        self.thresholds_ = (
            np.full(n_labels, DEFAULT_THRESHOLD) if self.thresholds is None else np.asarray(self.thresholds, float)
        )
        return self

    def decision_function(self, X) -> np.ndarray:
        check_is_fitted(self, "coef_")
        return np.asarray(X @ self.coef_.T) + self.intercept_

    def predict_proba(self, X) -> np.ndarray:
        """Probability of each label, independently: rows need not sum to 1."""
        return expit(self.decision_function(X))

    def predict(self, X) -> np.ndarray:
        return (self.predict_proba(X) >= self.thresholds_).astype(int)


class MulticlassLinear(MultiLabelLinear):
    """One label per row, one-vs-rest: a binary logistic regression per class.

    Probabilities are the per-class ones normalised to sum to 1. One-vs-rest
    with liblinear trains several times faster than a multinomial model on
    sparse text features, for the same accuracy here (see BENCHMARKS.md).
    """

    def __init__(self, C: float = 10.0, class_weight: str | None = None, max_iter: int = 1000, random_state: int | None = 0):
        super().__init__(C=C, class_weight=class_weight, thresholds=None, max_iter=max_iter, random_state=random_state)

    def fit(self, X, y) -> MulticlassLinear:
        y = np.asarray(y)
        if y.ndim != 1:
            raise ValueError(f"MulticlassLinear needs a 1-D vector of class indices, got shape {y.shape}")
        n_classes = int(y.max()) + 1 if len(y) else 0
        super().fit(X, np.eye(n_classes, dtype=int)[y])
        return self

    def predict_proba(self, X) -> np.ndarray:
        proba = super().predict_proba(X)
        return proba / np.maximum(proba.sum(axis=1, keepdims=True), 1e-12)

    def predict(self, X) -> np.ndarray:
        return self.predict_proba(X).argmax(axis=1)
