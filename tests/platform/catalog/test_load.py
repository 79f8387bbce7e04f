"""Loading the shipped taxonomy and standardized items."""

from collections import Counter

import pytest

from ronghe.platform.catalog.models import ServiceCategory, ServiceItem
from ronghe.platform.catalog.services import load_catalog, read_categories, read_items

pytestmark = pytest.mark.django_db


def test_taxonomy_has_the_ten_nbs_categories_each_with_sub_categories():
    load_catalog()
    top = ServiceCategory.objects.filter(level=1)
    assert [c.code for c in top] == [f"{n:02d}" for n in range(1, 11)]
    assert top.get(code="02").name_zh == "货物运输、通用航空生产、仓储和邮政快递服务"
    for cat in top:
        assert cat.children.exists(), cat
        assert cat.name_en and cat.division_list
    for sub in ServiceCategory.objects.filter(level=2):
        assert sub.code.startswith(sub.parent.code) and len(sub.code) == 3
        assert sub.synonym_list, sub


def test_loading_gives_at_least_sixty_complete_items_over_all_ten_categories():
    result = load_catalog()
    items = ServiceItem.objects.current().select_related("category")
    assert result.items_created == items.count() >= 60
    per_top = Counter(i.category.parent.code for i in items)
    assert set(per_top) == {f"{n:02d}" for n in range(1, 11)}
    assert min(per_top.values()) >= 3
    for item in items:
        for field in ("name_zh", "name_en", "scope", "deliverables", "acceptance_criteria", "sla", "value_outputs",
                      "kpis", "pricing_model", "duration_days_min", "duration_days_max",
                      "required_qualifications", "keywords"):
            assert getattr(item, field), (item.code, field)
        assert len(item.scope) >= 80, item.code
        assert item.duration_days_min <= item.duration_days_max
        assert all(row["metric"] and row["target"] for row in item.sla)
        assert item.code[3:5] == item.category.code[:2]
        assert item.status == ServiceItem.Status.PUBLISHED and item.version == 1
    assert set(items.values_list("pricing_model", flat=True)) == set(ServiceItem.Pricing.values)


def test_loading_twice_changes_nothing():
    first = load_catalog()
    snapshot = list(ServiceItem.objects.order_by("pk").values())
    second = load_catalog()
    assert second.items_created == 0 and second.items_existing == first.items_created
    assert list(ServiceItem.objects.order_by("pk").values()) == snapshot
    assert ServiceCategory.objects.count() == first.categories == len(read_categories())


def test_items_are_curated_by_the_operator_when_one_exists(orgs):
    load_catalog()
    assert set(ServiceItem.objects.values_list("curated_by", flat=True)) == {orgs["operator"].pk}


def test_shipped_codes_are_unique_and_well_formed():
    codes = [raw["code"] for raw in read_items()]
    assert len(codes) == len(set(codes))


def test_load_catalog_command_reports_what_it_did():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("load_catalog", stdout=out)
    call_command("load_catalog", stdout=out)
    first, second = out.getvalue().splitlines()
    assert f"{ServiceItem.objects.count()} items created" in first
    assert "0 items created" in second


def test_items_have_no_curator_when_no_operator_exists():
    load_catalog()
    assert set(ServiceItem.objects.values_list("curated_by", flat=True)) == {None}
