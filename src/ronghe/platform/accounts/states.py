"""An organization's verification (审核): registered → pending; the operator (or, for a provider, a verified
certifier) verifies it or rejects it with a reason; a rejected organization fixes its registration and its
business licence and submits again."""

from ronghe.platform.accounts.models import Organization
from ronghe.platform.core.kit import StateTable

V = Organization.Verification

VERIFICATION_STATES = StateTable(
    moves={
        V.PENDING: frozenset({V.VERIFIED, V.REJECTED}),
        V.REJECTED: frozenset({V.PENDING}),
    },
    labels={V.PENDING: "待审核", V.VERIFIED: "已认证", V.REJECTED: "未通过"},
)
