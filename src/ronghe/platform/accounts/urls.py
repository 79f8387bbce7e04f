from django.urls import path

from ronghe.platform.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.org_index, name="org_index"),
    path("register/", views.register, name="register"),
    path("mine/", views.my_org, name="my_org"),
    path("review/", views.review_queue, name="review_queue"),
    path("<int:pk>/licence/", views.licence_submit, name="licence_submit"),
    path("<int:pk>/licences/<int:licence_id>/", views.licence_download, name="licence_download"),
    path("<int:pk>/verify/", views.org_verify, name="org_verify"),
    path("<int:pk>/reject/", views.org_reject, name="org_reject"),
    path("<int:pk>/", views.org_detail, name="org_detail"),
    path("<int:pk>/edit/", views.org_edit, name="org_edit"),
    path("<int:pk>/members/", views.org_members, name="org_members"),
    path("<int:pk>/members/<int:membership_id>/remove/", views.member_remove, name="member_remove"),
]
