"""Batches serial vs on a local Dask cluster: `ronghe measure compare` over 24 BEA years and 16 scaled tables.

    .venv/bin/python bench/batch.py                 # 24 BEA years and 16 × 4,000 sectors, serial vs 2 workers
    .venv/bin/python bench/batch.py --workers 2 --scaled 16 --repeats 2

Whole commands (start-up, cluster start, computing, JSON), timed with /usr/bin/time in alternating order; the
store is bench/whole_process.py's (the 16 scaled tables are the 4,000-sector table under 16 ids, their Z.npy
hard-linked so that the disk holds it once; the page cache then serves every load, as on a warm machine).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from whole_process import REPO, build_store, default_cache, timed  # noqa: E402


def scaled_copies(store: Path, n: int, count: int) -> list[str]:
    """``count`` ids of the n-sector table (files hard-linked, so each id loads its own Z.npy)."""
    src = store / "tables" / f"scaled-{n}"
    ids = []
    for k in range(count):
        tid = f"scaled-{n}-copy{k:02d}"
        dst = store / "tables" / tid
        if not dst.exists():
            dst.mkdir()
            for f in src.iterdir():
                if f.suffix == ".npy":
                    os.link(f, dst / f.name)
                else:
                    shutil.copy(f, dst / f.name)
            meta = (dst / "meta.json").read_text().replace(f'"id": "scaled-{n}"', f'"id": "{tid}"')
            (dst / "meta.json").write_text(meta)
        ids.append(tid)
    return ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--scaled", type=int, default=16, help="how many 4,000-sector tables")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--cache", type=Path, default=None)
    args = parser.parse_args()
    store = (args.cache or default_cache()) / "store"
    build_store(store, [4000])
    os.environ["RONGHE_DATA_DIR"] = str(store)
    if not (store / "tables" / "bea-us-2020").exists():
        from ronghe.measure import store as st

        bea = Path(os.environ.get("RONGHE_SHARED_DATA", REPO.parent / "shared" / "data")) / "io" / "bea-us"
        st.import_files([bea / "IOUse_Before_Redefinitions_PRO_1997-2020_Summary.xlsx",
                         bea / "IOMake_Before_Redefinitions_PRO_1997-2020_Summary.xlsx",
                         bea / "ImportMatrices_Before_Redefinitions_SUM_1997-2020.xlsx"])
    batches = {"24 BEA years (71 sectors)": [f"bea-us-{y}" for y in range(1997, 2021)],
               f"{args.scaled} scaled tables (4,000 sectors)": scaled_copies(store, 4000, args.scaled)}
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    ronghe = str(Path(sys.executable).with_name("ronghe"))
    print(f"# {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {os.cpu_count()} CPUs; "
          f"uptime: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    rows = []
    concordance = {"24": [], str(args.scaled): ["--concordance", str(store / "scaled-4000-concordance.csv")]}
    for label, ids in batches.items():
        cmd = [ronghe, "measure", "compare", *[a for t in ids for a in ("--table", t)], "--format", "json",
               "--out", os.devnull, *concordance.get(label.split()[0], [])]
        runs: dict[str, list[dict]] = {"serial": [], f"{args.workers} workers": []}
        for rep in range(args.repeats):
            order = [("serial", cmd), (f"{args.workers} workers", [*cmd, "--workers", str(args.workers)])]
            for name, c in order if rep % 2 == 0 else order[::-1]:
                r = timed(c, env)
                runs[name].append(r)
                print(f"#   {label:<34} {name:<10} rep {rep + 1}: "
                      + (r.get("error") or f"{r['s']:.2f} s, {r['mib']:.0f} MiB, load {r['load']:.2f}"), flush=True)
        rows.append((label, runs))
    print("\n| batch | serial s best / median | workers s best / median | speed-up (best) | load (1-min) |")
    print("|---|---:|---:|---:|---:|")
    for label, runs in rows:
        (_, sr), (wn, wr) = runs.items()
        s = [r["s"] for r in sr if "s" in r]
        w = [r["s"] for r in wr if "s" in r]
        loads = [r["load"] for r in sr + wr if "load" in r]
        print(f"| {label} | {min(s):.2f} / {statistics.median(s):.2f} | {wn}: {min(w):.2f} / "
              f"{statistics.median(w):.2f} | {min(s) / min(w):.2f}× | {min(loads):.1f}–{max(loads):.1f} |")


if __name__ == "__main__":
    main()
