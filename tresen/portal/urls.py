from django.urls import path

from tresen.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("rate/<str:token>/<str:score>/", views.rate_by_link, name="rate_by_link"),
]
