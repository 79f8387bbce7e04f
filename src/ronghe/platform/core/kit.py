"""The write kit: what every service function of every app is made of.

A service is ``verb_noun(actor, obj_or_parent, **fields)`` and does, in this order, inside one transaction:

1. :func:`lock` the row it changes (``select_for_update``) — *before* reading any state it depends on;
2. check the rule (``rules.require(actor, "action", obj)``) and the state (:class:`StateTable`);
3. write;
4. :func:`record` — the app's business event and the audit-chain entry, in the same transaction;
5. schedule side effects (notifications, index updates) with ``transaction.on_commit``.

:func:`transition` does all five for a state change. Errors are Django's ``ValidationError`` (field →
messages; forms show them, the API answers 400) and ``PermissionDenied`` (403); nothing is written unless
everything passed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction

from ronghe.platform.core import audit
from ronghe.platform.core.models import Event

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class StateTable:
    """Every allowed ``from → to`` of one state field, nothing else (ProZorro's state modules)."""

    moves: Mapping[str, frozenset[str]]
    labels: Mapping[str, str] = field(default_factory=dict)

    def allows(self, current: str, target: str) -> bool:
        return target in self.moves.get(current, frozenset())

    def targets(self, current: str) -> frozenset[str]:
        return self.moves.get(current, frozenset())

    def states(self) -> frozenset[str]:
        return frozenset(self.moves) | frozenset().union(*self.moves.values())

    def refuse(self, current: str, target: str, state_field: str = "state") -> ValidationError:
        here, there = self.labels.get(current, current), self.labels.get(target, target)
        return ValidationError({state_field: [
            f"不能从“{here}”变为“{there}” (cannot go from {current} to {target})"
        ]})


def lock(model_or_obj: type[M] | M, pk: Any = None) -> M:
    """The row, re-read under a row lock; must run inside ``transaction.atomic()``."""
    if isinstance(model_or_obj, models.Model):
        model, pk = type(model_or_obj), model_or_obj.pk
    else:
        model = model_or_obj
    return model._default_manager.select_for_update().get(pk=pk)


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The JSON form of some fields (foreign keys by id) — the before/after of an audit entry."""
    out = {}
    for name in fields:
        f = obj._meta.get_field(name)
        attname = f.attname if getattr(f, "attname", None) and not f.many_to_many else name
        value = getattr(obj, attname)
        if f.many_to_many:
            value = sorted(value.values_list("pk", flat=True)) if obj.pk else []
        out[name] = value
    return audit.jsonable(out)


def changed(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the fields whose value differs, on both sides."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def record(actor: Any, obj: models.Model | tuple[str, Any], action: str, *, before: Mapping | None = None,
           after: Mapping | None = None, event: type[Event] | None = None, subject: models.Model | None = None,
           from_state: str = "", to_state: str = "", note: str = "", data: Mapping | None = None,
           organization_id: int | None = None) -> audit.AuditEntry:
    """Append the audit entry (always) and the app's business event (when ``event`` is given).

    Once the transaction commits, the event goes to every registered event sink (the inbox), so a rolled-back
    write never notifies anyone and the notifications are these events, not a second history.
    """
    if event is not None:
        target = subject if subject is not None else obj
        row = event.objects.create(**{
            event.subject_field: target, "kind": action.rsplit(".", 1)[-1][:32],
            "user": actor if getattr(actor, "is_authenticated", False) else None,
            "organization_id_acting": organization_id if organization_id is not None
            else (audit.acting_organization(actor, target) if getattr(actor, "is_authenticated", False) else None),
            "from_state": from_state, "to_state": to_state, "note": note[:200],
            "data": audit.jsonable(dict(data or {})),
        })
        _dispatch_on_commit(row, action)
    return audit.append(actor, obj, action, before=dict(before or {}), after=dict(after or {}),
                        organization_id=organization_id)


def _dispatch_on_commit(event_row: Event, action: str) -> None:
    from ronghe.platform.core.registry import event_sinks, resolve

    sinks = event_sinks()
    if not sinks:
        return

    def deliver() -> None:
        for path in sinks:
            try:
                resolve(path)(event_row, action)
            except Exception:  # a failed notification never undoes or breaks the committed write
                logging.getLogger("ronghe.platform.kit").exception("event sink %s failed for %s", path, action)

    transaction.on_commit(deliver)


def transition(actor: Any, obj: M, target: str, *, table: StateTable, action: str,
               check: Callable[[M], None] | None = None, apply: Callable[[M], Iterable[str] | None] | None = None,
               event: type[Event] | None = None, state_field: str = "state", note: str = "",
               data: Mapping | None = None, side_effects: Iterable[Callable[[], None]] = ()) -> M:
    """Move ``obj`` to ``target``: lock, check the table (and ``check``), write, record, schedule side effects.

    ``check(locked)`` runs right after the lock and before the state table — typically
    ``rules.require(actor, action, locked)`` plus any precondition, raising ``PermissionDenied`` or
    ``ValidationError``; ``apply(locked)`` sets extra fields (timestamps) and returns their names for ``update_fields``.
    """
    with transaction.atomic():
        locked = lock(obj)
        source = getattr(locked, state_field)
        if check is not None:  # the rule first: the wrong person learns nothing about the state
            check(locked)
        if not table.allows(source, target):
            raise table.refuse(source, target, state_field)
        setattr(locked, state_field, target)
        extra = list(apply(locked) or ()) if apply is not None else []
        update = [state_field, *extra]
        if any(f.name == "updated_at" for f in locked._meta.concrete_fields):
            update.append("updated_at")
        locked.save(update_fields=update)
        record(actor, locked, action, before={state_field: source}, after=audit.jsonable(
            {state_field: target, **{name: getattr(locked, name) for name in extra}}),
            event=event, from_state=source, to_state=target, note=note, data=data)
        for effect in side_effects:
            transaction.on_commit(effect)
    return locked


def require_fields(errors: dict[str, list[str]]) -> None:
    """Raise the collected field errors at once, so a form shows them all."""
    if errors:
        raise ValidationError(errors)
