"""The demo loader leaves deals in every state; the API answers a retry with the first answer and refuses
broken input with a 400 and nothing written."""

from __future__ import annotations

import pytest

from ronghe.platform.core.audit import verify
from ronghe.platform.core.models import AuditEntry
from ronghe.platform.deals import ocds
from ronghe.platform.deals.demo import load_demo
from ronghe.platform.deals.models import RFQ, Contract, Dispute, Milestone, Payment
from ronghe.platform.demo import DemoData

pytestmark = pytest.mark.django_db


def test_the_demo_has_deals_in_every_state(orgs, users, deal_items):
    demo = DemoData(orgs={"manufacturer": orgs["manufacturer"]},
                    users={"manufacturer": users["manufacturer"], "provider": users["provider"]})
    assert load_demo(demo) == "8 deals"
    assert set(RFQ.objects.values_list("state", flat=True)) == {"bidding", "opened", "awarded", "cancelled"}
    assert set(Contract.objects.values_list("state", flat=True)) == {"draft", "active", "completed"}
    assert {"submitted", "disputed", "accepted"} <= set(Milestone.objects.values_list("state", flat=True))
    assert Dispute.objects.filter(state="open").count() == 1
    assert ocds.validate(ocds.release_package()) == [] and verify().ok


def test_a_retried_release_with_the_same_key_is_answered_once(make_deal, users, api_client_for):
    rfq, _ = make_deal("accepted")
    milestone = Milestone.objects.filter(contract__rfq=rfq).first()
    client = api_client_for(users["manufacturer"])
    url = f"/api/milestones/{milestone.pk}/release/"
    first = client.post(url, format="json", HTTP_IDEMPOTENCY_KEY="release-1")
    again = client.post(url, format="json", HTTP_IDEMPOTENCY_KEY="release-1")
    assert first.status_code == again.status_code == 200 and first.json() == again.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Payment.objects.filter(milestone=milestone, kind="release").count() == 1
    other = client.post(f"/api/milestones/{milestone.pk}/fund/", format="json", HTTP_IDEMPOTENCY_KEY="release-1")
    assert other.status_code == 400  # one key, one request
    without_key = client.post(url, format="json")
    assert without_key.status_code == 400  # released already: the state refuses it


@pytest.mark.parametrize("body", [
    {"rfq": 0, "prices": {}, "plan": ""},
    {"rfq": "x", "prices": "nope", "plan": "p"},
    {"prices": {"1": "-5"}, "plan": "p"},
    {"rfq": "{rfq}", "prices": {"999999": "10"}, "plan": "p"},
    {"rfq": "{rfq}", "prices": {"{lot}": "abc"}, "plan": "p"},
    {"rfq": "{rfq}", "prices": {"{lot}": "10"}, "plan": ""},
])
def test_broken_bids_are_a_400_and_write_nothing(body, make_deal, users, api_client_for):
    rfq, _ = make_deal("bidding")
    lot = rfq.lots.first()
    filled = {k: (v.format(rfq=rfq.pk) if isinstance(v, str) else
                  {kk.format(lot=lot.pk): vv for kk, vv in v.items()} if isinstance(v, dict) else v)
              for k, v in body.items()}
    entries = AuditEntry.objects.count()
    response = api_client_for(users["provider_b"]).post("/api/bids/", filled, format="json")
    assert response.status_code == 400, response.content
    assert AuditEntry.objects.count() == entries
