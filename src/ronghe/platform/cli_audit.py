"""``ronghe audit verify`` and ``ronghe audit show --object TYPE:ID``: read the tamper-evident chain."""

from __future__ import annotations

import json
import sys

import click


def _setup() -> None:
    from ronghe.platform.bootstrap import setup_django

    setup_django()


@click.group()
def audit() -> None:
    """The audit chain (审计链): verify it, or print one object's history."""


@audit.command()
def verify() -> None:
    """Walk the whole chain; exit 1 naming the first edited, deleted, inserted or reordered entry."""
    _setup()
    from ronghe.platform.core.audit import verify as verify_chain

    result = verify_chain()
    if result.ok:
        click.echo(f"audit chain OK: {result.entries} entries, head {result.head_hash}")
        return
    click.echo(f"audit chain BROKEN at {result.broken} (the {result.entries - 1} entries before it hold)",
               err=True)
    sys.exit(1)


@audit.command()
@click.option("--object", "ref", required=True, metavar="TYPE:ID",
              help="e.g. demand.demand:42 (ronghe audit types lists the types)")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def show(ref: str, fmt: str) -> None:
    """Print every chain entry of one object, oldest first."""
    from ronghe.errors import InputError

    object_type, sep, object_id = ref.partition(":")
    if not sep or not object_type or not object_id:
        raise InputError(f"--object must be TYPE:ID, e.g. demand.demand:42 (got {ref!r})")
    _setup()
    from ronghe.platform.core.audit import history
    from ronghe.platform.core.registry import audit_types

    known = audit_types()
    if object_type not in known:
        raise InputError(f"unknown object type {object_type!r}; known: {', '.join(known)}")
    entries = history(object_type, object_id)
    if fmt == "json":
        click.echo(json.dumps([
            {"seq": e.seq, "at": e.at.isoformat(), "actor": e.actor, "organization_id": e.organization_id,
             "action": e.action, "before": e.before, "after": e.after, "request_id": e.request_id,
             "hash": e.hash} for e in entries
        ], ensure_ascii=False, indent=2))
        return
    if not entries:
        click.echo(f"no audit entries for {object_type}:{object_id}")
        return
    for e in entries:
        change = json.dumps({"before": e.before, "after": e.after}, ensure_ascii=False, sort_keys=True)
        click.echo(f"#{e.seq} {e.at:%Y-%m-%d %H:%M:%S%z} {e.actor} {e.action} {change} {e.hash[:12]}")


@audit.command("types")
def types() -> None:
    """The object types the installed apps audit."""
    _setup()
    from ronghe.platform.core.registry import audit_types

    for name in audit_types():
        click.echo(name)
