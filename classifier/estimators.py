"""Linear classifiers for the two tasks, with the scikit-learn estimator API.

Multi-label: one logistic regression per label, and a decision threshold per
label. The thresholds are a hyperparameter, chosen by the trainer on
cross-validated probabilities (as `GridSearchCV` chooses `C`), so the fitted
estimator stays a plain, cloneable scikit-learn object.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.svm import LinearSVC
from sklearn.utils.validation import check_is_fitted

from classifier.compiled import linear_probabilities
from classifier.model import MULTICLASS, MULTILABEL

DEFAULT_THRESHOLD = 0.5


LOSSES = ("logistic", "svm", "sgd")


class MultiLabelLinear(ClassifierMixin, BaseEstimator):
    """One binary linear model per column of a 0/1 label matrix.

    `loss`: "logistic" (liblinear logistic regression), "svm" (LinearSVC with
    Platt scaling fitted on internal cross-validated margins) or "sgd"
    (stochastic gradient descent on the log loss). `nb_weighting` scales the
    features by each label's naive-Bayes log-count ratio before fitting
    (NBSVM); the ratio is folded into the weights, so prediction costs the
    same. Whatever the loss, the fitted weights are one matrix (`coef_`,
    `intercept_`) and scoring all labels is a single sparse product.
    """

    def __init__(
        self,
        C: float = 10.0,
        class_weight: str | None = "balanced",
        thresholds: Sequence[float] | None = None,
        loss: str = "logistic",
        nb_weighting: bool = False,
        max_iter: int = 1000,
        random_state: int | None = 0,
    ) -> None:
        self.C = C
        self.class_weight = class_weight
        self.thresholds = thresholds
        self.loss = loss
        self.nb_weighting = nb_weighting
        self.max_iter = max_iter
        self.random_state = random_state

    def fit(self, X, Y) -> MultiLabelLinear:
        Y = np.asarray(Y)
        if Y.ndim != 2:
            raise ValueError(f"MultiLabelLinear needs a 2-D 0/1 label matrix, got shape {Y.shape}")
        n_labels = Y.shape[1]
        if self.thresholds is not None and len(self.thresholds) != n_labels:
            raise ValueError(f"thresholds has {len(self.thresholds)} values for {n_labels} labels")
        if self.loss not in LOSSES:
            raise ValueError(f"Invalid value for 'loss': {self.loss!r}; choose one of {LOSSES}")
        coef = np.zeros((n_labels, X.shape[1]))
        intercept = np.zeros(n_labels)
        for j in range(n_labels):
            column = Y[:, j]
            if column.min() == column.max():
                # A label that is always (or never) on: a constant score says so.
                intercept[j] = 20.0 if column.min() else -20.0
                continue
            coef[j], intercept[j] = self._fit_binary(X, column)
        self.coef_ = np.asfortranarray(coef)  # so coef_.T is C-ordered: scipy's sparse product copies it otherwise
        self.intercept_ = intercept
        self.classes_ = np.arange(n_labels)
        self.n_features_in_ = X.shape[1]
        self.thresholds_ = (
            np.full(n_labels, DEFAULT_THRESHOLD) if self.thresholds is None else np.asarray(self.thresholds, float)
        )
        return self

    def _fit_binary(self, X, y: np.ndarray) -> tuple[np.ndarray, float]:
        ratio = _nb_ratio(X, y) if self.nb_weighting else None
        if ratio is not None:
            X = X.multiply(ratio).tocsr() if hasattr(X, "multiply") else X * ratio
        if self.loss == "logistic":
            model = LogisticRegression(
                C=self.C,
                class_weight=self.class_weight,
                solver="liblinear",
                max_iter=self.max_iter,
                random_state=self.random_state,
            ).fit(X, y)
            coef, intercept = model.coef_[0], model.intercept_[0]
        elif self.loss == "sgd":
            model = SGDClassifier(
                loss="log_loss",
                alpha=1.0 / (self.C * X.shape[0]),
                class_weight=self.class_weight,
                max_iter=self.max_iter,
                tol=1e-4,
                random_state=self.random_state,
            ).fit(X, y)
            coef, intercept = model.coef_[0], model.intercept_[0]
        else:
            coef, intercept = _platt_svm(X, y, self.C, self.class_weight, self.max_iter, self.random_state)
        if ratio is not None:
            coef = coef * ratio
        return coef, float(intercept)

    def decision_function(self, X) -> np.ndarray:
        check_is_fitted(self, "coef_")
        return np.asarray(X @ self.coef_.T) + self.intercept_

    def predict_proba(self, X) -> np.ndarray:
        """Probability of each label, independently: rows need not sum to 1."""
        check_is_fitted(self, "coef_")
        return linear_probabilities(X, self.coef_.T, self.intercept_, MULTILABEL)

    def predict(self, X) -> np.ndarray:
        return (self.predict_proba(X) >= self.thresholds_).astype(int)


def _nb_ratio(X, y: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    """Naive-Bayes log-count ratio of each feature for one binary label."""
    positive = np.asarray(X[y == 1].sum(axis=0)).ravel() + alpha
    negative = np.asarray(X[y == 0].sum(axis=0)).ravel() + alpha
    return np.log((positive / positive.sum()) / (negative / negative.sum()))


def _platt_svm(X, y, C, class_weight, max_iter, random_state) -> tuple[np.ndarray, float]:
    """A linear SVM whose margin is mapped to a probability by Platt scaling.

    The sigmoid is fitted on margins of held-out folds, then folded into the
    weights: p = sigmoid(a * (w.x + b) + c). A label with a single positive
    (or negative) row has no held-out fold to give: its sigmoid is fitted on
    the training margins instead.
    """
    from sklearn.model_selection import StratifiedKFold

    def svm():
        return LinearSVC(C=C, class_weight=class_weight, max_iter=max_iter, random_state=random_state)

    model = svm().fit(X, y)
    splits = min(3, int(min(y.sum(), len(y) - y.sum())))
    if splits < 2:
        margins = model.decision_function(X)
    else:
        margins = np.zeros(len(y))
        folds = StratifiedKFold(n_splits=splits, shuffle=True, random_state=random_state)
        for train, test in folds.split(X, y):
            margins[test] = svm().fit(X[train], y[train]).decision_function(X[test])
    scale = LogisticRegression(C=1e4).fit(margins.reshape(-1, 1), y)
    a, c = scale.coef_[0, 0], scale.intercept_[0]
    return a * model.coef_[0], a * model.intercept_[0] + c


class MulticlassLinear(MultiLabelLinear):
    """One label per row, one-vs-rest: a binary logistic regression per class.

    Probabilities are the per-class ones normalised to sum to 1. One-vs-rest
    with liblinear trains several times faster than a multinomial model on
    sparse text features, for the same accuracy here (see BENCHMARKS.md).
    """

    def __init__(
        self,
        C: float = 10.0,
        class_weight: str | None = None,
        loss: str = "logistic",
        max_iter: int = 1000,
        random_state: int | None = 0,
    ):
        super().__init__(C=C, class_weight=class_weight, loss=loss, max_iter=max_iter, random_state=random_state)

    def fit(self, X, y) -> MulticlassLinear:
        y = np.asarray(y)
        if y.ndim != 1:
            raise ValueError(f"MulticlassLinear needs a 1-D vector of class indices, got shape {y.shape}")
        n_classes = int(y.max()) + 1 if len(y) else 0
        super().fit(X, np.eye(n_classes, dtype=int)[y])
        return self

    def predict_proba(self, X) -> np.ndarray:
        check_is_fitted(self, "coef_")
        return linear_probabilities(X, self.coef_.T, self.intercept_, MULTICLASS)

    def predict(self, X) -> np.ndarray:
        return self.predict_proba(X).argmax(axis=1)
