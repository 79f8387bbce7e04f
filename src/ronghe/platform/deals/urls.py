from django.urls import path

from ronghe.platform.deals import views

app_name = "deals"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/<int:pk>/", views.rfq_create, name="rfq_create"),
    path("rfq/<int:pk>/", views.rfq_detail, name="rfq_detail"),
    path("rfq/<int:pk>/cancel/", views.rfq_cancel, name="rfq_cancel"),
    path("rfq/<int:pk>/award/", views.rfq_award, name="rfq_award"),
    path("rfq/<int:pk>/bid/", views.bid_form, name="bid_form"),
    path("bids/<int:pk>/", views.bid_detail, name="bid_detail"),
    path("bids/<int:pk>/withdraw/", views.bid_withdraw, name="bid_withdraw"),
    path("contracts/<int:pk>/", views.contract_detail, name="contract_detail"),
    path("contracts/<int:pk>/edit/", views.contract_edit, name="contract_edit"),
    path("contracts/<int:pk>/sign/", views.contract_sign, name="contract_sign"),
    path("contracts/<int:pk>/attach/", views.contract_attach, name="contract_attach"),
    path("contracts/<int:pk>/cancel/", views.contract_cancel, name="contract_cancel"),
    path("contracts/<int:pk>/rate/", views.contract_rate, name="contract_rate"),
    path("milestones/<int:pk>/<str:step>/", views.milestone_step, name="milestone_step"),
    path("disputes/<int:pk>/", views.dispute_detail, name="dispute_detail"),
    path("documents/<int:pk>/", views.document_download, name="document_download"),
]
