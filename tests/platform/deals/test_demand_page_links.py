"""The demand page offers the deal's next step (a registry object link): opening bidding, then the RFQ."""

from __future__ import annotations

import pytest
from django.test import Client

from ronghe.platform.core.registry import object_links

pytestmark = pytest.mark.django_db


def _page(user, demand) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(f"/demand/{demand.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_only_the_owner_is_offered_to_open_bidding_and_then_everyone_entitled_sees_the_rfq(
        users, demand, make_deal):
    # other apps add their own next steps (matching: 匹配服务商); this app's is there once
    assert [label for label, _ in object_links("demand.demand", users["manufacturer"], demand)].count(
        "发起招标（报价邀请）") == 1
    assert f"/deals/new/{demand.pk}/" in _page(users["manufacturer"], demand)
    for key in ("manufacturer_b", "provider", "operator", "government"):
        assert f"/deals/new/{demand.pk}/" not in _page(users[key], demand), key
    rfq, _bids = make_deal("bidding")
    owner = _page(users["manufacturer"], demand)
    assert f"/deals/new/{demand.pk}/" not in owner and f"/deals/rfq/{rfq.pk}/" in owner
    assert f"/deals/rfq/{rfq.pk}/" in _page(users["provider"], demand)  # a bidder is entitled to the RFQ
