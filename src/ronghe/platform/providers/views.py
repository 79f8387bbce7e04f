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
from ronghe.platform.core.permissions import org_ids
from ronghe.platform.providers import services
from ronghe.platform.providers.filtersets import ProviderProfileFilterSet
from ronghe.platform.providers.forms import (
    CaseForm,
    CertificateForm,
    OfferingForm,
    ProfileForm,
    apply_service_error,
)
from ronghe.platform.providers.models import Case, Certificate, Offering, ProviderProfile

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
        cert.can_verify = services.can_verify(user, cert) and not cert.verified and not cert.is_expired
        cert.can_download = bool(cert.evidence) and services.can_see_evidence(user, cert)
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
               "can_edit": services.can_act_for(user, org),
               "service_province_names": [names[c].name_zh for c in (profile.service_provinces if profile else [])
                                          if c in names]}
    return render(request, "providers/provider_detail.html", context)


# ------------------------------------------------------------------------------------------ the provider's own pages
def _my_provider(request: HttpRequest) -> Organization:
    """The provider organization the user works for (``?org=`` picks one when they belong to several)."""
    mine = Organization.objects.filter(pk__in=org_ids(request.user, kinds={"provider"})).order_by("pk")
    wanted = request.GET.get("org") or request.POST.get("org")
    org = mine.filter(pk=wanted).first() if wanted and str(wanted).isdigit() else mine.first()
    if org is None:
        raise PermissionDenied(_("只有服务商成员可以使用此页面"))
    return org


@login_required
def my_provider(request: HttpRequest) -> HttpResponse:
    """The profile builder's overview: profile, all offerings (inactive too), certificates and cases."""
    org = _my_provider(request)
    context = {
        "org": org,
        "my_orgs": Organization.objects.filter(pk__in=org_ids(request.user, kinds={"provider"})),
        "profile": ProviderProfile.objects.filter(organization=org).first(),
        "offerings": Offering.objects.filter(provider=org).select_related("service_item").order_by(
            "-is_active", "-updated_at"),
        "certificates": Certificate.objects.filter(provider=org).order_by("-valid_to"),
        "cases": Case.objects.filter(provider=org).select_related("client_industry"),
    }
    return render(request, "providers/my_provider.html", context)


def _form_page(request: HttpRequest, form, title: str, save: Callable[[dict], object], org: Organization,
               ) -> HttpResponse:
    """Validate the form, hand its data to the service, show the service's errors on the form."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form.service_data())
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("已保存"))
            return redirect(f"{reverse('providers:my_provider')}?org={org.pk}")
    status = 400 if request.method == "POST" else 200
    return render(request, "providers/form.html", {"form": form, "title": title, "org": org}, status=status)


@login_required
def profile_edit(request: HttpRequest) -> HttpResponse:
    org = _my_provider(request)
    profile = ProviderProfile.objects.filter(organization=org).first()
    form = ProfileForm(request.POST or None, instance=profile)
    return _form_page(request, form, _("编辑服务商档案"),
                      lambda data: services.save_profile(org, request.user, data), org)


@login_required
def offering_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if pk is None:
        org, offering = _my_provider(request), None
    else:
        offering = get_object_or_404(Offering.objects.restrict(request.user, "change").select_related("provider"),
                                     pk=pk)
        org = offering.provider
    form = OfferingForm(request.POST or None, instance=offering)
    if offering is None:
        return _form_page(request, form, _("新增服务供给"),
                          lambda data: services.add_offering(org, request.user, data), org)
    return _form_page(request, form, _("修改服务供给"),
                      lambda data: services.update_offering(offering, request.user, data), org)


@login_required
@require_POST
def offering_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    offering = get_object_or_404(Offering.objects.restrict(request.user, "change").select_related("provider"), pk=pk)
    services.set_offering_active(offering, request.user, request.POST.get("active") == "1")
    messages.success(request, _("已更新服务状态"))
    return redirect(f"{reverse('providers:my_provider')}?org={offering.provider_id}")


@login_required
def certificate_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if pk is None:
        org, cert = _my_provider(request), None
    else:
        cert = get_object_or_404(Certificate.objects.restrict(request.user, "change").select_related("provider"),
                                 pk=pk)
        org = cert.provider
    form = CertificateForm(request.POST or None, request.FILES or None, instance=cert)
    if cert is None:
        return _form_page(request, form, _("新增资质证书"),
                          lambda data: services.add_certificate(org, request.user, data), org)
    return _form_page(request, form, _("修改资质证书"),
                      lambda data: services.update_certificate(cert, request.user, data), org)


@login_required
def case_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if pk is None:
        org, case = _my_provider(request), None
    else:
        case = get_object_or_404(Case.objects.restrict(request.user, "change").select_related("provider"), pk=pk)
        org = case.provider
    form = CaseForm(request.POST or None, instance=case)
    if case is None:
        return _form_page(request, form, _("新增案例"), lambda data: services.add_case(org, request.user, data), org)
    return _form_page(request, form, _("修改案例"),
                      lambda data: services.update_case(case, request.user, data), org)


# ------------------------------------------------------------------------------------------ evidence and verification
def certificate_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    """The evidence file, for the owner organization and verifiers only (404 for everyone else)."""
    cert = get_object_or_404(Certificate.objects.restrict(request.user, "view"), pk=pk)
    return serve_protected_file(request, cert, cert.evidence, services.can_see_evidence)


@login_required
@require_POST
def certificate_verify(request: HttpRequest, pk: int) -> HttpResponse:
    cert = get_object_or_404(Certificate.objects.restrict(request.user, "view").select_related("provider"), pk=pk)
    try:
        services.verify_certificate(cert, request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("证书已核验"))
    profile = ProviderProfile.objects.filter(organization_id=cert.provider_id).first()
    return redirect("providers:provider_detail", pk=profile.pk) if profile else redirect("providers:provider_index")
