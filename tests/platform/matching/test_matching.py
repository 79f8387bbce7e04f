"""The matching app end to end on the real database: the three journeys through services, API and pages."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from ronghe.platform.core.models import AuditEntry
from ronghe.platform.demand.models import DemandInvitation
from ronghe.platform.matching import services
from ronghe.platform.matching.models import Assignment, ListInvitation
from ronghe.platform.providers.models import Certificate
from tests.platform.conftest import PASSWORD
from tests.platform.matching.conftest import SECRET, add_offering

pytestmark = pytest.mark.django_db


def test_owner_gets_only_constraint_passing_providers_ranked_and_explained(market, demand_of, users):
    demand = demand_of()
    data = services.demand_matches(users["manufacturer"], demand, with_dropped=True)
    ranked = [m["provider"] for m in data["matches"]]
    assert ranked == [market["specialist"].id, market["generalist"].id]
    for m in data["matches"]:
        assert sum(f["contribution"] for f in m["explanation"]["factors"]) == pytest.approx(m["score"], abs=1e-9)
    dropped = {d["provider"]: d["constraints"] for d in data["dropped"]}
    assert dropped == {market["unlicensed"].id: ["qualifications"], market["far"].id: ["region"]}
    assert "dfmea" in data["matches"][0]["explanation"]["matched_terms"]


def test_matches_api_for_owner_and_operator_only_and_bad_parameters(market, demand_of, users, api_client_for):
    demand = demand_of()
    url = f"/api/demands/{demand.pk}/matches/"
    body = api_client_for(users["manufacturer"]).get(url + "?limit=5").json()
    assert [m["provider"] for m in body] == [market["specialist"].id, market["generalist"].id]
    assert set(body[0]) >= {"provider", "score", "reasons", "constraints"}
    assert api_client_for(users["operator"]).get(url).status_code == 200
    assert api_client_for(users["manufacturer_b"]).get(url).status_code == 403
    assert api_client_for(users["provider"]).get(url).status_code == 403
    assert api_client_for(None).get(url).status_code in (401, 403)
    for bad in ("?limit=0", "?limit=abc", "?limit=1000", "?method=magic"):
        assert api_client_for(users["manufacturer"]).get(url + bad).status_code == 400, bad
    private = demand_of("private")
    assert api_client_for(users["manufacturer_b"]).get(f"/api/demands/{private.pk}/matches/").status_code == 404
    assert api_client_for(users["manufacturer"]).get("/api/demands/999999/matches/").status_code == 404


def test_a_certificate_expiring_hides_the_provider_even_before_the_index_refreshes(market, demand_of, users):
    demand = demand_of()
    services.demand_matches(users["manufacturer"], demand)  # builds the index
    Certificate.objects.filter(provider=market["specialist"]).update(valid_to=dt.date(2020, 1, 1),
                                                                    valid_from=dt.date(2019, 1, 1))
    ranked = [m["provider"] for m in services.demand_matches(users["manufacturer"], demand)["matches"]]
    assert market["specialist"].id not in ranked and ranked == [market["generalist"].id]


def test_a_new_offering_is_seen_after_its_event(market, demand_of, users, catalog):
    from tests.platform.conftest import make_org
    from tests.platform.matching.conftest import add_cert

    demand = demand_of()
    services.demand_matches(users["manufacturer"], demand)
    newcomer = make_org("provider", name="newcomer")
    add_offering(newcomer, catalog["SI-01-001"], notes="DFMEA")
    add_cert(newcomer)
    assert newcomer.id in [m["provider"] for m in services.demand_matches(users["manufacturer"], demand)["matches"]]


def test_feed_shows_visible_demands_only_and_never_leaks_a_private_one(market, demand_of, users, api_client_for):
    provider_user = users_of(market["specialist"])
    url = f"/api/providers/{market['specialist'].pk}/feed/"
    visible = demand_of("registered")
    demand_of("public", publish=False)  # a draft
    before = api_client_for(provider_user).get(url)
    assert before.status_code == 200
    assert [e["demand"] for e in before.json()] == [visible.pk]
    private = demand_of("private", title="绝密需求 DFMEA 公差分析")
    after = api_client_for(provider_user).get(url)
    assert after.json() == before.json()  # same entries, same order, same scores: nothing about the private one
    assert str(private.pk) not in json.dumps(after.json()) or private.pk not in [e["demand"] for e in after.json()]
    assert SECRET not in after.content.decode()
    assert api_client_for(users["provider_b"]).get(url).status_code == 403
    assert api_client_for(users["operator"]).get(url).status_code == 200
    assert api_client_for(provider_user).get("/api/providers/999999/feed/").status_code == 404
    assert api_client_for(provider_user).get(url + "?limit=-3").status_code == 400


def test_feed_matches_an_nda_demand_on_its_summary_only(market, demand_of, api_client_for):
    provider_user = users_of(market["specialist"])
    nda = demand_of("nda", summary="结构设计")
    body = api_client_for(provider_user).get(f"/api/providers/{market['specialist'].pk}/feed/").content.decode()
    assert str(nda.pk) in body
    for secret in (SECRET, "20000", "80000"):
        assert secret not in body


def test_one_click_invite_uses_the_demand_apps_service(market, demand_of, users):
    demand = demand_of("nda")
    client = Client()
    client.login(username="manufacturer_admin", password=PASSWORD)
    page = client.get(reverse("matching:demand_matches", args=[demand.pk]))
    assert page.status_code == 200 and "specialist 服务商" in page.content.decode()
    response = client.post(reverse("matching:invite", args=[demand.pk]), {"provider": market["specialist"].pk})
    assert response.status_code == 302
    assert DemandInvitation.objects.filter(demand=demand, provider=market["specialist"]).exists()
    assert AuditEntry.objects.filter(action="demand.invited").exists()


def test_batch_assignment_previews_without_writing_and_applies_on_confirmation(market, users, orgs, catalog,
                                                                                api_client_for):
    from ronghe.platform.demand import services as demand_services

    dl = demand_services.create_demand_list(users["association"], orgs["association"], name="零部件设计清单",
                                            industry=_industry(),
                                            province="32", city="苏州", pain_points="设计能力弱",
                                            items=[catalog["SI-01-001"]])
    dl = demand_services.publish_demand_list(users["association"], dl)
    demand_services.join_demand_list(users["manufacturer"], dl, manufacturer=orgs["manufacturer"],
                                     entries=[demand_services.EntryInput(catalog["SI-01-001"], 1)])
    url = f"/api/demand-lists/{dl.pk}/assign/"
    entries_before = AuditEntry.objects.count()
    preview = api_client_for(users["association"]).post(url, {"per_demand": 2, "apply": False}, format="json")
    assert preview.status_code == 200, preview.content
    data = preview.json()
    assert data["applied"] is False and data["totals"]["invitations"] == 2
    assert {p["provider"] for p in data["assignments"][0]["providers"]} == {str(market["specialist"].id),
                                                                           str(market["generalist"].id)}
    assert AuditEntry.objects.count() == entries_before and not Assignment.objects.exists()
    assert api_client_for(users["association"]).post(url, {"per_demand": 0}, format="json").status_code == 400
    assert api_client_for(users["manufacturer"]).post(url, {"per_demand": 2}, format="json").status_code == 403
    applied = api_client_for(users["association"]).post(url, {"per_demand": 2, "apply": True}, format="json")
    assert applied.status_code == 200 and applied.json()["applied"] is True
    assert ListInvitation.objects.count() == 2
    assert AuditEntry.objects.filter(action="matching.assignment_applied").count() == 1


def _industry():
    from ronghe.platform.accounts.models import Industry

    return Industry.objects.get(code="36")


def users_of(org):
    return org.memberships.first().user


def test_a_demand_requirement_beyond_its_items_is_enforced(market, demand_of, users):
    from tests.platform.matching.conftest import add_cert

    demand = demand_of()
    add_cert(market["generalist"], "cnas")
    assert services.set_demand_requirements(users["manufacturer"], demand, codes=["CNAS 实验室认可证书"]) == ["cnas"]
    ranked = [m["provider"] for m in services.demand_matches(users["manufacturer"], demand)["matches"]]
    assert ranked == [market["generalist"].id]
    with pytest.raises(ValidationError):
        services.set_demand_requirements(users["manufacturer"], demand, codes=["火星采矿许可证"])
    with pytest.raises(PermissionDenied):
        services.set_demand_requirements(users["manufacturer_b"], demand, codes=["cnas"])


def test_registry_is_data_the_operator_extends_and_certificates_refer_to_it(market, users, orgs):
    from ronghe.platform.catalog.models import Qualification, ServiceItem
    from ronghe.platform.catalog.services import add_qualification
    from ronghe.platform.providers import services as provider_services

    assert Qualification.objects.filter(code="hazardous_waste").exists()  # shipped by the migration
    item = ServiceItem.objects.current().get(code="SI-01-001")
    assert {"code": "high_tech", "mandatory": True, "known": True} in item.qualification_codes
    with pytest.raises(PermissionDenied):
        add_qualification(users["provider"], code="uav_fleet", name_zh="无人机机队运营备案")
    add_qualification(users["operator"], code="uav_fleet", name_zh="无人机机队运营备案", aliases="机队备案")
    with pytest.raises(ValidationError):  # a name may resolve to one code only
        add_qualification(users["operator"], code="uav_fleet2", name_zh="机队备案")
    cert = provider_services.add_certificate(users_of(market["specialist"]), market["specialist"],
                                             cert_type="uav_fleet", number="U-1", issuer="民航局",
                                             valid_from=dt.date(2026, 1, 1), valid_to=dt.date(2028, 1, 1))
    assert cert.type_name == "无人机机队运营备案"
    with pytest.raises(ValidationError):
        provider_services.add_certificate(users_of(market["specialist"]), market["specialist"],
                                          cert_type="not_a_code", number="U-2", issuer="x",
                                          valid_from=dt.date(2026, 1, 1), valid_to=dt.date(2028, 1, 1))


def test_migration_gives_other_certificates_their_registry_code(market):
    import importlib

    from django.apps import apps

    other = Certificate.objects.create(provider=market["far"], cert_type="other", name="危险废物经营许可证",
                                       number="W-1", issuer="厅", valid_from=dt.date(2026, 1, 1),
                                       valid_to=dt.date(2028, 1, 1))
    unknown = Certificate.objects.create(provider=market["far"], cert_type="other", name="某协会会员证",
                                         number="W-2", issuer="会", valid_from=dt.date(2026, 1, 1),
                                         valid_to=dt.date(2028, 1, 1))
    migration = importlib.import_module("ronghe.platform.providers.migrations.0003_alter_certificate_cert_type")
    migration.other_to_registry_codes(apps, None)
    other.refresh_from_db()
    unknown.refresh_from_db()
    assert other.cert_type == "hazardous_waste" and unknown.cert_type == "other"


def test_rebuild_embeds_missing_texts_once_and_reports(market, demand_of):
    from ronghe.platform.matching.models import TextEmbedding

    demand_of()
    first = services.rebuild_index()
    assert "4 offerings" in first and "newly embedded" in first
    n = TextEmbedding.objects.count()
    assert n > 0
    services.rebuild_index()
    assert TextEmbedding.objects.count() == n  # identical texts are never embedded twice


def test_events_of_the_providers_app_move_the_index(market, users, django_capture_on_commit_callbacks):
    from ronghe.platform.matching import index as match_index
    from ronghe.platform.providers import services as provider_services

    before = match_index.generation()
    offering = market["specialist"].offerings.first()
    with django_capture_on_commit_callbacks(execute=True):
        provider_services.set_offering_active(users_of(market["specialist"]), offering, active=False)
    assert match_index.generation() > before
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        provider_services.set_offering_active(users_of(market["specialist"]), offering, active=True)
    tasks = DBTaskResult.objects.filter(task_path__endswith="index_changed_task")
    assert tasks.count() == 1 and tasks.get().priority < 0  # one waiting task per provider, behind timed work


def test_rebuild_command(market):
    from click.testing import CliRunner

    from ronghe.cli import main

    result = CliRunner().invoke(main, ["match", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "index rebuilt: " in result.output and "4 offerings" in result.output


def test_demand_page_offers_the_matches_to_its_owner_only(market, demand_of):
    demand = demand_of()
    owner, other = Client(), Client()
    owner.login(username="manufacturer_admin", password=PASSWORD)
    other.login(username="provider_admin", password=PASSWORD)
    url = reverse("demand:demand_detail", args=[demand.pk])
    assert reverse("matching:demand_matches", args=[demand.pk]) in owner.get(url).content.decode()
    assert reverse("matching:demand_matches", args=[demand.pk]) not in other.get(url).content.decode()


def test_a_change_is_refreshed_from_its_own_rows_and_answers_as_a_full_read_would(
        market, demand_of, users, catalog, orgs, monkeypatch, django_capture_on_commit_callbacks):
    from ronghe.platform.demand import services as demand_services
    from ronghe.platform.matching import index as match_index
    from ronghe.platform.matching import records
    from ronghe.platform.providers import services as provider_services

    demand = demand_of()
    specialist = market["specialist"]
    services.demand_matches(users["manufacturer"], demand)  # a full read
    assert match_index.changes_since(0, match_index.generation()) is None  # the fixtures' changes name nothing

    read: list = []
    real = records.provider_records
    monkeypatch.setattr(records, "provider_records", lambda ids=None, **kw: read.append(ids) or real(ids, **kw))
    offering = specialist.offerings.first()
    with django_capture_on_commit_callbacks(execute=True):
        provider_services.update_offering(users_of(specialist), offering, lead_time_days=3)
    refreshed = services.demand_matches(users["manufacturer"], demand)
    assert read and read[0] is not None and set(read[0]) == {specialist.id}  # only its rows were read again

    second = demand_services.create_demand(
        users["manufacturer"], orgs["manufacturer"], title="车身结构件 DFMEA", summary="尺寸链与公差分析",
        industry=demand.industry, province="32", city="苏州", budget_min=demand.budget_min,
        budget_max=demand.budget_max, deadline=demand.deadline, confidentiality="registered",
        lines=[demand_services.LineInput(catalog["SI-01-001"], "公差分析", 1)], attachments=[])
    second = demand_services.publish_demand(users["manufacturer"], second)
    match_index.bump("test", demand_id=second.pk)
    fed = services.provider_feed(users_of(specialist), specialist, limit=20)
    assert second.pk in [e["demand"] for e in fed["feed"]]

    monkeypatch.setattr(records, "provider_records", real)
    match_index.reset()  # everything read again
    assert services.demand_matches(users["manufacturer"], demand)["matches"] == refreshed["matches"]
    assert services.provider_feed(users_of(specialist), specialist, limit=20) == fed
