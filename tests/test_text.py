"""The French text pipeline: normalisation, elisions, stems, n-grams."""

from __future__ import annotations

import pickle

import pytest

from classifier import text
from classifier.text import WordAnalyzer, fold_accents, normalize, stem, stem_table, word_tokens, word_tokens_batch


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


def test_separators_cut_words_and_letters_of_any_script_do_not():
    assert word_tokens("«Bonjour»—dit-il… 50€, 3°F", folding=False) == ["bonjour", "dit", "il", "0", "0", "f"]
    assert word_tokens("l\u00a0armée\u202fet x_y", folding=False) == ["armée", "et", "x_y"]
    assert word_tokens("Αθήνα, 北京 ; Kraków", folding=False) == ["αθήνα", "北京", "kraków"]
    assert word_tokens("e\u0301meute x\u0301y") == ["emeute", "xy"]  # a combining mark stays in its word, then folds


def test_folding_comes_before_elisions_and_numbers():
    assert word_tokens("Ç'a été dur ; ç’aurait pu") == ["a", "ete", "dur", "aurait", "pu"]
    assert word_tokens("Ç'a", folding=False) == ["ç", "a"]
    assert word_tokens("1\u0301 réforme_retraites") == ["0", "reforme_retraites"]


def test_case_folding_does_not_depend_on_the_rest_of_the_batch():
    # "ß" needs casefold and "Σ" lower's final sigma; whichever the batch holds, each text reads the same.
    texts = ["Straße", "ΣΟΦΟΣ", "L'ARMÉE"]
    alone = [word_tokens(t) for t in texts]
    assert alone == [["strasse"], ["σοφοσ"], ["armee"]]
    assert word_tokens_batch(texts) == alone
    assert word_tokens_batch(texts[1:]) == alone[1:]


def test_a_model_s_stem_table_answers_before_nltk(monkeypatch):
    words, stems = stem_table(["terroristes", "attentats", "terroristes"])
    assert words.split("\n") == ["attentats", "terroristes"]
    assert stems.split("\n") == [stem("attentats"), stem("terroristes")]
    monkeypatch.setattr(text, "_KNOWN_STEMS", {})
    text.remember_stems(("gao\nkidal", "gao-stem\nkidal-stem"))
    assert stem("kidal") == "kidal-stem"  # taken from the table, not computed
    assert stem("armées") == "armé"  # unknown words still go to the Snowball stemmer


def test_unicode_is_nfc_and_accent_folding_is_optional():
    decomposed = "e\u0301meute"  # "émeute" with a combining accent
    assert normalize(decomposed) == "émeute"
    assert normalize(decomposed, fold=True) == "emeute"
    assert fold_accents("Sécurité, français, Noël") == "Securite, francais, Noel"


def test_folding_spells_out_ligatures_so_both_spellings_meet():
    assert fold_accents("Œuvre, cœur, ex æquo") == "OEuvre, coeur, ex aequo"
    assert word_tokens("la main-d'œuvre") == word_tokens("la main-d'oeuvre") == ["la", "main", "oeuvre"]
    assert word_tokens("la main-d'œuvre", folding=False) == ["la", "main", "œuvre"]


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
