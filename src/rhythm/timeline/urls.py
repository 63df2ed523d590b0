from django.urls import path

from rhythm.timeline import views

app_name = "timeline"

urlpatterns = [
    path("accounts/<int:account_id>/", views.account_timeline, name="account"),
    path("accounts/<int:account_id>/notes", views.add_note, name="add-note"),
]
