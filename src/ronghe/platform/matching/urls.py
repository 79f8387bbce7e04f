from django.urls import path

from ronghe.platform.matching import views

app_name = "matching"
urlpatterns = [
    path("demands/", views.my_demands, name="my_demands"),
    path("demands/<int:pk>/", views.demand_matches, name="demand_matches"),
    path("demands/<int:pk>/invite/", views.invite, name="invite"),
    path("feed/", views.my_feed, name="my_feed"),
    path("providers/<int:pk>/feed/", views.provider_feed, name="provider_feed"),
    path("lists/", views.my_lists, name="my_lists"),
    path("lists/<int:pk>/assign/", views.list_assign, name="list_assign"),
]
