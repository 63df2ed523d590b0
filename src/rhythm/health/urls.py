from django.urls import path

from rhythm.health import views

app_name = "health"

urlpatterns = [
    path("", views.imports, name="imports"),
    path("imports/<int:import_id>/", views.import_detail, name="import-detail"),
]
