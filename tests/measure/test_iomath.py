"""iomath against the Miller & Blair 2-sector example (ch. 2) and against numpy's explicit inverse.

The textbook numbers: Z = [[150, 500], [200, 100]], f = [350, 1700], x = [1000, 2000], so
A = [[.15, .25], [.2, .05]], det(I − A) = .7575 and L = [[.95, .25], [.2, .85]] / .7575.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg  # noqa: F401  (LinAlgWarning in the filter below)

from ronghe.measure import iomath

Z = np.array([[150.0, 500.0], [200.0, 100.0]])
F = np.array([[350.0], [1700.0]])
X = np.array([1000.0, 2000.0])
VA = np.array([[650.0, 1400.0]])  # x − 1'Z
A = np.array([[0.15, 0.25], [0.20, 0.05]])
L = np.array([[0.95, 0.25], [0.20, 0.85]]) / 0.7575


def _realistic(n: int = 40, seed: int = 7) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A dense, exactly balanced n-sector table: Z, final demand f, value added (one row)."""
    rng = np.random.default_rng(seed)
    A = rng.random((n, n)) ** 3
    A *= rng.uniform(0.3, 0.75, n) / A.sum(axis=0)
    f = rng.uniform(10, 1000, n)
    x = np.linalg.solve(np.eye(n) - A, f)
    Zr = A * x
    return Zr, f[:, None], (x - Zr.sum(axis=0))[None, :]


@pytest.fixture(scope="module")
def big():
    Zr, f, va = _realistic()
    x = iomath.calc_x(Zr, f)
    A_ = iomath.calc_A(Zr, x)
    return {"Z": Zr, "f": f, "va": va, "x": x, "A": A_, "L": np.linalg.inv(np.eye(len(x)) - A_),
            "lu": iomath.factor_leontief(A_)}


def test_textbook_output_coefficients_and_inverse():
    x = iomath.calc_x(Z, F)
    np.testing.assert_allclose(x, X, rtol=1e-15)
    np.testing.assert_allclose(iomath.calc_x_from_inputs(Z, VA), X, rtol=1e-15)
    np.testing.assert_allclose(iomath.calc_A(Z, x), A, rtol=1e-15)
    np.testing.assert_allclose(iomath.calc_L(A), L, rtol=1e-14)
    np.testing.assert_allclose(iomath.calc_L(A), [[1.254125, 0.330033], [0.264026, 1.122112]], atol=5e-7)
    np.testing.assert_allclose(iomath.calc_v(VA, x), [0.65, 0.70], rtol=1e-15)


def test_textbook_solves_reproduce_output_and_value_added():
    lu = iomath.factor_leontief(A)
    np.testing.assert_allclose(lu.solve(F[:, 0]), X, rtol=1e-14)  # x = L·f
    v = iomath.calc_v(VA, X)
    np.testing.assert_allclose(iomath.calc_multipliers(v, lu), [1.0, 1.0], rtol=1e-14)  # all VA ends in f
    np.testing.assert_allclose(lu.solve_left(np.ones(2)), L.sum(axis=0), rtol=1e-14)


def test_textbook_complete_consumption_and_ghosh():
    B = iomath.calc_complete_consumption(L)
    np.testing.assert_allclose(B, L - np.eye(2), rtol=1e-15)
    np.testing.assert_allclose(B, A + A @ A + np.linalg.matrix_power(A, 3) @ np.linalg.inv(np.eye(2) - A),
                               rtol=1e-13)
    Bg = iomath.calc_ghosh_B(Z, X)
    np.testing.assert_allclose(Bg, [[0.15, 0.5], [0.1, 0.05]], rtol=1e-15)
    G = iomath.calc_ghosh_G(L, X)
    np.testing.assert_allclose(G, np.linalg.inv(np.eye(2) - Bg), rtol=1e-14)
    np.testing.assert_allclose(np.ones(2) @ Z + VA[0], X)  # Ghosh: x' = v'·G on the supply side
    np.testing.assert_allclose(VA[0] @ G, X, rtol=1e-14)


def test_textbook_rasmussen_linkages():
    lu = iomath.factor_leontief(A)
    col, row = L.sum(axis=0), L.sum(axis=1)
    np.testing.assert_allclose(iomath.backward_linkages(lu), col / col.mean(), rtol=1e-14)
    np.testing.assert_allclose(iomath.forward_linkages(lu), row / row.mean(), rtol=1e-14)
    g = iomath.calc_ghosh_G(L, X).sum(axis=1)
    np.testing.assert_allclose(iomath.forward_linkages(lu, X, variant="ghosh"), g / g.mean(), rtol=1e-14)
    # sector 1 pulls more from the economy (BL), sector 1 is pushed more by it under the Ghosh view
    assert iomath.backward_linkages(lu)[0] > 1 > iomath.backward_linkages(lu)[1]


def test_factor_against_numpy_inverse(big):
    L_np, lu = big["L"], big["lu"]
    np.testing.assert_allclose(lu.inverse(), L_np, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(iomath.calc_L(big["A"]), L_np, rtol=1e-12, atol=1e-15)
    rhs = np.random.default_rng(1).random((lu.n, 3))
    np.testing.assert_allclose(lu.solve(rhs), L_np @ rhs, rtol=1e-12)
    np.testing.assert_allclose(lu.solve_left(rhs.T), rhs.T @ L_np, rtol=1e-12)
    np.testing.assert_allclose(lu.solve(big["f"][:, 0]), big["x"], rtol=1e-12)


def test_factor_overwrite_reuses_the_callers_matrix(big):
    A_ = big["A"].copy()
    lu = iomath.factor_leontief(A_, overwrite=True)
    assert np.shares_memory(lu.lu, A_)
    np.testing.assert_allclose(lu.inverse(), big["L"], rtol=1e-12, atol=1e-15)
    kept = big["A"].copy()
    iomath.factor_leontief(kept)
    np.testing.assert_array_equal(kept, big["A"])


def test_derived_matrices_against_explicit_inverse(big):
    x, L_np, Z_, lu = big["x"], big["L"], big["Z"], big["lu"]
    n = len(x)
    np.testing.assert_allclose(iomath.calc_complete_consumption(L_np), L_np - np.eye(n))
    G = iomath.calc_ghosh_G(L_np, x)
    np.testing.assert_allclose(G, np.linalg.inv(np.eye(n) - iomath.calc_ghosh_B(Z_, x)), rtol=1e-11)
    v = iomath.calc_v(big["va"], x)
    np.testing.assert_allclose(iomath.calc_multipliers(v, lu), v @ L_np, rtol=1e-12)
    np.testing.assert_allclose(iomath.calc_multipliers(v, lu), np.ones(n), rtol=1e-12)
    col, row = L_np.sum(axis=0), L_np.sum(axis=1)
    np.testing.assert_allclose(iomath.backward_linkages(lu), col / col.mean(), rtol=1e-12)
    np.testing.assert_allclose(iomath.forward_linkages(lu, variant="leontief"), row / row.mean(), rtol=1e-12)
    g = G.sum(axis=1)
    np.testing.assert_allclose(iomath.forward_linkages(lu, x, variant="ghosh"), g / g.mean(), rtol=1e-12)


def test_embodied_value_added_and_total_requirements(big):
    x, L_np, lu, f = big["x"], big["L"], big["lu"], big["f"][:, 0]
    n = len(x)
    origin = np.zeros(n, dtype=bool)
    origin[: n // 3] = True  # "services": the first third of the sectors
    v = iomath.calc_v(big["va"], x)
    v_s = np.where(origin, v, 0.0)
    embodied = iomath.embodied_value_added(v_s, lu, f)
    np.testing.assert_allclose(embodied, (v_s @ L_np) * f, rtol=1e-12)
    # all origins together: every unit of final demand carries one unit of value added (GDP identity)
    np.testing.assert_allclose(iomath.embodied_value_added(v, lu, f).sum(), big["va"].sum(), rtol=1e-12)
    S = np.vstack([origin, ~origin]).astype(float)
    req = iomath.total_requirements(S, lu)
    np.testing.assert_allclose(req, S @ (L_np - np.eye(n)), rtol=1e-11, atol=1e-14)
    np.testing.assert_allclose(req.sum(axis=0), L_np.sum(axis=0) - 1, rtol=1e-12)


def test_zero_output_sector_has_no_coefficients():
    Z0 = np.array([[1.0, 0.0], [2.0, 0.0]])
    x = np.array([10.0, 0.0])
    np.testing.assert_array_equal(iomath.calc_A(Z0, x)[:, 1], [0.0, 0.0])
    np.testing.assert_allclose(iomath.calc_v(np.array([[7.0, 0.0]]), x), [0.7, 0.0], rtol=1e-15)


@pytest.mark.filterwarnings("ignore::scipy.linalg.LinAlgWarning")
def test_singular_and_non_finite_input_is_refused():
    with pytest.raises(ValueError, match="singular"):
        iomath.factor_leontief(np.array([[1.0, 0.0], [0.0, 0.5]]))  # sector 1 uses all of its own output
    with pytest.raises(ValueError, match="NaN or infinite"):
        iomath.factor_leontief(np.array([[0.1, np.nan], [0.2, 0.1]]))
    with pytest.raises(ValueError, match="NaN or infinite"):
        iomath.factor_leontief(np.array([[0.1, np.inf], [0.2, 0.1]]))
    with pytest.raises(ValueError, match="variant"):
        iomath.forward_linkages(iomath.factor_leontief(A), variant="supply")
    with pytest.raises(ValueError, match="total output"):
        iomath.forward_linkages(iomath.factor_leontief(A), variant="ghosh")


def test_columns_summing_to_one_are_refused_as_singular():
    rng = np.random.default_rng(0)
    A_ = rng.random((10, 10))
    A_ /= A_.sum(axis=0)  # every sector's inputs equal its output: I − A is singular
    with pytest.raises(ValueError, match="singular"):
        iomath.factor_leontief(A_)
