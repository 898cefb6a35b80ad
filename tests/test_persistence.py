"""Model directories: round trip, atomic saves, and refusal of altered or foreign files."""

from __future__ import annotations

import json
import pickle
import shutil
import warnings
from pathlib import Path

import pytest

from classifier.errors import ModelError
from classifier.persistence import load_model, read_manifest, save_model


def test_round_trip_predicts_the_same(small_model, tmp_path):
    model, manifest = load_model(small_model)
    copy = tmp_path / "copy"
    shutil.copytree(small_model, copy)
    again, _ = load_model(copy)
    texts = ["Un attentat jihadiste à Gao.", "Le match de football de dimanche."]
    assert model.predict(texts) == again.predict(texts)
    assert manifest["heads"]["labels"]["labels"] == ["employment", "migration", "terrorism"]
    assert set(manifest["heads"]["labels"]["thresholds"]) == {"employment", "migration", "terrorism"}
    for key in ("format_version", "task", "created", "versions", "model_sha256", "training", "cv_metrics"):
        assert key in manifest
    assert set(manifest["versions"]) == {"wiretag", "scikit-learn", "numpy", "python"}
    assert manifest["training"]["data"][0]["rows"] == 54
    assert len(manifest["training"]["data"][0]["sha256"]) == 64
    assert (small_model / "MODEL_CARD.md").read_text().startswith("# Model card")


def test_fitted_object_is_a_plain_sklearn_pipeline(small_model):
    from sklearn.base import clone
    from sklearn.pipeline import Pipeline

    model, _ = load_model(small_model)
    pipeline = model.pipeline()
    assert isinstance(pipeline, Pipeline)
    assert pipeline.predict_proba(["Des migrants secourus en mer."]).shape == (1, 3)
    clone(pipeline)  # unfitted copy: the steps are proper estimators


def _copy(small_model: Path, tmp_path: Path) -> Path:
    target = tmp_path / "model"
    shutil.copytree(small_model, target)
    return target


def test_altered_model_file_is_refused(small_model, tmp_path):
    model_dir = _copy(small_model, tmp_path)
    with open(model_dir / "model.joblib", "ab") as handle:
        handle.write(b"tampered")
    with pytest.raises(ModelError, match="SHA-256 mismatch"):
        load_model(model_dir)


def test_missing_or_malformed_manifest_is_refused(small_model, tmp_path):
    model_dir = _copy(small_model, tmp_path)
    (model_dir / "manifest.json").write_text("{not json")
    with pytest.raises(ModelError, match="malformed manifest"):
        load_model(model_dir)
    (model_dir / "manifest.json").write_text(json.dumps({"format_version": 2}))
    with pytest.raises(ModelError, match="'model_sha256' is missing"):
        load_model(model_dir)
    (model_dir / "manifest.json").unlink()
    with pytest.raises(ModelError, match="no manifest.json"):
        load_model(model_dir)


class _CreatesAFile:
    """Unpickling this runs `open(path, 'w')`: what a hostile model file would do."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def test_crafted_pickle_is_refused_before_it_runs(small_model, tmp_path):
    from classifier.persistence import file_sha256

    model_dir = _copy(small_model, tmp_path)
    victim = tmp_path / "pwned.txt"
    (model_dir / "model.joblib").write_bytes(pickle.dumps(_CreatesAFile(str(victim))))
    manifest = json.loads((model_dir / "manifest.json").read_text())
    manifest["model_sha256"] = file_sha256(model_dir / "model.joblib")  # an attacker can fix the hash too
    (model_dir / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelError, match=r"refers to (io|builtins)\.open"):
        load_model(model_dir)
    assert not victim.exists()


def test_other_sklearn_version_gives_one_clear_warning(small_model, tmp_path):
    model_dir = _copy(small_model, tmp_path)
    manifest = json.loads((model_dir / "manifest.json").read_text())
    manifest["versions"]["scikit-learn"] = "0.0.1"
    (model_dir / "manifest.json").write_text(json.dumps(manifest))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        load_model(model_dir)
    messages = [str(w.message) for w in caught]
    assert len(messages) == 1 and "0.0.1" in messages[0] and "retrain" in messages[0]


def test_save_refuses_to_overwrite_and_keeps_a_backup_when_forced(small_model, tmp_path):
    model, manifest = load_model(small_model)
    target = _copy(small_model, tmp_path)
    core = {k: manifest[k] for k in ("name", "task", "labels", "thresholds", "heads", "training", "cv_metrics")}
    with pytest.raises(ModelError, match="exists"):
        save_model(model, target, core)
    backup = save_model(model, target, core, force=True)
    assert backup is not None and read_manifest(backup)["model_sha256"]
    load_model(target)
    assert not list(tmp_path.glob("*.partial"))


def test_interrupted_save_leaves_the_old_model(small_model, tmp_path, monkeypatch):
    import joblib

    model, manifest = load_model(small_model)
    target = _copy(small_model, tmp_path)
    before = (target / "model.joblib").read_bytes()

    def crash(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(joblib, "dump", crash)
    with pytest.raises(KeyboardInterrupt):
        save_model(model, target, {"heads": manifest["heads"]}, force=True)
    assert (target / "model.joblib").read_bytes() == before
    assert not list(tmp_path.glob(".model.*"))
