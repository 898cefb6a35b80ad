"""Text features: stemmed word n-grams, character n-grams and lexicon counts.

`build_features` returns one scikit-learn FeatureUnion; the model pipeline puts
a linear classifier after it, so `clone`, `GridSearchCV` and joblib all work on
the whole thing unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion
from sklearn.utils.validation import check_is_fitted

from classifier.text import WordAnalyzer, normalize_folded


def lexicon_pattern(terms: Iterable[str]) -> str:
    """One regex for a theme's terms: words in order, `*` closes an open-ended stem.

    Terms are matched on accent-folded, normalised text, so "enlèvement*" and
    "enlevement*" are the same term.
    """
    alternatives = []
    for raw in sorted({normalize_folded(t.replace("*", " zzstarzz ")) for t in terms}, key=len, reverse=True):
        words = [r"\w*" if w == "zzstarzz" else re.escape(w) for w in raw.split()]
        pattern = ""
        for word in words:
            if word == r"\w*":
                pattern += word
            else:
                pattern += (r"\W+" if pattern else "") + word
        alternatives.append(pattern)
    return r"\b(?:" + "|".join(alternatives) + r")\b" if alternatives else r"(?!)"


class LexiconFeatures(TransformerMixin, BaseEstimator):
    """One feature per lexicon entry: log(1 + matches of its terms), times `weight`.

    The lexicon is domain knowledge written from the label definitions; it lets
    a linear model generalise where the corpus is thin (see corpus-lessons).
    """

    def __init__(self, lexicon: Mapping[str, Sequence[str]] | None = None, weight: float = 0.3) -> None:
        self.lexicon = lexicon
        self.weight = weight

    def fit(self, X: Iterable[str], y: object = None) -> LexiconFeatures:
        lexicon = dict(self.lexicon or {})
        self.names_ = sorted(lexicon)
        self.patterns_ = [lexicon_pattern(lexicon[name]) for name in self.names_]
        return self

    def _compiled(self) -> list[re.Pattern[str]]:
        # re caches compiled patterns; the fitted state itself stays plain strings.
        return [re.compile(p) for p in self.patterns_]

    def transform(self, X: Iterable[str]) -> sp.csr_matrix:
        check_is_fitted(self, "patterns_")
        compiled = self._compiled()
        rows = []
        for text in X:
            folded = normalize_folded(text)
            rows.append([len(p.findall(folded)) for p in compiled])
        counts = np.asarray(rows, dtype=np.float64).reshape(-1, len(compiled))
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
