"""`ronghe measure …`: integration indicators, comparisons and reports.

Stable for scripts: every failure is an :class:`~ronghe.errors.InputError` (one line on stderr, exit ≠ 0);
JSON and CSV layouts are documented in docs/user-guide.md; xlsx/html runs print only the written path.
"""

from __future__ import annotations

import json
import math
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ronghe.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

FORMATS = ("table", "json", "csv", "xlsx", "html")
_SUFFIX_FORMATS = {".json": "json", ".csv": "csv", ".xlsx": "xlsx", ".html": "html", ".htm": "html",
                   ".txt": "table"}


def _resolve_format(fmt: str | None, out: str | None) -> str:
    """An explicit --format wins; otherwise the --out suffix decides; otherwise a terminal table."""
    if fmt is None:
        return _SUFFIX_FORMATS.get(Path(out).suffix.lower(), "table") if out else "table"
    if fmt.lower() not in FORMATS:
        raise InputError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
    return fmt.lower()


def _concordances(specs: Sequence[str], classification: str) -> Any:
    """``FILE`` (every region) or ``REGION=FILE`` (one region of a multi-regional table), repeatable."""
    from ronghe.measure import standards

    by_region: dict[str, Any] = {}
    single = None
    for spec in specs:
        region, sep, file = spec.partition("=")
        if sep and region and not Path(spec).exists():
            by_region[region] = standards.read_concordance(file)
        elif single is None:
            single = standards.read_concordance(spec)
        else:
            raise InputError("give one --concordance FILE, or REGION=FILE for each region of a multi-regional table")
    if by_region and single is not None:
        raise InputError("give --concordance FILE or REGION=FILE options, not both")
    return by_region or single


def _compute(table_id: str, concordance: Sequence[str] | str | None = None, variant: str | None = None) -> list[Any]:
    """A stored table's indicators (one per region for a multi-regional table) under the shipped, a
    named-variant or the user's concordance(s)."""
    from ronghe.measure import standards, store
    from ronghe.measure.fusion import indicators_of

    specs = [concordance] if isinstance(concordance, str) else list(concordance or ())
    if specs and variant is not None:
        raise InputError("give --concordance FILE or --variant NAME, not both")
    blocks = store.load_blocks(table_id)
    if specs:
        conc = _concordances(specs, blocks.meta.classification)
    elif variant is not None:
        conc = standards.load_concordance(blocks.meta.classification, variant)
    else:
        conc = None
    if blocks.regions:
        from ronghe.measure.regions import regional_indicators

        return list(regional_indicators(blocks, conc).values())
    if isinstance(conc, dict):
        raise InputError(f"concordance given for region {next(iter(conc))!r}, but table {table_id!r} has no "
                         "regions (give --concordance FILE)")
    return [indicators_of(blocks, conc)]


def json_text(value: Any, pad: str = "") -> str:
    """JSON indented like ``indent=2``, except that each record of a table sits on one line.

    Why: a 10,000-sector table has ~6,000 records; Python's indenting encoder is pure Python, while one
    ``json.dumps`` per record runs in C (several times faster) and keeps the file readable line by line.
    """
    inner = pad + "  "
    if isinstance(value, dict) and value:
        body = ",\n".join(f"{inner}{json.dumps(str(k), ensure_ascii=False)}: {json_text(v, inner)}"
                          for k, v in value.items())
        return "{\n" + body + "\n" + pad + "}"
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        body = ",\n".join(inner + json.dumps(v, ensure_ascii=False) for v in value)
        return "[\n" + body + "\n" + pad + "]"
    return json.dumps(value, ensure_ascii=False)


def _emit(text: str, out: str | None) -> None:
    if out is None:
        click.echo(text, nl=not text.endswith("\n"))
        return
    try:
        Path(out).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write output: {exc.strerror or exc}", file=out) from exc
    click.echo(out)


def _write_file(items: Sequence[Any], fmt: str, out: str) -> None:
    import xlsxwriter.exceptions

    from ronghe.measure import report

    writer = report.report_to_xlsx if fmt == "xlsx" else report.report_to_html
    try:
        writer(items, out)
    except (OSError, xlsxwriter.exceptions.XlsxWriterException) as exc:
        raise InputError(f"cannot write output: {getattr(exc, 'strerror', None) or exc}", file=out) from exc
    click.echo(out)


# ----- terminal tables (CJK-aware widths) -------------------------------------------------------------
def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _pad(s: str, width: int, right: bool) -> str:
    fill = " " * (width - _width(s))
    return fill + s if right else s + fill


def text_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Aligned plain-text table; numeric-looking columns are right-aligned."""
    widths = [max(_width(h), *(_width(r[j]) for r in rows)) if rows else _width(h) for j, h in enumerate(headers)]
    numeric = [all(_is_number(r[j]) for r in rows) and bool(rows) for j in range(len(headers))]
    lines = ["  ".join(_pad(h, w, n) for h, w, n in zip(headers, widths, numeric, strict=True)),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(_pad(c, w, n) for c, w, n in zip(r, widths, numeric, strict=True)) for r in rows]
    return "\n".join(lines)


def _is_number(s: str) -> bool:
    try:
        float(s.replace(",", ""))
    except ValueError:
        return s == ""
    return True


def _num(v: Any, digits: int = 2) -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return ""
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return f"{v:,.0f}" if abs(v) >= 1e5 else f"{v:,.{digits}f}"
    return str(v)


def render_indicators(ind: Any) -> str:
    """The readable terminal view of one table's indicators, zh and en labels."""
    from ronghe.measure import report

    m, s = ind.meta, ind.summary
    cur = m.currency
    out = [f"{m.id} · {m.publisher} · {m.country} {m.year} · {m.unit} · {m.price_basis}", ""]
    g = ind.by_group
    rows = [[f"{report.GROUP_LABELS[k][0]} {report.GROUP_LABELS[k][1]}",
             _num(g.loc[k, "ps_inputs_trillion"]), _num(report.in_trillion(ind, g.loc[k, "intermediate_inputs"])),
             _num(g.loc[k, "share_pct"])] for k in report.GROUPS if k in g.index]
    out += ["制造业中生产性服务投入 Producer-service inputs into manufacturing",
            text_table(["技术组 group", f"PS inputs (tn {cur})", f"intermediate (tn {cur})", "share %"], rows), ""]
    scalars = [
        ("生产性服务业增加值/制造业增加值 PS VA / manufacturing VA", s.get("ps_va_to_mfg_va"), 2),
        ("完全需求系数 complete PS requirement per unit mfg final demand",
         s.get("complete_ps_requirement_per_unit_mfg_final_demand"), 4),
        ("最终需求隐含生产性服务增加值占比 % embodied PS VA share of mfg final demand",
         s.get("embodied_ps_va_share_of_mfg_final_demand_pct"), 2),
        ("出口隐含生产性服务增加值占比 % embodied PS VA share of mfg exports",
         s.get("embodied_ps_va_share_of_mfg_exports_pct"), 2),
    ]
    out += [text_table(["指标 indicator", "value"], [[k, _num(v, d)] for k, v, d in scalars]), ""]
    p = ind.by_ps_subsector
    rows = [[f"{r['name_zh']} {r['name_en']}", _num(report.in_trillion(ind, r["inputs_to_mfg"])),
             _num(r["share_of_mfg_intermediate_pct"]), _num(r["structure_pct"], 1)] for _, r in p.iterrows()]
    out += ["生产性服务业细分领域 Producer services by sub-sector",
            text_table(["细分领域 sub-sector", f"into mfg (tn {cur})", "% of mfg intermediate", "structure %"],
                       rows), "",
            "Per-sector detail and definitions: --format json|csv|xlsx|html."]
    return "\n".join(out) + "\n"


def render_compare(frame: pd.DataFrame) -> str:
    """Indicators × tables, each row's unit at the end (tables in 万元 and in US$ million side by side)."""
    from ronghe.measure.report.tables import unit_of_key

    rows = [[str(k), *[_num(v, 4) for v in frame.loc[k]], unit_of_key(str(k))] for k in frame.index]
    return text_table(["indicator", *map(str, frame.columns), "unit"], rows) + "\n"


# ----- commands ---------------------------------------------------------------------------------------
_variant_option = click.option(
    "--variant", metavar="NAME",
    help="named technology-group variant of the shipped concordance (standards/data/tech_variants.csv)")
_workers_option = click.option("--workers", type=int, metavar="N",
                                help="compute the tables on a local Dask cluster of N worker processes")
_scheduler_option = click.option("--scheduler", metavar="ADDRESS",
                                  help="compute on a running Dask cluster (tcp://host:8786); its workers must "
                                       "see the same store (RONGHE_DATA_DIR)")


def _batch(table_ids: Sequence[str], variant: str | None, workers: int | None, scheduler: str | None,
           concordance: Sequence[str] = ()) -> list[Any]:
    from ronghe.measure.batch import Task, compute_all

    return compute_all([Task(t, tuple(concordance), variant) for t in dict.fromkeys(table_ids)], workers=workers,
                       scheduler=scheduler)


_concordance_option = click.option(
    "--concordance", metavar="[REGION=]FILE", multiple=True,
    help="CSV code,role,group replacing the shipped concordance for every table (REGION=FILE: one region)")


_format_option = click.option("--format", "fmt", metavar="FORMAT",
                              help=f"one of {', '.join(FORMATS)} (default: from --out's suffix, else table)")


@click.group()
def measure() -> None:
    """Integration indicators from stored IO tables."""


@measure.command("indicators")
@click.option("--table", "table_id", required=True, metavar="ID", help="table id in the store (ronghe data list)")
@click.option("--concordance", metavar="[REGION=]FILE", multiple=True,
              help="CSV code,role,group replacing the shipped concordance; REGION=FILE for one region of a "
                   "multi-regional table (repeat per region)")
@_variant_option
@_format_option
@click.option("--out", metavar="PATH", help="write here instead of stdout (xlsx/html: default <ID>.<format>)")
def indicators_cmd(table_id: str, concordance: tuple[str, ...], variant: str | None, fmt: str | None,
                   out: str | None) -> None:
    """Integration indicators of one table (表 3–表 6 and detail); per region for a multi-regional table."""
    fmt = _resolve_format(fmt, out)
    items = _compute(table_id, concordance, variant)
    regional = "region" in items[0].summary
    if fmt in ("xlsx", "html"):
        _write_file(items, fmt, out or f"{table_id}.{fmt}")
    elif fmt == "json":  # no report module and no pandas on this path: it is what scripts and dashboards call
        doc = ({"table": table_id, "regions": {i.summary["region"]: i.to_dict() for i in items}} if regional
               else items[0].to_dict())
        _emit(json_text(doc) + "\n", out)
    elif fmt == "csv":
        from ronghe.measure import report

        _emit(report.to_long(items).to_csv(index=False), out)
    else:
        _emit("\n".join(render_indicators(i) for i in items), out)


@measure.command("compare")
@click.option("--table", "table_ids", required=True, multiple=True, metavar="ID",
              help="repeat for each table to set side by side")
@_variant_option
@_format_option
@click.option("--out", metavar="PATH", help="write here instead of stdout (xlsx/html: default compare.<format>)")
@_workers_option
@_scheduler_option
@_concordance_option
def compare_cmd(table_ids: tuple[str, ...], variant: str | None, fmt: str | None, out: str | None,
                workers: int | None, scheduler: str | None, concordance: tuple[str, ...]) -> None:
    """The same indicators for several tables, side by side (years of a publisher, countries, regions)."""
    import pandas as pd

    from ronghe.measure import report

    fmt = _resolve_format(fmt, out)
    items = _batch(table_ids, variant, workers, scheduler, concordance)
    if fmt in ("xlsx", "html"):
        _write_file(items, fmt, out or f"compare.{fmt}")
        return
    frame = report.summary_side_by_side(items)
    units = {i.meta.id: i.meta.unit for i in items}
    if fmt == "json":
        doc = {"tables": list(frame.columns), "table_units": units,
               "indicators": {k: {t: report.jsonable(frame.at[k, t]) for t in frame.columns} for k in frame.index},
               "units": {k: report.unit_of_key(str(k)) for k in frame.index}}
        _emit(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", out)
    elif fmt == "csv":  # the first row says each table's unit
        head = pd.DataFrame([units], index=pd.Index(["table_unit"], name="indicator"))
        _emit(pd.concat([head, frame.rename_axis("indicator")]).to_csv(), out)
    else:
        table_units = pd.DataFrame([units], index=["table_unit"])
        _emit(render_compare(pd.concat([table_units, frame])), out)


@measure.command("report")
@click.option("--table", "table_ids", multiple=True, metavar="ID", help="repeat; default: every stored table")
@click.option("--out", required=True, metavar="PATH", help="report.xlsx or report.html")
@_variant_option
@_format_option
@_workers_option
@_scheduler_option
@_concordance_option
def report_cmd(table_ids: tuple[str, ...], out: str, variant: str | None, fmt: str | None,
               workers: int | None, scheduler: str | None, concordance: tuple[str, ...]) -> None:
    """The analysts' report: Excel workbook (表 3–表 6, detail, definitions) or self-contained HTML."""
    fmt = _resolve_format(fmt, out)
    if fmt not in ("xlsx", "html"):
        raise InputError(f"a report is xlsx or html, not {fmt!r}: name --out report.xlsx or report.html")
    if not table_ids:
        from ronghe.measure import store

        table_ids = tuple(m.id for m in store.list_tables())
        if not table_ids:
            raise InputError("the table store is empty: import tables first with `ronghe data import FILE…`")
    _write_file(_batch(table_ids, variant, workers, scheduler, concordance), fmt, out)
