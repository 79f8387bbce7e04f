"""An n-sector table with the structure of a real one, exactly balanced: the benchmarks' ICIO/EXIOBASE stand-in.

Construction (seeded, so every run builds the same table):

1. Template: the NBS 2020 table (153 products), its coefficients A₀, output x₀, final-use columns Y₀ (FU101 …
   EX) and the shares of the four value-added rows.
2. Tiling: k = ⌈n / 153⌉ pseudo-regions. A = W ⊗ A₀ where W (k × k) says which region supplies a product:
   a home share drawn from U(0.55, 0.85) on the diagonal, the rest spread by a Dirichlet(0.3) draw, so every
   column of W sums to 1 and A keeps A₀'s zero pattern (72 % dense) and column sums.
3. Perturbation: every coefficient is multiplied by a lognormal(0, 0.3) factor, then each column is rescaled
   back to its template column sum (0.17–0.89), so no sector can become unproductive. A is cut to n × n
   (the last region is partial) and rescaled once more.
4. Balanced rebuild: x = tile(x₀) · region size (lognormal(0, 0.5)) · lognormal(0, 0.2); Z = A·x̂;
   value added = x − 1'Z, split into NBS's four rows by the template sector's shares. Net final demand
   f = x − Z·1 is then fixed; imports IM (a negative column, as in a competitive-import table) take the
   template product's import share of total use (at least enough to keep final uses positive), and
   f − IM is spread over FU101 … EX by the template row's shares with lognormal(0, 0.3) noise (negative
   template entries, i.e. inventory draw-downs, count as 0). Rows and columns then balance to rounding.

The arrays are written as .npy files plus a small JSON (codes, column names) so that each benchmark process
loads exactly the same numbers without rebuilding them.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from ronghe.measure.table import IOTable

SEED = 20201231


def build(template: IOTable, n: int, seed: int = SEED) -> dict[str, np.ndarray | list[str]]:
    """Z (n×n), Y (n×7), V (4×n) and labels of a scaled, exactly balanced table (see the module docstring)."""
    rng = np.random.default_rng(seed)
    n0 = template.n
    k = math.ceil(n / n0)
    A0 = template.A().to_numpy()
    x0 = template.x.to_numpy()
    fu = [c for c in template.Y.columns if c != "IM"]
    Y0 = template.Y[fu].to_numpy()
    V0 = template.V.to_numpy()
    total_use = template.Z.to_numpy().sum(axis=1) + np.clip(Y0, 0, None).sum(axis=1)
    mu0 = np.clip(np.divide(-template.Y["IM"].to_numpy(), total_use, out=np.zeros(n0), where=total_use > 0), 0, 0.9)
    va_share = np.divide(V0, V0.sum(axis=0), out=np.full_like(V0, 1 / len(V0)), where=V0.sum(axis=0) != 0)

    home = rng.uniform(0.55, 0.85, k)
    W = rng.dirichlet(np.full(k - 1, 0.3), size=k).T if k > 1 else np.zeros((0, 1))
    trade = np.zeros((k, k))
    for s in range(k):  # column s: where region s buys its inputs
        others = [r for r in range(k) if r != s]
        trade[s, s] = home[s] if k > 1 else 1.0
        trade[others, s] = (1 - home[s]) * W[:, s] if k > 1 else 0.0
    A = np.kron(trade, A0)[:n, :n]
    A *= rng.lognormal(0.0, 0.3, A.shape)
    target = np.tile(A0.sum(axis=0), k)[:n]
    colsum = A.sum(axis=0)
    A *= np.divide(target, colsum, out=np.zeros_like(colsum), where=colsum > 0)

    size = np.repeat(rng.lognormal(0.0, 0.5, k), n0)[:n]
    x = np.tile(x0, k)[:n] * size * rng.lognormal(0.0, 0.2, n)
    Z = A * x  # in place of a second n×n copy: A is not needed any more
    del A
    va = x - Z.sum(axis=0)
    V = np.tile(va_share, k)[:, :n] * va
    # net final demand f = x − Z·1 is fixed by the balance; split it NBS-like into imports and final uses
    used = Z.sum(axis=1)
    f = x - used
    imports = -np.maximum(np.tile(mu0, k)[:n] * (used + np.maximum(f, 0)), np.maximum(-f, 0) + 0.01 * x)
    shares = np.tile(np.clip(Y0, 0, None), (k, 1))[:n] * rng.lognormal(0.0, 0.3, (n, len(fu))) + 1e-9
    final = shares / shares.sum(axis=1, keepdims=True) * (f - imports)[:, None]
    codes = [f"r{r:02d}-{c}" for r in range(k) for c in template.sectors][:n]
    return {"Z": Z, "Y": np.column_stack([final, imports]), "V": V, "codes": codes,
            "y_columns": [*fu, "IM"], "v_rows": list(template.V.index), "template_codes": list(template.sectors)}


def save(blocks: dict, folder: Path, meta: dict) -> Path:
    """Write the blocks as .npy and the labels and metadata as JSON."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("Z", "Y", "V"):
        np.save(folder / f"{name}.npy", np.ascontiguousarray(blocks[name], dtype=np.float64))
    labels = {key: value for key, value in blocks.items() if key not in ("Z", "Y", "V")}
    (folder / "labels.json").write_text(json.dumps({**labels, "meta": meta}, ensure_ascii=False))
    return folder


def save_table(table: IOTable, folder: Path) -> Path:
    """A real IOTable in the same cache format (so both contenders load identical arrays)."""
    blocks = {"Z": table.Z.to_numpy(dtype=float), "Y": table.Y.to_numpy(dtype=float),
              "V": table.V.to_numpy(dtype=float), "codes": [str(c) for c in table.sectors],
              "y_columns": [str(c) for c in table.Y.columns], "v_rows": [str(r) for r in table.V.index],
              "export_column": table.export_column,
              "sector_names": None if table.sector_names is None else
              [str(s) for s in table.names().to_numpy()]}
    return save(blocks, folder, table.meta.to_dict())
