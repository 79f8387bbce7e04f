"""One benchmark contender in a fresh process: ``python bench/contenders.py CONTENDER TABLE_DIR [OUT.npy]``.

Prints one JSON line: compute seconds (min over ``--inner`` repetitions inside the process, for tables too
small to time once), a breakdown where the contender has steps, RSS after setup and the process's peak RSS
(getrusage ru_maxrss, i.e. VmHWM). OUT.npy receives the value-added multipliers v·L, so the driver can check
that the contenders computed the same thing.

Contenders:
- ``pymrio``: ``IOSystem(Z, Y, factor_inputs=V).calc_all()`` — x, A, L = inv(I − A), S, M, D_cba/pba/imp/exp.
- ``ronghe-core``: what ronghe's indicators need, step by step: IOTable.x, A and the LU of (I − A) exactly as
  ``IOTable.leontief`` does it, then v·L, (v∘1_g)·L and S·(L − I) for 7 producer-service groups, 1'L,
  (v∘1_PS)·L for embodied value added (17 rows in one left solve), and L·1, L·x (Ghosh forward linkage),
  L·f, L·e (4 columns in one right solve).
- ``ronghe-mixed``: the same pipeline on bench/mixed_lu.py's float32 LU with float64 refinement (a proposal
  for iomath, not shipped code).
- ``ronghe-indicators``: ``ronghe.measure.fusion.indicators(table)`` (re-exported as ``ronghe.measure.indicators``), the full public call (when present).
- ``ronghe-indicators-mixed``: ``indicators(table)`` with ``IOTable.leontief`` replaced by the float32-LU
  proposal (the public call needs only two left solves, so refinement is cheap there).
- ``lu-rate``: ``scipy.linalg.lu_factor`` on a random n×n matrix: the machine's dense-LU rate.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))  # mixed_lu, when run as a script

#: CPU seconds (all threads) of each timed repetition: with one BLAS thread, a measure of work that the load
#: of other processes on the machine does not inflate the way it inflates wall time.
CPU: list[float] = []


def rss_mib() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load(folder: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict]:
    labels = json.loads((folder / "labels.json").read_text())
    return (np.load(folder / "Z.npy"), np.load(folder / "Y.npy"), np.load(folder / "V.npy"), labels)


# Producer-service groups by code, for the core pipeline only (the shipped concordance is the indicators'
# business): NBS 153 codes by their GB/T 4754 division (../shared/data/io/LAYOUTS.md §5.1), BEA summary codes
# by LAYOUTS.md §4.3.
NBS_GROUPS = {"wholesale": {"51"}, "transport": {f"{d}" for d in range(53, 61)}, "information": {"63", "64", "65"},
              "finance": {"66", "67", "68"}, "leasing_business": {"71", "72"}, "research_tech": {"73", "74", "75"},
              "environment": {"76", "77", "78"}}
BEA_GROUPS = {"wholesale": {"42"}, "transport": {"481", "482", "483", "484", "485", "486", "487OS", "493"},
              "information": {"511", "512", "513", "514"}, "finance": {"521CI", "523", "524", "525"},
              "leasing_business": {"532RL", "55", "561"}, "research_tech": {"5411", "5415", "5412OP"},
              "environment": {"562"}}


def group_selectors(codes: list[str]) -> np.ndarray:
    """7 × n 0/1 rows, one per producer-service group."""
    base = [c.split("-", 1)[-1] for c in codes]
    nbs = all(len(c) == 5 or (len(c) == 6 and c[-1] in "ab") for c in base)
    S = np.zeros((7, len(codes)))
    for g, (_, members) in enumerate((NBS_GROUPS if nbs else BEA_GROUPS).items()):
        S[g] = [(c[:2] in members) if nbs else (c in members) for c in base]
    return S


def make_table(Z, Y, V, labels):
    import pandas as pd

    from ronghe.measure.table import IOTable, TableMeta

    codes = labels["codes"]
    names = labels.get("sector_names")
    return IOTable(Z=pd.DataFrame(Z, codes, codes, copy=False), Y=pd.DataFrame(Y, codes, labels["y_columns"],
                                                                               copy=False),
                   V=pd.DataFrame(V, labels["v_rows"], codes, copy=False), meta=TableMeta.from_dict(labels["meta"]),
                   sector_names=None if names is None else pd.Series(names, index=codes),
                   export_column=labels.get("export_column"))


def run_pymrio(Z, Y, V, labels, inner):
    import pandas as pd
    import pymrio

    region = labels["meta"].get("country") or "R"
    idx = pd.MultiIndex.from_product([[region], labels["codes"]], names=["region", "sector"])
    cats = pd.MultiIndex.from_product([[region], labels["y_columns"]], names=["region", "category"])
    F = pd.DataFrame(V, pd.Index(labels["v_rows"], name="inputtype"), idx, copy=False)
    times, setup = [], rss_mib()
    for _ in range(inner):
        io = pymrio.IOSystem(Z=pd.DataFrame(Z, idx, idx, copy=False), Y=pd.DataFrame(Y, idx, cats, copy=False),
                             factor_inputs={"name": "factor_inputs", "F": F})
        t0, c0 = time.perf_counter(), time.process_time()
        io.calc_all()
        times.append(time.perf_counter() - t0)
        CPU.append(time.process_time() - c0)
        m = io.factor_inputs.M.to_numpy().sum(axis=0)
        if _ < inner - 1:
            del io
    return times, {}, setup, m


def core_pipeline(table, S: np.ndarray, factor) -> tuple[dict[str, float], np.ndarray]:
    """x, A, one LU, then every left solve in one call and every right solve in another (17 + 4 RHS)."""
    from ronghe.measure import iomath

    t0 = time.perf_counter()
    x = table.x.to_numpy()
    v = table.v.to_numpy()
    f = table.final_demand.to_numpy()
    e = table.exports.to_numpy() if table.exports is not None else f
    t1 = time.perf_counter()
    lu, factor_laps = factor(table.Z.to_numpy(), x)
    t2 = time.perf_counter()
    ones = np.ones(len(x))
    v_ps = S.max(axis=0) * v
    left = lu.solve_left(np.vstack([v, S * v, S, ones, v_ps]))
    right = lu.solve(np.column_stack([ones, x, f, e]))
    t3 = time.perf_counter()
    k = len(S)
    m = left[0]
    results = {  # what the indicators read off the solves; kept so that nothing is optimised away
        "ps_va_multipliers": left[1:1 + k], "total_requirements": left[1 + k:1 + 2 * k] - S,
        "backward": left[1 + 2 * k] / left[1 + 2 * k].mean(), "forward": right[:, 0] / right[:, 0].mean(),
        "forward_ghosh": right[:, 1] * iomath._safe_reciprocal(x),
        "embodied_fd": left[-1] * f, "embodied_exports": left[-1] * e, "x_check": right[:, 2] - x,
    }
    assert len(results) == 8
    return {"x_v_f": t1 - t0, **factor_laps, "solves": t3 - t2, "total": t3 - t0}, m


def factor_f64(Z: np.ndarray, x: np.ndarray):
    """Exactly what IOTable.leontief does: A = Z·x̂⁻¹, then the LU of (I − A) in A's memory."""
    from ronghe.measure import iomath

    t0 = time.perf_counter()
    A = iomath.calc_A(Z, x)
    t1 = time.perf_counter()
    lu = iomath.factor_leontief(A, overwrite=True)
    return lu, {"A": t1 - t0, "LU": time.perf_counter() - t1}


def factor_mixed(Z: np.ndarray, x: np.ndarray):
    from mixed_lu import MixedLeontief

    t0 = time.perf_counter()
    lu = MixedLeontief(Z, x)
    return lu, {"A32+LU32": time.perf_counter() - t0}


def run_core(Z, Y, V, labels, inner, factor=factor_f64):
    times, steps, setup = [], {}, rss_mib()
    S = group_selectors(labels["codes"])
    for _ in range(inner):
        table = make_table(Z, Y, V, labels)
        c0 = time.process_time()
        lap, m = core_pipeline(table, S, factor)
        CPU.append(time.process_time() - c0)
        times.append(lap.pop("total"))
        steps = {k: min(steps.get(k, np.inf), val) for k, val in lap.items()}
        del table
    return times, steps, setup, m


def run_mixed(Z, Y, V, labels, inner):
    return run_core(Z, Y, V, labels, inner, factor=factor_mixed)


def scaled_concordance(codes: list[str], classification: str):
    """The shipped concordance, with each template row repeated for every pseudo-region's copy of the code."""

    import pandas as pd

    from ronghe.measure.standards import load_concordance

    conc = load_concordance(classification)
    template = pd.Series([c.split("-", 1)[-1] for c in codes], index=codes)
    frame = conc.frame.merge(template.rename("template").rename_axis("scaled").reset_index(),
                             left_on="code", right_on="template")
    frame = frame.drop(columns=["code", "template"]).rename(columns={"scaled": "code"})
    from ronghe.measure.standards import Concordance

    return Concordance.from_frame(frame[conc.frame.columns].reset_index(drop=True), name=f"{conc.name} (scaled)",
                                  file=conc.file, sha256=conc.sha256, variant=conc.variant, basis=conc.basis,
                                  extra=conc.extra)


def run_indicators_mixed(Z, Y, V, labels, inner):
    """indicators(table) with the table's cached Leontief replaced by the float32-LU proposal."""
    return run_indicators(Z, Y, V, labels, inner, mixed=True)


def run_indicators(Z, Y, V, labels, inner, mixed=False):
    from ronghe.measure import iomath
    from ronghe.measure.fusion import indicators

    scaled = any("-" in c for c in labels["codes"][:1])
    conc = scaled_concordance(labels["codes"], labels["meta"]["classification"]) if scaled else None
    times, setup = [], rss_mib()
    for _ in range(inner):
        table = make_table(Z, Y, V, labels)
        t0, c0 = time.perf_counter(), time.process_time()
        if mixed:  # what IOTable.leontief would return under the proposal
            table.__dict__["leontief"] = factor_mixed(table.Z.to_numpy(), table.x.to_numpy())[0]
        indicators(table, conc)
        times.append(time.perf_counter() - t0)
        CPU.append(time.process_time() - c0)
    m = iomath.calc_multipliers(table.v.to_numpy(), table.leontief)  # cached LU: no extra factorisation
    return times, {}, setup, m


def run_lu_rate(n: int, inner: int):
    import scipy.linalg

    rng = np.random.default_rng(0)
    times, setup = [], rss_mib()
    for _ in range(inner):
        M = rng.random((n, n)) + n * np.eye(n)  # diagonally dominant like I − A
        t0, c0 = time.perf_counter(), time.process_time()
        scipy.linalg.lu_factor(M.T, overwrite_a=True, check_finite=False)
        times.append(time.perf_counter() - t0)
        CPU.append(time.process_time() - c0)
        del M
    return times, {}, setup, None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("contender", choices=["pymrio", "ronghe-core", "ronghe-indicators", "ronghe-mixed",
                                              "ronghe-indicators-mixed", "lu-rate"])
    parser.add_argument("table", help="cache folder of the table (or the size n for lu-rate)")
    parser.add_argument("out", nargs="?", help="where to write v·L (.npy)")
    parser.add_argument("--inner", type=int, default=1)
    args = parser.parse_args()
    if args.contender == "lu-rate":
        n = int(args.table)
        times, steps, setup, m = run_lu_rate(n, args.inner)
    else:
        Z, Y, V, labels = load(Path(args.table))
        n = len(Z)
        runner = {"pymrio": run_pymrio, "ronghe-core": run_core, "ronghe-indicators": run_indicators,
                  "ronghe-mixed": run_mixed, "ronghe-indicators-mixed": run_indicators_mixed}
        times, steps, setup, m = runner[args.contender](Z, Y, V, labels, args.inner)
    if args.out and m is not None:
        np.save(args.out, np.asarray(m, dtype=float))
    json.dump({"contender": args.contender, "n": n, "times": times, "compute_s": min(times), "cpu_s": min(CPU), "steps": steps,
               "setup_rss_mib": setup, "peak_rss_mib": peak_mib(), "loadavg": os.getloadavg()[0]}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
