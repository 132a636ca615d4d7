from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from tresen.core import views as core_views
from tresen.portal.views.site_login import RateLimitedLoginView

urlpatterns = [
    path("", core_views.home, name="home"),
    path("login/", RateLimitedLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("desk/", include("tresen.desk.urls")),
    path("portal/", include("tresen.portal.urls")),
]

# A lost database connection (even while loading the session) answers 503 "try again".
handler500 = "tresen.core.views.server_error"
