"""URL map: the site-wide pages, then every registered app's pages and API routes (``core.registry``).

Adding an app never touches this file: its ``platform.py`` names its URL module, prefix and API routes.
"""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.static import serve
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from ronghe.platform.core import views as core_views
from ronghe.platform.core.registry import platform_apps, resolve

router = DefaultRouter()
for platform_app in platform_apps():
    if platform_app.api is not None:
        resolve(platform_app.api)(router)

urlpatterns = [
    path("", core_views.home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    *[path(a.url_prefix, include(a.urls)) for a in platform_apps() if a.urls],
    path("api/auth/token/", obtain_auth_token, name="api-token"),
    path("api/schema/", SpectacularJSONAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include(router.urls)),
]

if settings.DEBUG:  # production serves media through the app's permission-checked download views only
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]
