"""Per-label probability cuts, tuned on held-out scores.

"best" (the default) takes the F1-maximising cut, the lowest of equal ones.
F1 against the cut is flat near its best on this corpus, so that maximum
is partly noise: terrorism's moved from 0.74 to 0.84 across corpus
revisions. "one_se" takes instead the lowest cut whose F1 is within one
bootstrap standard error of the best (the one-standard-error rule of model
selection, applied to the cut), which keeps more paragraphs among cuts the
data cannot tell apart. It was tried for the shipped model and not kept:
lower on the corpus test split and on real-dev (BENCHMARKS.md).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

RULES = ("one_se", "best")
BOOTSTRAP_RESAMPLES = 200


def f1_curve(y_true: np.ndarray, proba: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Scores sorted high to low, and the F1 of cutting just under each (-1 where the next score ties)."""
    order = np.argsort(-proba, kind="stable")
    sorted_proba = proba[order]
    hits = np.cumsum(y_true[order])
    f1 = 2 * hits / (np.arange(1, len(proba) + 1) + y_true.sum())
    distinct = np.r_[sorted_proba[1:] < sorted_proba[:-1], True]  # cut only between distinct scores
    return sorted_proba, np.where(distinct, f1, -1.0)


def f1_optimal_threshold(y_true: np.ndarray, proba: np.ndarray, floor: float = 0.05, tolerance: float = 0.0) -> float:
    """The lowest cut whose F1 on held-out scores is within `tolerance` of the best, not below `floor`.

    With no tolerance this is the F1-maximising cut. Ties go to the lowest:
    corpus scores are cleaner than real text, so the more permissive of
    equally good cuts transfers better.
    """
    y_true = np.asarray(y_true).astype(bool)
    if not y_true.any():
        return max(floor, 0.5)
    return _lowest_cut_within(*f1_curve(y_true, proba), tolerance, floor)


def _lowest_cut_within(sorted_proba: np.ndarray, f1: np.ndarray, tolerance: float, floor: float) -> float:
    lowest = np.flatnonzero(f1 >= f1.max() - tolerance)[-1]
    below = sorted_proba[lowest + 1] if lowest + 1 < len(sorted_proba) else 0.0
    return float(max(floor, (sorted_proba[lowest] + below) / 2))


def f1_standard_error(
    y_true: np.ndarray, proba: np.ndarray, cut: float, groups: Sequence[str] | None = None, seed: int = 0
) -> float:
    """Bootstrap standard error of F1 at `cut`, resampling whole stories when `groups` is given."""
    y_true = np.asarray(y_true).astype(bool)
    predicted = proba >= cut
    if groups is None:
        group_index = np.arange(len(y_true))
    else:
        group_index = np.unique(np.asarray(groups), return_inverse=True)[1]
    n_groups = int(group_index.max()) + 1
    per_group = [np.bincount(group_index, weights=w, minlength=n_groups) for w in (predicted & y_true, predicted, y_true)]
    counts = np.random.default_rng(seed).multinomial(n_groups, np.full(n_groups, 1 / n_groups), size=BOOTSTRAP_RESAMPLES)
    hits, chosen, relevant = (counts @ w for w in per_group)
    denominator = chosen + relevant
    f1 = np.divide(2 * hits, denominator, out=np.zeros_like(hits), where=denominator > 0)
    return float(f1.std())


def tuned_threshold(
    y_true: np.ndarray,
    proba: np.ndarray,
    *,
    rule: str = "best",
    floor: float = 0.05,
    groups: Sequence[str] | None = None,
    seed: int = 0,
) -> float:
    """One label's cut by `rule` ("one_se" or "best"; see the module docstring)."""
    if rule not in RULES:
        raise ValueError(f"unknown threshold rule {rule!r}; expected one of {', '.join(RULES)}")
    y_true = np.asarray(y_true).astype(bool)
    if not y_true.any():
        return max(floor, 0.5)
    sorted_proba, f1 = f1_curve(y_true, proba)
    best = _lowest_cut_within(sorted_proba, f1, 0.0, floor)
    if rule == "best":
        return best
    return _lowest_cut_within(sorted_proba, f1, f1_standard_error(y_true, proba, best, groups, seed), floor)
