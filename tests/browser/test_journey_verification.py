"""Journey 5 — a self-registered provider waits for review, submits its business licence, the operator verifies
it from the review queue, and the provider reads the decision in its inbox."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ronghe.platform.accounts.models import Organization
from tests.browser._pdf import tiny_pdf
from tests.platform.conftest import PASSWORD, make_org, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_newcomer_is_reviewed_by_the_operator(page, reference_data, login, logout, screenshot):
    newcomer = make_org("provider", name="苏州新来的检测服务商", verification="pending")
    make_user(newcomer, "admin", username="newcomer")
    make_user(make_org("operator", name="平台运营方"), "admin", username="op")

    login("newcomer", PASSWORD)
    page.goto(f"/orgs/{newcomer.pk}/")
    card = page.locator("#verification")
    expect(card).to_contain_text("待审核")
    expect(card).to_contain_text("只能查看公开摘要")
    card.get_by_label("上传营业执照（PDF/图片）").set_input_files(
        files=[{"name": "营业执照.pdf", "mimeType": "application/pdf", "buffer": tiny_pdf("licence")}])
    card.get_by_role("button", name="提交审核").click()
    expect(page.locator("ul.messages")).to_contain_text("营业执照已提交")
    expect(page.locator("#verification")).to_contain_text("营业执照.pdf")
    logout()

    login("op", PASSWORD)
    expect(page.locator("header a.inbox-link")).to_contain_text("1")  # told of the submitted licence
    page.locator("header nav").get_by_role("link", name="待审核").click()
    row = page.get_by_role("row", name=newcomer.name)
    expect(row).to_contain_text("营业执照.pdf")
    screenshot("journey5-review-queue")
    row.get_by_role("button", name="通过审核").click()
    expect(page.locator("ul.messages")).to_contain_text("已通过审核")
    expect(page.locator("#main")).to_contain_text("没有待审核的组织")
    logout()

    login("newcomer", PASSWORD)
    page.locator("header a.inbox-link").click()
    expect(page.locator("#main")).to_contain_text(f"“{newcomer.name}”已通过平台审核")
    newcomer.refresh_from_db()
    assert newcomer.verification == Organization.Verification.VERIFIED
