"""Training time and peak memory as the data grows, in memory and out of core (`--streaming`).

    python benchmarks/train_scale.py [--sizes 10000 100000 1000000] [--streaming-only-above N] [--update]

Rows are unique recombinations of corpus sentences with the union of their
labels (`benchmarks/synthetic.py`): right for timing, not for accuracy. Each
size runs `wiretag train` in a fresh process (the default recipe, 5-fold
cross-validated thresholds included) and `wiretag train --streaming`, and
reports wall time and the peak resident memory of the process. The streaming
accuracy beside the in-memory model's, on the real corpus split, is measured
by `--accuracy`.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.report import update_section  # noqa: E402
from benchmarks.synthetic import write_rows  # noqa: E402

TAXONOMY = ROOT / "training/taxonomy.toml"
PEAK_RSS = "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, " \
           "stderr=subprocess.DEVNULL); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"


def timed_peak(command: list[str]) -> tuple[float, float]:
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", PEAK_RSS, *command], check=True, capture_output=True, text=True)
    return time.perf_counter() - start, int(out.stdout.strip().splitlines()[-1]) / 1024


def accuracy_lines(workdir: Path) -> list[str]:
    """In-memory vs streaming on the corpus split: test-split figures of both."""
    train_file, test_file = ROOT / "training/data/themes-train.jsonl", ROOT / "training/data/themes-test.jsonl"
    lines = []
    for name, extra in (("in memory (default)", []), ("--streaming", ["--streaming"])):
        model = workdir / name.replace(" ", "_")
        subprocess.run(["wiretag", "train", str(train_file), "-o", str(model), "--taxonomy", str(TAXONOMY), "-q", *extra],
                       check=True, capture_output=True)
        report = workdir / "report.json"
        subprocess.run(["wiretag", "evaluate", str(test_file), "-m", str(model), "--json", str(report)],
                       check=True, capture_output=True)
        heads = json.loads(report.read_text())["heads"]
        lines.append(f"| {name} | {heads['labels']['macro_f1']:.3f} | {heads['labels']['micro_f1']:.3f} | "
                     f"{heads['topic']['accuracy']:.3f} |")
    return ["| model | themes macro-F1 | themes micro-F1 | topic accuracy |", "|---|---|---|---|", *lines]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--streaming-only-above", type=int, default=None,
                        help="skip the in-memory trainer above this many rows")
    parser.add_argument("--accuracy", action="store_true", help="also compare streaming and in-memory accuracy")
    parser.add_argument("--update", action="store_true", help="rewrite the section in BENCHMARKS.md")
    args = parser.parse_args()
    rows = ["| rows | in memory: time | in memory: peak MB | --streaming: time | --streaming: peak MB |",
            "|---|---|---|---|---|"]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for size in args.sizes:
            data = work / f"train-{size}.jsonl"
            write_rows(data, size, seed=size, with_labels=True)
            cells = []
            for extra in ([], ["--streaming"]):
                if not extra and args.streaming_only_above and size > args.streaming_only_above:
                    cells += ["not run", "not run"]
                    continue
                command = ["wiretag", "train", str(data), "-o", str(work / "model"), "--force", "-q",
                           "--taxonomy", str(TAXONOMY), *extra]
                seconds, peak = timed_peak(command)
                cells += [f"{seconds:.0f} s", f"{peak:.0f}"]
            rows.append(f"| {size:,} | " + " | ".join(cells) + " |")
            print(rows[-1], flush=True)
            data.unlink()
        text = "\n".join(rows)
        if args.accuracy:
            text += "\n\nStreaming vs in memory on the corpus split (train on themes-train, score themes-test):\n\n"
            text += "\n".join(accuracy_lines(work))
    print(text)
    if args.update:
        command = " ".join(["python benchmarks/train_scale.py", *sys.argv[1:]])
        update_section("Training at scale", f"`{command}` on this machine.\n\n{text}")


if __name__ == "__main__":
    main()
