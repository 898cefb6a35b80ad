"""The shipped default model on the seed wire it was started from (needs ../shared)."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from classifier.persistence import default_model_dir, read_manifest

SEED = "seed/000_b6be6db52a2cdce9.txt"


def test_shipped_model_has_both_heads_and_a_clean_manifest():
    manifest = read_manifest(default_model_dir())
    assert set(manifest["heads"]) == {"labels", "topic"}
    assert len(manifest["heads"]["labels"]["labels"]) == 10
    assert len(manifest["heads"]["topic"]["labels"]) == 10
    assert manifest["training"]["taxonomy"]["file"] == "taxonomy.toml"


@pytest.mark.skipif(shutil.which("wiretag") is None, reason="wiretag is not installed")
def test_seed_wire_gets_one_record_per_paragraph(shared):
    seed = shared / SEED
    result = subprocess.run(["wiretag", "predict", "-i", str(seed), "--format", "txt"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    paragraphs = seed.read_text(encoding="utf-8").splitlines()
    assert len(records) == len(paragraphs)
    by_opening = {p[:40]: r for p, r in zip(paragraphs, records)}
    arrival = next(r for p, r in by_opening.items() if p.startswith("Le Secrétaire d'État"))
    assert "diplomacy" in arrival["labels"] and arrival["topic"] == "politics"
    trafficking = next(r for p, r in zip(paragraphs, records) if "enlèvements contre rançon" in p)
    assert {"trafficking", "terrorism"} <= set(trafficking["labels"])
    assert trafficking["topic"] == "security"
    assert all("topic" in r for r in records)
