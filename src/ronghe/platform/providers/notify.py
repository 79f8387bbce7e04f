"""Who hears of a provider's events, and what they read (declared in ``platform.py``; the inbox delivers)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_noop

from ronghe.platform.core.registry import Notice
from ronghe.platform.providers.models import Certificate, ProviderEvent


def the_provider(event: ProviderEvent) -> list[int]:
    """A certificate was verified or rejected: the provider that holds it."""
    return [event.provider_id]


_NOTICES = {
    "providers.certificate_verified": gettext_noop("贵单位的证书“{certificate}”已通过核验"),
    "providers.certificate_rejected": gettext_noop("贵单位的证书“{certificate}”被驳回：{reason}"),
}


def describe(event: ProviderEvent, action: str, user: Any) -> Notice:
    """Sent to the provider's own people: its certificate and the verifier's reason are theirs to read."""
    cert = Certificate.objects.filter(pk=(event.data or {}).get("certificate")).first()
    label = f"{cert.type_name} {cert.number}" if cert else ""
    return Notice(_NOTICES.get(action, gettext_noop("贵单位的服务商档案有新动态")),
                  {"certificate": label, "reason": (cert.rejection_reason if cert else "") or event.note}, reverse("providers:my_provider"))
