from django.urls import path

from ronghe.platform.demand import views

app_name = "demand"
urlpatterns = [
    path("lists/", views.list_index, name="list_index"),
    path("lists/new/", views.list_create, name="list_create"),
    path("lists/<int:pk>/", views.list_detail, name="list_detail"),
    path("lists/<int:pk>/publish/", views.list_publish, name="list_publish"),
    path("lists/<int:pk>/close/", views.list_close, name="list_close"),
    path("lists/<int:pk>/edit/", views.list_edit, name="list_edit"),
    path("lists/<int:pk>/leave/", views.list_leave, name="list_leave"),
    path("", views.demand_index, name="demand_index"),
    path("mine/", views.my_demands, name="my_demands"),
    path("export.csv", views.demand_export, name="demand_export"),
    path("new/", views.demand_create, name="demand_create"),
    path("<int:pk>/", views.demand_detail, name="demand_detail"),
    path("<int:pk>/edit/", views.demand_edit, name="demand_edit"),
    path("<int:pk>/publish/", views.demand_publish, name="demand_publish"),
    path("<int:pk>/close/", views.demand_close, name="demand_close"),
    path("<int:pk>/cancel/", views.demand_cancel, name="demand_cancel"),
    path("<int:pk>/attachments/", views.demand_attach, name="demand_attach"),
    path("<int:pk>/attachments/<int:attachment_id>/", views.attachment_download, name="attachment_download"),
    path("<int:pk>/invite/", views.demand_invite, name="demand_invite"),
    path("<int:pk>/nda/", views.nda_accept, name="nda_accept"),
]
