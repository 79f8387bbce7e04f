"""Totals of a demand list never reveal one or two manufacturers' needs: outside the list's association and
the operator, every figure behind fewer than three joiners is suppressed — per item, per province and in total —
on the page, in the list, and in the API (the joiners' own answers included)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ronghe.platform.demand import services
from ronghe.platform.demand.aggregates import demand_list_totals
from tests.platform.conftest import make_org, make_user
from tests.platform.demand.test_views import client_for

pytestmark = pytest.mark.django_db

ODD = 7919  # an exact need nobody else would type


@pytest.fixture
def demand_list(users, orgs, items):
    made = services.create_demand_list(users["association"], orgs["association"], items=[items[0], items[1]],
                                       name="京津冀清单", industry="36", province="11", pain_points="联网")
    return services.publish_demand_list(users["association"], made)


def _join(user, org, demand_list, item, quantity):
    return services.join_demand_list(user, demand_list, manufacturer=org,
                                     entries=[services.EntryInput(item, quantity)])


def test_a_single_joiners_exact_need_reaches_no_outsider(demand_list, users, orgs, items, api_client_for):
    _join(users["manufacturer"], orgs["manufacturer"], demand_list, items[0], ODD)
    detail = reverse("demand:list_detail", args=[demand_list.pk])
    for key in ("anonymous", "manufacturer_b", "provider", "government", "certifier"):
        page = client_for(users[key]).get(detail).content.decode()
        assert str(ODD) not in page and orgs["manufacturer"].name not in page, key
        assert "少于 3 家制造企业已报名" in page and "按省份" not in page, key  # not even the joiner's province
        index = client_for(users[key]).get(reverse("demand:list_index")).content.decode()
        assert "<td>1</td>" not in index and "<td>少于 3 家</td>" in index, key
        body = api_client_for(users[key]).get(f"/api/demand-lists/{demand_list.pk}/").content.decode()
        assert str(ODD) not in body and "江苏" not in body and '"manufacturers":1' not in body, key
    other = api_client_for(users["manufacturer_b"]).post(
        f"/api/demand-lists/{demand_list.pk}/join/", {"entries": [{"item": items[0].pk, "quantity": 1}]},
        format="json")
    assert other.status_code == 200 and str(ODD) not in other.content.decode()  # the second joiner learns nothing
    for key in ("association", "operator"):  # the curators see exact figures
        totals = demand_list_totals(demand_list, users[key])
        quantities = {row["item"]: row["quantity"] for row in totals["by_item"]}
        assert totals["manufacturers"] == 2 and quantities[items[0].pk] == ODD + 1


def test_three_joiners_make_a_total_public_but_not_a_lone_item(demand_list, users, orgs, items):
    third = make_org("manufacturer", province="44")
    _join(users["manufacturer"], orgs["manufacturer"], demand_list, items[0], 2)
    _join(users["manufacturer_b"], orgs["manufacturer_b"], demand_list, items[0], 3)
    _join(make_user(third), third, demand_list, items[0], 4)
    services.join_demand_list(users["manufacturer"], demand_list, manufacturer=orgs["manufacturer"],
                              entries=[services.EntryInput(items[1], ODD)])
    totals = demand_list_totals(demand_list, None)
    assert totals["manufacturers"] == 3
    by_item = {row["item"]: row for row in totals["by_item"]}
    assert (by_item[items[0].pk]["manufacturers"], by_item[items[0].pk]["quantity"]) == (3, 9)
    assert (by_item[items[1].pk]["manufacturers"], by_item[items[1].pk]["quantity"]) == (None, None)
    # 江苏 1 + 广东 2: no province row stands for fewer than three, so they are counted together
    assert [(r["province"], r["manufacturers"]) for r in totals["by_province"]] == [("", 3)]
    page = client_for(None).get(reverse("demand:list_detail", args=[demand_list.pk])).content.decode()
    assert str(ODD) not in page and "3 家制造企业已报名" in page
