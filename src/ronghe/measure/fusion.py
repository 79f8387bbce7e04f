"""The report's integration indicators from one IO table and one concordance.

All indicators are sums of the direct-use block Z, of value added V and of two left solves with one LU of
(I − A), through the pure functions of :mod:`ronghe.measure.iomath`: the complete producer-service
requirement w·(L − I) (``total_requirements``) and the value added of producer services embodied in
manufacturing's final demand and exports, (v∘w)·L times f and e (``embodied_value_added``). Z is passed over in
row blocks (:mod:`ronghe.measure.blocks`), so the only n×n array is the factor; above ``MIXED_MIN_N``
sectors that factor is float32, refined to float64 accuracy against Z. Producer-service weights w (1, or a
part of a merged sector) apply alike to rows (inputs supplied) and columns (value added generated).

The result holds plain arrays; its DataFrames are built on first access, so `ronghe measure indicators
--format json` runs without importing pandas.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from ronghe.errors import InputError
from ronghe.measure import iomath
from ronghe.measure.blocks import TableBlocks, from_table
from ronghe.measure.meta import TableMeta
from ronghe.measure.standards import TECH_GROUPS, Concordance, load_concordance, ps7_names

if TYPE_CHECKING:
    import pandas as pd

    from ronghe.measure.table import IOTable

GROUP_INDEX = ("all", *TECH_GROUPS)
#: Final-use columns that carry imports (negative) in competitive-import tables: NBS ``IM``, BEA ``F050``.
IMPORT_COLUMNS = frozenset({"IM", "F050", "imports", "import"})
#: From this many sectors on, the LU is float32 refined to float64 (``precision="auto"``): below it the LU
#: takes milliseconds and float64 is simplest. Agreement with float64 is tested on every real table.
MIXED_MIN_N = 1000

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
    "embodied_ps_va_domestic": "the same with L_d = (I − A_d)⁻¹ of the domestic-only table (A_d = (Z − Z_imp)·x̂⁻¹) "
                               "and domestic final demand f_d = (Y − Y_imp)·1 and exports e_d",
}


@dataclass
class Frame:
    """A result table as plain columns: index name, index labels, column name → values (list or array)."""

    index_name: str
    index: list[str]
    columns: dict[str, Any]

    def records(self) -> list[dict[str, Any]]:
        cols = {k: (v.tolist() if isinstance(v, np.ndarray) else list(v)) for k, v in self.columns.items()}
        keys = list(cols)
        return [_clean({self.index_name: idx, **{k: cols[k][i] for k in keys}}) for i, idx in enumerate(self.index)]

    def to_pandas(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(self.columns, index=pd.Index(self.index, name=self.index_name))


@dataclass
class Indicators:
    """One table's indicators: the stable ``summary`` for scripts plus the detail tables behind it."""

    meta: TableMeta
    definitions: dict
    summary: dict
    frames: dict[str, Frame] = field(repr=False)

    @cached_property
    def by_group(self) -> pd.DataFrame:
        """PS inputs into manufacturing and their share, for all manufacturing and each technology group."""
        return self.frames["by_group"].to_pandas()

    @cached_property
    def by_mfg_sector(self) -> pd.DataFrame:
        return self.frames["by_mfg_sector"].to_pandas()

    @cached_property
    def by_ps_subsector(self) -> pd.DataFrame:
        return self.frames["by_ps_subsector"].to_pandas()

    @cached_property
    def embodied(self) -> pd.DataFrame:
        return self.frames["embodied"].to_pandas()

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable: the summary plus every table as records (NaN → null)."""
        return {**_clean(self.summary), "tables": {k: f.records() for k, f in self.frames.items()}}


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


def _final_use(columns: list[str], meta: TableMeta) -> list[str]:
    imports = set(meta.extra.get("import_columns", ())) | IMPORT_COLUMNS
    return [c for c in columns if str(c) not in imports]


def final_use_columns(table: IOTable) -> list[str]:
    """Final-demand categories without the imports column of a competitive-import table."""
    keep = set(_final_use([str(c) for c in table.Y.columns], table.meta))
    return [c for c in table.Y.columns if str(c) in keep]


def indicators(table: IOTable, concordance: Concordance | None = None, *, precision: str = "auto") -> Indicators:
    """The report's indicators for ``table`` under ``concordance`` (default: shipped for its classification).

    ``precision``: ``"float64"``, ``"mixed"`` (float32 LU refined to float64) or ``"auto"`` (mixed from
    ``MIXED_MIN_N`` sectors on).
    """
    return indicators_of(from_table(table), concordance, precision=precision)


@dataclass
class _Scan:
    """What one pass over Z gives: output x, column sums, weighted PS row sums, the float32 I − A if asked."""

    x: np.ndarray
    tii: np.ndarray
    flows: np.ndarray
    M32: np.ndarray | None


def _scan(blocks: TableBlocks, weights: np.ndarray, want_f32: bool) -> _Scan:
    n = blocks.n
    y_rows = blocks.Y.reshape(n, -1).sum(axis=1)
    x = np.empty(n)
    tii = np.zeros(n)
    flows = np.zeros((weights.shape[0], n))
    M32 = np.empty((n, n), dtype=np.float32) if want_f32 else None
    for i0, i1, B in blocks.Z.blocks():
        x[i0:i1] = B.sum(axis=1) + y_rows[i0:i1]
        if i0 == 0 and i1 == n:
            tii = B.sum(axis=0)
            flows = weights @ B
        else:
            tii += B.sum(axis=0)
            flows += weights[:, i0:i1] @ B
        if M32 is not None:
            M32[i0:i1] = B
    return _Scan(x, tii, flows, M32)


def _leontief(blocks: TableBlocks, scan: _Scan) -> iomath.Leontief | iomath.MixedLeontief | iomath.SmallLeontief:
    """One factorisation of (I − A): float64 in A's own memory, or the streamed float32 one refined against Z."""
    x = scan.x

    def float64() -> iomath.Leontief:
        return iomath.factor_leontief(iomath.calc_A(blocks.Z.array(), x), overwrite=True)

    try:
        if scan.M32 is None and blocks.n <= iomath.SMALL_MAX_N:
            return iomath.factor_leontief_small(iomath.calc_A(blocks.Z.array(), x))
        if scan.M32 is None:
            return float64()
        r = iomath._safe_reciprocal(x)
        M = scan.M32
        np.multiply(M, (-r).astype(np.float32)[np.newaxis, :], out=M)
        M[np.diag_indices_from(M)] += np.float32(1.0)
        scan.M32 = None

        def apply_left(Yr: np.ndarray) -> np.ndarray:  # Y·(I − A) = Y − (Y·Z)∘(1/x), one pass over Z
            acc = np.zeros_like(Yr)
            for i0, i1, B in blocks.Z.blocks():
                acc += Yr[:, i0:i1] @ B
            return Yr - acc * r

        def apply_right(y: np.ndarray) -> np.ndarray:  # (I − A)·y = y − Z·(y/x)
            yr = y * (r if y.ndim == 1 else r[:, np.newaxis])
            out = np.empty_like(y)
            for i0, i1, B in blocks.Z.blocks():
                out[i0:i1] = B @ yr
            return y - out

        return iomath.factor_leontief_mixed_from(M, apply_left, apply_right, float64)
    except ValueError as exc:
        raise InputError(f"table {blocks.meta.id!r}: {exc}") from None


@dataclass
class _Domestic:
    f: np.ndarray
    e: np.ndarray
    embodied: np.ndarray  # 2 × n: (v∘w)·L_d ∘ f_d and ∘ e_d
    note: str


def _domestic(blocks: TableBlocks, x: np.ndarray, v_ps: np.ndarray, fd_pos: list[int],
              has_exports: bool) -> _Domestic:
    """Embodied PS value added in the domestic-only (non-competitive) table Z − imports_use, Y − imports_final.

    L_d = (I − A_d)⁻¹ with A_d = (Z − Z_imp)·x̂⁻¹ counts only the domestic supply chain: imported inputs leak
    out of it, so (v∘w)·L_d is the value added generated at home per unit of domestic final demand f_d.
    NaN where the table carries no import-use blocks (generic and scaled tables).
    """
    n = blocks.n
    if not {"imports_use", "imports_final"} <= set(blocks.extensions):
        nan = np.full(n, np.nan)
        return _Domestic(nan, nan, np.full((2, n), np.nan), "not computed: the table has no import-use blocks")
    Zd = blocks.Z.array() - blocks.extensions["imports_use"]
    Yd = blocks.Y.reshape(n, -1) - blocks.extensions["imports_final"]
    f = Yd[:, fd_pos].sum(axis=1)
    e = Yd[:, blocks.final_demand.index(blocks.export_column)] if has_exports else np.zeros(n)
    Ad = iomath.calc_A(Zd, x)
    try:
        lu = iomath.factor_leontief_small(Ad) if n <= iomath.SMALL_MAX_N else iomath.factor_leontief(Ad, overwrite=True)
    except ValueError as exc:
        raise InputError(f"table {blocks.meta.id!r}, domestic-only part: {exc}") from None
    embodied = iomath.embodied_value_added(v_ps, lu, np.vstack([f, e]))
    source = ("BEA import matrices, redefined to industries like the Use table" if blocks.meta.publisher == "BEA"
              else blocks.meta.extra.get("imports_split", "the table's import-use blocks"))
    note = ("domestic-only (non-competitive) table Z − imports_use, Y − imports_final: L_d = (I − A_d)⁻¹ "
            f"counts home production only; f_d, e_d = domestic final demand and exports. Import blocks: {source}")
    return _Domestic(f, e, embodied, note)


@dataclass
class Selection:
    """Which rows are producer services (weights W, any region) and which columns are manufacturing.

    For a single-region table it comes from one concordance; for one region of a multi-regional table
    (:mod:`ronghe.measure.regions`) ``own`` marks the region's sectors, manufacturing is the region's only,
    producer-service inputs count from every region (own and other regions reported apart) and ``exports``
    includes sales to the other regions.
    """

    W: np.ndarray
    ps_groups: list[str]
    group_of: list[str | None]
    definitions: dict[str, Any]
    own: np.ndarray | None = None
    exports: np.ndarray | None = None
    region: str | None = None


def _single_region(conc: Concordance, codes: list[str], table_id: str) -> Selection:
    conc.validate_codes(codes, table_id)
    return Selection(conc.ps_weight_matrix(codes), conc.ps_groups(), conc.manufacturing_group_of(codes),
                     conc.definitions())


def indicators_of(blocks: TableBlocks, concordance: Concordance | None = None, *,
                  precision: str = "auto", selection: Selection | None = None) -> Indicators:
    """The indicators from a table's arrays (:mod:`ronghe.measure.blocks`): what :func:`indicators` runs."""
    if precision not in ("auto", "float64", "mixed"):
        raise InputError(f"unknown precision {precision!r} (use auto, float64 or mixed)")
    meta, codes, n = blocks.meta, blocks.codes, blocks.n
    if selection is None:
        conc = concordance if concordance is not None else load_concordance(meta.classification)
        selection = _single_region(conc, codes, meta.id)
    pick = selection
    W, ps_groups, group_of, own = pick.W, pick.ps_groups, pick.group_of, pick.own
    w = W.sum(axis=1)
    mfg = np.array([g is not None for g in group_of])
    mfg_idx = np.flatnonzero(mfg)
    mfg_group = np.array([group_of[i] for i in mfg_idx], dtype=object)

    mixed = precision == "mixed" or (precision == "auto" and n >= MIXED_MIN_N)
    # one pass over Z: output, intermediate inputs, total PS inputs and each sub-sector's inputs into every column
    rows = [w, W.T] if own is None else [w, W.T, w * own]
    scan = _scan(blocks, np.vstack(rows), mixed)
    x, tii = scan.x, scan.tii
    ps_in, sub_in = scan.flows[0], scan.flows[1:1 + W.shape[1], mfg]
    ps_in_own = scan.flows[-1] if own is not None else None
    V = blocks.V.reshape(-1, n)
    va = V.sum(axis=0)
    v = iomath.calc_v(V, x)

    fd_cols = _final_use(blocks.final_demand, meta)
    fd_pos = [blocks.final_demand.index(c) for c in fd_cols]
    Y = blocks.Y.reshape(n, -1)
    f = Y[:, fd_pos].sum(axis=1)
    has_exports = blocks.export_column is not None and blocks.export_column in blocks.final_demand
    e = Y[:, blocks.final_demand.index(blocks.export_column)].astype(float) if has_exports else np.full(n, np.nan)
    if pick.exports is not None:
        has_exports, e = True, pick.exports

    lu = _leontief(blocks, scan)
    if isinstance(lu, iomath.MixedLeontief):  # one refinement serves both left solves below
        lu.prepare_left(np.vstack([w, v * w]))
    complete = iomath.total_requirements(w, lu)  # w·(L − I)
    embodied = iomath.embodied_value_added(v * w, lu, np.vstack([f, e]))  # (v∘w)·L ∘ f and ∘ e

    dom = _domestic(blocks, x, v * w, fd_pos, has_exports and pick.exports is None)

    unit = meta.unit_factor
    gi: dict[str, dict[str, float]] = {}
    for g in GROUP_INDEX:
        sel = mfg_idx if g == "all" else mfg_idx[mfg_group == g]
        p, t = float(ps_in[sel].sum()), float(tii[sel].sum())
        gi[g] = {"ps_inputs": p, "intermediate_inputs": t, "share_pct": _ratio(p, t, 100),
                 "ps_inputs_trillion": p * unit / 1e12}
    by_group = Frame("group", list(GROUP_INDEX), {k: [gi[g][k] for g in GROUP_INDEX] for k in gi["all"]})

    names = blocks.names if blocks.names is not None else codes
    k_mfg = len(mfg_idx)
    ps_m, tii_m, x_m = ps_in[mfg_idx], tii[mfg_idx], x[mfg_idx]
    mfg_codes = [codes[i] for i in mfg_idx]
    by_mfg_sector = Frame("code", mfg_codes, {
        "name": [names[i] for i in mfg_idx], "tech_group": list(mfg_group), "ps_inputs": ps_m,
        "intermediate_inputs": tii_m,
        "share_pct": np.divide(100 * ps_m, tii_m, out=np.full(k_mfg, np.nan), where=tii_m != 0),
        "direct_ps_coeff": np.divide(ps_m, x_m, out=np.full(k_mfg, np.nan), where=x_m != 0),
        "complete_ps_requirement": complete[mfg_idx],
    })

    mfg_tii = float(tii_m.sum())
    sub_va = W.T @ va if own is None else W[own].T @ va[own]  # a region's PS value added: its own sectors
    ps_va = float(sub_va.sum())
    info = ps7_names()
    sub_to_mfg = sub_in.sum(axis=1)
    by_ps_subsector = Frame("ps_subsector", list(ps_groups), {
        "name_zh": [info.get(k, (k, k))[0] for k in ps_groups],
        "name_en": [info.get(k, (k, k))[1] for k in ps_groups],
        "inputs_to_mfg": sub_to_mfg,
        "share_of_mfg_intermediate_pct": 100 * sub_to_mfg / mfg_tii if mfg_tii else np.full(len(ps_groups), np.nan),
        "value_added": sub_va,
        "structure_pct": 100 * sub_va / ps_va if ps_va else np.full(len(ps_groups), np.nan),
    })

    emb_fd, emb_ex = embodied[0][mfg_idx], embodied[1][mfg_idx]
    embodied_frame = Frame("code", mfg_codes, {
        "final_demand": f[mfg_idx], "exports": e[mfg_idx],
        "embodied_ps_va_final_demand": emb_fd, "embodied_ps_va_exports": emb_ex,
        "final_demand_domestic": dom.f[mfg_idx], "exports_domestic": dom.e[mfg_idx],
        "embodied_ps_va_final_demand_domestic": dom.embodied[0][mfg_idx],
        "embodied_ps_va_exports_domestic": dom.embodied[1][mfg_idx],
    })
    emb_fd_dom, emb_ex_dom = float(dom.embodied[0][mfg_idx].sum()), float(dom.embodied[1][mfg_idx].sum())
    f_dom, e_dom = float(dom.f[mfg_idx].sum()), float(dom.e[mfg_idx].sum())

    f_mfg = float(f[mfg_idx].sum())
    e_mfg = float(np.nansum(e[mfg_idx])) if has_exports else math.nan
    emb_f = float(emb_fd.sum())
    emb_e = float(emb_ex.sum()) if has_exports else math.nan
    mfg_va = float(va[mfg_idx].sum())

    definitions = {
        **pick.definitions,
        "formulas": FORMULAS,
        "final_demand_columns": fd_cols,
        "final_demand_note": "final demand f = final-use columns excluding imports "
                             f"({', '.join(sorted(set(blocks.final_demand) - set(fd_cols))) or 'none'}"
                             "); L is the table's own (for competitive-import tables it includes imported inputs)",
        "exports_column": blocks.export_column,
        "manufacturing_sectors": k_mfg,
        "domestic_only": dom.note,
    }
    summary = {
        "table": meta.id, "country": meta.country, "year": meta.year,
        "unit": meta.unit, "currency": meta.currency,
        "ps_inputs_to_mfg": gi["all"]["ps_inputs"],
        "ps_inputs_to_mfg_trillion": gi["all"]["ps_inputs_trillion"],
        "mfg_intermediate_inputs": mfg_tii,
        "ps_share_of_mfg_intermediate_pct": {g: gi[g]["share_pct"] for g in GROUP_INDEX},
        "ps_inputs_to_mfg_trillion_by_group": {g: gi[g]["ps_inputs_trillion"] for g in GROUP_INDEX},
        "ps_va": ps_va, "mfg_va": mfg_va,
        "ps_va_to_mfg_va": _ratio(ps_va, mfg_va),
        "ps_structure_pct": {k: float(s) for k, s in zip(ps_groups, by_ps_subsector.columns["structure_pct"],
                                                         strict=True)},
        "complete_ps_requirement_per_unit_mfg_final_demand": _ratio(float(complete[mfg_idx] @ f[mfg_idx]), f_mfg),
        "embodied_ps_va_in_mfg_final_demand": emb_f,
        "embodied_ps_va_share_of_mfg_final_demand_pct": _ratio(emb_f, f_mfg, 100),
        "embodied_ps_va_in_mfg_exports": emb_e,
        "embodied_ps_va_share_of_mfg_exports_pct": _ratio(emb_e, e_mfg, 100),
        "embodied_ps_va_in_mfg_final_demand_domestic": emb_fd_dom,
        "embodied_ps_va_share_of_mfg_final_demand_domestic_pct": _ratio(emb_fd_dom, f_dom, 100),
        "embodied_ps_va_in_mfg_exports_domestic": emb_ex_dom,
        "embodied_ps_va_share_of_mfg_exports_domestic_pct": _ratio(emb_ex_dom, e_dom, 100),
        "definitions": definitions,
    }
    if own is not None:
        p_own = float(ps_in_own[mfg_idx].sum())
        p_all = gi["all"]["ps_inputs"]
        summary = {"region": pick.region, **summary}
        summary.pop("definitions")
        summary.update({
            "ps_inputs_to_mfg_from_own_region": p_own, "ps_inputs_to_mfg_from_other_regions": p_all - p_own,
            "ps_share_of_mfg_intermediate_from_own_region_pct": _ratio(p_own, mfg_tii, 100),
            "ps_share_of_mfg_intermediate_from_other_regions_pct": _ratio(p_all - p_own, mfg_tii, 100),
            "definitions": definitions,
        })
    return Indicators(meta=meta, definitions=definitions, summary=summary,
                      frames={"by_group": by_group, "by_mfg_sector": by_mfg_sector,
                              "by_ps_subsector": by_ps_subsector, "embodied": embodied_frame})


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
    import pandas as pd

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
    import pandas as pd

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
