"""Assemble the corpus from its writers' batches and cut the fixed test split.

    python -m training.split            # batches/*.jsonl -> themes-train.jsonl, themes-test.jsonl

A story goes wholly to one side (its id's hash decides), so variants of one
story never straddle the split, and the split does not move when stories are
added.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

from training.records import read_records

DATA_DIR = Path(__file__).resolve().parent / "data"
TEST_SHARE = 20  # percent
FIELDS = ("id", "story", "text", "labels", "topic", "register", "country", "hard_negative")


def in_test(story: str) -> bool:
    return int(hashlib.sha256(story.encode("utf-8")).hexdigest(), 16) % 100 < TEST_SHARE


def assemble(batch_dir: Path, out_dir: Path) -> tuple[int, int]:
    rows = [{key: row[key] for key in FIELDS} for path in sorted(batch_dir.glob("*.jsonl")) for row in read_records(path)]
    train = [r for r in rows if not in_test(r["story"])]
    test = [r for r in rows if in_test(r["story"])]
    for name, part in (("themes-train.jsonl", train), ("themes-test.jsonl", test)):
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in part)
        (out_dir / name).write_text(text, encoding="utf-8")
    return len(train), len(test)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=Path, default=DATA_DIR / "batches")
    parser.add_argument("--out", type=Path, default=DATA_DIR)
    args = parser.parse_args()
    n_train, n_test = assemble(args.batches, args.out)
    print(f"train {n_train} rows, test {n_test} rows")


if __name__ == "__main__":
    main()
