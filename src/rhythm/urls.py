from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from rhythm.api import api
from rhythm.core import views as core_views
from rhythm.people import views as people_views
from rhythm.people.forms import OutboxPasswordResetForm

urlpatterns = [
    path("", people_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/", include("rhythm.customers.urls")),
    path("team/", include("rhythm.people.urls")),
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(
            form_class=OutboxPasswordResetForm,
            html_email_template_name="registration/password_reset_email_html.html",
        ),
        name="password_reset",
    ),
    path("", include("django.contrib.auth.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
