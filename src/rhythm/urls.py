from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from rhythm.api import api
from rhythm.core import views as core_views
from rhythm.people import views as people_views
from rhythm.people.forms import OutboxPasswordResetForm, UnlockingSetPasswordForm

urlpatterns = [
    path("", people_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/", include("rhythm.customers.urls")),
    path("team/", include("rhythm.people.urls")),
    path("catalog/", include("rhythm.catalog.urls")),
    path("cases/", include("rhythm.cases.urls")),
    path("ctas/", include("rhythm.ctas.urls")),
    path("timeline/", include("rhythm.timeline.urls")),
    path("engagements/", include("rhythm.engagements.urls")),
    path("office-hours/", include("rhythm.officehours.urls")),
    path("meetings/", include("rhythm.meetings.urls")),
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
