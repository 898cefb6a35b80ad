"""JSONL built from the model's arrays is exactly what encoding its records gives."""

from __future__ import annotations

import json

import numpy as np
import pytest

from classifier.model import _rounded_values
from classifier.output import jsonl_text
from classifier.persistence import load_model, load_predictor
from classifier.predict import BatchOptions, tag_batch, tag_batch_jsonl
from classifier.records import Row

TEXTS = [
    "Un attentat revendiqué par un groupe jihadiste a frappé Gao ; des réfugiés fuient.",
    "Le chômage recule, disent les syndicats à « Lomé ».",
    "Le club a remporté le match dimanche.",
    "!!!",
]


def _rows(texts):
    return [Row(i + 1, {"id": f"p{i}", "text": text}) for i, text in enumerate(texts)]


@pytest.mark.parametrize(
    "options",
    [BatchOptions(), BatchOptions(k=1), BatchOptions(threshold=0.2), BatchOptions(scores=False), BatchOptions(k=2, threshold=0.01)],
)
@pytest.mark.parametrize("loader", [load_model, load_predictor])
def test_lines_from_arrays_equal_the_encoded_records(small_model, options, loader):
    model, _ = loader(small_model)
    rows = _rows(TEXTS)
    text, errors = tag_batch_jsonl(rows, model, options)
    assert text == jsonl_text(tag_batch(rows, model, options))
    assert errors == [] and len(text.splitlines()) == len(TEXTS)


def test_ids_of_any_json_type_are_written_as_json(small_model):
    model, _ = load_predictor(small_model)
    rows = [Row(1, {"id": 7, "text": TEXTS[0]}), Row(2, {"text": TEXTS[1]}), Row(3, {"id": 'a "quoted" id', "text": TEXTS[2]})]
    text, _ = tag_batch_jsonl(rows, model, BatchOptions())
    assert [json.loads(line)["id"] for line in text.splitlines()] == [7, 2, 'a "quoted" id']
    assert text == jsonl_text(tag_batch(rows, model, BatchOptions()))


def test_a_batch_with_a_bad_row_or_a_cut_text_is_encoded_the_same_way(small_model):
    model, _ = load_predictor(small_model)
    rows = _rows(TEXTS) + [Row(9, error="malformed JSON (Expecting value at column 1)"), Row(10, {"text": "  "})]
    text, errors = tag_batch_jsonl(rows, model, BatchOptions())
    assert text == jsonl_text(tag_batch(rows, model, BatchOptions()))
    assert [(e["line"], e.get("field")) for e in errors] == [(9, None), (10, "text")]
    cut = BatchOptions(max_chars=20)
    assert tag_batch_jsonl(_rows(TEXTS), model, cut)[0] == jsonl_text(tag_batch(_rows(TEXTS), model, cut))
    assert "warning" in tag_batch_jsonl(_rows(TEXTS), model, cut)[0]


def test_every_rounded_score_is_written_as_json_writes_it():
    probabilities = np.r_[np.random.default_rng(0).random(200_000), 0.0, 1.0, 0.00005, 0.99995, 0.12345, 1e-9]
    table = _rounded_values()
    written = table[np.rint(probabilities * 10_000).astype(np.intp)]
    assert written.tolist() == [json.dumps(value) for value in np.round(probabilities, 4).tolist()]


def test_scores_that_are_not_probabilities_fall_back_to_the_records(small_model):
    model, _ = load_predictor(small_model)
    X = model.vectorize(TEXTS)
    assert model.encoded_records(X) == [json.dumps(r, ensure_ascii=False)[1:-1] for r in model.records(X)]
    model.heads["labels"].estimator.intercept_ = model.heads["labels"].estimator.intercept_ * np.nan
    assert model.encoded_records(X) is None
