"""A fresh demo shows each matching journey with something in it: ranked providers, a non-empty order feed and
a batch assignment that invites."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from ronghe.platform import demo
from ronghe.platform.demand.models import Demand, DemandList
from ronghe.platform.matching import services

pytestmark = pytest.mark.django_db


def test_the_demo_fills_the_three_matching_journeys(settings):
    settings.RONGHE_MATCH_EMBEDDER = "hash"
    settings.RONGHE_MATCH_EMBED_IN_REQUEST = True
    messages: list[str] = []
    demo.load_demo(echo=messages.append)
    assert any("matching demo" in m for m in messages), messages
    users = {u.username: u for u in get_user_model().objects.filter(
        username__in=["manufacturer", "provider", "association"])}
    demand = Demand.objects.filter(title__endswith="外包", organization__memberships__user=users["manufacturer"]
                                   ).latest("id")
    assert len(services.demand_matches(users["manufacturer"], demand)["matches"]) >= 2
    provider = users["provider"].memberships.get().organization
    assert demand.pk in [e["demand"] for e in services.provider_feed(users["provider"], provider)["feed"]]
    demand_list = DemandList.objects.get(name__endswith="集中需求清单")
    preview = services.preview_assignment(users["association"], demand_list, per_demand=3)
    assert preview["totals"]["invitations"] >= 2 and not preview["applied"]
