"""The shipped corpus meets the figures its issue asks for, and `data check` passes on it."""

from __future__ import annotations

import pytest

from training.datacheck import check_data
from training.datasheet import DATA, REGIONS, figures, load_rows
from training.records import read_records


@pytest.fixture(scope="module")
def stats():
    return figures(load_rows())


def test_size_and_theme_counts(stats):
    assert stats["unique_texts"] == stats["rows"] >= 4000
    assert len(stats["themes"]) == 10
    assert min(stats["themes"].values()) >= 300
    assert stats["no_theme"] >= 1300
    assert sum(1 for n in stats["no_theme_topics"].values() if n >= 50) >= 8


def test_registers_negatives_and_combinations(stats):
    assert stats["dispatch_share"] <= 0.5
    assert len(stats["registers"]) == 9
    assert stats["hard_negatives"] >= 500
    assert stats["multi_theme_share_of_themed"] >= 0.30


def test_variety_of_places_and_lengths(stats):
    assert stats["countries"] >= 60
    assert set(REGIONS) <= set(stats["regions"])
    assert stats["regions"]["Sahel"] >= 500 and stats["regions"]["Maghreb and Libya"] >= 500
    assert stats["length_chars"]["min"] >= 40 and stats["length_chars"]["max"] <= 1500


def test_every_topic_has_150_paragraphs(stats):
    assert len(stats["topics"]) == 10 and min(stats["topics"].values()) >= 150


def test_test_split_is_a_fifth_and_grouped_by_story(stats):
    rows = load_rows()
    share = stats["split"]["test"] / stats["rows"]
    assert 0.17 <= share <= 0.23
    train_stories = {r["story"] for r in rows if r["split"] == "train"}
    assert not any(r["story"] in train_stories for r in rows if r["split"] == "test")


def test_blind_pass_covers_a_tenth_with_good_agreement(stats):
    blind = stats["blind_pass"]
    assert blind["share_of_corpus"] >= 0.06  # 10% of the corpus when it was drawn
    assert min(v["kappa"] for v in blind["per_theme"].values()) >= 0.6


def test_data_check_passes_on_the_corpus():
    report = check_data([DATA / "themes-train.jsonl"], test=[DATA / "themes-test.jsonl"],
                        taxonomy_path=DATA.parent / "taxonomy.toml")
    assert report["errors"] == []


def test_corpus_shares_no_text_with_the_evaluation_sets(shared):
    import json

    from training.contamination import flagged_rows

    held_out = [json.loads(line)["text"] for path in [shared / "eval/real-dev.jsonl", *sorted((shared / "benchmarks").glob("*/*.jsonl"))]
                for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    corpus = [r for r in load_rows()]
    assert flagged_rows(corpus, held_out) == {}


def test_the_corpus_carries_every_review_decision():
    """A reviewed label or topic edited back by hand, without a new decision, fails here."""
    rows = {r["id"]: r for r in load_rows()}
    themes = {(d["id"], d["theme"]): d["carries"] for d in read_records(DATA / "review/suspects-reviewed.jsonl")}
    topics = {d["id"]: d["carries"] for d in read_records(DATA / "review/topics-reviewed.jsonl")}
    assert themes and topics
    assert [key for key, carries in themes.items() if (key[1] in rows[key[0]]["labels"]) != carries] == []
    assert [key for key, topic in topics.items() if rows[key]["topic"] != topic] == []
