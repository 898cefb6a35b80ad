"""Labelled rows for training and evaluation, checked as they are read.

Training refuses what it cannot learn from (an unreadable row, an empty text,
an unknown label, mixed `label`/`labels` rows, a bad `weight`) with one error
naming the file, line and field; it warns and goes on where it can (duplicate
ids, repeated texts). A row's `weight` N makes it count as N rows in training
(fit, cross-validation folds, thresholds); evaluation reads every row once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from classifier.errors import WiretagError
from classifier.model import MULTICLASS, MULTILABEL
from classifier.persistence import file_sha256
from classifier.records import Row, Source, read_rows
from training.taxonomy import Taxonomy

TASKS = ("auto", MULTILABEL, MULTICLASS)
GROUP_FIELDS = ("story", "group")
LABEL_SEPARATOR = "|"
WEIGHT_FIELD = "weight"
MAX_WEIGHT = 10


@dataclass
class LabelledData:
    """Texts, their targets per head, and where they came from."""

    texts: list[str] = field(default_factory=list)
    targets: dict[str, list[Any]] = field(default_factory=dict)
    groups: list[str] = field(default_factory=list)
    locations: list[tuple[str, int]] = field(default_factory=list)
    columns: dict[str, list[Any]] = field(default_factory=dict)
    sources: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    copies: int = 0  # rows added by `weight` fields: len(self) - copies rows were read

    def __len__(self) -> int:
        return len(self.texts)

    def subset(self, indices: Sequence[int]) -> LabelledData:
        return LabelledData(
            texts=[self.texts[i] for i in indices],
            targets={h: [v[i] for i in indices] for h, v in self.targets.items()},
            groups=[self.groups[i] for i in indices],
            locations=[self.locations[i] for i in indices],
            columns={c: [v[i] for i in indices] for c, v in self.columns.items()},
            sources=self.sources,
        )


def _labels_value(value: Any, *, path: str, line: int, field_name: str) -> list[str]:
    if isinstance(value, str):
        return [part.strip() for part in value.split(LABEL_SEPARATOR) if part.strip()]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [v.strip() for v in value if v.strip()]
    raise WiretagError(
        f"must be a list of label ids (or '|'-separated), got {type(value).__name__}", path=path, line=line, field=field_name
    )


def weight_value(value: Any, *, path: str, line: int) -> int:
    """A row's training weight: a whole number of times it counts, 1 when absent."""
    if value is None or value == "":
        return 1
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_WEIGHT:
        return value
    raise WiretagError(
        f"must be a whole number from 1 to {MAX_WEIGHT} (times the row counts in training), got {value!r}",
        path=path, line=line, field=WEIGHT_FIELD,
    )


def _label_value(value: Any, *, path: str, line: int, field_name: str) -> str:
    if isinstance(value, str) and value.strip():
        return value.strip()
    raise WiretagError("must be a non-empty label id", path=path, line=line, field=field_name)


def load_labelled(
    paths: Iterable[str | Path],
    *,
    task: str = "auto",
    taxonomy: Taxonomy | None = None,
    keep: Sequence[str] = (),
    for_training: bool = True,
    encoding: str = "utf-8",
) -> LabelledData:
    """Read labelled rows from JSONL/CSV/TSV files into texts and per-head targets.

    Heads: `labels` (multi-label, from a `labels` list) or `label` (one label
    per row), and `topic` when rows have it. `task` forces the first kind:
    multilabel turns `label` into a one-item list; multiclass needs exactly one
    label per row.
    """
    if task not in TASKS:
        raise WiretagError(f"--task must be one of {', '.join(TASKS)}, got '{task}'")
    data = LabelledData()
    first_kind: tuple[str, str, int] | None = None  # (field, path, line) of the first labelled row
    seen_ids: dict[Any, tuple[str, int]] = {}
    seen_texts: dict[str, tuple[str, int, Any]] = {}
    collected: dict[str, list[Any]] = {"labels": [], "label": [], "topic": []}
    present: dict[str, list[bool]] = {"labels": [], "label": [], "topic": []}
    weights: list[int] = []
    for path in paths:
        path = str(path)
        count = 0
        for row in read_rows(Source(path, encoding=encoding)):
            text = _checked_text(row, path)
            kind = "labels" if "labels" in row.fields else "label" if "label" in row.fields else None
            if kind and first_kind is None:
                first_kind = (kind, path, row.line)
            elif kind and kind != first_kind[0]:
                raise WiretagError(
                    f"mixed '{kind}' and '{first_kind[0]}' rows ({first_kind[0]} first at "
                    f"{first_kind[1]}:{first_kind[2]}); use one of them throughout",
                    path=path,
                    line=row.line,
                    field=kind,
                )
            for name in collected:
                value = row.fields.get(name)
                present[name].append(value is not None)
                if value is None:
                    collected[name].append(None)
                    continue
                if name == "labels":
                    value = _labels_value(value, path=path, line=row.line, field_name=name)
                else:
                    value = _label_value(value, path=path, line=row.line, field_name=name)
                if taxonomy is not None and for_training:
                    for label in value if isinstance(value, list) else [value]:
                        taxonomy.check(name, label, path=path, line=row.line)
                collected[name].append(value)
            _note_duplicates(data, row, text, path, seen_ids, seen_texts, collected, for_training)
            weights.append(weight_value(row.fields.get(WEIGHT_FIELD), path=path, line=row.line) if for_training else 1)
            data.texts.append(text)
            data.locations.append((path, row.line))
            group = next((row.fields[g] for g in GROUP_FIELDS if row.fields.get(g) not in (None, "")), None)
            data.groups.append(str(group) if group is not None else f"{path}:{row.line}")
            for column in keep:
                data.columns.setdefault(column, []).append(row.fields.get(column))
            count += 1
        data.sources.append({"path": Path(path).name, "sha256": file_sha256(path), "rows": count})
    for column in keep:
        data.columns.setdefault(column, [None] * len(data.texts))
    _assign_heads(data, collected, present, task, for_training)
    return _weighted(data, weights)


def _weighted(data: LabelledData, weights: list[int]) -> LabelledData:
    """Each row repeated as many times as its weight; a row's copies share its story, so they share a fold."""
    if all(w == 1 for w in weights):
        return data
    expanded = data.subset([i for i, w in enumerate(weights) for _ in range(w)])
    expanded.warnings = data.warnings
    expanded.copies = sum(weights) - len(weights)
    return expanded


def _checked_text(row: Row, path: str) -> str:
    if row.error:
        raise WiretagError(row.error, path=path, line=row.line, field=row.error_field)
    value = row.fields.get("text")
    if value is None:
        raise WiretagError("missing", path=path, line=row.line, field="text")
    if not isinstance(value, str):
        raise WiretagError(f"must be a string, got {type(value).__name__}", path=path, line=row.line, field="text")
    if not value.strip():
        raise WiretagError("empty text", path=path, line=row.line, field="text")
    return value


def _note_duplicates(data, row, text, path, seen_ids, seen_texts, collected, for_training) -> None:
    row_id = row.fields.get("id")
    if row_id is not None:
        if row_id in seen_ids:
            first = seen_ids[row_id]
            data.warnings.append(f"{path}:{row.line}: field 'id': duplicate id {row_id!r} (first at {first[0]}:{first[1]})")
        else:
            seen_ids[row_id] = (path, row.line)
    key = " ".join(text.split()).casefold()
    labels_now = (collected["labels"][-1], collected["label"][-1], collected["topic"][-1])
    if key in seen_texts:
        first_path, first_line, first_labels = seen_texts[key]
        if first_labels != labels_now and for_training:
            raise WiretagError(
                f"same text as {first_path}:{first_line} with other labels ({_show(first_labels)} vs {_show(labels_now)})",
                path=path,
                line=row.line,
                field="labels",
            )
        data.warnings.append(f"{path}:{row.line}: field 'text': repeats {first_path}:{first_line}")
    else:
        seen_texts[key] = (path, row.line, labels_now)


def _show(labels: tuple) -> str:
    return "/".join(str(v) for v in labels if v is not None)


def _assign_heads(data: LabelledData, collected, present, task: str, for_training: bool) -> None:
    if any(present["labels"]):
        primary = "labels"
    elif any(present["label"]):
        primary = "label"
    else:
        primary = None
    if primary is not None:
        values = collected[primary]
        if task == MULTILABEL and primary == "label":
            values = [None if v is None else [v] for v in values]
            primary = "labels"
        elif task == MULTICLASS and primary == "labels":
            for i, v in enumerate(values):
                if v is not None and len(v) != 1:
                    path, line = data.locations[i]
                    raise WiretagError(
                        f"--task multiclass needs exactly one label per row, this one has {len(v)}",
                        path=path,
                        line=line,
                        field="labels",
                    )
            values = [None if v is None else v[0] for v in values]
            primary = "label"
        data.targets[primary] = values
    elif task != "auto" and for_training:
        raise WiretagError(f"--task {task} needs rows with 'labels' or 'label'")
    if any(present["topic"]):
        data.targets["topic"] = collected["topic"]
    if for_training:
        if not data.targets:
            raise WiretagError("no labelled rows: rows need 'labels' (a list), 'label' or 'topic'")
        for head, values in data.targets.items():
            missing = [i for i, v in enumerate(values) if v is None]
            if missing:
                path, line = data.locations[missing[0]]
                raise WiretagError(
                    f"missing here and in {len(missing) - 1} more rows; every training row needs each labelled field",
                    path=path,
                    line=line,
                    field=head,
                )
