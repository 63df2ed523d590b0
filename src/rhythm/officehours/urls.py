from django.urls import path

from rhythm.officehours import views

app_name = "officehours"

urlpatterns = [
    path("", views.session_list, name="list"),
    path("sessions/new", views.session_create, name="session-create"),
    path("questions/<int:question_id>/", views.question_detail, name="question"),
]
