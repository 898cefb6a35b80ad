"""The shipped model's topic head on MasakhaNEWS fra, never trained on it, and how far the benchmark is from topics.md.

    python benchmarks/topic_head_masakhanews.py [--update]

1. The test split (whole articles), its sections mapped to desks
   (`SECTION_DESKS`): accuracy, macro-F1 and the confusion matrix.
2. A reading of the 461 *training* articles (train-50-per-label + dev; test is
   never read): readers gave each article the desk that
   topics.md's rules give it (`READING`: file, line, section, desk, whether
   the reader was sure; no text; business and technology read in session 6,
   the rest in session 11). Scored by the same mapping, the readers set
   the level a model that follows topics.md can expect, and the head is
   compared with them article by article. Needs ../shared.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.report import update_section  # noqa: E402
from training.metrics import multiclass_report  # noqa: E402
from training.records import read_records  # noqa: E402

MASAKHANEWS = ROOT.parent / "shared/benchmarks/masakhanews-fra"
READING = ROOT / "benchmarks/data/masakhanews-train-topics.jsonl"
SECTION_DESKS = {"business": ("economy",), "health": ("health",), "politics": ("politics", "security"),
                 "sports": ("sport",), "technology": ("science_tech",)}
TITLE = "Shipped topic head on MasakhaNEWS fra (never trained on it)"


def mapped(section: str, desk: str) -> bool:
    return desk in SECTION_DESKS[section]


def head_topics(tagger, texts: list[str]) -> list[str]:
    return [record["topic"] for record in tagger.predict(texts, scores=False)]


def on_test_split(tagger) -> dict:
    """The head on test.jsonl; a politics article counts as right on either of its two desks."""
    rows = read_records(MASAKHANEWS / "test.jsonl")
    predicted = head_topics(tagger, [row["text"] for row in rows])
    truth = [guess if mapped(row["label"], guess) else SECTION_DESKS[row["label"]][0] for row, guess in zip(rows, predicted)]
    return multiclass_report(truth, predicted, sorted(set(truth) | set(predicted)))


def against_reading(tagger) -> dict:
    """Readers' desks and the head's on the training articles, each scored by the mapping and against the other."""
    notes = read_records(READING)
    files = {name: read_records(MASAKHANEWS / f"{name}.jsonl") for name in {note["file"] for note in notes}}
    predicted = head_topics(tagger, [files[note["file"]][note["line"] - 1]["text"] for note in notes])
    sure = [i for i, note in enumerate(notes) if note["confident"]]
    sections = sorted({note["label"] for note in notes})
    return {
        "articles": len(notes),
        "sure": len(sure),
        "per_section": {s: (sum(mapped(s, n["topic"]) for n in notes if n["label"] == s),
                            sum(n["label"] == s for n in notes)) for s in sections},
        "reader_mapped": sum(mapped(n["label"], n["topic"]) for n in notes),
        "reader_mapped_sure": sum(mapped(notes[i]["label"], notes[i]["topic"]) for i in sure),
        "head_mapped": sum(mapped(n["label"], p) for n, p in zip(notes, predicted)),
        "agreement": sum(p == n["topic"] for n, p in zip(notes, predicted)),
        "agreement_sure": sum(predicted[i] == notes[i]["topic"] for i in sure),
        "reader_desks": Counter(n["topic"] for n in notes if not mapped(n["label"], n["topic"])).most_common(4),
    }


def render(test: dict, reading: dict) -> str:
    labels = test["confusion"]["labels"]
    lines = ["`python benchmarks/topic_head_masakhanews.py --update`. Mapping: business→economy, health→health, "
             "politics→politics or security, sports→sport, technology→science_tech.", "",
             f"Test split (whole articles): accuracy **{test['accuracy']:.3f}**, macro-F1 {test['macro_f1']:.3f} "
             f"({test['rows']} articles).", "", "Confusion (rows: expected, columns: predicted):", "",
             "| | " + " | ".join(labels) + " |", "|---|" + "---|" * len(labels)]
    lines += [f"| {label} | " + " | ".join(str(v) for v in row) + " |" for label, row in zip(labels, test["confusion"]["matrix"])]
    r, n = reading, reading["articles"]
    lines += ["", "### How far the benchmark's sections are from topics.md", "",
              f"Readers gave each of the {n} *training* articles (train-50-per-label + dev; "
              "`benchmarks/data/masakhanews-train-topics.jsonl`, ids and desks only) the desk topics.md's rules give "
              "it, reading the whole article: the business and technology articles in session 6, the others in "
              "session 11 by five readers who saw the text alone, never the section. How many of each section "
              "land on its mapped desk:", "",
              "| section | on the mapped desk by topics.md | articles |", "|---|---|---|"]
    lines += [f"| {s} | {k} | {total} |" for s, (k, total) in r["per_section"].items()]
    others = ", ".join(f"{desk} {count}" for desk, count in r["reader_desks"])
    lines += ["", f"- A reader following topics.md scores **{r['reader_mapped'] / n:.3f}** by the mapping "
              f"({r['reader_mapped']} of {n}); {r['reader_mapped_sure'] / r['sure']:.3f} on the {r['sure']} articles "
              f"the reader was sure of. The other desks readers chose most: {others}.",
              f"- The shipped topic head scores {r['head_mapped'] / n:.3f} by the mapping on the same articles "
              f"({r['head_mapped']} of {n}) and agrees with the readers on {r['agreement'] / n:.3f} "
              f"({r['agreement_sure']} of the {r['sure']} sure ones)."]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="rewrite the section in BENCHMARKS.md")
    args = parser.parse_args()
    if not MASAKHANEWS.is_dir():
        sys.exit("../shared is not beside the project: nothing to benchmark on")
    from classifier.persistence import load_model

    tagger, _ = load_model()
    text = render(on_test_split(tagger), against_reading(tagger))
    print(text)
    if args.update:
        update_section(TITLE, text)


if __name__ == "__main__":
    main()
