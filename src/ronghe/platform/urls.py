"""URL map: one include per app for pages, one router for the REST API under /api/."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.static import serve
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from ronghe.platform.accounts import api as accounts_api
from ronghe.platform.catalog import api as catalog_api
from ronghe.platform.core import views as core_views
from ronghe.platform.demand import api as demand_api
from ronghe.platform.providers import api as providers_api

router = DefaultRouter()
for app_api in (accounts_api, catalog_api, demand_api, providers_api):
    app_api.register(router)

urlpatterns = [
    path("", core_views.home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("orgs/", include("ronghe.platform.accounts.urls")),
    path("catalog/", include("ronghe.platform.catalog.urls")),
    path("demand/", include("ronghe.platform.demand.urls")),
    path("providers/", include("ronghe.platform.providers.urls")),
    path("api/auth/token/", obtain_auth_token, name="api-token"),
    path("api/schema/", SpectacularJSONAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include(router.urls)),
]

if settings.DEBUG:  # production serves media through the app's permission-checked download views only
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]
