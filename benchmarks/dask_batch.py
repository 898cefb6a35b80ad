"""`wiretag batch` on a Dask LocalCluster: 1 worker vs 2 on this machine, same files.

    python benchmarks/dask_batch.py [--files 8] [--paragraphs 25000] [--update]

Each input file is one task; the model is scattered to the workers once.
Needs `pip install 'wiretag[dask]'`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.report import update_section  # noqa: E402
from benchmarks.synthetic import write_rows  # noqa: E402
from benchmarks.timing import best_seconds  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--paragraphs", type=int, default=25_000, help="per file")
    parser.add_argument("--update", action="store_true", help="rewrite the section in BENCHMARKS.md")
    args = parser.parse_args()
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        inputs = work / "in"
        inputs.mkdir()
        for i in range(args.files):
            write_rows(inputs / f"part-{i:03d}.jsonl", args.paragraphs, seed=100 + i)
        total = args.files * args.paragraphs
        times = {}
        for workers in (1, 2):
            command = ["wiretag", "batch", str(inputs), "-d", str(work / f"out{workers}"), "--workers", str(workers)]
            times[workers] = best_seconds(lambda: subprocess.run(command, check=True, capture_output=True), 1)
            lines.append(f"- {workers} worker(s): {times[workers]:.1f} s for {args.files} files, {total:,} paragraphs "
                         f"({total / times[workers]:,.0f}/s, cluster start-up included)")
        lines.append(f"- speed-up with 2 workers: {times[1] / times[2]:.2f}x")
    text = "\n".join(lines)
    print(text)
    if args.update:
        update_section("Dask: tagging many files", f"`python benchmarks/dask_batch.py --update` on this machine "
                       f"({os.cpu_count()} cores).\n\n{text}\n\nOn more machines: start `dask scheduler` on one, `dask worker "
                       "tcp://HOST:8786` on each, and run `wiretag batch 'news/*.jsonl' -d tagged --scheduler "
                       "tcp://HOST:8786`; every file is a task, so the work spreads over as many workers as there are "
                       "files. Inputs and outputs must be on storage every worker sees.")


if __name__ == "__main__":
    main()
