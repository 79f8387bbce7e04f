"""The matching app's next steps on other apps' pages (``core.registry`` object links)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from ronghe.platform.matching.rules import demand_match_rules


def demand_links(user: Any, demand: Any) -> list[tuple[str, str]]:
    """The owner and the operator see the providers that fit, and invite from there."""
    if demand_match_rules.can(user, "view_matches", demand):
        return [(_("匹配服务商"), reverse("matching:demand_matches", args=[demand.pk]))]
    return []

