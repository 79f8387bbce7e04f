"""The tamper-evident audit chain (审计链) and the confidential-access log that rides on it.

Every service write of every app calls :func:`append` inside its own transaction, and so does every read of
confidential material (:func:`log_confidential_access`). Each entry's ``hash`` is the SHA-256 of the previous
entry's hash followed by the canonical JSON of the entry itself, so the chain proves that no entry was edited,
deleted, inserted or reordered since it was written — :func:`verify` (``ronghe audit verify``) finds the first
one that was. It does not prove the chain was never rewritten *whole* by someone with database access: that
is caught only by comparing the head hash with a copy published elsewhere (see docs/architecture.md).

Appenders lock the single :class:`AuditHead` row, so concurrent writers queue (PostgreSQL row lock; SQLite's
write lock) and the chain never forks; ``seq`` and ``prev_hash`` are unique as a second line of defence.
Append last in a transaction — after every row lock of the business write — so lock order is always
"business rows, then head" and writers cannot deadlock.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from ronghe.platform.core.models import AuditEntry, AuditHead, ConfidentialAccess
from ronghe.platform.core.permissions import affiliations, is_authenticated
from ronghe.platform.core.requestid import current_request_id

log = logging.getLogger("ronghe.platform.audit")

GENESIS = "0" * 64
CHANNELS = ("web", "api", "export")
#: the fields an entry's hash covers, in this order (``hash`` itself excluded)
HASHED_FIELDS = ("seq", "at", "actor_id", "actor", "organization_id", "object_type", "object_id", "action",
                 "before", "after", "request_id", "prev_hash")


def jsonable(value: Any) -> Any:
    """The JSON form a value is stored and hashed in (dates, decimals, UUIDs as Django's encoder writes them)."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def _canonical(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_fields(entry: AuditEntry) -> dict[str, Any]:
    """What the hash covers, read back from a stored entry exactly as it was written."""
    out = {name: getattr(entry, name) for name in HASHED_FIELDS}
    out["at"] = _stamp(entry.at)
    return out


def compute_hash(fields: dict[str, Any]) -> str:
    return hashlib.sha256(fields["prev_hash"].encode() + _canonical(fields)).hexdigest()


def object_label(obj: models.Model | type[models.Model]) -> str:
    """The audit object type of a model: ``app_label.model`` (e.g. ``demand.demand``)."""
    return obj._meta.label_lower


def _actor(actor: Any) -> tuple[int | None, str]:
    if actor is None:
        return None, "system"
    if isinstance(actor, str):
        return None, actor[:150]
    if is_authenticated(actor):
        return actor.pk, actor.get_username()[:150]
    return None, "anonymous"


def acting_organization(actor: Any, obj: models.Model | None = None) -> int | None:
    """The organization ``actor`` acted for: the object's own one if the actor belongs to it, else the first."""
    mems = affiliations(actor) if is_authenticated(actor) else []
    own = getattr(obj, "organization_id", None) or getattr(obj, "provider_id", None)
    for m in mems:
        if m.organization_id == own:
            return own
    return mems[0].organization_id if mems else None


def append(actor: Any, obj: models.Model | tuple[str, Any], action: str, *, before: dict | None = None,
           after: dict | None = None, organization_id: int | None = None) -> AuditEntry:
    """Append one entry for ``action`` on ``obj`` (a model instance, or ``(type, id)``); must run in a transaction.

    ``actor`` is a user, ``None`` for the system, or a string such as ``"system:expire_due_demands"``.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.append must run inside the transaction of the write it records")
    if isinstance(obj, tuple):
        object_type, object_id = obj[0], str(obj[1])
        instance = None
    else:
        object_type, object_id, instance = object_label(obj), str(obj.pk), obj
    actor_id, actor_name = _actor(actor)
    if organization_id is None and not isinstance(actor, str | type(None)):
        organization_id = acting_organization(actor, instance)
    head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
    at = timezone.now()
    fields = {
        "seq": head.seq + 1, "at": _stamp(at), "actor_id": actor_id, "actor": actor_name,
        "organization_id": organization_id, "object_type": object_type[:64], "object_id": object_id[:64],
        "action": action[:48], "before": jsonable(before or {}), "after": jsonable(after or {}),
        "request_id": current_request_id()[:64], "prev_hash": head.hash,
    }
    digest = compute_hash(fields)
    entry = AuditEntry.objects.create(**{**fields, "at": at, "hash": digest})
    head.seq, head.hash = entry.seq, digest
    head.save(update_fields=["seq", "hash"])
    return entry


def head() -> tuple[int, str]:
    """(length, head hash) of the chain: publish it (OCDS exports, deal pages) to make a rewrite detectable."""
    row = AuditHead.objects.filter(pk=1).first()
    return (row.seq, row.hash) if row else (0, GENESIS)


def history(object_type: str, object_id: Any) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(object_type=object_type, object_id=str(object_id)).order_by("seq"))


# --- verification --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Break:
    """The first place the chain does not hold: which entry, and what was done to it."""

    seq: int | None
    entry_id: int | None
    kind: str  # edited | deleted | inserted | reordered | truncated | access-log
    detail: str

    def __str__(self) -> str:
        where = f"entry #{self.seq}" if self.seq is not None else "the chain"
        return f"{where} (id {self.entry_id}): {self.kind} — {self.detail}"


@dataclass(frozen=True)
class Verification:
    entries: int
    head_hash: str
    broken: Break | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def _walk(batch: int = 5000) -> Iterator[AuditEntry]:
    last = -1
    while True:
        rows = list(AuditEntry.objects.filter(seq__gt=last).order_by("seq")[:batch])
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


def _original_seq(fields: dict[str, Any], digest: str, reach: int = 64) -> int | None:
    """The position an otherwise unchanged entry was written at, if it was only moved (seq renumbered)."""
    seq = fields["seq"]
    for candidate in range(max(1, seq - reach), seq + reach + 1):
        if candidate != seq and compute_hash({**fields, "seq": candidate}) == digest:
            return candidate
    return None


def verify() -> Verification:
    """Walk the chain from the start; report the first entry that was edited, deleted, inserted or moved."""
    known_hashes = set(AuditEntry.objects.values_list("hash", flat=True))
    previous_hash, expected_seq, count = GENESIS, 1, 0
    for entry in _walk():
        count += 1
        fields = entry_fields(entry)
        if compute_hash(fields) != entry.hash:
            written_as = _original_seq(fields, entry.hash)
            if written_as is not None:
                return Verification(count, previous_hash, Break(entry.seq, entry.pk, "reordered",
                                    f"it was written as entry #{written_as}"))
            return Verification(count, previous_hash, Break(entry.seq, entry.pk, "edited",
                                f"its content no longer matches its hash {entry.hash[:12]}…"))
        if entry.prev_hash != previous_hash:
            if entry.seq != expected_seq or entry.prev_hash not in known_hashes | {GENESIS}:
                kind = "deleted" if entry.seq > expected_seq else "inserted"
                detail = (f"entries #{expected_seq}–#{entry.seq - 1} are missing" if kind == "deleted"
                          else "it links to no entry of the chain")
            else:
                kind, detail = "reordered", "it links to an entry other than the one before it"
            return Verification(count, previous_hash, Break(entry.seq, entry.pk, kind, detail))
        if entry.seq != expected_seq:
            return Verification(count, previous_hash, Break(entry.seq, entry.pk, "reordered",
                                f"expected position #{expected_seq}"))
        previous_hash, expected_seq = entry.hash, expected_seq + 1
    length, head_hash = head()
    if (length, head_hash) != (count, previous_hash):
        kind = "truncated" if length > count else "edited"
        return Verification(count, previous_hash, Break(None, None, kind,
                            f"the head says {length} entries ending {head_hash[:12]}…, the chain has {count}"))
    broken = _check_access_log()
    return Verification(count, previous_hash, broken)


def _check_access_log() -> Break | None:
    """Every confidential access has its chain entry and agrees with it (so a deleted row is noticed)."""
    chained = dict(AuditEntry.objects.filter(action="confidential.read").values_list("seq", "object_id"))
    rows = dict(ConfidentialAccess.objects.values_list("audit_seq", "object_id"))
    missing = sorted(set(chained) - set(rows))
    if missing:
        return Break(missing[0], None, "access-log",
                     f"the confidential-access row of entry #{missing[0]} was deleted")
    stray = sorted(seq for seq in rows if seq is None or seq not in chained)
    if stray:
        return Break(stray[0], None, "access-log", "a confidential-access row has no entry in the chain")
    for seq, object_id in rows.items():
        if chained[seq] != object_id:
            return Break(seq, None, "access-log", "a confidential-access row was edited")
    return None


# --- the confidential-access log -----------------------------------------------------------------------------


def log_confidential_access(user: Any, obj: models.Model, what: str, channel: str = "web") -> ConfidentialAccess:
    """Record that ``user`` saw ``what`` (a field set or attachment name) of ``obj`` through ``channel``.

    The row and its chain entry are written together: deleting the row leaves the entry, and ``verify`` notices.
    """
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}; expected one of {CHANNELS}")
    authenticated = is_authenticated(user)
    org_id = acting_organization(user, obj) if authenticated else None
    with transaction.atomic():
        entry = append(user if authenticated else "anonymous", obj, "confidential.read",
                       after={"what": what[:200], "channel": channel}, organization_id=org_id)
        row = ConfidentialAccess.objects.create(
            user=user if authenticated else None, organization_id=org_id, object_type=object_label(obj),
            object_id=str(obj.pk), what=what[:200], channel=channel, audit_seq=entry.seq,
        )
    log.info("confidential access user=%s %s#%s %s via %s",
             getattr(user, "pk", None), row.object_type, row.object_id, what, channel)
    return row
