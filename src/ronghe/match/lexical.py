"""The lexical retriever: BM25 (``bm25s``) over jieba tokens of the distinct offering texts.

bm25s keeps BM25's per-(term, document) scores in a sparse matrix; we read it as a SciPy CSR matrix (terms ×
documents) so that scores for a whole corpus (one demand) and for a few pairs (a provider's feed) are the same
numbers.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import bm25s
import numpy as np
import scipy.sparse as sp

logging.getLogger("bm25s").setLevel(logging.WARNING)


class LexicalIndex:
    def __init__(self, docs: Sequence[Sequence[str]], k1: float = 1.2, b: float = 0.75) -> None:
        self.n_docs = len(docs)
        self.vocab: dict[str, int] = {}
        if not docs:
            self.matrix = sp.csr_matrix((0, 0), dtype=np.float32)
            return
        retriever = bm25s.BM25(k1=k1, b=b)
        retriever.index([list(d) for d in docs], show_progress=False)
        s = retriever.scores
        self.vocab = dict(retriever.vocab_dict)
        self.matrix = sp.csr_matrix((s["data"], s["indices"], s["indptr"]),
                                    shape=(len(s["indptr"]) - 1, s["num_docs"]))
        self.retriever = retriever

    def ids(self, tokens: Sequence[str]) -> list[int]:
        return sorted({self.vocab[t] for t in tokens if t in self.vocab and t})

    def scores(self, tokens: Sequence[str]) -> np.ndarray:
        """BM25 of the query against every document (bm25s's own scoring)."""
        ids = self.ids(tokens)
        if not ids or not self.n_docs:
            return np.zeros(self.n_docs, np.float32)
        return np.asarray(self.retriever.get_scores(ids), dtype=np.float32)

    def pair_scores(self, tokens: Sequence[str], docs: np.ndarray) -> np.ndarray:
        """BM25 of the query against the given documents only (same numbers as ``scores``)."""
        ids = self.ids(tokens)
        if not ids or not len(docs):
            return np.zeros(len(docs), np.float32)
        return np.asarray(self.matrix[ids][:, docs].sum(axis=0), dtype=np.float32).ravel()
