"""The prediction-only form of a model (`predictor.npz`): same records, no scikit-learn, refused when altered."""

from __future__ import annotations

import json
import pickle
import shutil
import subprocess
import sys

import pytest

from classifier.compiled import LinearScores
from classifier.errors import ModelError
from classifier.estimators import MultiLabelLinear
from classifier.persistence import PREDICTOR_FILE, load_model, load_predictor, read_manifest
from tests.conftest import labelled_rows, write_jsonl

TEXTS = [
    "Un attentat revendiqué par un groupe jihadiste a frappé Gao ; des réfugiés fuient.",
    "Le chômage recule, disent les syndicats.",
    "Le club a remporté le match dimanche.",
    "",
    "!!!",
    "Des migrants secourus en mer, un attentat, le chômage : tout à la fois à Lomé.",
]


def test_the_predictor_gives_the_full_model_s_records(small_model):
    full, manifest = load_model(small_model)
    fast, fast_manifest = load_predictor(small_model)
    assert (small_model / PREDICTOR_FILE).is_file() and len(manifest["predictor_sha256"]) == 64
    assert fast_manifest == manifest
    assert all(isinstance(head.estimator, LinearScores) for head in fast.heads.values())
    assert set(fast.heads) == {"labels", "topic"}
    for options in ({}, {"k": 1}, {"threshold": 0.2}, {"scores": False}):
        assert fast.predict(TEXTS, **options) == full.predict(TEXTS, **options)


def test_a_prediction_only_tagger_survives_pickling(small_model):
    """Dask sends the loaded model to its workers by pickle."""
    fast, _ = load_predictor(small_model)
    expected = fast.predict(TEXTS)
    copy = pickle.loads(pickle.dumps(fast))
    assert copy.predict(TEXTS) == expected
    assert pickle.loads(pickle.dumps(copy)).predict(TEXTS[:2]) == expected[:2]


def test_an_altered_predictor_is_refused(small_model, tmp_path):
    model_dir = tmp_path / "model"
    shutil.copytree(small_model, model_dir)
    with open(model_dir / PREDICTOR_FILE, "ab") as handle:
        handle.write(b"tampered")
    with pytest.raises(ModelError, match="SHA-256 mismatch") as caught:
        load_predictor(model_dir)
    assert PREDICTOR_FILE in str(caught.value)


def _rewrite_predictor(model_dir, change) -> None:
    """Change the arrays of a copied model's predictor and fix its hash, as a forger could."""
    import numpy as np

    from classifier.persistence import MANIFEST_FILE, file_sha256

    path = model_dir / PREDICTOR_FILE
    with np.load(path) as data:
        arrays = {name: data[name] for name in data.files}
    change(arrays)
    with open(path, "wb") as handle:
        np.savez(handle, **arrays)
    manifest = json.loads((model_dir / MANIFEST_FILE).read_text())
    manifest["predictor_sha256"] = file_sha256(path)
    (model_dir / MANIFEST_FILE).write_text(json.dumps(manifest))


def _without_last_line(array):
    return array[: array.tobytes().rindex(b"\n")]


def _header_with(arrays, **changes) -> None:
    import numpy as np

    header = json.loads(arrays["header"].tobytes())
    header["heads"][0].update(changes)
    arrays["header"] = np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda arrays: _header_with(arrays, task="nonsense"), "no known task"),
        (lambda arrays: _header_with(arrays, labels=[1, 2, 3]), "labels must be strings"),
        (lambda arrays: arrays.update({"stems.stems": _without_last_line(arrays["stems.stems"])}), "words and stems"),
        (lambda arrays: arrays.pop("h.labels.weights"), "KeyError"),
    ],
)
def test_a_forged_predictor_is_refused_with_a_reason(small_model, tmp_path, change, message):
    model_dir = tmp_path / "model"
    shutil.copytree(small_model, model_dir)
    _rewrite_predictor(model_dir, change)
    with pytest.raises(ModelError, match=message) as caught:
        load_predictor(model_dir)
    assert PREDICTOR_FILE in str(caught.value)


def test_without_a_predictor_the_full_model_is_used(small_model, tmp_path):
    model_dir = tmp_path / "model"
    shutil.copytree(small_model, model_dir)
    (model_dir / PREDICTOR_FILE).unlink()
    model, _ = load_predictor(model_dir)
    assert isinstance(model.heads["labels"].estimator, MultiLabelLinear)


def test_character_ngrams_need_scikit_learn_so_no_predictor_is_written(tmp_path):
    from training.train import Recipe, train

    data = write_jsonl(tmp_path / "train.jsonl", labelled_rows())
    train([data], tmp_path / "chars", recipe=Recipe(cv_folds=3, char_ngrams=(2, 4)), seed=0)
    assert not (tmp_path / "chars" / PREDICTOR_FILE).exists()
    assert "predictor_sha256" not in read_manifest(tmp_path / "chars")
    model, _ = load_predictor(tmp_path / "chars")
    assert model.predict(["Un attentat à Gao."])[0]["labels"] == ["terrorism"]


def test_predict_on_known_words_loads_neither_scikit_learn_nor_nltk(small_model):
    """Start-up is numpy and scipy only: the stems of training words ship with the model."""
    code = (
        "import sys; from classifier.cli import main; sys.argv = ['wiretag', 'predict', '-m', sys.argv[1], sys.argv[2]]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('sklearn', 'nltk') if m in sys.modules), file=sys.stderr)"
    )
    text = labelled_rows()[0]["text"]
    result = subprocess.run([sys.executable, "-c", code, str(small_model), text], capture_output=True, text=True, timeout=60)
    assert result.stderr.strip().splitlines()[-1] == "[]", result.stderr
    assert json.loads(result.stdout)["labels"] == ["terrorism"]
