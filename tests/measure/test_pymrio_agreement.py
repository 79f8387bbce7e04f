"""ronghe agrees with pymrio's ``calc_all()`` on the same table, and tables survive the trip through pymrio.

Agreement (x, A, L, value-added multipliers) is required to 1e-9 relative (issue 2, quality bars). pymrio
inverts I − A explicitly; ronghe solves with LU factors, so the two differ only by rounding.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ronghe.errors import InputError
from ronghe.measure import iomath
from ronghe.measure.readers.bea import read_bea
from ronghe.measure.readers.nbs import read_nbs
from ronghe.measure.readers.pymrio_io import from_pymrio, to_pymrio
from ronghe.measure.table import IOTable, TableMeta

pymrio = pytest.importorskip("pymrio")

RTOL = 1e-9


def _synthetic(n: int = 60, seed: int = 3) -> IOTable:
    """Dense, exactly balanced table with NBS-like shares: 4 VA rows, 6 final-use columns and imports."""
    rng = np.random.default_rng(seed)
    A = rng.random((n, n)) ** 4
    A *= rng.uniform(0.35, 0.8, n) / A.sum(axis=0)
    Y = rng.uniform(0, 100, (n, 6)) * rng.lognormal(0, 1, (n, 1))
    imports = -0.15 * (A @ np.linalg.solve(np.eye(n) - A, Y.sum(axis=1)))
    f = Y.sum(axis=1) + imports
    x = np.linalg.solve(np.eye(n) - A, f)
    Z = A * x
    va = x - Z.sum(axis=0)
    V = np.outer([0.5, 0.1, 0.15, 0.25], va)
    codes = [f"s{i:03d}" for i in range(n)]
    meta = TableMeta(id="synthetic", publisher="test", country="XXX", year=2020, unit="万元", currency="CNY",
                     unit_factor=1e4)
    return IOTable(Z=pd.DataFrame(Z, codes, codes),
                   Y=pd.DataFrame(np.column_stack([Y, imports]), codes,
                                  ["FU101", "FU102", "FU103", "FU201", "FU202", "EX", "IM"]),
                   V=pd.DataFrame(V, ["VA001", "VA002", "VA003", "VA004"], codes), meta=meta)


@pytest.fixture(scope="module")
def nbs2020(shared_data) -> IOTable:
    return read_nbs(shared_data / "io" / "nbs-china" / "2020.xlsx")


@pytest.fixture(scope="module")
def bea2020(shared_data) -> IOTable:
    bea = shared_data / "io" / "bea-us"
    (table,) = read_bea(bea / "IOUse_Before_Redefinitions_PRO_1997-2020_Summary.xlsx",
                        bea / "IOMake_Before_Redefinitions_PRO_1997-2020_Summary.xlsx", years=[2020])
    return table


@pytest.fixture(scope="module")
def test_world():
    """pymrio's toy 6-region MRIO collapsed to one region (unbalanced: its value added does not close)."""
    return pymrio.load_test().aggregate(region_agg=["world"] * 6)


def _assert_agrees(table: IOTable, io) -> None:
    """Our x, A, L and per-component value-added multipliers against pymrio's on the same IOSystem."""
    io.calc_all()
    np.testing.assert_allclose(table.x.to_numpy(), io.x.to_numpy().ravel(), rtol=RTOL)
    np.testing.assert_allclose(table.A().to_numpy(), io.A.to_numpy(), rtol=RTOL)
    np.testing.assert_allclose(table.L().to_numpy(), io.L.to_numpy(), rtol=RTOL)
    S = table.V.to_numpy() * np.divide(1.0, table.x.to_numpy())
    ours = iomath.calc_multipliers(S, table.leontief)
    np.testing.assert_allclose(ours, io.factor_inputs.M.to_numpy(), rtol=RTOL)
    np.testing.assert_allclose(iomath.calc_multipliers(table.v.to_numpy(), table.leontief),
                               io.factor_inputs.M.to_numpy().sum(axis=0), rtol=RTOL)


def test_agrees_with_pymrio_on_the_nbs_2020_table(nbs2020):
    _assert_agrees(nbs2020, to_pymrio(nbs2020))
    # a real table is balanced, so every unit of final demand carries one unit of value added
    np.testing.assert_allclose(iomath.calc_multipliers(nbs2020.v.to_numpy(), nbs2020.leontief), 1.0, rtol=1e-9)


def test_agrees_with_pymrio_on_the_bea_2020_table(bea2020):
    assert bea2020.n == 71
    _assert_agrees(bea2020, to_pymrio(bea2020))


def test_agrees_with_pymrio_on_a_synthetic_dense_table():
    table = _synthetic()
    table.check(rtol=1e-12)
    _assert_agrees(table, to_pymrio(table))


def test_agrees_with_pymrio_on_its_own_test_system(test_world):
    table = from_pymrio(test_world, table_id="pymrio-test", check=False)
    _assert_agrees(table, test_world.copy())


def test_round_trip_keeps_every_block_of_a_real_table(nbs2020):
    io = to_pymrio(nbs2020)
    assert io.get_regions().tolist() == ["CHN"]
    assert io.factor_inputs.F.index.tolist() == ["VA001", "VA002", "VA003", "VA004"]
    back = from_pymrio(io, table_id=nbs2020.meta.id, year=2020)
    for block in ("Z", "Y", "V"):
        pd.testing.assert_frame_equal(getattr(back, block), getattr(nbs2020, block), check_names=False,
                                      check_index_type=False, check_column_type=False)
    assert (back.meta.country, back.meta.unit, back.meta.currency, back.meta.unit_factor) == ("CHN", "万元", "", 1)
    assert back.export_column is None  # NBS calls exports EX; the caller names it when it matters
    named = from_pymrio(io, table_id="x", currency="CNY", unit_factor=1e4)
    assert (named.meta.currency, named.meta.unit_factor) == ("CNY", 1e4)


def test_round_trip_of_pymrio_test_system(test_world):
    table = from_pymrio(test_world, table_id="pymrio-test", year=2011, check=False)
    assert (table.n, table.meta.unit, table.meta.currency, table.meta.unit_factor) == (8, "Mill USD", "USD", 1e6)
    assert table.export_column == "Export"
    again = to_pymrio(table)
    np.testing.assert_array_equal(again.Z.to_numpy(), test_world.Z.to_numpy())
    np.testing.assert_array_equal(again.Y.to_numpy(), test_world.Y.to_numpy())
    np.testing.assert_array_equal(again.factor_inputs.F.to_numpy(), test_world.factor_inputs.F.to_numpy())
    assert again.Y.columns.get_level_values("category").tolist() == test_world.get_Y_categories().tolist()


def test_one_region_of_an_mrio_becomes_a_competitive_import_table():
    io = pymrio.load_test()
    table = from_pymrio(io, table_id="reg2", region="reg2", check=False)
    z, y = io.Z.to_numpy(), io.Y.to_numpy()
    rows = io.Z.index.get_level_values("region") == "reg2"
    np.testing.assert_allclose(table.x.to_numpy(), z[rows].sum(axis=1) + y[rows].sum(axis=1), rtol=1e-12)
    # columns: purchases from every region, so 1'Z equals the MRIO's column sums for reg2
    np.testing.assert_allclose(table.Z.to_numpy().sum(axis=0), z[:, rows].sum(axis=0), rtol=1e-12)
    assert table.Y["imports"].le(0).all() and table.Y["exports"].gt(0).all()
    assert "Export" not in table.Y.columns and table.export_column == "exports"


def test_regions_of_a_balanced_mrio_are_balanced_tables():
    """Build a balanced 3-region MRIO from the synthetic table; every extracted region must pass check()."""
    base = _synthetic(n=12)
    rng = np.random.default_rng(5)
    k, n = 3, base.n
    A = np.kron(rng.dirichlet(np.full(k, 4.0), size=k).T, base.A().to_numpy())
    Y = np.abs(rng.normal(1, 0.3, (k * n, k * 2))) * 50
    x = np.linalg.solve(np.eye(k * n) - A, Y.sum(axis=1))
    Z = A * x
    idx = pd.MultiIndex.from_product([["r1", "r2", "r3"], base.sectors], names=["region", "sector"])
    cols = pd.MultiIndex.from_product([["r1", "r2", "r3"], ["hh", "gov"]], names=["region", "category"])
    F = pd.DataFrame([x - Z.sum(axis=0)], index=pd.Index(["VA"], name="inputtype"), columns=idx)
    io = pymrio.IOSystem(Z=pd.DataFrame(Z, idx, idx), Y=pd.DataFrame(Y, idx, cols),
                         factor_inputs={"name": "Factor Inputs", "F": F})
    for r in ("r1", "r2", "r3"):
        table = from_pymrio(io, table_id=r, region=r, unit="M.EUR")
        table.check(rtol=1e-10)
        assert table.meta.currency == "EUR"
        # GDP identity: VA = final demand + exports − imports
        np.testing.assert_allclose(table.va.sum(), table.final_demand.sum(), rtol=1e-10)


def test_bad_systems_are_refused_with_a_clear_error():
    io = pymrio.load_test()
    with pytest.raises(InputError, match="6 regions; pass region="):
        from_pymrio(io, table_id="t")
    with pytest.raises(InputError, match="region 'mars' is not in"):
        from_pymrio(io, table_id="t", region="mars")
    with pytest.raises(InputError, match="no value-added extension 'value_added'"):
        from_pymrio(io, table_id="t", region="reg1", value_added="value_added")
    with pytest.raises(InputError, match="do not balance"):
        from_pymrio(io, table_id="t", region="reg1")  # the toy MRIO's value added does not close
