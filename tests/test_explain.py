"""Explanations are exact: contributions add up to the logit, whose sigmoid is the score."""

from __future__ import annotations

import json
import math

import numpy as np
from typer.testing import CliRunner

from classifier.cli import app
from classifier.explain import explain, explain_row
from classifier.persistence import load_model


def test_contributions_add_up_to_the_reported_score(small_model):
    tagger, _ = load_model(small_model)
    text = "Un attentat jihadiste a frappé Gao ; les terroristes visaient la police."
    [items] = explain(tagger, [text], top=10_000)
    theme = next(i for i in items if i["head"] == "labels")
    assert theme["label"] == "terrorism"
    total = theme["intercept"] + sum(f["contribution"] for f in theme["features"])
    assert math.isclose(total, theme["logit"], abs_tol=1e-2)
    assert math.isclose(1 / (1 + math.exp(-theme["logit"])), theme["score"], abs_tol=1e-3)
    assert any(i["head"] == "topic" for i in items)


def test_hand_checked_contribution(small_model):
    """One feature by hand: its contribution is the paragraph's TF-IDF value times the label's weight."""
    tagger, _ = load_model(small_model)
    text = "attentat"
    X = tagger.vectorize([text])
    names = list(tagger.features.get_feature_names_out())
    column = names.index("words__attentat")
    value = X[0, column]
    weight = tagger.heads["labels"].estimator.coef_[tagger.heads["labels"].labels.index("terrorism"), column]
    item = explain_row(tagger, X[0], "labels", "terrorism", top=10_000)
    mine = next(f for f in item["features"] if f["feature"] == "words:attentat")
    assert math.isclose(mine["value"], value, abs_tol=1e-4)
    assert math.isclose(mine["contribution"], value * weight, abs_tol=1e-3)
    assert value > 0 and weight > 0  # "attentat" is evidence for terrorism in this data
    contributions = [f["contribution"] for f in item["features"]]
    assert contributions == sorted(contributions, reverse=True)


def test_explain_command_and_predict_explain(small_model):
    runner = CliRunner()
    result = runner.invoke(app, ["explain", "-m", str(small_model), "--top", "3", "--label", "migration",
                                 "Un attentat jihadiste à Gao."])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    explained = [(i["head"], i["label"]) for i in record["explanations"]]
    assert ("labels", "terrorism") in explained and ("labels", "migration") in explained
    assert all(len(i["features"]) <= 3 for i in record["explanations"])
    predicted = runner.invoke(app, ["predict", "-m", str(small_model), "--explain", "Des migrants secourus."])
    assert "explanations" in json.loads(predicted.stdout)
    assert np.isfinite(record["explanations"][0]["logit"])


def test_explain_names_a_bad_line_exits_1_and_explains_the_others(small_model, tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text('{"text": "Un attentat jihadiste."}\n{"text": ""}\n{"text": "Des migrants secourus."}\n')
    result = CliRunner().invoke(app, ["explain", "-m", str(small_model), "-i", str(source)])
    assert result.exit_code == 1
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [("explanations" in r, r.get("line")) for r in records] == [(True, None), (False, 2), (True, None)]
    assert "in.jsonl:2: field 'text': empty text" in result.stderr
