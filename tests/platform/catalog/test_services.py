"""Curation and versioning through the service functions."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ronghe.platform.catalog.models import ServiceItem
from ronghe.platform.catalog.services import (
    create_item_draft,
    publish_item,
    retire_item,
    revise_item,
    search_items,
    update_item_draft,
)

pytestmark = pytest.mark.django_db


def _row(item: ServiceItem) -> dict:
    return ServiceItem.objects.filter(pk=item.pk).values().get()


def test_revise_creates_a_draft_v2_and_publishing_it_supersedes_v1_without_touching_it(catalog, users):
    v1 = ServiceItem.objects.current().get(code="SI-03-002")
    before = _row(v1)
    operator = users["operator"]

    v2 = revise_item(operator, v1, scope=v1.scope + "新增：APS 高级排程模块对接。", change_note="增加 APS 对接")
    assert (v2.code, v2.version, v2.status, v2.supersedes_id) == ("SI-03-002", 2, "draft", v1.pk)
    assert ServiceItem.objects.current().get(code="SI-03-002") == v1  # a draft does not displace v1
    assert _row(v1) == before

    publish_item(operator, v2)
    assert ServiceItem.objects.current().get(code="SI-03-002").pk == v2.pk
    v1.refresh_from_db()
    assert not v1.is_current and v1.status == "published"
    assert _row(v1) == before  # byte for byte: never edited in place
    assert ServiceItem.objects.filter(code="SI-03-002").count() == 2


def test_a_published_item_is_never_edited_in_place(catalog, users):
    item = ServiceItem.objects.current().get(code="SI-01-009")
    with pytest.raises(ValidationError, match="never edited in place"):
        update_item_draft(users["operator"], item, name_zh="改名")
    assert ServiceItem.objects.get(pk=item.pk).name_zh == "第三方检验检测（CMA/CNAS）"


def test_only_one_open_revision_and_only_of_the_current_version(catalog, users):
    v1 = ServiceItem.objects.current().get(code="SI-05-002")
    revise_item(users["operator"], v1)
    with pytest.raises(ValidationError, match="already exists"):
        revise_item(users["operator"], v1)


def test_association_drafts_publishes_and_retires_its_own_item(orgs, users, catalog, draft_fields):
    curator = users["association_member"]
    item = create_item_draft(curator, **draft_fields)
    assert item.code == "SI-08-007" and item.curated_by == orgs["association"] and item.status == "draft"
    update_item_draft(curator, item, duration_days_max=40)
    publish_item(curator, item)
    item.refresh_from_db()
    assert item.is_current and item.published_at
    retire_item(curator, item)
    item.refresh_from_db()
    assert item.status == "retired" and not ServiceItem.objects.current().filter(pk=item.pk).exists()
    with pytest.raises(ValidationError):
        revise_item(curator, item)


def test_non_curators_cannot_create_or_publish(catalog, users, draft_fields):
    item = ServiceItem.objects.current().first()
    for role in ("manufacturer", "provider", "government", "certifier", "manufacturer_member", "anonymous"):
        with pytest.raises(PermissionDenied):
            create_item_draft(users[role], **draft_fields)
        with pytest.raises(PermissionDenied):
            revise_item(users[role], item)
        with pytest.raises(PermissionDenied):
            retire_item(users[role], item)
    assert ServiceItem.objects.count() == catalog.items_created


def test_another_association_cannot_touch_someone_elses_draft(users, catalog, draft_fields):
    item = create_item_draft(users["association"], **draft_fields)
    for action in (lambda: update_item_draft(users["association_b"], item, name_zh="x"),
                   lambda: publish_item(users["association_b"], item)):
        with pytest.raises(PermissionDenied):
            action()
    assert _row(item)["status"] == "draft" and _row(item)["name_zh"] == draft_fields["name_zh"]
    # the operator's shipped items are not the association's either
    with pytest.raises(PermissionDenied):
        revise_item(users["association"], ServiceItem.objects.current().first())


BROKEN = [
    ({"duration_days_min": 30, "duration_days_max": 10}, "duration_days_max"),
    ({"category": "999"}, "category"),
    ({"category": "01"}, "category"),
    ({"scope": "  "}, "scope"),
    ({"pricing_model": "barter"}, "pricing_model"),
    ({"name_zh": ""}, "name_zh"),
    ({"deliverables": []}, "deliverables"),
    ({"deliverables": "一份报告"}, "deliverables"),
    ({"sla": [{"metric": "响应时间"}]}, "sla"),
    ({"duration_days_min": -3}, "duration_days_min"),
    ({"version": 7}, "version"),
]


def test_broken_input_names_the_field_and_writes_nothing(users, catalog, draft_fields):
    count = ServiceItem.objects.count()
    for change, field in BROKEN:
        with pytest.raises(ValidationError) as exc:
            create_item_draft(users["association"], **(draft_fields | change))
        assert field in exc.value.message_dict, change
    assert ServiceItem.objects.count() == count


def test_search_finds_items_by_name_scope_keyword_qualification_and_category_synonym(catalog, users):
    anyone = users["anonymous"]
    assert "SI-03-002" in set(search_items("MES", anyone).values_list("code", flat=True))
    assert "SI-01-009" in set(search_items("盐雾", anyone).values_list("code", flat=True))  # scope text
    assert "SI-05-002" in set(search_items("碳足迹", anyone).values_list("code", flat=True))
    assert "SI-01-009" in set(search_items("cnas", anyone).values_list("code", flat=True))  # qualification
    assert "SI-06-001" in set(search_items("售后回租", anyone).values_list("code", flat=True))  # synonym of 061
    assert set(search_items("MES 追溯", anyone).values_list("code", flat=True)) >= {"SI-03-002"}
    assert not search_items("量子纠缠火箭", anyone).exists()


def test_drafts_are_invisible_to_others_in_search(users, catalog, draft_fields):
    create_item_draft(users["association"], **draft_fields)
    for who in ("anonymous", "association_b", "manufacturer", "provider", "government"):
        assert not search_items("模具企业五轴数控编程培训", users[who], current_only=False).exists(), who
    assert search_items("模具企业五轴数控编程培训", users["association_member"], current_only=False).exists()
    assert search_items("模具企业五轴数控编程培训", users["operator_member"], current_only=False).exists()
