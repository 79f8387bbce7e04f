"""Input-output algebra as small pure functions on numpy arrays.

Notation (Miller & Blair): Z intermediate flows (n×n, row = supplying sector, column = using sector),
Y final demand (n×k), V value added (m×n), x total output, A = Z x̂⁻¹, L = (I − A)⁻¹.

Why LU solves: every indicator ronghe publishes needs L only applied to a few vectors (v·L, L·f, L·1),
never L itself. One LU factorisation of (I − A) plus triangular solves is several times faster and needs a
third of the memory of the explicit inverse that pymrio and MARIO form by default. :func:`calc_L` still
exists for the complete-consumption tables (完全消耗系数) on small national tables.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

Array = np.ndarray


def _linalg() -> Any:
    """scipy.linalg, imported on the first factorisation (0.1 s of start-up a command without one never pays)."""
    import scipy.linalg

    return scipy.linalg

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
        return _linalg().lu_solve((self.lu, self.piv), b, trans=1, check_finite=False)

    def solve_left(self, c: Array) -> Array:
        """c·L for row vector(s) c (length n, or k×n): the multiplier form v·L."""
        c = np.asarray(c, dtype=float)
        return _linalg().lu_solve((self.lu, self.piv), c.T, trans=0, check_finite=False).T

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
    lu, piv = _linalg().lu_factor(M.T, overwrite_a=True, check_finite=False)
    pivots = np.abs(np.diag(lu))
    if pivots.min(initial=np.inf) <= SINGULAR_RTOL * pivots.max(initial=0.0):
        raise ValueError("I − A is singular: some sector's inputs equal or exceed its output")
    return Leontief(lu, piv)


#: Up to this many sectors :func:`factor_leontief_small` is the fast choice (national tables: 42–153).
SMALL_MAX_N = 400


@dataclass(frozen=True)
class SmallLeontief:
    """L applied with numpy's LAPACK ``gesv`` on I − A, factored afresh per call.

    Why: on a national table each factorisation takes microseconds, while importing scipy.linalg takes
    0.1–0.2 s, most of a short command's run. Same interface as :class:`Leontief`.
    """

    M: Array  # I − A, float64

    @property
    def n(self) -> int:
        return self.M.shape[0]

    def solve(self, b: Array) -> Array:
        return np.linalg.solve(self.M, np.asarray(b, dtype=float))

    def solve_left(self, c: Array) -> Array:
        c = np.asarray(c, dtype=float)
        return np.linalg.solve(self.M.T, c.T).T

    def inverse(self) -> Array:
        return np.linalg.inv(self.M)


def factor_leontief_small(A: Array) -> SmallLeontief:
    """(I − A) checked as :func:`factor_leontief` checks it (finite; not singular to 1e-12 by its condition)."""
    M = np.negative(np.asarray(A, dtype=np.float64))
    M[np.diag_indices_from(M)] += 1.0
    if not np.isfinite(M.sum()):
        raise ValueError("I − A contains NaN or infinite coefficients")
    s = np.linalg.svd(M, compute_uv=False)
    if s.size and s.min() <= SINGULAR_RTOL * s.max():
        raise ValueError("I − A is singular: some sector's inputs equal or exceed its output")
    return SmallLeontief(M)


#: Mixed precision: refine until the float64 residual is this small relative to the data (1e-9 agreement
#: with float64 needs far less; each step costs one pass over Z).
REFINE_TOL = 1e-14
#: A float32 pivot this small relative to the largest: the table is factored in float64 instead.
FLOAT32_PIVOT_RTOL = 1e-5


@dataclass
class MixedLeontief:
    """L = (I − A)⁻¹ applied through a float32 LU of (I − A)ᵀ, refined to float64 accuracy (LAPACK dsgesv's idea).

    Why: at thousands of sectors the LU is most of the time, and a float32 LU runs about twice as fast in half
    the memory. Each residual is computed in float64 from the table's own Z (``apply_left(Y) = Y·(I − A)``,
    ``apply_right(y) = (I − A)·y``), so the answer carries float64 accuracy; the error shrinks by about
    cond(I − A)·2⁻²⁴ per step (2–4 steps on IO tables). If a step fails to shrink the residual, ``fallback``
    builds the float64 factorisation, so the answer is never worse than :func:`factor_leontief`'s.
    """

    lu: Array  # float32 factors of (I − A)ᵀ, Fortran order
    piv: Array
    apply_left: Callable[[Array], Array]
    apply_right: Callable[[Array], Array]
    fallback: Callable[[], Leontief]
    max_steps: int = 8
    steps: list[int] = field(default_factory=list)  # refinement steps of each solve, for the benchmarks
    _f64: Leontief | None = None
    _solved: dict[bytes, Array] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return self.lu.shape[0]

    def _float64(self) -> Leontief:
        if self._f64 is None:
            self._f64 = self.fallback()
            self.lu = self.lu[:0, :0]  # the float32 factors are no longer needed
        return self._f64

    def _lu32(self, b: Array, trans: int) -> Array:
        return _linalg().lu_solve((self.lu, self.piv), b.astype(np.float32), trans=trans,
                                  check_finite=False).astype(np.float64)

    def _refine(self, b: Array, apply: Callable[[Array], Array], trans: int) -> Array | None:
        """Solve in float32 and refine in float64; None when refinement does not converge."""
        if self._f64 is not None:
            return None
        y = self._lu32(b, trans)
        scale = max(float(np.abs(b).max(initial=0.0)), 1e-300)
        previous = np.inf
        for step in range(self.max_steps):
            res = b - apply(y)
            size = float(np.abs(res).max(initial=0.0))
            if size <= REFINE_TOL * max(scale, float(np.abs(y).max(initial=0.0))):
                self.steps.append(step)
                return y
            if not size < 0.5 * previous:  # not converging (or NaN): cond(I − A) too large for float32
                break
            previous = size
            y += self._lu32(res, trans)
        return None

    def solve(self, b: Array) -> Array:
        """L·b, refined until the float64 residual of (I − A)·y = b is at rounding level."""
        b = np.asarray(b, dtype=np.float64)
        y = self._refine(b, self.apply_right, trans=1)
        return self._float64().solve(b) if y is None else y

    def solve_left(self, c: Array) -> Array:
        """c·L for row vector(s) c, refined against y·(I − A) = c."""
        c = np.asarray(c, dtype=np.float64)
        flat = c.ndim == 1
        c2 = c[np.newaxis, :] if flat else c
        known = [self._solved.get(row.tobytes()) for row in c2]
        if all(k is not None for k in known):
            out = np.vstack(known)
            return out[0] if flat else out
        yt = self._refine(c2.T.copy(), lambda y: self.apply_left(y.T).T, trans=0)
        out = self._float64().solve_left(c2) if yt is None else yt.T
        return out[0] if flat else out

    def prepare_left(self, C: Array) -> None:
        """Solve the rows of C together and keep them: later :meth:`solve_left` calls for any of these rows
        return them without another refinement (each refinement step is a pass over Z)."""
        C = np.atleast_2d(np.asarray(C, dtype=np.float64))
        for row, y in zip(C, np.atleast_2d(self.solve_left(C)), strict=True):
            self._solved[row.tobytes()] = y

    def inverse(self) -> Array:
        return self.solve(np.eye(self.n))


def factor_leontief_mixed_from(M32: Array, apply_left: Callable[[Array], Array],
                               apply_right: Callable[[Array], Array],
                               fallback: Callable[[], Leontief]) -> MixedLeontief | Leontief:
    """Factor a C-ordered float32 (I − A) in place; float64 (``fallback()``) when float32 pivots are too small."""
    if not np.isfinite(M32.sum(dtype=np.float64)):
        raise ValueError("I − A contains NaN or infinite coefficients")
    lu, piv = _linalg().lu_factor(M32.T, overwrite_a=True, check_finite=False)
    pivots = np.abs(np.diag(lu))
    if pivots.min(initial=np.inf) <= FLOAT32_PIVOT_RTOL * pivots.max(initial=0.0):
        del lu, M32
        return fallback()
    return MixedLeontief(lu, piv, apply_left, apply_right, fallback)


def factor_leontief_mixed(Z: Array, x: Array) -> MixedLeontief | Leontief:
    """The mixed-precision factorisation of a table held in memory: A = Z·x̂⁻¹ rounded to float32, once."""
    Z = np.asarray(Z, dtype=np.float64)
    r = _safe_reciprocal(x)
    M = np.empty(Z.shape, dtype=np.float32)
    np.multiply(Z, -r[np.newaxis, :], out=M, dtype=np.float32, casting="same_kind")
    M[np.diag_indices_from(M)] += np.float32(1.0)
    return factor_leontief_mixed_from(
        M, apply_left=lambda Yr: Yr - (Yr @ Z) * r,
        apply_right=lambda y: y - Z @ (y * (r if y.ndim == 1 else r[:, np.newaxis])),
        fallback=lambda: factor_leontief(calc_A(Z, x), overwrite=True))


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
    pattern when d is exports and the origin is services). ``demand`` may be k×n (final demand and exports
    at once): one solve serves every row.
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
