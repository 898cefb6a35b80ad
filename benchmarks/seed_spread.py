"""How much the shipped recipe's figures move with the training seed alone.

    python benchmarks/seed_spread.py [--seeds 0 1 2] [--repeats 1 3] [--taxonomy FILE] [--set FIELD=VALUE ...] [--update]

The seed draws the cross-validation folds whose out-of-fold scores tune the
thresholds. For each number of CV repeats (`Recipe.cv_repeats`) and each
seed, the recipe is trained on the corpus's training split and scored on its
test split and, when ../shared is present, on real-dev (all rows and its
uniformly drawn part). The spread says how large a difference between two
models must be before it means anything; `--taxonomy` measures another
lexicon the same way, and `--set` another value of a `Recipe` field
(`--set C=30`).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from dataclasses import fields, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.paths import TEST, TRAIN, load_real_dev, uniform_rows  # noqa: E402
from benchmarks.report import update_section  # noqa: E402
from training.data import load_labelled  # noqa: E402
from training.evaluate import score_data  # noqa: E402
from training.taxonomy import load_taxonomy  # noqa: E402
from training.train import Recipe, fit_tagger  # noqa: E402


def recipe_settings(assignments: list[str]) -> dict:
    """`FIELD=VALUE` pairs as Recipe settings, each of its field's type (fields with a plain value only)."""
    defaults = {f.name: f.default for f in fields(Recipe) if isinstance(f.default, (bool, int, float, str))}
    settings = {}
    for assignment in assignments:
        name, _, value = assignment.partition("=")
        if name not in defaults or not value:
            raise SystemExit(f"--set {assignment}: expected FIELD=VALUE with FIELD one of {', '.join(defaults)}")
        kind = type(defaults[name])
        try:
            settings[name] = value.lower() in ("1", "true", "yes") if kind is bool else kind(value)
        except ValueError:
            raise SystemExit(f"--set {assignment}: {name} takes a {kind.__name__}") from None
    return settings


def measure(recipe: Recipe, seed: int, lexicon, train, test, real) -> dict:
    tagger, _ = fit_tagger(train, recipe, lexicon=lexicon, seed=seed)
    thresholds = tagger.heads["labels"].thresholds
    row = {"repeats": recipe.cv_repeats, "seed": seed, "terrorism_threshold": thresholds["terrorism"],
           "test_macro_f1": score_data(tagger, test)["heads"]["labels"]["macro_f1"]}
    if real is not None:
        scores = score_data(tagger, real)["heads"]["labels"]
        row["real_macro_f1"], row["real_micro_f1"] = scores["macro_f1"], scores["micro_f1"]
        row["real_uniform_macro_f1"] = score_data(tagger, real.subset(uniform_rows(real)))["heads"]["labels"]["macro_f1"]
    return row


def render(rows: list[dict]) -> str:
    keys = ["test_macro_f1", "real_macro_f1", "real_micro_f1", "real_uniform_macro_f1", "terrorism_threshold"]
    keys = [k for k in keys if all(k in r for r in rows)]
    lines = ["| CV repeats | seed | " + " | ".join(keys) + " |", "|---|---|" + "---|" * len(keys)]
    lines += [f"| {r['repeats']} | {r['seed']} | " + " | ".join(f"{r[k]:.3f}" for k in keys) + " |" for r in rows]
    for repeats in sorted({r["repeats"] for r in rows}):
        mine = [r for r in rows if r["repeats"] == repeats]
        lines.append(f"| {repeats} | range | " + " | ".join(
            f"{min(r[k] for r in mine):.3f}–{max(r[k] for r in mine):.3f} (mean {statistics.mean(r[k] for r in mine):.3f})"
            for k in keys) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--repeats", type=int, nargs="+", default=[1, 3], help="values of Recipe.cv_repeats to compare")
    parser.add_argument("--taxonomy", type=Path, help="taxonomy file whose lexicon to use (default: the project's)")
    parser.add_argument("--set", nargs="+", default=[], metavar="FIELD=VALUE", help="another value of a Recipe field")
    parser.add_argument("--update", action="store_true", help="rewrite the section in BENCHMARKS.md")
    args = parser.parse_args()
    lexicon = (load_taxonomy(args.taxonomy) if args.taxonomy else load_taxonomy()).lexicon()
    train = load_labelled([TRAIN])
    test = load_labelled([TEST], for_training=False)
    real = load_real_dev()
    recipe = Recipe(**recipe_settings(args.set))
    rows = []
    for repeats in args.repeats:
        for seed in args.seeds:
            rows.append(measure(replace(recipe, cv_repeats=repeats), seed, lexicon, train, test, real))
            print(render(rows[-1:]).splitlines()[2], flush=True)
    table = render(rows)
    print(table)
    if args.update:
        update_section("Seed spread", f"`python benchmarks/seed_spread.py --update`: the default recipe trained on the "
                       f"corpus's training split with seeds {', '.join(map(str, args.seeds))}, for each number of "
                       "CV repeats that tune the thresholds.\n\n" + table)


if __name__ == "__main__":
    main()
