"""`wiretag train --streaming`: out-of-core training gives a normal model directory."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from classifier.cli import app
from tests.conftest import labelled_rows, write_jsonl

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_streaming_training_writes_a_model_that_tags(tmp_path):
    rows = labelled_rows() * 4  # repeated rows are fine for SGD; hold-out is by text hash
    data = write_jsonl(tmp_path / "train.jsonl", rows)
    with open(data, "a") as handle:
        handle.write("{broken\n")
        handle.write(json.dumps({"text": "Sans étiquettes valides.", "labels": "terrorism"}) + "\n")
    result = run("train", data, "-o", tmp_path / "model", "--streaming", "--seed", "1")
    assert result.exit_code == 0, result.output
    assert "skipped" in result.output  # the two bad rows, named by line
    manifest = json.loads((tmp_path / "model/manifest.json").read_text())
    assert manifest["training"]["streaming"] is True
    assert set(manifest["heads"]) == {"labels", "topic"}
    assert manifest["heads"]["labels"]["label_counts"]["terrorism"] > 0
    out = run("predict", "-m", tmp_path / "model", "Un attentat revendiqué par un groupe jihadiste.",
              "Le club a remporté le match de football.")
    records = [json.loads(line) for line in out.stdout.splitlines()]
    assert records[0]["labels"] == ["terrorism"] and records[0]["topic"] == "security"
    assert records[1]["labels"] == [] and records[1]["topic"] == "sport"
    assert "Trained out of core" in (tmp_path / "model/MODEL_CARD.md").read_text()


def test_streaming_refuses_labels_outside_the_taxonomy(tmp_path):
    data = write_jsonl(tmp_path / "train.jsonl", [{"text": "Un texte.", "labels": ["piracy"], "topic": "security"}])
    taxonomy = Path(__file__).resolve().parent.parent / "training/taxonomy.toml"
    result = run("train", data, "-o", tmp_path / "model", "--streaming", "--taxonomy", taxonomy)
    assert result.exit_code == 2
    assert "piracy" in result.output


def test_streaming_reads_a_weighted_row_that_many_times_and_skips_a_bad_weight(tmp_path):
    from training.streaming import labelled_rows as streamed_rows

    rows = labelled_rows()[:3]
    rows[0]["weight"] = 3
    rows[1]["weight"] = "trois"
    warnings: list[str] = []
    texts = [text for text, _, _ in streamed_rows([write_jsonl(tmp_path / "w.jsonl", rows)], warnings)]
    assert texts == [rows[0]["text"]] * 3 + [rows[2]["text"]]
    assert len(warnings) == 1 and "w.jsonl:2: field 'weight'" in warnings[0]
