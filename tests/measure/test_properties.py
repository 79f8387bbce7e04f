"""The IO identities hold on any balanced table (hypothesis): x = L·f, 1'A + v = 1, 1'L ≥ 1, GDP identity.

Tables are drawn as coefficients (nonnegative A with column sums below 1, Y ≥ 0) and rebuilt as flows
(x = (I − A)⁻¹·Y·1, Z = A·x̂, value added = x − 1'Z), then handed to IOTable as a reader would.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from ronghe.measure import iomath
from ronghe.measure.table import IOTable, TableMeta

META = TableMeta(id="drawn", publisher="hypothesis", country="XXX", year=None, unit="u", currency="",
                 unit_factor=1.0)
RTOL = 1e-9
# 0 or at least 1e-6: coefficients near 1e-300 make outputs near underflow, whose reciprocals overflow
unit_floats = st.one_of(st.just(0.0), st.floats(1e-6, 1.0))


@st.composite
def balanced_tables(draw) -> IOTable:
    n = draw(st.integers(1, 12))
    k = draw(st.integers(1, 4))
    raw = draw(arrays(np.float64, (n, n), elements=unit_floats))
    sparsity = draw(arrays(np.bool_, (n, n)))
    raw = np.where(sparsity, 0.0, raw)
    colsum = draw(arrays(np.float64, n, elements=st.one_of(st.just(0.0), st.floats(1e-6, 0.95))))
    total = raw.sum(axis=0)
    A = np.divide(raw * colsum, total, out=np.zeros_like(raw), where=total > 0)
    # final demand 0 or at least 1e-6: values near 1e-308 make outputs whose reciprocals overflow
    Y = draw(arrays(np.float64, (n, k), elements=st.one_of(st.just(0.0), st.floats(1e-6, 1e6))))
    x = np.linalg.solve(np.eye(n) - A, Y.sum(axis=1))
    Z = A * x
    va = np.maximum(x - Z.sum(axis=0), 0.0)
    shares = draw(arrays(np.float64, 3, elements=st.floats(0.01, 1.0)))
    V = np.outer(shares / shares.sum(), va)
    codes = [f"s{i}" for i in range(n)]
    return IOTable(Z=pd.DataFrame(Z, codes, codes), Y=pd.DataFrame(Y, codes, [f"f{c}" for c in range(k)]),
                   V=pd.DataFrame(V, ["wages", "taxes", "surplus"], codes), meta=META)


def _close(actual, expected, scale) -> None:
    np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=RTOL * max(float(np.max(np.abs(scale))), 1e-300))


@settings(max_examples=50, deadline=None)
@given(balanced_tables())
def test_output_is_leontief_times_final_demand(table):
    x, f = table.x.to_numpy(), table.final_demand.to_numpy()
    _close(table.leontief.solve(f), x, x)
    table.check(rtol=1e-9)


@settings(max_examples=50, deadline=None)
@given(balanced_tables())
def test_inputs_plus_value_added_equal_output(table):
    """Column sums of A plus v are 1 for every producing sector: VA + intermediate inputs = output."""
    x = table.x.to_numpy()
    produced = x > 0
    colsums = table.A().to_numpy().sum(axis=0) + table.v.to_numpy()
    _close(colsums[produced], 1.0, 1.0)
    assert (colsums[~produced] == 0).all()  # no output, no coefficients


@settings(max_examples=50, deadline=None)
@given(balanced_tables())
def test_every_column_of_L_sums_to_at_least_one(table):
    colsums = table.leontief.solve_left(np.ones(table.n))
    assert (colsums >= 1 - 1e-12).all()
    assert (table.L().to_numpy() >= -1e-12).all()  # nonnegative A gives a nonnegative inverse


@settings(max_examples=50, deadline=None)
@given(balanced_tables())
def test_gdp_identity_value_added_equals_final_demand(table):
    """v·L·f = total value added = total final demand: every unit of final demand ends as value added."""
    f = table.final_demand.to_numpy()
    embodied = iomath.embodied_value_added(table.v.to_numpy(), table.leontief, f).sum()
    _close(embodied, table.va.sum(), f.sum())
    _close(table.va.sum(), f.sum(), f.sum())


@settings(max_examples=50, deadline=None)
@given(balanced_tables(), st.data())
def test_left_and_right_solves_are_adjoint(table, data):
    """(c·L)·b = c·(L·b): the two solve directions apply the same L."""
    n = table.n
    # milli-unit grid: no tiny magnitudes whose products underflow and make the comparison meaningless
    vectors = arrays(np.float64, n, elements=st.integers(-10**6, 10**6).map(lambda k: k / 1000))
    b, c = data.draw(vectors), data.draw(vectors)
    lhs = table.leontief.solve_left(c) @ b
    rhs = c @ table.leontief.solve(b)
    scale = np.abs(table.leontief.solve_left(np.abs(c))) @ np.abs(b)
    _close(lhs, rhs, scale)
