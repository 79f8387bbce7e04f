"""schemathesis on the providers endpoints with data present (the whole-schema test runs on an empty database).

Writes are tried as the owning provider, so generated bodies reach the service layer: no 5xx, and every
response matches the documented schema. ``RONGHE_PROVIDERS_FUZZ_EXAMPLES`` raises the depth,
``RONGHE_PROVIDERS_FUZZ_ROLES=anonymous,provider,certifier`` widens it (the default keeps the suite fast).
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.cache import caches
from hypothesis import HealthCheck, Phase, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from ronghe.platform.wsgi import application
from tests.platform.hostile import hostile_json_failures

EXAMPLES = int(os.environ.get("RONGHE_PROVIDERS_FUZZ_EXAMPLES", "3"))
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
PREFIXES = ("/api/providers/", "/api/offerings/", "/api/certificates/")




@pytest.mark.usefixtures("keep_test_connection")
@pytest.mark.parametrize("role", os.environ.get("RONGHE_PROVIDERS_FUZZ_ROLES", "provider").split(","))
def test_provider_endpoints_answer_within_their_schema(role, users, provider_a, provider_b):
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    user = users[role]
    headers = {"Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}"} if user else {}
    failures: list[str] = []
    operations = [r.ok() for r in schema.get_all_operations() if r.ok().path.startswith(PREFIXES)]
    assert len(operations) >= 12
    for operation in operations:

        @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def check(case):
            for throttle_cache in caches.all():
                throttle_cache.clear()
            if "id" in (case.path_parameters or {}):  # aim at rows that exist, so the handlers really run
                path = case.operation.path
                case.path_parameters["id"] = provider_a["certificate"].pk if "certificates" in path \
                    else provider_a["offering"].pk if "offerings" in path else provider_a["profile"].pk
            response = case.call(headers=headers)
            case.validate_response(response, checks=CHECKS)

        try:
            check()
        except Exception as exc:  # report every operation's failure together
            failures.append(f"{operation.method.upper()} {operation.path} as {role}: {exc}")
        path = operation.path  # hostile JSON aimed at the owner's real rows, so nothing but the guard stops it
        row = provider_a["certificate"] if "certificates" in path else provider_a["offering"] if "offerings" in path \
            else provider_a["profile"]
        failures += [f"{failure} as {role}" for failure in hostile_json_failures(
            operation, headers, CHECKS, {"id": row.pk} if "{id}" in path else None)]
    assert not failures, "\n\n".join(failures)
