"""Lexicon terms and where they start: shared by `LexiconFeatures` and the batch vectoriser."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from classifier.text import word_tokens

CACHE_LIMIT = 500_000
Term = tuple[int, tuple[str, ...]]  # (index of its lexicon entry, its words)


def lexicon_terms(terms: Iterable[str]) -> list[tuple[str, ...]]:
    """Terms as tuples of folded words; a word ending in `*` matches any word it starts.

    Terms go through the same normalisation as texts, so "enlèvement*" and
    "enlevement*" are one term and "trafic d'armes" matches "trafic d’armes".
    Elided words ("d", "l"…) are dropped: normalisation removes them from texts.
    """
    out = set()
    for term in terms:
        words = [w.replace("zzstarzz", "*") for w in word_tokens(term.replace("*", "zzstarzz"))]
        if words:
            out.add(tuple(words))
    return sorted(out)


def word_matches(pattern: str, token: str) -> bool:
    return token.startswith(pattern[:-1]) if pattern.endswith("*") else token == pattern


class TermIndex:
    """Which terms a word can start: exact first words, and prefixes of `*` first words; cached per word."""

    def __init__(self, terms: Sequence[Term]) -> None:
        self.terms = list(terms)
        self._exact: dict[str, list[int]] = {}
        self._prefixes: dict[str, list[int]] = {}
        for i, (_, words) in enumerate(self.terms):
            first = words[0]
            target = self._prefixes if first.endswith("*") else self._exact
            target.setdefault(first.rstrip("*"), []).append(i)
        self._cache: dict[str, list[int]] = {}

    def starting_with(self, token: str) -> list[int]:
        """Indices (into `terms`) of the terms whose first word matches `token`."""
        found = self._cache.get(token)
        if found is None:
            found = list(self._exact.get(token, ()))
            for end in range(1, len(token) + 1):
                found.extend(self._prefixes.get(token[:end], ()))
            if len(self._cache) > CACHE_LIMIT:
                self._cache.clear()
            self._cache[token] = found
        return found
