"""``ronghe export ocds [--since DATE] --out FILE``: the OCDS 1.1 release package of every deal's public data."""

from __future__ import annotations

import json
import sys
from datetime import datetime

import click


@click.group()
def export() -> None:
    """Exports of platform data in open standards."""


@export.command()
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="only releases dated on or after this day (YYYY-MM-DD)")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True),
              help="the JSON file to write (- for standard output)")
def ocds(since: datetime | None, out: str) -> None:
    """Write an OCDS 1.1 release package (bids extension; the audit chain's head included), validated first."""
    from ronghe.platform.bootstrap import setup_django

    setup_django()
    from django.utils import timezone

    from ronghe.platform.deals import ocds as export_ocds

    since_at = timezone.make_aware(since) if since else None
    package = export_ocds.release_package(since=since_at)
    errors = export_ocds.validate(package, "release")
    if errors:
        click.echo("OCDS package does not validate:\n" + "\n".join(errors[:20]), err=True)
        sys.exit(1)
    text = json.dumps(package, ensure_ascii=False, indent=2)
    if out == "-":
        click.echo(text)
    else:
        with open(out, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
        head = package["x_auditChainHead"]
        click.echo(f"{len(package['releases'])} releases → {out} (audit chain head {head['hash'][:16]}…, "
                   f"{head['entries']} entries)")
