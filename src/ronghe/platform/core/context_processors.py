"""Template context: the signed-in user's organizations, so the menu can offer the right journeys."""

from __future__ import annotations

from ronghe.platform.core.permissions import _memberships, is_operator


def memberships(request) -> dict:
    user = getattr(request, "user", None)
    mems = _memberships(user) if user is not None else []
    kinds = {m.organization.kind for m in mems}
    return {"my_memberships": mems, "my_kinds": kinds, "is_operator": is_operator(user)}
