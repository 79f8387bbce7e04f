"""Base models shared by every app: timestamps, restricted querysets, business events, the audit chain and
the confidential-access log.

Object permissions are constraints on querysets (NetBox's ``RestrictedQuerySet.restrict(user, action)``):
every page and API endpoint starts from ``Model.objects.restrict(user, action)``, so the two can never
disagree about who sees what.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class RestrictedQuerySet(models.QuerySet):
    """A queryset that knows how to narrow itself to what a user may do.

    Subclasses narrow :meth:`restrict` where rows are private (drafts, private demands); the default shows
    every row. What a user may *do* with a row is a rule in the app's ``rules`` module (see ``core.rules``).
    """

    def restrict(self, user: Any, action: str = "view") -> RestrictedQuerySet:
        """Rows ``user`` may *see*. Whether they may change one is the app's rule (``core.rules``), asked
        per object by services, pages and the API alike — never a second queryset that could disagree."""
        if action != "view":
            raise ValueError(f"restrict() decides visibility only; ask the app's rules for {action!r}")
        return self.visible_to(user)

    def visible_to(self, user: Any) -> RestrictedQuerySet:
        """The rows ``user`` may see; the default is every row. Apps override this for private rows."""
        return self


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Event(models.Model):
    """One step of an object's business history (Saleor's typed events): every app's ``…Event`` extends this.

    Subclasses add the foreign key to their subject and name it in ``subject_field``; ``core.kit.record``
    writes them together with the audit entry, and the inbox reads them — there is no second history.
    """

    subject_field: str = ""

    kind = models.CharField(max_length=32)
    from_state = models.CharField(max_length=16, blank=True)
    to_state = models.CharField(max_length=16, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    organization_id_acting = models.BigIntegerField(null=True, blank=True,
                                                    help_text="the organization the user acted for")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    note = models.CharField(max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    @property
    def subject(self) -> models.Model:
        return getattr(self, self.subject_field)


class AuditEntry(models.Model):
    """One link of the tamper-evident audit chain (append-only; written only by ``core.audit.append``).

    ``hash`` = SHA-256(``prev_hash`` + canonical JSON of every other field), so editing, deleting, inserting or
    reordering any entry breaks the chain at that point; ``ronghe audit verify`` finds it.
    """

    seq = models.PositiveBigIntegerField(unique=True, help_text="position in the chain, 1, 2, 3 … without gaps")
    at = models.DateTimeField(db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True, help_text="user id (kept if the user is deleted)")
    actor = models.CharField(max_length=150, blank=True, help_text="username, or system:<job>")
    organization_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    object_type = models.CharField(max_length=64, db_index=True)
    object_id = models.CharField(max_length=64, db_index=True)
    action = models.CharField(max_length=48)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64, unique=True)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id", "seq"], name="audit_object_idx")]
        verbose_name = "审计链条目 audit entry"
        verbose_name_plural = "审计链 audit chain"

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"


class AuditHead(models.Model):
    """The chain's single head row: appenders lock it, so concurrent writers queue instead of forking."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = "审计链头 audit head"


class ConfidentialAccess(models.Model):
    """One row per access to confidential material: who, when, what (required by the Match section)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    organization = models.ForeignKey(
        "accounts.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    what = models.CharField(max_length=200, help_text="field set or attachment accessed")
    channel = models.CharField(max_length=16, default="web", help_text="web, api or export")
    audit_seq = models.PositiveBigIntegerField(null=True, blank=True, unique=True,
                                               help_text="its entry in the audit chain, which keeps the record")

    class Meta:
        ordering = ["-at"]
        verbose_name = "保密信息访问记录 confidential access"
        verbose_name_plural = "保密信息访问记录 confidential accesses"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} {self.object_type}#{self.object_id} {self.what}"
