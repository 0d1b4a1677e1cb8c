"""Sparse keyword vectors: BM25 term weights for the hybrid search's keyword half."""

from __future__ import annotations


class SparseEncoder:
    """BM25 term weights (Qdrant's own tokenizer and stemmer); IDF is applied by the index."""

    name = "bm25"

    def __init__(self) -> None:
        import qdrant_edge

        # Product texts are short (title, brand, attributes, a sentence or two).
        self._bm25 = qdrant_edge.Bm25(qdrant_edge.Bm25Config(avg_len=40.0))

    def document(self, text: str) -> tuple[list[int], list[float]]:
        v = self._bm25.embed_document(text)
        return list(v.indices), list(v.values)

    def query(self, text: str) -> tuple[list[int], list[float]]:
        v = self._bm25.embed_query(text)
        return list(v.indices), list(v.values)
