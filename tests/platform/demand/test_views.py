"""The demand pages: summaries for the unentitled, details (logged) for the entitled, forms that refuse bad input."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from ronghe.platform.core.models import ConfidentialAccess
from ronghe.platform.demand import services
from ronghe.platform.demand.models import Demand, DemandAttachment, DemandLine, DemandList, DemandListEntry
from tests.platform.demand.conftest import (
    MARKER,
    OPERATOR_KEYS,
    OWNER_KEYS,
    PDF,
    assert_no_secret,
    future,
    pdf_upload,
)

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_pages_never_show_confidential_values_to_the_unentitled(make_demand, users):
    """The admin of every unrelated organization, on every page, for an NDA- and a private-level demand."""
    demands = {level: make_demand(level) for level in ("nda", "private")}
    index = reverse("demand:demand_index")
    for key in [k for k in users if k not in OWNER_KEYS | OPERATOR_KEYS and not k.endswith("_member")]:
        client = client_for(users[key])
        for url in (index, reverse("demand:my_demands"), reverse("demand:demand_export")):
            response = client.get(url)
            assert response.status_code in (200, 302), (key, url)
            assert_no_secret(response.content)
        search = client.get(index, {"search": "冲压线"})  # words of the confidential scope
        assert "共 0 条需求" in search.content.decode(), key
        for level, demand in demands.items():
            attachment = demand.attachments.get()
            got = {name: client.get(reverse(f"demand:{name}", args=args)) for name, args in (
                ("demand_detail", [demand.pk]), ("attachment_download", [demand.pk, attachment.pk]),
                ("nda_accept", [demand.pk]))}
            for name in ("demand_publish", "demand_close", "demand_cancel", "demand_invite", "demand_attach"):
                got[name] = client.post(reverse(f"demand:{name}", args=[demand.pk]), {"provider": "x"})
                assert got[name].status_code in (302, 403, 404), (key, name)
            for response in got.values():
                assert_no_secret(body_of(response))
            assert got["attachment_download"].status_code == 404
            if level == "private":
                assert got["demand_detail"].status_code == 404
            else:
                assert got["demand_detail"].status_code == 200
                assert "汽车零部件产线数字化改造" in got["demand_detail"].content.decode()
    assert all(Demand.objects.get(pk=d.pk).state == "published" for d in demands.values())
    assert ConfidentialAccess.objects.count() == 0


def test_entitled_provider_page_and_download_are_logged(make_demand, users):
    demand = make_demand("registered")
    client = client_for(users["provider_member"])
    page = client.get(reverse("demand:demand_detail", args=[demand.pk])).content.decode()
    assert MARKER in page and "1234567.89" in page
    attachment = demand.attachments.get()
    response = client.get(reverse("demand:attachment_download", args=[demand.pk, attachment.pk]))
    assert response.status_code == 200 and body_of(response) == PDF
    assert MARKER in response["Content-Disposition"] or "filename*" in response["Content-Disposition"]
    rows = list(ConfidentialAccess.objects.values_list("what", "channel"))
    assert rows.count(("details", "web")) == 1 and (f"attachment:{attachment.pk}", "web") in rows


def test_nda_accept_page_grants_details(make_demand, users, orgs):
    demand = make_demand("nda")
    client = client_for(users["provider"])
    url = reverse("demand:nda_accept", args=[demand.pk])
    assert client.get(url).status_code == 404  # not invited
    owner = client_for(users["manufacturer"])
    owner.post(reverse("demand:demand_invite", args=[demand.pk]), {"credit_code": orgs["provider"].credit_code})
    assert demand.invitations.filter(provider=orgs["provider"]).exists()
    page = client.get(url)
    assert page.status_code == 200 and "保密协议" in page.content.decode()
    assert MARKER not in page.content.decode()
    response = client.post(url, {"nda_version": "2026.1"})  # box not ticked
    assert response.status_code == 200 and not demand.invitations.get().accepted
    response = client.post(url, {"nda_version": "2026.1", "agree": "on"})
    assert response.status_code == 302
    assert MARKER in client.get(reverse("demand:demand_detail", args=[demand.pk])).content.decode()


def form_data(items, **over) -> dict:
    data = {
        "organization": "", "title": "热处理车间节能改造", "summary": "热处理线节能监测与改造", "industry": "33", "province": "32",
        "city": "无锡", "budget_min": "100000", "budget_max": "300000", "deadline": future().isoformat(),
        "confidentiality": "registered", "contact_name": "", "contact_phone": "", "contact_email": "",
        "lines-TOTAL_FORMS": "2", "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "50",
        "lines-0-item": str(items[0].pk), "lines-0-scope": "3 条热处理线能耗监测", "lines-0-quantity": "1",
        "lines-1-item": "", "lines-1-scope": "", "lines-1-quantity": "",
    }
    data.update(over)
    return data


def test_post_a_demand_with_lines_and_attachment(users, orgs, items):
    client = client_for(users["manufacturer_member"])
    assert client.get(reverse("demand:demand_create")).status_code == 200
    data = form_data(items, organization=str(orgs["manufacturer"].pk), attachments=pdf_upload(), publish="1")
    response = client.post(reverse("demand:demand_create"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    demand = Demand.objects.get()
    assert demand.state == "published" and demand.lines.count() == 1 and demand.attachments.count() == 1
    assert "热处理车间节能改造" in client.get(reverse("demand:my_demands")).content.decode()


@pytest.mark.parametrize(("over", "message"), [
    ({"budget_min": "500000", "budget_max": "1000"}, "预算上限不能低于下限"),
    ({"deadline": "2020-01-01"}, "截止日期必须晚于今天"),
    ({"industry": "52"}, "有效的选项"),  # only manufacturing divisions are offered
    ({"lines-0-item": "", "lines-0-scope": "", "lines-0-quantity": ""}, ""),
    ({"attachments": "exe"}, "内容不是"),
    ({"attachments": "big"}, "过大"),
])
def test_post_a_demand_form_refuses_broken_input(over, message, users, orgs, items):
    client = client_for(users["manufacturer"])
    if over.get("attachments") == "exe":
        over = {"attachments": pdf_upload(name="manual.pdf", content=b"MZ\x90\x00" + b"\x00" * 64)}
    elif over.get("attachments") == "big":
        over = {"attachments": pdf_upload(content=PDF + b"0" * 4096)}
    before = (Demand.objects.count(), DemandLine.objects.count(), DemandAttachment.objects.count())
    with override_settings(RONGHE_MAX_UPLOAD_BYTES=1024):
        response = client.post(reverse("demand:demand_create"),
                               form_data(items, organization=str(orgs["manufacturer"].pk), **over))
    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
    assert message in response.content.decode()
    assert (Demand.objects.count(), DemandLine.objects.count(), DemandAttachment.objects.count()) == before


@pytest.mark.parametrize("key", ["provider", "association", "government", "anonymous"])
def test_only_manufacturers_reach_the_post_form(key, users, items):
    response = client_for(users[key]).post(reverse("demand:demand_create"), form_data(items))
    assert response.status_code in (302, 403)
    assert Demand.objects.count() == 0


def test_association_creates_publishes_list_and_manufacturer_joins(users, orgs, items):
    association = client_for(users["association"])
    data = {"organization": orgs["association"].pk, "name": "长三角汽车零部件数字化清单", "industry": "36",
            "province": "31", "city": "", "pain_points": "设备联网率低", "items": [items[0].pk, items[1].pk]}
    response = association.post(reverse("demand:list_create"), data)
    assert response.status_code == 302, response.content.decode()[:1500]
    demand_list = DemandList.objects.get()
    association.post(reverse("demand:list_publish", args=[demand_list.pk]))
    demand_list.refresh_from_db()
    assert demand_list.state == "published"
    manufacturer = client_for(users["manufacturer"])
    url = reverse("demand:list_detail", args=[demand_list.pk])
    response = manufacturer.post(url, {"manufacturer": orgs["manufacturer"].pk, f"qty_{items[0].pk}": "3",
                                       f"qty_{items[1].pk}": "0", "notes": ""})
    assert response.status_code == 302
    assert DemandListEntry.objects.get().quantity == 3
    again = manufacturer.get(url).content.decode()  # the join form shows what was declared, ready to edit
    assert f'name="qty_{items[0].pk}" value="3"' in again
    page = client_for(None).get(url).content.decode()
    assert "少于 3 家制造企业已报名" in page and orgs["manufacturer"].name not in page  # not who, nor how many
    curated = association.get(url).content.decode()
    assert orgs["manufacturer"].name in curated and "1 家制造企业已报名" in curated
    assert "长三角汽车零部件数字化清单" in client_for(None).get(reverse("demand:list_index")).content.decode()


@pytest.mark.parametrize("key", ["manufacturer", "provider", "government", "anonymous"])
def test_others_cannot_create_lists_or_join_as_non_manufacturers(key, users, orgs, items):
    response = client_for(users[key]).post(reverse("demand:list_create"), {"name": "x"})
    assert response.status_code in (302, 403)
    assert DemandList.objects.count() == 0
    demand_list = services.publish_demand_list(users["association"], services.create_demand_list(
        users["association"], orgs["association"], name="清单", industry="36", province="32",
        pain_points="x", items=items[:1]))
    if key != "manufacturer":
        response = client_for(users[key]).post(reverse("demand:list_detail", args=[demand_list.pk]),
                                               {f"qty_{items[0].pk}": "1"})
        assert response.status_code == 403
        assert DemandListEntry.objects.count() == 0


def test_list_form_refuses_broken_input(users, orgs, items):
    client = client_for(users["association"])
    response = client.post(reverse("demand:list_create"), {
        "organization": orgs["association"].pk, "name": "x", "industry": "36", "province": "32",
        "pain_points": "", "items": []})
    assert response.status_code == 200 and 'class="errorlist' in response.content.decode()
    assert DemandList.objects.count() == 0


def test_index_filters_and_owner_actions(make_demand, users):
    demand = make_demand("public", publish=False)
    owner = client_for(users["manufacturer"])
    assert "发布" in owner.get(reverse("demand:demand_detail", args=[demand.pk])).content.decode()
    owner.post(reverse("demand:demand_publish", args=[demand.pk]))
    anonymous = client_for(None)
    index = reverse("demand:demand_index")
    assert "汽车零部件产线数字化改造" in anonymous.get(index + "?province=32&industry=36&category=02").content.decode()
    assert "汽车零部件产线数字化改造" not in anonymous.get(index + "?province=44").content.decode()
    owner.post(reverse("demand:demand_close", args=[demand.pk]))
    assert Demand.objects.get(pk=demand.pk).state == "closed"
    response = owner.post(reverse("demand:demand_attach", args=[demand.pk]), {"attachments": pdf_upload()})
    assert response.status_code == 302 and demand.attachments.count() == 1  # the one from the fixture only


def test_export_carries_details_only_where_entitled_and_logs_them(make_demand, users):
    secret = make_demand("nda")
    open_to_providers = make_demand("registered")
    url = reverse("demand:demand_export")
    for key in ("association", "manufacturer_b", "government", "anonymous"):
        response = client_for(users[key]).get(url)
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        assert_no_secret(response.content)
        assert "汽车零部件产线数字化改造" in response.content.decode()
    assert ConfidentialAccess.objects.count() == 0
    text = client_for(users["provider_b"]).get(url).content.decode()
    assert text.count(MARKER) == 2  # scope + contact of the registered-level demand only
    [row] = ConfidentialAccess.objects.all()
    assert (row.object_id, row.channel) == (str(open_to_providers.pk), "export")
    assert str(secret.pk) != row.object_id


def test_owner_edits_a_draft_and_nobody_else_can(users, orgs, items):
    owner = client_for(users["manufacturer_member"])
    owner.post(reverse("demand:demand_create"), form_data(items, organization=str(orgs["manufacturer"].pk)))
    demand = Demand.objects.get()
    url = reverse("demand:demand_edit", args=[demand.pk])
    page = owner.get(url).content.decode()
    assert "热处理车间节能改造" in page and "3 条热处理线能耗监测" in page  # the form opens with what was saved

    bad = form_data(items, budget_min="900000", budget_max="1000", **{"lines-INITIAL_FORMS": "1"})
    assert owner.post(url, bad).status_code == 200  # form error, nothing changed
    demand.refresh_from_db()
    assert demand.budget_min == 100000 and demand.title == "热处理车间节能改造"

    edited = form_data(items, title="热处理线能耗监测与改造", **{"lines-INITIAL_FORMS": "1",
                                                             "lines-0-scope": "5 条热处理线能耗监测"})
    assert owner.post(url, edited).status_code == 302
    demand.refresh_from_db()
    assert demand.title == "热处理线能耗监测与改造"
    assert list(demand.lines.values_list("scope", flat=True)) == ["5 条热处理线能耗监测"]
    assert demand.organization_id == orgs["manufacturer"].pk

    for key in ("manufacturer_b", "provider", "anonymous"):
        response = client_for(users[key]).get(url)
        assert response.status_code in (302, 404), key  # anonymous → login; others: no such draft for them
    services.publish_demand(users["manufacturer"], demand)
    # a published demand is never edited in place: the owner is sent back to it with the reason
    response = owner.get(url, follow=True)
    assert response.redirect_chain[-1][0] == f"/demand/{demand.pk}/"
    assert "只能修改草稿" in response.content.decode()


def test_publishing_without_a_public_summary_is_refused_and_says_why(users, orgs, items):
    client = client_for(users["manufacturer"])
    data = form_data(items, organization=str(orgs["manufacturer"].pk), summary="  ", publish="1")
    response = client.post(reverse("demand:demand_create"), data, follow=True)
    demand = Demand.objects.get()
    assert demand.state == "draft"  # saved as a draft, not published
    assert "公开摘要" in response.content.decode() and "所有人都能看到" in response.content.decode()


def test_chosen_attachments_must_be_chosen_again_when_the_form_comes_back(users, orgs, items):
    client = client_for(users["manufacturer"])
    again = "已选择的文件没有保留，请重新选择"
    data = form_data(items, organization=str(orgs["manufacturer"].pk), budget_min="500000", budget_max="1000")
    response = client.post(reverse("demand:demand_create"), {**data, "attachments": pdf_upload()})
    assert again in response.content.decode() and not Demand.objects.exists()
    # an error in a line (another form of the page) drops the files too
    lines_bad = {**data, "budget_min": "100000", "budget_max": "300000", "lines-0-quantity": "0"}
    response = client.post(reverse("demand:demand_create"), {**lines_bad, "attachments": pdf_upload()})
    assert again in response.content.decode() and not Demand.objects.exists()
    response = client.post(reverse("demand:demand_create"), data)  # no file chosen: nothing to say
    assert again not in response.content.decode()


def test_invite_a_provider_by_name_or_by_credit_code_and_say_what_went_wrong(make_demand, users, orgs):
    from tests.platform.conftest import make_credit_code, make_org

    demand = make_demand("nda")
    owner = client_for(users["manufacturer"])
    url = reverse("demand:demand_invite", args=[demand.pk])
    detail = reverse("demand:demand_detail", args=[demand.pk])
    bare = make_org("provider", name="无档案检测服务商")  # no provider profile at all
    page = owner.get(detail).content.decode()
    assert 'data-searchable="single"' in page and f"无档案检测服务商（{bare.credit_code}）" in page
    assert orgs["manufacturer"].name not in page.split('name="provider"')[1].split("</select>")[0]  # providers only
    body = owner.post(url, {"provider": str(bare.pk)}, follow=True).content.decode()
    assert "已邀请服务商 无档案检测服务商" in body and demand.invitations.filter(provider=bare).exists()
    body = owner.post(url, {"credit_code": "91320500ABC"}, follow=True).content.decode()
    assert "格式不正确：统一社会信用代码为18位" in body and "没有该信用代码的服务商" not in body
    body = owner.post(url, {"credit_code": make_credit_code()}, follow=True).content.decode()
    assert "没有该信用代码的服务商" in body and "格式不正确" not in body
    body = owner.post(url, {"credit_code": orgs["manufacturer"].credit_code}, follow=True).content.decode()
    assert "没有该信用代码的服务商" in body  # a manufacturer is no provider
    body = owner.post(url, {}, follow=True).content.decode()
    assert "请选择要邀请的服务商" in body
    body = owner.post(url, {"credit_code": orgs["provider"].credit_code.lower()}, follow=True).content.decode()
    assert demand.invitations.filter(provider=orgs["provider"]).exists()
    assert sorted(demand.invitations.values_list("provider_id", flat=True)) == sorted([bare.pk, orgs["provider"].pk])
