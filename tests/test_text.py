"""The French text pipeline: normalisation, elisions, stems, n-grams."""

from __future__ import annotations

import pickle

import pytest

from classifier.text import WordAnalyzer, fold_accents, normalize, stem, word_tokens, word_tokens_batch


@pytest.mark.parametrize("apostrophe", ["'", "’", "ʼ"])
@pytest.mark.parametrize(
    "raw, expected",
    [
        ("l{a}armée", ["armee"]),
        ("d{a}Alger", ["alger"]),
        ("qu{a}il", ["il"]),
        ("jusqu{a}à Gao", ["a", "gao"]),
        ("lorsqu{a}elle", ["elle"]),
        ("puisqu{a}on", ["on"]),
        ("c{a}est", ["est"]),
        ("n{a}a", ["a"]),
        ("s{a}est", ["est"]),
        ("j{a}ai", ["ai"]),
        ("m{a}a", ["a"]),
        ("t{a}as", ["as"]),
    ],
)
def test_elided_words_are_dropped_with_any_apostrophe(apostrophe, raw, expected):
    assert word_tokens(raw.format(a=apostrophe)) == expected


def test_elision_only_as_a_word_of_its_own():
    # "aujourd'hui" is one word: nothing inside it is an elided article.
    assert word_tokens("aujourd'hui") == ["aujourd", "hui"]
    assert word_tokens("L’ARMÉE") == ["armee"]
    assert word_tokens("L’ARMÉE", folding=False) == ["armée"]


def test_numbers_are_one_token_and_letters_with_digits_stay():
    assert word_tokens("12 morts, 3,5 % en 2024 ; le G5 Sahel") == ["0", "morts", "0", "0", "en", "0", "le", "g5", "sahel"]


def test_a_batch_gives_each_text_its_own_tokens():
    texts = ["Gao 12", "345 Kidal", "", "l'", "a\x00b", "Tombouctou"]  # numbers at the joins, a NUL inside a text
    assert word_tokens_batch(texts) == [word_tokens(t) for t in texts]
    assert word_tokens_batch(texts)[4] == ["a", "b"]
    assert word_tokens_batch([]) == []


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
