"""The French text pipeline: normalisation, tokens, stems and word n-grams.

Word tokens come from `joined_tokens`, which normalises a whole batch as one
string; the trainer's analyzer and the batch vectoriser both use it, so they
see the same tokens. Everything a fitted pipeline calls is a module-level function or class, so a
saved model pickles by reference and loads without this module changing shape.
The stemmer is nltk's SnowballStemmer, which needs no downloaded data; its
results are cached because stemming is the hot loop of prediction.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources

APOSTROPHES = "'’‘ʼ`´"
_APOSTROPHE_RE = re.compile(f"[{APOSTROPHES}]")
# Elided articles and pronouns: l', d', j', m', n', s', t', c', qu', jusqu', lorsqu', puisqu'.
ELISIONS = ("l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu")
_ELISION_RE = re.compile(r"\b(?:" + "|".join(sorted(ELISIONS, key=len, reverse=True)) + r")'", re.IGNORECASE)
_NUMBER_RE = re.compile(r"\d+(?:[.,\s]\d{3})*(?:[.,]\d+)?")
_SPACES_RE = re.compile(r"\s+")
NUMBER_TOKEN = "0"


def _fold_table() -> dict[int, str]:
    """Accented Latin letters -> their base letters, for `str.translate` (fast, in C)."""
    table = {}
    for code in range(0x00C0, 0x0250):
        base = "".join(ch for ch in unicodedata.normalize("NFD", chr(code)) if not unicodedata.combining(ch))
        if base != chr(code) and base.isascii():
            table[code] = base
    return table


_FOLD = _fold_table()
_HAS_MARKS_RE = re.compile("[\u0300-\u036f]")


def fold_accents(text: str) -> str:
    """Strip diacritics ("é" -> "e"), since feeds often drop them.

    Precomposed Latin letters go through a translation table; anything left
    with combining marks (rare) is decomposed and stripped.
    """
    text = text.translate(_FOLD)
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFD", text)
    if not _HAS_MARKS_RE.search(decomposed):
        return text
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def normalize(text: str, *, fold: bool = False) -> str:
    """NFC, one apostrophe, elisions split off, case folded, numbers as "0".

    Elided words (l', qu', jusqu'…) are dropped: they carry no topic, and
    splitting them lets "l'armée" and "armée" share a feature.
    """
    text = unicodedata.normalize("NFC", text)
    text = _APOSTROPHE_RE.sub("'", text).casefold()
    text = _ELISION_RE.sub(" ", text)
    text = _NUMBER_RE.sub(" 0 ", text)
    if fold:
        text = fold_accents(text)
    return _SPACES_RE.sub(" ", text).strip()


@lru_cache(maxsize=8192)
def normalize_folded(text: str) -> str:
    """`normalize` with accents folded, cached: the string character n-grams are taken from.

    Word n-grams and the lexicon read tokens instead (`word_tokens`).
    """
    return normalize(text, fold=True)


# The accented letters and typographic signs of French text, replaced with
# plain `str.replace` (C speed) before the slower general folding runs on
# whatever non-ASCII is left.
_COMMON_FOLDS = tuple((ch, _FOLD[ord(ch)]) for ch in "éèêëàâäçîïôöûùüÿ") + tuple(
    (ch, " ") for ch in "«»’‘“”–—…\u00a0\u202f"
)
_NON_ASCII_RE = re.compile(r"[^\x00-\x7f]+")
ELIDED = frozenset(ELISIONS)
DOCUMENT_BREAK = "\x00"
_TOKEN_OR_BREAK_RE = re.compile(r"\w+|\x00")


def _fold_run(match: re.Match) -> str:
    return fold_accents(match.group())


def fold_common(text: str) -> str:
    """`fold_accents` for case-folded text, fast when most of it is plain French."""
    for accented, plain in _COMMON_FOLDS:
        if accented in text:
            text = text.replace(accented, plain)
    return text if text.isascii() else _NON_ASCII_RE.sub(_fold_run, text)


def joined_tokens(texts: Sequence[str], folding: bool = True) -> list[str]:
    """The raw word tokens of a batch of texts in one list, each text's followed by `DOCUMENT_BREAK`.

    The texts are joined and normalised as one string (NFC, case folded,
    accents folded if asked), which spends the per-call cost of each step
    once per batch instead of once per paragraph. Tokens are raw: see
    `canonical_token` for what each one stands for.
    """
    if not texts:
        return []
    joined = DOCUMENT_BREAK.join(texts) + DOCUMENT_BREAK
    if joined.count(DOCUMENT_BREAK) != len(texts):  # a text holds the separator itself
        joined = DOCUMENT_BREAK.join(text.replace(DOCUMENT_BREAK, " ") for text in texts) + DOCUMENT_BREAK
    joined = unicodedata.normalize("NFC", joined).casefold()
    if "ʼ" in joined:  # the one apostrophe that counts as a letter
        joined = joined.replace("ʼ", "'")
    if folding:
        joined = fold_common(joined)
    return _TOKEN_OR_BREAK_RE.findall(joined)


def canonical_token(token: str) -> str | None:
    """What a raw token stands for: None for an elided word (l', qu', jusqu'…), "0" for a number.

    Dropping elisions lets "l'armée" and "armée" share a feature; "2024" and
    "12" are both the number token; letters mixed with digits ("g5") stay.
    """
    if token in ELIDED:
        return None
    return NUMBER_TOKEN if token.isdigit() else token


def word_tokens_batch(texts: Sequence[str], folding: bool = True) -> list[list[str]]:
    """The canonical word tokens of each text (elisions dropped, numbers as "0")."""
    documents: list[list[str]] = [[]]
    for token in joined_tokens(texts, folding):
        if token == DOCUMENT_BREAK:
            documents.append([])
        else:
            token = canonical_token(token)
            if token is not None:
                documents[-1].append(token)
    return documents[:-1]


def word_tokens(text: str, folding: bool = True) -> list[str]:
    """`word_tokens_batch` for one text."""
    return word_tokens_batch([text], folding)[0]


@lru_cache(maxsize=1)
def _french_stemmer():
    from nltk.stem.snowball import FrenchStemmer

    return FrenchStemmer()


def stem(token: str) -> str:
    """Snowball French stem of one lower-case token."""
    return _french_stemmer().stem(token)


@lru_cache(maxsize=500_000)
def term(token: str, stemming: bool, folding: bool) -> str:
    """The feature a token stands for: accent-folded then stemmed, as asked; cached.

    Folding comes first so that a feed that drops accents ("securite") meets
    the same stem as one that keeps them ("sécurité").
    """
    if folding:
        token = fold_accents(token)
    return stem(token) if stemming else token


@lru_cache(maxsize=1)
def french_stop_words() -> frozenset[str]:
    """The project's own French stop-word list (nltk's needs a download)."""
    text = resources.files("classifier").joinpath("stopwords_fr.txt").read_text(encoding="utf-8")
    words = {line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")}
    return frozenset(words | {fold_accents(w) for w in words})


class WordAnalyzer:
    """Text -> stemmed word n-grams, a drop-in `analyzer` for scikit-learn vectorizers.

    A class, not a closure, so that a fitted vectorizer holding it can be pickled.
    Stop words are removed before n-grams are formed, so "emploi du temps" gives
    the bigram "emploi temps" that tells the schedule from the job.
    """

    def __init__(
        self,
        ngram_range: tuple[int, int] = (1, 2),
        stemming: bool = True,
        accent_folding: bool = True,
        stop_words: bool = True,
    ) -> None:
        self.ngram_range = tuple(ngram_range)
        self.stemming = stemming
        self.accent_folding = accent_folding
        self.stop_words = stop_words

    def __repr__(self) -> str:
        return (
            f"WordAnalyzer(ngram_range={self.ngram_range}, stemming={self.stemming}, "
            f"accent_folding={self.accent_folding}, stop_words={self.stop_words})"
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, WordAnalyzer) and vars(self) == vars(other)

    def __hash__(self) -> int:
        return hash(tuple(vars(self).items()))

    def terms(self, text: str) -> list[str]:
        """The unigrams the n-grams are made of, in text order."""
        tokens = word_tokens(text, self.accent_folding)
        if self.stop_words:
            stops = french_stop_words()
            tokens = [t for t in tokens if t not in stops]
        return [term(t, self.stemming, self.accent_folding) for t in tokens]

    def __call__(self, text: str) -> list[str]:
        terms = self.terms(text)
        low, high = self.ngram_range
        grams = list(terms) if low == 1 else []
        for n in range(max(low, 2), high + 1):
            grams.extend(" ".join(terms[i : i + n]) for i in range(len(terms) - n + 1))
        return grams
