"""Indexing: corpus files → documents → clauses → passages → vectors and BM25, persisted on disk."""
