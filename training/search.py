"""`wiretag train --search`: hyperparameters by grid search over the one Pipeline.

The search runs scikit-learn's GridSearchCV on the primary head's Pipeline
(features + classifier), with folds grouped by story and a threshold-free
score (macro average precision for multi-label, macro-F1 for one label per
row), then trains the final model with the best settings.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
from sklearn.model_selection import GridSearchCV, GroupKFold

from training.data import LabelledData
from training.train import Progress, Recipe, build_pipeline, encode_targets, head_task

C_GRID = [1.0, 3.0, 10.0, 30.0]
LOSS_GRID = ["logistic", "svm"]
# Feature settings searched: character n-grams off/on, and min_df 2 or 1 (on a
# few hundred rows, min_df=2 drops most of the vocabulary: BENCHMARKS.md).
FEATURE_GRID = [(False, 2), (False, 1), (True, 2), (True, 1)]  # (character n-grams, min_df)
CHAR_NGRAMS = (2, 5)


def search_recipe(
    data: LabelledData, recipe: Recipe, lexicon: dict | None, seed: int, progress: Progress = lambda m: None
) -> tuple[Recipe, dict[str, Any]]:
    """The recipe with the best C, loss, min_df and character-n-gram setting for the primary head."""
    head = next(h for h in ("labels", "label", "topic") if h in data.targets)
    labels, target = encode_targets(data)[head]
    chars = recipe.char_ngrams or CHAR_NGRAMS
    feature_choices = [{"char_ngrams": chars if on else None, "min_df": min_df} for on, min_df in FEATURE_GRID]
    features = [replace(recipe, **choice).features(lexicon) for choice in feature_choices]
    grid = {"features": features, "classifier__C": C_GRID, "classifier__loss": LOSS_GRID}
    scoring = "average_precision" if head_task(head) == "multilabel" else "f1_macro"
    folds = min(recipe.cv_folds, len(set(data.groups)))
    search = GridSearchCV(
        build_pipeline(recipe, head, lexicon, seed),
        grid,
        scoring=scoring,
        cv=GroupKFold(n_splits=folds, shuffle=True, random_state=seed),
        n_jobs=-1,
    )
    settings = len(features) * len(C_GRID) * len(LOSS_GRID)
    progress(f"grid search: {settings} settings x {folds} folds, scored by {scoring}")
    search.fit(np.asarray(data.texts, dtype=object), target, groups=np.asarray(data.groups))

    def choice_of(params: dict) -> dict[str, Any]:
        return feature_choices[next(i for i, f in enumerate(features) if f is params["features"])]

    results = [
        {
            "C": float(params["classifier__C"]),
            "loss": params["classifier__loss"],
            "chars": choice_of(params)["char_ngrams"] is not None,
            "min_df": choice_of(params)["min_df"],
            "score": round(float(mean), 4),
            "std": round(float(std), 4),
        }
        for params, mean, std in zip(
            search.cv_results_["params"], search.cv_results_["mean_test_score"], search.cv_results_["std_test_score"]
        )
    ]
    best = results[search.best_index_]
    chosen = replace(
        recipe, C=best["C"], loss=best["loss"], **choice_of(search.cv_results_["params"][search.best_index_])
    )
    if head == "topic":
        chosen = replace(chosen, topic_C=best["C"])
    report = {"head": head, "scoring": scoring, "folds": folds, "seed": seed, "best": best, "results": results}
    progress(
        f"best: C={chosen.C}, loss={chosen.loss}, min_df={chosen.min_df}, "
        f"chars={'on' if chosen.char_ngrams else 'off'} ({scoring} {best['score']})"
    )
    return chosen, report
