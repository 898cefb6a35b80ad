"""Out-of-core training (`wiretag train --streaming`): data that does not fit in memory.

The scikit-learn out-of-core recipe: a stateless `HashingVectorizer` over the
same word n-grams (no vocabulary to hold, no IDF), the lexicon features, and
linear models learnt by stochastic gradient descent with `partial_fit`, one
chunk of rows at a time, for a few passes over the files. One row in ten (by
a hash of its text) is held out, up to `HELD_OUT_LIMIT` rows, to tune the
per-label thresholds and report figures. The learnt weights go into the same
`MultiLabelLinear`/`MulticlassLinear` estimators the in-memory trainer fits,
so the model directory and prediction are the same as for any wiretag model.
Memory holds one chunk and the held-out rows, whatever the size of the data.
"""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from classifier.errors import WiretagError
from classifier.model import MULTICLASS, MULTILABEL, Head, Tagger
from classifier.records import Source, read_rows, text_of
from training.data import WEIGHT_FIELD, _label_value, _labels_value, weight_value
from training.metrics import indicator
from training.taxonomy import Taxonomy

HELD_OUT_LIMIT = 20_000
HEADS = ("labels", "topic")


@dataclass
class StreamingRecipe:
    """Settings of the out-of-core learner."""

    n_features: int = 2**18  # as accurate as 2**20 on held-out rows, half the memory (BENCHMARKS.md)
    word_ngrams: tuple[int, int] = (1, 2)
    lexicon_weight: float = 0.3
    alpha: float = 1e-5  # chosen on the held-out rows of the corpus (BENCHMARKS.md)
    epochs: int = 5
    chunk_size: int = 10_000
    threshold_floor: float = 0.05


@dataclass
class Chunk:
    texts: list[str] = field(default_factory=list)
    targets: dict[str, list[Any]] = field(default_factory=lambda: {head: [] for head in HEADS})


def labelled_rows(paths: Sequence[str | Path], warnings: list[str], taxonomy: Taxonomy | None = None):
    """(text, labels or None, topic or None) for each readable row, `weight` times; bad rows become warnings,
    unknown labels errors."""
    for path in paths:
        for row in read_rows(Source(str(path))):
            text, error = text_of(row)
            values: dict[str, Any] = {}
            weight = 1
            if error is None:
                try:
                    for head, read in (("labels", _labels_value), ("topic", _label_value)):
                        if row.fields.get(head) is not None:
                            values[head] = read(row.fields[head], path=str(path), line=row.line, field_name=head)
                    weight = weight_value(row.fields.get(WEIGHT_FIELD), path=str(path), line=row.line)
                except WiretagError as exc:
                    error = f"field '{exc.field}': {exc.message}"
            if error is not None:
                warnings.append(f"{path}:{row.line}: {error} (row skipped)")
                continue
            if taxonomy is not None:
                for head, value in values.items():
                    for label in value if isinstance(value, list) else [value]:
                        taxonomy.check(head, label, path=str(path), line=row.line)
            for _ in range(weight):
                yield text, values.get("labels"), values.get("topic")


def labelled_chunks(paths: Sequence[str | Path], size: int) -> Iterator[tuple[Chunk, Chunk]]:
    """(training part, held-out part) of each chunk of rows: one row in ten, by a hash of its text, is held out
    (the first `HELD_OUT_LIMIT` such rows; after them every row trains)."""
    train, held = Chunk(), Chunk()
    held_out = 0
    for text, labels, topic in labelled_rows(paths, []):
        # The same rows every pass: one in ten by text hash, until HELD_OUT_LIMIT of them; the rest all train.
        is_held = held_out < HELD_OUT_LIMIT and zlib.crc32(text.encode("utf-8")) % 10 == 0
        held_out += is_held
        part = held if is_held else train
        part.texts.append(text)
        part.targets["labels"].append(labels)
        part.targets["topic"].append(topic)
        if len(train.texts) >= size:
            yield train, held
            train, held = Chunk(), Chunk()
    if train.texts or held.texts:
        yield train, held


def train_streaming(
    paths: Sequence[str | Path],
    *,
    taxonomy: Taxonomy | None = None,
    recipe: StreamingRecipe | None = None,
    seed: int = 0,
    progress=lambda message: None,
) -> tuple[Tagger, dict[str, Any]]:
    """Learn a model chunk by chunk; returns it with figures on the held-out rows."""
    from sklearn.feature_extraction.text import HashingVectorizer
    from sklearn.pipeline import FeatureUnion

    from classifier.estimators import MulticlassLinear, MultiLabelLinear
    from classifier.features import LexiconFeatures
    from classifier.text import WordAnalyzer
    from training.thresholds import f1_optimal_threshold
    from training.train import cv_report, summary

    recipe = recipe or StreamingRecipe()
    warnings: list[str] = []
    progress("first pass: labels and counts")
    counts = {head: Counter() for head in HEADS}
    rows = {head: 0 for head in HEADS}
    for _, *values in labelled_rows(paths, warnings, taxonomy):
        for head, value in zip(HEADS, values):
            if value is not None:
                rows[head] += 1
                counts[head].update(value if isinstance(value, list) else [value])
    heads = [head for head in HEADS if rows[head]]
    if not heads:
        raise WiretagError("no row has 'labels' or 'topic' to learn from")
    labels = {head: sorted(counts[head]) for head in heads}
    lexicon = taxonomy.lexicon("labels") if taxonomy and "labels" in heads else None
    blocks = [("words", HashingVectorizer(analyzer=WordAnalyzer(recipe.word_ngrams), n_features=recipe.n_features,
                                          alternate_sign=False, norm="l2"))]
    if lexicon:
        blocks.append(("lexicon", LexiconFeatures(lexicon, weight=recipe.lexicon_weight)))
    features = FeatureUnion(blocks).fit([""])
    learners = {head: _learners(labels[head], counts[head], rows[head], recipe, seed) for head in heads}
    held = Chunk()
    for epoch in range(recipe.epochs):
        progress(f"pass {epoch + 1} of {recipe.epochs}")
        for train_part, held_part in labelled_chunks(paths, recipe.chunk_size):
            if epoch == 0:
                held.texts += held_part.texts
                for head in HEADS:
                    held.targets[head] += held_part.targets[head]
            if train_part.texts:
                X = features.transform(train_part.texts)
                for head in heads:
                    _partial_fit(learners[head], head, X, train_part.targets[head], labels[head])
    X_held = features.transform(held.texts) if held.texts else None
    tagger_heads, reports = {}, {}
    for head in heads:
        coef = np.vstack([learner.coef_[0] for learner in learners[head]])
        intercept = np.array([learner.intercept_[0] for learner in learners[head]])
        estimator = (MultiLabelLinear if head == "labels" else MulticlassLinear)()
        estimator.coef_, estimator.intercept_ = coef, intercept
        estimator.classes_, estimator.n_features_in_ = np.arange(len(labels[head])), coef.shape[1]
        estimator.thresholds_ = np.full(len(labels[head]), 0.5)
        known = [i for i, value in enumerate(held.targets[head]) if value is not None]
        if X_held is not None and known:
            proba = estimator.predict_proba(X_held[known])
            target = _target(head, [held.targets[head][i] for i in known], labels[head])
            if head == "labels":
                estimator.thresholds_ = np.array([
                    f1_optimal_threshold(target[:, j], proba[:, j], recipe.threshold_floor)
                    for j in range(len(labels[head]))
                ])
                estimator.set_params(thresholds=estimator.thresholds_.tolist())
                reports[head] = cv_report(head, labels[head], target, proba, estimator.thresholds_)
            else:
                reports[head] = cv_report(head, labels[head], target, proba)
        tagger_heads[head] = Head(head, MULTILABEL if head == "labels" else MULTICLASS, labels[head], estimator)
    info = {
        "rows": rows,
        "held_out_rows": len(held.texts),
        "warnings": warnings,
        "label_counts": {head: dict(counts[head]) for head in heads},
        "held_out_metrics": {head: summary(report) for head, report in reports.items()},
        "recipe": recipe,
    }
    return Tagger(features, tagger_heads), info


def _learners(labels, counts, rows, recipe, seed) -> list:
    """One binary SGD logistic regression per label, positives weighted as `class_weight="balanced"` would."""
    from sklearn.linear_model import SGDClassifier

    learners = []
    for label in labels:
        positive = max(counts[label], 1)
        weight = {0: rows / (2 * max(rows - positive, 1)), 1: rows / (2 * positive)}
        learners.append(SGDClassifier(loss="log_loss", alpha=recipe.alpha, class_weight=weight, random_state=seed))
    return learners


def _target(head: str, values: list, labels: list[str]) -> np.ndarray:
    if head == "labels":
        return indicator(values, labels)
    index = {label: i for i, label in enumerate(labels)}
    return np.array([index.get(value, 0) for value in values])


def _partial_fit(learners: list, head: str, X, values: list, labels: list[str]) -> None:
    known = [i for i, value in enumerate(values) if value is not None]
    if not known:
        return
    target = _target(head, [values[i] for i in known], labels)
    X = X[known]
    for j, learner in enumerate(learners):
        column = target[:, j] if head == "labels" else (target == j).astype(int)
        learner.partial_fit(X, column, classes=np.array([0, 1]))


def streaming_manifest(output, tagger: Tagger, info: dict[str, Any], paths, seed: int, taxonomy) -> dict[str, Any]:
    """The manifest of a streamed model: the same keys as `build_manifest`, figures from held-out rows."""
    from dataclasses import asdict

    from classifier.persistence import file_sha256

    primary = tagger.primary
    training = {
        "data": [{"path": Path(p).name, "sha256": file_sha256(p), "rows": None} for p in paths],
        "rows": max(info["rows"].values()),
        "seed": seed,
        "streaming": True,
        "recipe": {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(info["recipe"]).items()},
        "held_out_rows": info["held_out_rows"],
        "held_out_metrics": info["held_out_metrics"],
    }
    if taxonomy is not None:
        training["taxonomy"] = {"file": taxonomy.path.name, "sha256": file_sha256(taxonomy.path)}
    return {
        "name": Path(output).name,
        "task": MULTILABEL if primary else MULTICLASS,
        "labels": primary.labels if primary else tagger.heads["topic"].labels,
        "thresholds": primary.thresholds if primary else {},
        "heads": {
            name: {"task": head.task, "labels": head.labels, "thresholds": head.thresholds,
                   "label_counts": {label: info["label_counts"][name].get(label, 0) for label in head.labels}}
            for name, head in tagger.heads.items()
        },
        "training": training,
        "cv_metrics": {},
    }
