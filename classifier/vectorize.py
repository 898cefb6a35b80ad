"""Batch vectorisation: a fitted feature union's `transform`, done per batch in numpy.

Training keeps scikit-learn's own vectorizers (so `clone`, `GridSearchCV` and
persistence see plain estimators). At prediction time the per-paragraph Python
work of `TfidfVectorizer` (a list of n-gram strings per paragraph, one
dictionary lookup per n-gram) and of the lexicon matcher is the bottleneck.
`BatchVectorizer` computes the same matrix from the fitted state: a batch is
normalised and tokenised as one string, every token is looked up once in a
table of the words seen so far (what each block needs to know about a word is
computed the first time it is met), and n-grams, counts, TF-IDF weights and
norms are array operations over the whole batch. Blocks it does not know
(character n-grams) fall back to their own `transform`.
`tests/test_vectorize.py` checks that it gives the same matrix.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from classifier.lexicon import Term, TermIndex, word_matches
from classifier.text import WordAnalyzer, canonical_token, french_stop_words, joined_token_bytes, split_separators, term

# Kinds of token (column 0 of the table); a compound holds separators and stands for its parts' rows.
WORD, BREAK, DROPPED, COMPOUND = 0, 1, 2, 3
STOP = -1  # a stop word: removed before n-grams are formed
UNKNOWN = -2  # a word outside the vocabulary: stays in the sequence, matches nothing
TABLE_LIMIT = 1_000_000


_BREAK = b"\x00"  # `classifier.text.DOCUMENT_BREAK` as a token of `joined_token_bytes`


class TokenTable(dict):
    """Raw token (UTF-8 bytes) -> row number; a token never seen gets a new row, its values computed once.

    Column 0 is the token's kind (word, document break, dropped elision); each
    block adds a column with what it needs of the canonical token (a
    vocabulary index, the lexicon terms it starts); `tokens` holds the
    canonical tokens (accent-folded if the table `folding`). The lookup of a
    whole batch is one `map` in C. A raw token that holds separators ("l’armée",
    «Gao») is a compound: `expand` replaces it by the rows of its parts.
    """

    def __init__(self, folding: bool) -> None:
        super().__init__()
        self.folding = folding
        self.columns: list[Callable[[str], int]] = []
        self.clear()

    def add_column(self, compute: Callable[[str], int]) -> int:
        self.columns.append(compute)
        self.clear()
        return len(self.columns)

    def clear(self) -> None:
        super().clear()
        self.tokens = []
        self.values = np.empty((1024, 1 + len(self.columns)), dtype=np.int64)
        self.parts: dict[int, list[int]] = {}  # compound row -> its parts' rows

    def __missing__(self, raw: bytes) -> int:
        text = raw.decode()
        pieces = [text] if raw.isascii() else split_separators(text)
        parts = [self[piece.encode()] for piece in pieces] if pieces != [text] else None
        row = len(self.tokens)
        if row == len(self.values):
            self.values = np.concatenate([self.values, np.empty_like(self.values)])
        if parts is not None:
            self.values[row] = [COMPOUND] + [0] * len(self.columns)
            self.parts[row] = parts
            token = None
        else:
            token = None if raw == _BREAK else canonical_token(text, self.folding)
            kind = BREAK if raw == _BREAK else DROPPED if token is None else WORD
            self.values[row] = [kind] + [compute(token) if kind == WORD else 0 for compute in self.columns]
        self.tokens.append(token)
        self[raw] = row
        return row

    def expand(self, rows: np.ndarray) -> np.ndarray:
        """`rows` with each compound replaced by its parts' rows, in order."""
        compound = np.flatnonzero(self.values[rows, 0] == COMPOUND)
        if not len(compound):
            return rows
        parts = [self.parts[row] for row in rows[compound].tolist()]
        counts = np.ones(len(rows), dtype=np.int64)
        counts[compound] = [len(p) for p in parts]
        expanded = np.repeat(rows, counts)
        starts = np.cumsum(counts) - counts
        spans = counts[compound]
        within = np.arange(spans.sum()) - np.repeat(np.cumsum(spans) - spans, spans)
        expanded[np.repeat(starts[compound], spans) + within] = [row for p in parts for row in p]
        return expanded

    def rows(self, tokens: list[bytes]) -> np.ndarray:
        if len(self) > TABLE_LIMIT:
            self.clear()
        # A subscript, not `get`: a token never seen goes through `__missing__` inside the same C loop.
        return np.fromiter(map(self.__getitem__, tokens), dtype=np.int64, count=len(tokens))


@dataclass
class Batch:
    """The word tokens of a batch: table rows in text order, the document of each, and the table."""

    rows: np.ndarray
    documents: np.ndarray
    n_documents: int
    table: TokenTable


class KeyIndex:
    """Non-negative int64 keys -> values, found for a whole array of queries at once (open addressing).

    A sorted array and `searchsorted` cost a binary search per query; here a
    query costs one multiplicative hash and, at a load of at most a quarter,
    about one probe. Linear probing, built and searched in rounds of array
    operations: a round places (or checks) every pending key at its next slot.
    """

    _MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)  # 2**64 / golden ratio: spreads consecutive keys

    def __init__(self, keys: np.ndarray, values: np.ndarray) -> None:
        bits = max(4, int(np.ceil(np.log2(max(len(keys), 1) * 4))))
        self._mask, self._shift = (1 << bits) - 1, np.uint64(64 - bits)
        self.slot_keys = np.full(1 << bits, -1, dtype=np.int64)
        self.slot_values = np.full(1 << bits, -1, dtype=np.int64)
        pending, home, offset = np.arange(len(keys)), self._home(keys), 0
        while len(pending):
            slots = (home + offset) & self._mask
            free = np.flatnonzero(self.slot_keys[slots] == -1)
            taken, first = np.unique(slots[free], return_index=True)  # one key per free slot this round
            winners = pending[free[first]]
            self.slot_keys[taken], self.slot_values[taken] = keys[winners], values[winners]
            placed = np.zeros(len(pending), dtype=bool)
            placed[free[first]] = True
            pending, home, offset = pending[~placed], home[~placed], offset + 1

    def _home(self, keys: np.ndarray) -> np.ndarray:
        return ((keys.astype(np.uint64) * self._MULTIPLIER) >> self._shift).astype(np.int64)

    def lookup(self, queries: np.ndarray) -> np.ndarray:
        """The value of each query's key, -1 where it has none."""
        found = np.full(len(queries), -1, dtype=np.int64)
        pending, home, offset = np.arange(len(queries)), self._home(queries), 0
        while len(pending):
            slots = (home + offset) & self._mask
            keys = self.slot_keys[slots]
            match = keys == queries[pending]
            found[pending[match]] = self.slot_values[slots[match]]
            going_on = (keys != -1) & ~match  # another key sits here: probe the next slot
            pending, home, offset = pending[going_on], home[going_on], offset + 1
        return found


class BatchVectorizer:
    """A fitted feature union's `transform`, faster, same result.

    Built from a fitted scikit-learn FeatureUnion by `from_union`; the blocks
    hold plain arrays and lists. Blocks it does not know (character n-grams)
    keep their own `transform`.
    """

    def __init__(self, blocks: list) -> None:
        self.tables: dict[bool, TokenTable] = {}
        self.blocks = blocks
        self._lock = threading.Lock()  # the word tables are caches that transform fills
        for block in blocks:
            if isinstance(block, (BatchWords, BatchLexicon)):
                block.attach(self.tables.setdefault(block.folding, TokenTable(block.folding)))

    def __getstate__(self) -> dict:
        return {"blocks": self.blocks}  # the word tables and the lock are rebuilt, empty

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["blocks"])

    @classmethod
    def from_union(cls, union) -> BatchVectorizer:
        from classifier.features import LexiconFeatures

        if union.transformer_weights or any(isinstance(t, str) for _, t in union.transformer_list):
            return cls([union])  # weighted, dropped or passed-through blocks: the union's own transform
        blocks = []
        for _, transformer in union.transformer_list:
            if isinstance(transformer, LexiconFeatures):
                blocks.append(BatchLexicon(len(transformer.names_), transformer.terms_, transformer.weight))
            elif BatchWords.can_take(transformer):
                blocks.append(BatchWords.from_vectorizer(transformer))
            else:
                blocks.append(transformer)
        return cls(blocks)

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        if isinstance(texts, str):
            raise TypeError("transform takes a sequence of texts, not one string")
        with self._lock:
            tokens = joined_token_bytes(texts) if self.tables else []
            batches = {folding: self._batch(tokens, len(texts), table) for folding, table in self.tables.items()}
            matrices = [
                block.transform_batch(batches[block.folding]) if isinstance(block, (BatchWords, BatchLexicon))
                else block.transform(texts)
                for block in self.blocks
            ]
        return sp.hstack(matrices).tocsr() if len(matrices) > 1 else matrices[0].tocsr()

    @staticmethod
    def _batch(tokens: list[bytes], n_documents: int, table: TokenTable) -> Batch:
        rows = table.expand(table.rows(tokens))
        kind = table.values[rows, 0]
        is_break = kind == BREAK
        documents = np.cumsum(is_break) - is_break
        words = kind == WORD
        return Batch(rows[words], documents[words], n_documents, table)


class BatchWords:
    """A fitted word-n-gram `TfidfVectorizer` (with a `WordAnalyzer`), per batch."""

    def __init__(
        self,
        words: Sequence[str],
        unigram_column: np.ndarray,
        ngram_keys: dict[int, tuple[np.ndarray, np.ndarray]],
        idf: np.ndarray | None,
        *,
        n_features: int,
        ngram_range: tuple[int, int] = (1, 2),
        stemming: bool = True,
        accent_folding: bool = True,
        stop_words: bool = True,
        sublinear_tf: bool = True,
        norm: str | None = "l2",
        dtype=np.float32,
    ) -> None:
        """Every word of the vocabulary's n-grams has an index (its place in `words`): `unigram_column[i]`
        is word i's column (-1 if it is no feature), and an n-gram is a number in base len(words),
        found in `ngram_keys[n]` (sorted keys, their columns). `from_grams` builds them."""
        self.words = list(words)
        self.word_index = dict(zip(self.words, range(len(self.words))))
        self.base = len(self.words)
        self.unigram_column, self.ngram_keys, self.idf = unigram_column, ngram_keys, idf
        # Which words start an n-gram of each length: only those positions are looked up.
        self.gram_starts, self.gram_index = {}, {}
        for n, (keys, columns) in ngram_keys.items():
            self.gram_starts[n] = np.zeros(self.base, dtype=bool)
            self.gram_starts[n][keys // self.base ** (n - 1)] = True
            self.gram_index[n] = KeyIndex(keys, columns)
        self.n_features = n_features
        self.folding, self.stemming, self.stop_words = accent_folding, stemming, stop_words
        self.low, self.high = ngram_range
        self.sublinear_tf, self.norm, self.dtype = sublinear_tf, norm, np.dtype(dtype)

    @property
    def options(self) -> dict:
        """The settings `__init__` takes besides the arrays (JSON-ready)."""
        return {
            "n_features": self.n_features,
            "ngram_range": [self.low, self.high],
            "stemming": self.stemming,
            "accent_folding": self.folding,
            "stop_words": self.stop_words,
            "sublinear_tf": self.sublinear_tf,
            "norm": self.norm,
            "dtype": self.dtype.str,
        }

    @classmethod
    def from_grams(cls, grams: Sequence[str], idf: np.ndarray | None, **options) -> BatchWords:
        """From the vocabulary: `grams[i]` is the n-gram of column i ("word" or "word word")."""
        words = sorted({w for gram in grams for w in gram.split(" ")})
        word_index = {w: i for i, w in enumerate(words)}
        unigram_column = np.full(len(words), -1, dtype=np.int64)
        keys: dict[int, list[tuple[int, int]]] = {}
        for column, gram in enumerate(grams):
            parts = [word_index[p] for p in gram.split(" ")]
            if len(parts) == 1:
                unigram_column[parts[0]] = column
            else:
                key = 0
                for part in parts:
                    key = key * len(words) + part
                keys.setdefault(len(parts), []).append((key, column))
        ngram_keys = {
            n: (np.array([k for k, _ in sorted(pairs)], dtype=np.int64), np.array([c for _, c in sorted(pairs)], dtype=np.int64))
            for n, pairs in keys.items()
        }
        return cls(words, unigram_column, ngram_keys, idf, n_features=len(grams), **options)

    @staticmethod
    def can_take(vectorizer) -> bool:
        """A fitted TfidfVectorizer over a WordAnalyzer, counting (not binary), whose n-gram keys fit 64 bits."""
        analyzer = getattr(vectorizer, "analyzer", None)
        if not (isinstance(analyzer, WordAnalyzer) and hasattr(vectorizer, "idf_")) or vectorizer.binary:
            return False
        words = len({w for gram in vectorizer.vocabulary_ for w in gram.split(" ")})
        return (words + 1) ** analyzer.ngram_range[1] < 2**63

    @classmethod
    def from_vectorizer(cls, vectorizer) -> BatchWords:
        analyzer: WordAnalyzer = vectorizer.analyzer
        grams = [""] * len(vectorizer.vocabulary_)
        for gram, column in vectorizer.vocabulary_.items():
            grams[column] = gram
        return cls.from_grams(
            grams,
            vectorizer.idf_ if vectorizer.use_idf else None,
            ngram_range=analyzer.ngram_range,
            stemming=analyzer.stemming,
            accent_folding=analyzer.accent_folding,
            stop_words=analyzer.stop_words,
            sublinear_tf=vectorizer.sublinear_tf,
            norm=vectorizer.norm,
            dtype=vectorizer.dtype,
        )

    def attach(self, table: TokenTable) -> None:
        """Add this block's column to the word table: each word's vocabulary index, or STOP/UNKNOWN."""
        stops = french_stop_words() if self.stop_words else frozenset()
        word_index, stemming, folding = self.word_index, self.stemming, self.folding

        def vocabulary_index(token: str) -> int:
            return STOP if token in stops else word_index.get(term(token, stemming, folding), UNKNOWN)

        self.column = table.add_column(vocabulary_index)

    def transform_batch(self, batch: Batch) -> sp.csr_matrix:
        ids = batch.table.values[batch.rows, self.column]
        kept = ids != STOP
        ids, doc = ids[kept], batch.documents[kept]
        rows, columns = [], []
        if self.low == 1:
            known = np.flatnonzero(ids >= 0)
            column = self.unigram_column[ids[known]]
            rows.append(doc[known][column >= 0])
            columns.append(column[column >= 0])
        for n in range(max(self.low, 2), self.high + 1):
            if n not in self.ngram_keys or len(ids) < n:
                continue
            span = len(ids) - n + 1
            first = ids[:span]
            valid = (doc[:span] == doc[n - 1 :]) & (first >= 0)
            valid[valid] = self.gram_starts[n][first[valid]]
            for offset in range(1, n):
                valid &= ids[offset : offset + span] >= 0
            positions = np.flatnonzero(valid)
            key = np.zeros(len(positions), dtype=np.int64)
            for offset in range(n):
                key = key * self.base + ids[positions + offset]
            column = self.gram_index[n].lookup(key)
            hit = column >= 0
            rows.append(doc[positions[hit]])
            columns.append(column[hit])
        row = np.concatenate(rows) if rows else np.empty(0, dtype=np.int64)
        column = np.concatenate(columns) if columns else np.empty(0, dtype=np.int64)
        X = sp.csr_matrix(
            (np.ones(len(row), dtype=self.dtype), (row, column)), shape=(batch.n_documents, self.n_features)
        )
        X.sum_duplicates()
        if self.sublinear_tf:
            np.log(X.data, X.data)
            X.data += 1
        if self.idf is not None:
            X.data *= self.idf[X.indices]
        if self.norm is not None:
            _normalize_rows(X, self.norm)
        return X


class BatchLexicon:
    """A fitted `LexiconFeatures`, per batch: single words by table, phrases checked only where one starts."""

    folding = True

    def __init__(self, n_labels: int, terms: Sequence[Term], weight: float) -> None:
        self.n_labels = n_labels
        self.terms = [(int(label), tuple(words)) for label, words in terms]
        self.weight = weight
        self.index = TermIndex(self.terms)
        # Each distinct set of terms a word can start gets a "start id"; 0 is the empty set.
        self._start_ids: dict[tuple[int, ...], int] = {(): 0}
        self._single_rows: list[np.ndarray] = [np.zeros(self.n_labels)]
        self._phrases: list[list[tuple[int, tuple[str, ...]]]] = [[]]
        self._single: sp.csr_matrix | None = None
        self._starts_phrase = np.zeros(1, dtype=bool)
        self._pairs: dict[tuple[int, str], list[tuple[int, tuple[str, ...]]]] = {}

    def attach(self, table: TokenTable) -> None:
        self.column = table.add_column(self._start_id)

    def _start_id(self, token: str) -> int:
        found = tuple(self.index.starting_with(token))
        if found not in self._start_ids:
            single = np.zeros(self.n_labels)
            phrases = []
            for index in found:
                label, words = self.terms[index]
                if len(words) == 1:
                    single[label] += 1
                else:
                    phrases.append((label, words[1:]))
            self._start_ids[found] = len(self._phrases)
            self._single_rows.append(single)
            self._phrases.append(phrases)
            self._single = None
        return self._start_ids[found]

    def transform_batch(self, batch: Batch) -> sp.csr_matrix:
        starts = batch.table.values[batch.rows, self.column]
        positions = np.flatnonzero(starts)
        docs = batch.documents[positions]
        if self._single is None:
            self._single = sp.csr_matrix(np.vstack(self._single_rows))
            self._starts_phrase = np.array([bool(p) for p in self._phrases])
        found = sp.csr_matrix(
            (np.ones(len(positions)), (docs, starts[positions])), shape=(batch.n_documents, len(self._phrases))
        )
        counts = (found @ self._single).toarray()
        phrase_positions = positions[self._starts_phrase[starts[positions]]]
        if len(phrase_positions):
            self._count_phrases(batch, phrase_positions, starts[phrase_positions], counts)
        return sp.csr_matrix(np.log1p(counts) * self.weight)

    def _count_phrases(self, batch: Batch, positions: np.ndarray, starts: np.ndarray, counts: np.ndarray) -> None:
        """Add the phrases that start at `positions`; (first word, second word) pairs are cached."""
        ends = np.searchsorted(batch.documents, np.arange(batch.n_documents), side="right")
        docs = batch.documents[positions]
        has_second = positions + 1 < ends[docs]  # a phrase needs a next word in the same paragraph
        positions, docs, starts = positions[has_second], docs[has_second], starts[has_second]
        tokens = batch.table.tokens
        if len(self._pairs) > TABLE_LIMIT:
            self._pairs.clear()
        hit_docs: list[int] = []
        hit_labels: list[int] = []
        longer: list[tuple[int, int, int, int, tuple[str, ...]]] = []  # phrases of three words or more
        seconds = batch.rows[positions + 1].tolist()
        for position, doc, start, second_row, end in zip(
            positions.tolist(), docs.tolist(), starts.tolist(), seconds, ends[docs].tolist()
        ):
            word = tokens[second_row]
            key = (start, word)  # by word, not table row: rows are renumbered when the table starts afresh
            matched = self._pairs.get(key)
            if matched is None:
                matched = self._pairs[key] = [
                    (label, rest[1:]) for label, rest in self._phrases[start] if word_matches(rest[0], word)
                ]
            for label, rest in matched:
                if rest:
                    longer.append((position, doc, end, label, rest))
                else:
                    hit_docs.append(doc)
                    hit_labels.append(label)
        if longer:
            rows = batch.rows.tolist()
            for position, doc, end, label, rest in longer:
                after = position + 2 + len(rest)
                if after <= end and all(
                    word_matches(pattern, tokens[row]) for pattern, row in zip(rest, rows[position + 2 : after])
                ):
                    hit_docs.append(doc)
                    hit_labels.append(label)
        np.add.at(counts, (np.array(hit_docs, dtype=np.intp), np.array(hit_labels, dtype=np.intp)), 1)


def _normalize_rows(X: sp.csr_matrix, norm: str) -> None:
    """Scale each row to unit norm in place, as scikit-learn's `normalize` does (float64 sums)."""
    rows = np.repeat(np.arange(X.shape[0]), np.diff(X.indptr))
    if norm == "l2":
        sums = np.sqrt(np.bincount(rows, weights=X.data * X.data, minlength=X.shape[0]))
    elif norm == "l1":
        sums = np.bincount(rows, weights=np.abs(X.data), minlength=X.shape[0])
    else:
        raise ValueError(f"unsupported norm {norm!r}")
    sums[sums == 0] = 1.0
    X.data = (X.data / sums[rows]).astype(X.dtype)
