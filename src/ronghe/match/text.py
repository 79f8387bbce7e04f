"""Chinese-aware tokenization: jieba with the catalog's terms as a user dictionary.

``cut_for_search`` emits a long term and its parts (「注塑模具设计」 → 「注塑」「模具」「设计」「注塑模具设计」),
so a demand that says 「模具」 still meets an offering that says 「注塑模具设计」. Latin terms (DFMEA, MES,
CNAS) are lower-cased; one-character tokens, punctuation and function words are dropped.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from functools import cache

import jieba

jieba.setLogLevel(logging.WARNING)

_STOPWORD_TEXT = (
    "的 了 和 与 及 或 等 为 对 在 是 把 被 将 由 从 向 以 于 并 其 该 本 我 我们 你们 他们 公司 企业 需要 希望 进行 "
    "提供 相关 服务 项目 要求 能够 可以 一家 一个 一些 以及 包括 通过 按照 用于 如何 哪些 什么 寻求 寻找 找 想 "
    "拟 采购 现 目前 情况 方面 工作 我司 贵司 有限公司 the a an of and or for to in on with by"
)
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_KEEP = re.compile(r"[\w\u4e00-\u9fff]")


class Tokenizer:
    """A private jieba instance (the global one is left alone) that knows the catalog's terms."""

    def __init__(self, terms: Iterable[str] = ()) -> None:
        self._jieba = jieba.Tokenizer()
        self._jieba.initialize()
        for term in terms:
            self._jieba.add_word(term.lower(), freq=20000)

    def tokens(self, text: str) -> list[str]:
        out = []
        for tok in self._jieba.cut_for_search(text.lower()):
            tok = tok.strip()
            if len(tok) < 2 or tok in STOPWORDS or not _KEEP.search(tok):
                continue
            out.append(tok)
        return out

    def many(self, texts: Iterable[str]) -> list[list[str]]:
        return [self.tokens(t) for t in texts]


@cache
def default_tokenizer() -> Tokenizer:
    """One per process, with the shipped catalog's dictionary (building it takes about a second)."""
    from ronghe.match.catalog import dictionary_terms

    return Tokenizer(dictionary_terms())
