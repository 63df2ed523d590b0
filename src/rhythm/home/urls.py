from django.urls import path

from rhythm.home import views

urlpatterns = [path("", views.home, name="home")]
