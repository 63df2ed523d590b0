from django.urls import path

from rhythm.community import views

app_name = "community"

urlpatterns = [
    path("accounts/<int:account_id>/new", views.log_new, name="new"),
    path("<int:community_event_id>/", views.edit, name="edit"),
    path("<int:community_event_id>/archive", views.archive, name="archive"),
]
