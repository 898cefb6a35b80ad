"""Shared fixtures: small labelled data written in the test, and a model trained on it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"

# Three themes and no-theme rows, varied enough for a 3-fold cross-validation.
_PLACES = ["Bamako", "Niamey", "Dakar", "Tunis", "Rabat", "Abidjan", "Kinshasa", "Lomé", "Conakry", "Alger", "Nouakchott", "Ouagadougou"]
_THEMES = {
    "terrorism": "Un attentat revendiqué par un groupe jihadiste a frappé {p} ; les terroristes visaient un poste de police.",
    "migration": "Des migrants partis de {p} ont été secourus en mer ; les réfugiés demandent l'asile en Europe.",
    "employment": "Le chômage des jeunes progresse à {p} ; les syndicats réclament des emplois et de meilleurs salaires.",
}
_NEUTRAL = "Le club de {p} a remporté le match de football dimanche devant ses supporters, au terme d'une belle saison."
_TOPIC = {"terrorism": "security", "migration": "society", "employment": "economy", None: "sport"}


def labelled_rows() -> list[dict]:
    rows = []
    for i, place in enumerate(_PLACES):
        for label, template in _THEMES.items():
            rows.append({"id": f"{label}-{i}", "text": template.format(p=place), "labels": [label], "topic": _TOPIC[label]})
        rows.append({"id": f"none-{i}", "text": _NEUTRAL.format(p=place), "labels": [], "topic": "sport"})
    # A few two-theme rows, as real wires have.
    for i, place in enumerate(_PLACES[:6]):
        text = _THEMES["terrorism"].format(p=place) + " " + _THEMES["migration"].format(p=place)
        rows.append({"id": f"both-{i}", "text": text, "labels": ["migration", "terrorism"], "topic": "security"})
    return rows


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def train_file(tmp_path_factory) -> Path:
    return write_jsonl(tmp_path_factory.mktemp("data") / "train.jsonl", labelled_rows())


@pytest.fixture(scope="session")
def small_model(tmp_path_factory, train_file) -> Path:
    """A two-head model (themes + topic) trained on `train_file` with 3 folds."""
    from training.train import Recipe, train

    out = tmp_path_factory.mktemp("models") / "small"
    train([train_file], out, recipe=Recipe(cv_folds=3), seed=0)
    return out


@pytest.fixture
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside the project (a fresh clone): skipping")
    return SHARED
