"""Background work of the demand app, run by the task worker (django-tasks; ``ronghe worker``)."""

from __future__ import annotations

from django_tasks import task

from ronghe.platform.demand import services


@task()
def expire_due_demands_task() -> int:
    """Daily: published demands past their deadline become expired (ProZorro's chronograph, in one function)."""
    return services.expire_due_demands()


@task()
def warn_expiring_demands_task() -> int:
    """Every few hours: owners hear once that a published demand's deadline is near (for the inbox)."""
    return services.warn_expiring_demands()
