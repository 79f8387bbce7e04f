"""Hostile request bodies every write endpoint must refuse with a 400, shared by the schemathesis and bad-input
tests: JSON nested 1,000 levels deep (a RecursionError in a plain parser) and lone surrogates (``"\\ud800"`` as
JSON escapes, which decode to a string that cannot be encoded again) in every field an endpoint may echo back.
"""

from __future__ import annotations

#: 1,000 levels of arrays, and of objects, as raw JSON text
DEEP_ARRAYS = b"[" * 1000 + b"]" * 1000
DEEP_OBJECTS = b'{"a":' * 1000 + b"1" + b"}" * 1000
#: a lone surrogate in the choice fields the probe found (kind, confidentiality, price_unit, cert_type,
#: pricing_model), in the usual text fields, and in a key
SURROGATE = (b'{"kind": "\\ud800", "confidentiality": "\\ud800", "price_unit": "\\udfff", "cert_type": "\\ud800",'
             b' "pricing_model": "\\ud800", "name": "\\ud800x", "title": "\\ud800", "username": "\\ud800",'
             b' "password": "\\ud800", "\\ud800": 1}')

HOSTILE_JSON = {"nested 1,000 deep": DEEP_ARRAYS, "objects 1,000 deep": DEEP_OBJECTS, "lone surrogate": SURROGATE}

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def hostile_json_failures(operation, headers: dict, checks: list, path_parameters: dict | None = None) -> list[str]:
    """Send every :data:`HOSTILE_JSON` body to a schemathesis write ``operation``; what did not answer a clean 400.

    Path parameters default to 1: the body is refused before the view looks anything up.
    """
    if operation.method.upper() not in WRITE_METHODS:
        return []
    params = path_parameters or {name: 1 for name in ("id",) if "{" + name + "}" in operation.path}
    failures = []
    for label, body in HOSTILE_JSON.items():
        case = operation.Case(body=body, media_type="application/json", path_parameters=params)
        response = case.call(headers=headers)
        try:
            case.validate_response(response, checks=checks)
            assert response.status_code == 400, f"status {response.status_code}"
            assert response.json()["detail"], response.text
        except Exception as exc:  # collected: the caller reports every operation together
            failures.append(f"{operation.method.upper()} {operation.path} with {label}: {exc}")
    return failures
