"""Input-output algebra as small pure functions on numpy arrays.

Notation (Miller & Blair): Z intermediate flows (n×n, row = supplying sector, column = using sector),
Y final demand (n×k), V value added (m×n), x total output, A = Z x̂⁻¹, L = (I − A)⁻¹.

Why LU solves: every indicator ronghe publishes needs L only applied to a few vectors (v·L, L·f, L·1),
never L itself. One LU factorisation of (I − A) plus triangular solves is several times faster and needs a
third of the memory of the explicit inverse that pymrio and MARIO form by default. :func:`calc_L` still
exists for the complete-consumption tables (完全消耗系数) on small national tables.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg

Array = np.ndarray

#: A pivot of the LU smaller than this times the largest means I − A is singular to working precision
#: (e.g. a sector whose input coefficients sum to exactly 1): refuse instead of returning huge numbers.
SINGULAR_RTOL = 1e-12


def calc_x(Z: Array, Y: Array) -> Array:
    """Total output from the row side: x = Z·1 + Y·1 (Y carries imports as a negative column if competitive)."""
    return np.asarray(Z).sum(axis=1) + np.asarray(Y).reshape(len(Z), -1).sum(axis=1)


def calc_x_from_inputs(Z: Array, V: Array) -> Array:
    """Total input from the column side: x' = 1'·Z + 1'·V; equals x in a balanced table."""
    return np.asarray(Z).sum(axis=0) + np.asarray(V).reshape(-1, len(Z)).sum(axis=0)


def _safe_reciprocal(x: Array) -> Array:
    """1/x with 0 where x = 0: a sector with no output has no coefficients (pymrio's convention)."""
    x = np.asarray(x, dtype=float)
    out = np.zeros_like(x)
    np.divide(1.0, x, out=out, where=x != 0)
    return out


def calc_A(Z: Array, x: Array) -> Array:
    """Direct input coefficients (直接消耗系数) A = Z·x̂⁻¹."""
    return np.asarray(Z, dtype=float) * _safe_reciprocal(x)[np.newaxis, :]


def calc_v(V: Array, x: Array) -> Array:
    """Value-added coefficients v = 1'V·x̂⁻¹ (one row: value added per unit of output)."""
    return np.asarray(V, dtype=float).reshape(-1, len(x)).sum(axis=0) * _safe_reciprocal(x)


@dataclass(frozen=True)
class Leontief:
    """The LU factors of (I − A)ᵀ; applies L = (I − A)⁻¹ to vectors without forming it.

    LAPACK wants Fortran order and the transpose of a C-ordered matrix is Fortran-ordered for free, so
    (I − A)ᵀ is factored in place and the transposition is moved into the ``trans`` flag of each solve.
    """

    lu: Array
    piv: Array

    @property
    def n(self) -> int:
        return self.lu.shape[0]

    def solve(self, b: Array) -> Array:
        """L·b: output required by final demand b (vector or n×k block)."""
        return scipy.linalg.lu_solve((self.lu, self.piv), b, trans=1, check_finite=False)

    def solve_left(self, c: Array) -> Array:
        """c·L for row vector(s) c (length n, or k×n): the multiplier form v·L."""
        c = np.asarray(c, dtype=float)
        return scipy.linalg.lu_solve((self.lu, self.piv), c.T, trans=0, check_finite=False).T

    def inverse(self) -> Array:
        """The explicit L, only for small tables or when a user asks for the full matrix."""
        return self.solve(np.eye(self.n))


def factor_leontief(A: Array, *, overwrite: bool = False) -> Leontief:
    """Factorise (I − A) once.

    With ``overwrite=True`` the caller's A (C-ordered float64) becomes the LU factors, so the peak memory is
    one n×n matrix beyond the caller's Z: what makes a 10,000-sector table fit in a few GiB.
    """
    A_in = A
    M = np.asarray(A, dtype=np.float64)
    if overwrite and M is A_in and M.flags.c_contiguous and M.flags.writeable:
        np.negative(M, out=M)
    else:
        M = np.negative(M, order="C")
    M[np.diag_indices_from(M)] += 1.0
    if not np.isfinite(M.sum()):  # NaN/inf propagate into the sum: no n×n boolean temporary
        raise ValueError("I − A contains NaN or infinite coefficients")
    lu, piv = scipy.linalg.lu_factor(M.T, overwrite_a=True, check_finite=False)
    pivots = np.abs(np.diag(lu))
    if pivots.min(initial=np.inf) <= SINGULAR_RTOL * pivots.max(initial=0.0):
        raise ValueError("I − A is singular: some sector's inputs equal or exceed its output")
    return Leontief(lu, piv)


def calc_L(A: Array) -> Array:
    """Leontief inverse (完全需要系数) L = (I − A)⁻¹, explicit; prefer :func:`factor_leontief`."""
    return factor_leontief(A).inverse()


def calc_complete_consumption(L: Array) -> Array:
    """Complete consumption coefficients (完全消耗系数) B = L − I = A + A² + …"""
    B = np.array(L, dtype=float, copy=True)
    B[np.diag_indices_from(B)] -= 1.0
    return B


def calc_ghosh_B(Z: Array, x: Array) -> Array:
    """Direct allocation (output) coefficients (直接分配系数) B = x̂⁻¹·Z."""
    return _safe_reciprocal(x)[:, np.newaxis] * np.asarray(Z, dtype=float)


def calc_ghosh_G(L: Array, x: Array) -> Array:
    """Ghosh inverse G = (I − B)⁻¹ = x̂⁻¹·L·x̂ (exact identity, so no second inversion)."""
    x = np.asarray(x, dtype=float)
    return _safe_reciprocal(x)[:, np.newaxis] * np.asarray(L) * x[np.newaxis, :]


def calc_multipliers(coefficients: Array, leontief: Leontief) -> Array:
    """Total multipliers m = c·L for coefficient row(s) c (e.g. value added per unit of final demand)."""
    return leontief.solve_left(coefficients)


def backward_linkages(leontief: Leontief) -> Array:
    """Rasmussen backward linkage (影响力系数): column sums of L over their mean."""
    colsums = leontief.solve_left(np.ones(leontief.n))
    return colsums / colsums.mean()


def forward_linkages(leontief: Leontief, x: Array | None = None, *, variant: str = "leontief") -> Array:
    """Rasmussen forward linkage (感应度系数): row sums of L, or of the Ghosh G, over their mean.

    ``variant="leontief"`` uses L·1 (the classic sensitivity of dispersion); ``"ghosh"`` uses G·1 =
    x̂⁻¹·L·x, the supply-side form many Chinese studies and MARIO use. The choice is explicit because the
    two rank sectors differently.
    """
    if variant == "leontief":
        rowsums = leontief.solve(np.ones(leontief.n))
    elif variant == "ghosh":
        if x is None:
            raise ValueError("the Ghosh forward linkage needs total output x")
        rowsums = leontief.solve(np.asarray(x, dtype=float)) * _safe_reciprocal(x)
    else:
        raise ValueError(f"unknown forward-linkage variant {variant!r} (use 'leontief' or 'ghosh')")
    return rowsums / rowsums.mean()


def embodied_value_added(v_origin: Array, leontief: Leontief, demand: Array) -> Array:
    """Value added of the origin sectors embodied in each sector's final demand or exports.

    Returns m_j·d_j with m = v_origin·L: the value added generated anywhere in the selected origin sectors
    (v_origin is v with zeros outside them) to deliver sector j's demand d_j (OECD TiVA's EXGR_SERV_DVA
    pattern when d is exports and the origin is services).
    """
    multipliers = leontief.solve_left(v_origin)
    return multipliers * np.asarray(demand, dtype=float)


def total_requirements(coeffs_block: Array, leontief: Leontief) -> Array:
    """Complete (direct + indirect) requirement of the rows in coeffs_block per unit of final demand.

    With the selector S (k×n, 1 where row i belongs to group k), S·(L − I) gives the complete consumption of
    each group per unit of each sector's output; S·L − S is computed with one k-RHS solve.
    """
    S = np.asarray(coeffs_block, dtype=float)
    return leontief.solve_left(S) - S
