"""The one place that decides who sees a demand's details: the per-object and queryset forms agree."""

from __future__ import annotations

import pytest

from ronghe.platform.demand import services
from ronghe.platform.demand.models import Demand
from ronghe.platform.demand.visibility import (
    CONFIDENTIAL_FIELDS,
    SUMMARY_FIELDS,
    budget_band,
    can_view_details,
    can_view_summary,
    detail_q,
    present,
    summary_q,
)
from tests.platform.conftest import make_org, make_user
from tests.platform.demand.conftest import OPERATOR_KEYS, OWNER_KEYS, PROVIDER_KEYS, assert_no_secret

LEVELS = ["public", "registered", "nda", "private"]


def expected_details(key: str, level: str, accepted: set[str]) -> bool:
    if key in OWNER_KEYS | OPERATOR_KEYS:
        return True
    return {
        "public": True,
        "registered": key in PROVIDER_KEYS,
        "nda": key in accepted,
        "private": False,
    }[level]


@pytest.mark.django_db
@pytest.mark.parametrize("level", LEVELS)
def test_detail_entitlement_matrix_for_every_role(level, make_demand, users, orgs):
    # a provider that registered itself and is not verified yet: a provider by kind, entitled to nothing more
    # than summaries — even when invited and it accepted the NDA
    unverified = make_org("provider", name="provider unverified", verification="pending")
    users = {**users, "provider_unverified": make_user(unverified, "admin"),
             "provider_unverified_member": make_user(unverified, "member")}
    demand = make_demand(level)
    accepted: set[str] = set()
    if level == "nda":  # provider A invited and accepted; provider B not invited
        services.invite_provider(users["manufacturer"], demand, provider=orgs["provider"])
        services.accept_nda(users["provider_member"], demand)
        services.invite_provider(users["manufacturer"], demand, provider=unverified)
        services.accept_nda(users["provider_unverified"], demand)
        accepted = {"provider", "provider_member"}
    for key, user in users.items():
        want = expected_details(key, level, accepted)
        assert can_view_details(user, demand) is want, (key, level)
        in_q = Demand.objects.filter(detail_q(user), pk=demand.pk).exists()
        assert in_q is want, ("detail_q disagrees", key, level)
        sees_row = Demand.objects.filter(summary_q(user), pk=demand.pk).exists()
        assert sees_row is can_view_summary(user, demand), (key, level)
        assert sees_row is (level != "private" or key in OWNER_KEYS | OPERATOR_KEYS), (key, level)


@pytest.mark.django_db
def test_draft_is_seen_only_by_owner_and_operator(make_demand, users):
    demand = make_demand("public", publish=False)
    for key, user in users.items():
        visible = Demand.objects.restrict(user, "view").filter(pk=demand.pk).exists()
        assert visible is (key in OWNER_KEYS | OPERATOR_KEYS), key


@pytest.mark.django_db
def test_summary_presentation_carries_no_confidential_value(make_demand, users):
    demand = make_demand("nda")
    shown = present(demand, users["provider_b"], "web")
    assert shown.details is None
    assert set(shown.summary) >= set(SUMMARY_FIELDS)
    assert_no_secret(repr(shown.as_dict()))
    assert not {f.split(".")[0] for f in CONFIDENTIAL_FIELDS} & set(shown.summary)


@pytest.mark.parametrize(("amount", "band"), [
    (0, "lt10w"), (99_999, "lt10w"), (100_000, "10w-50w"), (1_999_999, "50w-200w"), (10_000_000, "ge1kw"),
])
def test_budget_band_is_coarse(amount, band):
    assert budget_band(amount) == band
