"""Catalog pages: browse, search, detail with history, curator forms; in Chinese and English."""

import pytest
from django.urls import reverse

from ronghe.platform.catalog.models import ServiceItem
from ronghe.platform.catalog.services import create_item_draft, revise_item
from tests.platform.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _client(client, user):
    if user is not None:
        assert client.login(username=user.username, password=PASSWORD)
    return client


def _form(fields: dict) -> dict:
    data = dict(fields)
    for name in ("deliverables", "acceptance_criteria", "kpis", "required_qualifications"):
        data[name] = "\n".join(data[name])
    data["sla"] = "\n".join(f"{r['metric']}：{r['target']}" for r in data["sla"])
    return data


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_browse_search_and_detail_render_in_both_languages(catalog, client, lang):
    client.cookies["django_language"] = lang
    page = client.get(reverse("catalog:item_list"), HTTP_ACCEPT_LANGUAGE=lang)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'lang="{lang}"' in html
    assert ("标准化服务目录" if lang == "zh-hans" else "Standardized service catalog") in html
    assert "检验检测认证标准计量服务" in html or "Testing, inspection" in html  # the category tree
    found = client.get(reverse("catalog:item_list"), {"search": "预测性维护"}).content.decode()
    assert "SI-10-001" in found and "SI-01-004" not in found
    assert ("设备预测性维护" if lang == "zh-hans" else "Predictive maintenance") in found
    item = ServiceItem.objects.current().get(code="SI-10-001")
    detail = client.get(reverse("catalog:item_detail", args=[item.pk])).content.decode()
    for text in ("平台可用性", "≥ 99.5%", "非计划停机时长下降比例", "ISO 9001", "v1"):
        assert text in detail


def test_filters_by_category_pricing_and_qualification(catalog, client):
    html = client.get(reverse("catalog:item_list"), {"category": "061"}).content.decode()
    assert "设备融资租赁（直租）" in html and "叉车与物流设备租赁" not in html
    html = client.get(reverse("catalog:item_list"), {"qualification": "危险废物经营许可证"}).content.decode()
    assert "危险废物合规处置" in html and "MES 制造执行系统实施" not in html
    html = client.get(reverse("catalog:item_list"), {"pricing_model": "outcome"}).content.decode()
    assert "合同能源管理" in html and "第三方检验检测" not in html


def test_detail_shows_version_history_after_a_revision(catalog, client, users):
    v1 = ServiceItem.objects.current().get(code="SI-05-001")
    v2 = revise_item(users["operator"], v1, change_note="按 GB/T 17166-2019 更新")
    public = client.get(reverse("catalog:item_detail", args=[v1.pk])).content.decode()
    assert "v1" in public and "按 GB/T 17166-2019 更新" not in public  # the draft v2 is not public
    operator = _client(client, users["operator"])
    html = operator.get(reverse("catalog:item_detail", args=[v1.pk])).content.decode()
    assert reverse("catalog:item_detail", args=[v2.pk]) in html
    drafts = operator.get(reverse("catalog:item_list")).context["drafts"]
    assert drafts == [v2]  # "my drafts" lists drafts only, not every item the operator may change


def test_curator_creates_edits_publishes_and_revises_through_pages(catalog, client, users, draft_fields):
    c = _client(client, users["association_member"])
    assert c.get(reverse("catalog:item_create")).status_code == 200
    response = c.post(reverse("catalog:item_create"), _form(draft_fields))
    assert response.status_code == 302
    item = ServiceItem.objects.get(name_zh=draft_fields["name_zh"])
    assert item.sla == draft_fields["sla"] and item.status == "draft"
    edited = c.post(reverse("catalog:item_edit", args=[item.pk]), _form(draft_fields | {"duration_days_max": 50}))
    assert edited.status_code == 302 and ServiceItem.objects.get(pk=item.pk).duration_days_max == 50
    assert c.post(reverse("catalog:item_publish", args=[item.pk])).status_code == 302
    assert ServiceItem.objects.get(pk=item.pk).status == "published"
    assert c.get(reverse("catalog:item_revise", args=[item.pk])).status_code == 200
    revised = c.post(reverse("catalog:item_revise", args=[item.pk]),
                     _form(draft_fields | {"change_note": "增加仿真内容"}))
    assert revised.status_code == 302
    v2 = ServiceItem.objects.get(code=item.code, version=2)
    assert v2.status == "draft" and v2.supersedes_id == item.pk
    # editing the published v1 redirects with a message instead of changing it
    c.post(reverse("catalog:item_edit", args=[item.pk]), _form(draft_fields | {"name_zh": "改名"}))
    assert ServiceItem.objects.get(pk=item.pk).name_zh == draft_fields["name_zh"]


BROKEN = [
    ({"duration_days_min": 30, "duration_days_max": 10}, "duration_days_max"),
    ({"category": "999"}, "category"),
    ({"scope": ""}, "scope"),
    ({"pricing_model": "barter"}, "pricing_model"),
    ({"sla": "响应时间没有目标"}, "sla"),
    ({"deliverables": ""}, "deliverables"),
    ({"duration_days_min": "abc"}, "duration_days_min"),
]


def test_broken_form_input_shows_errors_and_writes_nothing(catalog, client, users, draft_fields):
    c = _client(client, users["association"])
    count = ServiceItem.objects.count()
    for change, field in BROKEN:
        response = c.post(reverse("catalog:item_create"), _form(draft_fields) | change)
        assert response.status_code == 200, change
        assert field in response.context["form"].errors, change
    assert ServiceItem.objects.count() == count


def test_non_curators_get_403_on_curator_pages(catalog, client, users, draft_fields):
    item = ServiceItem.objects.current().first()
    for role in ("manufacturer", "provider", "government", "certifier"):
        client.logout()
        c = _client(client, users[role])
        assert c.get(reverse("catalog:item_create")).status_code == 403, role
        assert c.post(reverse("catalog:item_create"), _form(draft_fields)).status_code == 403, role
        assert c.post(reverse("catalog:item_retire", args=[item.pk])).status_code == 403, role
        assert c.get(reverse("catalog:item_revise", args=[item.pk])).status_code == 403, role
    assert ServiceItem.objects.get(pk=item.pk).status == "published"
    assert ServiceItem.objects.count() == catalog.items_created


def test_anonymous_is_sent_to_login_for_curator_pages(catalog, client):
    response = client.get(reverse("catalog:item_create"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_drafts_are_invisible_to_others_on_pages(catalog, client, users, draft_fields):
    draft = create_item_draft(users["association"], **draft_fields)
    for role in ("anonymous", "association_b", "manufacturer", "government"):
        client.logout()
        c = _client(client, users[role])
        assert c.get(reverse("catalog:item_detail", args=[draft.pk])).status_code == 404, role
        listing = c.get(reverse("catalog:item_list"), {"search": "五轴数控编程", "current": "false"})
        assert draft_fields["name_zh"] not in listing.content.decode(), role
    client.logout()
    other = _client(client, users["association_b"])
    assert other.post(reverse("catalog:item_publish", args=[draft.pk])).status_code == 404
    assert other.get(reverse("catalog:item_edit", args=[draft.pk])).status_code == 404
    assert ServiceItem.objects.get(pk=draft.pk).status == "draft"
    client.logout()
    mine = _client(client, users["association_member"])
    assert draft_fields["name_zh"] in mine.get(reverse("catalog:item_list")).content.decode()  # "my drafts"


def test_broken_edit_and_revise_forms_change_nothing(catalog, client, users, draft_fields):
    draft = create_item_draft(users["association"], **draft_fields)
    published = ServiceItem.objects.current().get(code="SI-01-001")
    c = _client(client, users["operator"])
    bad = _form(draft_fields) | {"duration_days_min": 90, "duration_days_max": 9}
    count = ServiceItem.objects.count()
    for url in (reverse("catalog:item_edit", args=[draft.pk]), reverse("catalog:item_revise", args=[published.pk])):
        response = c.post(url, bad)
        assert response.status_code == 200 and "duration_days_max" in response.context["form"].errors, url
    assert ServiceItem.objects.count() == count
    assert ServiceItem.objects.get(pk=draft.pk).duration_days_max == draft_fields["duration_days_max"]
