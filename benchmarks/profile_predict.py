"""Where prediction time goes, by stage, for real-length paragraphs (cProfile).

    python benchmarks/profile_predict.py [--paragraphs 20000] [--update]

Runs the CLI's path (read JSONL -> predict_rows -> write JSONL) in one process
on corpus paragraphs, with the stem cache warm as in a long-running feed, and
groups the profiler's own time per function into stages.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.report import update_section  # noqa: E402
from classifier.output import write_jsonl  # noqa: E402
from classifier.persistence import load_model  # noqa: E402
from classifier.predict import predict_rows  # noqa: E402
from classifier.records import Source, read_rows  # noqa: E402

# (stage, substrings of "file:function" that belong to it), first match wins.
STAGES = [
    ("read and parse JSONL", ("classifier/records.py", "json/decoder", "json/__init__.py:loads", "_json")),
    ("write JSONL", ("classifier/output.py", "json/encoder", "json/__init__.py:dumps")),
    ("stemming (nltk)", ("snowball.py",)),
    ("vocabulary lookup (scikit-learn)", ("feature_extraction/text.py",)),
    ("normalise and tokenise", ("classifier/text.py:normalize", "classifier/text.py:fold_accents",
                                "classifier/text.py:tokenize", "re.Pattern", "unicodedata", "translate")),
    ("word n-grams", ("classifier/text.py",)),
    ("lexicon matching", ("classifier/features.py",)),
    ("sparse algebra and scoring", ("scipy", "numpy", "estimators.py", "sklearn/")),
    ("records", ("model.py", "predict.py")),
]


def stage_of(key: tuple[str, int, str]) -> str:
    filename, _, function = key
    label = f"{filename}:{function}"
    for stage, needles in STAGES:
        if any(n in label for n in needles):
            return stage
    return "other (builtins called from every stage, threads, queue)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paragraphs", type=int, default=20_000)
    parser.add_argument("--update", action="store_true", help="rewrite the section in BENCHMARKS.md")
    args = parser.parse_args()
    texts = [json.loads(line)["text"] for line in (ROOT / "training/data/themes-train.jsonl").read_text(encoding="utf-8").splitlines()]
    rng = random.Random(0)
    tagger, _ = load_model()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "in.jsonl"
        path.write_text("".join(json.dumps({"id": i, "text": rng.choice(texts)}, ensure_ascii=False) + "\n"
                                for i in range(args.paragraphs)), encoding="utf-8")
        tagger.predict(texts)  # a running feed has its stem cache warm
        profiler = cProfile.Profile()
        profiler.enable()
        with open(Path(tmp) / "out.jsonl", "w", encoding="utf-8") as out:
            write_jsonl(predict_rows(read_rows(Source(str(path))), tagger), out)
        profiler.disable()
    stats = pstats.Stats(profiler, stream=io.StringIO())
    totals: dict[str, float] = {}
    for key, (_, _, tottime, _, _) in stats.stats.items():
        totals[stage_of(key)] = totals.get(stage_of(key), 0.0) + tottime
    whole = sum(totals.values())
    lines = ["| stage | share of time |", "|---|---|"]
    lines += [f"| {stage} | {t / whole:.0%} |" for stage, t in sorted(totals.items(), key=lambda kv: -kv[1])]
    text = (f"{args.paragraphs:,} corpus paragraphs, one process, under cProfile (which slows Python code more "
            f"than C code, so shares are indicative): {whole:.1f} s profiled.\n\n" + "\n".join(lines))
    print(text)
    if args.update:
        update_section("Where prediction time goes", f"`python benchmarks/profile_predict.py --update`.\n\n{text}")


if __name__ == "__main__":
    main()
