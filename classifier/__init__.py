"""wiretag: tag French news paragraphs with themes and topics.

The Python API, for users who embed wiretag:

    import classifier
    model = classifier.load()                  # the shipped model, or load("path/to/model")
    classifier.predict(["Un texte…"], model)   # -> [{"id": 1, "labels": [...], "scores": {...}, ...}]
    model.pipeline()                           # the plain scikit-learn Pipeline underneath

Importing this package is cheap: scikit-learn and nltk load on first use.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["__version__", "load", "predict", "train"]


def load(directory: Any = None) -> Any:
    """Load a model directory (default: the shipped themes-fr model), checked and safely."""
    from classifier.persistence import load_model

    return load_model(directory)[0]


def predict(texts: Any, model: Any = None, *, k: int | None = None, threshold: float | None = None) -> list[dict]:
    """Tag paragraphs; returns one record per text, in order."""
    from classifier.predict import predict_texts

    return predict_texts(list(texts), model, k=k, threshold=threshold)


def train(paths: Any, output: Any, **options: Any) -> dict:
    """Train a model from labelled files into `output`; returns its manifest (see `training.train.train`)."""
    from training.train import train as train_model

    return train_model(list(paths), output, **options)
