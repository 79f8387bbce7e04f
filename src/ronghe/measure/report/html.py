"""The self-contained HTML report: charts (plotly.js inline, works offline) and the same tables as the workbook."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ronghe import __version__
from ronghe.errors import InputError
from ronghe.measure.report.layout import (
    DEF_COLS,
    HEADLINE_COLS,
    NOTE_DEFS,
    T3_COLS,
    T4_COLS,
    T6_COLS,
    Col,
    summary_cols,
    t5_row_cols,
)
from ronghe.measure.report.tables import (
    _PUBLISHED_GROUPS,
    GROUP_LABELS,
    GROUPS,
    PUBLISHED_LABEL,
    IndicatorsLike,
    ReportFrames,
    _check_writable,
    _country,
    _ps_key,
    _published_note,
    _source_note,
    headline,
    published,
    report_frames,
    summary_by_table,
    t5_by_table,
)


def _figures(fr: ReportFrames) -> list[tuple[str, Any]]:
    import plotly.graph_objects as go

    figs: list[tuple[str, Any]] = []
    t3 = fr.t3
    fig = go.Figure()
    colours = dict(zip(GROUPS, ("#1f3b73", "#d62728", "#2ca02c", "#ff7f0e"), strict=True))
    dashes = ("solid", "dash", "dot", "dashdot")
    countries = sorted(t3["country"].unique())
    for country, part in t3[t3["source"] != PUBLISHED_LABEL].groupby("country", sort=True):
        for g in GROUPS:
            fig.add_trace(go.Scatter(
                x=part["year"], y=part[f"{g}_share_pct"], mode="lines+markers",
                name=f"{_country(country)} · {GROUP_LABELS[g][0]} {GROUP_LABELS[g][1]} (ronghe)",
                line={"color": colours[g], "dash": dashes[countries.index(country) % len(dashes)]},
                marker={"color": colours[g], "size": 6}))
    if "CHN" in countries:  # the report's own Table 3 points, all years, as a reference
        pub = published("table3")
        for g in GROUPS:
            part = pub[pub["group"].map(_PUBLISHED_GROUPS) == g]
            fig.add_trace(go.Scatter(
                x=part["year"], y=part["share_of_intermediate_inputs_pct"], mode="markers",
                name=f"{_country('CHN')} · {GROUP_LABELS[g][0]} {GROUP_LABELS[g][1]} ({PUBLISHED_LABEL}, 表3)",
                marker={"color": colours[g], "symbol": "diamond-open", "size": 12}))
    fig.update_layout(title="制造业中间投入中生产性服务投入占比 · PS share of manufacturing intermediate inputs (%)",
                      xaxis_title="年份 Year", yaxis_title="%", legend={"font": {"size": 10}})
    figs.append(("share", fig))

    t5 = fr.t5
    computed = [c for c in t5.columns[2:] if PUBLISHED_LABEL not in c]
    # the report's 表 5 columns of the same countries, as a reference (hatched), whatever their years
    pub5 = published("table5").set_index("sector")
    present = set(t3["country"])
    ref = [c for c in pub5.columns if c.split("_")[0] in present]
    keys = [_ps_key(str(i), n) for i, n in zip(t5.index, t5["name_en"], strict=True)]
    bars = [(c, False) for c in computed] + [(c, True) for c in ref]  # (column, is published)
    bars.sort(key=lambda b: (b[0].replace("_", " ").split(" ")[0], b[1]))  # by country: ronghe, then report
    x = [f"{c.replace('_', ' ')} · {PUBLISHED_LABEL}" if is_pub else c for c, is_pub in bars]
    fig = go.Figure()
    for (idx, row), key in zip(t5.iterrows(), keys, strict=True):
        y = [(pub5.at[key, c] if key in pub5.index else None) if is_pub else row[c] for c, is_pub in bars]
        fig.add_trace(go.Bar(x=x, y=y, name=f"{row['name_zh']} {row['name_en']}", hovertext=str(idx),
                             marker={"pattern": {"shape": ["/" if is_pub else "" for _, is_pub in bars]}}))
    fig.update_layout(barmode="stack", title="生产性服务业细分领域占比 · Structure of producer services (% of PS VA); "
                      "hatched: the report's 表 5", yaxis_title="%", xaxis={"tickangle": -45})
    figs.append(("structure", fig))

    t6 = fr.t6
    latest = t6.sort_values("year").groupby("country").tail(1)
    fig = go.Figure()
    for _, row in latest.iterrows():
        fig.add_trace(go.Bar(x=[f"{GROUP_LABELS[g][0]}<br>{GROUP_LABELS[g][1]}" for g in GROUPS],
                             y=[row[f"{g}_share_pct"] for g in GROUPS],
                             name=f"{_country(row['country'])} {row['year']}"))
    fig.update_layout(barmode="group", yaxis_title="%",
                      title="国别比较（最新年份） · Countries side by side, latest year: PS share by technology group")
    figs.append(("countries", fig))

    t4 = fr.t4[fr.t4["source"] != PUBLISHED_LABEL]
    fig = go.Figure()
    for country, part in t4.groupby("country"):
        fig.add_trace(go.Scatter(x=part["year"], y=part["ratio"], mode="lines+markers", name=_country(country)))
    fig.update_layout(title="生产性服务业增加值与制造业增加值之比 · PS value added / manufacturing value added",
                      xaxis_title="年份 Year", yaxis_title="ratio : 1")
    figs.append(("ratio", fig))
    return figs


def _html_table(frame: pd.DataFrame, cols: list[Col] | None = None) -> str:
    pub = (frame["source"].astype(str).str.startswith(PUBLISHED_LABEL).tolist() if "source" in frame.columns
           else [])
    if cols:
        frame = frame[[c.key for c in cols if c.key in frame.columns]].rename(
            columns={c.key: f"{c.zh} · {c.en}" for c in cols})
    fmt = {c: (lambda v: "" if pd.isna(v) else f"{v:,.2f}") for c in frame.columns
           if pd.api.types.is_float_dtype(frame[c])}
    table = frame.to_html(index=False, na_rep="", formatters=fmt, border=0, classes="tbl", escape=True)
    return f"<div class='wide'>{_rows_marked(table, pub)}</div>"


_CSS = """body{font-family:Arial,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:1.5em 2em;color:#222;
max-width:1400px}h1{font-size:1.45em;margin-bottom:.3em}h2{font-size:1.15em;margin-top:1.8em;border-bottom:1px solid #ccc}
table.tbl{border-collapse:collapse;font-size:12px;margin:.4em 0}
table.tbl th{background:#dce6f1;padding:4px 6px;vertical-align:bottom;min-width:5em;max-width:10em;
white-space:normal;line-height:1.25;font-size:11px}
table.tbl td{padding:3px 6px;border-bottom:1px solid #eee;text-align:right;white-space:nowrap}
table.tbl td:first-child,table.tbl th:first-child{text-align:left}
table.tbl tr.pub td{background:#fff8e5;color:#7f4f00;font-style:italic}
.note{color:#555;font-size:12px;line-height:1.45}.wide{overflow-x:auto;max-width:100%}
.headline table.tbl{font-size:14px}.headline td{padding:5px 8px}
details{margin:.6em 0}summary{cursor:pointer;color:#1f3b73}
dl.defs dt{font-weight:bold;margin-top:.5em}dl.defs dd{margin-left:1.5em;font-size:13px}"""


def _rows_marked(table_html: str, published_rows: list[bool]) -> str:
    """Shade the report's published rows (class 'pub'), as the workbook does; header rows carry a style."""
    flags = iter(published_rows)
    return re.sub(r"<tr>", lambda m: "<tr class='pub'>" if next(flags, False) else "<tr>", table_html)


def _definitions_appendix(items: Sequence[IndicatorsLike], full: pd.DataFrame) -> str:
    """Definitions as an analyst reads them: formulas once, each table's sources in a line; the rest folded."""
    e = html.escape
    first = items[0].definitions or {}
    formulas = "".join(f"<dt>{e(k)}</dt><dd>{e(str(v))}</dd>" for k, v in (first.get("formulas") or {}).items())
    rows = []
    for ind in items:
        m, d = ind.meta, ind.definitions or {}
        files = ", ".join(f"{f} (sha256 {h[:12]}…)" for f, h in zip(m.source_files, m.sha256, strict=False))
        rows.append(f"<li><b>{e(m.id)}</b> — {e(m.publisher)} {e(m.country)} {e(str(m.year))}, {e(m.unit)}, "
                    f"{e(m.price_basis)}; {e(files or 'no source file recorded')}. Concordance "
                    f"{e(str(d.get('concordance', '')))} (variant {e(str(d.get('variant', '')))}); "
                    f"{e(str(d.get('wholesale_rule', '')))}. {e(str(d.get('final_demand_note', '')))}</li>")
    return (f"<p class='note'>{e(NOTE_DEFS)}</p><dl class='defs'>{formulas}</dl>"
            f"<h3>来源 Sources</h3><ul class='note'>{''.join(rows)}</ul>"
            "<details><summary>完整定义与对照表 Full definitions and concordance (every key, every code)</summary>"
            f"{_html_table(full, DEF_COLS)}</details>")


def report_to_html(items: Sequence[IndicatorsLike], path: str | Path) -> Path:
    """Write one self-contained HTML page (plotly.js inline, no network needed) with charts and tables."""
    path = Path(path)
    fr = report_frames(items)
    _check_writable(path)
    parts: list[str] = []
    for i, (name, fig) in enumerate(_figures(fr)):
        fig.update_layout(template="plotly_white", height=480)
        parts.append(fig.to_html(full_html=False, include_plotlyjs=(i == 0), div_id=f"fig-{name}",
                                 config={"displaylogo": False}))
    e = html.escape
    t5 = t5_by_table(fr.t5)
    names = {k: (str(r["name_zh"]), str(r["name_en"])) for k, r in fr.t5.iterrows()}
    head = headline(items)
    body = [
        "<h1>制造业与生产性服务业融合指标 · Integration of manufacturing and producer services</h1>",
        f"<p class='note'>{e(_source_note(items))}</p>",
        "<h2>一览 · At a glance: ronghe beside the report (差 = gap)</h2>",
        f"<div class='headline'>{_html_table(head, HEADLINE_COLS)}</div>",
        f"<p class='note'>Gap = ronghe − report; shares in % of manufacturing's intermediate inputs (gap in "
        f"percentage points). {e(_published_note())}</p>",
        "<h2>图 Charts</h2>", *parts,
        "<h2>表3 制造业中生产性服务投入 · Table 3: PS inputs into manufacturing (trillion, %)</h2>",
        _html_table(fr.t3, T3_COLS),
        "<h2>表4 生产性服务业与制造业增加值 · Table 4: PS vs manufacturing value added (trillion)</h2>",
        _html_table(fr.t4, T4_COLS),
        "<h2>表5 生产性服务业细分领域占比 · Table 5: structure of producer services (% of PS value added)</h2>",
        _html_table(t5, t5_row_cols(t5, names)),
        "<p class='note'>China's published wholesale = half of wholesale and retail.</p>",
        "<h2>表6 按技术密集度 · Table 6: PS share by technology group (%)</h2>", _html_table(fr.t6, T6_COLS),
        "<h2>指标汇总 · Summary by table</h2>",
        _html_table(summary_by_table(items), summary_cols()),
        "<h2>附录：定义与来源 · Appendix: definitions and sources</h2>",
        _definitions_appendix(list(items), fr.definitions),
    ]
    doc = ("<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'>"
           f"<title>ronghe report</title><style>{_CSS}</style></head><body>{''.join(body)}"
           f"<p class='note'>ronghe {e(__version__)}</p></body></html>")
    try:
        path.write_text(doc, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write the report: {exc.strerror or exc}", file=str(path)) from exc
    return path


