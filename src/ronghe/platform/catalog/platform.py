"""What the catalog app adds to the platform (collected by ``core.registry``)."""

from django.utils.translation import gettext_lazy as _

from ronghe.platform.core.registry import JourneyStep, NavEntry, PlatformApp

app = PlatformApp(
    label="catalog",
    url_prefix="catalog/",
    urls="ronghe.platform.catalog.urls",
    api="ronghe.platform.catalog.api:register",
    nav=(NavEntry(_("服务目录"), "catalog:item_list", order=10),),
    journeys=(
        JourneyStep("manufacturer", _("浏览服务目录"), "catalog:item_list", 10),
        JourneyStep("provider", _("浏览服务目录"), "catalog:item_list", 20),
        JourneyStep("association", _("服务目录"), "catalog:item_list", 10),
        JourneyStep("certifier", _("服务目录"), "catalog:item_list", 20),
    ),
    demo_loader="ronghe.platform.catalog.services:load_demo_catalog",
    demo_order=10,
    labels="ronghe.platform.catalog.labels",
    audit_types=("catalog.serviceitem", "catalog.servicecategory", "catalog.qualification"),
)
