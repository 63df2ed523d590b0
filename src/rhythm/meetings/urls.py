from django.urls import path

from rhythm.meetings import views

app_name = "meetings"

urlpatterns = [
    path("<int:meeting_id>/", views.meeting_detail, name="detail"),
    path("<int:meeting_id>/held", views.meeting_held, name="held"),
    path("<int:meeting_id>/schedule", views.meeting_schedule, name="schedule"),
]
