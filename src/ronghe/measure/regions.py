"""Multi-regional tables (the report's Table 6 method): regions as labels on one IOTable, indicators per region.

A multi-regional table is an IOTable whose sector codes read ``REGION/sector`` and which carries the region
of every sector (``IOTable.regions``) and of every final-demand column (``final_demand_regions``). For each
region r the indicators take r's manufacturing sectors as the columns and count producer-service inputs
from every region's producer-service rows, each region's rows classified by that region's concordance; the
inputs from r itself and from the other regions are also reported apart. Value added, the Leontief inverse
and embodied value added are the whole system's, so the PS value added embodied in r's manufacturing final
demand includes what other regions' producer services contribute through trade. Exports of r are its
sales to the rest of the world (export columns) plus its intermediate and final sales to the other regions.

Sources: :func:`join_tables` (national tables side by side, no trade, one currency), :func:`from_pymrio_mrio`
(any pymrio IOSystem: OECD ICIO, EXIOBASE, WIOD, Eora26, GLORIA through pymrio's parsers) and the generic
layout with a ``region`` column (:mod:`ronghe.measure.readers.generic`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from ronghe.errors import InputError
from ronghe.measure.blocks import ArrayZ, TableBlocks, from_table
from ronghe.measure.fusion import Indicators, Selection, indicators_of
from ronghe.measure.standards import Concordance, load_concordance, ps7_names

if TYPE_CHECKING:
    import pymrio

    from ronghe.measure.table import IOTable

SEP = "/"
#: Final-demand categories of national layouts carried into an MRIO (NBS, BEA): exports and imports.
EXPORT_CATEGORIES = frozenset({"EX", "F040"})
IMPORT_CATEGORIES = frozenset({"IM", "F050"})
#: Units of the national tables ronghe reads, which pymrio's money-unit pattern does not know.
NATIONAL_UNITS = {"万元": ("CNY", 1e4), "亿元": ("CNY", 1e8), "millions of USD": ("USD", 1e6)}


def sector_code(code: str, region: str) -> str:
    """``REGION/sector`` → ``sector`` (the code the region's concordance knows)."""
    prefix = f"{region}{SEP}"
    return code[len(prefix):] if code.startswith(prefix) else code


def region_list(regions: list[str]) -> list[str]:
    return list(dict.fromkeys(regions))


def check_same_sectors(codes: list[str], regions: list[str], *, source: str) -> None:
    """Refuse an MRIO whose regions do not list the same sectors in the same order (every MRIO database does)."""
    by_region: dict[str, list[str]] = {}
    for c, r in zip(codes, regions, strict=True):
        by_region.setdefault(r, []).append(sector_code(c, r))
    names = list(by_region)
    first = by_region[names[0]]
    for r in names[1:]:
        if by_region[r] != first:
            extra = [s for s in by_region[r] if s not in first]
            lacking = [s for s in first if s not in by_region[r]]
            what = (f"lacks sector {lacking[0]!r}" if lacking else f"has sector {extra[0]!r} that "
                    f"{names[0]!r} does not" if extra else "lists the sectors in another order")
            raise InputError(f"regions have different sector lists: region {r!r} {what} (region {names[0]!r} "
                             f"has {len(first)} sectors, {r!r} {len(by_region[r])}); an MRIO needs one sector "
                             "list for all regions", file=source)


def _concordances(blocks: TableBlocks, given: Concordance | dict[str, Concordance] | None,
                  regions: list[str]) -> dict[str, Concordance]:
    """One concordance per region: the given ones, else the shipped one of the region's classification."""
    classes = blocks.meta.extra.get("classifications", {})

    def shipped(r: str) -> Concordance:
        return load_concordance(classes.get(r, blocks.meta.classification))

    if isinstance(given, dict):
        unknown = [r for r in given if r not in regions]
        if unknown:
            raise InputError(f"concordance given for region {unknown[0]!r}, which table {blocks.meta.id!r} does "
                             f"not have (regions: {', '.join(regions)})")
        return {r: given[r] if r in given else shipped(r) for r in regions}
    if given is not None:
        return dict.fromkeys(regions, given)
    return {r: shipped(r) for r in regions}


def _selection(blocks: TableBlocks, region: str, concs: dict[str, Concordance], Z: np.ndarray) -> Selection:
    codes, reg = blocks.codes, blocks.regions or []
    own = np.array([r == region for r in reg])
    order = [g for g in ps7_names() if any(g in c.ps_groups() for c in concs.values())]
    order += sorted({g for c in concs.values() for g in c.ps_groups()} - set(order))
    W = np.zeros((len(codes), len(order)))
    group_of: list[str | None] = [None] * len(codes)
    for r, conc in concs.items():
        idx = [i for i, x in enumerate(reg) if x == r]
        local = [sector_code(codes[i], r) for i in idx]
        conc.validate_codes(local, f"{blocks.meta.id} region {r}")
        cols = [order.index(g) for g in conc.ps_groups()]
        W[np.ix_(idx, cols)] = conc.ps_weight_matrix(local)
        if r == region:
            for i, g in zip(idx, conc.manufacturing_group_of(local), strict=True):
                group_of[i] = g
    Y = blocks.Y.reshape(blocks.n, -1)
    yreg = blocks.final_demand_regions or [""] * Y.shape[1]
    export_cols = set(blocks.meta.extra.get("export_columns", ()))
    imports = set(blocks.meta.extra.get("import_columns", ()))
    to_world = [j for j, c in enumerate(blocks.final_demand) if c in export_cols]
    to_others = [j for j, (c, r) in enumerate(zip(blocks.final_demand, yreg, strict=True))
                 if r != region and c not in export_cols and c not in imports]
    exports = Y[:, to_world].sum(axis=1) + Y[:, to_others].sum(axis=1) + Z[:, ~own].sum(axis=1)
    definitions = {**concs[region].definitions(), "region": region,
                   "regional_rule": "manufacturing = this region's sectors; producer-service inputs from every "
                                    "region's producer-service rows (own region and other regions also apart); "
                                    "exports = export columns + sales to the other regions",
                   "concordances_by_region": {r: c.name for r, c in concs.items()}}
    return Selection(W, order, group_of, definitions, own=own, exports=exports, region=region)


def regional_indicators(table: IOTable | TableBlocks, concordance: Concordance | dict[str, Concordance] | None = None,
                        *, precision: str = "auto") -> dict[str, Indicators]:
    """The indicators of every region of a multi-regional table, by region (one concordance, or one per region)."""
    blocks = table if isinstance(table, TableBlocks) else from_table(table)
    if not blocks.regions:
        raise InputError(f"table {blocks.meta.id!r} has no regions; use indicators()")
    regions = region_list(blocks.regions)
    concs = _concordances(blocks, concordance, regions)
    Z = blocks.Z.array()
    if not isinstance(blocks.Z, ArrayZ):
        blocks = replace(blocks, Z=ArrayZ(Z))
    out = {}
    for r in regions:
        view = replace(blocks, meta=replace(blocks.meta, id=f"{blocks.meta.id}:{r}", country=r))
        out[r] = indicators_of(view, precision=precision, selection=_selection(blocks, r, concs, Z))
    return out


# ----- building multi-regional tables --------------------------------------------------------------------
def join_tables(tables: dict[str, IOTable], *, table_id: str, rates: dict[str, float] | None = None,
                unit: str, currency: str, unit_factor: float, year: int | None = None) -> IOTable:
    """National tables as one multi-regional table with no trade between them (block-diagonal Z and Y).

    ``rates[region]`` converts that table's units into ``unit`` (e.g. US$ million → 万元 CNY: 1e6 × 6.8974 /
    1e4); a region without a rate is taken as already in ``unit``. Each region keeps its sector list and
    classification; its imports column stays its own (imports from outside the joined world).
    """
    import pandas as pd

    from ronghe.measure.fusion import IMPORT_COLUMNS
    from ronghe.measure.table import IOTable, TableMeta

    rates = rates or {}
    codes, regions, ycols, yreg, names = [], [], [], [], []
    for r, t in tables.items():
        codes += [f"{r}{SEP}{c}" for c in t.sectors]
        regions += [r] * t.n
        ycols += [f"{r}{SEP}{c}" for c in t.Y.columns]
        yreg += [r] * len(t.Y.columns)
        names += [str(v) for v in t.names()]
    va_rows = list(dict.fromkeys(f"{r}{SEP}{v}" for r, t in tables.items() for v in t.V.index))
    Z = np.zeros((len(codes), len(codes)))
    Y = np.zeros((len(codes), len(ycols)))
    V = np.zeros((len(va_rows), len(codes)))
    i = j = 0
    for r, t in tables.items():
        k, m = t.n, len(t.Y.columns)
        f = rates.get(r, 1.0)
        Z[i:i + k, i:i + k] = t.Z.to_numpy(dtype=float) * f
        Y[i:i + k, j:j + m] = t.Y.to_numpy(dtype=float) * f
        for q, v in enumerate(t.V.index):
            V[va_rows.index(f"{r}{SEP}{v}"), i:i + k] = t.V.to_numpy(dtype=float)[q] * f
        i, j = i + k, j + m
    export_cols = [f"{r}{SEP}{t.export_column}" for r, t in tables.items() if t.export_column]
    import_cols = [f"{r}{SEP}{c}" for r, t in tables.items() for c in t.Y.columns
                   if str(c) in IMPORT_COLUMNS | set(t.meta.extra.get("import_columns", ()))]
    classes = {t.meta.classification for t in tables.values()}
    meta = TableMeta(
        id=table_id, publisher="+".join(dict.fromkeys(t.meta.publisher for t in tables.values())),
        country="+".join(tables), year=year, unit=unit, currency=currency, unit_factor=unit_factor,
        layout="mrio", classification=classes.pop() if len(classes) == 1 else "mixed",
        source_files=tuple(f for t in tables.values() for f in t.meta.source_files),
        sha256=tuple(h for t in tables.values() for h in t.meta.sha256),
        notes="joined national tables, no trade between them; rates: "
              + ", ".join(f"{r} × {rates.get(r, 1.0):g}" for r in tables),
        extra={"export_columns": export_cols, "import_columns": import_cols,
               "classifications": {r: t.meta.classification for r, t in tables.items()}})
    idx = pd.Index(codes)
    table = IOTable(Z=pd.DataFrame(Z, idx, idx), Y=pd.DataFrame(Y, idx, ycols), V=pd.DataFrame(V, va_rows, idx),
                    meta=meta, sector_names=pd.Series(names, index=idx),
                    regions=pd.Series(regions, index=idx), final_demand_regions=pd.Series(yreg, index=ycols))
    table.check(source=table_id)
    return table


def from_pymrio_mrio(io: pymrio.IOSystem, *, table_id: str, value_added: str = "factor_inputs",
                     year: int | None = None, unit: str | None = None, currency: str | None = None,
                     unit_factor: float | None = None, classification: str = "generic",
                     check: bool = True) -> IOTable:
    """A pymrio IOSystem, every region kept, as one multi-regional IOTable (regions must share one sector list).

    ``check=False`` skips the balance check, for systems such as ``pymrio.load_test()`` whose value added
    does not close the columns.
    """
    import pandas as pd

    from ronghe.measure.readers.pymrio_io import _currency_of, _flows, _unit_of, _value_added
    from ronghe.measure.table import IOTable, TableMeta

    Z, Y = _flows(io), io.Y
    if Y is None:
        raise InputError("the pymrio IOSystem has no final demand Y")
    if year is None:
        try:
            year = int(getattr(io.meta, "metadata", {}).get("year"))
        except (TypeError, ValueError):
            year = None
    if "region" not in Z.index.names:
        raise InputError("the pymrio IOSystem has no region level; use from_pymrio() for a national table")
    F = _value_added(io, Z.columns, value_added)
    reg = [str(r) for r in Z.index.get_level_values("region")]
    sec = [str(s) for s in Z.index.get_level_values("sector")]
    codes = [f"{r}{SEP}{s}" for r, s in zip(reg, sec, strict=True)]
    check_same_sectors(codes, reg, source=f"pymrio IOSystem {getattr(io.meta, 'name', '')}")
    yreg = [str(r) for r in Y.columns.get_level_values("region")]
    ycat = [str(c) for c in Y.columns.get_level_values("category")]
    ycols = [f"{r}{SEP}{c}" for r, c in zip(yreg, ycat, strict=True)]
    idx = pd.Index(codes)
    unit = unit or _unit_of(io) or ""
    cur, factor = NATIONAL_UNITS.get(unit) or _currency_of(unit)
    meta = TableMeta(
        id=table_id, publisher="pymrio", country="+".join(region_list(reg)), year=year, unit=unit,
        currency=cur if currency is None else currency, unit_factor=factor if unit_factor is None else unit_factor,
        layout="mrio", classification=classification,
        notes=f"from pymrio IOSystem {getattr(io.meta, 'name', '')!s}, {len(region_list(reg))} regions",
        extra={"export_columns": [c for c, cat in zip(ycols, ycat, strict=True)
                                  if cat.lower().startswith("export") or cat in EXPORT_CATEGORIES],
               "import_columns": [c for c, cat in zip(ycols, ycat, strict=True) if cat in IMPORT_CATEGORIES]})
    table = IOTable(
        Z=pd.DataFrame(Z.to_numpy(dtype=float), idx, idx), Y=pd.DataFrame(Y.to_numpy(dtype=float), idx, ycols),
        V=pd.DataFrame(F.to_numpy(dtype=float), F.index, idx), meta=meta,
        regions=pd.Series(reg, index=idx), final_demand_regions=pd.Series(yreg, index=ycols))
    if check:
        table.check(source=f"pymrio IOSystem {getattr(io.meta, 'name', '')}")
    return table


def to_pymrio_mrio(table: IOTable) -> pymrio.IOSystem:
    """A multi-regional IOTable as a pymrio IOSystem (value added as ``factor_inputs``), e.g. to save_all()."""
    import pandas as pd

    from ronghe.measure.readers.pymrio_io import _pymrio

    pymrio = _pymrio()
    if table.regions is None or table.final_demand_regions is None:
        raise InputError(f"table {table.meta.id!r} has no regions; use readers.pymrio_io.to_pymrio()")
    reg = [str(r) for r in table.regions.reindex(table.sectors)]
    idx = pd.MultiIndex.from_arrays([reg, [sector_code(str(c), r) for c, r in zip(table.sectors, reg, strict=True)]],
                                    names=["region", "sector"])
    yreg = [str(r) for r in table.final_demand_regions.reindex(table.Y.columns)]
    cats = pd.MultiIndex.from_arrays([yreg, [sector_code(str(c), r) for c, r in zip(table.Y.columns, yreg,
                                                                                   strict=True)]],
                                     names=["region", "category"])
    F = pd.DataFrame(table.V.to_numpy(dtype=float), pd.Index([str(v) for v in table.V.index], name="inputtype"), idx)
    return pymrio.IOSystem(
        Z=pd.DataFrame(table.Z.to_numpy(dtype=float), idx, idx), Y=pd.DataFrame(table.Y.to_numpy(dtype=float), idx, cats),
        unit=pd.DataFrame({"unit": table.meta.unit}, index=idx), name=table.meta.id, year=table.meta.year,
        factor_inputs={"name": "factor_inputs", "F": F, "unit": pd.DataFrame({"unit": table.meta.unit}, index=F.index)})


def describe(table: IOTable) -> dict[str, Any]:
    """Regions and sectors per region, for listings."""
    regions = [str(r) for r in table.regions] if table.regions is not None else []
    return {r: regions.count(r) for r in region_list(regions)}
