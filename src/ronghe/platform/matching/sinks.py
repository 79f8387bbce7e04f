"""The event sink (``core.kit`` delivers every committed event here): which writes the index must see.

Offerings and certificates change a provider's candidacy, demands their questions. The sink moves the index
generation at once (so the next request's constraints and texts are rebuilt from the rows) and enqueues the
embedding task for the worker; it never embeds in the request.

A deal's contract that is created (a draft awaiting signatures), cancelled or completed changes its provider's
remaining capacity (``core.registry.commitments``): those events move the generation only, as no text changed
and nothing needs embedding. (Signing, ``contract.activated``, keeps the unit occupied: draft and active both
count.)
"""

from __future__ import annotations

import logging

from ronghe.platform.matching import index as I

WATCHED = ("providers.", "demand.")
COMMITMENTS = frozenset({"contract.created", "contract.cancelled", "contract.completed"})
log = logging.getLogger("ronghe.platform.matching")


def on_event(event, action: str) -> None:
    if action in COMMITMENTS:
        I.bump(action, provider_id=(getattr(event, "data", None) or {}).get("provider"))
        return
    if not action.startswith(WATCHED) or action.startswith("demandlist."):
        return
    provider_id = getattr(event, "provider_id", None)  # providers' events have the organization as subject
    demand_id = getattr(event, "demand_id", None) if action.startswith("demand.") else None
    I.bump(action, provider_id=provider_id, demand_id=demand_id)
    try:
        enqueue_once(provider_id=provider_id, demand_id=demand_id)
    except Exception:  # a queue outage must not break the write that already committed
        log.exception("could not enqueue the index task for %s", action)


def enqueue_once(**kwargs) -> None:
    """Enqueue the embedding task at low priority (time-driven work goes first), once per object: a burst
    of writes to one provider (a profile filled in field by field, a demo load) waits as one task."""
    from ronghe.platform.matching.tasks import index_changed_task

    task = index_changed_task.using(priority=-50)
    try:
        from django_tasks_db.models import DBTaskResult

        waiting = DBTaskResult.objects.ready().filter(task_path=task.module_path, args_kwargs__kwargs=kwargs)
        if waiting.exists():
            return
    except Exception:  # another backend: no way to look, enqueue
        pass
    task.enqueue(**kwargs)
