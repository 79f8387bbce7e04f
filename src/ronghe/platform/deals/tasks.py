"""Background work of the deals app, run by the task worker (django-tasks; ``ronghe worker``)."""

from __future__ import annotations

from django_tasks import task

from ronghe.platform.deals import services


@task()
def open_due_rfqs_task() -> int:
    """Every few minutes: RFQs past their bid deadline are opened, once (ProZorro's chronograph)."""
    return services.open_due_rfqs()


@task()
def auto_accept_milestones_task() -> int:
    """Hourly: milestones the buyer left unanswered for N days are accepted and their escrow released."""
    return services.auto_accept_due_milestones()
