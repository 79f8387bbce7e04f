"""One rule per action: for every role × demand state × action, the rule, the service, the page and the API agree.

The expected answers come from the table below (written from the product's rules, not from ``demand.rules``),
so a rule that drifts from the spec fails here, and so does a service, page or endpoint that drifts from its rule.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client

from ronghe.platform.core.models import AuditEntry
from ronghe.platform.demand import services
from ronghe.platform.demand.models import Demand, DemandList
from ronghe.platform.demand.nda import NDA_VERSION
from ronghe.platform.demand.rules import demand_list_rules, demand_rules
from tests.platform.demand.conftest import pdf_upload
from tests.platform.rules_matrix import attempt

ROLES = ("manufacturer", "manufacturer_member", "manufacturer_b", "provider", "provider_member", "provider_b",
         "association", "certifier", "operator", "government", "anonymous")
OWNER = {"manufacturer", "manufacturer_member"}
OPERATOR = {"operator"}
INVITED = {"provider", "provider_member"}
STATES = ("draft", "published", "closed", "cancelled")
OPEN = {"draft", "published"}


def expected(action: str, role: str, state: str) -> tuple[bool, bool]:
    """(who, when): may this role ever do it, and is the state right. Allowed = both."""
    who = {
        "change": role in OWNER, "publish": role in OWNER, "attach": role in OWNER, "invite": role in OWNER,
        "close": role in OWNER | OPERATOR, "cancel": role in OWNER | OPERATOR,
        "accept_nda": role in INVITED,
    }[action]
    when = {
        "change": state == "draft", "publish": state == "draft", "attach": state in OPEN,
        "invite": state in OPEN, "close": state == "published", "cancel": state in OPEN,
        "accept_nda": state == "published",
    }[action]
    return who, when




def _demand_in(state: str, make_demand, users, orgs) -> Demand:
    demand = make_demand("nda", publish=state != "draft", attach=False)
    services.invite_provider(users["manufacturer"], demand, provider=orgs["provider"])
    if state == "closed":
        demand = services.close_demand(users["manufacturer"], demand)
    elif state == "cancelled":
        demand = services.cancel_demand(users["manufacturer"], demand)
    return demand


SERVICE_CALLS = {
    "change": lambda u, d, orgs: services.update_demand(u, d, title="改过的标题"),
    "publish": lambda u, d, orgs: services.publish_demand(u, d),
    "attach": lambda u, d, orgs: services.add_attachments(u, d, uploads=[pdf_upload("a.pdf")]),
    "invite": lambda u, d, orgs: services.invite_provider(u, d, provider=orgs["provider_b"]),
    "close": lambda u, d, orgs: services.close_demand(u, d),
    "cancel": lambda u, d, orgs: services.cancel_demand(u, d),
    "accept_nda": lambda u, d, orgs: services.accept_nda(u, d, nda_version=NDA_VERSION),
}


def _api(client, action: str, demand: Demand, orgs):
    base = f"/api/demands/{demand.pk}/"
    if action == "change":
        return client.patch(base, {"title": "改过的标题"}, format="json")
    if action == "attach":
        return client.post(base + "attachments/", {"file": pdf_upload("a.pdf")}, format="multipart")
    if action == "invite":
        return client.post(base + "invite/", {"provider": orgs["provider_b"].pk}, format="json")
    if action == "accept_nda":
        return client.post(base + "accept-nda/", {"nda_version": NDA_VERSION}, format="json")
    return client.post(base + f"{action}/", format="json")


@pytest.mark.django_db
@pytest.mark.parametrize("state", STATES)
def test_demand_rule_service_page_and_api_agree(state, make_demand, users, orgs, api_client_for):
    demand = _demand_in(state, make_demand, users, orgs)
    for role in ROLES:
        user = users[role]
        web = Client()
        if user is not None:
            web.force_login(user)
        api = api_client_for(user)
        page = web.get(f"/demand/{demand.pk}/")
        visible = page.status_code == 200
        for action in SERVICE_CALLS:
            who, when = expected(action, role, state)
            want = "ok" if who and when else ("refused" if who else "denied")
            fresh = Demand.objects.get(pk=demand.pk)
            assert demand_rules.can(user, action, fresh) is (want == "ok"), (role, state, action, "rule")
            if user is not None:
                got = attempt(lambda a=action, u=user: SERVICE_CALLS[a](u, Demand.objects.get(pk=demand.pk), orgs))
                assert got == want, (role, state, action, "service", got)
            got = attempt(lambda a=action, c=api: _api(c, a, demand, orgs))
            api_want = want if visible else "denied"  # an invisible demand is a 404 whatever the rule
            assert got == api_want, (role, state, action, "api", got)
            if visible:
                assert (action in page.context["actions"]) is (want == "ok"), (role, state, action, "page")
        if state == "draft":
            assert visible is (role in OWNER | OPERATOR), (role, "draft visibility")


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["publish", "close", "cancel"])
def test_page_posts_agree_with_the_rule(action, make_demand, users, orgs):
    for state in ("draft", "published"):
        demand = _demand_in(state, make_demand, users, orgs)
        for role in ("manufacturer", "manufacturer_b", "operator", "government", "provider"):
            web = Client()
            web.force_login(users[role])
            before = Demand.objects.get(pk=demand.pk).state
            entries = AuditEntry.objects.count()
            allowed = demand_rules.can(users[role], action, Demand.objects.get(pk=demand.pk))
            with transaction.atomic():
                response = web.post(f"/demand/{demand.pk}/{action}/")
                after = Demand.objects.get(pk=demand.pk).state
                appended = AuditEntry.objects.count() - entries
                transaction.set_rollback(True)
            if allowed:
                assert response.status_code == 302 and after != before and appended == 1, (role, state, action)
            else:
                assert after == before and appended == 0, (role, state, action)
                who, _when = expected(action, role, state)
                hidden = state == "draft" and role not in OWNER | OPERATOR  # a draft is a 404 to outsiders
                assert response.status_code == (302 if who else 404 if hidden else 403), (
                    role, state, action, response.status_code)


LIST_ROLES = ("association", "association_member", "association_b", "manufacturer", "provider", "operator",
              "government", "anonymous")


def expected_list(action: str, role: str, state: str, joined: set[str]) -> bool:
    curator = role in {"association", "association_member", "operator"}
    return {
        "change": curator and state == "draft", "publish": curator and state == "draft",
        "close": curator and state == "published", "view_entries": curator,
        "join": role == "manufacturer" and state == "published",
        "leave": role in joined and state == "published",
    }[action]


@pytest.mark.django_db
@pytest.mark.parametrize("state", ["draft", "published", "closed"])
def test_demand_list_rules_pages_and_api_agree(state, users, orgs, items, api_client_for):
    demand_list = services.create_demand_list(
        users["association"], orgs["association"], items=[items[0]], name="清单", industry="36", province="32",
        pain_points="数字化")
    joined: set[str] = set()
    if state != "draft":
        demand_list = services.publish_demand_list(users["association"], demand_list)
        services.join_demand_list(users["manufacturer"], demand_list, manufacturer=orgs["manufacturer"],
                                  entries=[services.EntryInput(items[0], 2)])
        joined = {"manufacturer"}
    if state == "closed":
        demand_list = services.close_demand_list(users["association"], demand_list)
    for role in LIST_ROLES:
        user = users[role]
        fresh = DemandList.objects.get(pk=demand_list.pk)
        allowed = demand_list_rules.allowed(user, fresh)
        for action in demand_list_rules.actions:
            assert (action in allowed) is expected_list(action, role, state, joined), (role, state, action)
        web = Client()
        if user is not None:
            web.force_login(user)
        page = web.get(f"/demand/lists/{demand_list.pk}/")
        if page.status_code == 200:
            assert page.context["actions"] == allowed, role
        api = api_client_for(user)
        for action in ("publish", "close"):
            got = attempt(lambda a=action, c=api: c.post(f"/api/demand-lists/{demand_list.pk}/{a}/", format="json"))
            if action in allowed:
                assert got == "ok", (role, state, action)
            else:
                assert got in ("denied", "refused"), (role, state, action, got)
                if user is not None and not demand_list_rules.who(user, action, fresh):
                    assert got == "denied", (role, state, action, got)
