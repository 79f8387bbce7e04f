"""pymrio ``calc_all()`` against ronghe's indicator pipeline, same tables, same run; prints comparable figures.

    .venv/bin/python bench/bench_indicators.py                  # real tables, 4,000 and 10,000 sectors
    .venv/bin/python bench/bench_indicators.py --sizes 4000 --repeats 5 --json results.json

Every measurement is a fresh process (bench/contenders.py) so that peak RSS belongs to one contender; the
contenders alternate order between repetitions so that a burst of load from other work on the machine does
not always hit the same one. Reported: compute wall time (min and median over repetitions; small tables
repeat the computation inside the process and keep the fastest), peak RSS of the whole process (imports and
the loaded table included), ratios, and the dense-LU rate of this machine (scipy ``lu_factor``, timed between
the contenders' runs so that it sees the same load) next to the rate ronghe's LU step reaches. Tables are
built once into a cache folder (see bench/scaled_table.py).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from scaled_table import SEED, build, save, save_table  # noqa: E402

GIB = 1024.0


def shared_data() -> Path:
    return Path(os.environ.get("RONGHE_SHARED_DATA", REPO.parent / "shared" / "data"))


def default_cache() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("ronghe")) / "bench"


def mem_available_mib() -> float:
    with open("/proc/meminfo") as fh:
        for line in fh:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def prepare(cache: Path, sizes: list[int]) -> list[tuple[str, Path, int]]:
    """Cache folders of the tables to run: the real ones the readers can read, then the scaled ones."""
    from ronghe.measure.readers.nbs import read_nbs

    io = shared_data() / "io"
    tables: list[tuple[str, Path, int]] = []
    template = None
    for year in (2018, 2020):
        folder = cache / f"nbs-cn-{year}"
        try:
            table = read_nbs(io / "nbs-china" / f"{year}.xlsx")
        except Exception as exc:  # a reader not ready is reported, not fatal
            print(f"# NBS {year}: not benchmarked ({exc})")
            continue
        if not (folder / "labels.json").exists():
            save_table(table, folder)
        tables.append((f"NBS China {year}", folder, table.n))
        template = table if year == 2020 else template
    try:
        from ronghe.measure.readers.bea import read_bea

        bea = io / "bea-us"
        (table,) = read_bea(bea / "IOUse_Before_Redefinitions_PRO_1997-2020_Summary.xlsx",
                            bea / "IOMake_Before_Redefinitions_PRO_1997-2020_Summary.xlsx", years=[2020])
        folder = cache / "bea-us-2020"
        if not (folder / "labels.json").exists():
            save_table(table, folder)
        tables.append(("BEA US 2020", folder, table.n))
    except Exception as exc:
        print(f"# BEA 2020: not benchmarked ({exc})")
    if template is None:
        print("# no NBS 2020 template: scaled tables skipped")
        return tables
    for n in sizes:
        folder = cache / f"scaled-{n}-seed{SEED}"
        if not (folder / "labels.json").exists():
            t0 = time.perf_counter()
            blocks = build(template, n)
            blocks["export_column"] = "EX"
            blocks["sector_names"] = None
            save(blocks, folder, {**template.meta.to_dict(), "id": f"scaled-{n}", "source_files": [],
                                  "sha256": [], "notes": f"NBS 2020 structure scaled to {n} sectors, seed {SEED}"})
            print(f"# built the {n}-sector table in {time.perf_counter() - t0:.1f} s → {folder}")
        tables.append((f"scaled NBS 2020, {n}", folder, n))
    return tables


THREADS: str | None = None  # --threads: BLAS threads of every child (None: the library default)


def run_child(contender: str, table: Path | int, out: Path | None, inner: int,
              limit_gib: float | None = None) -> dict:
    """One contender in a fresh process; ``limit_gib`` caps its address space (a runaway cannot take the box)."""
    cmd = [sys.executable, str(HERE / "contenders.py"), contender, str(table)]
    cmd += [str(out)] if out else []
    cmd += ["--inner", str(inner)]

    def cap() -> None:
        if limit_gib:
            limit = int(limit_gib * 2**30)
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    env = dict(os.environ)
    if THREADS:
        env.update(OPENBLAS_NUM_THREADS=THREADS, OMP_NUM_THREADS=THREADS, MKL_NUM_THREADS=THREADS)
    proc = subprocess.run(cmd, capture_output=True, text=True, preexec_fn=cap, check=False, env=env)
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
        return {"contender": contender, "error": f"exit {proc.returncode}: {tail}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def summarise(runs: list[dict]) -> dict:
    ok = [r for r in runs if "error" not in r]
    times = [r["compute_s"] for r in ok]
    peaks = [r["peak_rss_mib"] for r in ok]
    steps = {k: min(r["steps"][k] for r in ok) for k in (ok[0]["steps"] if ok else {})}
    cpu = [r["cpu_s"] for r in ok if "cpu_s" in r]
    return {"runs": len(ok), "t_min": min(times, default=float("nan")), "t_med": median(times),
            "cpu_min": min(cpu, default=float("nan")),
            "rss_min": min(peaks, default=float("nan")), "rss_med": median(peaks), "steps": steps,
            "load": median([r["loadavg"] for r in ok]), "errors": [r["error"] for r in runs if "error" in r]}


def agreement(folder: Path, names: list[str]) -> float | None:
    """Max relative difference of v·L between the contenders that wrote it."""
    import numpy as np

    vecs = [np.load(p) for p in (folder / f"m_{c}.npy" for c in names) if p.exists()]
    if len(vecs) < 2:
        return None
    ref = vecs[0]
    return max(float(np.max(np.abs(v - ref) / np.maximum(np.abs(ref), 1e-300))) for v in vecs[1:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[4000, 10000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--big-pymrio-repeats", type=int, default=1,
                        help="pymrio repetitions above 4,000 sectors (a 10,000 run takes about a minute)")
    parser.add_argument("--pymrio-max-gib", type=float, default=12.0,
                        help="run pymrio on a table only if its extrapolated peak RSS stays below this")
    parser.add_argument("--cache", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None, help="also write every raw measurement here")
    parser.add_argument("--threads", default=None, help="BLAS threads per process (default: library default)")
    parser.add_argument("--no-mixed", action="store_true", help="leave out the float32-LU proposal")
    parser.add_argument("--only", nargs="*", default=None, help="ronghe contenders to run (pymrio always runs)")
    args = parser.parse_args()
    global THREADS
    THREADS = args.threads
    cache = args.cache or default_cache()
    cache.mkdir(parents=True, exist_ok=True)

    import numpy
    import pandas
    import pymrio
    import scipy

    try:
        import ronghe.measure.fusion  # noqa: F401
        ronghe_contenders = ["ronghe-indicators", "ronghe-core"]
    except ImportError:
        ronghe_contenders = ["ronghe-core"]
    if not args.no_mixed:
        ronghe_contenders.append("ronghe-mixed")
        if "ronghe-indicators" in ronghe_contenders:
            ronghe_contenders.append("ronghe-indicators-mixed")
    if args.only:
        ronghe_contenders = [c for c in ronghe_contenders if c in args.only]
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((ln.split(":", 1)[1].strip() for ln in cpuinfo if ln.startswith("model name")), "?")
    print(f"# {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {cpu}, {os.cpu_count()} CPUs, "
          f"MemAvailable {mem_available_mib() / GIB:.1f} GiB, load average {os.getloadavg()[0]:.2f}")
    print(f"# Python {platform.python_version()}, numpy {numpy.__version__}, scipy {scipy.__version__}, "
          f"pandas {pandas.__version__}, pymrio {pymrio.__version__}; "
          f"BLAS threads per process: {args.threads or os.environ.get('OPENBLAS_NUM_THREADS', 'default')}")

    tables = prepare(cache, args.sizes)
    raw: dict[str, dict[str, list[dict]]] = {}
    lu_rates: dict[int, dict] = {}
    results: dict[str, dict[str, dict]] = {}
    pymrio_4k_peak = None
    for label, folder, n in tables:
        inner = 5 if n < 1000 else 1
        contenders = ["pymrio", *ronghe_contenders] + (["lu-rate"] if n >= 1000 else [])
        runs: dict[str, list[dict]] = {c: [] for c in contenders}
        pymrio_reps, limit = args.repeats, None
        if n > 4000:
            estimate = (pymrio_4k_peak or 1180.0) * (n / 4000) ** 2
            room = min(args.pymrio_max_gib * GIB, mem_available_mib() - 2 * GIB)
            if estimate > room:
                print(f"# {label}: pymrio skipped, extrapolated peak {estimate / GIB:.1f} GiB > {room / GIB:.1f} GiB")
                pymrio_reps = 0
            else:
                pymrio_reps, limit = args.big_pymrio_repeats, args.pymrio_max_gib + 4
        for rep in range(args.repeats):
            order = contenders if rep % 2 == 0 else contenders[::-1]
            for c in order:
                if c == "pymrio" and rep >= pymrio_reps:
                    continue
                if c == "lu-rate":  # interleaved, so that it sees the same load as the contenders
                    r = run_child(c, n, None, 1)
                else:
                    r = run_child(c, folder, folder / f"m_{c}.npy", inner, limit if c == "pymrio" else None)
                runs[c].append(r)
                shown = r.get("error") or f"{r['compute_s']:.3f} s, peak {r['peak_rss_mib']:.0f} MiB"
                print(f"#   {label:<26} {c:<18} rep {rep + 1}: {shown}", flush=True)
        if runs.get("lu-rate"):
            lu_rates[n] = summarise(runs.pop("lu-rate"))
        raw[label] = runs
        results[label] = {c: summarise(rs) for c, rs in runs.items() if rs}
        results[label]["_n"] = {"n": n, "agreement": agreement(folder, [c for c in contenders if c != "lu-rate"])}
        if n == 4000 and "pymrio" in results[label]:
            pymrio_4k_peak = results[label]["pymrio"]["rss_med"]

    report(results, lu_rates)
    if args.json:
        args.json.write_text(json.dumps({"results": results, "lu_rates": lu_rates, "raw": raw}, indent=1))
        print(f"# raw measurements written to {args.json}")


def report(results: dict, lu_rates: dict) -> None:
    print("\n| table | n | contender | compute min / median (s) | CPU min (s) | peak RSS min / median (MiB) "
          "| runs | load |")
    print("|---|---:|---|---:|---:|---:|---:|---:|")
    for label, res in results.items():
        for c, s in res.items():
            if c.startswith("_"):
                continue
            err = f" ({'; '.join(s['errors'])})" if s["errors"] else ""
            print(f"| {label} | {res['_n']['n']} | {c}{err} | {s['t_min']:.3f} / {s['t_med']:.3f} | "
                  f"{s.get('cpu_min', float('nan')):.3f} | {s['rss_min']:.0f} / {s['rss_med']:.0f} | {s['runs']} | {s['load']:.1f} |")
    print("\n| table | ronghe call | time: pymrio / ronghe (median; min) | CPU: pymrio / ronghe (min) "
          "| memory: ronghe / pymrio (median) | v·L agreement |")
    print("|---|---|---:|---:|---:|---:|")
    for label, res in results.items():
        p = res.get("pymrio")
        for c in ("ronghe-indicators", "ronghe-indicators-mixed", "ronghe-core", "ronghe-mixed"):
            r = res.get(c)
            if not r or not p or not p["runs"] or not r["runs"]:
                continue
            agree = res["_n"]["agreement"]
            print(f"| {label} | {c} | {p['t_med'] / r['t_med']:.1f}× ; {p['t_min'] / r['t_min']:.1f}× | "
                  f"{p.get('cpu_min', float('nan')) / r.get('cpu_min', float('nan')):.1f}× | {100 * r['rss_med'] / p['rss_med']:.0f} % | "
                  f"{'n/a' if agree is None else f'{agree:.1e}'} |")
    print("\n| table | contender | step times, fastest repetition (s) |")
    print("|---|---|---|")
    for label, res in results.items():
        for c in ("ronghe-core", "ronghe-mixed"):
            if res.get(c) and res[c]["steps"]:
                print(f"| {label} | {c} | " + ", ".join(f"{k} {t:.3f}" for k, t in res[c]["steps"].items()) + " |")
    if lu_rates:
        print("\n| n | machine dense LU (scipy lu_factor) min / median | ronghe LU step (factor_leontief) min "
              "| LU step vs machine |")
        print("|---:|---:|---:|---:|")
        for res in results.values():
            n = res["_n"]["n"]
            core = res.get("ronghe-core")
            if n not in lu_rates or not core or "LU" not in core["steps"]:
                continue
            flops = 2 / 3 * n**3
            m = lu_rates[n]
            ours = core["steps"]["LU"]
            print(f"| {n} | {m['t_min']:.2f} s = {flops / m['t_min'] / 1e9:.0f} GFLOP/s / "
                  f"{m['t_med']:.2f} s = {flops / m['t_med'] / 1e9:.0f} GFLOP/s | {ours:.2f} s = "
                  f"{flops / ours / 1e9:.0f} GFLOP/s | {100 * m['t_min'] / ours:.0f} % of the best machine rate |")


if __name__ == "__main__":
    main()
