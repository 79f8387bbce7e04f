"""The demo-data generator: reproducible, exact counts, labelled rows that satisfy the apps' own rules."""

from __future__ import annotations

import hashlib
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ronghe.errors import InputError
from ronghe.platform.accounts.models import Membership, Organization
from ronghe.platform.accounts.reference import manufacturing_division_codes, provinces
from ronghe.platform.accounts.validators import validate_credit_code
from ronghe.platform.catalog.models import ServiceItem
from ronghe.platform.demand.models import Demand, DemandEvent, DemandList, DemandListEntry
from ronghe.platform.demand.services import LineInput, create_demand
from ronghe.platform.demand.states import DEMAND_TRANSITIONS
from ronghe.platform.demand.visibility import budget_band
from ronghe.platform.demodata import load_small_demo
from ronghe.platform.demodata.generator import Spec, generate
from ronghe.platform.demodata.rows import cert_type, is_strict
from ronghe.platform.demodata.vocabulary import SYNTHETIC_MARK
from ronghe.platform.providers.models import Case, Certificate, Offering, OfferingProvince, ProviderProfile

SMALL = {"manufacturers": 30, "providers": 40, "demands": 50, "demand_lists": 2, "offerings_per_provider": 4}


def db_digest() -> str:
    """Everything generated, by natural keys (credit codes, item codes), so primary keys do not matter."""
    h = hashlib.sha256()
    orgs = Organization.objects.filter(is_synthetic=True).prefetch_related("industries")
    for o in orgs.order_by("credit_code"):
        h.update(
            repr(
                (
                    o.credit_code,
                    o.name,
                    o.kind,
                    o.province,
                    o.city,
                    o.description,
                    sorted(i.code for i in o.industries.all()),
                )
            ).encode()
        )
    for p in ProviderProfile.objects.select_related("organization").order_by("organization__credit_code"):
        h.update(
            repr(
                (
                    p.organization.credit_code,
                    p.headline,
                    p.team_size,
                    p.founded_year,
                    p.service_provinces,
                    p.contact_name,
                    p.contact_phone,
                )
            ).encode()
        )
    offerings = (
        Offering.objects.select_related("provider", "service_item")
        .prefetch_related("industries")
        .order_by("provider__credit_code", "service_item__code")
    )
    for o in offerings:
        h.update(
            repr(
                (
                    o.provider.credit_code,
                    o.service_item.code,
                    o.service_item.version,
                    o.price_min,
                    o.price_max,
                    o.price_unit,
                    o.monthly_capacity,
                    o.provinces,
                    sorted(i.code for i in o.industries.all()),
                    o.lead_time_days,
                    o.is_active,
                )
            ).encode()
        )
    for c in Certificate.objects.select_related("provider").order_by("provider__credit_code", "number"):
        h.update(
            repr(
                (
                    c.provider.credit_code,
                    c.cert_type,
                    c.name,
                    c.number,
                    c.issuer,
                    c.valid_from,
                    c.valid_to,
                    c.verified,
                )
            ).encode()
        )
    for c in Case.objects.select_related("provider").order_by("provider__credit_code", "title", "year"):
        h.update(
            repr((c.provider.credit_code, c.title, c.client_name, c.year, c.summary, c.is_public)).encode()
        )
    demands = Demand.objects.select_related("organization").prefetch_related("lines__item")
    for d in sorted(demands, key=lambda d: (d.organization.credit_code, d.contact_email)):
        h.update(
            repr(
                (
                    d.organization.credit_code,
                    d.title,
                    d.budget_min,
                    d.budget_max,
                    d.deadline,
                    d.confidentiality,
                    d.state,
                    [(ln.item.code, ln.quantity, ln.scope) for ln in d.lines.all()],
                )
            ).encode()
        )
    for dl in DemandList.objects.select_related("organization").order_by("name"):
        entries = sorted(
            (e.manufacturer.credit_code, e.item.code, e.quantity)
            for e in DemandListEntry.objects.filter(demand_list=dl).select_related("manufacturer", "item")
        )
        h.update(
            repr(
                (dl.name, dl.organization.credit_code, sorted(i.code for i in dl.items.all()), entries)
            ).encode()
        )
    return h.hexdigest()


def run_and_roll_back(seed: int, **counts) -> tuple[str, str]:
    with transaction.atomic():
        result = generate(Spec(seed=seed, **counts))
        digest = db_digest()
        transaction.set_rollback(True)
    return result.digest, digest


@pytest.fixture
def generated(catalog):
    return generate(Spec(seed=11, **SMALL))


def test_same_seed_gives_identical_data(catalog):
    first = run_and_roll_back(5, **SMALL)
    assert Organization.objects.filter(is_synthetic=True).count() == 0  # rolled back: the seed is free again
    assert run_and_roll_back(5, **SMALL) == first


def test_different_seed_gives_different_data(catalog):
    a = run_and_roll_back(5, **SMALL)
    b = run_and_roll_back(6, **SMALL)
    assert a[0] != b[0] and a[1] != b[1]


def test_one_count_does_not_reshuffle_the_others(catalog):
    """Independent streams: asking for more demands leaves organizations and offerings as they were."""

    def offerings(demands: int) -> set:
        with transaction.atomic():
            generate(Spec(seed=7, manufacturers=10, providers=10, demands=demands))
            rows = set(
                Offering.objects.values_list("provider__credit_code", "service_item__code", "price_min")
            )
            transaction.set_rollback(True)
        return rows

    assert offerings(5) == offerings(40)


def test_exact_counts(generated):
    kinds = Counter(Organization.objects.filter(is_synthetic=True).values_list("kind", flat=True))
    assert kinds["manufacturer"] == SMALL["manufacturers"]
    assert kinds["provider"] == SMALL["providers"]
    assert kinds["association"] == SMALL["demand_lists"]
    assert ProviderProfile.objects.count() == SMALL["providers"]
    assert Offering.objects.count() == SMALL["providers"] * SMALL["offerings_per_provider"]
    assert Demand.objects.count() == SMALL["demands"]
    assert DemandList.objects.count() == SMALL["demand_lists"]
    assert generated.counts["offerings"] == Offering.objects.count()
    assert generated.counts["organizations"] == sum(kinds.values())


def test_credit_codes_valid_and_unique(generated):
    codes = list(Organization.objects.filter(is_synthetic=True).values_list("credit_code", flat=True))
    for code in codes:
        validate_credit_code(code)
    assert len(set(codes)) == len(codes)
    for org in Organization.objects.filter(is_synthetic=True):
        org.full_clean(exclude=["industries"])  # choices, lengths, the credit-code validator


def test_every_row_passes_model_validation(generated):
    for model in (ProviderProfile, Offering, Certificate, Case, Demand):
        for obj in list(model.objects.order_by("pk"))[::6]:  # every 6th: full_clean queries each foreign key
            # without --with-users a demand has no author, the state SET_NULL leaves when a user is deleted
            obj.full_clean(exclude=["created_by"] if model is Demand else None)


def test_synthetic_labelling(generated):
    orgs = Organization.objects.filter(is_synthetic=True)
    assert orgs.exists()
    assert not orgs.exclude(name__endswith=SYNTHETIC_MARK).exists()
    assert not orgs.exclude(description__contains="虚构示例数据（种子 11）").exists()
    assert not DemandList.objects.exclude(name__contains=SYNTHETIC_MARK).exists()
    assert Organization.objects.filter(is_synthetic=False).count() == 0


def test_places_and_industries_are_real(generated):
    manufacturing = set(manufacturing_division_codes())
    for org in Organization.objects.filter(kind="manufacturer").prefetch_related("industries"):
        assert org.province in provinces()
        assert org.city in provinces()[org.province].cities
        codes = {i.code for i in org.industries.all()}
        assert codes and codes <= manufacturing


def test_offerings_reference_current_published_items(generated):
    current = set(ServiceItem.objects.current().values_list("pk", flat=True))
    manufacturing = set(manufacturing_division_codes())
    units = {"time_materials": "day", "subscription": "month", "fixed": "project", "outcome": "project"}
    for o in Offering.objects.select_related("service_item").prefetch_related("industries", "province_rows"):
        assert o.service_item.status == ServiceItem.Status.PUBLISHED and o.service_item_id in current
        assert o.category_id == o.service_item.category_id
        assert o.provinces == sorted(r.province for r in o.province_rows.all()) and o.provinces
        assert {i.code for i in o.industries.all()} <= manufacturing and o.industries.exists()
        assert 0 < o.price_min <= o.price_max and o.monthly_capacity >= 1
        assert o.price_unit == units[o.service_item.pricing_model]
    per_provider = Counter(Offering.objects.values_list("provider_id", "service_item_id"))
    assert max(per_provider.values()) == 1  # one offering per item and provider


def test_certificates_some_verified_some_expired(generated):
    today = timezone.localdate()
    certs = list(Certificate.objects.select_related("verified_by_org"))
    verified = [c for c in certs if c.verified]
    expired = [c for c in certs if c.valid_to < today]
    assert verified and expired and len(verified) < len(certs)
    for c in verified:  # only a certifier verifies, and never an expired certificate
        assert c.verified_by_org.kind == "certifier" and c.verified_at is not None and c.valid_to >= today
    assert not Certificate.objects.filter(verified=False, verified_by_org__isnull=False).exists()
    assert not Certificate.objects.filter(cert_type="other", name="").exists()
    assert {c.cert_type for c in certs} <= set(Certificate.Type.values)


def test_certificates_cover_required_licences(generated):
    """Most offerings of licensed items come with the licence (a few do not, for matching to filter)."""
    covered = total = 0
    for o in Offering.objects.select_related("service_item", "provider"):
        held = set(o.provider.certificates.values_list("cert_type", "name"))
        for q in filter(is_strict, o.service_item.required_qualifications):
            total += 1
            covered += cert_type(q) in held
    assert total and covered / total > 0.6


def test_every_demand_passes_the_demand_services_validation(generated):
    operator = get_user_model().objects.create_superuser("dd-op", password="x-long-password")
    today = timezone.localdate()
    demands = Demand.objects.select_related("organization", "industry").prefetch_related("lines")
    for d in demands:
        assert d.deadline > today and d.budget_min <= d.budget_max and d.industry.is_manufacturing
        assert d.budget_band == budget_band(d.budget_max) and d.organization.kind == "manufacturer"
        fields = {
            f: getattr(d, f)
            for f in (
                "title",
                "summary",
                "province",
                "city",
                "budget_min",
                "budget_max",
                "deadline",
                "confidentiality",
                "contact_name",
                "contact_phone",
                "contact_email",
            )
        }
        lines = [LineInput(item=ln.item_id, scope=ln.scope, quantity=ln.quantity) for ln in d.lines.all()]
        with transaction.atomic():
            try:
                create_demand(operator, d.organization, lines=lines, industry=d.industry, **fields)
            except ValidationError as exc:  # pragma: no cover - the message is the point
                pytest.fail(f"demand {d.title!r} fails validation: {exc.message_dict}")
            transaction.set_rollback(True)
    states = Counter(Demand.objects.values_list("state", flat=True))
    assert states["published"] > sum(states.values()) / 2
    assert len(Counter(Demand.objects.values_list("confidentiality", flat=True))) >= 3


def test_demand_events_follow_the_state_table(generated):
    for d in Demand.objects.prefetch_related("events"):
        events = list(d.events.all())
        assert events[0].kind == "created" and events[0].to_state == "draft"
        state = "draft"
        for e in events[1:]:
            assert e.from_state == state and e.to_state in DEMAND_TRANSITIONS[state]
            state = e.to_state
        assert state == d.state
        assert (d.published_at is not None) == (d.state in ("published", "closed"))


def test_demand_lists_joined_by_manufacturers(generated):
    for dl in DemandList.objects.prefetch_related("items"):
        assert dl.state == DemandList.State.PUBLISHED and dl.organization.kind == "association"
        listed = {i.pk for i in dl.items.all()}
        assert listed and all(i.status == ServiceItem.Status.PUBLISHED for i in dl.items.all())
        entries = list(DemandListEntry.objects.filter(demand_list=dl).select_related("manufacturer"))
        assert entries
        for e in entries:
            assert e.item_id in listed and e.manufacturer.kind == "manufacturer"
            assert e.manufacturer.industries.filter(code=dl.industry_id).exists()


def test_same_seed_twice_is_refused_and_writes_nothing(generated):
    before = (Organization.objects.count(), Offering.objects.count(), Demand.objects.count())
    with pytest.raises(InputError, match="seed 11"):
        generate(Spec(seed=11, **SMALL))
    assert (Organization.objects.count(), Offering.objects.count(), Demand.objects.count()) == before


def test_another_seed_appends(generated):
    generate(Spec(seed=12, manufacturers=5, providers=5, demands=3, demand_lists=1))
    assert Organization.objects.filter(kind="provider").count() == SMALL["providers"] + 5
    assert Demand.objects.count() == SMALL["demands"] + 3


@pytest.mark.parametrize(
    "spec, message",
    [
        (Spec(demands=3), "need manufacturers"),
        (Spec(providers=2, offerings_per_provider=1000), "offerings-per-provider"),
        (Spec(manufacturers=-1), "must be ≥ 0"),
        (Spec(providers=1, batch_size=0), "batch-size"),
    ],
)
def test_bad_specs_are_refused_before_writing(catalog, spec, message):
    with pytest.raises(InputError, match=message):
        generate(spec)
    assert not Organization.objects.exists()


def test_empty_catalog_is_refused(db):
    with pytest.raises(InputError, match="catalog"):
        generate(Spec(providers=3))
    assert not Organization.objects.exists()


def test_users_share_one_hash_and_administer_their_organization(catalog):
    generate(Spec(seed=3, manufacturers=4, providers=3, with_users=True, password="synthetic-pass-1"))
    users = get_user_model().objects.filter(username__startswith="demo3-")
    assert users.count() == Organization.objects.filter(is_synthetic=True).count()
    assert len({u.password for u in users}) == 1
    user = users.get(username="demo3-p000001")
    assert user.check_password("synthetic-pass-1")
    membership = Membership.objects.get(user=user)
    assert membership.role == Membership.Role.ADMIN and membership.organization.kind == "provider"


def test_small_demo_set(catalog):
    result = load_small_demo()
    assert result.counts["demands"] == 80 and result.counts["demand_lists"] == 3
    assert Organization.objects.filter(kind="manufacturer").count() == 40
    assert Organization.objects.filter(kind="provider").count() == 60
    assert DemandEvent.objects.exists() and OfferingProvince.objects.exists()
