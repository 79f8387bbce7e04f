from django.urls import path

from ronghe.platform.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.org_index, name="org_index"),
    path("register/", views.register, name="register"),
    path("mine/", views.my_org, name="my_org"),
    path("<int:pk>/", views.org_detail, name="org_detail"),
    path("<int:pk>/edit/", views.org_edit, name="org_edit"),
    path("<int:pk>/members/", views.org_members, name="org_members"),
    path("<int:pk>/members/<int:membership_id>/remove/", views.member_remove, name="member_remove"),
]
