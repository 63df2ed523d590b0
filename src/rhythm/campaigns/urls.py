from django.urls import path

from rhythm.campaigns import views

app_name = "campaigns"

urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", views.campaign_new, name="new"),
    path("email-preview/", views.email_preview, name="email-preview"),
    path("<int:campaign_id>/", views.campaign_detail, name="detail"),
    path("<int:campaign_id>/edit/", views.campaign_edit, name="edit"),
    path("<int:campaign_id>/move/", views.campaign_move, name="move"),
    path("<int:campaign_id>/run/", views.campaign_run, name="run"),
    # Public: the contact's link, no sign-in (its signature is the key).
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
