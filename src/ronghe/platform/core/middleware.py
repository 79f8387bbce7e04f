"""Request guards that hold for every view, pages and API alike: hostile JSON bodies and throttled doors.

Both act in ``process_view``, after authentication and URL resolution and before the view reads anything, so a
refused request never reaches a form, a serializer or a service.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from ronghe.platform.core.parsers import HostileJSON, load_guarded
from ronghe.platform.core.throttles import ScopeThrottle

log = logging.getLogger("ronghe.platform.core")


class _Middleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)


def _is_json(content_type: str) -> bool:
    return content_type == "application/json" or content_type.endswith("+json")


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0  # as Django's WSGIRequest reads it


class JSONGuardMiddleware(_Middleware):
    """Every JSON body, whichever view receives it (DRF's own ``obtain_auth_token`` uses the stock parser),
    is checked for size, nesting depth and lone surrogates first; a refusal is a 400 (413 when too large)."""

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        if request.method in ("GET", "HEAD", "OPTIONS") or not _is_json(request.content_type or ""):
            return None
        try:
            if _declared_length(request) > settings.RONGHE_MAX_JSON_BYTES:  # refused before it is read
                raise HostileJSON(f"请求内容过大 (JSON body larger than {settings.RONGHE_MAX_JSON_BYTES} bytes)",
                                 status=413)
            load_guarded(request.body, request.encoding)
        except HostileJSON as exc:
            log.info("refused JSON body path=%s: %s", request.path, exc)
            return JsonResponse({"detail": str(exc)}, status=exc.status)
        except json.JSONDecodeError:
            return None  # malformed, but not hostile: the view answers it as it always did (DRF: a 400)
        return None


class ThrottleMiddleware(_Middleware):
    """POSTs to the views named in ``RONGHE_THROTTLED_VIEWS`` count against their scope's rate per client
    address; over it they answer 429 with ``Retry-After`` (JSON under /api/, a page elsewhere)."""

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        match = request.resolver_match
        scope = settings.RONGHE_THROTTLED_VIEWS.get(match.view_name) if match else None
        if request.method != "POST" or scope is None:
            return None
        throttle = ScopeThrottle(scope)
        if throttle.allow_request(request, None):
            return None
        retry_after = math.ceil(throttle.wait() or 1)
        log.info("throttled scope=%s ident=%s path=%s", scope, throttle.get_ident(request), request.path)
        if request.path.startswith("/api/"):
            response: HttpResponse = JsonResponse(
                {"detail": f"请求过于频繁，请 {retry_after} 秒后再试 (too many requests; retry in {retry_after} s)"},
                status=429)
        else:
            response = render(request, "429.html", {"retry_after": retry_after}, status=429)
        response["Retry-After"] = str(retry_after)
        return response
