from django.urls import path

from rhythm.followups import views

app_name = "followups"

urlpatterns = [
    path("<int:follow_up_id>/", views.follow_up_detail, name="detail"),
    path("<int:follow_up_id>/send", views.follow_up_send, name="send"),
]
