"""`ronghe measure indicators --format json` against a whole pymrio process, as users meet both: start-up,
imports, loading the table, computing, output. Prints comparable figures; nothing here is a timed test.

    .venv/bin/python bench/whole_process.py                        # NBS 2020, 4,000 and 10,000 sectors
    .venv/bin/python bench/whole_process.py --sizes 4000 --repeats 5

Each contender is a fresh process run under ``/usr/bin/time -f '%e %M'`` (wall seconds, peak RSS in KiB), in
alternating order so that a burst of load from other work on the machine does not always hit the same one:

- ``ronghe``: ``ronghe measure indicators --table ID --format json --out FILE`` on a store built once in the
  cache folder (the scaled tables with ``--concordance``: the shipped nbs-153 rows repeated for every
  pseudo-region's copy of the code, as a user would supply for an aggregated MRIO).
- ``pymrio``: ``python -c`` that imports pymrio, builds ``IOSystem(Z, Y, factor_inputs=V)`` from the same
  ``.npy`` arrays of the store and runs ``calc_all()`` (what a pymrio user's script does, minus any output).

Floors, measured in the same run between the contenders: ``python -c 'import numpy'`` (start-up), reading
Z.npy from the page cache (load bandwidth), and ``lu_factor`` of a random n×n matrix in float64 and float32
(the machine's dense-LU rates). The load average is printed with every row.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

PYMRIO = """
import json, sys
from pathlib import Path
import numpy as np, pandas as pd, pymrio
d = Path(sys.argv[1])
labels = json.loads((d / "labels.json").read_text())
meta = json.loads((d / "meta.json").read_text())["meta"]
region = meta.get("country") or "R"
idx = pd.MultiIndex.from_product([[region], labels["sectors"]], names=["region", "sector"])
cats = pd.MultiIndex.from_product([[region], labels["final_demand"]], names=["region", "category"])
F = pd.DataFrame(np.load(d / "V.npy"), pd.Index(labels["value_added"], name="inputtype"), idx)
io = pymrio.IOSystem(Z=pd.DataFrame(np.load(d / "Z.npy"), idx, idx), Y=pd.DataFrame(np.load(d / "Y.npy"), idx, cats),
                     factor_inputs={"name": "factor_inputs", "F": F})
io.calc_all()
print(float(io.factor_inputs.M.to_numpy().sum()))
"""

LU_RATE = """
import sys, time, numpy as np, scipy.linalg
n, dtype = int(sys.argv[1]), sys.argv[2]
rng = np.random.default_rng(0)
M = np.asfortranarray(rng.random((n, n), dtype=np.float64).astype(dtype) / n + np.eye(n, dtype=dtype))
t0 = time.perf_counter()
scipy.linalg.lu_factor(M, overwrite_a=True, check_finite=False)
print(time.perf_counter() - t0)
"""

STEPS = """
import json, sys, time
t0 = time.perf_counter()
from ronghe.measure import fusion, standards, store
t1 = time.perf_counter()
blocks = store.load_blocks(sys.argv[1])
conc = standards.read_concordance(sys.argv[2]) if len(sys.argv) > 2 else None
conc = conc or standards.load_concordance(blocks.meta.classification)
codes = blocks.codes
W = conc.ps_weight_matrix(codes)
import numpy as np
t2 = time.perf_counter()
scan = fusion._scan(blocks, np.vstack([W.sum(axis=1), W.T]), blocks.n >= fusion.MIXED_MIN_N)
t3 = time.perf_counter()
lu = fusion._leontief(blocks, scan)
t4 = time.perf_counter()
lu.solve_left(np.vstack([W.sum(axis=1)])); lu.solve_left(np.vstack([W.sum(axis=1)]))
t5 = time.perf_counter()
ind = fusion.indicators_of(blocks, conc)
t6 = time.perf_counter()
text = json.dumps(ind.to_dict(), ensure_ascii=False, indent=2)
t7 = time.perf_counter()
print(json.dumps({"imports": t1 - t0, "labels+concordance": t2 - t1, "scan Z": t3 - t2, "LU": t4 - t3,
                  "2 solves": t5 - t4, "indicators (all, again)": t6 - t5, "JSON": t7 - t6,
                  "refinement steps": getattr(lu, "steps", None)}))
"""

LOAD = """
import sys, time, numpy as np
t0 = time.perf_counter()
Z = np.load(sys.argv[1])
s = Z.sum(axis=0)
print(time.perf_counter() - t0, Z.nbytes)
"""


def shared_data() -> Path:
    return Path(os.environ.get("RONGHE_SHARED_DATA", REPO.parent / "shared" / "data"))


def default_cache() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("ronghe")) / "bench-whole"


def build_store(store: Path, sizes: list[int]) -> dict[str, Path | None]:
    """The store the ronghe runs read, with NBS 2020 and the scaled tables; returns table id → concordance."""
    os.environ["RONGHE_DATA_DIR"] = str(store)
    from ronghe.measure import store as st

    tables: dict[str, Path | None] = {}
    if not (store / "tables" / "nbs-cn-2020").exists():
        st.import_files([shared_data() / "io" / "nbs-china" / "2020.xlsx"], "nbs-cn-2020")
    tables["nbs-cn-2020"] = None
    template = None
    for n in sizes:
        tid = f"scaled-{n}"
        conc = store / f"{tid}-concordance.csv"
        if not (store / "tables" / tid).exists() or not conc.exists():
            import pandas as pd

            from ronghe.measure.standards import load_concordance
            from ronghe.measure.table import IOTable, TableMeta
            from scaled_table import SEED, build

            if template is None:
                template = st.load("nbs-cn-2020")
            t0 = time.perf_counter()
            b = build(template, n)
            codes = b["codes"]
            table = IOTable(Z=pd.DataFrame(b["Z"], codes, codes), Y=pd.DataFrame(b["Y"], codes, b["y_columns"]),
                            V=pd.DataFrame(b["V"], b["v_rows"], codes),
                            meta=TableMeta(**{**template.meta.to_dict(), "id": tid, "source_files": (),
                                              "sha256": (), "extra": {},
                                              "notes": f"NBS 2020 structure scaled to {n} sectors, seed {SEED}"}),
                            export_column="EX")
            st.save(table)
            frame = load_concordance("nbs-153").frame
            by_code: dict[str, list[tuple]] = {}
            for code, role, group, weight in frame[["code", "role", "group", "weight"]].itertuples(index=False):
                by_code.setdefault(code, []).append((role, group, weight))
            rows = [(c, *r) for c in codes for r in by_code[c.split("-", 1)[1]]]
            pd.DataFrame(rows, columns=["code", "role", "group", "weight"]).to_csv(conc, index=False)
            print(f"# built {tid} in {time.perf_counter() - t0:.1f} s", flush=True)
        tables[tid] = conc
    return tables


def timed(cmd: list[str], env: dict[str, str]) -> dict:
    """Wall time and peak RSS of one process, from /usr/bin/time; the load average as it started."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        load = os.getloadavg()[0]
        proc = subprocess.run(["/usr/bin/time", "-f", "%e %M %U %S", "-o", tf.name, *cmd], capture_output=True,
                              text=True, env=env, check=False)
        if proc.returncode != 0:
            return {"error": (proc.stderr.strip().splitlines() or ["?"])[-1]}
        wall, kib, user, system = tf.read().split()[-4:]
    # CPU seconds (user + system, all threads): what the other work on a shared machine inflates least
    return {"s": float(wall), "mib": int(kib) / 1024, "cpu": float(user) + float(system), "load": load,
            "stdout": proc.stdout}


def floors(n: int, folder: Path, env: dict[str, str], tid: str, conc: Path | None) -> dict:
    py = sys.executable
    out: dict = {"startup": timed([py, "-c", "import numpy"], env)["s"]}
    r = subprocess.run([py, "-c", STEPS, tid, *([str(conc)] if conc else [])], capture_output=True, text=True,
                       env=env)
    out["steps"] = json.loads(r.stdout.strip().splitlines()[-1]) if r.returncode == 0 else {"error": r.stderr[-300:]}
    r = subprocess.run([py, "-c", LOAD, str(folder / "Z.npy")], capture_output=True, text=True, env=env)
    t, nbytes = r.stdout.split()
    out["load_GBps"] = int(nbytes) / float(t) / 1e9
    if n >= 1000:
        for dt in ("float64", "float32"):
            r = subprocess.run([py, "-c", LU_RATE, str(n), dt], capture_output=True, text=True, env=env)
            t = float(r.stdout)
            out[f"lu_{dt}_s"] = t
            out[f"lu_{dt}_gflops"] = 2 / 3 * n**3 / t / 1e9
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[4000, 10000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--pymrio-max-n", type=int, default=4000, help="pymrio runs on tables up to this size")
    parser.add_argument("--cache", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    cache = args.cache or default_cache()
    store = cache / "store"
    tables = build_store(store, args.sizes)
    env = {**os.environ, "RONGHE_DATA_DIR": str(store), "PYTHONPATH": str(REPO / "src")}
    ronghe = str(Path(sys.executable).with_name("ronghe"))
    print(f"# {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {os.cpu_count()} CPUs; "
          f"uptime: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    results = {}
    for tid, conc in tables.items():
        folder = store / "tables" / tid
        n = json.loads((folder / "meta.json").read_text())["sectors"]
        out = Path(tempfile.gettempdir()) / f"ronghe-bench-{tid}.json"
        cmd_r = [ronghe, "measure", "indicators", "--table", tid, "--format", "json", "--out", str(out)]
        cmd_r += ["--concordance", str(conc)] if conc else []
        cmd_p = [sys.executable, "-c", PYMRIO, str(folder)]
        runs: dict[str, list[dict]] = {"ronghe": [], "pymrio": [], "floors": []}
        for rep in range(args.repeats):
            order = [("ronghe", cmd_r), ("pymrio", cmd_p)]
            order = order if rep % 2 == 0 else order[::-1]
            for name, cmd in order:
                if name == "pymrio" and n > args.pymrio_max_n:
                    continue
                r = timed(cmd, env)
                runs[name].append(r)
                shown = r.get("error") or f"{r['s']:.2f} s, {r['mib']:.0f} MiB, load {r['load']:.2f}"
                print(f"#   {tid:<12} {name:<7} rep {rep + 1}: {shown}", flush=True)
            runs["floors"].append(floors(n, folder, env, tid, conc))
        results[tid] = {"n": n, **runs}
    report(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=str))


def report(results: dict) -> None:
    def stat(rs: list[dict], key: str) -> tuple[float, float]:
        v = [r[key] for r in rs if "error" not in r]
        return (min(v), statistics.median(v)) if v else (float("nan"), float("nan"))

    print("\n| table | n | ronghe s best / median (CPU s best) | ronghe MiB | pymrio s best / median (CPU s best) "
          "| pymrio MiB | speed-up best / median (CPU) | memory ronghe/pymrio | load (1-min) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for tid, res in results.items():
        rb, rm = stat(res["ronghe"], "s")
        pb, pm = stat(res["pymrio"], "s")
        rc, pc = stat(res["ronghe"], "cpu")[0], stat(res["pymrio"], "cpu")[0]
        rmem, pmem = stat(res["ronghe"], "mib")[1], stat(res["pymrio"], "mib")[1]
        loads = [r["load"] for r in res["ronghe"] + res["pymrio"] if "load" in r]
        print(f"| {tid} | {res['n']} | {rb:.2f} / {rm:.2f} ({rc:.2f}) | {rmem:.0f} | {pb:.2f} / {pm:.2f} ({pc:.2f}) "
              f"| {pmem:.0f} | {pb / rb:.1f}× / {pm / rm:.1f}× ({pc / rc:.1f}×) | {100 * rmem / pmem:.0f} % | "
              f"{min(loads):.2f}–{max(loads):.2f} |")
    print("\n| table | start-up (import numpy) s | Z.npy load GB/s | LU float64 best s (GFLOP/s) | "
          "LU float32 best s (GFLOP/s) |")
    print("|---|---:|---:|---:|---:|")
    for tid, res in results.items():
        f = res["floors"]
        lu = {dt: (min(x[f"lu_{dt}_s"] for x in f), max(x[f"lu_{dt}_gflops"] for x in f))
              if f and f"lu_{dt}_s" in f[0] else None for dt in ("float64", "float32")}
        cell = {dt: "–" if v is None else f"{v[0]:.2f} ({v[1]:.0f})" for dt, v in lu.items()}
        print(f"| {tid} | {min(x['startup'] for x in f):.3f} | {max(x['load_GBps'] for x in f):.1f} | "
              f"{cell['float64']} | {cell['float32']} |")
    print("\n| table | ronghe steps in one process, fastest repetition (s) |")
    print("|---|---|")
    for tid, res in results.items():
        steps = [x["steps"] for x in res["floors"] if "error" not in x["steps"]]
        if steps:
            best = {k: min(s[k] for s in steps) for k in steps[0] if isinstance(steps[0][k], float)}
            print(f"| {tid} | " + ", ".join(f"{k} {v:.3f}" for k, v in best.items())
                  + f"; refinement steps {steps[0].get('refinement steps')} |")


if __name__ == "__main__":
    main()
