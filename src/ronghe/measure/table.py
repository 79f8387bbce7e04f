"""IOTable: the labelled blocks of one input-output table plus where it came from.

A thin container in the spirit of pymrio's IOSystem: it holds DataFrames and metadata, checks balance, and
hands arrays to :mod:`ronghe.measure.iomath`. It never stores derived n×n matrices it does not need.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from ronghe.errors import InputError
from ronghe.measure import iomath
from ronghe.measure.meta import TableMeta

__all__ = ["BALANCE_RTOL", "IOTable", "TableMeta"]

#: Relative tolerance for |x_rows − x_cols| / x when a table is checked; published tables balance to
#: rounding (NBS: exactly; BEA: to $1 million on cells of $10⁵–10⁶ million).
BALANCE_RTOL = 1e-3


@dataclass
class IOTable:
    """A symmetric (sector × sector) IO table.

    Z: n×n intermediate flows, index = columns = sector codes (same order).
    Y: n×k final demand by category; imports, where the table is competitive, are a negative column so
       that x = Z·1 + Y·1 holds. ``export_column`` names the exports column.
    V: m×n value-added rows (compensation, taxes, surplus, …).
    sector_names: code → name, in the publisher's language.
    """

    Z: pd.DataFrame
    Y: pd.DataFrame
    V: pd.DataFrame
    meta: TableMeta
    sector_names: pd.Series | None = None
    export_column: str | None = None
    published_x: pd.Series | None = None
    extensions: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: Multi-regional tables: the region of each sector (index = sector codes, which read "REGION/sector")
    #: and of each final-demand column; None for a national table. See :mod:`ronghe.measure.regions`.
    regions: pd.Series | None = None
    final_demand_regions: pd.Series | None = None

    # ----- labels -------------------------------------------------------------------------------
    @property
    def sectors(self) -> pd.Index:
        return self.Z.index

    @property
    def n(self) -> int:
        return len(self.Z.index)

    def names(self) -> pd.Series:
        if self.sector_names is None:
            return pd.Series(self.sectors, index=self.sectors)
        return self.sector_names.reindex(self.sectors).fillna(pd.Series(self.sectors, index=self.sectors))

    # ----- derived vectors (cheap, cached) ------------------------------------------------------
    @cached_property
    def x(self) -> pd.Series:
        """Total output from the row side, x = Z·1 + Y·1."""
        return pd.Series(iomath.calc_x(self.Z.to_numpy(), self.Y.to_numpy()), index=self.sectors, name="x")

    @cached_property
    def va(self) -> pd.Series:
        """Total value added by sector, 1'·V."""
        return pd.Series(self.V.to_numpy().sum(axis=0), index=self.sectors, name="value_added")

    @cached_property
    def v(self) -> pd.Series:
        """Value added per unit of output."""
        return pd.Series(iomath.calc_v(self.V.to_numpy(), self.x.to_numpy()), index=self.sectors, name="v")

    @property
    def exports(self) -> pd.Series | None:
        if self.export_column is None or self.export_column not in self.Y.columns:
            return None
        return self.Y[self.export_column]

    @property
    def final_demand(self) -> pd.Series:
        """Net final demand f = Y·1 (imports already netted where the table is competitive)."""
        return pd.Series(self.Y.to_numpy().sum(axis=1), index=self.sectors, name="final_demand")

    # ----- coefficient matrices (computed on request, not stored) -------------------------------
    def A(self) -> pd.DataFrame:
        return pd.DataFrame(iomath.calc_A(self.Z.to_numpy(), self.x.to_numpy()), self.sectors, self.sectors)

    @cached_property
    def leontief(self) -> iomath.Leontief:
        """LU factors of (I − A); cached because every indicator reuses them."""
        return iomath.factor_leontief(iomath.calc_A(self.Z.to_numpy(), self.x.to_numpy()), overwrite=True)

    def L(self) -> pd.DataFrame:
        """Explicit Leontief inverse, labelled (for the 完全消耗系数 tables of national IO tables)."""
        return pd.DataFrame(self.leontief.inverse(), self.sectors, self.sectors)

    def complete_consumption(self) -> pd.DataFrame:
        """完全消耗系数 B = L − I, labelled: the classic table of national IO publications."""
        return pd.DataFrame(iomath.calc_complete_consumption(self.leontief.inverse()), self.sectors, self.sectors)

    def linkages(self) -> pd.DataFrame:
        """Rasmussen linkages per sector: backward (影响力系数) and forward (感应度系数) in both variants.

        Computed with three solves on the cached LU, never the explicit inverse.
        """
        lu, x = self.leontief, self.x.to_numpy()
        return pd.DataFrame({
            "name": self.names().to_numpy(),
            "backward": iomath.backward_linkages(lu),
            "forward_leontief": iomath.forward_linkages(lu, variant="leontief"),
            "forward_ghosh": iomath.forward_linkages(lu, x, variant="ghosh"),
        }, index=self.sectors)

    # ----- checks -------------------------------------------------------------------------------
    def check(self, rtol: float = BALANCE_RTOL, *, source: str | None = None) -> None:
        """Refuse a table that would give silently wrong numbers; the error names the sector."""
        source = source or (self.meta.source_files[0] if self.meta.source_files else self.meta.id)
        z = self.Z.to_numpy()
        if z.shape[0] != z.shape[1] or not self.Z.index.equals(self.Z.columns):
            raise InputError("intermediate block is not square with the same sector codes on rows and columns",
                             file=source)
        if not self.Y.index.equals(self.Z.index) or not self.V.columns.equals(self.Z.columns):
            raise InputError("final demand rows or value-added columns do not follow the sector order of Z",
                             file=source)
        if self.Z.index.has_duplicates:
            dup = self.Z.index[self.Z.index.duplicated()][0]
            raise InputError(f"sector code {dup!r} appears twice", file=source)
        for name, block in (("Z", self.Z), ("Y", self.Y), ("V", self.V)):
            arr = block.to_numpy(dtype=float)
            bad = ~np.isfinite(arr)
            if bad.any():
                r, c = np.argwhere(bad)[0]
                raise InputError(f"block {name} has a missing or non-numeric value at row {block.index[r]!r}, "
                                 f"column {block.columns[c]!r}", file=source)
        x_rows = self.x.to_numpy()
        x_cols = iomath.calc_x_from_inputs(z, self.V.to_numpy())
        negative = np.flatnonzero(x_rows < 0)
        if negative.size:
            raise InputError(f"sector {self.sectors[negative[0]]!r} has negative total output "
                             f"{x_rows[negative[0]]:.6g}", file=source)
        scale = np.maximum(np.abs(x_rows), np.abs(x_cols))
        gap = np.abs(x_rows - x_cols)
        tol = rtol * np.maximum(scale, 1e-9 * max(float(scale.max(initial=0.0)), 1.0))
        off = np.flatnonzero(gap > tol)
        if off.size:
            j = off[np.argmax(gap[off] / np.maximum(scale[off], 1e-300))]
            raise InputError(
                f"totals do not balance for sector {self.sectors[j]!r}: output by rows (Z·1 + Y·1) = "
                f"{x_rows[j]:.10g} but inputs by columns (1'Z + 1'V) = {x_cols[j]:.10g} "
                f"(relative gap {gap[j] / scale[j]:.2e} > tolerance {rtol:.0e})", file=source)
        if self.published_x is not None:
            pub = self.published_x.reindex(self.sectors).to_numpy(dtype=float)
            pgap = np.abs(pub - x_rows)
            ptol = rtol * np.maximum(np.abs(pub), 1.0)
            off = np.flatnonzero(pgap > ptol)
            if off.size:
                j = off[0]
                raise InputError(
                    f"published total output of sector {self.sectors[j]!r} is {pub[j]:.10g} but its rows sum "
                    f"to {x_rows[j]:.10g} (relative gap {pgap[j] / max(abs(pub[j]), 1.0):.2e} > {rtol:.0e})",
                    file=source)

    # ----- conversions --------------------------------------------------------------------------
    def with_meta(self, **changes: Any) -> IOTable:
        return replace(self, meta=replace(self.meta, **changes))

    def aggregate(self, mapping: pd.Series, names: pd.Series | None = None) -> IOTable:
        """Aggregate sectors with a code → group mapping (every code must be mapped)."""
        missing = self.sectors.difference(mapping.index)
        if len(missing):
            raise InputError(f"aggregation mapping lacks sector code {missing[0]!r}")
        groups = mapping.reindex(self.sectors)
        Z = self.Z.groupby(groups.values).sum().T.groupby(groups.values).sum().T
        order = Z.index
        Y = self.Y.groupby(groups.values).sum().reindex(order)
        V = self.V.T.groupby(groups.values).sum().T[order]
        return IOTable(Z=Z, Y=Y, V=V, meta=self.meta, sector_names=names, export_column=self.export_column)

    def __repr__(self) -> str:
        m = self.meta
        return f"<IOTable {m.id}: {m.country} {m.year}, {self.n} sectors, {m.unit}>"
