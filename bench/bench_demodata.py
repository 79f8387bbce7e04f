"""Time ``ronghe demo-data`` at scale on a fresh SQLite (or DATABASE_URL) database.

    .venv/bin/python bench/bench_demodata.py                      # 10k providers / 50k offerings
    .venv/bin/python bench/bench_demodata.py --providers 100000   # the full 100k / 500k

Prints each phase's progress, rows per second and the total time; the figures go to docs/demo-data.md.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--providers", type=int, default=10_000)
    parser.add_argument("--offerings-per-provider", type=int, default=5)
    parser.add_argument("--manufacturers", type=int, default=None, help="default: providers / 2")
    parser.add_argument("--demands", type=int, default=None, help="default: providers / 2")
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="ronghe-bench-demodata-")
    os.environ.setdefault("RONGHE_DATA_DIR", folder)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{folder}/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ronghe.platform.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from ronghe.platform.catalog.services import load_catalog
    from ronghe.platform.demodata.generator import Spec, generate

    print(f"database: {os.environ['DATABASE_URL']}")
    call_command("migrate", "--noinput", "--verbosity", "0")
    load_catalog()
    half = args.providers // 2
    spec = Spec(
        providers=args.providers,
        offerings_per_provider=args.offerings_per_provider,
        manufacturers=half if args.manufacturers is None else args.manufacturers,
        demands=half if args.demands is None else args.demands,
        demand_lists=3,
        seed=args.seed,
        batch_size=args.batch_size,
    )
    started = time.perf_counter()
    last = [started]

    def progress(message: str) -> None:
        now = time.perf_counter()
        if now - last[0] > 5 or message.endswith(("/" + str(spec.providers) + ")",)):
            print(f"{now - started:7.1f} s  {message}", flush=True)
            last[0] = now

    result = generate(spec, progress=progress)
    elapsed = time.perf_counter() - started
    rows = sum(result.counts.values())
    print(result.summary())
    for name, n in result.counts.items():
        print(f"  {name:<22} {n:>10,}")
    print(
        f"total {rows:,} rows in {elapsed:.1f} s: {rows / elapsed:,.0f} rows/s; "
        f"{result.counts['offerings'] / elapsed:,.0f} offerings/s"
    )
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(
        f"CPU time {usage.ru_utime + usage.ru_stime:.1f} s (wall time is longer when other work shares the "
        f"cores); peak memory {usage.ru_maxrss / 1024:.0f} MiB"
    )


if __name__ == "__main__":
    main()
