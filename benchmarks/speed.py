"""Whole-process speed and memory of `wiretag predict`, next to fastText, in one run.

    python benchmarks/speed.py [--paragraphs 200000] [--update]

- start-up: `python -c pass` vs `wiretag --help`; `wiretag predict "one paragraph"`, with
  and without a word the training data never had (which loads the stemmer);
- throughput: `wiretag predict -i big.jsonl -o out.jsonl` (--jobs 1 and the
  default) vs a fastText script doing the same JSONL in and out (fastText's
  multi-label recipe trained on the same corpus split; labels over 0.5);
- memory: peak resident set of `wiretag predict --jobs 1` on 50,000 and
  500,000 paragraphs (streaming means it should not grow).
Paragraphs are unique recombinations of corpus sentences (real length, about
380 characters; `benchmarks/synthetic.py`), so no cache sees a paragraph twice. fastText (`fasttext-wheel`) is a benchmark-only dependency.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.report import update_section  # noqa: E402
from benchmarks.synthetic import CORPUS, write_rows  # noqa: E402
from benchmarks.timing import best_seconds  # noqa: E402

FASTTEXT_PREDICT = r"""
import json, sys, fasttext
model = fasttext.load_model(sys.argv[1])
with open(sys.argv[2], encoding="utf-8") as src, open(sys.argv[3], "w", encoding="utf-8") as out:
    batch = []
    def flush():
        texts = [" ".join(r.get("text", "").split()) for r in batch]
        labels, probs = model.f.multilinePredict(texts, -1, 0.5, "strict")
        for row, ls in zip(batch, labels):
            out.write(json.dumps({"id": row.get("id"), "labels": [l[9:] for l in ls if l != "__label__none"]},
                                 ensure_ascii=False) + "\n")
        batch.clear()
    for line in src:
        batch.append(json.loads(line))
        if len(batch) == 1024:
            flush()
    flush()
"""
PEAK_RSS = "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True); " \
           "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"


def seconds(command: list[str], repeats: int = 1) -> float:
    return best_seconds(
        lambda: subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL), repeats
    )


def peak_mb(command: list[str]) -> float:
    out = subprocess.run([sys.executable, "-c", PEAK_RSS, *command], check=True, capture_output=True, text=True)
    return int(out.stdout.strip().splitlines()[-1]) / 1024


def train_fasttext(workdir: Path) -> Path:
    import fasttext

    rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    train = workdir / "ft.txt"
    train.write_text("".join(" ".join(f"__label__{l}" for l in (r["labels"] or ["none"])) + " "
                             + " ".join(r["text"].split()) + "\n" for r in rows), encoding="utf-8")
    model = fasttext.train_supervised(str(train), loss="ova", epoch=25, lr=0.5, wordNgrams=2, verbose=0, seed=0)
    path = workdir / "ft.bin"
    model.save_model(str(path))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paragraphs", type=int, default=200_000)
    parser.add_argument("--update", action="store_true", help="rewrite the section in BENCHMARKS.md")
    args = parser.parse_args()
    wiretag = shutil.which("wiretag")
    if wiretag is None:
        sys.exit("wiretag is not installed")
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        big = work / "big.jsonl"
        write_rows(big, args.paragraphs)
        bare = seconds([sys.executable, "-c", "pass"], 5)
        help_s = seconds([wiretag, "--help"], 5)
        one = seconds([wiretag, "predict", "Des migrants ont été secourus au large de Lampedusa."], 3)
        unseen = seconds([wiretag, "predict", "Des migrants ont été secourus au large de Zorblaxville."], 3)
        lines.append(f"- start-up: `python -c pass` {bare * 1000:.0f} ms, `wiretag --help` {help_s * 1000:.0f} ms "
                     f"(+{(help_s - bare) * 1000:.0f} ms); `wiretag predict \"one paragraph\"` {one:.2f} s when "
                     f"every word was in the training data (numpy, scipy and `predictor.npz`), {unseen:.2f} s with a "
                     "word never seen (nltk's stemmer loads, and scikit-learn with it)")
        w1 = seconds([wiretag, "predict", "-i", str(big), "-o", str(work / "w1.jsonl"), "--jobs", "1"], 3)
        wd = seconds([wiretag, "predict", "-i", str(big), "-o", str(work / "wd.jsonl")], 3)
        model = train_fasttext(work)
        script = work / "ft_predict.py"
        script.write_text(FASTTEXT_PREDICT, encoding="utf-8")
        ft = seconds([sys.executable, str(script), str(model), str(big), str(work / "ft.jsonl")], 3)
        n = args.paragraphs
        lines.append(f"- whole process, {n:,} paragraphs, JSONL in and out: wiretag `--jobs 1` {w1:.1f} s "
                     f"({n / w1:,.0f}/s), wiretag default jobs {wd:.1f} s ({n / wd:,.0f}/s), fastText {ft:.1f} s "
                     f"({n / ft:,.0f}/s); ratio fastText time / wiretag time = {ft / wd:.2f} (goal >= 1.0)")
        small, large = work / "m50k.jsonl", work / "m500k.jsonl"
        write_rows(small, 50_000, seed=1)
        write_rows(large, 500_000, seed=2)
        m_small = peak_mb([wiretag, "predict", "-i", str(small), "-o", str(work / "o1.jsonl"), "--jobs", "1"])
        m_large = peak_mb([wiretag, "predict", "-i", str(large), "-o", str(work / "o2.jsonl"), "--jobs", "1"])
        lines.append(f"- peak memory, `--jobs 1`: {m_small:.0f} MB for 50,000 paragraphs, {m_large:.0f} MB for "
                     f"500,000 ({(m_large / m_small - 1):+.1%}; goal within 10%, both <= 300 MB)")
    text = "\n".join(lines)
    print(text)
    if args.update:
        update_section("Speed and memory", f"`python benchmarks/speed.py --update` on this machine.\n\n{text}")


if __name__ == "__main__":
    main()
