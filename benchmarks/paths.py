"""The data files the benchmarks read: the corpus split, and real-dev in ../shared when it is there."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRAIN = ROOT / "training/data/themes-train.jsonl"
TEST = ROOT / "training/data/themes-test.jsonl"
REAL_DEV = ROOT.parent / "shared/eval/real-dev.jsonl"
