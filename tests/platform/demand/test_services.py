"""Lifecycle and validation of demands and demand lists through the service layer (the only write path)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from ronghe.platform.accounts.models import Industry
from ronghe.platform.core.models import ConfidentialAccess
from ronghe.platform.demand import services
from ronghe.platform.demand.models import (
    Demand,
    DemandAttachment,
    DemandEvent,
    DemandLine,
    DemandList,
    DemandListEntry,
)
from ronghe.platform.demand.states import DEMAND_TRANSITIONS
from tests.platform.demand.conftest import MARKER, PDF, demand_fields, future, pdf_upload

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, ...]:
    return (Demand.objects.count(), DemandLine.objects.count(), DemandAttachment.objects.count(),
            DemandEvent.objects.count())


def create(users, orgs, items, *, lines=None, attachments=(), **over):
    return services.create_demand(
        users["manufacturer"], orgs["manufacturer"],
        lines=lines if lines is not None else [services.LineInput(items[0], "范围", 1)],
        attachments=attachments, **demand_fields(**over),
    )


@pytest.mark.parametrize(("over", "field"), [
    ({"budget_min": 500, "budget_max": 100}, "budget_max"),
    ({"deadline": dt.date(2020, 1, 1)}, "deadline"),
    ({"deadline": "today"}, "deadline"),
    ({"industry": "52"}, "industry"),  # 52 = 零售业: not manufacturing
    ({"industry": "99"}, "industry"),
    ({"province": "99"}, "province"),
    ({"title": "  "}, "title"),
    ({"confidentiality": "secret"}, "confidentiality"),
    ({"budget_min": "abc"}, "budget_min"),
])
def test_broken_demand_input_is_refused_and_nothing_written(over, field, users, orgs, items):
    if over.get("deadline") == "today":
        over = {"deadline": timezone.localdate()}
    before = counts()
    with pytest.raises(ValidationError) as caught:
        create(users, orgs, items, **over)
    assert field in caught.value.message_dict
    assert counts() == before


@pytest.mark.parametrize("lines", ["none", "draft", "unknown", "blank_scope", "zero_qty"])
def test_broken_lines_are_refused(lines, users, orgs, items):
    bad = {
        "draft": [services.LineInput(items[2], "草稿条目不能引用", 1)],
        "unknown": [services.LineInput(999999, "x", 1)],
        "blank_scope": [services.LineInput(items[0], "  ", 1)],
        "zero_qty": [services.LineInput(items[0], "x", 0)],
        "none": [],
    }[lines]
    before = counts()
    with pytest.raises(ValidationError) as caught:
        create(users, orgs, items, lines=bad)
    assert "lines" in caught.value.message_dict
    assert counts() == before


@pytest.mark.parametrize(("name", "content", "code"), [
    ("setup.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64, "内容不是"),  # an .exe renamed .pdf
    ("tool.exe", b"MZ\x90\x00", "不支持"),
    ("empty.pdf", b"", "为空"),
])
def test_bad_attachments_are_refused_and_nothing_written(name, content, code, users, orgs, items):
    before = counts()
    with pytest.raises(ValidationError) as caught:
        create(users, orgs, items, attachments=[SimpleUploadedFile(name, content)])
    assert code in " ".join(caught.value.message_dict["attachments"])
    assert counts() == before


@override_settings(RONGHE_MAX_UPLOAD_BYTES=1024)
def test_oversized_attachment_is_refused(users, orgs, items):
    before = counts()
    with pytest.raises(ValidationError, match="过大"):
        create(users, orgs, items, attachments=[pdf_upload(content=PDF + b"0" * 2048)])
    assert counts() == before


def test_attachment_is_stored_privately_with_its_hash(users, orgs, items, settings):
    demand = create(users, orgs, items, attachments=[pdf_upload()])
    attachment = demand.attachments.get()
    assert attachment.sha256.startswith("sha256:") and attachment.size == len(PDF)
    assert MARKER not in attachment.file.name  # the confidential name never reaches the disk path
    assert not attachment.file.path.startswith(str(settings.MEDIA_ROOT))
    with pytest.raises(ValueError):
        attachment.file.url  # noqa: B018 — there is no public URL


@pytest.mark.parametrize("kind", ["provider", "association", "government", "operator", "certifier"])
def test_only_manufacturers_create_demands(kind, users, orgs, items):
    before = counts()
    with pytest.raises(PermissionDenied):
        services.create_demand(users[kind], orgs[kind], lines=[services.LineInput(items[0], "x", 1)],
                               **demand_fields())
    with pytest.raises(PermissionDenied):  # nor for someone else's organization
        services.create_demand(users["manufacturer_b"], orgs["manufacturer"],
                               lines=[services.LineInput(items[0], "x", 1)], **demand_fields())
    assert counts() == before


def test_lifecycle_and_illegal_transitions(make_demand, users):
    demand = make_demand("registered", publish=False)
    with pytest.raises(ValidationError):
        services.close_demand(users["manufacturer"], demand)  # draft → closed is not a move
    demand = services.publish_demand(users["manufacturer"], demand)
    assert demand.state == "published" and demand.published_at is not None
    with pytest.raises(ValidationError):
        services.publish_demand(users["manufacturer"], demand)
    with pytest.raises(ValidationError, match="草稿"):
        services.update_demand(users["manufacturer"], demand, title="改")
    demand = services.close_demand(users["manufacturer"], demand)
    for move in (services.publish_demand, services.close_demand, services.cancel_demand):
        with pytest.raises(ValidationError):
            move(users["manufacturer"], demand)
    kinds = list(demand.events.values_list("kind", flat=True))
    assert kinds == ["created", "published", "closed"]
    assert DEMAND_TRANSITIONS["closed"] == frozenset()


@pytest.mark.parametrize("key", ["manufacturer_b", "provider", "association", "government", "certifier"])
def test_strangers_cannot_move_a_demand(key, make_demand, users):
    demand = make_demand("public", publish=False)
    for move in (services.publish_demand, services.cancel_demand):
        with pytest.raises(PermissionDenied):
            move(users[key], demand)
    assert Demand.objects.get(pk=demand.pk).state == "draft"


def test_operator_may_close_for_moderation_but_not_publish(make_demand, users):
    demand = make_demand("public")
    assert services.close_demand(users["operator"], demand).state == "closed"
    draft = make_demand("public", publish=False)
    with pytest.raises(PermissionDenied):
        services.publish_demand(users["operator"], draft)


def test_publishing_a_draft_whose_deadline_passed_is_refused(make_demand, users):
    demand = make_demand("public", publish=False)
    Demand.objects.filter(pk=demand.pk).update(deadline=timezone.localdate())
    demand.refresh_from_db()
    with pytest.raises(ValidationError, match="deadline"):
        services.publish_demand(users["manufacturer"], demand)


@override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}})
def test_expiry_task_expires_only_published_demands_past_their_deadline(make_demand):
    from ronghe.platform.demand.tasks import expire_due_demands_task

    due = make_demand("public")
    fresh = make_demand("public")
    draft = make_demand("public", publish=False)
    Demand.objects.filter(pk__in=[due.pk, draft.pk]).update(deadline=timezone.localdate() - dt.timedelta(days=1))
    result = expire_due_demands_task.enqueue()
    assert result.return_value == 1
    assert Demand.objects.get(pk=due.pk).state == "expired"
    assert Demand.objects.get(pk=fresh.pk).state == "published"
    assert Demand.objects.get(pk=draft.pk).state == "draft"
    assert services.expire_due_demands() == 0  # idempotent


def test_nda_flow_records_who_when_and_version(make_demand, users, orgs):
    demand = make_demand("nda")
    with pytest.raises(PermissionDenied):
        services.accept_nda(users["provider_b"], demand)  # not invited
    with pytest.raises(ValidationError):
        services.invite_provider(users["manufacturer"], demand, provider=orgs["association"])  # not a provider
    with pytest.raises(PermissionDenied):
        services.invite_provider(users["manufacturer_b"], demand, provider=orgs["provider"])
    services.invite_provider(users["manufacturer"], demand, provider=orgs["provider"])
    with pytest.raises(ValidationError):
        services.accept_nda(users["provider"], demand, nda_version="1999.1")
    invitation = services.accept_nda(users["provider_member"], demand)
    assert invitation.accepted_by == users["provider_member"] and invitation.accepted_at <= timezone.now()
    assert invitation.nda_version == "2026.1"
    assert ConfidentialAccess.objects.count() == 0  # accepting is not reading


# --- demand lists -------------------------------------------------------------------------------------------


def make_list(users, orgs, catalog, **over):
    fields = {"name": "汽车零部件数字化转型清单", "industry": Industry.objects.get(code="36"), "province": "32",
              "city": "", "pain_points": "设备联网率低，数据孤岛", "items": catalog[:2]}
    fields.update(over)
    return services.create_demand_list(users["association"], orgs["association"], **fields)


def test_demand_list_lifecycle_join_and_totals(users, orgs, items):
    from ronghe.platform.demand.aggregates import demand_list_totals

    demand_list = make_list(users, orgs, items)
    with pytest.raises(ValidationError):  # draft lists cannot be joined
        services.join_demand_list(users["manufacturer"], demand_list, manufacturer=orgs["manufacturer"], entries=[services.EntryInput(items[0])])
    demand_list = services.publish_demand_list(users["association"], demand_list)
    services.join_demand_list(users["manufacturer"], demand_list, manufacturer=orgs["manufacturer"], entries=[services.EntryInput(items[0], 3), services.EntryInput(items[1], 1)])
    services.join_demand_list(users["manufacturer_b"], demand_list, manufacturer=orgs["manufacturer_b"], entries=[services.EntryInput(items[0], 2)])
    services.join_demand_list(users["manufacturer"], demand_list, manufacturer=orgs["manufacturer"], entries=[services.EntryInput(items[0], 5)])  # joining again updates
    assert demand_list_totals(demand_list, users["manufacturer"])["manufacturers"] is None  # two: suppressed
    totals = demand_list_totals(demand_list, users["association"])
    assert totals["manufacturers"] == 2
    by_item = {row["item"]: row for row in totals["by_item"]}
    assert by_item[items[0].pk]["manufacturers"] == 2 and by_item[items[0].pk]["quantity"] == 7
    assert by_item[items[1].pk]["quantity"] == 1
    assert {row["province"]: row["manufacturers"] for row in totals["by_province"]} == {"32": 1, "44": 1}
    services.close_demand_list(users["association"], demand_list)
    with pytest.raises(ValidationError):
        services.publish_demand_list(users["association"], demand_list)


@pytest.mark.parametrize("kind", ["manufacturer", "provider", "government", "certifier"])
def test_only_associations_and_operators_create_lists(kind, users, orgs, items):
    with pytest.raises(PermissionDenied):
        services.create_demand_list(users[kind], orgs[kind], name="x", industry="36", province="32",
                                    pain_points="x", items=items[:1])
    assert make_list(users, orgs, items).pk  # the association may
    assert services.create_demand_list(users["operator"], orgs["operator"], name="y", industry="36",
                                       province="32", pain_points="y", items=items[:1]).pk
    assert DemandList.objects.count() == 2


@pytest.mark.parametrize(("over", "field"), [
    ({"items": []}, "items"), ({"industry": "52"}, "industry"), ({"pain_points": ""}, "pain_points"),
    ({"name": ""}, "name"), ({"province": "00"}, "province"),
])
def test_broken_list_input_is_refused(over, field, users, orgs, items):
    with pytest.raises(ValidationError) as caught:
        make_list(users, orgs, items, **over)
    assert field in caught.value.message_dict
    assert DemandList.objects.count() == 0


def test_only_manufacturers_join_and_only_listed_items(users, orgs, items):
    demand_list = services.publish_demand_list(users["association"], make_list(users, orgs, items[:1]))
    for kind in ("provider", "association", "government"):
        with pytest.raises(PermissionDenied):
            services.join_demand_list(users[kind], demand_list, manufacturer=orgs[kind], entries=[services.EntryInput(items[0])])
    with pytest.raises(ValidationError):
        services.join_demand_list(users["manufacturer"], demand_list, manufacturer=orgs["manufacturer"], entries=[services.EntryInput(items[1])])
    with pytest.raises(ValidationError):
        services.join_demand_list(users["manufacturer"], demand_list, manufacturer=orgs["manufacturer"], entries=[])
    assert DemandListEntry.objects.count() == 0


def test_future_helper_is_in_the_future():
    assert future(1) > timezone.localdate()


@pytest.mark.parametrize("summary", ["", "   "])
def test_publishing_without_a_public_summary_is_refused(make_demand, users, summary):
    demand = make_demand("public", publish=False, summary=summary)
    with pytest.raises(ValidationError, match="所有人都能看到") as caught:
        services.publish_demand(users["manufacturer"], demand)
    assert "summary" in caught.value.message_dict
    assert Demand.objects.get(pk=demand.pk).state == "draft"
