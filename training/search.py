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


def search_recipe(
    data: LabelledData, recipe: Recipe, lexicon: dict | None, seed: int, progress: Progress = lambda m: None
) -> tuple[Recipe, dict[str, Any]]:
    """The recipe with the best C and character-n-gram setting for the primary head."""
    head = next(h for h in ("labels", "label", "topic") if h in data.targets)
    labels, target = encode_targets(data)[head]
    base = replace(recipe, char_ngrams=recipe.char_ngrams or (2, 5))
    pipeline = build_pipeline(base, head, lexicon, seed)
    grid = {
        "classifier__C": C_GRID,
        "features__chars": ["drop", pipeline.named_steps["features"].get_params()["chars"]],
    }
    scoring = "average_precision" if head_task(head) == "multilabel" else "f1_macro"
    folds = min(recipe.cv_folds, len(set(data.groups)))
    search = GridSearchCV(
        pipeline, grid, scoring=scoring, cv=GroupKFold(n_splits=folds, shuffle=True, random_state=seed), n_jobs=-1
    )
    progress(f"grid search: {len(C_GRID) * 2} settings x {folds} folds, scored by {scoring}")
    search.fit(np.asarray(data.texts, dtype=object), target, groups=np.asarray(data.groups))
    best = search.best_params_
    chosen = replace(
        recipe, C=float(best["classifier__C"]), char_ngrams=None if best["features__chars"] == "drop" else base.char_ngrams
    )
    if head == "topic":
        chosen = replace(chosen, topic_C=float(best["classifier__C"]))
    results = [
        {
            "C": float(params["classifier__C"]),
            "chars": params["features__chars"] != "drop",
            "score": round(float(mean), 4),
            "std": round(float(std), 4),
        }
        for params, mean, std in zip(
            search.cv_results_["params"], search.cv_results_["mean_test_score"], search.cv_results_["std_test_score"]
        )
    ]
    report = {"head": head, "scoring": scoring, "folds": folds, "seed": seed, "best": results[search.best_index_],
              "results": results}
    progress(f"best: C={chosen.C}, chars={'on' if chosen.char_ngrams else 'off'} ({scoring} {report['best']['score']})")
    return chosen, report
