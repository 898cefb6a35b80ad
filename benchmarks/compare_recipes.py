"""Compare recipe variants for the themes head: accuracy and prediction speed.

    python benchmarks/compare_recipes.py [--only NAME ...] [--update]

For each variant: grouped 3-fold cross-validation on the corpus's training
split (thresholds tuned on those scores; this is what defaults are chosen on;
between threshold rules it favours the F1-optimal cut by construction, so the
test split is their fair comparison),
then the model fitted on the whole training split is scored on the corpus's
fixed test split and, when ../shared is present, on real-dev (all rows and its
uniformly drawn part; reported, never selected on). Speed is single-process
paragraphs/s of `Tagger.predict` on corpus texts. `--update` rewrites the
matching section of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.paths import TEST, TRAIN, load_real_dev, uniform_rows  # noqa: E402
from benchmarks.report import update_section  # noqa: E402
from benchmarks.timing import best_seconds  # noqa: E402
from training.data import load_labelled  # noqa: E402
from training.evaluate import score_data  # noqa: E402
from training.taxonomy import load_taxonomy  # noqa: E402
from training.train import Recipe, fit_tagger  # noqa: E402

BASE = Recipe(cv_folds=3, cv_repeats=1)  # one fold assignment per variant, to keep the table under half an hour

VARIANTS: dict[str, tuple[Recipe, bool]] = {
    # name: (recipe, use the taxonomy lexicon)
    "default (stemmed words 1-2 + lexicon, LR)": (BASE, True),
    "+ chars 2-5": (replace(BASE, char_ngrams=(2, 5)), True),
    "+ chars 3-5": (replace(BASE, char_ngrams=(3, 5)), True),
    "words 1-2 only (no lexicon)": (BASE, False),
    "chars 2-5 only": (replace(BASE, word_ngrams=None, char_ngrams=(2, 5)), False),
    "words + chars 2-5, no lexicon": (replace(BASE, char_ngrams=(2, 5)), False),
    "no stemming": (replace(BASE, stemming=False), True),
    "no accent folding": (replace(BASE, accent_folding=False), True),
    "no sublinear tf": (replace(BASE, sublinear_tf=False), True),
    "words 1-1": (replace(BASE, word_ngrams=(1, 1)), True),
    "words 1-3": (replace(BASE, word_ngrams=(1, 3)), True),
    "min_df=1": (replace(BASE, min_df=1), True),
    "lexicon weight 1.0": (replace(BASE, lexicon_weight=1.0), True),
    "LinearSVC + Platt": (replace(BASE, loss="svm", C=0.5), True),
    "SGD (log loss)": (replace(BASE, loss="sgd"), True),
    "NB-weighted LR (NBSVM-style)": (replace(BASE, nb_weighting=True, C=3.0), True),
    "no class weighting": (replace(BASE, class_weight=None), True),
    "C=3": (replace(BASE, C=3.0), True),
    "C=10": (replace(BASE, C=10.0), True),
    "C=30": (replace(BASE, C=30.0), True),
    "thresholds fixed at 0.5": (replace(BASE, tune_thresholds=False), True),
    "thresholds F1-optimal, floor 0.2": (replace(BASE, threshold_floor=0.2), True),
    "thresholds one SE under the F1-optimal cut": (replace(BASE, threshold_rule="one_se"), True),
    "thresholds tuned over 3 CV repeats (--cv-repeats 3)": (replace(BASE, cv_repeats=3), True),
}


def themes_only(data):
    data.targets = {"labels": data.targets["labels"]}
    return data


def throughput(tagger, texts: list[str], repeats: int = 3) -> float:
    # The warm-up fills the stem cache, as a running tagger has it.
    return len(texts) / best_seconds(lambda: tagger.predict(texts), repeats, warm_up=lambda: tagger.predict(texts[:50]))


def top1_fallback_f1(tagger, data) -> float:
    """Macro-F1 when a paragraph with no label over threshold takes its best label if p >= 0.3."""
    from classifier.model import decide
    from training.metrics import multilabel_report

    head = tagger.heads["labels"]
    proba = head.proba(tagger.vectorize(data.texts))
    predicted = []
    for row in proba:
        labels = decide(head, row)
        if not labels and row.max() >= 0.3:
            labels = [head.labels[int(row.argmax())]]
        predicted.append(labels)
    return multilabel_report(data.targets["labels"], predicted, head.labels)["macro_f1"]


def run_variant(name: str, recipe: Recipe, lexicon, train, test, real) -> dict:
    start = time.perf_counter()
    tagger, reports = fit_tagger(train, recipe, lexicon=lexicon if lexicon else None, seed=0)
    fit_seconds = time.perf_counter() - start
    row = {
        "variant": name,
        "cv_macro_f1": reports["labels"]["macro_f1"],
        "test_macro_f1": score_data(tagger, test)["heads"]["labels"]["macro_f1"],
        "fit_s": fit_seconds,
        "per_s": throughput(tagger, test.texts[:2000]),
    }
    if real is not None:
        row["real_macro_f1"] = score_data(tagger, real)["heads"]["labels"]["macro_f1"]
        row["real_uniform_macro_f1"] = score_data(tagger, real.subset(uniform_rows(real)))["heads"]["labels"]["macro_f1"]
        if name.startswith("default"):
            row["note"] = f"with top-1 fallback: real-dev macro-F1 {top1_fallback_f1(tagger, real):.3f}"
    return row


def render(rows: list[dict]) -> str:
    header = "| variant | CV macro-F1 (corpus) | test split macro-F1 | real-dev macro-F1 | real-dev uniform macro-F1 | fit s (CV+final) | predict paragraphs/s |"
    lines = [header, "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(
            f"| {r['variant']} | {r['cv_macro_f1']:.3f} | {r['test_macro_f1']:.3f} | "
            f"{r.get('real_macro_f1', float('nan')):.3f} | {r.get('real_uniform_macro_f1', float('nan')):.3f} | "
            f"{r['fit_s']:.0f} | {r['per_s']:,.0f} |"
        )
    notes = [f"- {r['variant']}: {r['note']}" for r in rows if "note" in r]
    return "\n".join(lines + [""] + notes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="run only variants whose name contains one of these")
    parser.add_argument("--update", action="store_true", help="rewrite the section in BENCHMARKS.md")
    args = parser.parse_args()
    lexicon = load_taxonomy().lexicon()
    train = themes_only(load_labelled([TRAIN]))
    test = themes_only(load_labelled([TEST], for_training=False))
    real = load_real_dev()
    real = themes_only(real) if real is not None else None
    rows = []
    for name, (recipe, use_lexicon) in VARIANTS.items():
        if args.only and not any(o in name for o in args.only):
            continue
        row = run_variant(name, recipe, lexicon if use_lexicon else None, train, test, real)
        rows.append(row)
        print(render([row]).splitlines()[-1 if "note" not in row else -3], flush=True)
    table = render(rows)
    print(table)
    if args.update:
        update_section(
            "Recipe comparison (themes head)",
            f"`python benchmarks/compare_recipes.py --update` on {os.cpu_count()} cores, 3-fold grouped CV; "
            f"{len(train)} training rows, {len(test)} test rows.\n\n{table}",
        )


if __name__ == "__main__":
    main()
