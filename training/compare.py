"""Two models side by side, a report against its baseline, and what to label next.

`compare_models` scores an old and a new model on the same labelled data and
lists what changed; `regressions` checks a fresh evaluation report against a
baseline (a saved report, or a model scored on the same data); `most_uncertain`
picks the paragraphs closest to a decision boundary, where a label helps most.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from classifier.errors import WiretagError
from classifier.model import MULTILABEL, TOPIC_HEAD, Tagger
from classifier.records import Row, text_of
from training.data import LabelledData, load_labelled
from training.evaluate import predict_heads, score_data

HEADLINE = ("macro_f1", "micro_f1", "accuracy")


def compare_models(
    old_dir: str | Path, new_dir: str | Path, paths: Sequence[str | Path], *, tolerance: float = 0.02
) -> dict[str, Any]:
    """Per head and label: both models' P/R/F1 and the change; flags; changed paragraphs."""
    from classifier.persistence import load_model

    old, _ = load_model(old_dir)
    new, _ = load_model(new_dir)
    data = load_labelled(paths, for_training=False)
    old_predicted, new_predicted = predict_heads(old, data.texts), predict_heads(new, data.texts)
    old_scores = score_data(old, data, old_predicted)["heads"]
    new_scores = score_data(new, data, new_predicted)["heads"]
    heads = {}
    for name in sorted(set(old_scores) | set(new_scores)):
        before, after = old_scores.get(name), new_scores.get(name)
        if before is None or after is None:
            heads[name] = {"status": "added" if before is None else "removed"}
            continue
        labels = list(dict.fromkeys([*before["per_label"], *after["per_label"]]))
        rows = {}
        for label in labels:
            b, a = before["per_label"].get(label), after["per_label"].get(label)
            if b is None or a is None:
                rows[label] = {"status": "added" if b is None else "removed", "old": b, "new": a}
                continue
            delta = {k: round(a[k] - b[k], 4) for k in ("precision", "recall", "f1")}
            rows[label] = {"old": b, "new": a, "delta": delta, "worse": delta["f1"] < -tolerance}
        overall = {k: {"old": before[k], "new": after[k], "delta": round(after[k] - before[k], 4)}
                   for k in HEADLINE if k in before and k in after}
        heads[name] = {"labels": rows, "overall": overall,
                       "worse": [l for l, r in rows.items() if r.get("worse")]}
    return {
        "old": str(old_dir), "new": str(new_dir), "tolerance": tolerance, "rows": len(data),
        "heads": heads, "changed": changed_paragraphs(old_predicted, new_predicted, data),
    }


def changed_paragraphs(
    old: dict[str, list[list[str]]], new: dict[str, list[list[str]]], data: LabelledData, limit: int = 1000
) -> list[dict[str, Any]]:
    """Paragraphs whose predicted labels (any head) differ between the two models' predictions."""
    changed = []
    for i in range(len(data.texts)):
        before = {head: labels[i] for head, labels in old.items()}
        after = {head: labels[i] for head, labels in new.items()}
        if before != after:
            path, line = data.locations[i]
            truth = {head: values[i] for head, values in data.targets.items()}
            changed.append({"where": f"{path}:{line}", "text": data.texts[i][:160], "old": before, "new": after, "truth": truth})
    return changed[:limit]


def regressions(report: dict[str, Any], baseline: dict[str, Any], max_drop: float) -> list[dict[str, Any]]:
    """Headline metrics and per-label F1 that fell more than `max_drop` below the baseline."""
    failures = []
    for name, head in report["heads"].items():
        base = baseline["heads"].get(name)
        if base is None:
            continue
        pairs = [(k, head[k], base[k]) for k in HEADLINE if k in head and k in base]
        pairs += [(f"f1:{label}", s["f1"], base["per_label"][label]["f1"])
                  for label, s in head["per_label"].items() if label in base["per_label"]]
        for metric, value, before in pairs:
            if value < before - max_drop:
                qualified = metric if name in ("labels", "label") else f"{name}.{metric}"
                failures.append({"metric": qualified, "value": round(value, 4), "baseline": round(before, 4),
                                 "required": round(before - max_drop, 4)})
    return failures


def baseline_report(path: str | Path, data_paths: Sequence[str | Path], by: str | None = None) -> dict[str, Any]:
    """A baseline: a saved `evaluate --json` report, or a model directory scored on the same data."""
    path = Path(path)
    if path.is_dir():
        from training.evaluate import evaluate

        return evaluate(data_paths, path, by=by)
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise WiretagError("no such baseline report or model directory", path=path) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise WiretagError(f"baseline is not a JSON report ({exc})", path=path) from None
    if not isinstance(report, dict) or "heads" not in report:
        raise WiretagError("baseline is not an `evaluate --json` report (no 'heads')", path=path)
    return report


def most_uncertain(model: Tagger, rows: Iterable[Row], n: int, batch_size: int = 2048) -> list[dict[str, Any]]:
    """The n paragraphs nearest a decision boundary, most uncertain first, ready to label.

    Distance is measured in logits: for a multi-label head, from each label's
    probability to its threshold (the closest label counts); for a one-label
    head, between its two best classes.
    """
    primary = model.primary or model.heads[TOPIC_HEAD]
    heap: list[tuple[float, int, dict[str, Any]]] = []
    batch: list[tuple[Row, str]] = []

    def flush() -> None:
        if not batch:
            return
        X = model.vectorize([text for _, text in batch])
        proba = primary.proba(X)
        predictions = model.records(X, scores=False)
        for (row, text), p, predicted in zip(batch, proba, predictions):
            margin, about = _margin(primary, p)
            item = {"id": row.id, "text": text, **predicted, "uncertain_about": about, "margin": round(margin, 4)}
            entry = (-margin, row.line, item)
            if len(heap) < n:
                heapq.heappush(heap, entry)
            elif entry > heap[0]:
                heapq.heapreplace(heap, entry)
        batch.clear()

    for row in rows:
        text, error = text_of(row)
        if error is None:
            batch.append((row, text))
        if len(batch) >= batch_size:
            flush()
    flush()
    return [item for _, _, item in sorted(heap, key=lambda e: (-e[0], e[1]))]


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-9, 1 - 1e-9)
    return np.log(p / (1 - p))


def _margin(head, proba: np.ndarray) -> tuple[float, str]:
    if head.task == MULTILABEL:
        distance = np.abs(_logit(proba) - _logit(head.estimator.thresholds_))
        j = int(np.argmin(distance))
        return float(distance[j]), head.labels[j]
    first, second = np.argsort(-proba)[:2]
    return float(_logit(proba[first]) - _logit(proba[second])), f"{head.labels[first]} / {head.labels[second]}"
