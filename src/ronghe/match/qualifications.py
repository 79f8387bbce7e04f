"""The qualification registry (资质登记): certificates and licences as data, so "holds what is required" is exact.

A qualification is known by a ``code`` (``cnas``, ``iatf16949``, ``hazardous_waste`` …). People write them many
ways (「CNAS 实验室认可证书」, 「CNAS（检测环节）」, 「ISO/IEC 17025」), so each entry has aliases, and
:func:`Registry.resolve` turns any of them into the code. A text the registry does not know is kept verbatim
(``Requirement.code`` is then the text itself) and matches only the identical string — never a guess.

A requirement written with 「推荐」「优先」「涉及时」「如需」 is a preference, not a hard constraint.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files

OPTIONAL_MARKERS = ("推荐", "优先", "涉及时", "如需", "可选")
_PAREN = re.compile(r"[（(][^（）()]*[）)]")


@dataclass(frozen=True)
class Qualification:
    code: str
    name_zh: str
    name_en: str
    authority: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Requirement:
    """A required qualification as read from an item or a demand: its code and whether it is a hard constraint."""

    code: str
    strict: bool
    text: str
    known: bool


def _key(text: str) -> str:
    """Compare names without case, spaces or full-width/half-width differences."""
    return re.sub(r"[\s\u3000]+", "", text).replace("（", "(").replace("）", ")").lower()


@dataclass
class Registry:
    qualifications: dict[str, Qualification]
    _by_key: dict[str, str] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for q in self.qualifications.values():
            for name in (q.code, q.name_zh, q.name_en, *q.aliases):
                self._by_key.setdefault(_key(name), q.code)

    @classmethod
    def from_rows(cls, rows: Iterable[Mapping]) -> Registry:
        """Build from dicts with code, name_zh, name_en, authority, aliases (the JSON file, or the platform's table)."""
        items = {}
        for r in rows:
            aliases = r.get("aliases") or ()
            if isinstance(aliases, str):
                aliases = [a for a in aliases.split("|") if a]
            items[r["code"]] = Qualification(r["code"], r["name_zh"], r.get("name_en", ""),
                                             r.get("authority", "other"), tuple(aliases))
        return cls(items)

    def code_of(self, text: str) -> str | None:
        """The registry code of a name or alias; the name without its parenthetical qualifiers as a fallback."""
        text = text.strip()
        hit = self._by_key.get(_key(text))
        if hit is None:
            base = _PAREN.sub("", text).strip()
            hit = self._by_key.get(_key(base)) if base else None
        return hit

    def resolve(self, text: str) -> Requirement:
        code = self.code_of(text)
        strict = not any(m in text for m in OPTIONAL_MARKERS)
        return Requirement(code or text.strip(), strict, text, code is not None)

    def name(self, code: str, lang: str = "zh") -> str:
        q = self.qualifications.get(code)
        if q is None:
            return code
        return q.name_en if lang == "en" and q.name_en else q.name_zh


@cache
def default_rows() -> tuple[dict, ...]:
    data = json.loads(files("ronghe.match").joinpath("data", "qualifications.json").read_text(encoding="utf-8"))
    return tuple(data["qualifications"])


@cache
def default_registry() -> Registry:
    """The shipped registry (``data/qualifications.json``); the platform builds its own from its table."""
    return Registry.from_rows(default_rows())
