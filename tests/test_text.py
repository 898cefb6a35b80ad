"""The French text pipeline: normalisation, elisions, stems, n-grams."""

from __future__ import annotations

import pickle

import pytest

from classifier.text import WordAnalyzer, fold_accents, normalize, stem, tokenize


@pytest.mark.parametrize("apostrophe", ["'", "’"])
@pytest.mark.parametrize(
    "raw, expected",
    [
        ("l{a}armée", "armée"),
        ("d{a}Alger", "alger"),
        ("qu{a}il", "il"),
        ("jusqu{a}à Gao", "à gao"),
        ("lorsqu{a}elle", "elle"),
        ("puisqu{a}on", "on"),
        ("c{a}est", "est"),
        ("n{a}a", "a"),
        ("s{a}est", "est"),
        ("j{a}ai", "ai"),
        ("m{a}a", "a"),
        ("t{a}as", "as"),
    ],
)
def test_elisions_are_split_off_with_both_apostrophes(apostrophe, raw, expected):
    assert normalize(raw.format(a=apostrophe)) == expected


def test_elision_only_at_word_start():
    # "aujourd'hui" is one word: nothing inside it is an elided article.
    assert "aujourd" in tokenize(normalize("aujourd'hui"))
    assert tokenize(normalize("L’ARMÉE")) == ["armée"]


def test_numbers_are_normalised_to_one_token():
    assert tokenize(normalize("12 000 morts, 3,5 % et 1.200 euros en 2024")) == ["0", "morts", "0", "et", "0", "euros", "en", "0"]


def test_unicode_is_nfc_and_accent_folding_is_optional():
    decomposed = "e\u0301meute"  # "émeute" with a combining accent
    assert normalize(decomposed) == "émeute"
    assert normalize(decomposed, fold=True) == "emeute"
    assert fold_accents("Sécurité, français, Noël") == "Securite, francais, Noel"


def test_stemming_joins_inflections():
    assert stem("terroristes") == stem("terrorisme")
    assert stem("enlèvement") == stem("enlevés")
    assert stem("manifestations") == stem("manifestation")


def test_word_analyzer_drops_stop_words_before_bigrams():
    grams = WordAnalyzer()("L'emploi du temps des élèves")
    assert "emploi temp" in grams  # the schedule, not the job market
    assert not any(g in ("du", "des", "l") for g in grams)


def test_word_analyzer_matches_text_with_and_without_accents():
    analyzer = WordAnalyzer()
    assert analyzer("securite routiere, enlevements") == analyzer("sécurité routière, enlèvements")


def test_word_analyzer_options_and_pickling():
    analyzer = WordAnalyzer(ngram_range=(1, 1), stemming=False, accent_folding=False, stop_words=False)
    assert analyzer("Les réfugiés") == ["les", "réfugiés"]
    restored = pickle.loads(pickle.dumps(analyzer))
    assert restored == analyzer and restored("Les réfugiés") == ["les", "réfugiés"]


@pytest.mark.parametrize("text", ["", "   ", "!!!", "\x00\x01", "🙂" * 10, "٣٤٥", "a" * 10_000])
def test_analyzer_never_fails_on_odd_text(text):
    assert isinstance(WordAnalyzer()(text), list)
