"""The browser can reach the platform and sign in; every journey test builds on this."""

import pytest

from tests.platform.conftest import PASSWORD, make_org, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_page_serves_its_own_styles_and_signs_in(page, login):
    page.goto("/")
    assert "融合" in page.title() or "融合" in page.content()
    css = page.request.get("/static/ronghe/ronghe.css")
    assert css.status == 200
    org = make_org("manufacturer", name="苏州精密部件有限公司")
    make_user(org, "admin", username="buyer1")
    login("buyer1", PASSWORD)
    assert "buyer1" in page.inner_text("header")
