from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from rhythm.api import api
from rhythm.core import registry
from rhythm.core import views as core_views
from rhythm.people.forms import OutboxPasswordResetForm, UnlockingSetPasswordForm

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    # Each app's pages, where the app says (`url_prefix` and `urls` in its apps.py).
    *(path(prefix, include(module)) for prefix, module in registry.url_mounts()),
    # Before django.contrib.auth.urls, at the same path, so that this view (whose
    # email goes through the outbox) is the one both served and reversed.
    path(
        "password_reset/",
        auth_views.PasswordResetView.as_view(
            form_class=OutboxPasswordResetForm,
            html_email_template_name="registration/password_reset_email_html.html",
        ),
        name="password_reset",
    ),
    path(
        "reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(form_class=UnlockingSetPasswordForm),
        name="password_reset_confirm",
    ),
    path("", include("django.contrib.auth.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
