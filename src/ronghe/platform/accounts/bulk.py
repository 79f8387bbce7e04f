"""The accounts app's one bulk writer: organizations with their industry rows, admin users and memberships.

For the demo-data generator (hundreds of thousands of organizations), beside ``accounts.services`` and with
the same invariants, imported from this app: a kind is one of ``Organization.Kind``, the credit code passes
``validate_credit_code`` (upper-cased as ``Organization.save`` does), industries are GB/T 4754 division rows,
a generated login administers its organization (``Membership.Role.ADMIN``). Each call writes one batch inside
its own transaction (a savepoint within the caller's) and appends one audit entry per model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from ronghe.errors import InputError
from ronghe.platform.accounts.models import Membership, Organization
from ronghe.platform.accounts.validators import validate_credit_code
from ronghe.platform.core.bulk import DEMO_DATA_ACTOR, Table, audit_batch

_KINDS = frozenset(Organization.Kind.values)


@dataclass(frozen=True)
class OrganizationRow:
    """One new organization, as the generator makes it."""

    name: str
    kind: str
    credit_code: str
    province: str
    city: str = ""
    name_en: str = ""
    description: str = ""
    industries: Sequence[str] = field(default_factory=tuple)
    is_synthetic: bool = True


class AccountsBulkWriter:
    """Bulk writes for one run; ``now`` stamps ``created_at``/``updated_at`` (and ``date_joined``)."""

    def __init__(self, now: datetime, actor: str = DEMO_DATA_ACTOR) -> None:
        self.now, self.actor = now, actor
        self._org = Table(Organization, ("name", "name_en", "kind", "credit_code", "province", "city",
                                         "description", "is_synthetic"), now)
        self._org_industry = Table(Organization.industries.through, ("organization_id", "industry_id"), now)
        self._user = Table(get_user_model(), ("username", "password", "date_joined"), now)
        self._membership = Table(Membership, ("user_id", "organization_id", "role"), now)

    def organizations(self, rows: Sequence[OrganizationRow]) -> list[int]:
        """Insert the organizations and their industry rows; their primary keys in row order."""
        values = []
        for n, r in enumerate(rows):
            if r.kind not in _KINDS:
                raise InputError(f"unknown organization kind {r.kind!r}", cell=f"row {n}")
            code = r.credit_code.strip().upper()
            try:
                validate_credit_code(code)
            except ValidationError as exc:
                raise InputError(f"credit code {code}: {' '.join(exc.messages)}", cell=f"row {n}") from None
            values.append((r.name, r.name_en, r.kind, code, r.province, r.city, r.description, r.is_synthetic))
        if not values:
            return []
        with transaction.atomic():
            pks = self._org.insert_returning(values)
            industries = self._org_industry.insert(
                (pk, code) for pk, r in zip(pks, rows, strict=True) for code in r.industries
            )
            audit_batch(Organization, pks, actor=self.actor, industries=industries)
        return pks

    def admins(self, organizations: Sequence[int], usernames: Sequence[str], password_hash: str) -> list[int]:
        """One login per organization, its admin; all share ``password_hash`` (hashed once by the caller)."""
        if len(organizations) != len(usernames):
            raise ValueError("one username per organization")
        if not usernames:
            return []
        with transaction.atomic():
            users = self._user.insert_returning([(u, password_hash, self.now) for u in usernames])
            memberships = self._membership.insert_returning(
                [(u, o, Membership.Role.ADMIN) for u, o in zip(users, organizations, strict=True)]
            )
            audit_batch(Membership, memberships, actor=self.actor, users=len(users),
                        first_user_id=min(users), last_user_id=max(users))
        return users
