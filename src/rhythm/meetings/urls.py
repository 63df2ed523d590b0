from django.urls import path

from rhythm.meetings import views

app_name = "meetings"

urlpatterns = [
    path("", views.my_meetings, name="mine"),
    path("feed/reset", views.feed_reset, name="feed-reset"),
    path("feed/<str:token>.ics", views.calendar_feed, name="feed"),
    path("book/<str:source>/<int:source_id>/", views.meeting_book, name="book"),
    path("<int:meeting_id>/", views.meeting_detail, name="detail"),
    path("<int:meeting_id>/invitation.ics", views.meeting_invitation, name="invitation"),
    path("<int:meeting_id>/held", views.meeting_held, name="held"),
    path("<int:meeting_id>/schedule", views.meeting_schedule, name="schedule"),
    path("<int:meeting_id>/checklist/<int:item_id>", views.checklist_item, name="checklist-item"),
]
