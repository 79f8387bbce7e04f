"""`ronghe data …`: import, list, fetch and remove IO tables in the local store."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import click


def _skip(path: Path, reason: str) -> None:
    click.echo(f"skipped {path}: {reason}", err=True)


def _describe(meta) -> str:
    year = meta.year if meta.year is not None else "-"
    return f"{meta.id}\t{meta.publisher} {meta.country} {year}\t{meta.unit}, {meta.price_basis}"


@click.group()
def data() -> None:
    """The local table store ($RONGHE_DATA_DIR)."""


@data.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="FILE_OR_DIR...")
@click.option("--id", "table_id", help="Table id (several tables: ID-<year>).")
def import_cmd(paths: tuple[Path, ...], table_id: str | None) -> None:
    """Recognise, check and store the IO tables in FILE_OR_DIR… (files of one release in one call)."""
    from ronghe.measure import store

    metas = store.import_files(list(paths), table_id, on_skip=_skip)
    for meta in metas:
        click.echo(f"imported {_describe(meta)}")
    click.echo(f"{len(metas)} table(s) in {store.data_dir()}", err=True)


@data.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def list_cmd(fmt: str) -> None:
    """The stored tables: id, publisher, country, year, sectors, unit, price basis, source files, sha256."""
    from ronghe.measure import store

    rows = store.summaries()
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo(f"no tables in {store.data_dir()} (add some with `ronghe data import`)", err=True)
        return
    header = ["id", "publisher", "country", "year", "sectors", "unit", "price basis", "source", "sha256"]
    body = [[r["id"], r["publisher"], r["country"], "" if r["year"] is None else str(r["year"]),
             str(r["sectors"]), r["unit"], r["price_basis"], _first(r["source_files"]),
             _first([s[:12] for s in r["sha256"]])] for r in rows]
    widths = [max(_width(line[i]) for line in [header, *body]) for i in range(len(header))]
    for line in [header, *body]:
        click.echo("  ".join(cell + " " * (w - _width(cell)) for cell, w in zip(line, widths, strict=True)).rstrip())


def _width(cell: str) -> int:
    """Columns a terminal gives the text: CJK characters (万元) take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in cell)


def _first(items: list[str]) -> str:
    """First entry plus a count: a BEA table has three source files; --format json lists them all."""
    if not items:
        return "-"
    return items[0] + (f" (+{len(items) - 1})" if len(items) > 1 else "")


@data.command("fetch")
@click.argument("table_id")
def fetch_cmd(table_id: str) -> None:
    """Download TABLE_ID from its pinned address, check its sha256 and import it (needs the internet)."""
    from ronghe.measure import store

    for meta in store.fetch(table_id):
        click.echo(f"imported {_describe(meta)}")


@data.command("remove")
@click.argument("table_id")
def remove_cmd(table_id: str) -> None:
    """Delete TABLE_ID from the store."""
    from ronghe.measure import store

    store.remove(table_id)
    click.echo(f"removed {table_id}")
