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
from collections.abc import Iterable, Sequence
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


LIGATURES = {"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE"}  # no decomposition in Unicode; French spells them out too


def _fold_table() -> dict[int, str]:
    """Accented Latin letters -> their base letters, ligatures spelt out, for `str.translate` (fast, in C).

    "main-d'œuvre" and "main-d'oeuvre" are the same word: feeds write both.
    """
    table = {ord(ligature): letters for ligature, letters in LIGATURES.items()}
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


ELIDED = frozenset(ELISIONS)
DOCUMENT_BREAK = "\x00"
# ASCII bytes that cannot be part of a word become spaces (`bytes.translate`, in C); letters,
# digits, "_", the document break and the bytes of multi-byte UTF-8 characters stay.
_ASCII_SEPARATORS = bytes(
    byte if byte >= 0x80 or byte == 0 or chr(byte).isalnum() or chr(byte) == "_" else 0x20 for byte in range(256)
)
_ASCII_BYTES = bytes(range(0x80))


def _non_ascii_chars(encoded: bytes) -> set[str]:
    """The distinct non-ASCII characters of UTF-8 text: its ASCII bytes deleted, the rest decoded."""
    return set(encoded.translate(None, _ASCII_BYTES).decode())


def _is_separator(char: str) -> bool:
    """Whether a non-ASCII character cuts words.

    Word characters are what the regular expression `\\w` takes (`str.isalnum`
    or "_"), plus combining marks, which stay inside their word (folding strips
    the Latin ones; the regular expression the tokenizer replaced cut words
    there); "ʼ" is an apostrophe here even though Unicode calls it a letter.
    """
    return char == "ʼ" or not (char.isalnum() or char == "_" or unicodedata.combining(char))


def joined_tokens(texts: Sequence[str]) -> list[str]:
    """The raw word tokens of a batch of texts in one list, each text's followed by `DOCUMENT_BREAK`.

    Tokens are raw: see `canonical_token` for what each one stands for;
    accents are folded per distinct token there.
    """
    return separated_text(texts).decode().split() if texts else []


def joined_token_bytes(texts: Sequence[str]) -> list[bytes]:
    """The batch vectoriser's raw tokens: UTF-8 bytes, which split faster, cut at spaces and ASCII separators.

    Other non-ASCII separators (’ « — …) stay inside a token: the vectoriser
    cuts such a token with `split_separators` the first time it meets it,
    which saves a pass over the whole batch per separator character. The
    words are the same as `joined_tokens`'.
    """
    return separated_text(texts, all_separators=False).split() if texts else []


def split_separators(token: str) -> list[str]:
    """The words of a raw token that holds non-ASCII separators: "l’armée" -> ["l", "armée"]."""
    return "".join(" " if _is_separator(char) else char for char in token).split()


def separated_text(texts: Sequence[str], all_separators: bool = True) -> bytes:
    """A batch as one UTF-8 string, normalised, with every separator a space: its words are its `split()`.

    The texts are joined and normalised as one string (NFC, case folded),
    which spends the per-call cost of each step once per batch instead of
    once per paragraph, and every step is a C string or bytes method: the
    distinct non-ASCII characters are found by deleting the ASCII bytes, and
    separators become spaces (ASCII ones by a byte table). Without
    `all_separators`, only the non-ASCII ones that are spaces do.
    """
    joined = " \x00 ".join(texts) + " \x00"
    if joined.count(DOCUMENT_BREAK) != len(texts):  # a text holds the separator itself
        joined = " \x00 ".join(text.replace(DOCUMENT_BREAK, " ") for text in texts) + " \x00"
    joined = unicodedata.normalize("NFC", joined)
    if joined.isascii():
        encoded = joined.lower().encode()
    else:
        # lower() is faster than casefold() and gives the same text unless a character folds otherwise
        # ("ß" -> "ss") or a capital sigma ends a word (lower() writes a final "ς", casefold() "σ")
        needs_casefold = any(c.casefold() != c.lower() or c == "Σ" for c in _non_ascii_chars(joined.encode()))
        encoded = (joined.casefold() if needs_casefold else joined.lower()).encode()
        for char in _non_ascii_chars(encoded):
            if _is_separator(char) and (all_separators or char.isspace()):
                encoded = encoded.replace(char.encode(), b" ")
    return encoded.translate(_ASCII_SEPARATORS)


def canonical_token(token: str, folding: bool = False) -> str | None:
    """What a raw token stands for: None for an elided word (l', qu', jusqu'…), "0" for a number.

    Dropping elisions lets "l'armée" and "armée" share a feature; "2024" and
    "12" are both the number token; letters mixed with digits ("g5") stay.
    With `folding`, accents are stripped first ("armée" -> "armee", and "ç'a"
    loses its elided "c" as "c'a" does).
    """
    if folding and not token.isascii():
        token = fold_accents(token)
        if not token:  # a token of combining marks alone folds to nothing
            return None
    if token in ELIDED:
        return None
    return NUMBER_TOKEN if token.isdigit() else token


def word_tokens_batch(texts: Sequence[str], folding: bool = True) -> list[list[str]]:
    """The canonical word tokens of each text (elisions dropped, numbers as "0", accents folded if asked)."""
    documents: list[list[str]] = [[]]
    canonical: dict[str, str | None] = {}
    for token in joined_tokens(texts):
        if token == DOCUMENT_BREAK:
            documents.append([])
            continue
        if token not in canonical:
            canonical[token] = canonical_token(token, folding)
        word = canonical[token]
        if word is not None:
            documents[-1].append(word)
    return documents[:-1]


def word_tokens(text: str, folding: bool = True) -> list[str]:
    """`word_tokens_batch` for one text."""
    return word_tokens_batch([text], folding)[0]


@lru_cache(maxsize=1)
def _french_stemmer():
    from nltk.stem.snowball import FrenchStemmer

    return FrenchStemmer()


_KNOWN_STEMS: dict[str, str] = {}


def stem(token: str) -> str:
    """Snowball French stem of one lower-case token (from the stems a model shipped, if it has it)."""
    known = _KNOWN_STEMS.get(token)
    return known if known is not None else _french_stemmer().stem(token)


def stem_table(words: Iterable[str]) -> tuple[str, str]:
    """Words and their stems as two newline-joined strings, which unpickle at once.

    A model keeps the stems of its training words: tagging then calls nltk's
    stemmer (and pays its import, about a second) only for words it never saw.
    """
    ordered = sorted(set(words))
    return "\n".join(ordered), "\n".join(stem(word) for word in ordered)


def remember_stems(table: tuple[str, str]) -> None:
    """Add a `stem_table` to the stems `stem` knows without nltk."""
    words, stems = table
    if words:
        _KNOWN_STEMS.update(zip(words.split("\n"), stems.split("\n")))


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
