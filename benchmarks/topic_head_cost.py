"""What the topic head costs: predict throughput of the shipped model with and without it.

    python benchmarks/topic_head_cost.py [--update]

Both heads read one vectorisation of each paragraph, so the topic head should
add only its sparse product and the record fields (goal: at most 15% slower).
Single process, best of five runs over 5,000 corpus paragraphs.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.report import update_section  # noqa: E402
from benchmarks.timing import best_seconds  # noqa: E402
from classifier.model import Tagger  # noqa: E402
from classifier.persistence import load_model  # noqa: E402


def best_rate(tagger: Tagger, texts: list[str], repeats: int = 5) -> float:
    def run() -> None:
        for i in range(0, len(texts), 1024):  # the CLI's batch size
            tagger.predict(texts[i : i + 1024])

    return len(texts) / best_seconds(run, repeats, warm_up=lambda: tagger.predict(texts[:200]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="rewrite the section in BENCHMARKS.md")
    args = parser.parse_args()
    both, _ = load_model()
    themes_only = Tagger(both.features, {"labels": both.heads["labels"]})
    lines = (ROOT / "training/data/themes-test.jsonl").read_text(encoding="utf-8").splitlines()
    texts = [json.loads(line)["text"] for line in lines][:5000]
    with_topic, without = best_rate(both, texts), best_rate(themes_only, texts)
    cost = 1 - with_topic / without
    text = (f"themes only: {without:,.0f} paragraphs/s; themes + topic: {with_topic:,.0f} paragraphs/s; "
            f"the topic head costs {cost:.1%} of throughput (goal: at most 15%).")
    print(text)
    if args.update:
        update_section("Cost of the topic head", f"`python benchmarks/topic_head_cost.py --update`, {len(texts)} corpus "
                       f"paragraphs, one process.\n\n{text}")


if __name__ == "__main__":
    main()
