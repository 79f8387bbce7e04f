"""Pages: the provider directory and detail (public), the provider's own profile builder, evidence download."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ronghe.platform.accounts.models import Organization
from ronghe.platform.accounts.reference import provinces
from ronghe.platform.core.downloads import serve_protected_file
from ronghe.platform.core.errors import apply_service_errors
from ronghe.platform.core.permissions import org_ids
from ronghe.platform.core.rules import Rules
from ronghe.platform.providers import services
from ronghe.platform.providers.filtersets import ProviderProfileFilterSet
from ronghe.platform.providers.forms import CaseForm, CertificateForm, OfferingForm, ProfileForm
from ronghe.platform.providers.models import Case, Certificate, Offering, ProviderProfile
from ronghe.platform.providers.rules import (
    can_maintain,
    can_see_evidence,
    case_rules,
    certificate_rules,
    offering_rules,
    profile_rules,
)

PAGE_SIZE = 25


def provider_index(request: HttpRequest) -> HttpResponse:
    """The directory (服务商名录), filtered by item, category, province and industry served, certificates."""
    profiles = ProviderProfile.objects.restrict(request.user, "view").select_related("organization")
    filterset = ProviderProfileFilterSet(request.GET or None, queryset=profiles)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    org_ids_on_page = [p.organization_id for p in page]
    offerings = (Offering.objects.restrict(request.user, "view")
                 .filter(provider_id__in=org_ids_on_page, is_active=True).select_related("service_item"))
    certificates = Certificate.objects.filter(provider_id__in=org_ids_on_page)
    by_org: dict[int, dict[str, list]] = {i: {"offerings": [], "certificates": []} for i in org_ids_on_page}
    for offering in offerings:
        by_org[offering.provider_id]["offerings"].append(offering)
    for cert in certificates:
        by_org[cert.provider_id]["certificates"].append(cert)
    rows = [(p, by_org[p.organization_id]) for p in page]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "providers/provider_index.html",
                  {"filterset": filterset, "page": page, "rows": rows, "query": query.urlencode()})


def provider_detail(request: HttpRequest, pk: int) -> HttpResponse:
    profile = get_object_or_404(ProviderProfile.objects.restrict(request.user, "view").select_related("organization"),
                                pk=pk)
    org = profile.organization
    user = request.user
    certificates = list(Certificate.objects.restrict(user, "view").filter(provider=org).order_by("-valid_to"))
    for cert in certificates:
        cert.actions = certificate_rules.allowed(user, cert)
    mine = org_ids(user) if user.is_authenticated else []
    cases = list(Case.objects.restrict(user, "view").filter(provider=org).select_related("client_industry"))
    for case in cases:
        case.client_display = case.client_label(mine)
    offerings = list(Offering.objects.restrict(user, "view").filter(provider=org, is_active=True)
                     .select_related("service_item", "category").prefetch_related("industries"))
    names = provinces()
    for offering in offerings:
        offering.province_names = [names[c].name_zh for c in offering.provinces if c in names]
    context = {"profile": profile, "org": org, "offerings": offerings, "certificates": certificates, "cases": cases,
               "actions": profile_rules.allowed(user, profile),
               "service_province_names": [names[c].name_zh for c in (profile.service_provinces if profile else [])
                                          if c in names]}
    return render(request, "providers/provider_detail.html", context)


# ------------------------------------------------------------------------------------------ the provider's own pages
def _my_provider(request: HttpRequest) -> Organization:
    """The provider organization whose pages these are: ``?org=`` names one the user may maintain (a member,
    or an operator — ``rules.can_maintain``), else the first provider organization the user works for."""
    wanted = request.GET.get("org") or request.POST.get("org")
    if wanted and str(wanted).isdigit():
        org = get_object_or_404(Organization, pk=wanted, kind=Organization.Kind.PROVIDER)
    else:
        org = Organization.objects.filter(pk__in=org_ids(request.user, kinds={"provider"})).order_by("pk").first()
    if org is None or not can_maintain(request.user, org):
        raise PermissionDenied(_("只有服务商成员可以使用此页面"))
    return org


@login_required
def my_provider(request: HttpRequest) -> HttpResponse:
    """The profile builder's overview: profile, all offerings (inactive too), certificates and cases."""
    org, user = _my_provider(request), request.user
    offerings = list(Offering.objects.restrict(user, "view").filter(provider=org).select_related("service_item")
                     .order_by("-is_active", "-updated_at"))
    certificates = list(Certificate.objects.restrict(user, "view").filter(provider=org).order_by("-valid_to"))
    cases = list(Case.objects.restrict(user, "view").filter(provider=org).select_related("client_industry"))
    for objects, rules in ((offerings, offering_rules), (certificates, certificate_rules), (cases, case_rules)):
        for obj in objects:
            obj.actions = rules.allowed(user, obj)
    context = {
        "org": org,
        "my_orgs": Organization.objects.filter(pk__in=org_ids(user, kinds={"provider"})),
        "profile": ProviderProfile.objects.filter(organization=org).first(),
        "offerings": offerings, "certificates": certificates, "cases": cases,
    }
    return render(request, "providers/my_provider.html", context)


def _form_page(request: HttpRequest, form, title: str, save: Callable[[dict], object], org: Organization,
               ) -> HttpResponse:
    """Validate the form, hand its data to the service, show the service's errors on the form."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form.service_data())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("已保存"))
            return redirect(f"{reverse('providers:my_provider')}?org={org.pk}")
    status = 400 if request.method == "POST" else 200
    return render(request, "providers/form.html", {"form": form, "title": title, "org": org}, status=status)


@login_required
def profile_edit(request: HttpRequest) -> HttpResponse:
    org = _my_provider(request)
    profile = ProviderProfile.objects.filter(organization=org).first()
    if profile is not None and not profile_rules.can(request.user, "change", profile):
        raise PermissionDenied
    form = ProfileForm(request.POST or None, instance=profile)
    return _form_page(request, form, _("编辑服务商档案"),
                      lambda data: services.save_profile(request.user, org, **data), org)


def _editable(request: HttpRequest, model: type, rules: Rules, pk: int | None):
    """(provider organization, object or None): the object must be visible and its ``change`` rule hold;
    a new one needs the provider's ``can_maintain`` — the same answers the services give."""
    if pk is None:
        return _my_provider(request), None
    obj = get_object_or_404(model.objects.restrict(request.user, "view").select_related("provider"), pk=pk)
    if not rules.can(request.user, "change", obj):
        raise PermissionDenied
    return obj.provider, obj


@login_required
def offering_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    org, offering = _editable(request, Offering, offering_rules, pk)
    form = OfferingForm(request.POST or None, instance=offering)
    if offering is None:
        return _form_page(request, form, _("新增服务供给"),
                          lambda data: services.add_offering(request.user, org, **data), org)
    return _form_page(request, form, _("修改服务供给"),
                      lambda data: services.update_offering(request.user, offering, **data), org)


@login_required
@require_POST
def offering_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    offering = get_object_or_404(Offering.objects.restrict(request.user, "view").select_related("provider"), pk=pk)
    services.set_offering_active(request.user, offering, active=request.POST.get("active") == "1")
    messages.success(request, _("已更新服务状态"))
    return redirect(f"{reverse('providers:my_provider')}?org={offering.provider_id}")


@login_required
def certificate_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    org, cert = _editable(request, Certificate, certificate_rules, pk)
    form = CertificateForm(request.POST or None, request.FILES or None, instance=cert)
    if cert is None:
        return _form_page(request, form, _("新增资质证书"),
                          lambda data: services.add_certificate(request.user, org, **data), org)
    return _form_page(request, form, _("修改资质证书"),
                      lambda data: services.update_certificate(request.user, cert, **data), org)


@login_required
def case_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    org, case = _editable(request, Case, case_rules, pk)
    form = CaseForm(request.POST or None, instance=case)
    if case is None:
        return _form_page(request, form, _("新增案例"),
                          lambda data: services.add_case(request.user, org, **data), org)
    return _form_page(request, form, _("修改案例"),
                      lambda data: services.update_case(request.user, case, **data), org)


# ------------------------------------------------------------------------------------------ evidence and verification
def certificate_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    """The evidence file, for the owner organization and verifiers only (404 for everyone else)."""
    cert = get_object_or_404(Certificate.objects.restrict(request.user, "view"), pk=pk)
    return serve_protected_file(request, cert, cert.evidence, can_see_evidence)


@login_required
@require_POST
def certificate_verify(request: HttpRequest, pk: int) -> HttpResponse:
    cert = get_object_or_404(Certificate.objects.restrict(request.user, "view").select_related("provider"), pk=pk)
    try:
        services.verify_certificate(request.user, cert)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("证书已核验"))
    return _back_to_provider(cert)


@login_required
@require_POST
def certificate_reject(request: HttpRequest, pk: int) -> HttpResponse:
    """A verifier refuses a pending certificate with a reason (``reason`` in the POST)."""
    cert = get_object_or_404(Certificate.objects.restrict(request.user, "view").select_related("provider"), pk=pk)
    try:
        services.reject_certificate(request.user, cert, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已驳回证书"))
    return _back_to_provider(cert)


def _back_to_provider(cert: Certificate) -> HttpResponse:
    profile = ProviderProfile.objects.filter(organization_id=cert.provider_id).first()
    return redirect("providers:provider_detail", pk=profile.pk) if profile else redirect("providers:provider_index")
