"""One rule per action: for every role × deal state × action, the rule, the service, the page and the API agree.

The expected answers come from the tables below (written from issue 9, not from ``deals.rules``), so a rule that
drifts from the spec fails here, and so does a service, page or endpoint that drifts from its rule.
"""

from __future__ import annotations

import pytest
from django.test import Client

from ronghe.platform.deals import services
from ronghe.platform.deals.models import RFQ, Contract, Milestone
from ronghe.platform.deals.rules import contract_rules, milestone_rules, rfq_rules
from tests.platform.deals.conftest import pdf
from tests.platform.rules_matrix import attempt

pytestmark = pytest.mark.django_db

ROLES = ("manufacturer", "manufacturer_member", "manufacturer_b", "provider", "provider_member", "provider_b",
         "association", "operator", "government", "anonymous")
BUYER = {"manufacturer", "manufacturer_member"}
SELLER = {"provider", "provider_member"}  # bidder A, and the contract's provider below
PROVIDERS = SELLER | {"provider_b"}
OPERATOR = {"operator"}




def _want(who: bool, when: bool) -> str:
    return "ok" if who and when else ("refused" if who else "denied")


def _clients(user, api_client_for):
    web = Client()
    if user is not None:
        web.force_login(user)
    return web, api_client_for(user)


# --- RFQ -----------------------------------------------------------------------------------------------------

RFQ_WHO = {"bid": PROVIDERS, "compare": BUYER | OPERATOR, "award": BUYER, "cancel": BUYER | OPERATOR}
RFQ_WHEN = {"bid": {"bidding"}, "compare": {"opened", "awarded"}, "award": {"opened"},
            "cancel": {"bidding", "opened"}}


@pytest.mark.parametrize("stage", ["bidding", "opened", "awarded", "cancelled"])
def test_rfq_rule_service_page_and_api_agree(stage, make_deal, users, api_client_for):
    rfq, (_bid_a, bid_b) = make_deal("bidding" if stage == "cancelled" else stage)
    if stage == "cancelled":
        rfq = services.cancel_rfq(users["manufacturer"], rfq)
    lot = rfq.lots.order_by("id").first()
    service = {
        "bid": lambda u: services.submit_bid(u, RFQ.objects.get(pk=rfq.pk), prices={lot.pk: 1}, plan="p"),
        "award": lambda u: services.award_lot(u, lot, bid=bid_b, reason="r"),
        "cancel": lambda u: services.cancel_rfq(u, RFQ.objects.get(pk=rfq.pk)),
    }
    api = {
        "bid": lambda c: c.post("/api/bids/", {"rfq": rfq.pk, "prices": {str(lot.pk): "1"}, "plan": "p"},
                                format="json"),
        "compare": lambda c: c.get(f"/api/rfqs/{rfq.pk}/comparison/"),
        "award": lambda c: c.post(f"/api/rfqs/{rfq.pk}/award/", {"lot": lot.pk, "bid": bid_b.pk, "reason": "r"},
                                  format="json"),
        "cancel": lambda c: c.post(f"/api/rfqs/{rfq.pk}/cancel/", format="json"),
    }
    for role in ROLES:
        user = users[role]
        web, client = _clients(user, api_client_for)
        page = web.get(f"/deals/rfq/{rfq.pk}/")
        assert page.status_code == 200, role
        for action in RFQ_WHO:
            want = _want(role in RFQ_WHO[action], stage in RFQ_WHEN[action])
            assert rfq_rules.can(user, action, RFQ.objects.get(pk=rfq.pk)) is (want == "ok"), (role, stage, action)
            assert (action in page.context["rfq"]["actions"]) is (want == "ok"), (role, stage, action, "page")
            if user is not None and action in service:
                got = attempt(lambda a=action, u=user: service[a](u))
                assert got == want, (role, stage, action, "service", got)
            got = attempt(lambda a=action, c=client: api[a](c))
            assert got == want, (role, stage, action, "api", got)


# --- contracts -----------------------------------------------------------------------------------------------

CONTRACT_WHO = {"edit": BUYER | SELLER, "sign": BUYER | SELLER, "cancel": BUYER | OPERATOR, "rate": BUYER | SELLER,
                "attach": BUYER | SELLER}
CONTRACT_WHEN = {"edit": {"draft"}, "sign": {"draft"}, "cancel": {"draft"}, "rate": {"completed"},
                 "attach": {"draft", "active"}}
STAGE_OF_CONTRACT = {"draft": "awarded", "active": "signed", "completed": "completed"}


@pytest.mark.parametrize("state", ["draft", "active", "completed"])
def test_contract_rule_service_page_and_api_agree(state, make_deal, users, orgs, api_client_for):
    rfq, _ = make_deal(STAGE_OF_CONTRACT[state])
    contract = Contract.objects.get(rfq=rfq, provider=orgs["provider"])
    fresh = lambda: Contract.objects.get(pk=contract.pk)  # noqa: E731
    service = {
        "edit": lambda u: services.update_contract(u, fresh(), terms="补充"),
        "sign": lambda u: services.sign_contract(u, fresh(), text_sha256=services.contract_sha256(fresh())),
        "cancel": lambda u: services.cancel_contract(u, fresh()),
        "rate": lambda u: services.rate_contract(u, fresh(), quality=5, timeliness=5, communication=5),
        "attach": lambda u: services.attach_contract_documents(u, fresh(), documents=[services.DocumentInput(pdf())]),
    }
    api = {
        "edit": lambda c: c.post(f"/api/contracts/{contract.pk}/edit/", {"terms": "补充"}, format="json"),
        "sign": lambda c: c.post(f"/api/contracts/{contract.pk}/sign/",
                                 {"text_sha256": services.contract_sha256(fresh())}, format="json"),
        "cancel": lambda c: c.post(f"/api/contracts/{contract.pk}/cancel/", format="json"),
        "rate": lambda c: c.post("/api/ratings/", {"contract": contract.pk, "quality": 5, "timeliness": 5,
                                                   "communication": 5}, format="json"),
        "attach": lambda c: c.post(f"/api/contracts/{contract.pk}/documents/", {"documents": pdf()},
                                   format="multipart"),
    }
    for role in ROLES:
        user = users[role]
        web, client = _clients(user, api_client_for)
        page = web.get(f"/deals/contracts/{contract.pk}/")
        visible = page.status_code == 200
        assert visible is (role in BUYER | SELLER | OPERATOR), (role, "visibility")
        for action in CONTRACT_WHO:
            who = role in CONTRACT_WHO[action] and not (action == "sign" and state != "draft")  # signed once
            want = _want(who, state in CONTRACT_WHEN[action])
            assert contract_rules.can(user, action, fresh()) is (want == "ok"), (role, state, action)
            if visible:
                assert (action in page.context["contract"]["actions"]) is (want == "ok"), (role, state, action)
            if user is not None:
                got = attempt(lambda a=action, u=user: service[a](u))
                assert got == want, (role, state, action, "service", got)
            got = attempt(lambda a=action, c=client: api[a](c))
            assert got == (want if visible else "denied"), (role, state, action, "api", got)


# --- milestones ----------------------------------------------------------------------------------------------

MILESTONE_WHO = {"fund": BUYER, "submit": SELLER, "accept": BUYER, "reject": BUYER, "release": BUYER,
                 "dispute": BUYER | SELLER}
MILESTONE_WHEN = {  # deal stage → the actions its milestones allow
    "signed": {"fund", "submit"}, "funded": {"submit"}, "submitted": {"accept", "reject", "dispute"},
    "accepted": {"release"},
}


@pytest.mark.parametrize("stage", sorted(MILESTONE_WHEN))
def test_milestone_rule_service_page_and_api_agree(stage, make_deal, users, orgs, api_client_for):
    rfq, _ = make_deal(stage)
    milestone = Milestone.objects.filter(contract__rfq=rfq, contract__provider=orgs["provider"]).first()
    fresh = lambda: Milestone.objects.get(pk=milestone.pk)  # noqa: E731
    service = {
        "fund": lambda u: services.fund_milestone(u, fresh()),
        "submit": lambda u: services.submit_milestone(u, fresh(), documents=[services.DocumentInput(pdf())]),
        "accept": lambda u: services.accept_milestone(u, fresh()),
        "reject": lambda u: services.reject_milestone(u, fresh(), reason="缺数据"),
        "release": lambda u: services.release_payment(u, fresh()),
        "dispute": lambda u: services.raise_dispute(u, fresh(), reason="分歧"),
    }
    base = f"/api/milestones/{milestone.pk}/"
    api = {
        "fund": lambda c: c.post(base + "fund/", format="json"),
        "submit": lambda c: c.post(base + "submit/", {"documents": pdf()}, format="multipart"),
        "accept": lambda c: c.post(base + "accept/", {}, format="json"),
        "reject": lambda c: c.post(base + "reject/", {"reason": "缺数据"}, format="json"),
        "release": lambda c: c.post(base + "release/", format="json"),
        "dispute": lambda c: c.post(base + "dispute/", {"reason": "分歧"}, format="json"),
    }
    for role in ROLES:
        user = users[role]
        web, client = _clients(user, api_client_for)
        page = web.get(f"/deals/contracts/{milestone.contract_id}/")
        visible = page.status_code == 200
        shown = next(m for m in page.context["contract"]["milestones"] if m["id"] == milestone.pk) if visible else None
        for action in MILESTONE_WHO:
            want = _want(role in MILESTONE_WHO[action], action in MILESTONE_WHEN[stage])
            assert milestone_rules.can(user, action, fresh()) is (want == "ok"), (role, stage, action)
            if visible:
                assert (action in shown["actions"]) is (want == "ok"), (role, stage, action, "page")
            if user is not None:
                got = attempt(lambda a=action, u=user: service[a](u))
                assert got == want, (role, stage, action, "service", got)
            got = attempt(lambda a=action, c=client: api[a](c))
            assert got == (want if visible else "denied"), (role, stage, action, "api", got)


def test_only_the_arbitrator_resolves(make_deal, users, orgs, api_client_for):
    rfq, _ = make_deal("submitted")
    milestone = Milestone.objects.filter(contract__rfq=rfq, contract__provider=orgs["provider"]).first()
    dispute = services.raise_dispute(users["provider"], milestone, reason="分歧")
    for role in ROLES:
        got = attempt(lambda u=users[role]: api_client_for(u).post(
            f"/api/disputes/{dispute.pk}/resolve/", {"outcome": "provider", "decision": "d"}, format="json"))
        assert got == ("ok" if role == "operator" else "denied"), (role, got)
