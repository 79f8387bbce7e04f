"""Template context: the signed-in user's organizations and the menu the registered apps declare."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from ronghe.platform.core.permissions import affiliations, is_authenticated, is_operator
from ronghe.platform.core.registry import nav_entries


def _menu(user, kinds: set[str], path: str = "") -> list[dict]:
    """The registered apps' menu entries this user may follow; the one whose page this is marked active."""
    out = []
    for entry in nav_entries():
        if entry.signed_in and not is_authenticated(user):
            continue
        if entry.kinds is not None and not (kinds & entry.kinds or is_operator(user)):
            continue
        try:
            out.append({"label": entry.label, "url": reverse(entry.url_name), "name": entry.url_name,
                        "active": False})
        except NoReverseMatch:
            continue
    matches = [e for e in out if path.startswith(e["url"]) and e["url"] != "/"]
    if matches:  # the longest prefix: /demand/lists/ is the lists entry, not the demands one
        max(matches, key=lambda e: len(e["url"]))["active"] = True
    return out


def memberships(request) -> dict:
    user = getattr(request, "user", None)
    mems = affiliations(user) if user is not None else []
    kinds = {m.kind for m in mems}
    return {"my_memberships": mems, "my_kinds": kinds, "is_operator": is_operator(user), "nav": _menu(user, kinds, getattr(request, "path", ""))}
