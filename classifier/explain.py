"""Why a paragraph got a label: the n-grams that pushed its score, exactly.

Every head is linear: a label's logit is the intercept plus, for each feature
present in the paragraph, feature value × weight. Those products are the
explanation; they add up to the logit, and the logit's sigmoid is the score a
multi-label head reports (a one-label head normalises its per-class scores).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from classifier.model import TOPIC_HEAD, Tagger, decide


def feature_names(tagger: Tagger) -> np.ndarray:
    """Readable names of the feature columns: `words:emploi temp`, `chars:tion`, `lexicon:terrorism`."""
    cached = getattr(tagger, "_feature_names", None)
    if cached is None:
        raw = tagger.features.get_feature_names_out()
        cached = np.asarray([name.replace("__", ":", 1) for name in raw], dtype=object)
        tagger._feature_names = cached
    return cached


def explain_row(tagger: Tagger, X_row, head_name: str, label: str, top: int) -> dict[str, Any]:
    """The top contributions of one paragraph's features to one label's logit."""
    head = tagger.heads[head_name]
    j = head.labels.index(label)
    coef = head.estimator.coef_[j]
    intercept = float(head.estimator.intercept_[j])
    row = X_row.tocsr()
    contributions = row.data * coef[row.indices]
    order = np.argsort(-contributions)[:top]
    names = feature_names(tagger)
    logit = float(contributions.sum() + intercept)
    return {
        "head": head_name,
        "label": label,
        "logit": round(logit, 4),
        "intercept": round(intercept, 4),
        "features": [
            {
                "feature": names[row.indices[i]],
                "value": round(float(row.data[i]), 4),
                "weight": round(float(coef[row.indices[i]]), 4),
                "contribution": round(float(contributions[i]), 4),
            }
            for i in order
        ],
    }


def explain(
    tagger: Tagger, texts: Sequence[str], *, top: int = 10, labels: Sequence[str] = (), X=None
) -> list[list[dict[str, Any]]]:
    """Per text, explanations of its predicted labels (and of `labels`), and of its topic.

    `X`, the texts already vectorised, saves a second vectorisation.
    """
    if X is None:
        X = tagger.vectorize(texts)
    probabilities = tagger.head_probabilities(X)
    out = []
    for i in range(len(texts)):
        row = X[i]
        items = []
        primary = tagger.primary
        if primary is not None:
            wanted = decide(primary, probabilities[primary.name][i])
            wanted += [label for label in labels if label in primary.labels and label not in wanted]
            for label in wanted:
                item = explain_row(tagger, row, primary.name, label, top)
                item["score"] = round(float(probabilities[primary.name][i][primary.labels.index(label)]), 4)
                items.append(item)
        if TOPIC_HEAD in tagger.heads:
            topic = tagger.heads[TOPIC_HEAD]
            best = topic.labels[int(np.argmax(probabilities[TOPIC_HEAD][i]))]
            for label in [best] + [label for label in labels if label in topic.labels and label != best]:
                item = explain_row(tagger, row, TOPIC_HEAD, label, top)
                item["score"] = round(float(probabilities[TOPIC_HEAD][i][topic.labels.index(label)]), 4)
                items.append(item)
        out.append(items)
    return out
