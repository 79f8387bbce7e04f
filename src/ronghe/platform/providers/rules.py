"""Who may do what to provider profiles, offerings, certificates and cases — the ONE answer of services,
pages and the API.

Each rule sees the object as it is now (offering active or not, certificate verified, rejected or expired).
Services ask after taking the row lock; pages pass :meth:`Rules.allowed` to templates as ``actions``; the API's
viewsets name these rules. Who may *see* a row stays in the models' ``restrict(user, "view")``.
``tests/platform/providers/test_rules.py`` checks that the three agree for every role × state × action.
"""

from __future__ import annotations

from typing import Any

from ronghe.platform.core.permissions import has_kind, is_authenticated, is_operator, may_write, org_ids
from ronghe.platform.core.rules import Rules
from ronghe.platform.providers.models import Case, Certificate, Offering, ProviderProfile

profile_rules = Rules("providers.providerprofile")
offering_rules = Rules("providers.offering")
certificate_rules = Rules("providers.certificate")
case_rules = Rules("providers.case")

#: Organization kinds whose members vouch for (or refuse) a provider's certificate.
VERIFIER_KINDS = frozenset({"certifier", "association", "operator"})
PROVIDER_KIND = "provider"


def can_maintain(user: Any, provider: Any) -> bool:
    """Members (admin or member) of the provider organization, and operators: the parent rule of every
    creation (profile, offering, certificate, case) and of every change below."""
    if not may_write(user) or getattr(provider, "kind", None) != PROVIDER_KIND:
        return False
    return is_operator(user) or provider.pk in org_ids(user)


def _maintains(user: Any, obj: Any) -> bool:
    provider = obj.organization if isinstance(obj, ProviderProfile) else obj.provider
    return can_maintain(user, provider)


# --- profiles ------------------------------------------------------------------------------------------------


@profile_rules.rule("change", "只有该服务商的成员可以修改 (only members of this provider may change it)")
def can_change_profile(user: Any, profile: ProviderProfile) -> bool:
    return _maintains(user, profile)


@profile_rules.rule("view_contacts", "登录后可查看联系方式 (sign in to see contact details)")
def can_view_contacts(user: Any, profile: ProviderProfile) -> bool:
    """Contact details are for signed-in users: the page and the API both ask this one predicate."""
    return is_authenticated(user)


# --- offerings -----------------------------------------------------------------------------------------------


@offering_rules.rule("change", "只有该服务商的成员可以修改 (only members of this provider may change it)")
def can_change_offering(user: Any, offering: Offering) -> bool:
    return _maintains(user, offering)


@offering_rules.rule("activate", "只有该服务商的成员可以启用已停用的服务 (only the provider reactivates)")
def can_activate_offering(user: Any, offering: Offering) -> bool:
    return _maintains(user, offering) and not offering.is_active


@offering_rules.rule("deactivate", "只有该服务商的成员可以停用有效的服务 (only the provider deactivates)")
def can_deactivate_offering(user: Any, offering: Offering) -> bool:
    return _maintains(user, offering) and offering.is_active


# --- certificates --------------------------------------------------------------------------------------------


def is_verifier_for(user: Any, certificate: Certificate) -> bool:
    """Certifiers, associations and the operator — never anyone who belongs to the provider itself."""
    if not may_write(user) or certificate.provider_id in org_ids(user):
        return False
    return bool(user.is_superuser) or has_kind(user, *VERIFIER_KINDS)


@certificate_rules.rule("change", "只有该服务商的成员可以修改 (only members of this provider may change it)")
def can_change_certificate(user: Any, certificate: Certificate) -> bool:
    return _maintains(user, certificate)


@certificate_rules.rule("verify", "只有认证机构、行业协会或平台运营方可以核验他方未过期、未核验的证书 "
                                  "(only certifiers, associations or the operator verify, never the provider "
                                  "itself, and only an unverified certificate that has not expired)")
def can_verify_certificate(user: Any, certificate: Certificate) -> bool:
    return is_verifier_for(user, certificate) and not certificate.verified and not certificate.is_expired


@certificate_rules.rule("reject", "只有认证机构、行业协会或平台运营方可以驳回他方待核验的证书 "
                                  "(only a verifier refuses a pending certificate of another organization)")
def can_reject_certificate(user: Any, certificate: Certificate) -> bool:
    return is_verifier_for(user, certificate) and not certificate.verified and not certificate.rejected_at


@certificate_rules.rule("see_evidence", "无权查看证明文件 (not entitled to the evidence)")
def can_see_evidence(user: Any, certificate: Certificate) -> bool:
    """The owner organization and those who may verify it; nobody else gets the file or its URL."""
    if not is_authenticated(user):
        return False
    if certificate.provider_id in org_ids(user) or is_operator(user):
        return True
    return has_kind(user, *VERIFIER_KINDS)


# --- cases ---------------------------------------------------------------------------------------------------


@case_rules.rule("change", "只有该服务商的成员可以修改 (only members of this provider may change it)")
def can_change_case(user: Any, case: Case) -> bool:
    return _maintains(user, case)
