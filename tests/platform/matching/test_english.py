"""The matching pages in English: qualifications by their registry English names, constraint labels, dropped
reasons, factor details and the feed's reference fields — and the same pages unchanged in zh-Hans."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from ronghe.match.qualifications import default_registry
from ronghe.platform.matching import present, services
from tests.platform.matching.test_matching import users_of

pytestmark = pytest.mark.django_db
HAN = re.compile(r"[\u4e00-\u9fff]")


def page(user, url: str, language: str) -> str:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_english_matches_page_names_qualifications_in_english(market, demand_of, users):
    demand = demand_of()
    url = reverse("matching:demand_matches", args=[demand.pk])
    body = page(users["manufacturer"], url, "en")
    assert "Required qualifications: High and new technology enterprise" in body
    assert "高新技术企业" not in body and "必需资质" not in body
    for english in ("Remaining capacity", "Conflict of interest", "not the buyer&#x27;s own organization",
                    "Offering: active", "Region: Jiangsu", "lacks a required qualification",
                    "does not serve the demand&#x27;s province", "text relevance"):
        assert english in body, english
    chinese = page(users["manufacturer"], url, "zh-hans")
    assert "必需资质：高新技术企业" in chinese and "缺少有效且已核验的必需资质" in chinese


def test_every_engine_phrase_of_an_explanation_has_its_english(market, demand_of, users):
    """Pins the engine's wording: a detail or constraint the platform cannot re-word would stay Chinese here."""
    demand = demand_of()
    data = services.demand_matches(users["manufacturer"], demand, with_dropped=True)
    with translation.override("en"):
        shown = present.demand_matches(data)
    assert shown["matches"]
    for m in shown["matches"]:
        for row in m["constraint_rows"]:
            assert not HAN.search(str(row["label"])), row
            assert not HAN.search(row["value"]), row
        for f in m["factor_rows"]:
            assert not HAN.search(f["label"] + f["detail"]), f
    assert all(not HAN.search(r) for d in shown["dropped"] for r in d["reasons"])


def test_qualifications_from_codes_or_back_from_the_engines_names():
    registry = default_registry()
    constraints = {"qualifications": "承装（修、试）电力设施许可证、高新技术企业、某协会会员证"}
    with translation.override("en"):
        from_names = present.constraint_rows(constraints, None, registry, {})[0]["value"]
        from_codes = present.constraint_rows(constraints, ["power_facility", "high_tech"], registry, {})[0]["value"]
        none = present.constraint_rows({"qualifications": "无必需资质"}, [], registry, {})[0]["value"]
    assert from_names == ("Power facility installation/repair/testing licence, High and new technology enterprise, "
                          "某协会会员证")  # an unknown type is shown verbatim, as the registry keeps it
    assert from_codes == "Power facility installation/repair/testing licence, High and new technology enterprise"
    assert none == "none required"
    with translation.override("zh-hans"):
        assert present.constraint_rows(constraints, ["power_facility"], registry, {})[0]["value"] == \
            "承装（修、试）电力设施许可证"


def test_the_english_feed_names_province_industry_budget_band_and_reasons_in_english(market, demand_of):
    demand_of()
    provider = market["specialist"]
    body = page(users_of(provider), reverse("matching:provider_feed", args=[provider.pk]), "en")
    assert "Jiangsu" in body and "江苏省" not in body and "汽车制造业" not in body and "10万元以下" not in body
    assert "text relevance" in body and "文本相关度" not in body
    chinese = page(users_of(provider), reverse("matching:provider_feed", args=[provider.pk]), "zh-hans")
    assert "江苏省" in chinese and "文本相关度" in chinese


def test_the_catalog_translates_every_label_and_phrase():
    with translation.override("en"):
        for text in (*present.CONSTRAINT_LABELS.values(), *present.PHRASES.values()):
            assert not HAN.search(str(text)), text
