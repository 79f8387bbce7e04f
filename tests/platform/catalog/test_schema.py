"""schemathesis over the catalog endpoints with the shipped catalog loaded (the suite-wide run sees an empty one)."""

from __future__ import annotations

import os
from functools import cache

import pytest
import schemathesis
from django.core.cache import caches
from hypothesis import HealthCheck, Phase, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from ronghe.platform.catalog.models import ServiceItem
from ronghe.platform.wsgi import application
from tests.platform.hostile import hostile_json_failures

MAX_EXAMPLES = int(os.environ.get("RONGHE_SCHEMATHESIS_EXAMPLES", "2"))
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@cache
def _catalog_operations():
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    return [op for op in (r.ok() for r in schema.get_all_operations()) if op.path.startswith("/api/catalog/")]




@pytest.mark.parametrize("role", ["anonymous", "association", "manufacturer"])
def test_catalog_operations_answer_within_their_schema(role, users, catalog, keep_test_connection):
    user = users[role]
    headers = {"Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}"} if user else {}
    operations = _catalog_operations()
    assert {op.path for op in operations} >= {"/api/catalog/items/", "/api/catalog/items/{id}/revise/"}
    failures: list[str] = []
    for operation in operations:

        @settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None, database=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def check(case):
            for throttle_cache in caches.all():
                throttle_cache.clear()
            case.validate_response(case.call(headers=headers), checks=CHECKS)

        try:
            check()
        except Exception as exc:  # report every failing operation at once
            failures.append(f"{operation.method.upper()} {operation.path} as {role}: {exc}")
        item = ServiceItem.objects.order_by("pk").values_list("pk", flat=True).first()  # a real row to aim at
        failures += [f"{failure} as {role}" for failure in
                     hostile_json_failures(operation, headers, CHECKS, {"id": item} if "{id}" in operation.path else None)]
    assert not failures, "\n\n".join(failures)
