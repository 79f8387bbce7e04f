"""No side doors: the Django admin shows every domain model and changes none of them.

Operator actions that change something are admin *actions* calling a service (recorded on the audit chain), so
a superuser's POST to any add, change or delete page of a domain model is refused.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import Client, RequestFactory

from ronghe.platform.core.registry import platform_apps

DOMAIN_APPS = {a.label for a in platform_apps()} | {"core"}


def _domain_admins():
    return [(model, model_admin) for model, model_admin in admin.site._registry.items()
            if model._meta.app_label in DOMAIN_APPS]


def test_every_domain_model_admin_is_read_only():
    request = RequestFactory().get("/admin/")
    request.user = get_user_model()(is_superuser=True, is_staff=True, is_active=True)
    found = _domain_admins()
    assert len(found) >= 10  # organizations, items, demands, providers … all registered
    for model, model_admin in found:
        label = model._meta.label
        assert not model_admin.has_add_permission(request), label
        assert not model_admin.has_change_permission(request), label
        assert not model_admin.has_delete_permission(request), label
        for inline in model_admin.get_inline_instances(request):
            assert not inline.has_add_permission(request, None), (label, inline)
            assert not inline.has_change_permission(request, None), (label, inline)
            assert not inline.has_delete_permission(request, None), (label, inline)


@pytest.mark.django_db
def test_a_superuser_cannot_write_a_domain_object_through_the_admin(orgs):
    superuser = get_user_model().objects.create_superuser("root", password="Root-admin-2026")
    client = Client()
    client.force_login(superuser)
    org = orgs["provider"]
    name = org.name
    base = f"/admin/{org._meta.app_label}/{org._meta.model_name}/"
    assert client.get(base).status_code == 200  # the window is there
    assert client.get(f"{base}{org.pk}/change/").status_code == 200
    assert client.post(f"{base}{org.pk}/change/", {"name": "改名"}).status_code == 403
    assert client.post(f"{base}{org.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get(f"{base}add/").status_code == 403
    org.refresh_from_db()
    assert org.name == name
    for model, _model_admin in _domain_admins():
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/add/"
        assert client.post(url, {}).status_code == 403, url
