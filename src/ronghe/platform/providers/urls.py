"""Pages of the providers app (服务商)."""

from django.urls import path

from ronghe.platform.providers import views

app_name = "providers"
urlpatterns = [
    path("", views.provider_index, name="provider_index"),
    path("<int:pk>/", views.provider_detail, name="provider_detail"),
    path("mine/", views.my_provider, name="my_provider"),
    path("mine/profile/", views.profile_edit, name="profile_edit"),
    path("mine/offerings/new/", views.offering_edit, name="offering_new"),
    path("mine/offerings/<int:pk>/", views.offering_edit, name="offering_edit"),
    path("mine/offerings/<int:pk>/active/", views.offering_set_active, name="offering_set_active"),
    path("mine/certificates/new/", views.certificate_edit, name="certificate_new"),
    path("mine/certificates/<int:pk>/", views.certificate_edit, name="certificate_edit"),
    path("mine/cases/new/", views.case_edit, name="case_new"),
    path("mine/cases/<int:pk>/", views.case_edit, name="case_edit"),
    path("certificates/<int:pk>/evidence/", views.certificate_evidence, name="certificate_evidence"),
    path("certificates/<int:pk>/verify/", views.certificate_verify, name="certificate_verify"),
    path("certificates/<int:pk>/reject/", views.certificate_reject, name="certificate_reject"),
]
