"""Is a recipe variant really better than the default? A paired, repeated CV test.

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

The one-label heads have their own variants (`MULTICLASS_VARIANTS`, settings
of the head's classifier in the Pipeline), scored by macro-F1 of the argmax:

    python benchmarks/paired_cv.py --head topic --variant "no class weighting" "C=30"
    python benchmarks/paired_cv.py --head label --data ../shared/benchmarks/sib200-fra/{train,dev}.jsonl \
        --variant "balanced classes"

The topic head is scored on the corpus with its lexicon; `--data` files (a
user's own one-label data) without it, as `wiretag train` would fit them.
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
from training.train import (  # noqa: E402
    Recipe, build_pipeline, cross_validated_probabilities, cv_report, cv_splits, encode_targets, label_thresholds,
)

DEFAULT = "default (stemmed words 1-2 + lexicon, LR)"
MULTICLASS_VARIANTS: dict[str, dict] = {
    "default": {},
    "no class weighting": {"classifier__class_weight": None},
    "balanced classes": {"classifier__class_weight": "balanced"},
    "C=3": {"classifier__C": 3.0},
    "C=10": {"classifier__C": 10.0},
    "C=30": {"classifier__C": 30.0},
    "C=100": {"classifier__C": 100.0},
    "LR + Complement NB": {"classifier": "blend"},  # benchmarks.blends.LogitBlend around the head's own classifier
}


def fold_scores(data: LabelledData, name: str, lexicon, folds: int, draws: range) -> list[float]:
    """Macro-F1 of each fold of each draw for one variant, thresholds tuned on the draw's out-of-fold scores."""
    recipe, use_lexicon = VARIANTS[name]
    recipe = replace(recipe, cv_folds=folds)
    encoded = encode_targets(data)
    labels, target = encoded["labels"]
    scores = []
    for seed in draws:
        proba = cross_validated_probabilities(data, encoded, recipe, lexicon if use_lexicon else None, seed)["labels"]
        thresholds = np.asarray(label_thresholds(recipe, target, proba, data.groups, seed))
        draw = [cv_report("labels", labels, target[test], proba[test], thresholds)["macro_f1"]
                for _, test in cv_splits(data, folds, seed)]
        print(f"{name}, draw {seed}: {statistics.mean(draw):.4f}", flush=True)
        scores += draw
    return scores


def multiclass_fold_scores(data: LabelledData, head: str, name: str, lexicon, folds: int, draws: range) -> list[float]:
    """Macro-F1 of the argmax on each fold of each draw, for one-label head `head` with a variant's settings."""
    from joblib import Parallel, delayed

    texts = np.asarray(data.texts, dtype=object)
    _, target = encode_targets(data)[head]
    pipeline = build_pipeline(Recipe(), head, lexicon)
    settings = dict(MULTICLASS_VARIANTS[name])
    if settings.get("classifier") == "blend":
        from benchmarks.blends import LogitBlend

        settings["classifier"] = LogitBlend(linear=pipeline.named_steps["classifier"])
    pipeline.set_params(**settings)
    scores = []
    for seed in draws:
        draw = Parallel(n_jobs=-1)(
            delayed(_multiclass_fold)(pipeline, texts, target, train, test) for train, test in cv_splits(data, folds, seed)
        )
        print(f"{name}, draw {seed}: {statistics.mean(draw):.4f}", flush=True)
        scores += draw
    return scores


def _multiclass_fold(pipeline, texts, target, train, test) -> float:
    from sklearn.base import clone
    from sklearn.metrics import f1_score

    predicted = clone(pipeline).fit(texts[train], target[train]).predict(texts[test])
    return f1_score(target[test], predicted, average="macro")


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
    parser.add_argument("--variant", nargs="+", required=True,
                        choices=sorted({v for v in [*VARIANTS, *MULTICLASS_VARIANTS] if v not in (DEFAULT, "default")}))
    parser.add_argument("--head", choices=["labels", "topic", "label"], default="labels",
                        help="labels: the themes (default); topic: the corpus's topic head; label: --data's one label")
    parser.add_argument("--data", nargs="+", type=Path, help="one-label data for --head label (default: the corpus)")
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--draws", type=int, default=5)
    parser.add_argument("--first-draw", type=int, default=0,
                        help="seed of the first fold draw: fresh draws re-test a variant found on the first ones")
    parser.add_argument("--update", action="store_true", help="rewrite the section in BENCHMARKS.md")
    args = parser.parse_args()
    draws = range(args.first_draw, args.first_draw + args.draws)
    table = paired_table(args.head, args.variant, args.data, args.folds, draws)
    print(table)
    if args.update:
        quoted = " ".join(f'"{v}"' for v in args.variant)
        data = " --data " + " ".join(str(p) for p in args.data) if args.data else ""
        command = (f"python benchmarks/paired_cv.py{'' if args.head == 'labels' else ' --head ' + args.head}{data} "
                   f"--variant {quoted} --folds {args.folds} --draws {args.draws}"
                   f"{f' --first-draw {args.first_draw}' if args.first_draw else ''} --update")
        title = SECTIONS[args.head] + (f" ({args.data[0].parent.name})" if args.data else "")
        update_section(title, f"`{command}`: the default and each variant on the same grouped folds of "
                       f"{'the corpus training split' if not args.data else 'the files named'}; corrected SE of Nadeau "
                       "and Bengio (2003).\n\n" + table)


SECTIONS = {"labels": "Paired CV: variants against the default", "topic": "Paired CV: the topic head",
            "label": "Paired CV: a one-label head"}


def paired_table(head: str, variants: list[str], paths: list[Path] | None, folds: int, draws: range) -> str:
    """The paired comparison of each variant with the default, as a Markdown table."""
    known = VARIANTS if head == "labels" else MULTICLASS_VARIANTS
    unknown = [v for v in variants if v not in known]
    if unknown:
        choices = ", ".join(v for v in known if v not in (DEFAULT, "default"))
        sys.exit(f"no variant {unknown[0]!r} for --head {head}; choose from: {choices}")
    lexicon = None if paths else load_taxonomy().lexicon()
    data = load_labelled(paths or [TRAIN])
    if head not in data.targets:
        sys.exit(f"the data has no {head!r} field: --head takes one of {', '.join(data.targets)}")
    if head == "labels":
        data = themes_only(data)
        default = fold_scores(data, DEFAULT, lexicon, folds, draws)
        scores = {v: fold_scores(data, v, lexicon, folds, draws) for v in variants}
    else:
        default = multiclass_fold_scores(data, head, "default", lexicon, folds, draws)
        scores = {v: multiclass_fold_scores(data, head, v, lexicon, folds, draws) for v in variants}
    rows = [render(compare(v, default, scores[v], folds, len(draws))) for v in variants]
    return "\n".join([HEADER, *rows])


if __name__ == "__main__":
    main()
