"""Who a user is on the platform, as core needs to know it — supplied by an app above core.

Core decides nothing about organizations itself: the accounts app registers an :class:`Identity` in its
``AppConfig.ready()`` (``core.identity.use(...)``), so core never imports accounts and a test can plug in
another one. Until one is registered, nobody belongs to anything (every user is treated as anonymous-like).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class Affiliation:
    """One membership as core sees it: which organization, of which kind, with which role."""

    organization_id: int
    kind: str
    role: str
    name: str = ""
    #: whether the platform has verified the organization (审核通过): only verified ones are entitled to more
    #: than public summaries, and only verified certifiers and associations verify others
    verified: bool = True


class Identity(Protocol):
    #: kinds whose members may act on everything (平台运营方)
    operator_kinds: frozenset[str]
    #: kinds whose members only read (政府)
    read_only_kinds: frozenset[str]

    def affiliations(self, user: Any) -> list[Affiliation]: ...


class _Nobody:
    operator_kinds: frozenset[str] = frozenset()
    read_only_kinds: frozenset[str] = frozenset()

    def affiliations(self, user: Any) -> list[Affiliation]:
        return []


_current: Identity = _Nobody()


def use(identity: Identity) -> None:
    """Register the platform's identity source (called once by the accounts app)."""
    global _current
    _current = identity


def current() -> Identity:
    return _current
