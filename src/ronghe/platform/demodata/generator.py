"""Write a reproducible synthetic data set in batches: organizations, users, providers, demands, demand lists.

Rows come from :mod:`rows` (pure, seeded); this module writes them only through each app's one bulk writer
(``accounts.bulk``, ``providers.bulk``, ``demand.bulk``: multi-row INSERTs from ``core.bulk``), one
transaction per batch, and no per-row service call. Those writers keep what the services keep, importing it
from their app: the offering category and both province copies, verification only by a verifier
organization, the demand's ``budget_band`` and the state events of ``demand.states``; each batch appends
its audit entries (actor ``system:demo-data``). Users share one password hash computed once.

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

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from ronghe.errors import InputError
from ronghe.platform.accounts.bulk import AccountsBulkWriter, OrganizationRow
from ronghe.platform.accounts.models import Industry, Organization
from ronghe.platform.catalog.models import ServiceItem
from ronghe.platform.demand.bulk import DemandBulkWriter, DemandListRow, DemandRow
from ronghe.platform.demand.models import DemandList
from ronghe.platform.demodata import codes, rows
from ronghe.platform.demodata import vocabulary as V
from ronghe.platform.providers.bulk import ProvidersBulkWriter
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
    """Bulk writes for one run, through each app's one bulk writer (``accounts.bulk``, ``providers.bulk``,
    ``demand.bulk``), which keep what the services keep; keeps only compact references (index → pk) between
    batches and the digest of everything generated."""

    def __init__(self, spec: Spec, catalog: rows.Catalog, result: Result) -> None:
        self.spec, self.result = spec, result
        self.item = {i.code: i for i in catalog.items}
        self.password = make_password(spec.password) if spec.with_users else None
        self.digest = hashlib.sha256()
        self.now = timezone.now()
        self.accounts = AccountsBulkWriter(self.now)
        self.provider_writer = ProvidersBulkWriter(self.now)
        self.demand_writer = DemandBulkWriter(self.now)

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
            values.append(OrganizationRow(
                name=s["name"], name_en=s["name_en"], kind=s["kind"], credit_code=code, province=s["province"],
                city=s["city"], description=s["description"], industries=s["industries"], is_synthetic=True,
            ))
        pks = self.accounts.organizations(values)
        self.count("organizations", len(pks))
        if not self.spec.with_users:
            return [(pk, None) for pk in pks]
        users = self.accounts.admins(
            pks, [f"demo{seed}-{s['kind'][0]}{s['index'] + 1:06d}" for s in specs], self.password
        )
        self.count("users", len(users))
        return list(zip(pks, users, strict=True))

    def providers(self, details: list[dict[str, Any]], org_pks: list[int], verifiers: list[int]) -> None:
        """Profiles, offerings (with their province and industry rows), certificates and cases."""
        batch = []
        for d, pk in zip(details, org_pks, strict=True):
            self.record("provider", d)
            batch.append({
                "organization_id": pk,
                "profile": {name: d["profile"][name] for name in PROFILE_FIELDS},
                "offerings": [
                    {"service_item_id": self.item[o["item"]].pk, "price_min": o["price_min"],
                     "price_max": o["price_max"], "price_unit": o["price_unit"],
                     "monthly_capacity": o["monthly_capacity"], "provinces": o["provinces"],
                     "industries": o["industries"], "lead_time_days": o["lead_time_days"], "notes": o["notes"],
                     "is_active": o["is_active"]}
                    for o in d["offerings"]
                ],
                "certificates": [
                    {"cert_type": c["cert_type"], "name": c["name"], "number": c["number"], "issuer": c["issuer"],
                     "scope": c["scope"], "valid_from": c["valid_from"], "valid_to": c["valid_to"],
                     "verified_by_org_id": None if c["verifier"] is None else verifiers[c["verifier"]]}
                    for c in d["certificates"]
                ],
                "cases": [
                    {"title": c["title"], "service_item_id": self.item[c["item"]].pk, "client_name": c["client_name"],
                     "client_industry_id": c["client_industry_id"], "year": c["year"], "summary": c["summary"],
                     "outcome": c["outcome"], "is_public": c["is_public"]}
                    for c in d["cases"]
                ],
            })
        try:
            written = self.provider_writer.write(batch)
        except InputError as exc:  # the generator made it: a bug here, never user input
            raise InputError(f"generated provider data broke a providers invariant: {exc}") from exc
        for name in ("profiles", "offerings", "offering_provinces", "offering_industries", "certificates", "cases"):
            self.count(name, getattr(written, name))

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
            values.append(DemandRow(
                organization_id=org_pk, created_by_id=user_pk, title=s["title"], summary=s["summary"],
                industry_id=s["industry"], province=s["province"], city=s["city"], budget_min=s["budget_min"],
                budget_max=s["budget_max"], deadline=s["deadline"], contact_name=s["contact_name"],
                contact_phone=s["contact_phone"], contact_email=s["contact_email"],
                confidentiality=s["confidentiality"], state=s["state"], published_at=published,
                lines=[(self.item[line["item"]].pk, line["scope"], line["quantity"]) for line in s["lines"]],
            ))
        pks, lines, events = self.demand_writer.demands(values)
        self.count("demands", len(pks))
        self.count("demand_lines", lines)
        self.count("demand_events", events)

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
        _, entries = self.demand_writer.demand_list(DemandListRow(
            name=spec["name"], organization_id=org_pk, industry_id=spec["industry"], province=spec["province"],
            city=spec["city"], pain_points=spec["pain_points"], state=DemandList.State.PUBLISHED,
            published_at=self.now, created_by_id=user_pk,
            items=[self.item[code].pk for code in spec["items"]],
            entries=[
                (self.item[code].pk, maker_pk, quantity, maker_user)
                for maker, wanted in joiners
                for code, quantity in wanted
                for maker_pk, maker_user in [makers[maker]]
            ],
        ))
        self.count("demand_lists", 1)
        self.count("demand_list_entries", entries)


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
