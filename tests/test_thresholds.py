"""Threshold rules: the F1-optimal cut, the tolerance band, and its bootstrap width."""

import numpy as np
import pytest

from tests.conftest import labelled_rows, write_jsonl
from training.data import load_labelled
from training.thresholds import f1_optimal_threshold, f1_standard_error, tuned_threshold

# F1 of cutting under each score: 0.5, 0.8, 0.667, 0.857 (best), 0.75, 0.667.
Y = np.array([1, 1, 0, 1, 0, 0])
P = np.array([0.9, 0.8, 0.7, 0.6, 0.3, 0.1])


def test_best_cut_sits_between_the_scores_around_the_f1_maximum():
    assert f1_optimal_threshold(Y, P) == pytest.approx(0.45)


def test_tolerance_takes_the_lowest_cut_within_it():
    assert f1_optimal_threshold(Y, P, tolerance=0.10) == pytest.approx(0.45)  # 0.75 is 0.107 under the best
    assert f1_optimal_threshold(Y, P, tolerance=0.11) == pytest.approx(0.2)


def test_floor_bounds_every_cut():
    assert f1_optimal_threshold(Y, P, floor=0.5) == 0.5
    assert f1_optimal_threshold(np.zeros(6), P, floor=0.05) == 0.5  # a label never seen keeps 0.5


def test_standard_error_is_zero_when_scores_separate_perfectly():
    y = np.array([1] * 20 + [0] * 80)
    p = np.r_[np.linspace(0.9, 0.99, 20), np.linspace(0.01, 0.4, 80)]
    assert f1_standard_error(y, p, 0.5) == 0.0
    assert tuned_threshold(y, p, rule="one_se") == tuned_threshold(y, p, rule="best")


def test_resampling_whole_stories_widens_the_error_when_a_story_repeats():
    rng = np.random.default_rng(1)
    y = np.repeat(rng.integers(0, 2, 50), 8)  # 50 stories told 8 times each
    p = y * 0.3 + np.repeat(rng.random(50), 8) * 0.6  # overlapping: errors come by story
    stories = np.repeat([f"s{i}" for i in range(50)], 8)
    assert f1_standard_error(y, p, 0.5, groups=stories) > f1_standard_error(y, p, 0.5)


def test_one_se_rule_moves_the_cut_down_a_flat_f1_curve():
    rng = np.random.default_rng(0)
    y = rng.random(2000) < 0.3
    p = np.clip(np.where(y, rng.normal(0.7, 0.2, 2000), rng.normal(0.3, 0.2, 2000)), 0, 1)
    best, one_se = tuned_threshold(y, p, rule="best"), tuned_threshold(y, p, rule="one_se")
    assert one_se < best
    recall = lambda cut: (p[y] >= cut).mean()  # noqa: E731
    assert recall(one_se) > recall(best)


def test_unknown_rule_is_refused():
    with pytest.raises(ValueError, match="one_se"):
        tuned_threshold(Y, P, rule="lowest")


def _small_data(tmp_path, heads=("labels", "topic")):
    rows = [{k: v for k, v in r.items() if k in ("id", "text", *heads)} for r in labelled_rows()]
    return load_labelled([write_jsonl(tmp_path / "rows.jsonl", rows)])


def test_thresholds_are_tuned_on_the_scores_of_every_repeat_together(tmp_path):
    from training.train import Recipe, cross_validated_probabilities, encode_targets, fit_tagger

    data = _small_data(tmp_path)
    recipe = Recipe(cv_folds=3, cv_repeats=2)
    tagger, _ = fit_tagger(data, recipe, seed=0)
    labels, target = encode_targets(data)["labels"]
    runs = [cross_validated_probabilities(data, encode_targets(data), recipe, None, seed)["labels"] for seed in (0, 1)]
    pooled = np.concatenate(runs)
    expected = [tuned_threshold(np.concatenate([target] * 2)[:, j], pooled[:, j]) for j in range(len(labels))]
    first_only = [tuned_threshold(target[:, j], runs[0][:, j]) for j in range(len(labels))]
    assert expected != pytest.approx(first_only, abs=1e-4)  # the repeats do move the cuts here
    assert list(tagger.heads["labels"].thresholds.values()) == pytest.approx(expected)


def test_data_without_thresholds_to_tune_is_cross_validated_once(tmp_path, monkeypatch):
    import training.train as train_module

    calls = []
    real = train_module.cross_validated_probabilities
    monkeypatch.setattr(train_module, "cross_validated_probabilities", lambda *a, **k: calls.append(1) or real(*a, **k))
    train_module.fit_tagger(_small_data(tmp_path, heads=("topic",)), train_module.Recipe(cv_folds=3, cv_repeats=3))
    assert len(calls) == 1
