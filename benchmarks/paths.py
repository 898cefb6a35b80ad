"""The data the benchmarks read: the corpus split, and real-dev in ../shared when it is there."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRAIN = ROOT / "training/data/themes-train.jsonl"
TEST = ROOT / "training/data/themes-test.jsonl"
REAL_DEV = ROOT.parent / "shared/eval/real-dev.jsonl"


def load_real_dev():
    """real-dev's rows with how each was drawn (`drawn`), or None when ../shared is absent."""
    from training.data import load_labelled

    return load_labelled([REAL_DEV], keep=["drawn"], for_training=False) if REAL_DEV.exists() else None


def uniform_rows(real) -> list[int]:
    """Indices of real-dev's uniformly drawn rows: a natural feed's mix, reported beside the whole set."""
    return [i for i, drawn in enumerate(real.columns["drawn"]) if drawn == "uniform"]
