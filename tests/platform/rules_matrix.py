"""What the rule matrices share: try a write (service call or HTTP request), undo it, classify the answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction


class _Rollback(Exception):
    pass


def attempt(fn: Callable[[], Any]) -> str:
    """Run ``fn`` and undo whatever it wrote; 'ok', 'denied' (401/403/404) or 'refused' (400)."""
    outcome = "ok"
    try:
        with transaction.atomic():
            result = fn()
            if hasattr(result, "status_code"):
                code = result.status_code
                outcome = ("ok" if code < 300 else "refused" if code == 400
                           else "denied" if code in (401, 403, 404) else f"http {code}")
            raise _Rollback
    except _Rollback:
        pass
    except PermissionDenied:
        outcome = "denied"
    except ValidationError:
        outcome = "refused"
    return outcome
