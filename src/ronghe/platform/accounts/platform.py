"""What the accounts app adds to the platform (collected by ``core.registry``)."""

from django.utils.translation import gettext_lazy as _

from ronghe.platform.core.registry import JourneyStep, NavEntry, PlatformApp, Role

app = PlatformApp(
    label="accounts",
    url_prefix="orgs/",
    urls="ronghe.platform.accounts.urls",
    api="ronghe.platform.accounts.api:register",
    nav=(NavEntry(_("组织"), "accounts:org_index", order=90),),
    roles=(
        Role("manufacturer", _("制造企业（需求方）"), _("发布需求（可设保密级别），加入行业需求清单，寻找服务商。"), 10),
        Role("provider", _("生产性服务商"), _("建立企业档案，登记服务供给、资质证书和案例。"), 20),
        Role("association", _("行业协会"), _("维护标准化服务条目，发布行业需求清单，汇总会员需求。"), 30),
        Role("certifier", _("认证机构"), _("核验服务商资质，参与服务条目的交付标准。"), 40),
        Role("operator", _("平台运营方"), _("管理组织、账户与目录，处理审核。"), 50),
        Role("government", _("政府（只读）"), _("只读查看两业融合的供需情况：行业需求清单、公开需求、服务商和组织。"), 60),
    ),
    journeys=(
        JourneyStep("association", _("组织名录"), "accounts:org_index", 90),
        JourneyStep("operator", _("管理后台"), "admin:index", 10),
        JourneyStep("operator", _("组织名录"), "accounts:org_index", 20),
        JourneyStep("government", _("组织名录"), "accounts:org_index", 90),
    ),
    audit_types=("accounts.organization", "accounts.membership", "auth.user"),
)
