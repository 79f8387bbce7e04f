"""One answer per action: for every role × item state × action, the rule, the service, the page and the API agree.

The answer has three kinds, the same on every path: *done* (the service succeeds and appends one audit entry;
the page redirects, the API answers 2xx), *refused* for someone who does not curate the item (``PermissionDenied``;
403, or 404 where the item is an invisible draft; 401/login for the anonymous) and *not now* for the item's
curator asking in the wrong state (``ValidationError``; the page redirects with the message, the API answers
400 — 409 for an edit of a published item). Nothing refused appends to the audit chain.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.test import Client

from ronghe.platform.catalog import services
from ronghe.platform.catalog.forms import ServiceItemForm
from ronghe.platform.catalog.models import ServiceItem, ServiceItemEvent
from ronghe.platform.catalog.rules import can_create_item, item_rules
from ronghe.platform.core.audit import verify
from ronghe.platform.core.models import AuditEntry
from ronghe.platform.core.permissions import forget

pytestmark = pytest.mark.django_db

KINDS = ["manufacturer", "provider", "association", "certifier", "operator", "government"]
ROLES = [f"{kind}{suffix}" for kind in KINDS for suffix in ("", "_member", "_b", "_b_member")] + ["anonymous"]
STATES = ["draft", "published", "revised", "superseded", "retired", "shipped"]
ACTIONS = ["edit", "publish", "revise", "retire"]
ITEMS = "/api/catalog/items/"


def writer(key: str) -> bool:
    return key != "anonymous" and not key.startswith("government")


def curates(key: str, state: str) -> bool:
    """The truth table, written independently of ``catalog.rules``: the owner association, or the operator."""
    owner = state != "shipped" and key in ("association", "association_member")
    return writer(key) and (owner or key.startswith("operator"))


def allowed(key: str, state: str, action: str) -> bool:
    ok_state = {"edit": {"draft"}, "publish": {"draft"}, "revise": {"published", "shipped"},
                "retire": {"published", "shipped"}}[action]
    return curates(key, state) and state in ok_state


def visible(key: str, state: str) -> bool:
    return state != "draft" or key in ("association", "association_member") or key.startswith("operator")


class Rollback(Exception):
    pass


@contextmanager
def undone():
    try:
        with transaction.atomic():
            yield
            raise Rollback
    except Rollback:
        pass


def _appended(fn) -> tuple[object, int]:
    """(result or exception class, audit entries appended) of one call, undone afterwards."""
    before = AuditEntry.objects.count()
    outcome: object = "done"
    appended = 0
    try:
        with undone():
            outcome = fn() or "done"
            appended = AuditEntry.objects.count() - before
    except (PermissionDenied, ValidationError) as exc:
        outcome = type(exc)
        assert AuditEntry.objects.count() == before
    return outcome, appended


@pytest.fixture
def items(catalog, users, draft_fields) -> dict[str, ServiceItem]:
    curator = users["association"]
    out = {"draft": services.create_item_draft(curator, None, **draft_fields)}
    for state in ("published", "revised", "superseded", "retired"):
        item = services.create_item_draft(curator, None, **(draft_fields | {"name_zh": f"矩阵 {state}"}))
        out[state] = services.publish_item(curator, item)
    services.revise_item(curator, out["revised"], change_note="pending")
    services.publish_item(curator, services.revise_item(curator, out["superseded"], change_note="v2"))
    services.retire_item(curator, out["retired"])
    out["shipped"] = ServiceItem.objects.current().get(code="SI-03-002")  # curated by the operator organization
    return {k: ServiceItem.objects.select_related("category", "superseded_by").get(pk=v.pk) for k, v in out.items()}


def _form(item: ServiceItem, **over) -> dict:
    return {k: v for k, v in (ServiceItemForm.initial_from(item) | over).items() if v is not None}


def _call(action: str, user, item: ServiceItem):
    return {
        "edit": lambda: services.update_item_draft(user, item, name_zh="矩阵改名"),
        "publish": lambda: services.publish_item(user, item),
        "revise": lambda: services.revise_item(user, item, change_note="矩阵"),
        "retire": lambda: services.retire_item(user, item),
    }[action]


def _status(request) -> tuple[int, int]:
    """(HTTP status, audit entries appended) of one request, undone afterwards."""
    seen: list[int] = []
    _, appended = _appended(lambda: seen.append(request().status_code))
    return seen[0], appended


def _page(client: Client, action: str, item: ServiceItem) -> tuple[int, int]:
    data = _form(item, name_zh="矩阵改名") if action in ("edit", "revise") else {}
    return _status(lambda: client.post(f"/catalog/items/{item.pk}/{action}/", data))


def _api(client, action: str, item: ServiceItem) -> tuple[int, int]:
    if action == "edit":
        return _status(lambda: client.patch(f"{ITEMS}{item.pk}/", {"name_zh": "矩阵改名"}, format="json"))
    return _status(lambda: client.post(f"{ITEMS}{item.pk}/{action}/", {}, format="json"))


@pytest.mark.parametrize("key", ROLES)
def test_item_actions_agree_everywhere(key, items, users, api_client_for):
    user = users[key]
    web = Client()
    if user is not None:
        web.force_login(user)
    api = api_client_for(user)
    for state, item in items.items():
        actions = item_rules.allowed(user, item)
        detail = web.get(f"/catalog/items/{item.pk}/")
        assert detail.status_code == (200 if visible(key, state) else 404), (key, state)
        for action in ACTIONS:
            want = allowed(key, state, action)
            where = (key, state, action)
            assert (action in actions) is want, where
            if visible(key, state):
                assert (f"/catalog/items/{item.pk}/{action}/" in detail.content.decode()) is want, where

            outcome, appended = _appended(_call(action, user, item))
            forget(user)
            if want:
                assert isinstance(outcome, ServiceItem) and appended == 1, where
            else:
                expected = ValidationError if curates(key, state) else PermissionDenied
                assert (outcome, appended) == (expected, 0), where

            status, appended = _page(web, action, item)
            if user is None:
                page = 302  # to the login page
            elif not can_create_item(user):
                page = 403
            elif not visible(key, state):
                page = 404
            elif not curates(key, state):
                page = 403
            else:
                page = 302  # done, or back to the item with the reason
            assert (status, appended) == (page, int(want)), where

            status, appended = _api(api, action, item)
            if user is None:
                code = 401
            elif key.startswith("government"):
                code = 403  # read-only accounts are refused every write before the item is looked up
            elif not visible(key, state):
                code = 404
            elif not curates(key, state):
                code = 403
            elif want:
                code = 201 if action == "revise" else 200
            else:
                code = 409 if action == "edit" else 400
            assert (status, appended) == (code, int(want)), where
    assert verify().ok


@pytest.mark.parametrize("key", ROLES)
def test_creating_a_draft_agrees_everywhere(key, catalog, users, api_client_for, draft_fields):
    user = users[key]
    want = writer(key) and (key.startswith("association") or key.startswith("operator"))
    assert can_create_item(user) is want
    outcome, appended = _appended(lambda: services.create_item_draft(user, None, **draft_fields))
    if want:
        assert isinstance(outcome, ServiceItem) and appended == 1, key
    else:
        assert (outcome, appended) == (PermissionDenied, 0), key
    web = Client()
    if user is not None:
        web.force_login(user)
        assert web.get("/catalog/items/new/").status_code == (200 if want else 403), key
    status = api_client_for(user).post(ITEMS, draft_fields, format="json").status_code
    assert status == (201 if want else 401 if user is None else 403), key


def test_each_service_appends_its_entry_and_event(catalog, users, draft_fields):
    curator = users["association_member"]
    item = services.create_item_draft(curator, None, **draft_fields)
    services.update_item_draft(curator, item, duration_days_max=45)
    edited = AuditEntry.objects.latest("seq")
    assert edited.before == {"duration_days_max": 30} and edited.after == {"duration_days_max": 45}
    services.publish_item(curator, item)
    v2 = services.revise_item(curator, item, change_note="v2")
    services.publish_item(curator, v2)
    services.retire_item(curator, v2)
    mine = AuditEntry.objects.filter(object_type="catalog.serviceitem", object_id__in=[str(item.pk), str(v2.pk)])
    assert list(mine.values_list("action", flat=True)) == [
        "catalog.item_drafted", "catalog.item_edited", "catalog.item_published", "catalog.item_revised",
        "catalog.item_published", "catalog.item_retired"]
    assert list(ServiceItemEvent.objects.filter(item=v2).values_list("kind", "from_state", "to_state")) == [
        ("item_revised", "", "draft"), ("item_published", "draft", "published"),
        ("item_retired", "published", "retired")]
    assert all(e.organization_id == curator.memberships.get().organization_id for e in mine)
    assert verify().ok


def test_the_loader_appends_one_entry_per_item_and_nothing_when_rerun(orgs):
    first = services.load_catalog()
    entries = AuditEntry.objects.filter(action="catalog.item_loaded")
    assert entries.count() == first.items_created == 72
    assert set(entries.values_list("actor", flat=True)) == {"system:load_catalog"}
    assert AuditEntry.objects.filter(action="catalog.taxonomy_loaded").count() == 1
    before = AuditEntry.objects.count()
    services.load_catalog()
    assert AuditEntry.objects.count() == before
    assert verify().ok


def test_the_admin_cannot_add_change_or_delete_catalog_rows(catalog):
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("ops", password="Ops-admin-2026"))
    item = ServiceItem.objects.current().first()
    for model, pk in (("serviceitem", item.pk), ("servicecategory", item.category_id)):
        assert client.get(f"/admin/catalog/{model}/add/").status_code == 403, model
        assert client.get(f"/admin/catalog/{model}/{pk}/change/").status_code == 200, model
        assert client.post(f"/admin/catalog/{model}/{pk}/change/", {"name_zh": "x"}).status_code == 403, model
        assert client.post(f"/admin/catalog/{model}/{pk}/delete/", {"post": "yes"}).status_code == 403, model
    assert ServiceItem.objects.get(pk=item.pk).name_zh == item.name_zh
