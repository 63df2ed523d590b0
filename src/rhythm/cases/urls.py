from django.urls import path

from rhythm.cases import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("<int:case_id>/", views.case_detail, name="detail"),
    path("new/<int:opportunity_id>/", views.case_create, name="create"),
]
