"""schemathesis over the whole OpenAPI document, as every role and anonymously.

Every operation the apps register is generated against automatically: no 5xx, and every documented response
matches its schema and content type. Every write operation also gets the hostile JSON bodies of
``tests/platform/hostile.py`` (1,000 levels deep, lone surrogates) and must answer them with a 400. Bounded (few examples per operation, derandomized) to keep the suite fast.
"""

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

from ronghe.platform.wsgi import application
from tests.platform.hostile import hostile_json_failures

# Examples per operation: anonymous explores more, each signed-in role fewer (7 roles × every operation).
# Raise RONGHE_SCHEMATHESIS_EXAMPLES for a deeper run (e.g. nightly).
MAX_EXAMPLES = int(os.environ.get("RONGHE_SCHEMATHESIS_EXAMPLES", "2"))
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
ROLES = ["anonymous", "manufacturer", "provider", "association", "certifier", "operator", "government"]


@cache
def _schema():
    return schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


def _operations():
    return [result.ok() for result in _schema().get_all_operations()]


@pytest.mark.usefixtures("keep_test_connection")
@pytest.mark.parametrize("role", ROLES)
def test_every_operation_answers_within_its_schema(role, users):
    user = users[role]
    headers = {"Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}"} if user else {}
    operations = _operations()
    assert any(op.path == "/api/organizations/" for op in operations)
    failures: list[str] = []
    for operation in operations:

        @settings(max_examples=MAX_EXAMPLES * (2 if user is None else 1), derandomize=True, deadline=None, database=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def check(case):
            for throttle_cache in caches.all():  # throttling counts live in the cache; keep the generated burst under it
                throttle_cache.clear()
            response = case.call(headers=headers)
            case.validate_response(response, checks=CHECKS)

        try:
            check()
        except Exception as exc:  # collect all operations' failures, then report them together
            failures.append(f"{operation.method.upper()} {operation.path} as {role}: {exc}")
        # every write endpoint, the anonymous POST /api/auth/token/ included: deep and lone-surrogate JSON → 400
        failures += [f"{failure} as {role}" for failure in hostile_json_failures(operation, headers, CHECKS)]
    assert not failures, "\n\n".join(failures)
