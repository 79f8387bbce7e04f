"""TableMeta: who published a table and how to read its numbers.

Apart from :mod:`ronghe.measure.table` so that code reading the store without pandas (the JSON command path)
can carry the metadata.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class TableMeta:
    """Who published a table and how to read its numbers."""

    id: str
    publisher: str
    country: str  # ISO 3166-1 alpha-3, e.g. "CHN", "USA"
    year: int | None
    unit: str  # as published, e.g. "万元 (10,000 CNY)", "millions of USD"
    currency: str  # ISO 4217, e.g. "CNY"
    unit_factor: float  # one table unit in currency units (万元 → 1e4; $ millions → 1e6)
    price_basis: str = "producers' prices"
    layout: str = "generic"  # reader that produced it: nbs-153, bea-summary, generic, pymrio
    classification: str = "generic"  # sector code scheme, selects the shipped concordance
    source_files: tuple[str, ...] = ()
    sha256: tuple[str, ...] = ()
    notes: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["source_files"] = list(self.source_files)
        d["sha256"] = list(self.sha256)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TableMeta:
        d = dict(d)
        d["source_files"] = tuple(d.get("source_files", ()))
        d["sha256"] = tuple(d.get("sha256", ()))
        return cls(**d)
