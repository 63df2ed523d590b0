from django.urls import path

from rhythm.catalog import views

app_name = "catalog"

urlpatterns = [path("", views.offering_list, name="list")]
