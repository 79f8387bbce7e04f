"""The confidential-access log: every read of confidential material leaves a row (who, when, what, how)."""

from __future__ import annotations

import logging
from typing import Any

from django.db import models

from ronghe.platform.core.models import ConfidentialAccess

log = logging.getLogger("ronghe.platform.access")

CHANNELS = ("web", "api", "export")


def log_confidential_access(user: Any, obj: models.Model, what: str, channel: str = "web") -> ConfidentialAccess:
    """Record that ``user`` saw ``what`` (a field set or attachment name) of ``obj`` through ``channel``.

    The organization recorded is the one the user acted for: the first membership, if the object has an
    ``organization`` among the user's organizations that one wins.
    """
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}; expected one of {CHANNELS}")
    from ronghe.platform.core.permissions import _memberships

    authenticated = getattr(user, "is_authenticated", False)
    mems = _memberships(user) if authenticated else []
    org_id = next((m.organization_id for m in mems if m.organization_id == getattr(obj, "organization_id", None)),
                  mems[0].organization_id if mems else None)
    row = ConfidentialAccess.objects.create(
        user=user if authenticated else None,
        organization_id=org_id,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        what=what[:200],
        channel=channel,
    )
    log.info("confidential access user=%s %s#%s %s via %s",
             getattr(user, "pk", None), row.object_type, row.object_id, what, channel)
    return row
