"""Standards shipped as data: the report's producer-service aggregate, concordances, technology groups.

Everything a definition depends on lives in CSV files under ``data/`` (with zh/en names and a source header),
so a user can read, cite and replace it. A concordance says, for each sector code of one classification,
whether it is a producer service (and which of the seven sub-sectors), manufacturing (and which technology
group) or other; an optional ``weight`` counts only part of a sector (half of a merged 批发和零售).
Technology-group *variants* regroup the manufacturing rows of a shipped concordance from the level tables
(``tech_levels_*.csv``) as ``tech_variants.csv`` says, so every variant has one stated basis.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from ronghe.errors import InputError, NotFoundError

if TYPE_CHECKING:  # pandas is imported where a frame is asked for: the JSON command path never needs it
    import pandas as pd

    from ronghe.measure.table import IOTable

ROLES = ("producer_service", "manufacturing", "other")
TECH_GROUPS = ("high", "medium", "low")
#: Classification → level table of its manufacturing codes.
LEVEL_TABLES = {"nbs-153": "tech_levels_gbt4754.csv", "nbs-149": "tech_levels_gbt4754.csv",
                "nbs-42": "tech_levels_nbs42.csv", "bea-summary": "tech_levels_bea.csv"}
#: Classifications whose codes start with their GB/T 4754 division (the 149/153-product tables).
DIVISION_CODED = frozenset({"nbs-153", "nbs-149"})
_WEIGHT_TOL = 1e-9

__all__ = [
    "ROLES",
    "TECH_GROUPS",
    "Concordance",
    "classifications",
    "gbt4754_to_nbs42",
    "load_concordance",
    "nbs42_table",
    "nbs_psc2019",
    "ps7",
    "read_concordance",
    "tech_levels",
    "tech_variants",
]


def _data_file(name: str):
    return resources.files("ronghe.measure.standards").joinpath("data", name)


def _read_csv(source: Any, *, file: str) -> pd.DataFrame:
    import pandas as pd

    try:
        return pd.read_csv(source, comment="#", dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError(f"not a readable CSV concordance ({str(exc).splitlines()[0]})", file=file) from None


def _read_records(data: bytes, *, file: str) -> list[dict[str, str]]:
    """CSV rows as dicts of stripped strings, '#' comments dropped: the pandas-free reader of small files."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not a readable CSV concordance ({exc})", file=file) from None
    lines = [ln.split("#", 1)[0] if "#" in ln else ln for ln in text.splitlines()]
    rows = [r for r in csv.reader(io.StringIO("\n".join(ln for ln in lines if ln.strip())), skipinitialspace=True)]
    if not rows:
        raise InputError("not a readable CSV concordance (No columns to parse from file)", file=file)
    header = [h.strip() for h in rows[0]]
    out = []
    for k, row in enumerate(rows[1:], start=2):
        if len(row) > len(header):
            raise InputError(f"not a readable CSV concordance (Error tokenizing data. C error: Expected "
                             f"{len(header)} fields in line {k}, saw {len(row)})", file=file)
        out.append({h: (row[i].strip() if i < len(row) else "") for i, h in enumerate(header)})
    return out


@cache
def ps7() -> pd.DataFrame:
    """The report's seven producer-service sub-sectors, indexed by id, in the report's order."""
    with _data_file("ps7.csv").open("rb") as fh:
        return _read_csv(fh, file="ps7.csv").set_index("id")


@cache
def ps7_names() -> dict[str, tuple[str, str]]:
    """Sub-sector id → (name_zh, name_en) in the report's order, without pandas (the JSON path uses it)."""
    rows = _read_records(_data_file("ps7.csv").read_bytes(), file="ps7.csv")
    return {r["id"]: (r["name_zh"], r["name_en"]) for r in rows}


@cache
def nbs_psc2019() -> pd.DataFrame:
    """NBS 《生产性服务业统计分类(2019)》: its 10 categories and their main GB/T 4754-2017 divisions."""
    with _data_file("nbs_psc2019.csv").open("rb") as fh:
        return _read_csv(fh, file="nbs_psc2019.csv").set_index("code")


@cache
def tech_levels(classification: str) -> pd.DataFrame:
    """OECD technology levels (ISIC Rev.3 and Rev.4 bases) of one classification's manufacturing codes."""
    if classification not in LEVEL_TABLES:
        raise NotFoundError(f"no technology levels for classification {classification!r} "
                            f"(known: {', '.join(LEVEL_TABLES)})")
    name = LEVEL_TABLES[classification]
    with _data_file(name).open("rb") as fh:
        frame = _read_csv(fh, file=name)
    return frame.set_index(frame.columns[0])


@cache
def tech_variants() -> pd.DataFrame:
    """Named technology-group variants: the level column and levels that make each group, with a basis."""
    with _data_file("tech_variants.csv").open("rb") as fh:
        return _read_csv(fh, file="tech_variants.csv")


@cache
def gbt4754_to_nbs42() -> pd.Series:
    """GB/T 4754 division (2 digits) → sector code of the NBS 42-sector table."""
    with _data_file("gbt4754_to_nbs42.csv").open("rb") as fh:
        return _read_csv(fh, file="gbt4754_to_nbs42.csv").set_index("division")["nbs42"]


def nbs42_table(table: IOTable) -> IOTable:
    """The 42-sector table of a 149/153-product NBS table (first-two-digit grouping), for merged-sector rules."""
    if table.meta.classification not in DIVISION_CODED:
        raise InputError(f"table {table.meta.id!r} is {table.meta.classification!r}; only NBS 149/153-product "
                         "tables aggregate to 42 sectors")
    import pandas as pd

    codes = pd.Index(table.sectors.astype(str))
    mapping = pd.Series(codes.str[:2].map(gbt4754_to_nbs42()), index=table.sectors)
    if mapping.isna().any():
        raise InputError(f"sector code {mapping.index[mapping.isna().to_numpy()][0]!r} has no 42-sector "
                         "division", file="gbt4754_to_nbs42.csv")
    with _data_file("concordances/nbs-42.csv").open("rb") as fh:
        names = _read_csv(fh, file="nbs-42.csv").set_index("code")["name"]
    out = table.aggregate(mapping, names=names)
    return out.with_meta(id=f"{table.meta.id}-42", classification="nbs-42",
                         notes=f"{table.meta.notes}; aggregated to 42 sectors (gbt4754_to_nbs42.csv)".lstrip("; "))


def classifications() -> list[str]:
    """Classifications with a shipped concordance."""
    folder = _data_file("concordances")
    return sorted(p.name.removesuffix(".csv") for p in folder.iterdir() if p.name.endswith(".csv"))


class ConcordanceRow(NamedTuple):
    """One row of a concordance: a code's role and group, and the share of the sector it counts."""

    code: str
    role: str
    group: str
    weight: float
    name: str


@dataclass(frozen=True)
class Concordance:
    """Sector codes → role (producer service / manufacturing / other) and group, with optional weights.

    ``rows`` has one row per (code, group). A code may appear in several producer-service rows whose weights
    add up to at most 1; the rest counts as other. Plain tuples, so that the command line can apply a
    concordance without importing pandas; ``frame`` gives them as a DataFrame.
    """

    rows: tuple[ConcordanceRow, ...]
    name: str
    file: str
    sha256: str
    variant: str | None = None
    basis: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def frame(self) -> pd.DataFrame:
        """Columns code, role, group, weight (float), name: one row per (code, group)."""
        import pandas as pd

        return pd.DataFrame(list(self.rows), columns=list(ConcordanceRow._fields)).astype({"weight": float})

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, **kwargs: Any) -> Concordance:
        return cls(rows=tuple(ConcordanceRow(str(c), str(r), str(g), float(w), str(n)) for c, r, g, w, n in
                              frame[list(ConcordanceRow._fields)].itertuples(index=False)), **kwargs)

    # ----- what the indicators need ---------------------------------------------------------------
    def ps_groups(self) -> list[str]:
        """Producer-service sub-sectors present, in the report's order (then any others, sorted)."""
        present = {r.group for r in self.rows if r.role == "producer_service"}
        order = [g for g in ps7_names() if g in present]
        return order + sorted(present - set(order))

    def ps_weight_matrix(self, codes: list[str]) -> np.ndarray:
        """n × k: the share of each sector (in ``codes`` order) counted in each sub-sector of :meth:`ps_groups`."""
        col = {g: j for j, g in enumerate(self.ps_groups())}
        pos = {c: i for i, c in enumerate(codes)}
        W = np.zeros((len(codes), len(col)))
        for r in self.rows:
            if r.role == "producer_service" and r.code in pos:
                W[pos[r.code], col[r.group]] += r.weight
        return W

    def manufacturing_group_of(self, codes: list[str]) -> list[str | None]:
        """Technology group of each code (None where it is not manufacturing), in ``codes`` order."""
        groups = {r.code: r.group for r in self.rows if r.role == "manufacturing"}
        return [groups.get(c) for c in codes]

    def ps_weights(self, sectors: pd.Index) -> pd.DataFrame:
        """Sectors × producer-service sub-sectors: the share of each sector counted in each sub-sector."""
        import pandas as pd

        codes = [str(c) for c in sectors]
        return pd.DataFrame(self.ps_weight_matrix(codes), index=sectors, columns=self.ps_groups())

    def manufacturing_groups(self, sectors: pd.Index) -> pd.Series:
        """Technology group of each manufacturing sector (in table order); other sectors are left out."""
        import pandas as pd

        return pd.Series(self.manufacturing_group_of([str(c) for c in sectors]), index=sectors,
                         dtype=object).dropna()

    # ----- checks -----------------------------------------------------------------------------------
    def validate_codes(self, codes: list[str], table_id: str) -> None:
        """Refuse a table with a sector the concordance does not classify: the error names code and file."""
        known = {r.code for r in self.rows}
        missing = [c for c in dict.fromkeys(codes) if c not in known]
        if missing:
            raise InputError(f"concordance has no row for sector code {missing[0]!r} of table {table_id!r} "
                             f"({len(missing)} code(s) missing)", file=self.file)
        present = set(codes)
        roles = {r.role for r in self.rows if r.code in present}
        for role in ("manufacturing", "producer_service"):
            if role not in roles:
                raise InputError(f"concordance marks none of table {table_id!r}'s sectors as {role}",
                                 file=self.file)

    def validate(self, table: IOTable) -> None:
        """:meth:`validate_codes` for an IOTable."""
        self.validate_codes([str(c) for c in table.sectors], table.meta.id)

    def definitions(self) -> dict[str, Any]:
        """What produced a result: recorded in every output so that a number can be traced to its rules."""
        ps = [r for r in self.rows if r.role == "producer_service"]
        partial = [r for r in ps if r.weight < 1 - _WEIGHT_TOL]
        wholesale = [r for r in ps if r.group == "wholesale"]
        if wholesale:
            rule = "wholesale = " + ", ".join(
                f"{r.code} {r.name}".strip() + ("" if r.weight >= 1 - _WEIGHT_TOL else f" × {r.weight:g}")
                for r in wholesale)
        else:
            rule = "no wholesale sub-sector in this concordance"
        return {
            "concordance": self.name,
            "variant": self.variant,
            "file": self.file,
            "sha256": self.sha256,
            "basis": self.basis,
            "wholesale_rule": rule,
            "producer_service_codes": sorted({r.code for r in ps}),
            "manufacturing_codes": sum(r.role == "manufacturing" for r in self.rows),
            "partial_weights": {f"{r.code}→{r.group}": float(r.weight) for r in partial},
            **self.extra,
        }


# ----- reading ------------------------------------------------------------------------------------------
def _parse(records: list[dict[str, str]], *, file: str) -> tuple[ConcordanceRow, ...]:
    """Check a concordance row by row: every problem is reported with its CSV row number."""
    records = [{str(k).strip().lower(): v for k, v in r.items()} for r in records]
    columns = set(records[0]) if records else set()
    for col in ("code", "role", "group"):
        if records and col not in columns:
            raise InputError(f"concordance lacks the column {col!r} (expected code,role,group[,weight])",
                             file=file)
    known_ps = set(ps7_names())

    def where(i: int) -> str:
        return f"row {i + 2}"  # 1-based, after the header; comment lines are not counted

    rows: list[ConcordanceRow] = []
    for i, rec in enumerate(records):
        code, role, group = (str(rec.get(c, "")).strip() for c in ("code", "role", "group"))
        w_text = str(rec.get("weight", "")).strip()
        w = 1.0
        if w_text != "":
            try:
                w = float(w_text)
            except ValueError:
                raise InputError(f"weight {w_text!r} is not a number", file=file, cell=where(i)) from None
            if not 0 < w <= 1:
                raise InputError(f"weight {w_text} is outside (0, 1]", file=file, cell=where(i))
        if not code:
            raise InputError("empty sector code", file=file, cell=where(i))
        if role not in ROLES:
            raise InputError(f"unknown role {role!r} for code {code!r} (use {', '.join(ROLES)})",
                             file=file, cell=where(i))
        if role == "manufacturing":
            if group not in TECH_GROUPS:
                raise InputError(f"unknown technology group {group!r} for manufacturing code {code!r} "
                                 f"(use {', '.join(TECH_GROUPS)})", file=file, cell=where(i))
            if w != 1:
                raise InputError(f"manufacturing code {code!r} has weight {w:g}; only producer-service rows "
                                 "may count part of a sector", file=file, cell=where(i))
        elif role == "producer_service" and group not in known_ps:
            raise InputError(f"unknown producer-service sub-sector {group!r} for code {code!r} "
                             f"(use {', '.join(known_ps)})", file=file, cell=where(i))
        elif role == "other" and group:
            raise InputError(f"code {code!r} has role 'other' but group {group!r}", file=file, cell=where(i))
        rows.append(ConcordanceRow(code, role, group, w, str(rec.get("name", "")).strip()))
    seen: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        seen.setdefault(r.code, []).append(i)
    for code, where_rows in seen.items():
        if len(where_rows) > 1 and not all(rows[i].role == "producer_service" for i in where_rows):
            raise InputError(f"code {code!r} appears in several rows; only producer-service rows may split a "
                             "sector", file=file, cell=where(where_rows[1]))
    for code, where_rows in seen.items():
        total = sum(rows[i].weight for i in where_rows)
        if total > 1 + _WEIGHT_TOL:
            raise InputError(f"weights of code {code!r} add up to {total:g} > 1", file=file)
    return tuple(rows)


def read_concordance(path: str | Path) -> Concordance:
    """A user's concordance CSV (``--concordance FILE``): columns code,role,group[,weight][,name]."""
    path = Path(path)
    if not path.is_file():
        raise NotFoundError("concordance file not found", file=str(path))
    data = path.read_bytes()
    rows = _parse(_read_records(data, file=str(path)), file=str(path))
    return Concordance(rows=rows, name=path.stem, file=str(path), sha256=hashlib.sha256(data).hexdigest(),
                       basis="user-supplied concordance")


def _variant_row(classification: str, variant: str | None) -> dict[str, str]:
    rows = [r for r in _read_records(_data_file("tech_variants.csv").read_bytes(), file="tech_variants.csv")
            if r["classification"] == classification]
    if not rows:
        raise NotFoundError(f"no technology-group variants for classification {classification!r}")
    row = [r for r in rows if (r["default"] == "yes" if variant is None else r["variant"] == variant)]
    if not row:
        raise NotFoundError(f"unknown technology-group variant {variant!r} for {classification!r} "
                            f"(known: {', '.join(r['variant'] for r in rows)})")
    return row[0]


def _regroup(frame: pd.DataFrame, classification: str, spec: dict[str, str]) -> pd.DataFrame:
    """Manufacturing groups from the level table as the variant says (division or product resolution)."""
    levels = tech_levels(classification)[spec["level_column"]]
    to_group = {lv: g for g in TECH_GROUPS for lv in str(spec[g]).split("+")}
    mfg = frame["role"] == "manufacturing"
    codes = frame.loc[mfg, "code"]
    if classification in DIVISION_CODED:
        by_division = codes.str[:2].map(levels)
        level = codes.map(levels).fillna(by_division) if spec["resolution"] == "product" else by_division
    else:
        level = codes.map(levels)
    groups = level.map(to_group)
    if groups.isna().any():
        code = codes[groups.isna()].iloc[0]
        raise InputError(f"variant {spec['variant']!r} gives no technology group for code {code!r}",
                         file=LEVEL_TABLES[classification])
    out = frame.copy()
    out.loc[mfg, "group"] = groups
    return out


def load_concordance(classification: str, variant: str | None = None) -> Concordance:
    """The shipped concordance of a classification (``nbs-153``, ``bea-summary``) under a technology variant.

    ``variant=None`` is the classification's default (tech_variants.csv); the shipped file's groups equal it.
    Parsed once per process: a report over two dozen tables reuses it (treat the frame as read-only).
    """
    return _load_shipped(classification, variant)


@cache
def _load_shipped(classification: str, variant: str | None) -> Concordance:
    if classification not in classifications():
        raise NotFoundError(f"no shipped concordance for classification {classification!r} (shipped: "
                            f"{', '.join(classifications())}; pass your own with --concordance FILE)")
    name = f"concordances/{classification}.csv"
    data = _data_file(name).read_bytes()
    rows = _parse(_read_records(data, file=name), file=name)
    spec = _variant_row(classification, variant)
    if variant is not None:
        rows = Concordance(rows=rows, name="", file="", sha256="").frame.pipe(_regroup, classification, spec)
        rows = Concordance.from_frame(rows, name="", file="", sha256="").rows
    digest = hashlib.sha256(data)
    for extra in (LEVEL_TABLES[classification], "tech_variants.csv", "ps7.csv"):
        digest.update(_data_file(extra).read_bytes())
    from ronghe import __version__

    return Concordance(
        rows=rows, name=classification, file=f"ronghe/measure/standards/data/{name}",
        sha256=digest.hexdigest(), variant=str(spec["variant"]), basis=str(spec["basis"]),
        extra={"ronghe_version": __version__,
               "sha256_covers": f"{name} + {LEVEL_TABLES[classification]} + tech_variants.csv + ps7.csv"})
