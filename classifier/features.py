"""Text features: stemmed word n-grams, character n-grams and lexicon counts.

`build_features` returns one scikit-learn FeatureUnion; the model pipeline puts
a linear classifier after it, so `clone`, `GridSearchCV` and joblib all work on
the whole thing unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion
from sklearn.utils.validation import check_is_fitted

from classifier.lexicon import TermIndex, lexicon_terms, word_matches
from classifier.text import WordAnalyzer, normalize_folded, word_tokens


class LexiconFeatures(TransformerMixin, BaseEstimator):
    """One feature per lexicon entry: log(1 + matches of its terms), times `weight`.

    The lexicon is domain knowledge written from the label definitions; it lets
    a linear model generalise where the corpus is thin (see corpus-lessons).
    Matching runs on word tokens with a per-word cache, so its cost per
    paragraph is a dictionary lookup per word.
    """

    def __init__(self, lexicon: Mapping[str, Sequence[str]] | None = None, weight: float = 0.3) -> None:
        self.lexicon = lexicon
        self.weight = weight

    def fit(self, X: Iterable[str], y: object = None) -> LexiconFeatures:
        lexicon = dict(self.lexicon or {})
        self.names_ = sorted(lexicon)
        self.terms_ = [(j, words) for j, name in enumerate(self.names_) for words in lexicon_terms(lexicon[name])]
        return self

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop("_index", None)  # a cache, rebuilt on first use
        return state

    def term_index(self) -> TermIndex:
        index = self.__dict__.get("_index")
        if index is None:
            index = self.__dict__["_index"] = TermIndex(self.terms_)
        return index

    def counts(self, text: str) -> np.ndarray:
        tokens = word_tokens(text)
        counts = np.zeros(len(self.names_))
        for position, token in enumerate(tokens):
            for index in self.term_index().starting_with(token):
                label, words = self.terms_[index]
                rest = tokens[position + 1 : position + len(words)]
                if len(rest) == len(words) - 1 and all(map(word_matches, words[1:], rest)):
                    counts[label] += 1
        return counts

    def transform(self, X: Iterable[str]) -> sp.csr_matrix:
        check_is_fitted(self, "terms_")
        rows = [self.counts(text) for text in X]
        counts = np.asarray(rows, dtype=np.float64).reshape(-1, len(self.names_))
        return sp.csr_matrix(np.log1p(counts) * self.weight)

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        check_is_fitted(self, "names_")
        return np.asarray(list(self.names_), dtype=object)


def build_features(
    lexicon: Mapping[str, Sequence[str]] | None = None,
    *,
    word_ngrams: tuple[int, int] | None = (1, 2),
    char_ngrams: tuple[int, int] | None = (2, 5),
    stemming: bool = True,
    accent_folding: bool = True,
    lexicon_weight: float = 0.3,
    min_df: int = 2,
    sublinear_tf: bool = True,
) -> FeatureUnion:
    """The feature union of the default recipe; each block can be switched off (None)."""
    blocks: list[tuple[str, object]] = []
    if word_ngrams is not None:
        blocks.append(
            (
                "words",
                TfidfVectorizer(
                    analyzer=WordAnalyzer(word_ngrams, stemming=stemming, accent_folding=accent_folding),
                    min_df=min_df,
                    sublinear_tf=sublinear_tf,
                    dtype=np.float32,
                ),
            )
        )
    if char_ngrams is not None:
        blocks.append(
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb",
                    preprocessor=normalize_folded,
                    ngram_range=char_ngrams,
                    min_df=min_df,
                    sublinear_tf=sublinear_tf,
                    dtype=np.float32,
                ),
            )
        )
    if lexicon:
        blocks.append(("lexicon", LexiconFeatures(lexicon, weight=lexicon_weight)))
    if not blocks:
        raise ValueError("build_features needs at least one of word_ngrams, char_ngrams or a lexicon")
    return FeatureUnion(blocks)
