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
    _, target = encode_targets(data)[head]
    chars = recipe.char_ngrams or CHAR_NGRAMS
    feature_choices = [{"char_ngrams": chars if on else None, "min_df": min_df} for on, min_df in FEATURE_GRID]
    # One sub-grid per feature setting: candidate i belongs to feature setting i // per_setting.
    grid = [
        {"features": [replace(recipe, **choice).features(lexicon)], "classifier__C": C_GRID, "classifier__loss": LOSS_GRID}
        for choice in feature_choices
    ]
    per_setting = len(C_GRID) * len(LOSS_GRID)
    scoring = "average_precision" if head_task(head) == "multilabel" else "f1_macro"
    folds = min(recipe.cv_folds, len(set(data.groups)))
    search = GridSearchCV(
        build_pipeline(recipe, head, lexicon, seed),
        grid,
        scoring=scoring,
        cv=GroupKFold(n_splits=folds, shuffle=True, random_state=seed),
        n_jobs=-1,
        refit=False,  # the final model is trained by fit_tagger with the chosen recipe
    )
    settings = len(feature_choices) * per_setting
    progress(f"grid search: {settings} settings x {folds} folds, scored by {scoring}")
    search.fit(np.asarray(data.texts, dtype=object), target, groups=np.asarray(data.groups))

    results = [
        {
            "C": float(params["classifier__C"]),
            "loss": params["classifier__loss"],
            "chars": feature_choices[index // per_setting]["char_ngrams"] is not None,
            "min_df": feature_choices[index // per_setting]["min_df"],
            # a setting whose fits failed scores None (JSON has no NaN); GridSearchCV ranks it last
            "score": round(float(mean), 4) if np.isfinite(mean) else None,
            "std": round(float(std), 4) if np.isfinite(std) else None,
        }
        for index, (params, mean, std) in enumerate(zip(
            search.cv_results_["params"], search.cv_results_["mean_test_score"], search.cv_results_["std_test_score"]
        ))
    ]
    best = results[search.best_index_]
    if best["score"] is None:
        raise ValueError("every setting of the grid search failed to fit: see the warnings above")
    chosen = replace(recipe, C=best["C"], loss=best["loss"], **feature_choices[search.best_index_ // per_setting])
    if head == "topic":
        chosen = replace(chosen, topic_C=best["C"])
    report = {"head": head, "scoring": scoring, "folds": folds, "seed": seed, "best": best, "results": results}
    progress(
        f"best: C={chosen.C}, loss={chosen.loss}, min_df={chosen.min_df}, "
        f"chars={'on' if chosen.char_ngrams else 'off'} ({scoring} {best['score']})"
    )
    return chosen, report
