"""Is a recipe variant really better than the default on the corpus? A paired, repeated CV test.

    python benchmarks/paired_cv.py --variant "C=30" [--folds 3] [--draws 5] [--update]

The recipe table gives one cross-validated figure per variant, and two
variants 0.002 apart (C=100 and C=30 were) are a tie unless the folds say otherwise. Here the
default and the variant (a name from `compare_recipes.VARIANTS`) are scored on
the same grouped folds, for several draws of the folds: each fold gives a
paired macro-F1 difference. Fold scores overlap in their training rows, so
the standard error is the corrected one of Nadeau and Bengio (2003), the
variance of the differences times (1/n + n_test/n_train), not the naive
s/sqrt(n), which overstates certainty. Thresholds are tuned per draw on its
out-of-fold scores, as the recipe table does. Real-dev plays no part.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.compare_recipes import VARIANTS, themes_only  # noqa: E402
from benchmarks.paths import TRAIN  # noqa: E402
from benchmarks.report import update_section  # noqa: E402
from training.data import LabelledData, load_labelled  # noqa: E402
from training.taxonomy import load_taxonomy  # noqa: E402
from training.train import cross_validated_probabilities, cv_report, cv_splits, encode_targets, label_thresholds  # noqa: E402

DEFAULT = "default (stemmed words 1-2 + lexicon, LR)"


def fold_scores(data: LabelledData, name: str, lexicon, folds: int, draws: int) -> list[float]:
    """Macro-F1 of each fold of each draw for one variant, thresholds tuned on the draw's out-of-fold scores."""
    recipe, use_lexicon = VARIANTS[name]
    recipe = replace(recipe, cv_folds=folds)
    encoded = encode_targets(data)
    labels, target = encoded["labels"]
    scores = []
    for seed in range(draws):
        proba = cross_validated_probabilities(data, encoded, recipe, lexicon if use_lexicon else None, seed)["labels"]
        thresholds = np.asarray(label_thresholds(recipe, target, proba, data.groups, seed))
        draw = [cv_report("labels", labels, target[test], proba[test], thresholds)["macro_f1"]
                for _, test in cv_splits(data, folds, seed)]
        print(f"{name}, draw {seed}: {statistics.mean(draw):.4f}", flush=True)
        scores += draw
    return scores


def corrected_standard_error(differences: list[float], folds: int) -> float:
    """Nadeau-Bengio: var(d) * (1/n + n_test/n_train); with k folds n_test/n_train = 1/(k-1)."""
    n = len(differences)
    return math.sqrt(statistics.variance(differences) * (1 / n + 1 / (folds - 1)))


def compare(variant: str, default: list[float], other: list[float], folds: int, draws: int) -> dict:
    """The paired summary of one variant's fold scores against the default's, fold by fold."""
    differences = [v - d for v, d in zip(other, default)]
    return {
        "variant": variant, "folds": folds, "draws": draws,
        "default": statistics.mean(default), "other": statistics.mean(other),
        "gain": statistics.mean(differences), "se": corrected_standard_error(differences, folds),
        "wins": sum(d > 0 for d in differences), "n": len(differences),
    }


def render(r: dict) -> str:
    return (
        f"| {r['variant']} | {r['folds']} x {r['draws']} | {r['default']:.4f} | {r['other']:.4f} | "
        f"{r['gain']:+.4f} | {r['se']:.4f} | {r['gain'] / r['se']:+.2f} | {r['wins']} of {r['n']} |"
    )


HEADER = ("| variant | folds x draws | default CV macro-F1 | variant CV macro-F1 | paired gain | corrected SE | "
          "gain / SE | folds the variant wins |\n|---|---|---|---|---|---|---|---|")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", nargs="+", required=True, choices=[v for v in VARIANTS if v != DEFAULT])
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--draws", type=int, default=5)
    parser.add_argument("--update", action="store_true", help="rewrite the section in BENCHMARKS.md")
    args = parser.parse_args()
    lexicon = load_taxonomy().lexicon()
    data = themes_only(load_labelled([TRAIN]))
    default = fold_scores(data, DEFAULT, lexicon, args.folds, args.draws)
    rows = [
        render(compare(variant, default, fold_scores(data, variant, lexicon, args.folds, args.draws), args.folds, args.draws))
        for variant in args.variant
    ]
    table = "\n".join([HEADER, *rows])
    print(table)
    if args.update:
        quoted = " ".join(f'"{v}"' for v in args.variant)
        update_section(
            "Paired CV: variants against the default",
            f"`python benchmarks/paired_cv.py --variant {quoted} --folds {args.folds} --draws {args.draws} --update`: "
            "the default and each variant on the same grouped folds of the corpus's training split; corrected SE "
            "of Nadeau and Bengio (2003).\n\n" + table,
        )


if __name__ == "__main__":
    main()
