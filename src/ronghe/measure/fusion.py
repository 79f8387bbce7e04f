"""The report's integration indicators from one IO table and one concordance.

All indicators are sums of the direct-use block Z, of value added V and of two row-vector solves with the
table's cached LU factors of (I − A): the complete producer-service requirement w·(L − I) and the producer-
service value-added multiplier (v∘w)·L. No n×n matrix beyond Z and the LU factors is formed, so a 4,000-sector
table costs little more than its factorisation. Producer-service weights w (1, or a part of a merged sector)
apply alike to rows (inputs supplied) and columns (value added generated).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ronghe.errors import InputError
from ronghe.measure.standards import TECH_GROUPS, Concordance, load_concordance, ps7
from ronghe.measure.table import IOTable, TableMeta

GROUP_INDEX = ("all", *TECH_GROUPS)
#: Final-use columns that carry imports (negative) in competitive-import tables: NBS ``IM``, BEA ``F050``.
IMPORT_COLUMNS = frozenset({"IM", "F050", "imports", "import"})

FORMULAS = {
    "ps_inputs_to_mfg": "Σ_{i∈PS} w_i z_ij summed over manufacturing columns j (direct-use block Z)",
    "ps_share_of_mfg_intermediate_pct": "100 · Σ_{i∈PS} w_i z_ij / Σ_i z_ij over the manufacturing columns of "
                                        "the group (all, high, medium, low) or of one sector",
    "direct_ps_coeff": "Σ_{i∈PS} w_i a_ij, a_ij = z_ij / x_j",
    "complete_ps_requirement": "Σ_{i∈PS} w_i (L − I)_ij, from one LU solve of (I − A)ᵀ (no explicit inverse); for "
                               "all manufacturing weighted by final demand f_j",
    "ps_va_to_mfg_va": "Σ_{j∈PS} w_j va_j / Σ_{j∈mfg} va_j",
    "ps_structure_pct": "100 · value added of each producer-service sub-sector / producer-services value added",
    "embodied_ps_va": "m = (v∘w)·L, v = value added per unit of output; Σ_{j∈mfg} m_j f_j (final demand) and "
                      "Σ_{j∈mfg} m_j e_j (exports), shares of Σ_{j∈mfg} f_j and Σ_{j∈mfg} e_j",
}


@dataclass
class Indicators:
    """One table's indicators: the stable ``summary`` for scripts plus the detail tables behind it."""

    meta: TableMeta
    definitions: dict
    by_group: pd.DataFrame
    by_mfg_sector: pd.DataFrame
    by_ps_subsector: pd.DataFrame
    embodied: pd.DataFrame
    summary: dict

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable: the summary plus every table as records (NaN → null)."""
        def records(frame: pd.DataFrame, key: str) -> list[dict[str, Any]]:
            return [_clean(r) for r in frame.reset_index(names=key).to_dict(orient="records")]

        return {**_clean(self.summary),
                "tables": {"by_group": records(self.by_group, "group"),
                           "by_mfg_sector": records(self.by_mfg_sector, "code"),
                           "by_ps_subsector": records(self.by_ps_subsector, "ps_subsector"),
                           "embodied": records(self.embodied, "code")}}


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _ratio(num: float, den: float, scale: float = 1.0) -> float:
    return scale * num / den if den else math.nan


def final_use_columns(table: IOTable) -> list[str]:
    """Final-demand categories without the imports column of a competitive-import table."""
    imports = set(table.meta.extra.get("import_columns", ())) | IMPORT_COLUMNS
    return [c for c in table.Y.columns if str(c) not in imports]


def indicators(table: IOTable, concordance: Concordance | None = None) -> Indicators:
    """The report's indicators for ``table`` under ``concordance`` (default: shipped for its classification)."""
    conc = concordance if concordance is not None else load_concordance(table.meta.classification)
    conc.validate(table)
    codes = pd.Index(table.sectors.astype(str))
    W = conc.ps_weights(codes)
    w = W.to_numpy().sum(axis=1)
    mfg_groups = conc.manufacturing_groups(codes)
    mfg = mfg_groups.reindex(codes).notna().to_numpy()
    group_of = mfg_groups.to_numpy()

    Z = table.Z.to_numpy(dtype=float)
    x = table.x.to_numpy()
    va = table.va.to_numpy()
    v = table.v.to_numpy()
    tii = Z.sum(axis=0)
    # one pass over Z: total PS inputs and each sub-sector's inputs into every column
    flows = np.vstack([w, W.to_numpy().T]) @ Z
    ps_in, sub_in = flows[0], flows[1:, mfg]

    fd_cols = final_use_columns(table)
    f = table.Y[fd_cols].to_numpy(dtype=float).sum(axis=1)
    e = table.exports.to_numpy(dtype=float) if table.exports is not None else np.full(len(codes), np.nan)

    # two row-vector solves with the cached LU: w·L (complete requirement) and (v∘w)·L (VA multiplier)
    solved = table.leontief.solve_left(np.vstack([w, v * w]))
    complete = solved[0] - w
    m = solved[1]

    unit = table.meta.unit_factor
    rows = []
    for g in GROUP_INDEX:
        sel = np.ones(int(mfg.sum()), bool) if g == "all" else group_of == g
        p, t = float(ps_in[mfg][sel].sum()), float(tii[mfg][sel].sum())
        rows.append({"ps_inputs": p, "intermediate_inputs": t, "share_pct": _ratio(p, t, 100),
                     "ps_inputs_trillion": p * unit / 1e12})
    by_group = pd.DataFrame(rows, index=pd.Index(GROUP_INDEX, name="group"))

    names = table.names()
    names.index = codes
    by_mfg_sector = pd.DataFrame({
        "name": names[mfg].to_numpy(), "tech_group": group_of, "ps_inputs": ps_in[mfg],
        "intermediate_inputs": tii[mfg],
        "share_pct": np.divide(100 * ps_in[mfg], tii[mfg], out=np.full(int(mfg.sum()), np.nan),
                               where=tii[mfg] != 0),
        "direct_ps_coeff": np.divide(ps_in[mfg], x[mfg], out=np.full(int(mfg.sum()), np.nan), where=x[mfg] != 0),
        "complete_ps_requirement": complete[mfg],
    }, index=pd.Index(codes[mfg], name="code"))

    mfg_tii = float(tii[mfg].sum())
    sub_va = W.to_numpy().T @ va
    ps_va = float(sub_va.sum())
    info = ps7()
    by_ps_subsector = pd.DataFrame({
        "name_zh": [info["name_zh"].get(k, k) for k in W.columns],
        "name_en": [info["name_en"].get(k, k) for k in W.columns],
        "inputs_to_mfg": sub_in.sum(axis=1),
        "share_of_mfg_intermediate_pct": 100 * sub_in.sum(axis=1) / mfg_tii if mfg_tii else np.nan,
        "value_added": sub_va,
        "structure_pct": 100 * sub_va / ps_va if ps_va else np.nan,
    }, index=pd.Index(W.columns, name="ps_subsector"))

    embodied = pd.DataFrame({
        "final_demand": f[mfg], "exports": e[mfg],
        "embodied_ps_va_final_demand": m[mfg] * f[mfg], "embodied_ps_va_exports": m[mfg] * e[mfg],
    }, index=pd.Index(codes[mfg], name="code"))

    f_mfg, e_mfg = float(f[mfg].sum()), float(np.nansum(e[mfg])) if table.exports is not None else math.nan
    emb_f = float(embodied["embodied_ps_va_final_demand"].sum())
    emb_e = float(embodied["embodied_ps_va_exports"].sum()) if table.exports is not None else math.nan
    mfg_va = float(va[mfg].sum())

    definitions = {
        **conc.definitions(),
        "formulas": FORMULAS,
        "final_demand_columns": fd_cols,
        "final_demand_note": "final demand f = final-use columns excluding imports "
                             f"({', '.join(sorted(set(map(str, table.Y.columns)) - set(map(str, fd_cols)))) or 'none'}"
                             "); L is the table's own (for competitive-import tables it includes imported inputs)",
        "exports_column": table.export_column,
        "manufacturing_sectors": int(mfg.sum()),
    }
    summary = {
        "table": table.meta.id, "country": table.meta.country, "year": table.meta.year,
        "unit": table.meta.unit, "currency": table.meta.currency,
        "ps_inputs_to_mfg": float(by_group.loc["all", "ps_inputs"]),
        "ps_inputs_to_mfg_trillion": float(by_group.loc["all", "ps_inputs_trillion"]),
        "mfg_intermediate_inputs": mfg_tii,
        "ps_share_of_mfg_intermediate_pct": {g: float(by_group.loc[g, "share_pct"]) for g in GROUP_INDEX},
        "ps_inputs_to_mfg_trillion_by_group": {g: float(by_group.loc[g, "ps_inputs_trillion"])
                                               for g in GROUP_INDEX},
        "ps_va": ps_va, "mfg_va": mfg_va,
        "ps_va_to_mfg_va": _ratio(ps_va, mfg_va),
        "ps_structure_pct": {k: float(s) for k, s in by_ps_subsector["structure_pct"].items()},
        "complete_ps_requirement_per_unit_mfg_final_demand": _ratio(float(complete[mfg] @ f[mfg]), f_mfg),
        "embodied_ps_va_in_mfg_final_demand": emb_f,
        "embodied_ps_va_share_of_mfg_final_demand_pct": _ratio(emb_f, f_mfg, 100),
        "embodied_ps_va_in_mfg_exports": emb_e,
        "embodied_ps_va_share_of_mfg_exports_pct": _ratio(emb_e, e_mfg, 100),
        "definitions": definitions,
    }
    return Indicators(meta=table.meta, definitions=definitions, by_group=by_group, by_mfg_sector=by_mfg_sector,
                      by_ps_subsector=by_ps_subsector, embodied=embodied, summary=summary)


def flat_summary(item: Indicators) -> dict[str, Any]:
    """The summary's numbers as one level of dotted keys (definitions and labels left out)."""
    out: dict[str, Any] = {}
    for key, value in item.summary.items():
        if key in ("definitions", "table", "country", "unit", "currency"):
            continue
        if isinstance(value, dict):
            out.update({f"{key}.{k}": v for k, v in value.items()})
        else:
            out[key] = value
    return out


def compare(items: list[Indicators]) -> pd.DataFrame:
    """Indicators side by side: rows = indicator keys, columns = table ids."""
    if not items:
        raise InputError("nothing to compare: give at least one table")
    ids = [i.meta.id for i in items]
    if len(set(ids)) != len(ids):
        raise InputError(f"table {next(t for t in ids if ids.count(t) > 1)!r} is given twice")
    frame = pd.DataFrame({i.meta.id: pd.Series(flat_summary(i), dtype=object) for i in items})
    frame.index.name = "indicator"
    return frame


def time_series(items: list[Indicators]) -> pd.DataFrame:
    """Years of one publisher and country side by side: rows = years, columns = indicator keys."""
    if not items:
        raise InputError("no tables for a time series")
    sources = {(i.meta.publisher, i.meta.country) for i in items}
    if len(sources) > 1:
        raise InputError("a time series needs tables of one publisher and country, got "
                         + ", ".join(f"{p}/{c}" for p, c in sorted(sources)) + " (use compare instead)")
    years = [i.meta.year for i in items]
    if None in years or len(set(years)) != len(years):
        raise InputError("a time series needs one table per year (a table has no year or a year repeats)")
    frame = pd.DataFrame([flat_summary(i) for i in items], index=pd.Index(years, name="year"))
    return frame.drop(columns="year").sort_index()
