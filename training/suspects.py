"""Labels that the model's out-of-fold scores contradict: candidates for a review pass.

    python -m training.suspects training/data/themes-train.jsonl training/data/themes-test.jsonl \
        --taxonomy training/taxonomy.toml -o suspects.jsonl [--head labels|topic] [--low 0.02] [--high 0.98]

Every row is scored by a model that never saw its story (the same grouped
cross-validation that tunes the thresholds). A theme a row carries but scores
under `--low`, or one it lacks but scores over `--high`, is listed with its
score. With `--head topic` (or any one-label field), a row is listed when its
labelled topic scores under `--low` while another scores over `--high`. The
listing is for people to review against the taxonomy's rules; a score is no
verdict, and the rows are not changed here.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from classifier.errors import WiretagError
from classifier.output import atomic_output, write_jsonl
from training.data import LabelledData, load_labelled
from training.taxonomy import load_taxonomy
from training.train import Recipe, cross_validated_probabilities, encode_targets


def suspect_labels(
    data: LabelledData,
    lexicon: dict[str, list[str]] | None,
    *,
    head: str = "labels",
    low: float = 0.02,
    high: float = 0.98,
    recipe: Recipe | None = None,
    seed: int = 0,
) -> list[dict[str, Any]]:
    """Labels of `head` that the out-of-fold score contradicts, most contradicted first."""
    heads = encode_targets(data)
    if head not in heads:
        raise WiretagError(f"needs rows with a '{head}' field to list its suspects", field=head)
    labels, target = heads[head]
    scores = cross_validated_probabilities(data, {head: (labels, target)}, recipe or Recipe(), lexicon, seed)[head]
    ids = data.columns.get("id") or [None] * len(data)
    names = [ids[i] if ids[i] is not None else "{}:{}".format(*data.locations[i]) for i in range(len(data))]
    if target.ndim == 1:
        return _suspect_classes(names, head, labels, target, scores, low, high)
    carried = target.astype(bool)
    flagged = (carried & (scores < low)) | (~carried & (scores > high))
    found = [
        {"id": names[i], "theme": labels[j], "labelled": bool(carried[i, j]), "score": round(float(scores[i, j]), 4)}
        for i, j in zip(*np.nonzero(flagged))
    ]
    return sorted(found, key=lambda s: s["score"] if s["labelled"] else 1.0 - s["score"])


def _suspect_classes(names: list[str], head: str, labels: list[str], target: np.ndarray, scores: np.ndarray,
                     low: float, high: float) -> list[dict[str, Any]]:
    """Rows of a one-label head whose own label scores under `low` while another scores over `high`."""
    given = scores[np.arange(len(target)), target]
    best = scores.argmax(axis=1)
    flagged = np.nonzero((given < low) & (scores.max(axis=1) > high) & (best != target))[0]
    found = [
        {"id": names[i], "head": head, "labelled": labels[target[i]], "labelled_score": round(float(given[i]), 4),
         "suggested": labels[best[i]], "score": round(float(scores[i, best[i]]), 4)}
        for i in flagged
    ]
    return sorted(found, key=lambda s: s["labelled_score"])


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path, help="labelled JSONL files with a `labels` field (or the --head field)")
    parser.add_argument("--taxonomy", type=Path, default=None, help="label set whose lexicon the model uses")
    parser.add_argument("-o", "--output", type=Path, required=True, help="JSONL of suspects: id, theme, labelled, score (one-label heads: id, head, labelled, suggested, scores)")
    parser.add_argument("--head", default="labels", help="the label field to check: labels (themes) or a one-label field such as topic")
    parser.add_argument("--low", type=float, default=0.02, help="a carried label scoring under this is listed")
    parser.add_argument("--high", type=float, default=0.98, help="a missing label scoring over this is listed")
    args = parser.parse_args(argv)
    try:
        taxonomy = load_taxonomy(args.taxonomy) if args.taxonomy else None
        data = load_labelled(args.files, taxonomy=taxonomy, keep=("id",))
        found = suspect_labels(data, taxonomy.lexicon() if taxonomy else None, head=args.head, low=args.low, high=args.high)
        with atomic_output(args.output) as handle:
            write_jsonl(found, handle)
    except WiretagError as error:
        print(f"training.suspects: error: {error}", file=sys.stderr)
        raise SystemExit(error.exit_code) from None
    rows = len({s["id"] for s in found})
    print(f"{len(found)} suspect labels in {rows} of {len(data)} rows -> {args.output}")


if __name__ == "__main__":
    main()
