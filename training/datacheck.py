"""`wiretag data check`: everything wrong with labelled data, in one pass.

Unlike training, which stops at the first problem, this reads every row and
reports all of them: errors (exit 1) are what training would refuse or what
makes an evaluation lie (test rows inside the training data); warnings are
worth a look (duplicates, near-duplicates).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from itertools import combinations
from pathlib import Path
from typing import Any

from classifier.errors import WiretagError
from classifier.records import Source, read_rows
from training.data import WEIGHT_FIELD, weight_value
from training.taxonomy import Taxonomy, load_taxonomy

SHINGLE_WORDS = 5
COMMON_SHINGLE = 50  # a shingle in more rows than this is boilerplate, not evidence of a copy
_WORD_RE = re.compile(r"\w+")


def shingles(text: str, size: int = SHINGLE_WORDS) -> frozenset[str]:
    words = _WORD_RE.findall(text.casefold())
    if len(words) < size:
        return frozenset([" ".join(words)]) if words else frozenset()
    return frozenset(" ".join(words[i : i + size]) for i in range(len(words) - size + 1))


def near_duplicate_pairs(sets: Sequence[frozenset[str]], threshold: float) -> list[tuple[int, int, float]]:
    """Pairs of rows whose shingle sets have Jaccard similarity >= threshold.

    Candidates come from an inverted index of shingles, so only rows that
    share a shingle are compared.
    """
    index: dict[str, list[int]] = defaultdict(list)
    for i, items in enumerate(sets):
        for item in items:
            index[item].append(i)
    candidates: set[tuple[int, int]] = set()
    for rows in index.values():
        if 1 < len(rows) <= COMMON_SHINGLE:
            candidates.update(combinations(rows, 2))
    pairs = []
    for a, b in candidates:
        union = len(sets[a] | sets[b])
        similarity = len(sets[a] & sets[b]) / union if union else 0.0
        if similarity >= threshold:
            pairs.append((a, b, round(similarity, 3)))
    return sorted(pairs)


def _labels_of(fields: dict[str, Any]) -> tuple[str | None, list[str] | None, str | None]:
    """(field, labels, problem) of a row's primary labels."""
    if "labels" in fields:
        value = fields["labels"]
        if isinstance(value, str):
            return "labels", [v.strip() for v in value.split("|") if v.strip()], None
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return "labels", value, None
        return "labels", None, "must be a list of label ids"
    if "label" in fields:
        value = fields["label"]
        if isinstance(value, str) and value.strip():
            return "label", [value.strip()], None
        return "label", None, "must be a non-empty label id"
    return None, None, None


def check_data(
    paths: Sequence[str | Path],
    *,
    test: Sequence[str | Path] = (),
    taxonomy_path: str | Path | None = None,
    min_examples: int = 5,
    near: float = 0.8,
) -> dict[str, Any]:
    taxonomy: Taxonomy | None = load_taxonomy(taxonomy_path) if taxonomy_path else None
    errors: list[dict[str, Any]] = []
    warnings: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []  # one per readable row: where, text, labels, topic, split

    def problem(bucket, path, line, field, message):
        bucket.append({"path": str(path), "line": line, "field": field, "message": message})

    kinds: dict[str, tuple[str, int]] = {}
    for split, files in (("train", paths), ("test", test)):
        for path in files:
            for row in read_rows(Source(str(path))):
                if row.error:
                    problem(errors, path, row.line, row.error_field, row.error)
                    continue
                text = row.fields.get("text")
                if not isinstance(text, str):
                    problem(errors, path, row.line, "text", "missing" if text is None else "must be a string")
                    continue
                if not text.strip():
                    problem(errors, path, row.line, "text", "empty or whitespace only")
                    continue
                kind, labels, bad = _labels_of(row.fields)
                if bad:
                    problem(errors, path, row.line, kind, bad)
                    continue
                if kind:
                    kinds.setdefault(kind, (str(path), row.line))
                try:
                    weight_value(row.fields.get(WEIGHT_FIELD), path=str(path), line=row.line)
                except WiretagError as exc:
                    problem(errors, path, row.line, exc.field, exc.message)
                topic = row.fields.get("topic")
                if taxonomy is not None:
                    for field_name, values in ((kind, labels or []), ("topic", [topic] if topic else [])):
                        for label in values:
                            if taxonomy.defines(field_name) and label not in taxonomy.ids(field_name):
                                problem(errors, path, row.line, field_name,
                                        f"unknown label '{label}' (closest: '{taxonomy.closest(field_name, label)}')")
                rows.append({"path": str(path), "line": row.line, "id": row.fields.get("id"), "text": text,
                             "labels": labels, "topic": topic, "split": split, "kind": kind,
                             "register": row.fields.get("register")})
    if len(kinds) > 1:
        (k1, (p1, l1)), (k2, (p2, l2)) = sorted(kinds.items(), key=lambda item: item[1])[:2]
        problem(errors, p2, l2, k2, f"mixed '{k1}' and '{k2}' rows ('{k1}' at {p1}:{l1}); use one throughout")

    _check_duplicates(rows, errors, warnings, problem)
    train_rows = [r for r in rows if r["split"] == "train"]
    counts = _label_counts(train_rows)
    for field_name, label_counts in counts.items():
        for label, n in label_counts.items():
            if field_name in ("labels", "label") and n < min_examples:
                problem(errors, "", None, field_name, f"label '{label}' has {n} rows; training needs at least {min_examples}")
    sets = [shingles(r["text"]) for r in rows]
    near_pairs = []
    for a, b, similarity in near_duplicate_pairs(sets, near):
        ra, rb = rows[a], rows[b]
        entry = {"a": f"{ra['path']}:{ra['line']}", "b": f"{rb['path']}:{rb['line']}", "similarity": similarity}
        if ra["split"] != rb["split"]:
            problem(errors, rb["path"], rb["line"], "text", f"near-duplicate ({similarity}) of {entry['a']} across train and test")
        near_pairs.append(entry)
    return {
        "files": [str(p) for p in paths],
        "test_files": [str(p) for p in test],
        "rows": len(train_rows),
        "test_rows": len(rows) - len(train_rows),
        "errors": errors,
        "warnings": warnings,
        "counts": counts,
        "rows_without_labels": sum(1 for r in train_rows if r["kind"] and not r["labels"]),
        "multi_label_rows": sum(1 for r in train_rows if r["labels"] and len(r["labels"]) > 1),
        "cooccurrence": _cooccurrence(train_rows),
        "registers": dict(Counter(r["register"] for r in train_rows if r["register"])),
        "near_duplicates": near_pairs,
    }


def _check_duplicates(rows, errors, warnings, problem) -> None:
    seen_text: dict[str, dict[str, Any]] = {}
    seen_id: dict[tuple[str, Any], dict[str, Any]] = {}
    for row in rows:
        key = " ".join(row["text"].split()).casefold()
        first = seen_text.get(key)
        if first is None:
            seen_text[key] = row
        else:
            first_where = f"{first['path']}:{first['line']}"
            if first["split"] != row["split"]:
                problem(errors, row["path"], row["line"], "text", f"same text as {first_where}: test rows must not be in training")
            elif (first["labels"], first["topic"]) != (row["labels"], row["topic"]):
                problem(errors, row["path"], row["line"], "labels",
                        f"same text as {first_where} with other labels ({first['labels']} vs {row['labels']})")
            else:
                problem(warnings, row["path"], row["line"], "text", f"exact duplicate of {first_where}")
        if row["id"] is not None:
            id_key = (row["split"], row["id"])
            if id_key in seen_id:
                problem(warnings, row["path"], row["line"], "id",
                        f"duplicate id {row['id']!r} (first at {seen_id[id_key]['path']}:{seen_id[id_key]['line']})")
            else:
                seen_id[id_key] = row


def _label_counts(rows) -> dict[str, dict[str, int]]:
    counts: dict[str, Counter] = defaultdict(Counter)
    for row in rows:
        if row["kind"]:
            counts[row["kind"]].update(row["labels"])
        if row["topic"]:
            counts["topic"][row["topic"]] += 1
    return {field: dict(sorted(c.items())) for field, c in counts.items()}


def _cooccurrence(rows) -> dict[str, dict[str, int]]:
    pairs: dict[str, Counter] = defaultdict(Counter)
    for row in rows:
        labels = sorted(set(row["labels"] or []))
        for a in labels:
            for b in labels:
                pairs[a][b] += 1
    return {a: dict(sorted(c.items())) for a, c in sorted(pairs.items())}


def render_check(report: dict[str, Any]) -> str:
    from classifier.output import format_table

    out = [f"{report['rows']} training rows" + (f", {report['test_rows']} test rows" if report["test_files"] else "")]
    for field_name, counts in report["counts"].items():
        out.append(f"{field_name}: " + ", ".join(f"{label} {n}" for label, n in counts.items()))
    if report["rows_without_labels"]:
        out.append(f"rows with no label: {report['rows_without_labels']}; with two or more: {report['multi_label_rows']}")
    if report["cooccurrence"]:
        labels = list(report["cooccurrence"])
        matrix = [[a[:12]] + [str(report["cooccurrence"][a].get(b, "")) for b in labels] for a in labels]
        out.append(format_table(matrix, ["", *[b[:6] for b in labels]]))
    out.append(f"near-duplicate pairs: {len(report['near_duplicates'])}")
    for kind in ("errors", "warnings"):
        items = report[kind]
        out.append(f"{len(items)} {kind}")
        for item in items[:50]:
            where = f"{item['path']}:{item['line']}: " if item["line"] else (f"{item['path']}: " if item["path"] else "")
            field = f"field '{item['field']}': " if item["field"] else ""
            out.append(f"  {where}{field}{item['message']}")
        if len(items) > 50:
            out.append(f"  … {len(items) - 50} more (see --json)")
    return "\n".join(out)
