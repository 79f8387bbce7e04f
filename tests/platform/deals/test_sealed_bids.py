"""Sealed bids: before the deadline no bid price, plan or document reaches anyone but its bidder — through any
page, API endpoint, error, count, ordering parameter, download or the OCDS export — and after the opening a
losing bid stays private to its bidder, the buyer and the operator.

Table-driven: every URL below, as every role.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from ronghe.platform.deals.models import Bid, DealDocument
from tests.platform.deals.conftest import LOSING_A, SECRETS_A, assert_sealed

pytestmark = pytest.mark.django_db

BIDDER = {"provider", "provider_member"}
OUTSIDERS = ("manufacturer", "manufacturer_member", "manufacturer_b", "provider_b", "provider_b_member",
             "association", "certifier", "operator", "operator_member", "government", "anonymous", "superuser")

#: (method, url template, body) — {rfq}, {bid} (bid A), {doc} (A's document), {lot}, {demand}, {ocid}
GETS = [
    "/deals/", "/deals/rfq/{rfq}/", "/deals/rfq/{rfq}/bid/", "/deals/bids/{bid}/", "/deals/documents/{doc}/",
    "/demand/", "/demand/{demand}/", "/demand/mine/",
    "/api/rfqs/", "/api/rfqs/{rfq}/", "/api/rfqs/{rfq}/comparison/", "/api/bids/", "/api/bids/{bid}/",
    "/api/bids/?ordering=-current__lines__price", "/api/bids/?search=A-PLAN", "/api/contracts/", "/api/milestones/",
    "/api/ocds/releases/", "/api/ocds/records/{ocid}/", "/api/demands/{demand}/",
    "/admin/deals/bid/", "/admin/deals/dealevent/", "/admin/deals/rfq/{rfq}/change/",
]
POSTS = [
    ("/api/rfqs/{rfq}/award/", {"lot": "{lot}", "bid": "{bid}", "reason": "x"}),
    ("/api/bids/{bid}/withdraw/", {}),
    ("/api/bids/", {"rfq": "{rfq}", "prices": {"{lot}": "1"}, "plan": "p"}),
    ("/deals/rfq/{rfq}/award/", {"lot": "{lot}", "bid": "{bid}", "reason": "x"}),
    ("/deals/bids/{bid}/withdraw/", {}),
]


def _client(users, role):
    if role == "superuser":
        user = get_user_model().objects.create_superuser("root-sealed", password="Root-sealed-2026")
    else:
        user = users[role]
    web = Client()
    if user is not None:
        web.force_login(user)
    return web


def _fill(template, ids):
    if isinstance(template, dict):
        return {_fill(k, ids): _fill(v, ids) for k, v in template.items()}
    return template.format(**ids) if isinstance(template, str) else template


def _ids(rfq, bid):
    doc = DealDocument.objects.get(bid_version__bid=bid)
    return {"rfq": rfq.pk, "bid": bid.pk, "doc": doc.pk, "lot": rfq.lots.first().pk, "demand": rfq.demand_id,
            "ocid": rfq.ocid}


def test_nothing_of_a_sealed_bid_reaches_anyone_but_its_bidder(make_deal, users):
    rfq, (bid_a, _bid_b) = make_deal("bidding")
    ids = _ids(rfq, bid_a)
    for role in OUTSIDERS:
        web = _client(users, role)
        for url in GETS:
            response = web.get(_fill(url, ids))
            assert response.status_code < 500, (role, url, response.status_code)
            assert_sealed(response.content, f"to {role} via GET {url}", SECRETS_A)
            if url == "/api/bids/" and response.status_code == 200:
                ids_seen = [row["id"] for row in response.json()["results"]]
                assert bid_a.pk not in ids_seen, (role, "a sealed bid listed")
        for url, body in POSTS:
            before = Bid.objects.get(pk=bid_a.pk).state
            response = web.post(_fill(url, ids), _fill(body, ids), content_type="application/json")
            assert response.status_code < 500, (role, url, response.status_code)
            assert_sealed(response.content, f"to {role} via POST {url}", SECRETS_A)
            assert Bid.objects.get(pk=bid_a.pk).state == before
    # the bidder itself reads everything of its own bid
    own = _client(users, "provider_member")
    assert "A-PLAN-7Q" in own.get(f"/deals/bids/{bid_a.pk}/").content.decode()
    assert own.get(f"/deals/documents/{ids['doc']}/").status_code == 200


def test_the_buyer_sees_no_count_unless_it_chose_to(make_deal, users, api_client_for):
    rfq, _ = make_deal("bidding")
    body = api_client_for(users["manufacturer"]).get(f"/api/rfqs/{rfq.pk}/").json()
    assert body["bid_count"] is None
    page = _client(users, "manufacturer").get(f"/deals/rfq/{rfq.pk}/").content.decode()
    assert 'id="bid-count"' not in page


def test_a_count_the_buyer_chose_to_show_is_shown(users, demand, api_client_for):
    from ronghe.platform.deals import services
    from tests.platform.deals.conftest import later

    rfq = services.open_rfq(users["manufacturer"], demand, bid_deadline=later(), show_bid_count=True)
    services.submit_bid(users["provider"], rfq, prices={rfq.lots.first().pk: 5}, plan="p")
    assert api_client_for(users["provider_b"]).get(f"/api/rfqs/{rfq.pk}/").json()["bid_count"] == 1


@pytest.mark.parametrize("stage", ["opened", "awarded", "completed"])
def test_after_the_opening_a_losing_bid_stays_with_bidder_buyer_and_operator(stage, make_deal, users):
    rfq, (bid_a, _bid_b) = make_deal(stage)
    ids = _ids(rfq, bid_a)
    for role in ("provider_b", "government", "anonymous"):
        web = _client(users, role)
        for url in GETS:
            response = web.get(_fill(url, ids))
            assert response.status_code < 500, (role, url)
            assert_sealed(response.content, f"after {stage} to {role} via {url}", LOSING_A)
    for role in ("manufacturer", "operator"):
        page = _client(users, role).get(f"/deals/bids/{bid_a.pk}/").content.decode()
        assert "A-PLAN-7Q" in page and "7654321.98" in page, role
