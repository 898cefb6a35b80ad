"""wiretag against fastText and plain scikit-learn, on identical splits, in one run.

    python benchmarks/topic_benchmarks.py [--update] [--autotune-seconds 60]

1. Topic classification on the public French benchmarks in ../shared/benchmarks:
   MasakhaNEWS fra (train-50-per-label + dev -> test) and SIB-200 fra
   (train + dev -> test): wiretag's default recipe (one `label` head, no
   lexicon), `wiretag train --search` (its grid chosen by grouped CV on the
   training data only), plain TfidfVectorizer + LogisticRegression, fastText with default
   settings, fastText autotuned on an 80/20 split of the training data only, and
   fastText with epochs, learning rate and word n-grams chosen by 3-fold CV on the
   training data (FASTTEXT_GRID).
2. The themes task: the shipped model on ../shared/eval/real-dev.jsonl per
   theme, next to fastText (its multi-label recipe: one-vs-all loss, 25 epochs,
   lr 0.5, word bigrams; labels over 0.5) trained on the same corpus split.

The shipped topic head on MasakhaNEWS has its own script, topic_head_masakhanews.py.

fastText trains on one thread, so a run gives its figures again, except the
autotuned row, which is bound by time (and gets every core). fastText (`fasttext-wheel`) is a
benchmark-only dependency. Needs ../shared.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.paths import TRAIN, load_real_dev, uniform_rows  # noqa: E402
from benchmarks.report import update_section  # noqa: E402
from benchmarks.timing import best_seconds  # noqa: E402
from training.data import load_labelled  # noqa: E402
from training.metrics import multiclass_report, multilabel_report  # noqa: E402
from training.records import read_records  # noqa: E402
from training.search import search_recipe  # noqa: E402
from training.train import Recipe, fit_tagger  # noqa: E402

SHARED = ROOT.parent / "shared"
BENCHMARKS = {
    "MasakhaNEWS fra": (["masakhanews-fra/train-50-per-label.jsonl", "masakhanews-fra/dev.jsonl"], "masakhanews-fra/test.jsonl"),
    "SIB-200 fra": (["sib200-fra/train.jsonl", "sib200-fra/dev.jsonl"], "sib200-fra/test.jsonl"),
}


def size_of(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*")) if path.is_dir() else path.stat().st_size


def timed_throughput(predict, texts: list[str], repeats: int = 3) -> float:
    return len(texts) / best_seconds(lambda: predict(texts), repeats, warm_up=lambda: predict(texts[:10]))


def fasttext_line(text: str) -> str:
    return " ".join(text.replace("\n", " ").split())


class FastTextModel:
    """fastText through its C++ binding (`m.f`), which works with numpy 2."""

    def __init__(self, model) -> None:
        self.model = model

    def predict(self, texts: list[str], k: int = 1, threshold: float = 0.0) -> list[list[tuple[str, float]]]:
        labels, probs = self.model.f.multilinePredict([fasttext_line(t) for t in texts], k, threshold, "strict")
        return [[(label.replace("__label__", ""), p) for label, p in zip(ls, ps)] for ls, ps in zip(labels, probs)]


def train_fasttext(rows: list[tuple[str, list[str]]], workdir: Path, *, autotune_seconds: int = 0, ova: bool = False,
                   seed: int = 0, **settings) -> FastTextModel:
    """fastText on `rows`; `settings` (epoch, lr, wordNgrams...) override its defaults."""
    import fasttext

    def write(path: Path, part) -> None:
        path.write_text("".join(" ".join(f"__label__{l}" for l in labels) + " " + fasttext_line(text) + "\n"
                                for text, labels in part), encoding="utf-8")

    train_path = workdir / "ft-train.txt"
    # One thread, whatever the machine: the Python API's default is all cores but one (one here), and
    # several threads update the weights without locks, so figures would move between runs. The
    # autotuner is bound by time, so its figures move anyway (its trials depend on the machine's load);
    # it gets every core.
    options = {"verbose": 0, "seed": seed, "thread": fasttext_threads(autotune_seconds)}
    if ova:  # fastText's documented multi-label recipe: one-vs-all loss, more epochs, bigrams
        options.update(loss="ova", epoch=25, lr=0.5, wordNgrams=2)
    if autotune_seconds:
        rng = np.random.default_rng(seed)
        order = rng.permutation(len(rows))
        cut = int(len(rows) * 0.8)
        write(train_path, [rows[i] for i in order[:cut]])
        write(workdir / "ft-valid.txt", [rows[i] for i in order[cut:]])
        options.update(autotuneValidationFile=str(workdir / "ft-valid.txt"), autotuneDuration=autotune_seconds)
    else:
        write(train_path, rows)
    return FastTextModel(fasttext.train_supervised(input=str(train_path), **options, **settings))


def fasttext_threads(autotune_seconds: int) -> int:
    return (os.cpu_count() or 1) if autotune_seconds else 1


# fastText's own defaults (5 epochs, lr 0.1) underfit a few hundred articles, and its autotuner, given
# a 20% validation split of them, stalls near its starting point (BENCHMARKS.md); a grid chosen by CV on
# the training data is the fairer baseline, chosen the way `wiretag train --search` chooses its own.
FASTTEXT_GRID = {"epoch": [5, 25, 50, 100], "lr": [0.1, 0.5, 1.0], "wordNgrams": [1, 2]}


def fasttext_grid_search(rows: list[tuple[str, list[str]]], workdir: Path, folds: int = 3,
                         seed: int = 0) -> tuple[dict, float]:
    """The FASTTEXT_GRID setting with the best mean macro-F1 over stratified folds of the training rows."""
    import itertools

    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold

    target = np.asarray([labels[0] for _, labels in rows])
    splits = list(StratifiedKFold(folds, shuffle=True, random_state=seed).split(target, target))
    best: tuple[dict, float] = ({}, -1.0)
    for values in itertools.product(*FASTTEXT_GRID.values()):
        settings = dict(zip(FASTTEXT_GRID, values))
        scores = []
        for train_idx, test_idx in splits:
            model = train_fasttext([rows[i] for i in train_idx], workdir, seed=seed, **settings)
            predicted = [p[0][0] for p in model.predict([rows[i][0] for i in test_idx])]
            scores.append(f1_score(target[test_idx], predicted, average="macro"))
        if np.mean(scores) > best[1]:
            best = (settings, float(np.mean(scores)))
    return best


def topic_benchmark(name: str, train_files: list[str], test_file: str, workdir: Path, autotune: int) -> list[dict]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    import joblib

    from classifier.model import decide

    base = SHARED / "benchmarks"
    train = load_labelled([base / f for f in train_files])
    test_rows = read_records(base / test_file)
    texts, truth = [r["text"] for r in test_rows], [r["label"] for r in test_rows]
    labels = sorted(set(train.targets["label"]))
    results = []

    for system, searched in (("wiretag default recipe", False), ("wiretag train --search (grid chosen by CV on train)", True)):
        start = time.perf_counter()
        recipe = search_recipe(train, Recipe(), None, seed=0)[0] if searched else Recipe()
        tagger, _ = fit_tagger(train, recipe, seed=0)
        fit = time.perf_counter() - start
        head = tagger.heads["label"]
        predicted = [decide(head, p)[0] for p in head.proba(tagger.vectorize(texts))]
        joblib.dump(tagger, workdir / "wiretag.joblib")
        if searched:
            system += f": C={recipe.C:g}, {recipe.loss}, min_df={recipe.min_df}, chars {'on' if recipe.char_ngrams else 'off'}"
        results.append(_row(name, system, truth, predicted, labels, fit,
                            timed_throughput(lambda t: tagger.predict(t, scores=False), texts),
                            size_of(workdir / "wiretag.joblib")))

    start = time.perf_counter()
    plain = make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=1000)).fit(train.texts, train.targets["label"])
    fit = time.perf_counter() - start
    joblib.dump(plain, workdir / "plain.joblib")
    results.append(_row(name, "TF-IDF + LogisticRegression (scikit-learn defaults)", truth, list(plain.predict(texts)),
                        labels, fit, timed_throughput(plain.predict, texts), size_of(workdir / "plain.joblib")))

    rows = [(t, [l]) for t, l in zip(train.texts, train.targets["label"])]
    for label, seconds in (("fastText, default settings", 0), (f"fastText, autotuned {autotune}s on 80/20 of train", autotune),
                           ("fastText, grid chosen by CV on train", None)):
        if label.startswith("fastText, autotuned") and not autotune:
            continue
        start = time.perf_counter()
        if seconds is None:
            settings, _ = fasttext_grid_search(rows, workdir)
            model = train_fasttext(rows, workdir, **settings)
            label += ": " + ", ".join(f"{k}={v:g}" for k, v in settings.items())
        else:
            model = train_fasttext(rows, workdir, autotune_seconds=seconds)
        fit = time.perf_counter() - start
        predicted = [p[0][0] for p in model.predict(texts)]
        model.model.save_model(str(workdir / "ft.bin"))
        results.append(_row(name, label, truth, predicted, labels, fit, timed_throughput(model.predict, texts),
                            size_of(workdir / "ft.bin")))
    return results


def _row(benchmark, system, truth, predicted, labels, fit, per_s, size) -> dict:
    report = multiclass_report(truth, predicted, labels)
    return {"benchmark": benchmark, "system": system, "accuracy": report["accuracy"], "macro_f1": report["macro_f1"],
            "fit_s": fit, "per_s": per_s, "size_mb": size / 1e6}


def themes_vs_fasttext(workdir: Path) -> tuple[list[dict], dict]:
    from classifier.model import decide
    from classifier.persistence import load_model

    tagger, _ = load_model()
    real = load_real_dev()
    head = tagger.heads["labels"]
    ours = [decide(head, p) for p in head.proba(tagger.vectorize(real.texts))]
    corpus = load_labelled([TRAIN])
    rows = [(t, ls or ["none"]) for t, ls in zip(corpus.texts, corpus.targets["labels"])]
    model = train_fasttext(rows, workdir, ova=True)
    theirs = [[l for l, p in preds if l != "none"] for preds in model.predict(real.texts, k=-1, threshold=0.5)]
    truth = real.targets["labels"]
    a = multilabel_report(truth, ours, head.labels)
    b = multilabel_report(truth, theirs, head.labels)
    uniform = uniform_rows(real)
    summary = {
        "wiretag": a, "fasttext": b,
        "wiretag_uniform": multilabel_report([truth[i] for i in uniform], [ours[i] for i in uniform], head.labels),
        "fasttext_uniform": multilabel_report([truth[i] for i in uniform], [theirs[i] for i in uniform], head.labels),
    }
    table = [{"theme": l, "wiretag": a["per_label"][l]["f1"], "fasttext": b["per_label"][l]["f1"],
              "support": a["per_label"][l]["support"]} for l in head.labels]
    return table, summary


def render(topic_rows, theme_table, theme_summary) -> str:
    lines = ["### Topic benchmarks (identical splits)", "",
             "| benchmark | system | accuracy | macro-F1 | fit s | predict texts/s | model MB |", "|---|---|---|---|---|---|---|"]
    lines += [f"| {r['benchmark']} | {r['system']} | {r['accuracy']:.3f} | {r['macro_f1']:.3f} | {r['fit_s']:.1f} | "
              f"{r['per_s']:,.0f} | {r['size_mb']:.1f} |" for r in topic_rows]
    lines += ["", "### Themes: shipped model vs fastText trained on the same corpus split, on real-dev", "",
              "| theme | wiretag F1 | fastText F1 | support |", "|---|---|---|---|"]
    lines += [f"| {r['theme']} | {r['wiretag']:.3f} | {r['fasttext']:.3f} | {r['support']} |" for r in theme_table]
    s = theme_summary
    lines += ["", f"Macro-F1: wiretag {s['wiretag']['macro_f1']:.3f}, fastText {s['fasttext']['macro_f1']:.3f}; "
              f"micro-F1: wiretag {s['wiretag']['micro_f1']:.3f}, fastText {s['fasttext']['micro_f1']:.3f}. "
              f"Uniformly drawn part: macro-F1 wiretag {s['wiretag_uniform']['macro_f1']:.3f}, "
              f"fastText {s['fasttext_uniform']['macro_f1']:.3f}."]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="rewrite the section in BENCHMARKS.md")
    parser.add_argument("--autotune-seconds", type=int, default=60)
    args = parser.parse_args()
    if not SHARED.is_dir():
        sys.exit("../shared is not beside the project: nothing to benchmark on")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        topic_rows = []
        for name, (train_files, test_file) in BENCHMARKS.items():
            topic_rows += topic_benchmark(name, train_files, test_file, workdir, args.autotune_seconds)
        theme_table, theme_summary = themes_vs_fasttext(workdir)
    text = render(topic_rows, theme_table, theme_summary)
    print(text)
    if args.update:
        update_section("Against fastText and plain scikit-learn",
                       f"`python benchmarks/topic_benchmarks.py --update` on {os.cpu_count()} cores.\n\n{text}")


if __name__ == "__main__":
    main()
