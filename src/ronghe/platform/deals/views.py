"""Pages of a deal for buyer, provider and arbitrator. Bids reach templates only through ``deals.present``.

Every POST runs one service; its ``PermissionDenied`` is a 403, its ``ValidationError`` goes back to the page as
messages (or form errors), so a refused step writes nothing and says why.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ronghe.platform.core.downloads import serve_protected_file
from ronghe.platform.core.errors import apply_service_errors
from ronghe.platform.core.permissions import is_operator, org_ids
from ronghe.platform.deals import present, rules, sealing, services
from ronghe.platform.deals.forms import (
    AwardForm,
    BidForm,
    DeliveryForm,
    DisputeForm,
    DocumentsOnlyForm,
    MilestoneFormSet,
    RatingForm,
    ReasonForm,
    ResolveForm,
    RFQForm,
    TermsForm,
)
from ronghe.platform.deals.models import (
    RFQ,
    Bid,
    BidState,
    Contract,
    DealDocument,
    DealEvent,
    Dispute,
    LotState,
    Milestone,
)
from ronghe.platform.deals.rules import contract_rules, milestone_rules, rfq_rules
from ronghe.platform.demand.models import Demand, DemandState

SEALED_KINDS = ("submitted", "revised", "withdrawn")


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


def _timeline(rfq: RFQ, user) -> list[DealEvent]:
    """The deal's events; a bid's own events only for its bidder (sealed: nobody else learns a bid exists)."""
    mine = org_ids(user) if user.is_authenticated else []
    return list(rfq.events.filter(~Q(kind__in=SEALED_KINDS) | Q(organization_id_acting__in=mine))
                .order_by("at", "id")[:300])


# --- index and RFQ -------------------------------------------------------------------------------------------


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """我的交易: what the user's organizations buy, bid on, deliver and arbitrate."""
    user, mine = request.user, org_ids(request.user)
    rfqs = RFQ.objects.restrict(user).select_related("organization").order_by("-id")
    can_bid = [r for r in rfqs.filter(state="bidding")[:100] if rfq_rules.can(user, "bid", r)]
    return render(request, "deals/index.html", {
        "buying": rfqs.filter(organization__in=mine)[:100],
        "openable": [d for d in Demand.objects.filter(organization__in=mine, state=DemandState.PUBLISHED)
                     .order_by("-id")[:50] if rules.can_open_rfq(user, d)],
        "can_bid": can_bid,
        "my_bids": Bid.objects.restrict(user).filter(provider__in=mine).select_related("rfq").order_by("-id")[:100],
        "contracts": Contract.objects.restrict(user).select_related("buyer", "provider").order_by("-id")[:100],
        "disputes": [d for d in Dispute.objects.filter(state="open").select_related("milestone__contract")
                     .order_by("-id")[:100] if rules.arbitrates(user, d)] if (is_operator(user) or mine) else [],
        "all_rfqs": rfqs[:100] if is_operator(user) else None,
    })


@login_required
def rfq_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Open bidding on the demand ``pk``."""
    demand = get_object_or_404(Demand.objects.restrict(request.user), pk=pk)
    if not rules.can_open_rfq(request.user, demand):
        if demand.organization_id in org_ids(request.user):
            messages.error(request, _("只能对已发布的需求发起招标。"))
            return redirect("deals:index")
        raise Http404
    form = RFQForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            rfq = services.open_rfq(request.user, demand, bid_deadline=data["bid_deadline"], access=data["access"],
                                    invited=list(data["invited"]), show_bid_count=data["show_bid_count"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("已发起招标，截止前投标内容对所有人密封。"))
            return redirect("deals:rfq_detail", pk=rfq.pk)
    return render(request, "deals/rfq_form.html", {"form": form, "demand": demand})


def rfq_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rfq = get_object_or_404(RFQ.objects.restrict(request.user).select_related("organization", "demand"), pk=pk)
    shown = present.rfq(rfq, request.user)
    compare = present.comparison(rfq, request.user) if "compare" in shown["actions"] else None
    award_lots = ([lot for lot in shown["lots"] if lot["state"] == LotState.ACTIVE]
                  if "award" in shown["actions"] else [])
    return render(request, "deals/rfq_detail.html", {
        "rfq": shown, "compare": compare, "award_lots": award_lots, "award_form": AwardForm(),
        "timeline": _timeline(rfq, request.user),
    })


@login_required
@require_POST
def rfq_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    rfq = get_object_or_404(RFQ.objects.restrict(request.user), pk=pk)
    try:
        services.cancel_rfq(request.user, rfq)
        messages.success(request, _("招标已取消。"))
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("deals:rfq_detail", pk=pk)


@login_required
@require_POST
def rfq_award(request: HttpRequest, pk: int) -> HttpResponse:
    rfq = get_object_or_404(RFQ.objects.restrict(request.user), pk=pk)
    form = AwardForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择中标投标并填写定标理由。"))
        return redirect("deals:rfq_detail", pk=pk)
    lot = get_object_or_404(rfq.lots, pk=form.cleaned_data["lot"])
    try:
        services.award_lot(request.user, lot, bid=form.cleaned_data["bid"], reason=form.cleaned_data["reason"])
        messages.success(request, _("已定标，合同草稿已生成。"))
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("deals:rfq_detail", pk=pk)


# --- bids ----------------------------------------------------------------------------------------------------


@login_required
def bid_form(request: HttpRequest, pk: int) -> HttpResponse:
    """Submit or revise the user's sealed bid (the form starts from the last version)."""
    rfq = get_object_or_404(RFQ.objects.restrict(request.user), pk=pk)
    try:
        rfq_rules.require(request.user, "bid", rfq)
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("deals:rfq_detail", pk=pk)
    lots = list(rfq.lots.filter(state=LotState.ACTIVE).order_by("id"))
    mine = Bid.objects.filter(rfq=rfq, provider__in=org_ids(request.user)).select_related("current").first()
    initial = {}
    if mine and mine.current:
        initial = {"plan": mine.current.plan, "team": mine.current.team,
                   **{f"price_{line.lot_id}": line.price for line in mine.current.lines.all()}}
    form = BidForm(request.POST or None, request.FILES or None, lots=lots, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            bid = services.submit_bid(request.user, rfq, prices=form.prices(), plan=form.cleaned_data["plan"],
                                      team=form.cleaned_data["team"], documents=form.document_inputs())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("投标已密封提交，截止前只有贵方可见。"))
            return redirect("deals:bid_detail", pk=bid.pk)
    return render(request, "deals/bid_form.html", {"form": form, "rfq": present.rfq(rfq, request.user),
                                                   "revising": bool(mine and mine.state != BidState.WITHDRAWN)})


def bid_detail(request: HttpRequest, pk: int) -> HttpResponse:
    bid = get_object_or_404(Bid.objects.restrict(request.user).select_related("rfq", "provider", "current"), pk=pk)
    return render(request, "deals/bid_detail.html", {
        "bid": present.bid(bid, request.user), "rfq": present.rfq(bid.rfq, request.user),
        "versions": bid.versions.order_by("number") if sealing.is_bidder(request.user, bid) else []})


@login_required
@require_POST
def bid_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    bid = get_object_or_404(Bid.objects.restrict(request.user), pk=pk)
    try:
        services.withdraw_bid(request.user, bid)
        messages.success(request, _("投标已撤回。"))
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("deals:bid_detail", pk=pk)


# --- contracts and milestones --------------------------------------------------------------------------------


def _contract(request: HttpRequest, pk: int) -> Contract:
    return get_object_or_404(Contract.objects.restrict(request.user).select_related("rfq", "buyer", "provider"),
                             pk=pk)


@login_required
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract(request, pk)
    return render(request, "deals/contract_detail.html", {
        "contract": present.contract(contract, request.user), "rfq_id": contract.rfq_id,
        "delivery_form": DeliveryForm(), "annex_form": DocumentsOnlyForm(), "reason_form": ReasonForm(), "dispute_form": DisputeForm(),
        "rating_form": RatingForm(), "side": rules.side_of(request.user, contract),
        "disputes": [present.dispute(d, request.user) for d in
                     Dispute.objects.filter(milestone__contract=contract).order_by("-id")],
    })


@login_required
def contract_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Either side edits milestones and terms before signing; both then sign the new text."""
    contract = _contract(request, pk)
    try:
        contract_rules.require(request.user, "edit", contract)
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("deals:contract_detail", pk=pk)
    initial = [{"title": m.title, "amount": m.amount, "due_date": m.due_date,
                "acceptance": "\n".join(m.acceptance_criteria)} for m in contract.milestones.all()]
    formset = MilestoneFormSet(request.POST or None, prefix="m", initial=initial)
    terms = TermsForm(request.POST or None, initial={"terms": contract.terms})
    deliverables = {i: m.deliverables for i, m in enumerate(contract.milestones.all())}
    if request.method == "POST" and formset.is_valid() and terms.is_valid():
        rows = [services.MilestoneInput(f.cleaned_data["title"], f.cleaned_data["amount"], f.cleaned_data["due_date"],
                                        deliverables.get(i, [f.cleaned_data["title"]]),
                                        [c.strip() for c in f.cleaned_data["acceptance"].splitlines() if c.strip()])
                for i, f in enumerate(formset.forms) if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        try:
            services.update_contract(request.user, contract, milestones=rows, terms=terms.cleaned_data["terms"])
        except ValidationError as exc:
            apply_service_errors(terms, exc, {"milestones": "terms"})
        else:
            messages.success(request, _("合同已修改，双方需重新签署。"))
            return redirect("deals:contract_detail", pk=pk)
    return render(request, "deals/contract_edit.html", {"contract": contract, "formset": formset, "terms": terms})


@login_required
@require_POST
def contract_sign(request: HttpRequest, pk: int) -> HttpResponse:
    return _run(request, "deals:contract_detail", pk, lambda: services.sign_contract(
        request.user, _contract(request, pk), text_sha256=request.POST.get("text_sha256", "")), _("已签署合同。"))


@login_required
@require_POST
def contract_attach(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract(request, pk)
    contract_rules.who(request.user, "attach", contract) or _forbid(contract_rules.message("attach"))
    form = DeliveryForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("deals:contract_detail", pk=pk)
    return _run(request, "deals:contract_detail", pk, lambda: services.attach_contract_documents(
        request.user, contract, documents=form.document_inputs()), _("合同附件已上传。"))


@login_required
@require_POST
def contract_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _run(request, "deals:contract_detail", pk,
                lambda: services.cancel_contract(request.user, _contract(request, pk)), _("合同已取消。"))


@login_required
@require_POST
def contract_rate(request: HttpRequest, pk: int) -> HttpResponse:
    form = RatingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请为每一项打分。"))
        return redirect("deals:contract_detail", pk=pk)
    return _run(request, "deals:contract_detail", pk,
                lambda: services.rate_contract(request.user, _contract(request, pk), **form.cleaned_data),
                _("评价已提交。"))


def _run(request: HttpRequest, back: str, pk: int, call: Callable, done: str) -> HttpResponse:
    try:
        call()
        messages.success(request, done)
    except ValidationError as exc:
        _errors(request, exc)
    return redirect(back, pk=pk)


MILESTONE_STEPS = {
    "fund": (DeliveryForm, lambda u, m, f: services.fund_milestone(u, m), gettext_lazy("款项已托管（模拟支付）。")),
    "submit": (DeliveryForm, lambda u, m, f: services.submit_milestone(
        u, m, note=f.cleaned_data["note"], documents=f.document_inputs()), gettext_lazy("交付物已提交，等待验收。")),
    "accept": (ReasonForm, lambda u, m, f: services.accept_milestone(u, m, reason=f.cleaned_data["reason"]),
               gettext_lazy("已验收。")),
    "reject": (ReasonForm, lambda u, m, f: services.reject_milestone(u, m, reason=f.cleaned_data["reason"]),
               gettext_lazy("已驳回。")),
    "release": (ReasonForm, lambda u, m, f: services.release_payment(u, m), gettext_lazy("已付款（模拟支付）。")),
    "dispute": (DisputeForm, lambda u, m, f: services.raise_dispute(
        u, m, reason=f.cleaned_data["reason"], evidence=f.document_inputs()), gettext_lazy("争议已提交，等待裁决。")),
}


@login_required
@require_POST
def milestone_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """One milestone action (fund, submit, accept, reject, release, dispute), each its own service."""
    milestone = get_object_or_404(
        Milestone.objects.filter(contract__in=Contract.objects.restrict(request.user)), pk=pk)
    if step not in MILESTONE_STEPS:
        raise Http404
    form_class, call, done = MILESTONE_STEPS[step]
    milestone_rules.who(request.user, step, milestone) or _forbid(milestone_rules.message(step))
    form = form_class(request.POST, request.FILES) if step != "fund" else None
    if form is not None and not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("deals:contract_detail", pk=milestone.contract_id)
    return _run(request, "deals:contract_detail", milestone.contract_id,
                lambda: call(request.user, milestone, form), str(done))


def _forbid(message: str) -> None:
    from django.core.exceptions import PermissionDenied

    raise PermissionDenied(message)


# --- disputes and documents ----------------------------------------------------------------------------------


@login_required
def dispute_detail(request: HttpRequest, pk: int) -> HttpResponse:
    dispute = get_object_or_404(Dispute.objects.filter(
        milestone__contract__in=Contract.objects.restrict(request.user)).select_related("milestone__contract"), pk=pk)
    form = ResolveForm(request.POST or None)
    if request.method == "POST":
        rules.dispute_rules.who(request.user, "resolve", dispute) or _forbid(rules.dispute_rules.message("resolve"))
        if form.is_valid():
            try:
                services.resolve_dispute(request.user, dispute, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("已裁决，节点与付款状态已更新。"))
                return redirect("deals:dispute_detail", pk=pk)
    return render(request, "deals/dispute_detail.html", {
        "dispute": present.dispute(dispute, request.user), "form": form,
        "milestone": present.milestone(dispute.milestone, request.user), "contract": dispute.milestone.contract,
        "audit_head": present.chain_head()})


def document_download(request: HttpRequest, pk: int) -> HttpResponse:
    """Every deal document leaves through here: entitled users only (404 otherwise), each access on the chain."""
    doc = get_object_or_404(DealDocument.objects.select_related("rfq", "bid_version__bid"), pk=pk)
    if not RFQ.objects.restrict(request.user).filter(pk=doc.rfq_id).exists():
        raise Http404
    return serve_protected_file(request, doc, doc.file, sealing.may_read_document, filename=doc.original_name,
                                content_type=doc.content_type, what=f"deal-document:{doc.pk}",
                                confidential=doc.visibility != "public")
