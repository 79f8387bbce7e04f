"""The 500 page renders from an empty context, with no database: Django's server_error gives it nothing else."""

from __future__ import annotations

from django.test import RequestFactory
from django.utils import translation
from django.views.defaults import server_error


def test_server_error_page_renders_without_a_database_in_the_sites_layout():
    # no django_db mark: any query here would fail the test
    request = RequestFactory().get("/demand/1/")
    with translation.override("zh-hans"):
        response = server_error(request)
    html = response.content.decode()
    assert response.status_code == 500
    assert "服务器出错" in html
    assert 'aria-label="主导航"' in html and 'href="/catalog/"' in html
    assert "vendor/bootstrap/bootstrap.min.css" in html
    assert "Server Error (500)" not in html


def test_server_error_page_speaks_english_in_english():
    with translation.override("en"):
        html = server_error(RequestFactory().get("/")).content.decode()
    assert "Server error" in html and 'lang="en"' in html
    assert "服务器出错" not in html
