"""Scores of predictions against labels, as plain dictionaries for JSON and tables."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    hamming_loss,
    precision_recall_fscore_support,
)


def indicator(label_lists: Sequence[Sequence[str]], labels: Sequence[str]) -> np.ndarray:
    index = {label: j for j, label in enumerate(labels)}
    matrix = np.zeros((len(label_lists), len(labels)), dtype=int)
    for i, row in enumerate(label_lists):
        for label in row:
            if label in index:
                matrix[i, index[label]] = 1
    return matrix


def _per_label(y_true: np.ndarray, y_pred: np.ndarray, labels: Sequence[str], indices=None) -> dict[str, dict]:
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=indices, average=None, zero_division=0
    )
    return {
        label: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
        for label, p, r, f, s in zip(labels, precision, recall, f1, support)
    }


def multilabel_report(
    truth: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]], labels: Sequence[str]
) -> dict[str, Any]:
    """Per-label P/R/F1 and the usual multi-label summaries.

    Macro averages run over the labels that occur in the truth, so a label
    that the data never uses neither helps nor hurts.
    """
    y_true, y_pred = indicator(truth, labels), indicator(predicted, labels)
    per_label = _per_label(y_true, y_pred, labels)
    occurring = [j for j in range(len(labels)) if y_true[:, j].any()]
    macro = float(np.mean([per_label[labels[j]]["f1"] for j in occurring])) if occurring else 0.0
    return {
        "task": "multilabel",
        "rows": len(truth),
        "per_label": per_label,
        "micro_f1": float(f1_score(y_true, y_pred, average="micro", zero_division=0)),
        "macro_f1": macro,
        "samples_f1": float(_samples_f1(y_true, y_pred)),
        "subset_accuracy": float(accuracy_score(y_true, y_pred)),
        "hamming_loss": float(hamming_loss(y_true, y_pred)),
    }


def _samples_f1(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Mean per-row F1, counting a row with no true and no predicted label as 1."""
    tp = (y_true & y_pred).sum(axis=1)
    denominator = y_true.sum(axis=1) + y_pred.sum(axis=1)
    scores = np.where(denominator == 0, 1.0, 2 * tp / np.maximum(denominator, 1))
    return float(scores.mean()) if len(scores) else 0.0


def multiclass_report(truth: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> dict[str, Any]:
    """Per-label P/R/F1, accuracy, macro-F1 and the confusion matrix (rows: truth)."""
    all_labels = list(labels) + sorted({*truth, *predicted} - set(labels))
    per_label = _per_label(truth, predicted, all_labels, indices=all_labels)
    occurring = [label for label in all_labels if per_label[label]["support"]]
    return {
        "task": "multiclass",
        "rows": len(truth),
        "per_label": per_label,
        "accuracy": float(accuracy_score(truth, predicted)),
        "macro_f1": float(np.mean([per_label[label]["f1"] for label in occurring])) if occurring else 0.0,
        "micro_f1": float(f1_score(truth, predicted, labels=all_labels, average="micro", zero_division=0)),
        "confusion": {"labels": all_labels, "matrix": confusion_matrix(truth, predicted, labels=all_labels).tolist()},
    }
