"""Where the time of `wiretag predict -i big.jsonl -o out.jsonl` goes, by stage (py-spy).

    python benchmarks/profile_predict.py [--paragraphs 100000] [--update]

Samples the whole process (all threads, 250 samples a second) with py-spy, a
sampling profiler that does not slow Python down the way cProfile does, on
unique real-length paragraphs (`benchmarks/synthetic.py`), `--jobs 1`, and
attributes each sample to the first stage (in the order below) that has a
frame on its stack. py-spy is a benchmark-only dependency (`pip install py-spy`).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.report import update_section  # noqa: E402
from benchmarks.synthetic import write_rows  # noqa: E402

# (stage, substrings of a frame "function (file:line)"), most specific first.
STAGES = [
    ("loading nltk's stemmer (once, for the first word never seen)", ("_french_stemmer",)),
    ("stemming words never seen before (nltk)", ("snowball.py",)),
    ("lexicon features", ("BatchLexicon.",)),
    ("word n-grams, TF-IDF weights, norms", ("BatchWords.",)),
    ("word table lookup", ("TokenTable.",)),
    ("normalise and tokenise (one string per batch)", ("separated_text", "joined_token_bytes")),
    ("scoring (sparse products, sigmoid)", ("head_probabilities",)),
    ("records and their JSON (labels over thresholds, scores)", ("Tagger.records", "Ranking.", "encoded_records")),
    ("read and parse JSONL", ("rows_from_lines", "read_rows")),
    ("queue between reader and tagger", ("queue.py",)),
    ("encode and write JSONL", ("write_jsonl", "jsonl_text", "atomic_output")),
    ("tag_batch bookkeeping", ("tag_batch",)),
    ("loading the model", ("load_model", "load_predictor")),
    ("imports at start-up", ("_find_and_load",)),
]


def stage_of(stack: str) -> str:
    for stage, needles in STAGES:
        if any(needle in stack for needle in needles):
            return stage
    return "other"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paragraphs", type=int, default=100_000)
    parser.add_argument("--update", action="store_true", help="rewrite the section in BENCHMARKS.md")
    args = parser.parse_args()
    if shutil.which("py-spy") is None:
        sys.exit("py-spy is not installed: pip install py-spy")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        write_rows(work / "in.jsonl", args.paragraphs, seed=3)
        raw = work / "samples.txt"
        subprocess.run(["py-spy", "record", "-f", "raw", "-r", "250", "-o", str(raw), "--",
                        "wiretag", "predict", "-i", str(work / "in.jsonl"), "-o", str(work / "out.jsonl"), "--jobs", "1"],
                       check=True, capture_output=True)
        samples: Counter[str] = Counter()
        for line in raw.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if stack:
                samples[stage_of(stack)] += int(count)
    whole = sum(samples.values())
    lines = ["| stage | share of samples |", "|---|---|"]
    lines += [f"| {stage} | {n / whole:.1%} |" for stage, n in samples.most_common()]
    text = (f"`wiretag predict -i in.jsonl -o out.jsonl --jobs 1` on {args.paragraphs:,} unique paragraphs, "
            f"sampled by py-spy ({whole:,} samples, all threads):\n\n" + "\n".join(lines))
    print(text)
    if args.update:
        update_section("Where prediction time goes", f"`python benchmarks/profile_predict.py --update`.\n\n{text}")


if __name__ == "__main__":
    main()
