"""A model's prediction-only form: plain arrays in `predictor.npz`, read without pickle or scikit-learn.

Loading `model.joblib` imports scikit-learn (about a second) and runs a
pure-Python unpickler, yet tagging needs neither: only the batch vectoriser's
tables (`classifier.vectorize`) and each head's weights. `save_model` writes
this file beside the full model when the features allow it (word n-grams and
the lexicon; not character n-grams or hashed features), its SHA-256 goes in
the manifest, and `wiretag predict` reads it when it is there. The numbers
and the operations are the same, so the records are identical
(`tests/test_compiled.py`). `np.load(allow_pickle=False)` can only build
arrays: a crafted file cannot run code.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from classifier.model import MULTICLASS, MULTILABEL, Head, Tagger


def linear_probabilities(X, weights: np.ndarray, intercept: np.ndarray, task: str) -> np.ndarray:
    """A linear head's probability of each label: sigmoid(X·W + b), each row summing to 1 for a multi-class head.

    `MultiLabelLinear`, `MulticlassLinear` and `LinearScores` all score with
    it, so the full and the prediction-only model agree by construction.
    `weights` is (n_features, n_labels): `coef_.T`.
    """
    from scipy.special import expit

    proba = expit(np.asarray(X @ weights) + intercept)
    if task == MULTICLASS:
        proba = proba / np.maximum(proba.sum(axis=1, keepdims=True), 1e-12)
    return proba


class LinearScores:
    """A fitted head's probabilities from its arrays, as `MultiLabelLinear`/`MulticlassLinear` compute them."""

    def __init__(self, task: str, weights: np.ndarray, intercept: np.ndarray, thresholds: np.ndarray | None) -> None:
        self.task = task
        self.weights = weights  # (n_features, n_labels), C-ordered: `coef_.T`
        self.intercept_ = intercept
        self.thresholds_ = thresholds

    def predict_proba(self, X) -> np.ndarray:
        return linear_probabilities(X, self.weights, self.intercept_, self.task)


def predictor_arrays(tagger: Tagger) -> dict[str, np.ndarray] | None:
    """The arrays of a tagger's prediction-only form; None when its features or heads need scikit-learn."""
    from classifier.vectorize import BatchLexicon, BatchVectorizer, BatchWords

    vectorizer = BatchVectorizer.from_union(tagger.features)
    if not all(isinstance(block, (BatchWords, BatchLexicon)) for block in vectorizer.blocks):
        return None
    if not all(hasattr(head.estimator, "coef_") for head in tagger.heads.values()):
        return None
    header: dict[str, list] = {"blocks": [], "heads": []}
    arrays: dict[str, np.ndarray] = {}
    for i, block in enumerate(vectorizer.blocks):
        if isinstance(block, BatchWords):
            header["blocks"].append({"kind": "words", "ngram_sizes": sorted(block.ngram_keys), **block.options})
            arrays[f"b{i}.words"] = _text_array("\n".join(block.words))
            arrays[f"b{i}.unigram_column"] = block.unigram_column
            for n, (keys, columns) in block.ngram_keys.items():
                arrays[f"b{i}.keys{n}"], arrays[f"b{i}.columns{n}"] = keys, columns
            if block.idf is not None:
                arrays[f"b{i}.idf"] = block.idf
        else:
            terms = [[label, list(words)] for label, words in block.terms]
            header["blocks"].append({"kind": "lexicon", "n_labels": block.n_labels, "weight": block.weight, "terms": terms})
    for name, head in tagger.heads.items():
        header["heads"].append({"name": name, "task": head.task, "labels": head.labels})
        arrays[f"h.{name}.weights"] = np.ascontiguousarray(head.estimator.coef_.T)
        arrays[f"h.{name}.intercept"] = np.asarray(head.estimator.intercept_)
        if head.task == MULTILABEL:
            arrays[f"h.{name}.thresholds"] = np.asarray(head.estimator.thresholds_, dtype=np.float64)
    arrays["stems.words"], arrays["stems.stems"] = (_text_array(part) for part in tagger.stems)
    arrays["header"] = _text_array(json.dumps(header, ensure_ascii=False))
    return arrays


def write_predictor(tagger: Tagger, path: str | Path) -> bool:
    """Write `predictor.npz` for `tagger`; False (nothing written) when it has no prediction-only form."""
    arrays = predictor_arrays(tagger)
    if arrays is None:
        return False
    with open(path, "wb") as handle:
        np.savez(handle, **arrays)
    return True


def read_predictor(path: str | Path) -> Tagger:
    """A tagger that predicts exactly as the full model does, from `predictor.npz`.

    Parts that do not fit together (shapes, kinds, tasks, labels) raise
    ValueError before the tagger exists.
    """
    from classifier.text import remember_stems
    from classifier.vectorize import BatchLexicon, BatchVectorizer, BatchWords

    with np.load(path, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files}
    header = json.loads(_text(arrays["header"]))
    _require(isinstance(header, dict) and isinstance(header.get("blocks"), list), "no list of feature blocks")
    _require(isinstance(header.get("heads"), list) and len(header["heads"]) > 0, "no heads")
    blocks: list[Any] = []
    n_features = 0
    for i, spec in enumerate(header["blocks"]):
        _require(isinstance(spec, dict) and spec.get("kind") in ("words", "lexicon"), f"block {i} is of no known kind")
        if spec["kind"] == "lexicon":
            terms = [(label, tuple(words)) for label, words in spec["terms"]]
            blocks.append(BatchLexicon(spec["n_labels"], terms, spec["weight"]))
            n_features += int(spec["n_labels"])
            continue
        words = _text(arrays[f"b{i}.words"]).split("\n")
        _require(len(words) == len(arrays[f"b{i}.unigram_column"]), f"block {i}: words and columns differ in length")
        ngram_keys = {}
        for n in spec["ngram_sizes"]:
            keys, columns = arrays[f"b{i}.keys{n}"], arrays[f"b{i}.columns{n}"]
            _require(len(keys) == len(columns) and (keys >= 0).all(), f"block {i}: bad {n}-gram keys")
            ngram_keys[n] = (keys, columns)
        options = {key: value for key, value in spec.items() if key not in ("kind", "ngram_sizes")}
        options["ngram_range"] = tuple(options["ngram_range"])
        blocks.append(BatchWords(words, arrays[f"b{i}.unigram_column"], ngram_keys, arrays.get(f"b{i}.idf"), **options))
        n_features += int(spec["n_features"])
    heads = {spec.get("name"): _head(spec, arrays, n_features) for spec in header["heads"]}
    stems = (_text(arrays["stems.words"]), _text(arrays["stems.stems"]))
    _require(stems[0].count("\n") == stems[1].count("\n"), "words and stems differ in number")
    tagger = Tagger(None, heads, stems)
    remember_stems(stems)
    tagger._batch_vectorizer = BatchVectorizer(blocks)
    return tagger


def _head(spec: dict, arrays: dict[str, np.ndarray], n_features: int) -> Head:
    name, task, labels = spec.get("name"), spec.get("task"), spec.get("labels")
    _require(task in (MULTILABEL, MULTICLASS), f"head {name!r} has no known task")
    _require(isinstance(labels, list) and all(isinstance(label, str) for label in labels), "labels must be strings")
    weights, intercept = arrays[f"h.{name}.weights"], arrays[f"h.{name}.intercept"]
    thresholds = arrays[f"h.{name}.thresholds"] if task == MULTILABEL else None
    _require(weights.shape == (n_features, len(labels)), f"head {name!r}: weights of shape {weights.shape}")
    _require(intercept.shape == (len(labels),), f"head {name!r}: intercepts of shape {intercept.shape}")
    _require(thresholds is None or thresholds.shape == (len(labels),), f"head {name!r}: thresholds")
    return Head(name, task, labels, LinearScores(task, weights, intercept, thresholds))


def _require(condition: bool, what: str) -> None:
    if not condition:
        raise ValueError(f"malformed predictor: {what}")


def _text_array(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def _text(array: np.ndarray) -> str:
    return array.tobytes().decode("utf-8")
