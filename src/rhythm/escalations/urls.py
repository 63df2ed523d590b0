from django.urls import path

from rhythm.escalations import views

app_name = "escalations"

urlpatterns = [
    path("", views.escalation_list, name="list"),
    path("new", views.escalation_create, name="create"),
    path("<int:escalation_id>/", views.escalation_detail, name="detail"),
    path("<int:escalation_id>/transitions", views.escalation_transition, name="transition"),
]
