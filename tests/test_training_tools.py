"""Training helpers at their edges: a rare label under the SVM loss, grouped folds, the contamination check's batch filter, the suspect-label listing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from classifier.estimators import MultiLabelLinear
from training.data import LabelledData
from training.train import cv_splits
from tests.conftest import labelled_rows, write_jsonl

ROOT = Path(__file__).resolve().parent.parent


def test_svm_loss_fits_a_label_with_a_single_positive_row():
    rng = np.random.default_rng(0)
    X = sp.csr_matrix(rng.random((12, 6)))
    Y = np.zeros((12, 2), dtype=int)
    Y[:6, 0] = 1
    Y[3, 1] = 1  # one positive row: no held-out fold for Platt scaling
    model = MultiLabelLinear(loss="svm").fit(X, Y)
    proba = model.predict_proba(X)
    assert np.isfinite(proba).all() and proba[3, 1] > proba[np.arange(12) != 3, 1].max()


def test_cv_splits_keep_stories_whole_and_the_seed_fixes_the_draw():
    groups = [f"story-{i // 3}" for i in range(30)]  # ten stories of three paragraphs
    data = LabelledData(texts=[f"paragraphe {i}" for i in range(30)], groups=groups)
    splits = cv_splits(data, 3, seed=0)
    assert len(splits) == 3
    assert sorted(np.concatenate([test for _, test in splits]).tolist()) == list(range(30))
    for train, test in splits:
        assert not {groups[i] for i in train} & {groups[i] for i in test}
    again = cv_splits(data, 3, seed=0)
    assert all((a[1] == b[1]).all() for a, b in zip(splits, again))
    other = cv_splits(data, 3, seed=1)
    assert any(set(a[1]) != set(b[1]) for a, b in zip(splits, other))


def test_contamination_check_names_a_batch_glob_that_matches_nothing(tmp_path):
    held_out = tmp_path / "eval.jsonl"
    held_out.write_text(json.dumps({"text": "Un paragraphe d'évaluation."}) + "\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "training.contamination", str(held_out), "--batches", "nothing-here-*.jsonl"],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert result.returncode == 2
    assert "no batch file" in result.stderr and "nothing-here-*.jsonl" in result.stderr


def _suspects(path: Path, out: Path, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "training.suspects", str(path), "-o", str(out), *options],
        cwd=ROOT, capture_output=True, text=True,
    )


def test_suspects_lists_a_mislabelled_row_both_ways(tmp_path):
    rows = labelled_rows()
    wrong = next(r for r in rows if r["id"] == "employment-3")
    wrong["labels"] = ["migration"]  # a text about jobs, labelled as migration
    path = write_jsonl(tmp_path / "rows.jsonl", rows)
    out = tmp_path / "suspects.jsonl"
    result = _suspects(path, out, "--low", "0.3", "--high", "0.7")
    assert result.returncode == 0, result.stderr
    found = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    mine = {(s["theme"], s["labelled"]) for s in found if s["id"] == "employment-3"}
    assert mine == {("employment", False), ("migration", True)}
    assert all(s["id"] == "employment-3" for s in found)
    assert f"{len(found)} suspect labels in 1 of {len(rows)} rows" in result.stdout


def test_suspects_names_the_bad_line_and_writes_nothing(tmp_path):
    path = tmp_path / "rows.jsonl"
    path.write_text('{"id": "a", "text": "Un paragraphe.", "labels": []}\n{"id": "b", "text": \n', encoding="utf-8")
    out = tmp_path / "suspects.jsonl"
    result = _suspects(path, out)
    assert result.returncode == 2
    assert result.stderr.startswith(f"training.suspects: error: {path}:2") and result.stderr.count("\n") == 1
    assert not out.exists() and list(tmp_path.iterdir()) == [path]


def test_suspects_name_rows_without_an_id_by_file_and_line(tmp_path):
    rows = [{key: value for key, value in r.items() if key != "id"} for r in labelled_rows()]
    rows[5]["labels"] = ["terrorism"]  # a text about migrants, labelled as terrorism
    path = write_jsonl(tmp_path / "rows.jsonl", rows)
    out = tmp_path / "suspects.jsonl"
    result = _suspects(path, out, "--low", "0.3", "--high", "0.7")
    assert result.returncode == 0, result.stderr
    found = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert all(s["id"].startswith(f"{path}:") for s in found)
    mine = {(s["theme"], s["labelled"]) for s in found if s["id"] == f"{path}:6"}
    assert mine == {("migration", False), ("terrorism", True)}


def test_suspects_for_the_topic_head_name_the_label_and_the_suggestion(tmp_path):
    rows = labelled_rows()
    wrong = next(r for r in rows if r["id"] == "none-2")
    wrong["topic"] = "politics"  # a sports paragraph filed under politics
    path = write_jsonl(tmp_path / "rows.jsonl", rows)
    out = tmp_path / "suspects.jsonl"
    result = _suspects(path, out, "--head", "topic", "--low", "0.3", "--high", "0.5")
    assert result.returncode == 0, result.stderr
    found = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(s["id"], s["head"], s["labelled"], s["suggested"]) for s in found] == [("none-2", "topic", "politics", "sport")]
    assert found[0]["labelled_score"] < 0.3 < 0.5 < found[0]["score"]


def _review(decisions: Path, batches: Path, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "training.review", str(decisions), "--batches", str(batches), *options],
        cwd=ROOT, capture_output=True, text=True,
    )


def _batch_dir(tmp_path: Path) -> Path:
    batches = tmp_path / "batches"
    batches.mkdir()
    write_jsonl(batches / "a.jsonl", [
        {"id": "a-1", "story": "a-s1", "text": "Des pluies.", "labels": ["terrorism"], "register": "dispatch"},
        {"id": "a-2", "story": "a-s2", "text": "Un puits.", "labels": [], "register": "feature"},
    ])
    write_jsonl(batches / "b.jsonl", [{"id": "b-1", "story": "b-s1", "text": "Un match.", "labels": []}])
    return batches


def test_review_applies_the_overturned_labels_only_and_records_every_decision(tmp_path):
    batches = _batch_dir(tmp_path)
    untouched = (batches / "b.jsonl").read_bytes()
    decisions = write_jsonl(tmp_path / "decisions.jsonl", [
        {"id": "a-1", "theme": "terrorism", "labelled": True, "carries": False, "reason": "rain"},
        {"id": "a-2", "theme": "development", "labelled": False, "carries": True, "reason": "a well"},
        {"id": "b-1", "theme": "sport", "labelled": False, "carries": False, "reason": "kept"},
    ])
    record = tmp_path / "record.jsonl"
    result = _review(decisions, batches, "--record", str(record))
    assert result.returncode == 0, result.stderr
    assert "3 decisions: 1 labels added, 1 removed" in result.stdout
    rows = [json.loads(line) for line in (batches / "a.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["labels"] for r in rows] == [[], ["development"]]
    assert rows[1]["register"] == "feature" and rows[1]["story"] == "a-s2"
    assert (batches / "b.jsonl").read_bytes() == untouched
    assert [json.loads(line)["id"] for line in record.read_text(encoding="utf-8").splitlines()] == ["a-1", "a-2", "b-1"]


def test_review_refuses_a_stale_decision_by_line_and_changes_nothing(tmp_path):
    batches = _batch_dir(tmp_path)
    before = {path.name: path.read_bytes() for path in batches.iterdir()}
    decisions = write_jsonl(tmp_path / "decisions.jsonl", [
        {"id": "a-2", "theme": "development", "labelled": False, "carries": True},
        {"id": "a-1", "theme": "terrorism", "labelled": False, "carries": True},  # a-1 already carries it
    ])
    result = _review(decisions, batches)
    assert result.returncode == 2
    assert result.stderr == (f"training.review: error: {decisions}:2: field 'labelled': "
                             "row a-1 already carries 'terrorism'; the decision is stale\n")
    assert {path.name: path.read_bytes() for path in batches.iterdir()} == before


def test_review_sets_a_topic_and_refuses_a_stale_one(tmp_path):
    batches = _batch_dir(tmp_path)
    rows = [json.loads(line) for line in (batches / "a.jsonl").read_text(encoding="utf-8").splitlines()]
    rows[0]["topic"] = "security"
    write_jsonl(batches / "a.jsonl", rows)
    decisions = write_jsonl(tmp_path / "decisions.jsonl", [
        {"id": "a-1", "head": "topic", "labelled": "security", "carries": "environment", "reason": "rain"},
    ])
    result = _review(decisions, batches)
    assert result.returncode == 0, result.stderr
    assert "1 decisions: 0 labels added, 0 removed, 1 one-label fields changed" in result.stdout
    first = json.loads((batches / "a.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert (first["topic"], first["labels"]) == ("environment", ["terrorism"])
    again = _review(decisions, batches)
    assert again.returncode == 2
    assert again.stderr == (f"training.review: error: {decisions}:1: field 'labelled': "
                            "row a-1 has topic 'environment', not 'security'; the decision is stale\n")
