"""The shipped model on ../shared/eval/real-dev.jsonl: per theme, whole set and by how rows were drawn.

    python benchmarks/real_dev.py [--update]

Prints the markdown table that README.md and BENCHMARKS.md carry, from
`training.evaluate.evaluate` (the same code as `wiretag evaluate --by drawn`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.paths import REAL_DEV  # noqa: E402
from benchmarks.report import update_section  # noqa: E402
from training.evaluate import evaluate  # noqa: E402


def render(report: dict) -> str:
    whole = report["heads"]["labels"]
    groups = report["by"]["groups"]
    order = ["uniform", "keyword search", "keyword-free"]
    header = "| theme | precision | recall | F1 (all 647) | " + " | ".join(f"F1 ({g}, {groups[g]['labels']['rows']})" for g in order) + " | support |"
    lines = [header, "|" + "---|" * (5 + len(order))]
    for label, s in whole["per_label"].items():
        cells = [f"{groups[g]['labels']['per_label'][label]['f1']:.3f}" if groups[g]["labels"]["per_label"][label]["support"] else "–"
                 for g in order]
        lines.append(f"| {label} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} | " + " | ".join(cells) + f" | {s['support']} |")
    lines.append("| **macro-F1** | | | **{:.3f}** | ".format(whole["macro_f1"]) + " | ".join(
        f"{groups[g]['labels']['macro_f1']:.3f}" for g in order) + " | |")
    lines.append("| **micro-F1** | | | **{:.3f}** | ".format(whole["micro_f1"]) + " | ".join(
        f"{groups[g]['labels']['micro_f1']:.3f}" for g in order) + " | |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="rewrite the section in BENCHMARKS.md")
    args = parser.parse_args()
    if not REAL_DEV.exists():
        sys.exit("../shared/eval/real-dev.jsonl is not here")
    table = render(evaluate([REAL_DEV], by="drawn"))
    print(table)
    if args.update:
        update_section("Shipped model on real-dev", "`python benchmarks/real_dev.py --update` (same as "
                       "`wiretag evaluate ../shared/eval/real-dev.jsonl --by drawn`).\n\n" + table)


if __name__ == "__main__":
    main()
