"""Unique, real-length paragraphs made by recombining corpus sentences.

Drawing whole corpus paragraphs with replacement would repeat each one many
times in a 200,000-line file, and every cache on the way (stems, words seen)
would make the measure kinder than a real feed. Recombining sentences of the
training split gives paragraphs of the corpus's length and vocabulary that
are (nearly) all distinct. Labels are the union of the source paragraphs'
labels, which is right for timing training, not for judging accuracy.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "training/data/themes-train.jsonl"
_SENTENCE_END = re.compile(r"(?<=[.!?»])\s+(?=[A-ZÀ-Ý«])")


def corpus_sentences(path: Path = CORPUS) -> list[tuple[str, list[str], str]]:
    """(sentence, labels, topic) for every sentence of the corpus split."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        for sentence in _SENTENCE_END.split(row["text"].strip()):
            if len(sentence) > 20:
                out.append((sentence, row["labels"], row["topic"]))
    return out


def recombined_rows(count: int, seed: int = 0, path: Path = CORPUS) -> Iterator[dict]:
    """`count` rows {"id", "text", "labels", "topic"} of two to four corpus sentences each."""
    sentences = corpus_sentences(path)
    rng = random.Random(seed)
    for i in range(count):
        parts = [rng.choice(sentences) for _ in range(rng.randint(2, 4))]
        labels = sorted({label for _, labels, _ in parts for label in labels})
        yield {"id": i, "text": " ".join(s for s, _, _ in parts), "labels": labels, "topic": parts[0][2]}


def write_rows(path: Path, count: int, seed: int = 0, *, with_labels: bool = False) -> None:
    """A JSONL file of recombined rows (ids and texts only unless `with_labels`)."""
    with open(path, "w", encoding="utf-8") as out:
        for row in recombined_rows(count, seed):
            if not with_labels:
                row = {"id": row["id"], "text": row["text"]}
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
