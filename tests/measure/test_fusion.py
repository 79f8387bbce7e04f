"""Integration indicators: hand-checked numbers on a 4-sector table, then the report's figures from NBS."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ronghe.errors import InputError
from ronghe.measure.fusion import compare, indicators, time_series
from ronghe.measure.standards import load_concordance, nbs42_table, read_concordance
from ronghe.measure.table import IOTable, TableMeta

CODES = ["M1", "M2", "P1", "O1"]


def small_table(year: int = 2020, publisher: str = "TEST", country: str = "XXX") -> IOTable:
    """Inputs of M1: 30 (6 from P1); M2: 20 (2 from P1). Outputs 100, 50, 50, 30; imports in IM."""
    idx = pd.Index(CODES)
    Z = pd.DataFrame([[10, 5, 2, 1], [4, 10, 1, 2], [6, 2, 1, 1], [10, 3, 2, 2]], idx, idx, dtype=float)
    Y = pd.DataFrame({"C": [70, 30, 40, 13], "EX": [20, 5, 0, 0], "IM": [-8, -2, 0, 0]}, idx, dtype=float)
    V = pd.DataFrame([[70, 30, 44, 24]], index=["VA"], columns=idx, dtype=float)
    meta = TableMeta(id=f"t-{year}", publisher=publisher, country=country, year=year, unit="units",
                     currency="CNY", unit_factor=1e4, classification="small")
    table = IOTable(Z=Z, Y=Y, V=V, meta=meta, export_column="EX")
    table.check()
    return table


def concordance(tmp_path: Path, p1: str = "P1,producer_service,wholesale,1\n") -> object:
    path = tmp_path / "small.csv"
    path.write_text("code,role,group,weight\nM1,manufacturing,high,\nM2,manufacturing,low,\n" + p1
                    + "O1,other,,\n", encoding="utf-8")
    return read_concordance(path)


def test_direct_shares_by_group_sector_and_subsector(tmp_path):
    ind = indicators(small_table(), concordance(tmp_path))
    g = ind.by_group
    assert g.loc["all", "ps_inputs"] == 8 and g.loc["all", "intermediate_inputs"] == 50
    assert g.loc["all", "share_pct"] == pytest.approx(16.0)
    assert g.loc["high", "share_pct"] == pytest.approx(20.0) and g.loc["low", "share_pct"] == pytest.approx(10.0)
    assert math.isnan(g.loc["medium", "share_pct"]) and g.loc["medium", "ps_inputs"] == 0
    assert g.loc["all", "ps_inputs_trillion"] == pytest.approx(8 * 1e4 / 1e12)
    s = ind.by_mfg_sector
    assert list(s.index) == ["M1", "M2"] and list(s["tech_group"]) == ["high", "low"]
    assert s.loc["M1", "direct_ps_coeff"] == pytest.approx(6 / 100)
    assert s.loc["M2", "share_pct"] == pytest.approx(10.0)
    sub = ind.by_ps_subsector
    assert list(sub.index) == ["wholesale"] and sub.loc["wholesale", "name_zh"] == "批发"
    assert sub.loc["wholesale", "inputs_to_mfg"] == 8 and sub.loc["wholesale", "value_added"] == 44
    assert ind.summary["ps_va_to_mfg_va"] == pytest.approx(44 / 100)
    assert ind.summary["ps_structure_pct"] == {"wholesale": pytest.approx(100.0)}


def test_leontief_based_indicators_match_the_explicit_inverse(tmp_path):
    table = small_table()
    ind = indicators(table, concordance(tmp_path))
    L = np.linalg.inv(np.eye(4) - table.Z.to_numpy() / table.x.to_numpy())
    ps = np.array([0, 0, 1, 0.0])
    complete = ps @ (L - np.eye(4))
    assert ind.by_mfg_sector["complete_ps_requirement"].to_numpy() == pytest.approx(complete[:2], rel=1e-12)
    f = np.array([90.0, 35.0])  # consumption + exports; the IM column is not final demand
    assert ind.embodied["final_demand"].tolist() == [90, 35]
    assert ind.summary["complete_ps_requirement_per_unit_mfg_final_demand"] == pytest.approx(
        complete[:2] @ f / f.sum(), rel=1e-12)
    m = (table.va.to_numpy() / table.x.to_numpy() * ps) @ L
    assert ind.summary["embodied_ps_va_in_mfg_final_demand"] == pytest.approx(m[:2] @ f, rel=1e-12)
    assert ind.summary["embodied_ps_va_share_of_mfg_final_demand_pct"] == pytest.approx(
        100 * m[:2] @ f / f.sum(), rel=1e-12)
    e = np.array([20.0, 5.0])
    assert ind.summary["embodied_ps_va_in_mfg_exports"] == pytest.approx(m[:2] @ e, rel=1e-12)
    assert ind.summary["embodied_ps_va_share_of_mfg_exports_pct"] == pytest.approx(100 * m[:2] @ e / 25)
    assert ind.definitions["final_demand_columns"] == ["C", "EX"]


def test_weights_split_a_merged_sector(tmp_path):
    half = "P1,producer_service,wholesale,0.5\nP1,producer_service,finance,0.25\n"
    ind = indicators(small_table(), concordance(tmp_path, half))
    assert ind.by_group.loc["all", "ps_inputs"] == pytest.approx(8 * 0.75)
    assert ind.by_ps_subsector["inputs_to_mfg"].to_dict() == {"wholesale": 4.0, "finance": 2.0}
    assert ind.summary["ps_structure_pct"] == {"wholesale": pytest.approx(200 / 3), "finance": pytest.approx(100 / 3)}
    assert ind.summary["ps_va_to_mfg_va"] == pytest.approx(44 * 0.75 / 100)
    assert ind.definitions["partial_weights"] == {"P1→wholesale": 0.5, "P1→finance": 0.25}


def test_summary_is_json_and_carries_the_stable_keys(tmp_path):
    ind = indicators(small_table(), concordance(tmp_path))
    d = json.loads(json.dumps(ind.to_dict()))
    for key in ("table", "country", "year", "unit", "currency", "ps_inputs_to_mfg", "ps_inputs_to_mfg_trillion",
                "ps_share_of_mfg_intermediate_pct", "ps_va_to_mfg_va", "ps_structure_pct",
                "complete_ps_requirement_per_unit_mfg_final_demand", "embodied_ps_va_in_mfg_final_demand",
                "embodied_ps_va_share_of_mfg_final_demand_pct", "embodied_ps_va_in_mfg_exports",
                "embodied_ps_va_share_of_mfg_exports_pct", "definitions"):
        assert key in d, key
    assert set(d["ps_share_of_mfg_intermediate_pct"]) == {"all", "high", "medium", "low"}
    assert d["ps_share_of_mfg_intermediate_pct"]["medium"] is None  # NaN → null
    assert d["definitions"]["concordance"] == "small" and "formulas" in d["definitions"]
    assert {r["group"] for r in d["tables"]["by_group"]} == {"all", "high", "medium", "low"}


def test_concordance_missing_a_code_names_code_and_file(tmp_path):
    path = tmp_path / "short.csv"
    path.write_text("code,role,group\nM1,manufacturing,high\nM2,manufacturing,low\nP1,producer_service,finance\n",
                    encoding="utf-8")
    with pytest.raises(InputError, match="no row for sector code 'O1'") as err:
        indicators(small_table(), read_concordance(path))
    assert err.value.file == str(path)


def test_table_without_shipped_concordance_is_refused():
    with pytest.raises(InputError, match="no shipped concordance for classification 'small'"):
        indicators(small_table())


def test_time_series_and_compare(tmp_path):
    conc = concordance(tmp_path)
    a, b = indicators(small_table(2019), conc), indicators(small_table(2020), conc)
    ts = time_series([b, a])
    assert list(ts.index) == [2019, 2020]
    assert ts.loc[2020, "ps_share_of_mfg_intermediate_pct.all"] == pytest.approx(16.0)
    cmp = compare([a, b])
    assert list(cmp.columns) == ["t-2019", "t-2020"] and cmp.loc["ps_va_to_mfg_va", "t-2020"] == pytest.approx(0.44)
    other = indicators(small_table(2021, country="YYY"), conc)
    with pytest.raises(InputError, match="one publisher and country"):
        time_series([a, other])
    with pytest.raises(InputError, match="given twice"):
        compare([a, a])


# ----- the real tables ------------------------------------------------------------------------------------
REPORT_2020 = {"high": (5.7, 15.2), "medium": (3.2, 12.9), "low": (2.8, 12.8)}
#: Documented in docs/reproduction.md: the default variant's distance to the report's 2020 split.
MAX_SHARE_GAP_PP = 0.1
MAX_TRILLION_GAP = 0.1


@pytest.fixture(scope="module")
def nbs(nbs_tables):
    return nbs_tables  # parsed once per session (tests/measure/conftest.py)


def test_nbs_2020_reproduces_the_report_all_manufacturing_row(nbs):
    s = indicators(nbs[2020]).summary
    assert round(s["ps_inputs_to_mfg_trillion"], 1) == 11.7
    assert round(s["ps_share_of_mfg_intermediate_pct"]["all"], 1) == 13.9
    assert s["ps_inputs_to_mfg"] == pytest.approx(11.66e12 / 1e4, rel=1e-3)  # 万元
    assert s["definitions"]["wholesale_rule"] == "wholesale = 51105 批发"


def test_nbs_2018_gives_the_documented_figures(nbs):
    s = indicators(nbs[2018]).summary
    assert s["ps_inputs_to_mfg_trillion"] == pytest.approx(10.94, abs=0.005)
    assert s["ps_share_of_mfg_intermediate_pct"]["all"] == pytest.approx(13.33, abs=0.005)


@pytest.mark.parametrize(("year", "trillion", "share"), [(2018, 10.40, 12.68), (2020, 11.04, 13.15)])
def test_42_sector_table_with_half_of_wholesale_and_retail(nbs, year, trillion, share):
    """The report's rule where only 批发和零售 exists, on the 42-sector aggregate (LAYOUTS.md §5.1 figures)."""
    t42 = nbs42_table(nbs[year])
    t42.check()
    assert t42.n == 42 and t42.meta.classification == "nbs-42"
    s = indicators(t42).summary
    assert s["ps_inputs_to_mfg_trillion"] == pytest.approx(trillion, abs=0.005)
    assert s["ps_share_of_mfg_intermediate_pct"]["all"] == pytest.approx(share, abs=0.005)
    assert s["mfg_intermediate_inputs"] == pytest.approx(indicators(nbs[year]).summary["mfg_intermediate_inputs"])


def test_default_technology_split_is_within_the_documented_distance(nbs):
    g = indicators(nbs[2020]).by_group
    for group, (trillion, share) in REPORT_2020.items():
        assert abs(g.loc[group, "share_pct"] - share) <= MAX_SHARE_GAP_PP, group
        assert abs(g.loc[group, "ps_inputs_trillion"] - trillion) <= MAX_TRILLION_GAP, group
    assert g.loc[["high", "medium", "low"], "ps_inputs"].sum() == pytest.approx(g.loc["all", "ps_inputs"])


def test_alternative_variant_is_further_from_the_report(nbs):
    def distance(variant):
        g = indicators(nbs[2020], load_concordance("nbs-153", variant)).by_group
        return math.dist([g.loc[k, "share_pct"] for k in REPORT_2020], [s for _, s in REPORT_2020.values()])

    assert distance(None) < distance("oecd2016-3") < distance("oecd2016-h-mh-rest")


def test_nbs_2020_identities_and_other_indicators(nbs):
    ind = indicators(nbs[2020])
    sub = ind.by_ps_subsector
    assert sub["inputs_to_mfg"].sum() == pytest.approx(ind.summary["ps_inputs_to_mfg"])
    assert sub["structure_pct"].sum() == pytest.approx(100)
    assert 1.0 < ind.summary["ps_va_to_mfg_va"] < 1.4
    assert 0 < ind.summary["embodied_ps_va_share_of_mfg_final_demand_pct"] < 40
    assert ind.definitions["final_demand_columns"] == ["FU101", "FU102", "FU103", "FU201", "FU202", "EX"]


def test_bea_years_give_a_sane_us_share(bea_tables):
    ts = time_series([indicators(t) for t in bea_tables.values()])
    assert list(ts.index) == list(range(1997, 2021))
    share = ts["ps_share_of_mfg_intermediate_pct.all"]
    assert share.between(18, 35).all() and 25 < share[2020] < 35
    assert share[2020] > share[1997]  # servicification of US manufacturing
    assert ts["ps_inputs_to_mfg_trillion"].between(0.4, 1.5).all()  # trillions of USD
    assert ts["ps_va_to_mfg_va"].between(1.5, 4).all()
    assert ts["embodied_ps_va_share_of_mfg_exports_pct"].between(15, 35).all()


def test_python_api_load_then_indicators_works_every_time(store_dir, io_dir):
    """`ronghe.measure.load(ID)` and `ronghe.measure.indicators(table)` as an analyst's notebook calls them."""
    from ronghe import measure
    from ronghe.measure import store

    store.import_files([io_dir / "nbs-china" / "2020.xlsx"])
    table = measure.load("nbs-cn-2020")
    first = measure.indicators(table)
    import ronghe.measure.fusion  # noqa: F401  (a later import must not shadow the function)

    second = measure.indicators(table)
    assert round(first.summary["ps_inputs_to_mfg_trillion"], 1) == 11.7
    assert second.summary == first.summary
    assert isinstance(second.by_group, pd.DataFrame)


def test_linkages_and_complete_consumption_of_a_real_table(nbs):
    """影响力系数/感应度系数 and 完全消耗系数 on NBS 2020 agree with the explicit Leontief inverse."""
    table = nbs[2020]
    L = np.linalg.inv(np.eye(table.n) - table.A().to_numpy())
    links = table.linkages()
    colsums, rowsums = L.sum(axis=0), L.sum(axis=1)
    np.testing.assert_allclose(links["backward"], colsums / colsums.mean(), rtol=1e-9)
    np.testing.assert_allclose(links["forward_leontief"], rowsums / rowsums.mean(), rtol=1e-9)
    x = table.x.to_numpy()
    ghosh_rows = (L @ x) / x
    np.testing.assert_allclose(links["forward_ghosh"], ghosh_rows / ghosh_rows.mean(), rtol=1e-9)
    assert links.loc["51105", "name"] == "批发"
    B = table.complete_consumption().to_numpy()
    np.testing.assert_allclose(B, L - np.eye(table.n), atol=1e-12)
    assert (np.diag(B) >= 0).all()
