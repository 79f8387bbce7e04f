"""The confidential-access log and the permission-checked download every app uses for attachments."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import FileField
from django.db.models.fields.files import FieldFile
from django.http import Http404
from django.test import RequestFactory

from ronghe.platform.core.audit import log_confidential_access
from ronghe.platform.core.downloads import serve_protected_file
from ronghe.platform.core.models import ConfidentialAccess

pytestmark = pytest.mark.django_db


def test_each_access_is_one_row_naming_user_organization_object_and_channel(orgs, users):
    row = log_confidential_access(users["provider"], orgs["manufacturer"], "budget,scope", "api")
    assert (row.user, row.organization, row.object_type, row.object_id, row.what, row.channel) == (
        users["provider"], orgs["provider"], "accounts.organization", str(orgs["manufacturer"].pk),
        "budget,scope", "api")
    with pytest.raises(ValueError):
        log_confidential_access(users["provider"], orgs["manufacturer"], "x", "email")
    assert ConfidentialAccess.objects.count() == 1


@pytest.fixture
def stored_file(settings, tmp_path, orgs):
    settings.MEDIA_ROOT = tmp_path
    name = default_storage.save("demand/技术要求.pdf", ContentFile(b"%PDF-1.7 confidential drawing"))
    field = FileField(storage=default_storage)
    field.set_attributes_from_name("attachment")
    return FieldFile(orgs["manufacturer"], field, name)


def _request(user):
    request = RequestFactory().get("/download")
    request.user = user
    return request


def test_entitled_user_gets_the_bytes_and_the_access_is_logged(orgs, users, stored_file):
    def allowed(user, obj):
        return user == users["provider"]

    response = serve_protected_file(_request(users["provider"]), orgs["manufacturer"], stored_file, allowed)
    assert b"".join(response.streaming_content) == b"%PDF-1.7 confidential drawing"
    assert response["Content-Type"] == "application/pdf" and "no-store" in response["Cache-Control"]
    assert "attachment" in response["Content-Disposition"]
    row = ConfidentialAccess.objects.get()
    assert row.user == users["provider"] and row.what == "attachment:技术要求.pdf" and row.channel == "web"


def test_unentitled_user_gets_404_and_nothing_is_logged(orgs, users, stored_file):
    from django.contrib.auth.models import AnonymousUser

    for user in (users["provider_b"], AnonymousUser()):
        with pytest.raises(Http404):
            serve_protected_file(_request(user), orgs["manufacturer"], stored_file,
                                 lambda u, o: u == users["provider"])
    assert not ConfidentialAccess.objects.exists()
