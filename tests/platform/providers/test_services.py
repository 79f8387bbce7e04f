"""The service layer: validation, who may act, verification, expiry, and the bulk loader."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ronghe.errors import InputError
from ronghe.platform.providers import services
from ronghe.platform.providers.bulk import bulk_create_providers
from ronghe.platform.providers.models import Case, Certificate, Offering, OfferingProvince, ProviderProfile
from tests.platform.conftest import make_org, make_user
from tests.platform.providers.conftest import pdf


def counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (ProviderProfile, Offering, OfferingProvince, Certificate, Case))


def test_offering_keeps_province_rows_and_category_in_step(provider_a, catalog):
    offering = provider_a["offering"]
    assert offering.category == catalog["it_sub"]
    assert offering.provinces == ["31", "32"]
    assert sorted(OfferingProvince.objects.filter(offering=offering).values_list("province", flat=True)) == ["31", "32"]
    services.update_offering(provider_a["user"], offering, provinces=["44", "32"], service_item=catalog["cma"])
    offering.refresh_from_db()
    assert offering.provinces == ["32", "44"]
    assert offering.category == catalog["test_sub"]
    assert sorted(offering.province_rows.values_list("province", flat=True)) == ["32", "44"]


@pytest.mark.parametrize("bad", [
    {"price_min": "500", "price_max": "100"},
    {"price_min": "-1"},
    {"price_min": "abc"},
    {"monthly_capacity": -1},
    {"lead_time_days": -3},
    {"provinces": []},
    {"provinces": ["99"]},
    {"industries": ["00"]},
    {"price_unit": "per-hour"},
    {"service_item": None},
])
def test_bad_offering_is_refused_and_nothing_written(provider_a, offering_data, bad):
    before = counts()
    with pytest.raises(ValidationError):
        services.add_offering(provider_a["user"], provider_a["org"], **{**offering_data, **bad})
    assert counts() == before


def test_unpublished_item_cannot_be_offered(provider_a, offering_data, catalog):
    before = counts()
    with pytest.raises(ValidationError, match="published"):
        services.add_offering(provider_a["user"], provider_a["org"], **{**offering_data, "service_item": catalog["draft"]})
    with pytest.raises(ValidationError):
        services.update_offering(provider_a["user"], provider_a["offering"], service_item=catalog["draft"])
    assert counts() == before
    assert Offering.objects.get(pk=provider_a["offering"].pk).service_item == catalog["mes"]


def test_update_with_inverted_prices_changes_nothing(provider_a):
    offering = provider_a["offering"]
    with pytest.raises(ValidationError):
        services.update_offering(provider_a["user"], offering, price_min="900000")
    offering.refresh_from_db()
    assert str(offering.price_min) == "50000.00"


def test_only_members_of_the_provider_write(provider_a, users, offering_data, orgs):
    before = counts()
    for key in ("provider_b", "manufacturer", "government", "certifier", "association"):
        with pytest.raises(PermissionDenied):
            services.add_offering(users[key], provider_a["org"], **offering_data)
        with pytest.raises(PermissionDenied):
            services.save_profile(users[key], provider_a["org"], headline="hijacked")
        with pytest.raises(PermissionDenied):
            services.deactivate_offering(users[key], provider_a["offering"])
    assert counts() == before
    assert ProviderProfile.objects.get(organization=provider_a["org"]).headline != "hijacked"
    # a plain member (not admin) of the provider may maintain it
    services.add_offering(users["provider_member"], provider_a["org"], **offering_data)


def test_profile_only_for_provider_organizations(users, orgs):
    with pytest.raises(ValidationError):
        services.save_profile(users["manufacturer"], orgs["manufacturer"], headline="not a provider")
    assert not ProviderProfile.objects.exists()


def test_profile_rejects_unknown_fields_and_bad_year(orgs, users):
    with pytest.raises(ValidationError):
        services.save_profile(users["provider"], orgs["provider"], headline="x", organization=1)
    with pytest.raises(ValidationError):
        services.save_profile(users["provider"], orgs["provider"], headline="x", founded_year=2999)
    assert not ProviderProfile.objects.exists()


def test_certificate_dates_and_evidence_validated(provider_a, certificate_data):
    user, org = provider_a["user"], provider_a["org"]
    before = counts()
    today = timezone.localdate()
    bad_inputs = [
        {"valid_from": today, "valid_to": today - timedelta(days=1)},
        {"evidence": pdf("evil.exe", b"MZ\x90\x00")},
        {"evidence": pdf("fake.pdf", b"MZ\x90\x00 not a pdf")},
        {"evidence": pdf("notes.txt", b"plain text is not evidence")},
        {"cert_type": "other"},  # "other" needs a name
        {"cert_type": "nonsense"},
        {"valid_from": "2026-13-45"},
        {"valid_from": "2030-01-01", "valid_to": "2029-12-31"},  # strings, as the API and forms send them
    ]
    for bad in bad_inputs:
        with pytest.raises(ValidationError) as caught:
            services.add_certificate(user, org, **{**certificate_data, **bad})
        assert "constraint" not in str(caught.value).lower()  # a message a person understands
    assert counts() == before


def test_oversized_evidence_is_refused(provider_a, certificate_data, settings):
    settings.RONGHE_MAX_UPLOAD_BYTES = 1024
    before = counts()
    with pytest.raises(ValidationError, match="过大"):
        services.add_certificate(provider_a["user"], provider_a["org"],
                                 **{**certificate_data, "evidence": pdf(content=b"%PDF-1.4\n" + b"0" * 2000)})
    assert counts() == before


def test_evidence_is_hashed_and_stored_privately(provider_a, settings):
    cert = provider_a["certificate"]
    assert cert.evidence_sha256.startswith("sha256:") and len(cert.evidence_sha256) == 71
    assert cert.evidence_name == "iso9001.pdf"
    assert not cert.evidence.path.startswith(str(settings.MEDIA_ROOT))
    with pytest.raises(ValueError):
        cert.evidence.url  # noqa: B018 - private storage has no URL at all


def test_evidence_lives_in_cores_one_private_storage(provider_a, settings, tmp_path):
    """Migrated from the providers' own storage: same default folder (<data dir>/private), so files stay readable,
    and now RONGHE_PRIVATE_ROOT is obeyed."""
    from ronghe.platform.core.storage import PrivateStorage

    storage = Certificate._meta.get_field("evidence").storage
    assert isinstance(storage, PrivateStorage)
    root = getattr(settings, "RONGHE_PRIVATE_ROOT", None) or settings.DATA_DIR / "private"
    assert provider_a["certificate"].evidence.path.startswith(str(root))
    assert provider_a["certificate"].evidence.open("rb").read().startswith(b"%PDF")
    settings.RONGHE_PRIVATE_ROOT = tmp_path
    assert PrivateStorage().path("certificates/x.pdf") == str(tmp_path / "certificates" / "x.pdf")


def test_provider_never_verifies_its_own_certificate(provider_a, users):
    cert = provider_a["certificate"]
    for key in ("provider", "provider_member", "provider_b", "manufacturer", "government"):
        with pytest.raises(PermissionDenied):
            services.verify_certificate(users[key], cert)
    cert.refresh_from_db()
    assert not cert.verified and cert.verified_by is None


def test_someone_in_both_the_provider_and_a_certifier_still_cannot_verify(provider_a, orgs):
    from ronghe.platform.accounts.models import Membership

    user = provider_a["user"]
    Membership.objects.create(user=user, organization=orgs["certifier"], role="member")
    user._ronghe_memberships = None
    with pytest.raises(PermissionDenied):
        services.verify_certificate(user, provider_a["certificate"])


@pytest.mark.parametrize("verifier", ["certifier", "association", "operator"])
def test_verifiers_verify(provider_a, users, orgs, verifier):
    cert = services.verify_certificate(users[verifier], provider_a["certificate"])
    cert.refresh_from_db()
    assert cert.verified and cert.verified_by == users[verifier] and cert.verified_by_org == orgs[verifier]
    assert cert.verified_at is not None


def test_changing_a_verified_certificate_voids_the_verification(provider_a, users):
    cert = services.verify_certificate(users["certifier"], provider_a["certificate"])
    services.update_certificate(provider_a["user"], cert, scope="工业软件实施")
    cert.refresh_from_db()
    assert cert.verified is False and cert.verified_by is None


def test_expiry_is_computed_from_the_date(provider_b, users):
    cert = provider_b["certificate"]
    assert cert.is_expired
    with pytest.raises(ValidationError):
        services.verify_certificate(users["certifier"], cert)
    Certificate.objects.filter(pk=cert.pk).update(valid_to=timezone.localdate())
    cert.refresh_from_db()
    assert not cert.is_expired


def test_anonymised_case_hides_the_client(provider_a, orgs):
    case = provider_a["case"]
    assert case.client_label([orgs["manufacturer"].pk]) == "某汽车制造业企业"
    assert case.client_label([provider_a["org"].pk]) == "秘密齿轮有限公司"


def test_case_year_validated(provider_a):
    with pytest.raises(ValidationError):
        services.add_case(provider_a["user"], provider_a["org"], title="t", year=3000, summary="s")
    assert Case.objects.count() == 1


def test_deactivated_offering_hidden_from_others(provider_a, users):
    services.deactivate_offering(provider_a["user"], provider_a["offering"])
    assert not Offering.objects.restrict(users["manufacturer"], "view").filter(pk=provider_a["offering"].pk).exists()
    assert not Offering.objects.restrict(None, "view").exists()
    assert Offering.objects.restrict(provider_a["user"], "view").filter(pk=provider_a["offering"].pk).exists()


def test_bulk_create_fills_denormalised_fields(db, catalog):
    orgs = [make_org("provider", name=f"合成服务商{i}", is_synthetic=True) for i in range(5)]
    today = timezone.localdate()
    rows = [{
        "organization_id": org.pk,
        "profile": {"headline": f"合成服务商{i}", "team_size": 10 + i},
        "offerings": [
            {"service_item_id": catalog["mes"].pk, "price_min": 1e4, "price_max": 5e4, "monthly_capacity": 2,
             "provinces": ["32", "31", "32"], "industries": ["36"]},
            {"service_item_id": catalog["cma"].pk, "price_min": 100, "price_max": 200, "price_unit": "day",
             "monthly_capacity": 9, "provinces": ["44"]},
        ],
        "certificates": [{"cert_type": "iso9001", "number": f"Q{i}", "issuer": "CQC",
                          "valid_from": today - timedelta(days=10), "valid_to": today + timedelta(days=10)}],
        "cases": [{"title": "合成案例", "year": 2022, "summary": "合成"}],
    } for i, org in enumerate(orgs)]
    result = bulk_create_providers(rows, batch_size=2)
    assert (result.profiles, result.offerings, result.offering_provinces, result.offering_industries,
            result.certificates, result.cases) == (5, 10, 15, 5, 5, 5)
    mes = Offering.objects.filter(service_item=catalog["mes"])
    assert {tuple(o.provinces) for o in mes} == {("31", "32")}
    assert {o.category_id for o in mes} == {catalog["it_sub"].pk}
    assert OfferingProvince.objects.filter(province="44").count() == 5
    assert not Certificate.objects.filter(verified=True).exists()
    day_rate = Offering.objects.filter(service_item=catalog["cma"]).first()
    assert (str(day_rate.price_min), day_rate.price_unit, day_rate.is_active) == ("100.00", "day", True)
    assert day_rate.created_at is not None and list(day_rate.industries.all()) == []
    # ids handed out by the bulk path do not collide with the ordinary write path afterwards
    user = make_user(orgs[0])
    later = services.add_offering(user, orgs[0], service_item=catalog["mes"], price_min=1, price_max=2,
                                  monthly_capacity=1, provinces=["11"])
    assert later.pk > max(Offering.objects.exclude(pk=later.pk).values_list("pk", flat=True))


@pytest.mark.parametrize("bad", [
    {"service_item_id": -1},
    {"price_min": 10, "price_max": 5},
    {"provinces": ["00"]},
    {"monthly_capacity": -2},
])
def test_bulk_create_names_the_bad_row(db, catalog, bad):
    org = make_org("provider")
    offering = {"service_item_id": catalog["mes"].pk, "price_min": 1, "price_max": 2, "monthly_capacity": 1,
                "provinces": ["32"], **bad}
    with pytest.raises(InputError, match="row 0"):
        bulk_create_providers([{"organization_id": org.pk, "offerings": [offering]}])
    assert not Offering.objects.exists()


def test_draft_items_are_refused_by_bulk_create(db, catalog):
    org = make_org("provider")
    offering = {"service_item_id": catalog["draft"].pk, "price_min": 1, "price_max": 2, "monthly_capacity": 1,
                "provinces": ["32"]}
    with pytest.raises(InputError, match="published"):
        bulk_create_providers([{"organization_id": org.pk, "offerings": [offering]}])
