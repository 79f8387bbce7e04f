"""Background work: embed new distinct texts (offerings as passages, demands as queries) once, on write.

The event sink (``sinks``) enqueues ``index_changed_task`` after a write commits; the worker embeds what is new
and moves the index generation, so serving processes refresh without ever embedding in a request.
"""

from __future__ import annotations

from django_tasks import task

from ronghe.match.embed import text_key
from ronghe.platform.matching import index as I
from ronghe.platform.matching.models import TextEmbedding


def _store_for_worker():
    e = I.embedder()
    return None if e is None else I.DatabaseStore(e, compute=True)


def _missing(store, kind: str, texts: list[str]) -> list[str]:
    keys = {text_key(kind, t): t for t in texts}
    have = set()
    key_list = list(keys)
    for start in range(0, len(key_list), 900):
        have |= set(TextEmbedding.objects.filter(key__in=key_list[start:start + 900], model=store.embedder.name)
                    .values_list("key", flat=True))
    return [t for k, t in keys.items() if k not in have]


def offering_texts(provider_ids=None) -> list[str]:
    from ronghe.platform.matching.records import provider_records

    return sorted({o.text for p in provider_records(provider_ids) for o in p.offerings})


def demand_texts(demand_ids=None) -> list[str]:
    from django.utils import timezone

    from ronghe.platform.demand.models import Demand
    from ronghe.platform.matching.records import demand_records

    qs = Demand.objects.prefetch_related("lines__item__category", "required_qualifications")
    if demand_ids is not None:
        qs = qs.filter(id__in=list(demand_ids))
    today = timezone.localdate()
    texts = set()
    for chunk_start in range(0, qs.count(), 2000):
        chunk = list(qs.order_by("id")[chunk_start:chunk_start + 2000])
        for full in (True, False):
            texts |= {r.text for r in demand_records(chunk, full=full, today=today)}
    return sorted(texts)


def embed_missing(provider_ids=None, demand_ids=None, batch: int = 64) -> int:
    """Embed every offering and demand text not yet stored; returns how many texts were embedded."""
    store = _store_for_worker()
    if store is None:
        return 0
    done = 0
    for kind, texts in (("p", offering_texts(provider_ids)), ("q", demand_texts(demand_ids))):
        todo = _missing(store, kind, texts)
        for start in range(0, len(todo), batch):
            part = todo[start:start + batch]
            (store.passages if kind == "p" else store.queries)(part)
            done += len(part)
    return done


@task()
def index_changed_task(provider_id: int | None = None, demand_id: int | None = None) -> int:
    """After an offering, certificate or demand changed: embed its new texts, then move the generation."""
    n = embed_missing([provider_id] if provider_id is not None else [],
                      [demand_id] if demand_id is not None else [])
    I.bump(f"provider {provider_id}" if provider_id is not None else f"demand {demand_id}",
           provider_id=provider_id, demand_id=demand_id)
    return n
