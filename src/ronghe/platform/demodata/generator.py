"""Write a reproducible synthetic data set in batches: organizations, users, providers, demands, demand lists.

Rows come from :mod:`rows` (pure, seeded); this module writes them with multi-row INSERTs (:mod:`fastinsert`),
one transaction per batch, and no per-row service call. It keeps what the services keep instead (see
:class:`Writer`): the denormalised offering category and provinces with their province and industry rows,
verification only by a verifier organization, the demand's ``budget_band`` and state events; users share one
password hash computed once.

Running a seed twice refuses (its credit-code series is already there); different seeds append.
"""

from __future__ import annotations

import hashlib
import logging
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import islice
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from ronghe.errors import InputError
from ronghe.platform.accounts.models import Industry, Membership, Organization
from ronghe.platform.catalog.models import ServiceItem
from ronghe.platform.demand.models import Demand, DemandEvent, DemandLine, DemandList, DemandListEntry
from ronghe.platform.demand.visibility import budget_band
from ronghe.platform.demodata import codes, rows
from ronghe.platform.demodata import vocabulary as V
from ronghe.platform.demodata.fastinsert import Table
from ronghe.platform.providers.models import Case, Certificate, Offering, OfferingProvince, ProviderProfile
from ronghe.platform.providers.services import PROFILE_FIELDS

log = logging.getLogger("ronghe.platform.demodata")

CERTIFIERS = 3
MAX_PER_KIND = (
    codes.SERIAL_SPACE - 100
) // 2  # manufacturers and providers interleave after 100 support slots
MAX_DEMAND_LISTS = 90
JOINERS_PER_LIST = 30


@dataclass(frozen=True)
class Spec:
    """What to generate. ``today`` anchors every date (deadlines, validity); it defaults to the local date."""

    manufacturers: int = 0
    providers: int = 0
    demands: int = 0
    offerings_per_provider: int = 5
    demand_lists: int = 0
    seed: int = 0
    batch_size: int = 2000
    with_users: bool = False
    password: str = "ronghe-demo"
    today: date | None = None


@dataclass
class Result:
    seed: int
    counts: Counter = field(default_factory=Counter)
    digest: str = ""
    seconds: float = 0.0

    def summary(self) -> str:
        shown = ", ".join(f"{n} {name}" for name, n in self.counts.items())
        return f"seed {self.seed}: {shown} in {self.seconds:.1f} s (digest {self.digest[:16]})"


# --- reading what the data refers to --------------------------------------------------------------


def current_catalog() -> rows.Catalog:
    """The current published version of every item, in code order (so runs do not depend on primary keys)."""
    items = ServiceItem.objects.current().select_related("category").order_by("code")
    return rows.Catalog(
        [
            rows.ItemRef(
                pk=i.pk,
                category_id=i.category_id,
                code=i.code,
                name=i.name_zh,
                top=i.category.code[:2],
                pricing=i.pricing_model,
                duration=(i.duration_days_min or 1, i.duration_days_max or i.duration_days_min or 30),
                qualifications=tuple(i.required_qualifications or ()),
            )
            for i in items
        ]
    )


def _check(spec: Spec, catalog: rows.Catalog) -> None:
    for name in ("manufacturers", "providers", "demands", "demand_lists"):
        if getattr(spec, name) < 0:
            raise InputError(f"--{name.replace('_', '-')} must be ≥ 0")
    if spec.batch_size < 1:
        raise InputError("--batch-size must be ≥ 1")
    if max(spec.manufacturers, spec.providers) > MAX_PER_KIND:
        raise InputError(f"at most {MAX_PER_KIND} manufacturers and {MAX_PER_KIND} providers per seed")
    if spec.demand_lists > MAX_DEMAND_LISTS:
        raise InputError(f"--demand-lists must be ≤ {MAX_DEMAND_LISTS}")
    if (spec.demands or spec.demand_lists) and not spec.manufacturers:
        raise InputError("demands and demand lists need manufacturers: give --manufacturers N (N ≥ 1)")
    needs_items = spec.providers or spec.demands or spec.demand_lists
    if needs_items and not catalog.items:
        raise InputError(
            "the catalog has no published service items; load it first (`ronghe demo` does, or "
            "catalog.services.load_catalog())"
        )
    if spec.providers and not 1 <= spec.offerings_per_provider <= len(catalog.items):
        raise InputError(f"--offerings-per-provider must be 1–{len(catalog.items)} (one offering per item)")
    missing = _missing_industries()
    if missing:
        raise InputError(f"industries {', '.join(missing)} are not in the database; run the migrations first")
    series = codes.series(spec.seed)
    clash = next(
        (
            c
            for c in Organization.objects.filter(credit_code__contains=f"MA{series}").values_list(
                "credit_code", flat=True
            )
            if codes.series_of(c) == series
        ),
        None,
    )
    if clash:
        raise InputError(
            f"synthetic data of seed {spec.seed} (credit-code series {series}, e.g. {clash}) is already "
            "in the database; choose another --seed"
        )


def _missing_industries() -> list[str]:
    wanted = {*V.DIVISIONS, *(d for _, _, d in V.PROVIDER_SPECIALTIES.values())}
    return sorted(wanted - set(Industry.objects.filter(pk__in=wanted).values_list("pk", flat=True)))


# --- writing --------------------------------------------------------------------------------------


class Writer:
    """Bulk writes for one run; keeps only compact references (index → pk) between batches.

    Fills what the services would: ``Offering.category`` and ``Offering.provinces`` (sorted) with one
    ``OfferingProvince`` row per province, the offering and organization industry rows, a certificate is
    verified only with a verifier organization and a time, demands carry their ``budget_band`` and events.
    """

    def __init__(self, spec: Spec, catalog: rows.Catalog, result: Result) -> None:
        self.spec, self.result = spec, result
        self.item = {i.code: i for i in catalog.items}
        self.password = make_password(spec.password) if spec.with_users else None
        self.digest = hashlib.sha256()
        self.now = timezone.now()
        user_model = get_user_model()
        now = self.now
        org_industry = Organization.industries.through
        offering_industry = Offering.industries.through
        self.t = {
            "org": Table(
                Organization,
                ("name", "name_en", "kind", "credit_code", "province", "city", "description", "is_synthetic"),
                now,
            ),
            "org_industry": Table(org_industry, ("organization_id", "industry_id"), now),
            "user": Table(user_model, ("username", "password", "date_joined"), now),
            "membership": Table(Membership, ("user_id", "organization_id", "role"), now),
            "profile": Table(ProviderProfile, ("organization_id", *PROFILE_FIELDS), now),
            "offering": Table(
                Offering,
                (
                    "provider_id",
                    "service_item_id",
                    "category_id",
                    "price_min",
                    "price_max",
                    "price_unit",
                    "monthly_capacity",
                    "provinces",
                    "lead_time_days",
                    "notes",
                    "is_active",
                ),
                now,
            ),
            "offering_province": Table(OfferingProvince, ("offering_id", "province"), now),
            "offering_industry": Table(offering_industry, ("offering_id", "industry_id"), now),
            "certificate": Table(
                Certificate,
                (
                    "provider_id",
                    "cert_type",
                    "name",
                    "number",
                    "issuer",
                    "scope",
                    "valid_from",
                    "valid_to",
                    "verified",
                    "verified_by_org_id",
                    "verified_at",
                ),
                now,
            ),
            "case": Table(
                Case,
                (
                    "provider_id",
                    "title",
                    "service_item_id",
                    "client_name",
                    "client_industry_id",
                    "year",
                    "summary",
                    "outcome",
                    "is_public",
                ),
                now,
            ),
            "demand": Table(
                Demand,
                (
                    "organization_id",
                    "created_by_id",
                    "title",
                    "summary",
                    "industry_id",
                    "province",
                    "city",
                    "budget_min",
                    "budget_max",
                    "budget_band",
                    "deadline",
                    "contact_name",
                    "contact_phone",
                    "contact_email",
                    "confidentiality",
                    "state",
                    "published_at",
                    "closed_at",
                ),
                now,
            ),
            "line": Table(DemandLine, ("demand_id", "item_id", "scope", "quantity"), now),
            "event": Table(DemandEvent, ("demand_id", "kind", "from_state", "to_state", "user_id"), now),
        }

    def record(self, kind: str, row: Any) -> None:
        self.digest.update(f"{kind}:{row!r}\n".encode())

    def count(self, name: str, n: int) -> None:
        self.result.counts[name] += n

    def organizations(
        self, specs: list[dict[str, Any]], serial: Callable[[dict], int]
    ) -> list[tuple[int, int | None]]:
        """Create organizations (with industries and, if asked, an admin user each); (org pk, user pk)."""
        seed = self.spec.seed
        values = []
        for s in specs:
            code = codes.credit_code(seed, serial(s), s["area"])
            self.record("org", (s, code))
            values.append(
                (s["name"], s["name_en"], s["kind"], code, s["province"], s["city"], s["description"], True)
            )
        pks = self.t["org"].insert_returning(values)
        self.t["org_industry"].insert(
            (pk, code) for pk, s in zip(pks, specs, strict=True) for code in s["industries"]
        )
        self.count("organizations", len(pks))
        if not self.spec.with_users:
            return [(pk, None) for pk in pks]
        users = self.t["user"].insert_returning(
            [(f"demo{seed}-{s['kind'][0]}{s['index'] + 1:06d}", self.password, self.now) for s in specs]
        )
        self.t["membership"].insert((u, o, Membership.Role.ADMIN) for u, o in zip(users, pks, strict=True))
        self.count("users", len(users))
        return list(zip(pks, users, strict=True))

    def providers(self, details: list[dict[str, Any]], org_pks: list[int], verifiers: list[int]) -> None:
        """Profiles, offerings (with their province and industry rows), certificates and cases."""
        profiles, offerings, links, certificates, cases = [], [], [], [], []
        for d, pk in zip(details, org_pks, strict=True):
            self.record("provider", d)
            profiles.append((pk, *(d["profile"][name] for name in PROFILE_FIELDS)))
            for o in d["offerings"]:
                item = self.item[o["item"]]
                if not 0 <= o["price_min"] <= o["price_max"] or o["monthly_capacity"] < 0:
                    raise InputError(f"generated offering out of range: {o}")  # a bug here, never user input
                provinces = sorted(set(o["provinces"]))
                offerings.append(
                    (
                        pk,
                        item.pk,
                        item.category_id,
                        o["price_min"],
                        o["price_max"],
                        o["price_unit"],
                        o["monthly_capacity"],
                        provinces,
                        o["lead_time_days"],
                        o["notes"],
                        o["is_active"],
                    )
                )
                links.append((provinces, o["industries"]))
            for c in d["certificates"]:
                verifier = None if c["verifier"] is None else verifiers[c["verifier"]]
                certificates.append(
                    (
                        pk,
                        c["cert_type"],
                        c["name"],
                        c["number"],
                        c["issuer"],
                        c["scope"],
                        c["valid_from"],
                        c["valid_to"],
                        verifier is not None,
                        verifier,
                        self.now if verifier is not None else None,
                    )
                )
            cases.extend(
                (
                    pk,
                    c["title"],
                    self.item[c["item"]].pk,
                    c["client_name"],
                    c["client_industry_id"],
                    c["year"],
                    c["summary"],
                    c["outcome"],
                    c["is_public"],
                )
                for c in d["cases"]
            )
        self.count("profiles", self.t["profile"].insert(profiles))
        offering_pks = self.t["offering"].insert_returning(offerings)
        self.count("offerings", len(offering_pks))
        self.count(
            "offering_provinces",
            self.t["offering_province"].insert(
                (o, p) for o, (provinces, _) in zip(offering_pks, links, strict=True) for p in provinces
            ),
        )
        self.count(
            "offering_industries",
            self.t["offering_industry"].insert(
                (o, code)
                for o, (_, industries) in zip(offering_pks, links, strict=True)
                for code in industries
            ),
        )
        self.count("certificates", self.t["certificate"].insert(certificates))
        self.count("cases", self.t["case"].insert(cases))

    def demands(self, specs: list[dict[str, Any]], makers: list[tuple[int, int | None]]) -> None:
        values = []
        for s in specs:
            self.record("demand", s)
            org_pk, user_pk = makers[s["maker"]]
            published = (
                None
                if s["published_days_ago"] is None
                else self.now - timedelta(days=s["published_days_ago"])
            )
            values.append(
                (
                    org_pk,
                    user_pk,
                    s["title"],
                    s["summary"],
                    s["industry"],
                    s["province"],
                    s["city"],
                    s["budget_min"],
                    s["budget_max"],
                    budget_band(s["budget_max"]),
                    s["deadline"],
                    s["contact_name"],
                    s["contact_phone"],
                    s["contact_email"],
                    s["confidentiality"],
                    s["state"],
                    published,
                    self.now if s["state"] in ("closed", "cancelled") else None,
                )
            )
        pks = self.t["demand"].insert_returning(values)
        self.count("demands", len(pks))
        self.count(
            "demand_lines",
            self.t["line"].insert(
                (pk, self.item[line["item"]].pk, line["scope"], line["quantity"])
                for pk, s in zip(pks, specs, strict=True)
                for line in s["lines"]
            ),
        )
        self.count(
            "demand_events",
            self.t["event"].insert(
                (pk, *event, makers[s["maker"]][1])
                for pk, s in zip(pks, specs, strict=True)
                for event in STATE_EVENTS[s["state"]]
            ),
        )

    def demand_list(
        self,
        spec: dict[str, Any],
        association: tuple[int, int | None],
        joiners: list[tuple[int, list[tuple[str, int]]]],
        makers: list[tuple[int, int | None]],
    ) -> None:
        """A published list and its entries: ``joiners`` are (manufacturer index, [(item code, quantity)])."""
        self.record("list", (spec, joiners))
        org_pk, user_pk = association
        demand_list = DemandList.objects.create(
            name=spec["name"],
            organization_id=org_pk,
            industry_id=spec["industry"],
            province=spec["province"],
            city=spec["city"],
            pain_points=spec["pain_points"],
            state=DemandList.State.PUBLISHED,
            published_at=self.now,
            created_by_id=user_pk,
        )
        demand_list.items.set([self.item[code].pk for code in spec["items"]])
        DemandListEntry.objects.bulk_create(
            [
                DemandListEntry(
                    demand_list=demand_list,
                    item_id=self.item[code].pk,
                    manufacturer_id=maker_pk,
                    quantity=quantity,
                    joined_by_id=maker_user,
                )
                for maker, entries in joiners
                for code, quantity in entries
                for maker_pk, maker_user in [makers[maker]]
            ]
        )
        self.count("demand_lists", 1)
        self.count("demand_list_entries", sum(len(e) for _, e in joiners))


#: The events ``demand.services`` records on the way to each state: (kind, from_state, to_state).
STATE_EVENTS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "draft": (("created", "", "draft"),),
    "published": (("created", "", "draft"), ("published", "draft", "published")),
    "closed": (
        ("created", "", "draft"),
        ("published", "draft", "published"),
        ("closed", "published", "closed"),
    ),
    "cancelled": (("created", "", "draft"), ("cancelled", "draft", "cancelled")),
}


# --- the run --------------------------------------------------------------------------------------


def _stream(seed: int, name: str) -> random.Random:
    """One independent random stream per kind of row: changing one count does not reshuffle the others."""
    return random.Random(f"ronghe-demo-data/{seed}/{name}")


def _chunks(iterable: Iterator[Any], size: int) -> Iterator[list[Any]]:
    while chunk := list(islice(iterable, size)):
        yield chunk


def generate(spec: Spec, progress: Callable[[str], None] | None = None) -> Result:
    """Generate and write everything ``spec`` asks for; refuses (InputError) before writing if it cannot."""
    started = time.perf_counter()
    if connection.vendor == "sqlite":  # index pages of large tables stay in memory (bounded: 128 MiB)
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -131072")
    today = spec.today or timezone.localdate()
    catalog = current_catalog()
    _check(spec, catalog)
    result = Result(seed=spec.seed)
    writer = Writer(spec, catalog, result)
    seed, size = spec.seed, spec.batch_size
    say = progress or (lambda message: None)

    # Certifiers verify certificates; associations publish the demand lists (serials 0–99).
    rng = _stream(seed, "support")
    support = [
        rows.support_org(rng, seed, "certifier", n, rows.PROVIDER_PROVINCE.pick(rng), "")
        for n in range(CERTIFIERS if spec.providers else 0)
    ]
    mrng = _stream(seed, "manufacturers")
    with transaction.atomic():
        verifiers = [pk for pk, _ in writer.organizations(support, lambda s: s["index"])]

    makers: list[tuple[int, int | None]] = []  # index → (org pk, admin user pk)
    maker_info: list[tuple[str, str, str]] = []  # index → (province, city, first division)
    made = (rows.manufacturer(mrng, seed, i) for i in range(spec.manufacturers))
    for batch in _chunks(made, size):
        with transaction.atomic():
            makers += writer.organizations(batch, lambda s: 100 + 2 * s["index"])
        maker_info += [(s["province"], s["city"], s["industries"][0]) for s in batch]
        say(f"manufacturers: {len(makers)}/{spec.manufacturers}")

    prng = _stream(seed, "providers")
    drng = _stream(seed, "provider-details")
    made = (rows.provider(prng, seed, i) for i in range(spec.providers))
    done = 0
    for batch in _chunks(made, size):
        details = [
            rows.provider_details(
                drng, seed, org, catalog, spec.offerings_per_provider, today, len(verifiers)
            )
            for org in batch
        ]
        with transaction.atomic():
            pks = [pk for pk, _ in writer.organizations(batch, lambda s: 101 + 2 * s["index"])]
            writer.providers(details, pks, verifiers)
        done += len(batch)
        say(f"providers: {done}/{spec.providers} ({result.counts['offerings']} offerings)")

    rng = _stream(seed, "demands")

    def demand_rows() -> Iterator[dict[str, Any]]:
        for i in range(spec.demands):
            n = rng.randrange(len(makers))
            province, city, division = maker_info[n]
            maker = {"province": province, "industries": [division], "city": city}
            row = rows.demand(rng, seed, i, maker, catalog, today)
            yield {**row, "maker": n}

    done = 0
    for batch in _chunks(demand_rows(), size):
        with transaction.atomic():
            writer.demands(batch, makers)
        done += len(batch)
        say(f"demands: {done}/{spec.demands}")

    if spec.demand_lists:
        _write_lists(spec, catalog, writer, makers, maker_info)
    result.digest = writer.digest.hexdigest()
    result.seconds = time.perf_counter() - started
    log.info("demo data generated: %s", result.summary())
    return result


def _write_lists(
    spec: Spec,
    catalog: rows.Catalog,
    writer: Writer,
    makers: list[tuple[int, int | None]],
    maker_info: list[tuple[str, str, str]],
) -> None:
    """Each list belongs to a new association of an industry and province where the run has manufacturers."""
    rng = _stream(spec.seed, "demand-lists")
    anchors = rng.sample(range(len(makers)), min(spec.demand_lists, len(makers)))
    for n, anchor in enumerate(anchors):
        province, _, division = maker_info[anchor]
        word = rng.choice(V.DIVISIONS[division][1])
        association_row = rows.support_org(rng, spec.seed, "association", n, province, word)
        list_row = rows.demand_list(rng, n, association_row, catalog)
        if not list_row["items"]:
            continue
        peers = [i for i, (_, _, d) in enumerate(maker_info) if d == division]
        joined = sorted(rng.sample(peers, min(len(peers), rng.randrange(5, JOINERS_PER_LIST + 1))))
        joiners = []
        for i in joined:
            codes_wanted = rng.sample(list_row["items"], rng.randrange(1, min(4, len(list_row["items"])) + 1))
            joiners.append((i, [(code, rng.choice((1, 1, 1, 2, 3))) for code in sorted(codes_wanted)]))
        with transaction.atomic():
            association = writer.organizations([association_row], lambda s: CERTIFIERS + 1 + s["index"])[0]
            writer.demand_list(list_row, association, joiners, makers)
