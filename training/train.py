"""Training: features, heads, thresholds tuned on cross-validated scores, a saved model.

Cross-validation refits the whole feature union inside every fold (grouped by
story, so variants of one story never sit on both sides), because thresholds
tuned on scores of texts the vectoriser has already seen come out too strict.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import Pipeline

from classifier.errors import WiretagError
from classifier.estimators import MulticlassLinear, MultiLabelLinear
from classifier.features import build_features
from classifier.model import MULTICLASS, MULTILABEL, Head, Tagger, training_stems
from classifier.persistence import file_sha256, save_model
from training.data import LabelledData, load_labelled
from training.metrics import multiclass_report, multilabel_report
from training.taxonomy import Taxonomy, load_taxonomy
from training.thresholds import tuned_threshold

MIN_EXAMPLES = 5
Progress = Callable[[str], None]


@dataclass
class Recipe:
    """Every setting of the default recipe; `wiretag train --search` tunes some of them.

    The defaults were chosen by grouped cross-validation on the corpus, with
    speed as part of the choice (BENCHMARKS.md): character n-grams gain about
    0.01 macro-F1 in cross-validation but make training about seven times and
    prediction more than ten times slower, so they are off unless asked for.
    """

    word_ngrams: tuple[int, int] | None = (1, 2)
    char_ngrams: tuple[int, int] | None = None  # (2, 5) adds character n-grams: see BENCHMARKS.md for the trade
    stemming: bool = True
    accent_folding: bool = True
    lexicon_weight: float = 0.3
    min_df: int = 2
    sublinear_tf: bool = True
    loss: str = "logistic"
    nb_weighting: bool = False
    C: float = 100.0  # chosen over 30 by paired CV (benchmarks/paired_cv.py, BENCHMARKS.md)
    class_weight: str | None = "balanced"
    topic_C: float = 10.0
    topic_class_weight: str | None = "balanced"  # chosen over None by paired CV on the topic head (BENCHMARKS.md)
    tune_thresholds: bool = True
    threshold_rule: str = "best"  # or "one_se": see training/thresholds.py
    threshold_floor: float = 0.05
    cv_folds: int = 5
    cv_repeats: int = 1  # fold assignments whose scores are pooled to tune thresholds: more, steadier (BENCHMARKS.md)

    def features(self, lexicon: dict[str, list[str]] | None):
        return build_features(
            lexicon,
            word_ngrams=self.word_ngrams,
            char_ngrams=self.char_ngrams,
            stemming=self.stemming,
            accent_folding=self.accent_folding,
            lexicon_weight=self.lexicon_weight,
            min_df=self.min_df,
            sublinear_tf=self.sublinear_tf,
        )

    def classifier(self, task: str, head: str, seed: int):
        if task == MULTILABEL:
            return MultiLabelLinear(
                C=self.C, class_weight=self.class_weight, loss=self.loss, nb_weighting=self.nb_weighting, random_state=seed
            )
        if head == "topic":
            return MulticlassLinear(C=self.topic_C, class_weight=self.topic_class_weight, loss=self.loss, random_state=seed)
        return MulticlassLinear(C=self.C, loss=self.loss, random_state=seed)


def head_task(head: str) -> str:
    return MULTILABEL if head == "labels" else MULTICLASS


def build_pipeline(recipe: Recipe, head: str = "labels", lexicon: dict | None = None, seed: int = 0) -> Pipeline:
    """The one Pipeline for a single head: what `clone` and `GridSearchCV` work on."""
    return Pipeline([("features", recipe.features(lexicon)), ("classifier", recipe.classifier(head_task(head), head, seed))])


def encode_targets(data: LabelledData) -> dict[str, tuple[list[str], np.ndarray]]:
    """Per head: its label names and the matrix (multi-label) or index vector (multi-class)."""
    encoded = {}
    for head, values in data.targets.items():
        if head == "labels":
            labels = sorted({label for row in values for label in row})
            index = {label: j for j, label in enumerate(labels)}
            matrix = np.zeros((len(values), len(labels)), dtype=int)
            for i, row in enumerate(values):
                for label in row:
                    matrix[i, index[label]] = 1
            encoded[head] = (labels, matrix)
        else:
            labels = sorted(set(values))
            index = {label: j for j, label in enumerate(labels)}
            encoded[head] = (labels, np.array([index[v] for v in values]))
    return encoded


def check_trainable(encoded: dict[str, tuple[list[str], np.ndarray]], minimum: int = MIN_EXAMPLES) -> None:
    """Refuse labels too rare to train and tune, and heads with a single label."""
    for head, (labels, target) in encoded.items():
        counts = target.sum(axis=0) if target.ndim == 2 else np.bincount(target, minlength=len(labels))
        if head != "labels" and len(labels) < 2:
            raise WiretagError(
                f"every row has the same label '{labels[0]}'; a classifier needs at least two", field=head
            )
        if head == "labels" and not labels:
            raise WiretagError("no row carries any label", field=head)
        rare = [(label, int(n)) for label, n in zip(labels, counts) if n < minimum]
        if rare:
            shown = ", ".join(f"'{label}' has {n}" for label, n in rare)
            raise WiretagError(f"too few examples to train and tune: {shown}; the minimum is {minimum}", field=head)
        if head == "labels":
            constant = [label for label, n in zip(labels, counts) if n == len(target)]
            if constant:
                raise WiretagError(f"label '{constant[0]}' is on every row; nothing to learn", field=head)


def cv_splits(data: LabelledData, folds: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train, test) row indices of grouped folds: a story never straddles two folds; the seed draws them."""
    folds = min(folds, len(set(data.groups)))
    if folds < 2:
        raise WiretagError("cross-validation needs at least two distinct rows or stories")
    splitter = GroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros(len(data.texts)), groups=np.asarray(data.groups)))


def cross_validated_probabilities(
    data: LabelledData,
    encoded: dict[str, tuple[list[str], np.ndarray]],
    recipe: Recipe,
    lexicon: dict | None,
    seed: int,
    progress: Progress = lambda message: None,
    n_jobs: int = -1,
) -> dict[str, np.ndarray]:
    """Out-of-fold probabilities of every head, one feature fit per fold, folds in parallel."""
    from joblib import Parallel, delayed

    splits = cv_splits(data, recipe.cv_folds, seed)
    folds = len(splits)
    texts = np.asarray(data.texts, dtype=object)
    progress(f"cross-validation: {folds} folds grouped by story")
    results = Parallel(n_jobs=min(n_jobs if n_jobs > 0 else folds, folds))(
        delayed(_fold_probabilities)(texts, encoded, train_idx, test_idx, recipe, lexicon, seed)
        for train_idx, test_idx in splits
    )
    out = {head: np.zeros((len(texts), len(labels))) for head, (labels, _) in encoded.items()}
    for (_, test_idx), fold in zip(splits, results):
        for head, proba in fold.items():
            out[head][test_idx] = proba
    return out


def distinct(texts) -> list[str]:
    """Each text once: the features' vocabulary and IDF count texts, not how often a row is repeated or weighted."""
    return list(dict.fromkeys(texts))


def _fold_probabilities(texts, encoded, train_idx, test_idx, recipe: Recipe, lexicon, seed) -> dict[str, np.ndarray]:
    features = recipe.features(lexicon).fit(distinct(texts[train_idx]))
    X_train, X_test = features.transform(texts[train_idx]), features.transform(texts[test_idx])
    out = {}
    for head, (labels, target) in encoded.items():
        estimator = recipe.classifier(head_task(head), head, seed)
        proba = np.zeros((len(test_idx), len(labels)))
        y_train = target[train_idx]
        if head_task(head) == MULTICLASS:
            # A fold may miss a rare class: fit what it has and place its columns.
            present = np.unique(y_train)
            remap = np.searchsorted(present, y_train)
            proba[:, present] = estimator.fit(X_train, remap).predict_proba(X_test)
        else:
            proba[:] = estimator.fit(X_train, y_train).predict_proba(X_test)
        out[head] = proba
    return out


def label_thresholds(recipe: Recipe, target: np.ndarray, proba: np.ndarray, groups: list[str], seed: int) -> list[float]:
    """Each label's cut from out-of-fold scores, by the recipe's rule (0.5 when it tunes none)."""
    if not recipe.tune_thresholds:
        return [0.5] * target.shape[1]
    return [
        tuned_threshold(target[:, j], proba[:, j], rule=recipe.threshold_rule, floor=recipe.threshold_floor,
                        groups=groups, seed=seed)
        for j in range(target.shape[1])
    ]


def cv_report(head: str, labels: list[str], target: np.ndarray, proba: np.ndarray, thresholds=None) -> dict[str, Any]:
    if head_task(head) == MULTILABEL:
        truth = [[labels[j] for j in np.flatnonzero(row)] for row in target]
        predicted = [[labels[j] for j in np.flatnonzero(row >= thresholds)] for row in proba]
        return multilabel_report(truth, predicted, labels)
    return multiclass_report([labels[i] for i in target], [labels[i] for i in proba.argmax(axis=1)], labels)


def summary(report: dict[str, Any]) -> dict[str, Any]:
    """The headline figures of a report and its per-label F1, for manifests."""
    keys = ("rows", "micro_f1", "macro_f1", "samples_f1", "subset_accuracy", "hamming_loss", "accuracy")
    out = {key: round(report[key], 4) if isinstance(report[key], float) else report[key] for key in keys if key in report}
    out["f1"] = {label: round(scores["f1"], 4) for label, scores in report["per_label"].items()}
    return out


def fit_tagger(
    data: LabelledData,
    recipe: Recipe,
    *,
    lexicon: dict | None = None,
    seed: int = 0,
    progress: Progress = lambda message: None,
) -> tuple[Tagger, dict[str, dict[str, Any]]]:
    """Fit a model on labelled data; returns it with its cross-validated reports."""
    encoded = encode_targets(data)
    check_trainable(encoded)
    # Each repeat draws other folds; thresholds are tuned on the scores of all repeats together,
    # and the reported cross-validated figures are those of the first draw.
    tunes = recipe.tune_thresholds and any(head_task(head) == MULTILABEL for head in encoded)
    oof = [
        cross_validated_probabilities(data, encoded, recipe, lexicon, seed + repeat, progress)
        for repeat in range(recipe.cv_repeats if tunes else 1)
    ]
    reports = {}
    thresholds = {}
    for head, (labels, target) in encoded.items():
        if head_task(head) == MULTILABEL:
            pooled_target = np.concatenate([target] * len(oof))
            pooled_proba = np.concatenate([scores[head] for scores in oof])
            thresholds[head] = label_thresholds(recipe, pooled_target, pooled_proba, data.groups * len(oof), seed)
            reports[head] = cv_report(head, labels, target, oof[0][head], np.asarray(thresholds[head]))
        else:
            reports[head] = cv_report(head, labels, target, oof[0][head])
    progress("fitting the final model on all rows")
    features = recipe.features(lexicon).fit(distinct(data.texts))
    X = features.transform(data.texts)
    heads = {}
    for head, (labels, target) in encoded.items():
        estimator = recipe.classifier(head_task(head), head, seed)
        if head in thresholds:
            estimator.set_params(thresholds=thresholds[head])
        heads[head] = Head(head, head_task(head), labels, estimator.fit(X, target))
    return Tagger(features, heads, training_stems(features, data.texts)), reports


def train(
    paths: Sequence[str | Path],
    output: str | Path,
    *,
    task: str = "auto",
    taxonomy_path: str | Path | None = None,
    seed: int = 0,
    recipe: Recipe | None = None,
    force: bool = False,
    search: bool = False,
    eval_paths: Sequence[str | Path] = (),
    streaming: bool = False,
    progress: Progress = lambda message: None,
) -> dict[str, Any]:
    """Train from labelled files and write a model directory; returns its manifest.

    With `search`, C, the loss, min_df and the character n-grams are chosen
    first by a grouped grid search (see `training.search`), and its results go
    in the manifest.
    With `eval_paths`, the fitted model is also scored on those labelled files
    and the figures go in the manifest and the model card. With `streaming`,
    the data is read chunk by chunk and never held in memory
    (`training.streaming`: hashing features and SGD, for data beyond memory).
    """
    from training.model_card import model_card

    recipe = recipe or Recipe()
    taxonomy: Taxonomy | None = load_taxonomy(taxonomy_path) if taxonomy_path else None
    output = Path(output)
    if output.exists() and not force:
        raise WiretagError(f"{output} exists; pass --force to replace it (the old model is kept as a backup)")
    if streaming:
        from training.streaming import streaming_manifest, train_streaming

        tagger, info = train_streaming(paths, taxonomy=taxonomy, seed=seed, progress=progress)
        for warning in info["warnings"][:20]:
            progress(f"warning: {warning}")
        if len(info["warnings"]) > 20:
            progress(f"warning: {len(info['warnings']) - 20} more warnings like these")
        manifest = streaming_manifest(output, tagger, info, paths, seed, taxonomy)
    else:
        progress(f"reading {len(paths)} file(s)")
        data = load_labelled(paths, task=task, taxonomy=taxonomy)
        for warning in data.warnings[:20]:
            progress(f"warning: {warning}")
        if len(data.warnings) > 20:
            progress(f"warning: {len(data.warnings) - 20} more warnings like these")
        lexicon = taxonomy.lexicon("labels") if taxonomy and "labels" in data.targets else None
        weighted = f" ({len(data)} with weights)" if data.copies else ""
        progress(f"{len(data) - data.copies} rows{weighted}; heads: {', '.join(data.targets)}")
        search_report = None
        if search:
            from training.search import search_recipe

            recipe, search_report = search_recipe(data, recipe, lexicon, seed, progress)
        tagger, reports = fit_tagger(data, recipe, lexicon=lexicon, seed=seed, progress=progress)
        manifest = build_manifest(output, tagger, reports, data, recipe, seed, taxonomy)
        if search_report:
            manifest["training"]["search"] = search_report
    evaluation = None
    if eval_paths:
        from training.evaluate import score_data

        progress(f"scoring on {len(eval_paths)} evaluation file(s)")
        held_out = load_labelled(eval_paths, for_training=False)
        evaluation = {name: summary(report) for name, report in score_data(tagger, held_out)["heads"].items()}
        manifest["evaluation"] = {"data": held_out.sources, "heads": evaluation}
    progress(f"writing {output}")
    card = model_card(manifest, evaluation)
    save_model(tagger, output, manifest, extra_files={"MODEL_CARD.md": card}, force=force)
    return manifest


def build_manifest(output, tagger: Tagger, reports, data: LabelledData, recipe: Recipe, seed, taxonomy) -> dict:
    primary = tagger.primary
    heads = {}
    for name, head in tagger.heads.items():
        values = data.targets[name]
        counts = Counter(label for row in values for label in (row if isinstance(row, list) else [row]))
        heads[name] = {
            "task": head.task,
            "labels": head.labels,
            "thresholds": head.thresholds,
            "label_counts": {label: counts[label] for label in head.labels},
        }
    training = {
        "data": data.sources,
        "rows": len(data),
        "seed": seed,
        "recipe": {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(recipe).items()},
    }
    if data.copies:
        training["rows_read"] = len(data) - data.copies  # `rows` and label_counts count a row `weight` times
    if taxonomy is not None:
        training["taxonomy"] = {"file": taxonomy.path.name, "sha256": file_sha256(taxonomy.path)}
    if "labels" in data.targets:
        training["rows_without_labels"] = sum(1 for row in data.targets["labels"] if not row)
    return {
        "name": Path(output).name,
        "task": primary.task if primary else MULTICLASS,
        "labels": primary.labels if primary else tagger.heads["topic"].labels,
        "thresholds": primary.thresholds if primary else {},
        "heads": heads,
        "training": training,
        "cv_metrics": {name: summary(report) for name, report in reports.items()},
    }
