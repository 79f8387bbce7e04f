"""Who must know of each demand event (declared in ``platform.py``; delivered by the inbox after commit)."""

from __future__ import annotations

from ronghe.platform.demand.models import DemandEvent, DemandInvitation, DemandListEvent


def invited_provider(event: DemandEvent) -> list[int]:
    """邀请: the invited provider must read and accept the NDA."""
    provider = (event.data or {}).get("provider")
    return [int(provider)] if provider else []


def demand_owner(event: DemandEvent) -> list[int]:
    """NDA accepted, demand expiring: the manufacturer that owns the demand."""
    return [event.demand.organization_id]


def accepted_providers(event: DemandEvent) -> list[int]:
    """Closed or cancelled: providers that accepted the NDA were working on it."""
    return list(DemandInvitation.objects.filter(demand=event.demand_id, accepted_at__isnull=False)
                .values_list("provider_id", flat=True))


def list_curator(event: DemandListEvent) -> list[int]:
    """A manufacturer joined or left: the association that curates the list."""
    return [event.demand_list.organization_id]
