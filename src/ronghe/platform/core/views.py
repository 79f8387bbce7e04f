"""Pages that belong to no single domain: the home page with each role's journeys (from the app registry)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from ronghe.platform.core.permissions import affiliations
from ronghe.platform.core.registry import journey_steps, roles


def _links(kind: str) -> list[tuple[str, str]]:
    """The role's steps whose pages exist (an app not installed simply contributes none)."""
    out = []
    for step in journey_steps(kind):
        try:
            out.append((str(step.label), reverse(step.url_name)))
        except NoReverseMatch:
            continue
    return out


def home(request: HttpRequest) -> HttpResponse:
    """Journeys for every role; the signed-in user's own roles come first."""
    mine = {m.kind for m in affiliations(request.user)}
    ordered = sorted(roles(), key=lambda r: r.kind not in mine)
    cards = [{"journey": r, "links": _links(r.kind), "mine": r.kind in mine} for r in ordered]
    return render(request, "core/home.html", {"cards": cards})
