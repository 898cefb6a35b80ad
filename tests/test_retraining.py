"""The retraining loop: compare two models, pick what to label, gate on regressions."""

from __future__ import annotations

import json
import re

from typer.testing import CliRunner

from classifier.cli import app
from tests.conftest import labelled_rows, write_jsonl

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def worse_model(tmp_path, train_file):
    """A model trained with most of its migration rows relabelled as no theme: measurably worse on migration."""
    rows = labelled_rows()
    dropped = 0
    for row in rows:
        if row["labels"] == ["migration"] and dropped < 10:
            row["labels"] = []
            dropped += 1
    data = write_jsonl(tmp_path / "worse.jsonl", rows)
    out = tmp_path / "worse-model"
    assert run("train", data, "-o", out, "--quiet").exit_code == 0
    return out


def test_compare_passes_on_the_same_model_and_flags_a_worse_one(small_model, train_file, tmp_path):
    same = run("compare", small_model, small_model, train_file, "--json", tmp_path / "same.json")
    assert same.exit_code == 0, same.output
    assert "0 paragraph(s) changed labels" in same.stdout
    worse = worse_model(tmp_path, train_file)
    result = run("compare", small_model, worse, train_file, "--json", tmp_path / "cmp.json")
    assert result.exit_code == 1
    assert "WORSE" in result.stdout and "labels:migration" in result.stderr
    report = json.loads((tmp_path / "cmp.json").read_text())
    migration = report["heads"]["labels"]["labels"]["migration"]
    assert migration["delta"]["f1"] < -0.02 and migration["worse"]
    assert report["changed"] and {"where", "old", "new", "truth"} <= set(report["changed"][0])


def test_compare_shows_added_and_removed_labels(small_model, tmp_path):
    rows = [r for r in labelled_rows() if r["labels"] != ["employment"]]
    for i, row in enumerate(rows):
        if "terrorism" in row["labels"] and i % 2:
            row["labels"] = sorted(set(row["labels"]) | {"diplomacy"})
    data = write_jsonl(tmp_path / "other.jsonl", rows)
    other = tmp_path / "other-model"
    assert run("train", data, "-o", other, "--quiet").exit_code == 0
    result = run("compare", small_model, other, data, "--json", tmp_path / "c.json")
    labels = json.loads((tmp_path / "c.json").read_text())["heads"]["labels"]["labels"]
    assert labels["diplomacy"]["status"] == "added"
    assert labels["employment"]["status"] == "removed"
    assert re.search(r"^diplomacy +added", result.stdout, re.M) and re.search(r"^employment +removed", result.stdout, re.M)


def test_suggest_picks_the_least_certain_paragraphs(small_model, tmp_path):
    pool = write_jsonl(tmp_path / "pool.jsonl", [
        {"id": "clear-terror", "text": "Un attentat revendiqué par un groupe jihadiste ; les terroristes visaient la police."},
        {"id": "clear-sport", "text": "Le club a remporté le match de football dimanche devant ses supporters."},
        {"id": "vague", "text": "Des jeunes de Tunis attendent un emploi, certains parlent de partir en mer."},
        {"id": "odd", "text": "La réunion du conseil municipal portait sur la voirie."},
    ])
    result = run("suggest", pool, "-n", "2", "-m", small_model)
    assert result.exit_code == 0, result.output
    picked = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(picked) == 2
    assert {"clear-terror", "clear-sport"}.isdisjoint(p["id"] for p in picked)
    assert picked[0]["margin"] <= picked[1]["margin"]
    assert {"id", "text", "labels", "uncertain_about", "margin"} <= set(picked[0])


def test_baseline_gate_passes_against_itself_and_fails_against_a_better_model(small_model, train_file, tmp_path):
    report = tmp_path / "baseline.json"
    assert run("evaluate", train_file, "-m", small_model, "--json", report).exit_code == 0
    same = run("evaluate", train_file, "-m", small_model, "--baseline", report, "--max-drop", "0.0")
    assert same.exit_code == 0
    worse = worse_model(tmp_path, train_file)
    against_report = run("evaluate", train_file, "-m", worse, "--baseline", report, "--max-drop", "0.02")
    assert against_report.exit_code == 1 and "f1:migration" in against_report.stderr
    against_model = run("evaluate", train_file, "-m", worse, "--baseline", small_model)
    assert against_model.exit_code == 1


def test_suggest_fails_cleanly_on_bad_input(small_model, tmp_path):
    missing = run("suggest", tmp_path / "missing.jsonl", "-m", small_model)
    assert missing.exit_code == 2 and "no such file" in missing.stderr
    zero = run("suggest", tmp_path / "missing.jsonl", "-n", "0", "-m", small_model)
    assert zero.exit_code == 2
    pool = write_jsonl(tmp_path / "pool.jsonl", [{"id": "a", "text": "   "}, {"id": "b", "text": "Des migrants."}])
    picked = [json.loads(line) for line in run("suggest", pool, "-n", "5", "-m", small_model).stdout.splitlines()]
    assert [p["id"] for p in picked] == ["b"]  # empty texts are never suggested


def test_a_row_of_weight_two_trains_as_that_row_written_twice(tmp_path):
    """Same folds, same thresholds, same scores: the copies of a weighted row share its story, so its fold."""
    from classifier.persistence import load_model, read_manifest

    rows = labelled_rows() + [{"id": "none-odd", "text": "Le xylophoniste Zébulon a joué à Ségou.", "labels": [], "topic": "sport"}]
    heavy = {row["id"] for row in rows if row["labels"] == ["migration"] or row["id"].startswith("none-")}
    weighted = [dict(row, story=row["id"], weight=2) if row["id"] in heavy else dict(row, story=row["id"]) for row in rows]
    doubled = [dict(row, story=row["id"]) for row in rows for _ in range(2 if row["id"] in heavy else 1)]
    models = {}
    for name, part in (("weighted", weighted), ("doubled", doubled)):
        data = write_jsonl(tmp_path / f"{name}.jsonl", part)
        assert run("train", data, "-o", tmp_path / name, "--quiet").exit_code == 0
        models[name] = load_model(tmp_path / name)[0]
    texts = [row["text"] for row in rows]
    assert models["weighted"].predict(texts) == models["doubled"].predict(texts)
    assert models["weighted"].heads["labels"].thresholds == models["doubled"].heads["labels"].thresholds
    # A weight changes how much a row counts, never the vocabulary: that is fitted on distinct texts.
    assert run("train", write_jsonl(tmp_path / "plain.jsonl", rows), "-o", tmp_path / "plain", "--quiet").exit_code == 0
    vocabulary = [set(load_model(tmp_path / name)[0].features.get_feature_names_out()) for name in ("weighted", "plain")]
    assert vocabulary[0] == vocabulary[1]
    manifest = read_manifest(tmp_path / "weighted")["training"]
    assert manifest["rows"] == len(doubled) and manifest["rows_read"] == len(rows)
    # Evaluation counts every row once, weight or not.
    assert run("evaluate", tmp_path / "weighted.jsonl", "-m", tmp_path / "weighted", "--json", tmp_path / "e.json").exit_code == 0
    assert json.loads((tmp_path / "e.json").read_text())["heads"]["labels"]["rows"] == len(rows)
