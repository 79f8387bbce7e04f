"""The event sink (``core.kit`` delivers every committed event here): which writes the index must see.

Offerings and certificates change a provider's candidacy, demands their questions. The sink moves the index
generation at once (so the next request's constraints and texts are rebuilt from the rows) and enqueues the
embedding task for the worker; it never embeds in the request.
"""

from __future__ import annotations

import logging

from ronghe.platform.matching import index as I

WATCHED = ("providers.", "demand.")
log = logging.getLogger("ronghe.platform.matching")


def on_event(event, action: str) -> None:
    if not action.startswith(WATCHED) or action.startswith("demandlist."):
        return
    provider_id = getattr(event, "provider_id", None)  # providers' events have the organization as subject
    demand_id = getattr(event, "demand_id", None) if action.startswith("demand.") else None
    I.bump(action)
    try:
        from ronghe.platform.matching.tasks import index_changed_task

        index_changed_task.enqueue(provider_id=provider_id, demand_id=demand_id)
    except Exception:  # a queue outage must not break the write that already committed
        log.exception("could not enqueue the index task for %s", action)
