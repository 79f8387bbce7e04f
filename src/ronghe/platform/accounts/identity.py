"""The platform's identity source for core: memberships of the user's organizations (registered in ready())."""

from __future__ import annotations

from typing import Any

from ronghe.platform.core.identity import Affiliation


class AccountsIdentity:
    operator_kinds = frozenset({"operator"})
    read_only_kinds = frozenset({"government"})

    def affiliations(self, user: Any) -> list[Affiliation]:
        from ronghe.platform.accounts.models import Membership

        rows = (Membership.objects.filter(user=user)
                .values_list("organization_id", "organization__kind", "role", "organization__name",
                             "organization__verification"))
        return [Affiliation(org_id, kind, role, name, verified=verification == "verified")
                for org_id, kind, role, name, verification in rows]
