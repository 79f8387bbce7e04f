"""The bulk kit: multi-row INSERTs without the ORM's per-value compilation, and one audit entry per batch.

Each app that needs bulk writes (the demo-data generator at 100,000+ providers, loaders) has ONE ``bulk.py``
built from this: it imports its invariants (state tables, derived fields, ``budget_band``…) from the app
itself, writes with :class:`Table`, and calls :func:`audit_batch` once per model and batch inside the batch's
transaction — so the chain says who wrote how many rows of what, with which ids.

Django's ``bulk_create`` compiles every value of every object (``prepare_value``, ``pre_save``…), which costs
more than SQLite takes to store it: at 100,000 providers that is most of the run. :class:`Table` adapts
only the columns that need it (dates, decimals, JSON) with the field's own ``get_db_prep_save``, fills every
column the caller does not give with the field's default (``auto_now``/``auto_now_add``: the run's time),
and runs plain parameterised INSERTs on both SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models, transaction

from ronghe.platform.core import audit

#: The actor of the generator's batches on the audit chain.
DEMO_DATA_ACTOR = "system:demo-data"

#: Stay under SQLite's default limit of 32,766 bound parameters per statement (PostgreSQL allows 65,535).
MAX_PARAMS = 30_000


class Table:
    """Inserts rows of ``model`` given as tuples of the ``given`` attnames (e.g. ``"organization_id"``)."""

    def __init__(self, model: type[models.Model], given: Sequence[str], now: datetime) -> None:
        self.model = model
        self.connection = connection = connections[DEFAULT_DB_ALIAS]
        ops = connection.ops
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        by_attname = {f.attname: f for f in fields}
        unknown = set(given) - set(by_attname)
        if unknown:
            raise ValueError(f"{model.__name__} has no columns {sorted(unknown)}")
        position = {name: n for n, name in enumerate(given)}
        self.columns = [f.column for f in fields]
        self.slots: list[tuple[int, Any]] = []  # (index into the given tuple, adapter) or (-1, constant)
        for f in fields:
            if f.attname in position:
                self.slots.append((position[f.attname], _adapter(f, ops)))
            else:
                value = (
                    now
                    if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
                    else f.get_default()
                )
                self.slots.append((-1, f.get_db_prep_save(value, connection)))
        names = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        self.head = f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({names}) VALUES "
        self.one = "(" + ", ".join(["%s"] * len(self.columns)) + ")"
        self.pk_column = connection.ops.quote_name(model._meta.pk.column)

    def _full(self, row: Sequence[Any]) -> tuple:
        return tuple(x if n < 0 else (row[n] if x is None else x(row[n])) for n, x in self.slots)

    def insert(self, rows: Iterable[Sequence[Any]]) -> int:
        """Insert without reading anything back; returns the row count."""
        params = [self._full(r) for r in rows]
        if params:
            with self.connection.cursor() as cursor:
                cursor.executemany(self.head + self.one, params)
        return len(params)

    def insert_returning(self, rows: Sequence[Sequence[Any]]) -> list[int]:
        """Insert; the new primary keys in row order (multi-row INSERT … RETURNING, as bulk_create)."""
        per_statement = max(1, MAX_PARAMS // len(self.columns))
        ids: list[int] = []
        with self.connection.cursor() as cursor:
            for start in range(0, len(rows), per_statement):
                chunk = rows[start : start + per_statement]
                params = [value for r in chunk for value in self._full(r)]
                cursor.execute(
                    self.head + ", ".join([self.one] * len(chunk)) + f" RETURNING {self.pk_column}", params
                )
                # Keys grow in the order the statement inserts its rows (AUTOINCREMENT, sequences), whatever
                # order RETURNING reports them in.
                ids.extend(sorted(row[0] for row in cursor.fetchall()))
        if len(ids) != len(rows):
            raise RuntimeError(
                f"{self.model.__name__}: inserted {len(rows)} rows but got {len(ids)} ids back"
            )
        return ids


def _adapter(field: models.Field, ops: Any) -> Any:
    """The backend conversion a value of this column needs, or None when the driver takes it as it is.

    Decimals and ints go straight to the driver (Django registers the Decimal adapter for SQLite itself).
    """
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    if isinstance(field, models.JSONField):
        return lambda value: ops.adapt_json_value(value, field.encoder)
    return None


def audit_batch(model: type[models.Model], ids: Sequence[int], *, actor: str = DEMO_DATA_ACTOR,
                action: str = "bulk_created", **extra: Any) -> audit.AuditEntry | None:
    """One chain entry for a batch of new ``model`` rows: how many, the id range, and any ``extra`` counts.

    Must run inside the batch's transaction (``audit.append`` refuses otherwise), so a rolled-back batch leaves
    no entry; an empty batch appends nothing.
    """
    if not ids:
        return None
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_batch must run inside the transaction of the batch it records")
    label = audit.object_label(model)
    first, last = min(ids), max(ids)
    return audit.append(actor, (label, f"{first}-{last}"), f"{model._meta.app_label}.{action}",
                        after={"count": len(ids), "first_id": first, "last_id": last, **extra})
