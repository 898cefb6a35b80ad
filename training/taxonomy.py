"""The label set a model is trained on: ids, names, definitions and lexicons.

A taxonomy is a TOML file with one table per labelled field: `[labels.<id>]`
for the `labels`/`label` field and `[topic.<id>]` for `topic`. Training with
one rejects any label it does not define, naming the closest id it does.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from classifier.errors import WiretagError

DEFAULT_TAXONOMY = Path(__file__).resolve().parent / "taxonomy.toml"
LABEL_FIELDS = ("labels", "topic")


@dataclass(frozen=True)
class Label:
    id: str
    name: str = ""
    definition: str = ""
    lexicon: tuple[str, ...] = ()


@dataclass
class Taxonomy:
    path: Path
    fields: dict[str, dict[str, Label]] = field(default_factory=dict)
    rules: tuple[str, ...] = ()

    def ids(self, field_name: str) -> list[str]:
        return list(self.fields.get(_table(field_name), {}))

    def defines(self, field_name: str) -> bool:
        return _table(field_name) in self.fields

    def closest(self, field_name: str, label: str) -> str | None:
        matches = difflib.get_close_matches(label, self.ids(field_name), n=1, cutoff=0.0)
        return matches[0] if matches else None

    def check(self, field_name: str, label: str, *, path: str, line: int) -> None:
        """Refuse a label this taxonomy does not define, naming the closest one."""
        if not self.defines(field_name) or label in self.fields[_table(field_name)]:
            return
        hint = self.closest(field_name, label)
        raise WiretagError(
            f"unknown label '{label}' (not in {self.path.name}; closest: '{hint}')", path=path, line=line, field=field_name
        )

    def lexicon(self, field_name: str = "labels") -> dict[str, list[str]]:
        return {i: list(label.lexicon) for i, label in self.fields.get(_table(field_name), {}).items() if label.lexicon}


def _table(field_name: str) -> str:
    """`label` rows are checked against the `labels` table."""
    return "labels" if field_name == "label" else field_name


def load_taxonomy(path: str | Path = DEFAULT_TAXONOMY) -> Taxonomy:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise WiretagError("no such taxonomy file", path=path) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise WiretagError(f"malformed taxonomy ({exc})", path=path) from None
    fields: dict[str, dict[str, Label]] = {}
    for table in LABEL_FIELDS:
        entries = data.get(table)
        if entries is None:
            continue
        if not isinstance(entries, dict) or not all(isinstance(v, dict) for v in entries.values()):
            raise WiretagError(f"[{table}] must hold one table per label, like [{table}.my_label]", path=path, field=table)
        fields[table] = {
            label_id: Label(
                id=label_id,
                name=str(entry.get("name", "")),
                definition=str(entry.get("definition", "")),
                lexicon=tuple(entry.get("lexicon", ())),
            )
            for label_id, entry in entries.items()
        }
    if not fields:
        raise WiretagError("defines no labels: add [labels.<id>] or [topic.<id>] tables", path=path)
    return Taxonomy(path=path, fields=fields, rules=tuple(data.get("rules", ())))
