"""The operator's Django admin lists organizations, members, industries and the read-only access log."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from ronghe.platform.core.audit import log_confidential_access


@pytest.mark.django_db
def test_operator_admin_pages_load_and_the_access_log_cannot_be_edited(orgs, users):
    log_confidential_access(users["provider"], orgs["manufacturer"], "scope", "web")
    admin = get_user_model().objects.create_superuser("ops", password="Ops-admin-2026")
    client = Client()
    client.force_login(admin)
    for url in ("/admin/accounts/organization/", f"/admin/accounts/organization/{orgs['provider'].pk}/change/",
                "/admin/accounts/membership/", "/admin/accounts/industry/", "/admin/core/confidentialaccess/",
                "/admin/accounts/organization/?q=provider"):
        assert client.get(url).status_code == 200, url
    assert client.get("/admin/core/confidentialaccess/add/").status_code == 403
