"""Apply a blind review's decisions to the corpus batches.

    python -m training.review DECISIONS.jsonl [--batches training/data/batches] [--record FILE]
    python -m training.split      # then rebuild the train and test splits

Each decision is one JSON line from a review of suspect labels
(`python -m training.suspects` lists them; reviewers answer blind). A theme
decision, `{"id", "theme", "labelled", "carries", ...}` with booleans, adds
the theme to or takes it off the row where `carries` differs from
`labelled`. A one-label decision, `{"id", "head": "topic", "labelled",
"carries", ...}` with label names, sets the row's `topic` (or `label`) to
`carries`. A decision whose `labelled` no longer matches the row is refused,
so a stale or repeated review cannot flip a label back. Nothing is written unless
every decision applies; each batch is replaced atomically. With `--record`,
the decisions are appended to the review record the datasheet counts.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from classifier.errors import WiretagError
from classifier.output import atomic_output, write_jsonl
from classifier.records import Row, Source, read_rows
from training.records import read_records

DATA = Path(__file__).resolve().parent / "data"
DECISION_FIELDS = ("id", "labelled", "carries")
ONE_LABEL_HEADS = ("topic", "label")


def read_decisions(path: Path) -> list[Row]:
    """The decisions of a review file, each with its line; a line without its fields is named."""
    decisions = []
    for row in read_rows(Source(str(path), format="jsonl")):
        if row.error:
            raise WiretagError(row.error, path=path, line=row.line, field=row.error_field)
        missing = [name for name in DECISION_FIELDS if name not in row.fields]
        if missing:
            raise WiretagError("missing", path=path, line=row.line, field=missing[0])
        if "theme" not in row.fields and row.fields.get("head") not in ONE_LABEL_HEADS:
            raise WiretagError(f"a decision needs a 'theme', or a 'head' among {', '.join(ONE_LABEL_HEADS)}",
                               path=path, line=row.line, field="head")
        decisions.append(row)
    return decisions


def apply_decisions(decisions: list[Row], batches: Path, source: Path) -> dict[str, int]:
    """Change the labels the decisions overturn, batch by batch; returns how many were added and removed."""
    changes: dict[str, list[Row]] = {}
    for decision in decisions:
        if decision.fields["carries"] != decision.fields["labelled"]:
            changes.setdefault(decision.fields["id"], []).append(decision)
    updated: dict[Path, list[dict[str, Any]]] = {}
    applied = {"added": 0, "removed": 0, "relabelled": 0}
    for path in sorted(batches.glob("*.jsonl")):
        rows = read_records(path)
        for row in rows:
            for decision in changes.pop(row["id"], []):
                applied[apply_decision(decision, row, source)] += 1
                updated[path] = rows
    if changes:
        first = min((d for ds in changes.values() for d in ds), key=lambda d: d.line)
        raise WiretagError(f"no row '{first.fields['id']}' in {batches}", path=source, line=first.line, field="id")
    for path, rows in updated.items():
        with atomic_output(path) as handle:
            write_jsonl(rows, handle)
    return applied


def apply_decision(decision: Row, row: dict[str, Any], source: Path) -> str:
    """Change one row as an overturning decision says; which kind of change it made."""
    fields = decision.fields
    if "theme" not in fields:
        head = fields["head"]
        if row.get(head) != fields["labelled"]:
            raise WiretagError(f"row {row['id']} has {head} '{row.get(head)}', not '{fields['labelled']}'; "
                               "the decision is stale", path=source, line=decision.line, field="labelled")
        row[head] = fields["carries"]
        return "relabelled"
    theme, labels = fields["theme"], set(row["labels"])
    if (theme in labels) != fields["labelled"]:
        state = "carries" if theme in labels else "lacks"
        raise WiretagError(f"row {row['id']} already {state} '{theme}'; the decision is stale",
                           path=source, line=decision.line, field="labelled")
    if fields["carries"]:
        labels.add(theme)
    else:
        labels.discard(theme)
    row["labels"] = sorted(labels)
    return "added" if fields["carries"] else "removed"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("decisions", type=Path, help="JSONL of decisions: id, theme or head, labelled, carries (and a reason)")
    parser.add_argument("--batches", type=Path, default=DATA / "batches", help="folder of the corpus batches")
    parser.add_argument("--record", type=Path, help="append the decisions to this review record")
    args = parser.parse_args(argv)
    try:
        decisions = read_decisions(args.decisions)
        applied = apply_decisions(decisions, args.batches, args.decisions)
    except (WiretagError, OSError) as error:
        print(f"training.review: error: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    if args.record:
        with args.record.open("a", encoding="utf-8") as handle:
            write_jsonl((decision.fields for decision in decisions), handle)
    print(f"{len(decisions)} decisions: {applied['added']} labels added, {applied['removed']} removed, "
          f"{applied['relabelled']} one-label fields changed; run python -m training.split to rebuild the splits")


if __name__ == "__main__":
    main()
