from django.urls import path

from rhythm.surveys import views

app_name = "surveys"

urlpatterns = [
    # Public: the contact's link, no sign-in (its token is the only key).
    path("answer/<str:token>/", views.answer, name="answer"),
]
