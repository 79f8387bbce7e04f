"""What the providers app adds to the platform (collected by ``core.registry``)."""

from django.utils.translation import gettext_lazy as _

from ronghe.platform.core.registry import JourneyStep, NavEntry, PlatformApp

app = PlatformApp(
    label="providers",
    url_prefix="providers/",
    urls="ronghe.platform.providers.urls",
    api="ronghe.platform.providers.api:register",
    nav=(NavEntry(_("服务商"), "providers:provider_index", order=40),),
    journeys=(
        JourneyStep("manufacturer", _("查找服务商"), "providers:provider_index", 40),
        JourneyStep("provider", _("服务商档案"), "providers:provider_index", 10),
        JourneyStep("certifier", _("服务商与资质"), "providers:provider_index", 10),
        JourneyStep("government", _("服务商"), "providers:provider_index", 20),
    ),
    audit_types=("providers.providerprofile", "providers.offering", "providers.certificate", "providers.case"),
    recipients={
        "providers.certificate_verified": "ronghe.platform.providers.notify:the_provider",
        "providers.certificate_rejected": "ronghe.platform.providers.notify:the_provider",
    },
    notices="ronghe.platform.providers.notify:describe",
)
