"""Interop with pymrio: an IOTable to and from a ``pymrio.IOSystem``.

pymrio is a dev/optional dependency, so it is imported inside the functions; a user without it gets one clear
InputError instead of an ImportError at ``import ronghe``.

Value added travels as the extension ``factor_inputs`` (F = V, one row per value-added component), the name
pymrio's test system and its EXIOBASE parser use.

Multi-region systems: ronghe's tables are national, competitive-import tables (NBS, BEA). ``from_pymrio(io,
region=r)`` therefore turns region r of an MRIO into exactly that form, as a statistical office would publish
it: product i bought by r's sectors and final users from *any* region is summed (Σₛ Z_sr, Σₛ Y_sr), sales of
r's products to other regions become an ``exports`` column (Σ_{t≠r} Z_rt·1 + Y_rt·1), and purchases from
other regions become a negative ``imports`` column. The off-diagonal blocks are thus folded into the
table's rows, not dropped, and the result balances whenever the MRIO does (rows: x_r; columns: Σₛ 1'Z_sr +
VA_r = x_r). What is lost is the origin of imports: the Leontief inverse of such a table treats imports as
if produced at home, the usual assumption of a competitive-import table.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ronghe.errors import InputError
from ronghe.measure.table import IOTable, TableMeta

if TYPE_CHECKING:  # pragma: no cover
    import pymrio

#: Extension that carries value added, as in pymrio's test system and EXIOBASE.
VA_EXTENSION = "factor_inputs"

_UNIT_RE = re.compile(r"^\s*(?P<scale>m|mill\.?|million|mio\.?|k|thousands?|'000)\s*(?P<cur>[a-z]{3})\s*$", re.I)
_SCALES = {"m": 1e6, "mill": 1e6, "mill.": 1e6, "million": 1e6, "mio": 1e6, "mio.": 1e6,
           "k": 1e3, "thousand": 1e3, "thousands": 1e3, "'000": 1e3}


def _pymrio() -> Any:
    try:
        import pymrio
    except ImportError as exc:  # pragma: no cover - exercised only without the dev extra
        raise InputError("pymrio is not installed; install it with `pip install pymrio` (or ronghe[dev]) "
                         "to convert to or from a pymrio IOSystem") from exc
    return pymrio


def to_pymrio(table: IOTable) -> pymrio.IOSystem:
    """The table as a single-region IOSystem: region = the table's country, value added as ``factor_inputs``."""
    pymrio = _pymrio()
    region = table.meta.country or table.meta.id
    sectors = pd.MultiIndex.from_product([[region], table.sectors.astype(str)], names=["region", "sector"])
    categories = pd.MultiIndex.from_product([[region], table.Y.columns.astype(str)], names=["region", "category"])
    Z = pd.DataFrame(table.Z.to_numpy(dtype=float), index=sectors, columns=sectors)
    Y = pd.DataFrame(table.Y.to_numpy(dtype=float), index=sectors, columns=categories)
    va_rows = pd.Index(table.V.index.astype(str), name="inputtype")
    F = pd.DataFrame(table.V.to_numpy(dtype=float), index=va_rows, columns=sectors)
    unit = pd.DataFrame({"unit": table.meta.unit}, index=sectors)
    va_unit = pd.DataFrame({"unit": table.meta.unit}, index=va_rows)
    io = pymrio.IOSystem(
        Z=Z, Y=Y, unit=unit, name=table.meta.id, year=table.meta.year, system="pxp",
        description=f"{table.meta.publisher} {table.meta.country} {table.meta.year} via ronghe ({table.meta.unit})",
        **{VA_EXTENSION: {"name": "Factor Inputs", "F": F, "unit": va_unit}},
    )
    return io


def _unit_of(io: Any) -> str | None:
    if io.unit is None:
        return None
    units = pd.unique(np.asarray(io.unit).ravel())
    return str(units[0]) if len(units) == 1 else None


def _currency_of(unit: str) -> tuple[str, float]:
    """('USD', 1e6) for 'Mill USD' or 'M.EUR'; ('', 1.0) when the unit is not a recognised money unit."""
    m = _UNIT_RE.match(unit.replace("M.", "M "))
    if not m:
        return "", 1.0
    return m["cur"].upper(), _SCALES[m["scale"].lower()]


def _flows(io: Any) -> pd.DataFrame:
    if io.Z is not None:
        return io.Z
    if io.A is not None and io.x is not None:  # a coefficient-only system: Z = A·x̂
        return io.A * io.x.to_numpy().ravel()[np.newaxis, :]
    raise InputError("the pymrio IOSystem has neither Z nor A and x; call reset_to_flows() or load it fully")


def _value_added(io: Any, columns: pd.Index, value_added: str) -> pd.DataFrame:
    ext = getattr(io, value_added, None)
    if ext is None or getattr(ext, "F", None) is None:
        names = ", ".join(io.get_extensions(data=False, instance_names=True)) or "none"
        raise InputError(f"the pymrio IOSystem has no value-added extension {value_added!r} with F "
                         f"(extensions: {names}); pass value_added=<extension name>")
    F = ext.F.reindex(columns=columns)
    if F.isna().any().any():
        raise InputError(f"extension {value_added!r} does not cover every sector column of Z")
    F.index = [" / ".join(map(str, i)) if isinstance(i, tuple) else str(i) for i in F.index]
    return F


def _competitive_region(Z: pd.DataFrame, Y: pd.DataFrame, F: pd.DataFrame, region: str) -> tuple[
        pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Region r of an MRIO as a national competitive-import table (see the module docstring)."""
    regions = Z.index.get_level_values("region")
    if region not in set(regions):
        raise InputError(f"region {region!r} is not in the pymrio IOSystem (regions: "
                         f"{', '.join(map(str, pd.unique(regions)))})")
    own = np.asarray(regions == region)
    own_y = np.asarray(Y.columns.get_level_values("region") == region)
    sectors = Z.index[own].get_level_values("sector")
    supplier = Z.index.get_level_values("sector")
    if set(supplier) != set(sectors):
        raise InputError("regions of the pymrio IOSystem do not share one sector list; aggregate it first")
    # purchases by r's sectors and final users, summed over the supplying region: Σₛ Z_sr, Σₛ Y_sr
    z_in = Z.loc[:, own].groupby(supplier, sort=False).sum().reindex(sectors).to_numpy(dtype=float)
    y_in = Y.loc[:, own_y].groupby(supplier, sort=False).sum().reindex(sectors).to_numpy(dtype=float)
    z, y = Z.to_numpy(dtype=float), Y.to_numpy(dtype=float)
    exports = z[own][:, ~own].sum(axis=1) + y[own][:, ~own_y].sum(axis=1)
    domestic = z[own][:, own].sum(axis=1) + y[own][:, own_y].sum(axis=1)
    imports = z_in.sum(axis=1) + y_in.sum(axis=1) - domestic
    codes = pd.Index(sectors.astype(str), name="sector")
    Zr = pd.DataFrame(z_in, index=codes, columns=codes)
    Yr = pd.DataFrame(y_in, index=codes, columns=pd.Index(
        Y.columns[own_y].get_level_values("category").astype(str)))
    # a category the MRIO already calls exports (to a rest of the world outside it) joins the exports column
    rest_of_world = [c for c in Yr.columns if c.lower().startswith("export")]
    Yr["exports"] = exports + Yr[rest_of_world].sum(axis=1).to_numpy()
    Yr = Yr.drop(columns=rest_of_world)
    Yr["imports"] = -imports
    Fr = pd.DataFrame(F.to_numpy(dtype=float)[:, own], index=F.index, columns=codes)
    return Zr, Yr, Fr


def from_pymrio(
    io: pymrio.IOSystem,
    *,
    table_id: str,
    country: str | None = None,
    year: int | None = None,
    unit: str | None = None,
    region: str | None = None,
    value_added: str = VA_EXTENSION,
    currency: str | None = None,
    unit_factor: float | None = None,
    publisher: str = "pymrio",
    check: bool = True,
) -> IOTable:
    """An IOTable from a single-region IOSystem, or from region ``region`` of a multi-region one.

    A multi-region system without ``region`` is refused: pick a region (it becomes a competitive-import
    national table, see the module docstring) or collapse the world first with
    ``io.aggregate(region_agg=[...])``. ``check=False`` skips the balance check, for systems such as
    ``pymrio.load_test()`` whose value added does not close the columns. ``currency`` and ``unit_factor``
    default to what the unit says when it is a money unit pymrio databases use ('Mill USD', 'M.EUR').
    """
    Z, Y = _flows(io), io.Y
    if Y is None:
        raise InputError("the pymrio IOSystem has no final demand Y")
    F = _value_added(io, Z.columns, value_added)
    regions = pd.unique(Z.index.get_level_values("region")) if "region" in Z.index.names else [None]
    extracted = region is not None
    if region is not None:
        Zt, Yt, Vt = _competitive_region(Z, Y, F, region)
    elif len(regions) > 1:
        raise InputError(f"the pymrio IOSystem has {len(regions)} regions; pass region=<one of "
                         f"{', '.join(map(str, regions))}> or aggregate it to one region first")
    else:
        codes = pd.Index((Z.index.get_level_values("sector") if "sector" in Z.index.names else Z.index)
                         .astype(str), name="sector")
        cats = Y.columns.get_level_values("category") if "category" in Y.columns.names else Y.columns
        Zt = pd.DataFrame(Z.to_numpy(dtype=float), index=codes, columns=codes)
        Yt = pd.DataFrame(Y.to_numpy(dtype=float), index=codes, columns=pd.Index(cats.astype(str)))
        Vt = pd.DataFrame(F.to_numpy(dtype=float), index=F.index, columns=codes)
        region = None if regions[0] is None else str(regions[0])
    unit = unit or _unit_of(io) or ""
    guessed_currency, guessed_factor = _currency_of(unit)
    currency = guessed_currency if currency is None else currency
    factor = guessed_factor if unit_factor is None else unit_factor
    exports = next((c for c in Yt.columns if str(c).lower().startswith("export")), None)
    meta = TableMeta(
        id=table_id, publisher=publisher, country=country or region or "", year=year, unit=unit,
        currency=currency, unit_factor=factor, layout="pymrio", classification="generic",
        notes=f"from pymrio IOSystem {getattr(io.meta, 'name', '')!s}"
              + (f", region {region} as a competitive-import table" if extracted else ""),
    )
    table = IOTable(Z=Zt, Y=Yt, V=Vt, meta=meta, export_column=exports)
    if check:
        table.check(source=f"pymrio IOSystem {getattr(io.meta, 'name', '')}")
    return table
