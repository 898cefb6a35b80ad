"""Evaluate a model on labelled files, and gate on the figures.

Every head the data has labels for is scored. Metric names for gates:
`macro_f1` (the main head), `topic.accuracy` (a named head),
`f1:terrorism` or `topic.f1:sport` (one label's F1; also `precision:` and
`recall:`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from classifier.errors import WiretagError
from classifier.model import MULTILABEL, PRIMARY_HEADS, TOPIC_HEAD, Tagger, decide_rows
from training.data import LabelledData, load_labelled
from training.metrics import multiclass_report, multilabel_report

PER_LABEL_METRICS = ("f1", "precision", "recall", "support")


def _head_for(field_name: str, tagger: Tagger) -> str | None:
    """The model head that predicts a data field (`label` rows score a `labels` head too)."""
    if field_name == TOPIC_HEAD:
        return TOPIC_HEAD if TOPIC_HEAD in tagger.heads else None
    primary = tagger.primary
    return primary.name if primary else None


def predict_heads(tagger: Tagger, texts: Sequence[str], batch_size: int = 2048) -> dict[str, list[list[str]]]:
    """Every head's decided labels for every text, vectorised in batches."""
    predicted: dict[str, list[list[str]]] = {name: [] for name in tagger.heads}
    for start in range(0, len(texts), batch_size):
        probabilities = tagger.head_probabilities(tagger.vectorize(texts[start : start + batch_size]))
        for name, rows in probabilities.items():
            predicted[name].extend(decide_rows(tagger.heads[name], rows))
    return predicted


def score_data(
    tagger: Tagger, data: LabelledData, predicted: dict[str, list[list[str]]] | None = None
) -> dict[str, Any]:
    """Reports per head for labelled data, with the labels the model never saw.

    `predicted` (from `predict_heads`) lets a caller that needs the predictions
    too avoid tagging the data twice.
    """
    if predicted is None:
        predicted = predict_heads(tagger, data.texts)
    heads: dict[str, Any] = {}
    unknown: dict[str, dict[str, int]] = {}
    for field_name, values in data.targets.items():
        head_name = _head_for(field_name, tagger)
        if head_name is None:
            unknown[field_name] = {"(no head for this field)": len(values)}
            continue
        head = tagger.heads[head_name]
        rows = [i for i, v in enumerate(values) if v is not None]
        truth = [values[i] if isinstance(values[i], list) else [values[i]] for i in rows]
        missing = Counter(label for row in truth for label in row if label not in head.labels)
        if missing:
            unknown[head_name] = dict(missing)
        guesses = [predicted[head_name][i] for i in rows]
        if head.task == MULTILABEL:
            heads[head_name] = multilabel_report(truth, guesses, head.labels)
        else:
            heads[head_name] = multiclass_report(
                [t[0] for t in truth], [g[0] if g else "" for g in guesses], head.labels
            )
    return {"heads": heads, "unknown_labels": unknown}


def evaluate(
    paths: Sequence[str | Path], model_dir: str | Path | None = None, *, by: str | None = None
) -> dict[str, Any]:
    """Score a model on labelled files; with `by`, also per value of that field."""
    from classifier.persistence import load_model, resolve_model_dir

    tagger, manifest = load_model(model_dir)
    data = load_labelled(paths, keep=[by] if by else [], for_training=False)
    if not data.targets:
        raise WiretagError(f"no labelled rows in {', '.join(map(str, paths))}: rows need 'labels', 'label' or 'topic'")
    report = {
        "model": str(resolve_model_dir(model_dir)),
        "model_name": manifest.get("name"),
        "data": data.sources,
        **score_data(tagger, data),
    }
    if by:
        groups: dict[str, list[int]] = {}
        for i, value in enumerate(data.columns[by]):
            groups.setdefault(str(value), []).append(i)
        report["by"] = {"field": by, "groups": {v: score_data(tagger, data.subset(ix))["heads"] for v, ix in sorted(groups.items())}}
    return report


def metric_value(report: dict[str, Any], name: str) -> float:
    """Look up `macro_f1`, `topic.accuracy`, `f1:terrorism`, `topic.f1:sport`… in a report."""
    heads = report["heads"]
    head_name, _, metric = name.rpartition(".") if "." in name.split(":")[0] else ("", "", name)
    if not head_name:
        head_name = next((h for h in PRIMARY_HEADS if h in heads), next(iter(heads), ""))
    if head_name not in heads:
        raise WiretagError(f"unknown metric '{name}': no head '{head_name}' in this evaluation (heads: {', '.join(heads)})")
    head = heads[head_name]
    kind, _, label = metric.partition(":")
    if label:
        if kind not in PER_LABEL_METRICS or label not in head["per_label"]:
            raise WiretagError(
                f"unknown metric '{name}': per-label metrics are {', '.join(PER_LABEL_METRICS)} "
                f"of one of {', '.join(head['per_label'])}"
            )
        return float(head["per_label"][label][kind])
    if not isinstance(head.get(metric), (int, float)):
        known = [k for k, v in head.items() if isinstance(v, (int, float))]
        raise WiretagError(f"unknown metric '{name}'; known: {', '.join(known)}, or f1:<label>")
    return float(head[metric])


def parse_gate(text: str) -> tuple[str, float]:
    metric, sep, value = text.partition("=")
    try:
        if not sep:
            raise ValueError
        return metric.strip(), float(value)
    except ValueError:
        raise WiretagError(f"--fail-under takes METRIC=VALUE (like macro_f1=0.75), got '{text}'") from None


def failed_gates(report: dict[str, Any], gates: Sequence[str]) -> list[dict[str, Any]]:
    """The gates the report falls short of (all of them are checked, names first)."""
    parsed = [parse_gate(g) for g in gates]
    values = [(metric, required, metric_value(report, metric)) for metric, required in parsed]
    return [
        {"metric": metric, "value": round(value, 4), "required": required}
        for metric, required, value in values
        if value < required or np.isnan(value)
    ]
