"""The demo logins that docs/journeys.md hands a newcomer exist, sign in, and land on their role's journeys."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from ronghe.platform import demo

JOURNEYS_DOC = Path(__file__).resolve().parents[2] / "docs" / "journeys.md"


def _documented_logins() -> dict[str, tuple[str, str]]:
    """username → (password, organization) from the table in docs/journeys.md."""
    rows = re.findall(r"^\| `([\w-]+)` \| `([^`]+)` \| ([^|]+?) \|", JOURNEYS_DOC.read_text(encoding="utf-8"), re.M)
    return {username: (password, org) for username, password, org in rows}


def test_the_documented_logins_are_the_demo_logins():
    documented = _documented_logins()
    assert documented == {o.username: (demo.DEMO_PASSWORD, o.name) for o in demo.DEMO_ORGS}
    provider = next(o for o in demo.DEMO_ORGS if o.kind == "provider")
    assert f"`{provider.credit_code}`" in JOURNEYS_DOC.read_text(encoding="utf-8")  # quoted for the invitation


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_every_demo_login_signs_in_and_sees_its_role_first(page, reference_data, login, logout):
    demo.load_demo(echo=lambda message: None)
    for spec in demo.DEMO_ORGS:
        login(spec.username, demo.DEMO_PASSWORD)
        expect(page.locator("header .account")).to_contain_text(spec.name)
        page.goto("/")
        first_card = page.locator("article.journey").first
        expect(first_card).to_have_attribute("data-kind", spec.kind)
        expect(first_card).to_contain_text("我的角色")
        logout()
