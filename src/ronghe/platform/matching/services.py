"""The matching app's services: ask the engine, re-check against fresh rows, and (for batches) write.

Reads (``demand_matches``, ``provider_feed``, ``preview_assignment``) write nothing; ``apply_assignment`` is the
one write, through the kit (lock, rule, write, event + audit entry). Every result the engine returns is
re-checked with the longhand constraint check (``ronghe.match.evaluate.eligible``) on rows read now, so an
index a write behind can delay a candidate but never show one that no longer qualifies.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import BooleanField, Case, Value, When
from django.utils import timezone

from ronghe.match.assign import assign
from ronghe.match.engine import METHODS
from ronghe.match.evaluate import eligible
from ronghe.platform.core import kit
from ronghe.platform.matching import index as I
from ronghe.platform.matching.models import Assignment, ListInvitation, MatchingEvent
from ronghe.platform.matching.records import demand_records, list_entry_records, provider_records
from ronghe.platform.matching.rules import assignment_rules, demand_match_rules, feed_rules

MAX_LIMIT = 100


def _limit(value: Any, default: int = 20) -> int:
    try:
        n = int(value if value is not None and value != "" else default)
    except (TypeError, ValueError):
        raise ValidationError({"limit": ["须为 1–100 的整数 (an integer 1–100)"]}) from None
    if not 1 <= n <= MAX_LIMIT:
        raise ValidationError({"limit": ["须为 1–100 的整数 (an integer 1–100)"]})
    return n


def _method(method: Any) -> None:
    if method not in METHODS:
        raise ValidationError({"method": ["须为 bm25、embed 或 fusion (bm25, embed or fusion)"]})


def _vector(index, text_record) -> np.ndarray | None:
    """The demand's stored query vector, or None (then only the lexical ranking counts)."""
    if index.store is None:
        return None
    vec = index.store.queries([text_record.text])[0]
    return vec if np.any(vec) else None


def _fresh_check(index, pairs: list[tuple[Any, str]]) -> set[tuple[str, str]]:
    """(demand record id, provider id) pairs that pass every hard constraint on the rows as they are now."""
    ids = {int(p) for _, p in pairs}
    fresh = {p.id: p for p in provider_records(ids, constraints_only=True)}
    today = timezone.localdate()
    return {(d.id, p) for d, p in pairs
            if p in fresh and eligible(fresh[p], d, today, index.registry, index.items, index.item_reqs)}


def demand_matches(user: Any, demand, *, limit: Any = 20, method: str = "fusion",
                   with_dropped: bool = False) -> dict:
    """The providers that fit ``demand``, best first, explained (owner and operator only)."""
    from ronghe.platform.accounts.models import Organization

    demand_match_rules.require(user, "view_matches", demand)
    n = _limit(limit)
    _method(method)
    index = I.current()
    best: dict[str, tuple[Any, Any]] = {}
    dropped: dict[str, list[str]] = {}
    lines = demand_records([demand], full=True, today=timezone.localdate())
    for rec in lines:
        result = index.match(rec, limit=n * 2 + 5, method=method, vector=_vector(index, rec),
                             day=timezone.localdate(), explain_dropped=with_dropped)
        for m in result.matches:
            if m.provider not in best or m.score > best[m.provider][1].score:
                best[m.provider] = (rec, m)
        for pid, reasons in (result.dropped or {}).items():
            dropped.setdefault(pid, reasons)
    order = sorted(best.items(), key=lambda kv: (-kv[1][1].score, int(kv[0])))
    ranked, start = [], 0
    while len(ranked) < n and start < len(order):  # re-check the best first, more only if some fail
        part = order[start:start + n + 5]
        ok = _fresh_check(index, [(rec, pid) for pid, (rec, _) in part])
        ranked += [m for pid, (rec, m) in part if (rec.id, pid) in ok]
        start += len(part)
    ranked = ranked[:n]
    names = dict(Organization.objects.filter(id__in=[int(m.provider) for m in ranked]).values_list("id", "name"))
    out = {"demand": demand.id, "method": method, "weights": index.weights, "matches": [
        {"provider": int(m.provider), "provider_name": names.get(int(m.provider), ""), "score": m.score,
         "reasons": m.explanation.reasons(), "constraints": m.explanation.constraints,
         "explanation": m.explanation.as_dict(), "offering": m.explanation.offering} for m in ranked]}
    if with_dropped:
        demand_match_rules.require(user, "view_dropped", demand)
        dnames = dict(Organization.objects.filter(id__in=[int(p) for p in dropped]).values_list("id", "name"))
        out["dropped"] = [{"provider": int(p), "provider_name": dnames.get(int(p), ""), "constraints": r}
                          for p, r in sorted(dropped.items(), key=lambda x: int(x[0]))
                          if p not in {str(m["provider"]) for m in out["matches"]}][:200]
    return out


def _viewer_for(user: Any, provider) -> Any:
    """Whose eyes the feed uses: the member asking, or (for the operator) a member of the provider."""
    from django.contrib.auth.models import AnonymousUser

    from ronghe.platform.core.permissions import org_ids

    if provider.id in org_ids(user, kinds={"provider"}):
        return user
    member = provider.memberships.select_related("user").order_by("id").first()
    return member.user if member else AnonymousUser()


def provider_feed(user: Any, provider, *, limit: Any = 20, method: str = "fusion") -> dict:
    """Published demands the provider may see and can serve, ranked; only summary fields leave here.

    Which demands, and in which form, is asked of ``demand.visibility`` with the provider's own eyes, now:
    demands it may read in detail are matched on their details, the others on their summary (the budget band,
    not the amounts), so neither the ranking nor the constraints can use what the provider is not entitled to.
    The records themselves come from the index's pool of published demands (read once per rebuild); the engine
    is told only the ids this provider may see.
    """
    from ronghe.platform.demand.models import Demand, DemandLine, DemandState
    from ronghe.platform.demand.visibility import detail_q, summarize, summary_q

    feed_rules.require(user, "view_feed", provider)
    n = _limit(limit)
    _method(method)
    viewer = _viewer_for(user, provider)
    built = I.current_built()
    index = built.index
    codes = set(provider.offerings.filter(is_active=True).values_list("service_item__code", flat=True))
    serving = DemandLine.objects.filter(item__code__in=codes).values("demand_id")
    visible = Demand.objects.filter(summary_q(viewer), state=DemandState.PUBLISHED, id__in=serving).order_by()
    details = detail_q(viewer)
    if details:  # one query: each visible demand, and whether its details are this provider's to read
        rows = visible.annotate(entitled=Case(When(details, then=Value(True)), default=Value(False),
                                              output_field=BooleanField())).values_list("id", "entitled")
    else:  # the operator's eyes: every detail
        rows = ((pk, True) for pk in visible.values_list("id", flat=True))
    visible_ids, entitled = set(), set()
    for pk, full in rows:
        visible_ids.add(pk)
        if full:
            entitled.add(pk)
    rows = built.rows_for(visible_ids, entitled)
    pid = str(provider.id)
    ask = min(len(rows), 2 * n + 5)
    while True:
        entries = index.feed(pid, built.pool, limit=ask, method=method, only=rows, day=timezone.localdate())
        recs = {e.demand: built.pool.demands[built.pool.position[e.demand]] for e in entries}
        best: dict[int, Any] = {}
        for start in range(0, len(entries), n + 5):  # re-check the best first, more only if some fail
            part = entries[start:start + n + 5]
            ok = _fresh_check(index, [(recs[e.demand], pid) for e in part])
            for e in part:
                key = recs[e.demand].key
                if (e.demand, pid) in ok and key not in best:  # entries come best first: a demand's best line
                    best[key] = e
            if len(best) >= n:
                break
        if len(best) >= n or len(entries) < ask or ask >= len(rows):
            break
        ask = len(rows)  # the fresh check or shared lines took too many: rank them all
    ranked = sorted(best.items(), key=lambda kv: (-kv[1].score, kv[0]))[:n]
    demands = {d.id: d for d in Demand.objects.filter(id__in=[k for k, _ in ranked]).for_listing()}
    return {"provider": provider.id, "method": method, "feed": [
        {"demand": key, "score": e.score, "reasons": e.explanation.reasons(),
         "matched_terms": e.explanation.matched_terms, "factors": e.explanation.as_dict()["factors"],
         "summary": summarize(demands[key])} for key, e in ranked if key in demands]}


def _run_assignment(demand_list, per_demand: Any, fairness: Any) -> tuple[dict, list, Any]:
    errors: dict[str, list[str]] = {}
    try:
        k = int(per_demand)
        if not 1 <= k <= 20:
            raise ValueError
    except (TypeError, ValueError):
        errors["per_demand"] = ["须为 1–20 的整数 (an integer 1–20)"]
    try:
        lam = float(fairness)
        if not 0 <= lam <= 1:
            raise ValueError
    except (TypeError, ValueError):
        errors["fairness"] = ["须为 0–1 之间的数 (a number 0–1)"]
    kit.require_fields(errors)
    index = I.current()
    recs = list_entry_records(demand_list, today=timezone.localdate())
    vectors = {r.id: v for r in recs if (v := _vector(index, r)) is not None}
    result = assign(index, recs, per_demand=k, fairness=lam, vectors=vectors)
    by_id = {r.id: r for r in recs}
    ok = _fresh_check(index, [(by_id[d], p) for d, ps in result.pairs.items() for p, _ in ps])
    for d, ps in result.pairs.items():
        kept = [(p, s) for p, s in ps if (d, p) in ok]
        result.unassigned[d] += len(ps) - len(kept)
        result.pairs[d] = kept
    return result.as_dict(), recs, result


def preview_assignment(user: Any, demand_list, *, per_demand: Any = 5, fairness: Any = 0.02) -> dict:
    """The batch assignment over a demand list's entries, computed and shown, nothing written."""
    assignment_rules.require(user, "assign", demand_list)
    data, _, _ = _run_assignment(demand_list, per_demand, fairness)
    return {**data, "applied": False}


def apply_assignment(actor: Any, demand_list, *, per_demand: Any = 5, fairness: Any = 0.02) -> Assignment:
    """Compute again and send: one ``ListInvitation`` per pair, an event the providers and manufacturers hear."""
    from ronghe.platform.core.audit import acting_organization

    with transaction.atomic():
        demand_list = kit.lock(demand_list)
        assignment_rules.require(actor, "assign", demand_list)
        data, _, result = _run_assignment(demand_list, per_demand, fairness)
        org_id = acting_organization(actor, demand_list) or demand_list.organization_id
        row = Assignment.objects.create(demand_list=demand_list, organization_id=org_id, created_by=actor,
                                        per_demand=result.per_demand, fairness=result.fairness,
                                        state=Assignment.State.APPLIED, result=data, applied_at=timezone.now())
        invitations = [ListInvitation(assignment=row, entry_id=int(d), provider_id=int(p), score=s)
                       for d, ps in result.pairs.items() for p, s in ps]
        ListInvitation.objects.bulk_create(invitations, ignore_conflicts=True)
        kit.record(actor, row, "matching.assignment_applied", event=MatchingEvent,
                   after={"demand_list": demand_list.pk, "invitations": len(invitations)},
                   note=f"list {demand_list.pk}: {len(invitations)} invitations",
                   data={"demand_list": demand_list.pk,
                         "providers": sorted({int(p) for ps in result.pairs.values() for p, _ in ps}),
                         "manufacturers": sorted(set(demand_list.entries.values_list("manufacturer_id",
                                                                                     flat=True)))})
    return row


def invite_from_matches(actor: Any, demand, provider_id: Any):
    """One click on a result card: the demand app's own ``invite_provider`` (its NDA flow and access log)."""
    from ronghe.platform.accounts.models import Organization
    from ronghe.platform.demand.services import invite_provider

    try:
        provider = Organization.objects.get(pk=int(provider_id), kind=Organization.Kind.PROVIDER)
    except (Organization.DoesNotExist, TypeError, ValueError):
        raise ValidationError({"provider": ["未知服务商 (unknown provider)"]}) from None
    return invite_provider(actor, demand, provider=provider)


def set_demand_requirements(actor: Any, demand, *, codes: list[str]):
    """The demand requires these qualifications beyond its items' (「报告必须带CNAS标志」), by registry code or name."""
    from ronghe.platform.catalog.models import qualification_registry
    from ronghe.platform.demand.models import Demand
    from ronghe.platform.matching.models import DemandRequirement

    with transaction.atomic():
        demand = kit.lock(Demand, demand.pk)
        demand_match_rules.require(actor, "require_qualifications", demand)
        registry = qualification_registry()
        resolved, unknown = [], []
        for text in codes or []:
            code = registry.code_of(str(text))
            (resolved if code else unknown).append(code or str(text))
        if unknown:
            raise ValidationError({"codes": [f"资质登记中没有 (not in the registry): {'、'.join(unknown)}"]})
        before = sorted(demand.required_qualifications.values_list("code", flat=True))
        demand.required_qualifications.all().delete()
        DemandRequirement.objects.bulk_create([DemandRequirement(demand=demand, code=c)
                                               for c in dict.fromkeys(resolved)])
        kit.record(actor, demand, "matching.requirements_set", before={"codes": before},
                   after={"codes": sorted(set(resolved))})
        transaction.on_commit(lambda: I.bump("requirements", demand_id=demand.pk))
    return sorted(set(resolved))


def rebuild_index() -> str:
    """``ronghe match rebuild``: embed every distinct text the worker has not, then build the index afresh."""
    from ronghe.platform.matching.tasks import embed_missing

    embedded = embed_missing()
    I.bump("rebuild")
    I.reset()
    built = I.build()
    return (f"index rebuilt: {len(built.index.providers)} providers, {len(built.index.table.offerings)} offerings, "
            f"{len(built.index.texts)} distinct texts ({embedded} newly embedded) in {built.built_in_s:.1f} s")
