"""Standards shipped as data: the report's producer-service aggregate, concordances, technology groups.

Everything a definition depends on lives in CSV files under ``data/`` (with zh/en names and a source header),
so a user can read, cite and replace it. A concordance says, for each sector code of one classification,
whether it is a producer service (and which of the seven sub-sectors), manufacturing (and which technology
group) or other; an optional ``weight`` counts only part of a sector (half of a merged 批发和零售).
Technology-group *variants* regroup the manufacturing rows of a shipped concordance from the level tables
(``tech_levels_*.csv``) as ``tech_variants.csv`` says, so every variant has one stated basis.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ronghe.errors import InputError, NotFoundError

if TYPE_CHECKING:
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
    try:
        return pd.read_csv(source, comment="#", dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError(f"not a readable CSV concordance ({str(exc).splitlines()[0]})", file=file) from None


@cache
def ps7() -> pd.DataFrame:
    """The report's seven producer-service sub-sectors, indexed by id, in the report's order."""
    with _data_file("ps7.csv").open("rb") as fh:
        return _read_csv(fh, file="ps7.csv").set_index("id")


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


@dataclass(frozen=True)
class Concordance:
    """Sector codes → role (producer service / manufacturing / other) and group, with optional weights.

    ``frame`` has one row per (code, group): columns code, role, group, weight (float), name. A code may
    appear in several producer-service rows whose weights add up to at most 1; the rest counts as other.
    """

    frame: pd.DataFrame
    name: str
    file: str
    sha256: str
    variant: str | None = None
    basis: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    # ----- what the indicators need ---------------------------------------------------------------
    def ps_weights(self, sectors: pd.Index) -> pd.DataFrame:
        """Sectors × producer-service sub-sectors: the share of each sector counted in each sub-sector."""
        ps = self.frame[self.frame["role"] == "producer_service"]
        order = [g for g in ps7().index if g in set(ps["group"])]
        order += sorted(set(ps["group"]) - set(order))
        W = ps.pivot_table(index="code", columns="group", values="weight", aggfunc="sum", fill_value=0.0)
        return W.reindex(index=sectors, columns=order, fill_value=0.0).astype(float)

    def manufacturing_groups(self, sectors: pd.Index) -> pd.Series:
        """Technology group of each manufacturing sector (in table order); other sectors are left out."""
        m = self.frame[self.frame["role"] == "manufacturing"].set_index("code")["group"]
        return m.reindex(sectors).dropna()

    # ----- checks -----------------------------------------------------------------------------------
    def validate(self, table: IOTable) -> None:
        """Refuse a table with a sector the concordance does not classify: the error names code and file."""
        codes = pd.Index(table.sectors.astype(str))
        known = pd.Index(self.frame["code"].unique())
        missing = codes.difference(known, sort=False)
        if len(missing):
            raise InputError(f"concordance has no row for sector code {missing[0]!r} of table {table.meta.id!r} "
                             f"({len(missing)} code(s) missing)", file=self.file)
        present = set(codes.to_numpy(dtype=object))
        roles = set(self.frame["role"].to_numpy(dtype=object)[
            [c in present for c in self.frame["code"].to_numpy(dtype=object)]])
        for role in ("manufacturing", "producer_service"):
            if role not in roles:
                raise InputError(f"concordance marks none of table {table.meta.id!r}'s sectors as {role}",
                                 file=self.file)

    def definitions(self) -> dict[str, Any]:
        """What produced a result: recorded in every output so that a number can be traced to its rules."""
        f = self.frame
        ps = f[f["role"] == "producer_service"]
        partial = ps[ps["weight"] < 1 - _WEIGHT_TOL]
        wholesale = ps[ps["group"] == "wholesale"]
        if len(wholesale):
            rule = "wholesale = " + ", ".join(
                f"{c} {n}".strip() + ("" if w >= 1 - _WEIGHT_TOL else f" × {w:g}")
                for c, n, w in zip(wholesale["code"], wholesale["name"], wholesale["weight"], strict=True))
        else:
            rule = "no wholesale sub-sector in this concordance"
        return {
            "concordance": self.name,
            "variant": self.variant,
            "file": self.file,
            "sha256": self.sha256,
            "basis": self.basis,
            "wholesale_rule": rule,
            "producer_service_codes": sorted(ps["code"].unique().tolist()),
            "manufacturing_codes": int((f["role"] == "manufacturing").sum()),
            "partial_weights": {f"{c}→{g}": float(w) for c, g, w in
                                zip(partial["code"], partial["group"], partial["weight"], strict=True)},
            **self.extra,
        }


# ----- reading ------------------------------------------------------------------------------------------
def _parse(raw: pd.DataFrame, *, file: str) -> pd.DataFrame:
    """Check a concordance frame row by row: every problem is reported with its CSV row number."""
    raw = raw.rename(columns=lambda c: str(c).strip().lower())
    for col in ("code", "role", "group"):
        if col not in raw.columns:
            raise InputError(f"concordance lacks the column {col!r} (expected code,role,group[,weight])",
                             file=file)
    frame = raw.copy()
    for col in ("code", "role", "group"):
        frame[col] = frame[col].astype(str).str.strip()
    frame["name"] = frame["name"].astype(str).str.strip() if "name" in frame else ""
    known_ps = set(ps7().index)

    def where(i: int) -> str:
        return f"row {i + 2}"  # 1-based, after the header; comment lines are not counted

    weights = np.ones(len(frame))
    if "weight" in frame:
        for i, w in enumerate(frame["weight"].astype(str).str.strip()):
            if w == "":
                continue
            try:
                weights[i] = float(w)
            except ValueError:
                raise InputError(f"weight {w!r} is not a number", file=file, cell=where(i)) from None
            if not 0 < weights[i] <= 1:
                raise InputError(f"weight {w} is outside (0, 1]", file=file, cell=where(i))
    frame["weight"] = weights
    for i, (code, role, group, w) in enumerate(zip(frame["code"], frame["role"], frame["group"], weights,
                                                   strict=True)):
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
    rows = frame.groupby("code", sort=False)
    dup = rows["role"].agg(lambda r: len(r) > 1 and not (r == "producer_service").all())
    if dup.any():
        code = dup.index[dup.to_numpy()][0]
        raise InputError(f"code {code!r} appears in several rows; only producer-service rows may split a "
                         "sector", file=file, cell=where(int(np.flatnonzero(frame["code"] == code)[1])))
    over = rows["weight"].sum()
    over = over[over > 1 + _WEIGHT_TOL]
    if len(over):
        raise InputError(f"weights of code {over.index[0]!r} add up to {over.iloc[0]:g} > 1", file=file)
    return frame[["code", "role", "group", "weight", "name"]].reset_index(drop=True)


def read_concordance(path: str | Path) -> Concordance:
    """A user's concordance CSV (``--concordance FILE``): columns code,role,group[,weight][,name]."""
    path = Path(path)
    if not path.is_file():
        raise NotFoundError("concordance file not found", file=str(path))
    data = path.read_bytes()
    frame = _parse(_read_csv(path, file=str(path)), file=str(path))
    return Concordance(frame=frame, name=path.stem, file=str(path), sha256=hashlib.sha256(data).hexdigest(),
                       basis="user-supplied concordance")


def _variant_row(classification: str, variant: str | None) -> pd.Series:
    v = tech_variants()
    v = v[v["classification"] == classification]
    if v.empty:
        raise NotFoundError(f"no technology-group variants for classification {classification!r}")
    row = v[v["default"] == "yes"] if variant is None else v[v["variant"] == variant]
    if row.empty:
        raise NotFoundError(f"unknown technology-group variant {variant!r} for {classification!r} "
                            f"(known: {', '.join(v['variant'])})")
    return row.iloc[0]


def _regroup(frame: pd.DataFrame, classification: str, spec: pd.Series) -> pd.DataFrame:
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
    with _data_file(name).open("rb") as fh:
        frame = _parse(_read_csv(fh, file=name), file=name)
    spec = _variant_row(classification, variant)
    if variant is not None:
        frame = _regroup(frame, classification, spec)
    digest = hashlib.sha256(data)
    for extra in (LEVEL_TABLES[classification], "tech_variants.csv", "ps7.csv"):
        digest.update(_data_file(extra).read_bytes())
    from ronghe import __version__

    return Concordance(
        frame=frame, name=classification, file=f"ronghe/measure/standards/data/{name}",
        sha256=digest.hexdigest(), variant=str(spec["variant"]), basis=str(spec["basis"]),
        extra={"ronghe_version": __version__,
               "sha256_covers": f"{name} + {LEVEL_TABLES[classification]} + tech_variants.csv + ps7.csv"})
