from django.urls import path

from rhythm.followups import views

app_name = "followups"

urlpatterns = [
    path("<int:follow_up_id>/", views.follow_up_detail, name="detail"),
    path("<int:follow_up_id>/send", views.follow_up_send, name="send"),
    path("questions/", views.questions, name="questions"),
    path("questions/<int:further_question_id>/answer", views.question_answer, name="answer"),
    path("meetings/<int:meeting_id>/ask", views.question_ask, name="ask"),
    path("clocks/<str:kind>/<int:clock_id>/pause", views.clock_pause, name="pause"),
    path("clocks/<str:kind>/<int:clock_id>/resume", views.clock_resume, name="resume"),
]
