"""Classifier blends put to the paired test (`benchmarks/paired_cv.py`); not part of the shipped recipe.

A small labelled set favours naive Bayes, a large one logistic regression;
summing their log-probabilities keeps one linear score per class (so
explanations would stay exact), which is why this blend was the one tested.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.naive_bayes import ComplementNB

from classifier.estimators import MulticlassLinear


class LogitBlend(ClassifierMixin, BaseEstimator):
    """log P(linear) + log P(Complement NB), renormalised: one label per row."""

    def __init__(self, linear=None, alpha: float = 0.1):
        self.linear = linear
        self.alpha = alpha

    def fit(self, X, y) -> LogitBlend:
        self.linear_ = clone(self.linear if self.linear is not None else MulticlassLinear(C=100.0)).fit(X, y)
        self.bayes_ = ComplementNB(alpha=self.alpha).fit(X, y)
        return self

    def predict_proba(self, X) -> np.ndarray:
        logits = np.log(np.clip(self.linear_.predict_proba(X), 1e-12, None)) + self.bayes_.predict_log_proba(X)
        logits -= logits.max(axis=1, keepdims=True)
        proba = np.exp(logits)
        return proba / proba.sum(axis=1, keepdims=True)

    def predict(self, X) -> np.ndarray:
        return self.predict_proba(X).argmax(axis=1)
