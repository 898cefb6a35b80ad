"""Keep evaluation text out of the corpus: shared word runs and near neighbours.

    python -m training.contamination ../shared/eval/real-dev.jsonl [more.jsonl ...] [--drop]
        [--batches 'r10*.jsonl' --max-cosine 0.25]

Two checks of every corpus row against every evaluation row: a shared run of
10 words (the project's before-stop hook uses the same test), and a stemmed
TF-IDF cosine similarity of 0.30 or more, which catches paraphrases of one
event as well as copies. Prints ids and scores only, never evaluation text.
With --drop, the flagged rows are removed from training/data/batches/ (run
`python -m training.split` afterwards). `--batches` and `--max-cosine` hold
a round whose brief was steered by evaluation error kinds to a stricter
similarity limit.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
RUN_WORDS = 10
MAX_COSINE = 0.30


def word_runs(text: str, n: int = RUN_WORDS) -> set[str]:
    words = re.findall(r"\w+", text.lower())
    return {" ".join(words[i : i + n]) for i in range(max(0, len(words) - n + 1))}


def flagged_rows(
    corpus: list[dict], held_out: list[str], max_cosine: float = MAX_COSINE, checked: set[str] | None = None
) -> dict[str, str]:
    """Corpus ids (of `checked`, default all) that share a 10-word run with, or sit too close to, an evaluation text.

    The TF-IDF weights are fitted on the whole corpus either way, so a row's
    similarity does not depend on which rows are checked.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    from classifier.text import WordAnalyzer

    rows = [r for r in corpus if checked is None or r["id"] in checked]
    runs = set().union(*(word_runs(t) for t in held_out))
    flagged = {r["id"]: "shares a 10-word run" for r in rows if word_runs(r["text"]) & runs}
    vectorizer = TfidfVectorizer(analyzer=WordAnalyzer((1, 1)), sublinear_tf=True)
    vectorizer.fit([r["text"] for r in corpus] + held_out)
    similarity = vectorizer.transform([r["text"] for r in rows]) @ vectorizer.transform(held_out).T
    best = similarity.max(axis=1).toarray().ravel()
    for row, score in zip(rows, best):
        if score >= max_cosine:
            flagged.setdefault(row["id"], f"cosine {score:.3f} to an evaluation text")
    return flagged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("held_out", nargs="+", type=Path, help="evaluation JSONL files (rows with 'text')")
    parser.add_argument("--drop", action="store_true", help="remove the flagged rows from the batches")
    parser.add_argument("--batches", default="*.jsonl", help="which batch files to check (a glob in training/data/batches)")
    parser.add_argument("--max-cosine", type=float, default=MAX_COSINE, help="similarity at which a row is flagged")
    args = parser.parse_args()
    held_out = [json.loads(line)["text"] for path in args.held_out for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    batches = sorted(path for path in (DATA / "batches").glob(args.batches) if path.suffix == ".jsonl")
    if not batches:
        parser.error(f"no batch file in {DATA / 'batches'} matches {args.batches!r}")
    # Every batch is read and parsed once: all of them weigh the TF-IDF, `batches` are checked.
    lines = {
        path: [(line, json.loads(line)) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        for path in sorted((DATA / "batches").glob("*.jsonl"))
    }
    corpus = [row for parsed in lines.values() for _, row in parsed]
    checked = {row["id"] for path in batches for _, row in lines[path]}
    flagged = flagged_rows(corpus, held_out, args.max_cosine, checked)
    for row_id, reason in sorted(flagged.items()):
        print(f"{row_id}: {reason}")
    print(f"{len(flagged)} of {len(checked)} corpus rows flagged")
    if args.drop and flagged:
        for path in batches:
            kept = [line for line, row in lines[path] if row["id"] not in flagged]
            path.write_text("".join(line + "\n" for line in kept), encoding="utf-8")
    raise SystemExit(1 if flagged and not args.drop else 0)


if __name__ == "__main__":
    main()
