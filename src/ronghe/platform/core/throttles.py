"""Rate limits on the doors people knock on repeatedly: signing in, API tokens, registering organizations.

DRF's own ``SimpleRateThrottle`` does the counting (rates in ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``, history
in the shared "default" cache, so every web process counts together); :class:`ScopeThrottle` only makes it usable
for plain Django views as well, keyed by the client address. The coarse per-request limits of every API call
count in the per-process "local" cache instead: on the shared database cache each read would cost writes.
"""

from __future__ import annotations

from django.core.cache import caches
from django.http import HttpRequest
from rest_framework import throttling
from rest_framework.throttling import SimpleRateThrottle


class ScopeThrottle(SimpleRateThrottle):
    """``ScopeThrottle("login").allow_request(request, None)``: one bucket per scope and client address."""

    def __init__(self, scope: str) -> None:
        self.scope = scope
        super().__init__()

    def get_cache_key(self, request: HttpRequest, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class AnonRateThrottle(throttling.AnonRateThrottle):
    """DRF's anonymous limit, counted per process."""

    cache = caches["local"]


class UserRateThrottle(throttling.UserRateThrottle):
    """DRF's signed-in limit, counted per process."""

    cache = caches["local"]
